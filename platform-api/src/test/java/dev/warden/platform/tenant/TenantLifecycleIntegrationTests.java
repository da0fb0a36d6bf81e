package dev.warden.platform.tenant;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.Http;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/** Update, suspend, reactivate and delete through the admin API, each change audited with before/after. */
class TenantLifecycleIntegrationTests {

	@TempDir
	static Path dataDir;

	static TestIssuer issuer;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws Exception {
		issuer = new TestIssuer();
		app = WardenTestApp.start(dataDir, Map.of("warden.security.issuer-uri", issuer.issuer()));
	}

	@AfterAll
	static void stop() throws Exception {
		app.close();
		issuer.close();
	}

	private static String[] admin() {
		return new String[] { "Authorization", "Bearer " + issuer.token("alice", "ADMIN"), "Content-Type",
				"application/json" };
	}

	private static String create(String name) {
		HttpResponse<String> created = Http.send("POST", app.url("/api/admin/tenants"),
				"{\"name\":\"" + name + "\",\"plan\":\"free\"}", admin());
		assertThat(created.statusCode()).isEqualTo(201);
		return app.jdbc()
			.sql("SELECT id::text FROM tenants WHERE name = :name AND status <> 'deleted'")
			.param("name", name)
			.query(String.class)
			.single();
	}

	private static List<Map<String, Object>> audit(String id) {
		return app.jdbc()
			.sql("SELECT actor, action, details::text AS details FROM audit_events WHERE target_id = :id "
					+ "ORDER BY occurred_at, action")
			.param("id", id)
			.query()
			.listOfRows();
	}

	@Test
	void adminRenamesAndChangesThePlanAndTheChangeIsAuditedWithBeforeAndAfter() {
		String id = create("lc-update");
		HttpResponse<String> updated = Http.send("PATCH", app.url("/api/admin/tenants/" + id),
				"{\"name\":\"lc-updated\",\"plan\":\"standard\"}", admin());
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(updated.body()).contains("\"name\":\"lc-updated\"", "\"plan\":\"standard\"", "\"status\":\"active\"");
		assertThat(Http.get(app.url("/api/admin/tenants/" + id), admin()).body()).contains("\"plan\":\"standard\"");

		Map<String, Object> event = audit(id).get(1);
		assertThat(event).containsEntry("actor", "alice").containsEntry("action", "tenant.updated");
		assertThat((String) event.get("details")).contains("\"before\": {\"name\": \"lc-update\", \"plan\": \"free\"}",
				"\"after\": {\"name\": \"lc-updated\", \"plan\": \"standard\"}");
	}

	@Test
	void updateRefusesAnUnknownPlanABlankNameAndADuplicateName() {
		String id = create("lc-bad-update");
		create("lc-taken");
		HttpResponse<String> plan = Http.send("PATCH", app.url("/api/admin/tenants/" + id), "{\"plan\":\"gold\"}",
				admin());
		assertThat(plan.statusCode()).isEqualTo(400);
		assertThat(plan.body()).contains("\"code\":\"validation_failed\"", "unknown plan 'gold'");
		HttpResponse<String> blank = Http.send("PATCH", app.url("/api/admin/tenants/" + id), "{\"name\":\"  \"}",
				admin());
		assertThat(blank.statusCode()).isEqualTo(400);
		assertThat(blank.body()).contains("\"code\":\"validation_failed\"", "name");
		HttpResponse<String> taken = Http.send("PATCH", app.url("/api/admin/tenants/" + id),
				"{\"name\":\"lc-taken\"}", admin());
		assertThat(taken.statusCode()).isEqualTo(409);
		assertThat(audit(id)).extracting((row) -> row.get("action")).containsExactly("tenant.created");
	}

