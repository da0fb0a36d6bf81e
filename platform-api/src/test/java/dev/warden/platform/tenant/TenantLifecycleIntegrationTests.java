package dev.warden.platform.tenant;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Update, suspend, reactivate and delete through the admin API, each change audited with
 * before/after.
 */
@ExtendWith(SharedWardenExtension.class)
class TenantLifecycleIntegrationTests {

	static WardenFixture warden;

	static WardenTestApp app;

	@BeforeAll
	static void use(WardenFixture shared) {
		warden = shared;
		app = shared.app();
	}

	private static String create(String name) {
		return warden.tenant(name, "free");
	}

	/**
	 * The ids of every live tenant, read page by page (the application may hold more than
	 * one page).
	 */
	private static List<String> listedIds() {
		List<String> ids = new ArrayList<>();
		for (int page = 0; page >= 0;) {
			HttpResponse<String> listed = Http.get(app.url("/api/admin/tenants?size=500&page=" + page), warden.admin());
			assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
			JsonNode body = Json.read(listed.body());
			body.path("content").forEach((tenant) -> ids.add(tenant.path("id").asString()));
			page = body.path("next_page").isNull() ? -1 : body.path("next_page").asInt();
		}
		return ids;
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
				"{\"name\":\"lc-updated\",\"plan\":\"standard\"}", warden.admin());
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(updated.body()).contains("\"name\":\"lc-updated\"", "\"plan\":\"standard\"",
				"\"status\":\"active\"");
		assertThat(Http.get(app.url("/api/admin/tenants/" + id), warden.admin()).body())
			.contains("\"plan\":\"standard\"");

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
				warden.admin());
		assertThat(plan.statusCode()).isEqualTo(400);
		assertThat(plan.body()).contains("\"code\":\"validation_failed\"", "unknown plan 'gold'");
		HttpResponse<String> blank = Http.send("PATCH", app.url("/api/admin/tenants/" + id), "{\"name\":\"  \"}",
				warden.admin());
		assertThat(blank.statusCode()).isEqualTo(400);
		assertThat(blank.body()).contains("\"code\":\"validation_failed\"", "name");
		HttpResponse<String> taken = Http.send("PATCH", app.url("/api/admin/tenants/" + id), "{\"name\":\"lc-taken\"}",
				warden.admin());
		assertThat(taken.statusCode()).isEqualTo(409);
		assertThat(audit(id)).extracting((row) -> row.get("action")).containsExactly("tenant.created");
	}

	@Test
	void suspendAndReactivateAreAuditedAndRepeatingThemChangesNothing() {
		String id = create("lc-suspend");
		HttpResponse<String> suspended = Http.send("POST", app.url("/api/admin/tenants/" + id + ":suspend"), null,
				warden.admin());
		assertThat(suspended.statusCode()).isEqualTo(200);
		assertThat(suspended.body()).contains("\"status\":\"suspended\"");
		assertThat(
				Http.send("POST", app.url("/api/admin/tenants/" + id + ":suspend"), null, warden.admin()).statusCode())
			.isEqualTo(200);
		HttpResponse<String> reactivated = Http.send("POST", app.url("/api/admin/tenants/" + id + ":reactivate"), null,
				warden.admin());
		assertThat(reactivated.body()).contains("\"status\":\"active\"");

		assertThat(audit(id)).extracting((row) -> row.get("action"))
			.containsExactly("tenant.created", "tenant.suspended", "tenant.reactivated");
		assertThat((String) audit(id).get(1).get("details")).contains("\"before\": {\"status\": \"active\"}",
				"\"after\": {\"status\": \"suspended\"}");
	}

	@Test
	void deletedTenantDisappearsItsKeysAreRevokedAndItsNameIsFree() {
		String id = create("lc-delete");
		HttpResponse<String> key = Http.send("POST", app.url("/api/admin/tenants/" + id + "/keys"), "{\"name\":\"ci\"}",
				warden.admin());
		assertThat(key.statusCode()).isEqualTo(201);

		HttpResponse<String> deleted = Http.send("DELETE", app.url("/api/admin/tenants/" + id), null, warden.admin());
		assertThat(deleted.statusCode()).isEqualTo(204);
		assertThat(Http.get(app.url("/api/admin/tenants/" + id), warden.admin()).statusCode()).isEqualTo(404);
		assertThat(listedIds()).doesNotContain(id);
		assertThat(Http.send("DELETE", app.url("/api/admin/tenants/" + id), null, warden.admin()).statusCode())
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
		String[] compliance = warden.as("carol", "COMPLIANCE");
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
				"{\"plan\":\"free\"}", warden.admin());
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(malformed.body()).contains("\"code\":\"invalid_parameter\"");
		HttpResponse<String> suspendMalformed = Http.send("POST", app.url("/api/admin/tenants/nope:suspend"), null,
				warden.admin());
		assertThat(suspendMalformed.statusCode()).isEqualTo(400);
		HttpResponse<String> unknown = Http.send("POST",
				app.url("/api/admin/tenants/00000000-0000-0000-0000-000000000000:suspend"), null, warden.admin());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("\"code\":\"not_found\"");
	}

}
