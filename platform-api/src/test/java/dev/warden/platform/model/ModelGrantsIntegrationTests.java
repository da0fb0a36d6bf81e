package dev.warden.platform.model;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model grants end to end over HTTP: the admin API changes them, the data plane enforces
 * them in front of an in-test worker stand-in that serves {@code shared}, {@code secret}
 * and {@code listed} (and answers 404 for any other model, as the worker does). Two
 * gateway instances share one database, as replicas do.
 */
class ModelGrantsIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final List<String> SERVED = List.of("shared", "secret", "listed", "moving");

	@TempDir
	static Path dataDir;

	static HttpServer worker;

	static WardenFixture warden;

	static WardenTestApp app;

	static WardenTestApp replica;

	@BeforeAll
	static void start() throws Exception {
		worker = FakeWorker.start(ModelGrantsIntegrationTests::fakeWorker);
		warden = WardenFixture.start(dataDir, Map.of("warden.worker.url", FakeWorker.url(worker)));
		app = warden.app();
		replica = warden.replica();
		app.bean(ModelCatalogue.class).sync();
		replica.bean(ModelGrants.class).refresh();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
		worker.stop(0);
	}

	private static void fakeWorker(HttpExchange exchange) throws IOException {
		FakeWorker.readBody(exchange);
		String path = exchange.getRequestURI().getPath();
		int status = 200;
		String out;
		if (path.equals("/v1/models")) {
			StringBuilder models = new StringBuilder();
			for (String name : SERVED) {
				models.append((models.length() > 0) ? "," : "")
					.append("{\"name\":\"")
					.append(name)
					.append("\",\"versions\":[{\"version\":\"1\",\"state\":\"AVAILABLE\"}]}");
			}
			out = "{\"models\":[" + models + "]}";
		}
		else if (path.endsWith("/metadata")
				&& SERVED.stream().anyMatch((m) -> path.startsWith("/v1/models/" + m + "/"))) {
			out = "{\"metadata\":{\"signature_def\":{\"signature_def\":{}}}}";
		}
		else if (SERVED.stream()
			.anyMatch((m) -> path.startsWith("/v1/models/" + m + ":") || path.equals("/v1/models/" + m)
					|| path.equals("/v2/models/" + m) || path.startsWith("/v2/models/" + m + "/"))) {
			out = "{\"predictions\":[0.5]}";
		}
		else {
			status = 404;
			out = "{\"error\":{\"code\":\"model_not_found\",\"message\":\"Servable not found for request: " + path
					+ "\",\"request_id\":\"w\"}}";
		}
		FakeWorker.answer(exchange, status, out);
	}

	private static String tenant(String name) {
		return warden.tenant(name, "enterprise");
	}

	private static String key(String tenantId) {
		return warden.key(tenantId).key();
	}

	private static HttpResponse<String> grant(String model, String body) {
		return Http.send("PUT", app.url("/api/admin/models/" + model + "/grants"), body, warden.admin());
	}

	private static HttpResponse<String> predict(WardenTestApp on, String model, String key) {
		return Http.postJson(on.url("/v1/models/" + model + ":predict"), PREDICT, "X-API-Key", key);
	}

	private static String withoutRequestId(HttpResponse<String> response) {
		String id = response.headers().firstValue("X-Request-Id").orElseThrow();
		assertThat(response.body()).contains("\"request_id\":\"" + id + "\"");
		return response.body().replace(id, "<id>");
	}

	@Test
	void discoveredModelsAreGrantedToAllTenants() {
		String raw = key(tenant("grants-default"));
		assertThat(predict(app, "shared", raw).statusCode()).isEqualTo(200);
		HttpResponse<String> model = Http.get(app.url("/api/admin/models/shared"), warden.admin());
		assertThat(model.body()).contains("\"grants\":{\"all\":true,\"tenants\":[]}");
		assertThat(Http.get(app.url("/api/admin/models/shared/grants"), warden.admin()).body())
			.isEqualTo("{\"all\":true,\"tenants\":[]}");
	}

	@Test
	void modelGrantedToAListIsCallableByListedTenantsOnlyAndOthersGetTheSame404AsForAMissingModel() {
		String a = tenant("grants-a");
		String b = tenant("grants-b");
		String keyA = key(a);
		String keyB = key(b);
		HttpResponse<String> changed = grant("secret", "{\"tenants\":[\"" + a + "\"]}");
		assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
		assertThat(changed.body()).isEqualTo("{\"all\":false,\"tenants\":[\"" + a + "\"]}");

		assertThat(predict(app, "secret", keyA).statusCode()).isEqualTo(200);

		HttpResponse<String> denied = predict(app, "secret", keyB);
		HttpResponse<String> missing = predict(app, "nosuch", keyB);
		assertThat(denied.statusCode()).isEqualTo(404);
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(withoutRequestId(denied)).isEqualTo(withoutRequestId(missing).replace("nosuch", "secret"))
			.contains("\"code\":\"model_not_found\"", "model 'secret' not found");
		assertThat(denied.headers().map().keySet()).isEqualTo(missing.headers().map().keySet());
		assertThat(denied.headers().firstValue("Content-Type")).isEqualTo(missing.headers().firstValue("Content-Type"));

		// every model path, v1 and v2
		for (String path : List.of("/v1/models/%s", "/v1/models/%s/metadata", "/v2/models/%s", "/v2/models/%s/ready")) {
			HttpResponse<String> hidden = Http.get(app.url(path.formatted("secret")), "X-API-Key", keyB);
			HttpResponse<String> absent = Http.get(app.url(path.formatted("nosuch")), "X-API-Key", keyB);
			assertThat(hidden.statusCode()).as(path).isEqualTo(404);
			assertThat(withoutRequestId(hidden)).as(path)
				.isEqualTo(withoutRequestId(absent).replace("nosuch", "secret"));
		}
		HttpResponse<String> v2 = Http.postJson(app.url("/v2/models/secret/infer"), "{}", "X-API-Key", keyB);
		HttpResponse<String> v2Missing = Http.postJson(app.url("/v2/models/nosuch/infer"), "{}", "X-API-Key", keyB);
		assertThat(v2.statusCode()).isEqualTo(404);
		assertThat(withoutRequestId(v2)).isEqualTo(withoutRequestId(v2Missing).replace("nosuch", "secret"));
		assertThat(Http.postJson(app.url("/v2/models/secret/infer"), "{}", "X-API-Key", keyA).statusCode())
			.isEqualTo(200);
	}

	@Test
	void listingShowsOnlyGrantedModels() {
		String a = tenant("grants-list-a");
		String keyA = key(a);
		String keyB = key(tenant("grants-list-b"));
		assertThat(grant("listed", "{\"tenants\":[\"" + a + "\"]}").statusCode()).isEqualTo(200);

		HttpResponse<String> forA = Http.get(app.url("/v1/models"), "X-API-Key", keyA);
		HttpResponse<String> forB = Http.get(app.url("/v1/models"), "X-API-Key", keyB);
		assertThat(forA.statusCode()).isEqualTo(200);
		assertThat(forB.statusCode()).isEqualTo(200);
		assertThat(forA.body()).contains("\"name\":\"listed\"", "\"name\":\"shared\"");
		assertThat(forB.body()).contains("\"name\":\"shared\"").doesNotContain("listed");
		assertThat(forB.headers().firstValue("Content-Length")).hasValue(Integer.toString(forB.body().length()));
	}

	@Test
	void grantChangesTakeEffectOnThisAndOtherReplicasAndAreAudited() throws InterruptedException {
		String a = tenant("grants-move-a");
		String keyA = key(a);
		String keyB = key(tenant("grants-move-b"));
		// a key created on the other replica reaches this one's key index within 1 s
		assertThat(awaitStatus(replica, "moving", keyB, 200)).isEqualTo(200);

		assertThat(grant("moving", "{\"tenants\":[\"" + a + "\"]}").statusCode()).isEqualTo(200);
		assertThat(predict(app, "moving", keyB).statusCode()).isEqualTo(404);
		assertThat(predict(app, "moving", keyA).statusCode()).isEqualTo(200);
		assertThat(awaitStatus(replica, "moving", keyB, 404)).isEqualTo(404);

		assertThat(grant("moving", "{\"all\":true}").statusCode()).isEqualTo(200);
		assertThat(predict(app, "moving", keyB).statusCode()).isEqualTo(200);
		assertThat(awaitStatus(replica, "moving", keyB, 200)).isEqualTo(200);

		List<Map<String, Object>> events = app.jdbc()
			.sql("SELECT actor, details::text AS details FROM audit_events WHERE action = 'model.grants_changed' "
					+ "AND target_type = 'model' AND target_id = 'moving' ORDER BY occurred_at")
			.query((rs, row) -> Map.<String, Object>of("actor", rs.getString("actor"), "details",
					rs.getString("details")))
			.list();
		assertThat(events).hasSize(2);
		assertThat(events.get(0).get("actor")).isEqualTo("alice");
		assertThat((String) events.get(0).get("details")).contains("\"before\": {\"all\": true, \"tenants\": []}",
				"\"after\": {\"all\": false, \"tenants\": [\"" + a + "\"]}");
		assertThat((String) events.get(1).get("details")).contains("\"after\": {\"all\": true, \"tenants\": []}");

		// no change, no event
		assertThat(grant("moving", "{\"all\":true}").statusCode()).isEqualTo(200);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'model.grants_changed' AND target_id = 'moving'")
			.query(Long.class)
			.single()).isEqualTo(2);
	}

	/**
	 * Polls until the replica answers {@code expected} (its grants reload runs every 500
	 * ms); gives up after 10 s.
	 */
	private static int awaitStatus(WardenTestApp on, String model, String key, int expected)
			throws InterruptedException {
		int status = -1;
		for (int i = 0; i < 100 && status != expected; i++) {
			status = predict(on, model, key).statusCode();
			if (status != expected) {
				Thread.sleep(100);
			}
		}
		return status;
	}

	@Test
	void complianceCannotChangeGrantsButCanReadThem() {
		String[] compliance = warden.as("carol", "COMPLIANCE");
		HttpResponse<String> refused = Http.send("PUT", app.url("/api/admin/models/shared/grants"), "{\"tenants\":[]}",
				compliance);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(Http.get(app.url("/api/admin/models/shared/grants"), compliance).statusCode()).isEqualTo(200);
		assertThat(Http.get(app.url("/api/admin/models/shared/grants"), warden.admin()).body())
			.contains("\"all\":true");
	}

	@Test
	void invalidGrantRequestsAre400AndUnknownModels404() {
		assertThat(grant("shared", "{}").statusCode()).isEqualTo(400);
		assertThat(grant("shared", "{\"all\":true,\"tenants\":[]}").statusCode()).isEqualTo(400);
		HttpResponse<String> notUuid = grant("shared", "{\"tenants\":[\"x\"]}");
		assertThat(notUuid.statusCode()).isEqualTo(400);
		assertThat(notUuid.body()).contains("\"code\":\"invalid_grants\"");
		HttpResponse<String> unknownTenant = grant("shared",
				"{\"tenants\":[\"00000000-0000-0000-0000-000000000001\"]}");
		assertThat(unknownTenant.statusCode()).isEqualTo(400);
		assertThat(unknownTenant.body()).contains("\"code\":\"unknown_tenant\"");
		assertThat(grant("nosuch", "{\"all\":true}").statusCode()).isEqualTo(404);
		assertThat(Http.get(app.url("/api/admin/models/nosuch/grants"), warden.admin()).statusCode()).isEqualTo(404);
	}

}
