package dev.warden.platform.routing;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.Http;
import dev.warden.platform.TestPolicies;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;
import dev.warden.platform.worker.StandInWorker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Canary, pins, rollback and promote end to end: two stand-in workers serve versions 1
 * and 2 of {@code m} and answer with the version named in the path (2, the newest, when
 * none), so {@code X-Model-Version} shows which version the gateway chose. A second
 * gateway replica on the same database must apply every change within about a second.
 */
class CanaryRoutingIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static StandInWorker a;

	static StandInWorker b;

	static WardenFixture warden;

	static WardenTestApp app;

	static WardenTestApp replica;

	static Tenant tenant;

	static String key;

	static UUID keyId;

	@BeforeAll
	static void start() throws Exception {
		a = new StandInWorker("a", "m", List.of(1L, 2L));
		b = new StandInWorker("b", "m", List.of(1L, 2L));
		// a test of routing mechanics, not of governance: model m is routed without
		// approval
		warden = WardenFixture.start(dataDir,
				Map.of("warden.worker.urls", a.url() + "," + b.url(), "warden.policies-dir",
						TestPolicies.write(policiesDir, TestPolicies.ROUTING_WITHOUT_APPROVAL).toString()));
		app = warden.app();
		replica = warden.replica();
		app.bean(ModelCatalogue.class).sync();
		tenant = app.bean(TenantManagement.class).create("canary", "enterprise", "test");
		var created = app.bean(ApiKeyManagement.class).create(tenant.id(), "canary", "test");
		key = created.rawKey();
		keyId = app.jdbc()
			.sql("SELECT id FROM api_keys WHERE tenant_id = :t")
			.param("t", tenant.id())
			.query(UUID.class)
			.single();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
		a.close();
		b.close();
	}

	@BeforeEach
	void noRouting() {
		app.jdbc().sql("DELETE FROM model_routes").update();
		app.jdbc().sql("DELETE FROM model_pins").update();
		app.bean(ModelRouting.class).refresh();
		replica.bean(ModelRouting.class).refresh();
	}

	private static HttpResponse<String> admin(String method, String path, String body) {
		return Http.send(method, app.url(path), body, warden.admin());
	}

	private static String version(WardenTestApp on, String path, String requestId, String apiKey) {
		HttpResponse<String> response = Http.postJson(on.url(path), PREDICT, "X-API-Key", apiKey, "X-Request-Id",
				requestId);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response.headers().firstValue("X-Model-Version").orElseThrow();
	}

	private static void await(BooleanSupplier condition) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(30);
		while (!condition.getAsBoolean()) {
			assertThat(Instant.now()).as("condition not met within 30 s").isBefore(deadline);
			Thread.sleep(50);
		}
	}

	@Test
	void theCanaryGetsItsShareOfRequestIdsAndTheSameRequestIdAlwaysTheSameVersion() {
		HttpResponse<String> set = admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":20}");
		assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
		assertThat(set.body()).contains("\"stable_version\":1", "\"canary\":{\"version\":2,\"weight\":20}");
		int canary = 0;
		int expected = 0;
		int total = 300;
		for (int i = 0; i < total; i++) {
			String requestId = "split-" + i;
			String version = version(app, "/v1/models/m:predict", requestId, key);
			boolean inCanary = ModelRouting.bucket("m", requestId) < 20;
			assertThat(version).as(requestId).isEqualTo(inCanary ? "2" : "1");
			canary += version.equals("2") ? 1 : 0;
			expected += inCanary ? 1 : 0;
		}
		assertThat(canary).isEqualTo(expected);
		// the hash spreads request ids evenly enough: 20% +- 8 points over 300 ids
		assertThat(canary).isBetween(36, 84);
		// deterministic: again, on the other replica, and through the v2 protocol
		for (int i = 0; i < 20; i++) {
			String requestId = "split-" + i;
			String first = version(app, "/v1/models/m:predict", requestId, key);
			assertThat(version(replica, "/v1/models/m:predict", requestId, key)).isEqualTo(first);
			assertThat(version(app, "/v2/models/m/infer", requestId, key)).isEqualTo(first);
		}
		// a call naming a version is never redirected
		assertThat(version(app, "/v1/models/m/versions/1:predict", "split-explicit", key)).isEqualTo("1");
	}

	@Test
	void pinsWinOverTheCanaryAndAKeyPinWinsOverItsTenantPin() {
		assertThat(admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":100}").statusCode())
			.isEqualTo(200);
		assertThat(version(app, "/v1/models/m:predict", "pin-0", key)).isEqualTo("2");
		HttpResponse<String> tenantPin = admin("PUT", "/api/admin/models/m/pins/" + tenant.id(), "{\"version\":1}");
		assertThat(tenantPin.statusCode()).as(tenantPin.body()).isEqualTo(200);
		assertThat(tenantPin.body()).contains("\"subject_type\":\"tenant\"", "\"subject_id\":\"" + tenant.id() + "\"");
		for (int i = 0; i < 10; i++) {
			assertThat(version(app, "/v1/models/m:predict", "pin-t-" + i, key)).isEqualTo("1");
		}
		// canary weight 100 and the tenant on 1; this key pinned back to 2
		HttpResponse<String> keyPin = admin("PUT", "/api/admin/models/m/pins/" + keyId, "{\"version\":2}");
		assertThat(keyPin.body()).contains("\"subject_type\":\"api_key\"");
		assertThat(admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":1}").statusCode())
			.isEqualTo(200);
		for (int i = 0; i < 10; i++) {
			assertThat(version(app, "/v1/models/m:predict", "pin-k-" + i, key)).isEqualTo("2");
		}
		assertThat(admin("DELETE", "/api/admin/models/m/pins/" + keyId, null).statusCode()).isEqualTo(200);
		assertThat(version(app, "/v1/models/m:predict", "pin-after", key)).isEqualTo("1");
		assertThat(admin("DELETE", "/api/admin/models/m/pins/" + keyId, null).statusCode()).isEqualTo(404);
		assertThat(admin("PUT", "/api/admin/models/m/pins/" + UUID.randomUUID(), "{\"version\":1}").statusCode())
			.isEqualTo(404);
		assertThat(admin("PUT", "/api/admin/models/m/pins/" + tenant.id(), "{\"version\":9}").body())
			.contains("\"code\":\"unknown_version\"");
	}

	@Test
	void rollbackIsOneAuditedCallAndEveryReplicaAppliesItWithinASecond() throws Exception {
		assertThat(admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":100}").statusCode())
			.isEqualTo(200);
		await(() -> Long.valueOf(2).equals(replica.bean(ModelRouting.class).version("m", "r-1", null, null)));
		assertThat(version(replica, "/v1/models/m:predict", "rb-1", key)).isEqualTo("2");

		HttpResponse<String> rolledBack = admin("POST", "/api/admin/models/m:rollback", null);
		assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
		assertThat(rolledBack.body()).contains("\"stable_version\":1", "\"canary\":null");
		assertThat(version(app, "/v1/models/m:predict", "rb-2", key)).isEqualTo("1");
		await(() -> Long.valueOf(1).equals(replica.bean(ModelRouting.class).version("m", "r-1", null, null)));
		assertThat(version(replica, "/v1/models/m:predict", "rb-3", key)).isEqualTo("1");

		Map<String, Object> event = app.jdbc()
			.sql("SELECT actor, target_id, details::text AS details FROM audit_events "
					+ "WHERE action = 'model.canary_rolled_back' ORDER BY occurred_at DESC LIMIT 1")
			.query()
			.singleRow();
		assertThat(event).containsEntry("actor", "alice").containsEntry("target_id", "m");
		assertThat((String) event.get("details")).contains("\"before\": {", "\"canary_version\": 2",
				"\"canary_weight\": 100", "\"after\": {", "\"canary_weight\": 0");

		HttpResponse<String> again = admin("POST", "/api/admin/models/m:rollback", null);
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.body()).contains("\"code\":\"no_canary\"");
	}

	@Test
	void promoteMakesTheCanaryStable() {
		admin("PUT", "/api/admin/models/m/canary", "{\"version\":1,\"weight\":50,\"stable\":2}");
		HttpResponse<String> promoted = admin("POST", "/api/admin/models/m:promote", null);
		assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);
		assertThat(promoted.body()).contains("\"stable_version\":1", "\"canary\":null");
		for (int i = 0; i < 10; i++) {
			assertThat(version(app, "/v1/models/m:predict", "promoted-" + i, key)).isEqualTo("1");
		}
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'model.canary_promoted'")
			.query(Long.class)
			.single()).isEqualTo(1);
		HttpResponse<String> reset = admin("DELETE", "/api/admin/models/m/routing", null);
		assertThat(reset.body()).contains("\"stable_version\":null");
		assertThat(version(app, "/v1/models/m:predict", "reset-1", key)).isEqualTo("2");
	}

	@Test
	void canaryChangesNeedAdminAndValidInput() {
		String compliance = Http.bearer(warden.issuer().token("carol", "COMPLIANCE"));
		HttpResponse<String> denied = Http.send("PUT", app.url("/api/admin/models/m/canary"),
				"{\"version\":2,\"weight\":10}", "Authorization", compliance, "Content-Type", "application/json");
		assertThat(denied.statusCode()).isEqualTo(403);
		assertThat(Http.send("POST", app.url("/api/admin/models/m:rollback"), null, "Authorization", compliance)
			.statusCode()).isEqualTo(403);
		assertThat(Http.get(app.url("/api/admin/models/m/routing"), "Authorization", compliance).statusCode())
			.isEqualTo(200);
		assertThat(admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":101}").body())
			.contains("\"code\":\"invalid_canary\"");
		assertThat(admin("PUT", "/api/admin/models/m/canary", "{\"version\":2}").statusCode()).isEqualTo(400);
		assertThat(admin("PUT", "/api/admin/models/m/canary", "{\"version\":5,\"weight\":10}").body())
			.contains("\"code\":\"unknown_version\"");
		assertThat(admin("PUT", "/api/admin/models/nosuch/canary", "{\"version\":1,\"weight\":10}").statusCode())
			.isEqualTo(404);
		assertThat(admin("POST", "/api/admin/models/m:explode", null).statusCode()).isEqualTo(404);
		assertThat(app.jdbc().sql("SELECT count(*) FROM model_routes").query(Long.class).single()).isZero();
	}

}