	@Test
	void suspendAndReactivateAreAuditedAndRepeatingThemChangesNothing() {
		String id = create("lc-suspend");
		HttpResponse<String> suspended = Http.send("POST", app.url("/api/admin/tenants/" + id + ":suspend"), null,
				admin());
		assertThat(suspended.statusCode()).isEqualTo(200);
		assertThat(suspended.body()).contains("\"status\":\"suspended\"");
		assertThat(Http.send("POST", app.url("/api/admin/tenants/" + id + ":suspend"), null, admin()).statusCode())
			.isEqualTo(200);
		HttpResponse<String> reactivated = Http.send("POST", app.url("/api/admin/tenants/" + id + ":reactivate"),
				null, admin());
		assertThat(reactivated.body()).contains("\"status\":\"active\"");

		assertThat(audit(id)).extracting((row) -> row.get("action"))
			.containsExactly("tenant.created", "tenant.suspended", "tenant.reactivated");
		assertThat((String) audit(id).get(1).get("details")).contains("\"before\": {\"status\": \"active\"}",
				"\"after\": {\"status\": \"suspended\"}");
	}

	@Test
	void deletedTenantDisappearsItsKeysAreRevokedAndItsNameIsFree() {
		String id = create("lc-delete");
		HttpResponse<String> key = Http.send("POST", app.url("/api/admin/tenants/" + id + "/keys"),
				"{\"name\":\"ci\"}", admin());
		assertThat(key.statusCode()).isEqualTo(201);

		HttpResponse<String> deleted = Http.send("DELETE", app.url("/api/admin/tenants/" + id), null, admin());
		assertThat(deleted.statusCode()).isEqualTo(204);
		assertThat(Http.get(app.url("/api/admin/tenants/" + id), admin()).statusCode()).isEqualTo(404);
		assertThat(Http.get(app.url("/api/admin/tenants"), admin()).body()).doesNotContain(id);
		assertThat(Http.send("DELETE", app.url("/api/admin/tenants/" + id), null, admin()).statusCode())
			.isEqualTo(404);
		assertThat(app.jdbc()
			.sql("SELECT status FROM api_keys WHERE tenant_id = CAST(:id AS uuid)")
			.param("id", id)
			.query(String.class)
			.list()).containsExactly("revoked");
		assertThat(audit(id)).extracting((row) -> row.get("action")).contains("tenant.deleted");

		String again = create("lc-delete");
		assertThat(again).isNotEqualTo(id);
	}

	@Test
	void complianceMayNotChangeTenants() {
		String id = create("lc-compliance");
		String[] compliance = { "Authorization", "Bearer " + issuer.token("carol", "COMPLIANCE"), "Content-Type",
				"application/json" };
		assertThat(Http.send("PATCH", app.url("/api/admin/tenants/" + id), "{\"plan\":\"standard\"}", compliance)
			.statusCode()).isEqualTo(403);
		assertThat(Http.send("POST", app.url("/api/admin/tenants/" + id + ":suspend"), null, compliance).statusCode())
			.isEqualTo(403);
		assertThat(Http.send("DELETE", app.url("/api/admin/tenants/" + id), null, compliance).statusCode())
			.isEqualTo(403);
		assertThat(Http.get(app.url("/api/admin/tenants/" + id), compliance).statusCode()).isEqualTo(200);
	}

	@Test
	void malformedIdsAndUnknownTenantsAreJsonErrors() {
		HttpResponse<String> malformed = Http.send("PATCH", app.url("/api/admin/tenants/not-a-uuid"),
				"{\"plan\":\"free\"}", admin());
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(malformed.body()).contains("\"code\":\"invalid_parameter\"");
		HttpResponse<String> suspendMalformed = Http.send("POST", app.url("/api/admin/tenants/nope:suspend"), null,
				admin());
		assertThat(suspendMalformed.statusCode()).isEqualTo(400);
		HttpResponse<String> unknown = Http.send("POST",
				app.url("/api/admin/tenants/00000000-0000-0000-0000-000000000000:suspend"), null, admin());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("\"code\":\"not_found\"");
	}

}
