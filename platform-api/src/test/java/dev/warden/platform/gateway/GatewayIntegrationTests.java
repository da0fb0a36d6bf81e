package dev.warden.platform.gateway;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.PayloadCrypto.Direction;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data plane end to end over HTTP, against a small in-test HTTP server standing in
 * for the worker (the real worker is exercised by the system tests).
 */
class GatewayIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39,\"secret_marker\":\"tenant-private-text\"}]}";

	@TempDir
	static Path dataDir;

	static HttpServer worker;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws IOException {
		worker = FakeWorker.start(GatewayIntegrationTests::fakeWorker);
		app = WardenTestApp.start(dataDir, Map.of("warden.worker.url", FakeWorker.url(worker)));
	}

	@AfterAll
	static void stop() {
		app.close();
		worker.stop(0);
	}

	/**
	 * Echoes predict bodies with X-Model-Version 7; drops the connection for model
	 * "down".
	 */
	private static void fakeWorker(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		byte[] in = FakeWorker.readBody(exchange);
		if (path.startsWith("/v1/models/down")) {
			exchange.close();
			return;
		}
		if (path.equals("/v1/models")) {
			FakeWorker.answer(exchange, 200,
					"{\"models\":[{\"name\":\"echo\",\"versions\":[{\"version\":\"7\",\"state\":\"AVAILABLE\"}]}]}");
		}
		else if (path.equals("/v1/models/echo/versions/7/metadata")) {
			FakeWorker.answer(exchange, 200,
					"{\"model_spec\":{\"name\":\"echo\",\"signature_name\":\"\",\"version\":\"7\"},\"metadata\":"
							+ "{\"signature_def\":{\"signature_def\":{\"serving_default\":{\"inputs\":{\"age\":"
							+ "{\"dtype\":\"DT_FLOAT\"}},\"outputs\":{},"
							+ "\"method_name\":\"tensorflow/serving/predict\"}}}}}");
		}
		else if (path.equals("/v1/models/echo:predict")) {
			String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
			exchange.getResponseHeaders().add("X-Model-Version", "7");
			FakeWorker.answer(exchange, 200, "{\"predictions\":[0.25],\"echo\":"
					+ new String(in, StandardCharsets.UTF_8) + ",\"request_id\":\"" + requestId + "\"}");
		}
		else {
			FakeWorker.answer(exchange, 404,
					"{\"error\":{\"code\":\"model_not_found\",\"message\":\"no such model\",\"request_id\":\"x\"}}");
		}
	}

	private static String newKey(String tenantName, String plan) {
		Tenant tenant = app.bean(TenantManagement.class).create(tenantName, plan, "test");
		return app.bean(ApiKeyManagement.class).create(tenant.id(), "test", "test").rawKey();
	}

	@Test
	void missingOrWrongKeyGets401WithBearerChallengeAndIsLogged() {
		HttpResponse<String> none = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "X-Request-Id",
				"no-key-1");
		assertThat(none.statusCode()).isEqualTo(401);
		assertThat(none.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((v) -> assertThat(v).startsWith("Bearer"));
		assertThat(none.body()).contains("\"code\":\"missing_api_key\"", "\"request_id\":\"no-key-1\"");

		HttpResponse<String> wrong = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "Authorization",
				"Bearer wdn_AAAAAAAAAAAA_" + "B".repeat(32));
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(wrong.headers().firstValue("WWW-Authenticate")).isPresent();

		Map<String, Object> row = app.jdbc()
			.sql("SELECT status, tenant_id, request_payload, error_code FROM request_log WHERE request_id = 'no-key-1'")
			.query()
			.singleRow();
		assertThat(row).containsEntry("status", 401).containsEntry("error_code", "missing_api_key");
		assertThat(row.get("tenant_id")).isNull();
		assertThat(row.get("request_payload")).isNull();
	}

	@Test
	void predictIsForwardedAndItsEncryptedLogRowIsCommittedBeforeTheAnswer() throws Exception {
		String key = newKey("gw-forward", "standard");
		HttpResponse<String> response = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "X-API-Key", key,
				"X-Request-Id", "fwd-1");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Model-Version")).hasValue("7");
		assertThat(response.headers().firstValue("X-Request-Id")).hasValue("fwd-1");
		assertThat(response.headers().firstValue("RateLimit-Limit")).hasValue("100");
		assertThat(response.headers().firstValue("RateLimit-Remaining")).isPresent();
		assertThat(response.headers().firstValue("RateLimit-Reset")).isPresent();
		assertThat(response.body()).contains("\"echo\":" + PREDICT, "\"request_id\":\"fwd-1\"");

		Map<String, Object> row = app.jdbc()
			.sql("SELECT r.id, r.tenant_id, r.model, r.model_version, r.status, r.request_bytes, r.request_payload, "
					+ "r.response_payload, t.data_key FROM request_log r JOIN tenants t ON t.id = r.tenant_id "
					+ "WHERE r.request_id = 'fwd-1'")
			.query()
			.singleRow();
		assertThat(row).containsEntry("model", "echo").containsEntry("model_version", "7").containsEntry("status", 200);
		assertThat(row.get("request_bytes")).isEqualTo((long) PREDICT.length());
		byte[] requestPayload = (byte[]) row.get("request_payload");
		byte[] responsePayload = (byte[]) row.get("response_payload");
		assertThat(new String(requestPayload, StandardCharsets.ISO_8859_1)).doesNotContain("tenant-private-text");
		assertThat(new String(responsePayload, StandardCharsets.ISO_8859_1)).doesNotContain("tenant-private-text");

		String master = Files.readString(dataDir.resolve("master-key.json"));
		UUID tenantId = (UUID) row.get("tenant_id");
		byte[] dataKey = (byte[]) row.get("data_key");
		UUID recordId = (UUID) row.get("id");
		assertThat(new String(PayloadCrypto.decryptPayload(master, dataKey, tenantId, recordId, "fwd-1",
				Direction.REQUEST, requestPayload), StandardCharsets.UTF_8))
			.isEqualTo(PREDICT);
		assertThat(new String(PayloadCrypto.decryptPayload(master, dataKey, tenantId, recordId, "fwd-1",
				Direction.RESPONSE, responsePayload), StandardCharsets.UTF_8))
			.isEqualTo(response.body());
	}

	@Test
	void personalDataIsRedactedFromTheStoredPayloadsButReachesTheWorker() throws Exception {
		String key = newKey("gw-redact", "standard");
		String body = "{\"instances\":[{\"note\":\"mail jane.doe@example.com, card 4111 1111 1111 1111\"}]}";
		HttpResponse<String> response = Http.postJson(app.url("/v1/models/echo:predict"), body, "X-API-Key", key,
				"X-Request-Id", "redact-1");
		assertThat(response.statusCode()).isEqualTo(200);
		// the worker saw the request as sent (it echoes it)
		assertThat(response.body()).contains("jane.doe@example.com", "4111 1111 1111 1111");

		Map<String, Object> row = app.jdbc()
			.sql("SELECT r.id, r.tenant_id, r.redactions, r.request_payload, r.response_payload, t.data_key "
					+ "FROM request_log r JOIN tenants t ON t.id = r.tenant_id WHERE r.request_id = 'redact-1'")
			.query()
			.singleRow();
		// an e-mail and a card number in the request, the same two echoed in the response
		assertThat(row).containsEntry("redactions", 4);
		String master = Files.readString(dataDir.resolve("master-key.json"));
		UUID tenantId = (UUID) row.get("tenant_id");
		UUID recordId = (UUID) row.get("id");
		String storedRequest = new String(PayloadCrypto.decryptPayload(master, (byte[]) row.get("data_key"), tenantId,
				recordId, "redact-1", Direction.REQUEST, (byte[]) row.get("request_payload")), StandardCharsets.UTF_8);
		String storedResponse = new String(PayloadCrypto.decryptPayload(master, (byte[]) row.get("data_key"), tenantId,
				recordId, "redact-1", Direction.RESPONSE, (byte[]) row.get("response_payload")),
				StandardCharsets.UTF_8);
		assertThat(storedRequest)
			.isEqualTo("{\"instances\":[{\"note\":\"mail [REDACTED_EMAIL], card [REDACTED_CARD]\"}]}");
		assertThat(storedResponse).contains("[REDACTED_EMAIL]", "[REDACTED_CARD]")
			.doesNotContain("jane.doe@example.com", "4111");
	}

	@Test
	void everyDataPlaneAnswerCarriesTheSecurityHeaders() {
		String key = newKey("gw-headers", "standard");
		HttpResponse<String> relayed = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "X-API-Key", key);
		HttpResponse<String> refused = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT);
		HttpResponse<String> notFound = Http.postJson(app.url("/v1/models/echo:frobnicate"), PREDICT, "X-API-Key", key);
		HttpResponse<String> usage = Http.get(app.url("/v1/usage"), "X-API-Key", key);
		assertThat(relayed.statusCode()).isEqualTo(200);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(notFound.statusCode()).isEqualTo(404);
		assertThat(usage.statusCode()).isEqualTo(200);
		for (HttpResponse<String> answer : List.of(relayed, refused, notFound, usage)) {
			assertThat(answer.headers().firstValue("X-Content-Type-Options")).as(answer.uri().toString())
				.hasValue("nosniff");
			assertThat(answer.headers().firstValue("Cache-Control")).as(answer.uri().toString()).hasValue("no-store");
			assertThat(answer.headers().firstValue("X-Frame-Options")).as(answer.uri().toString()).hasValue("DENY");
		}
	}

	@Test
	void workerErrorsArePassedThrough() {
		String key = newKey("gw-errors", "standard");
		HttpResponse<String> response = Http.postJson(app.url("/v1/models/nope:predict"), PREDICT, "Authorization",
				"Bearer " + key);
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("model_not_found");
	}

	@Test
	void unreachableWorkerGets503WorkerUnavailable() {
		String key = newKey("gw-down", "standard");
		HttpResponse<String> response = Http.postJson(app.url("/v1/models/down:predict"), PREDICT, "Authorization",
				"Bearer " + key);
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.body()).contains("\"code\":\"worker_unavailable\"");
	}

	@Test
	void requestsPastTheBurstGet429WithRetryAfter() {
		String key = newKey("gw-burst", "free");
		HttpResponse<String> limited = null;
		for (int i = 0; i < 500 && limited == null; i++) {
			HttpResponse<String> response = Http.get(app.url("/v1/models/echo"), "Authorization", "Bearer " + key);
			if (response.statusCode() == 429) {
				limited = response;
			}
		}
		assertThat(limited).isNotNull();
		assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isGreaterThanOrEqualTo(1);
		assertThat(limited.headers().firstValue("RateLimit-Remaining")).hasValue("0");
		assertThat(limited.body()).contains("\"code\":\"rate_limited\"", "5 requests/second", "burst of 10");
	}

	@Test
	void bodyLargerThanThePlanAllowsGets413() {
		String key = newKey("gw-large", "free");
		String big = "{\"instances\":[\"" + "x".repeat(70_000) + "\"]}";
		HttpResponse<String> response = Http.postJson(app.url("/v1/models/echo:predict"), big, "Authorization",
				"Bearer " + key);
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("\"code\":\"payload_too_large\"");
	}

	@Test
	void failedLogWriteTurnsTheAnswerInto503() {
		String key = newKey("gw-logfail", "standard");
		app.jdbc()
			.sql("CREATE OR REPLACE FUNCTION test_reject_log() RETURNS trigger LANGUAGE plpgsql AS $$ "
					+ "BEGIN IF NEW.request_id = 'log-fails' THEN RAISE EXCEPTION 'simulated log failure'; END IF; "
					+ "RETURN NEW; END $$")
			.update();
		app.jdbc()
			.sql("CREATE TRIGGER test_reject_log BEFORE INSERT ON request_log FOR EACH ROW "
					+ "EXECUTE FUNCTION test_reject_log()")
			.update();
		try {
			HttpResponse<String> response = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "Authorization",
					"Bearer " + key, "X-Request-Id", "log-fails");
			assertThat(response.statusCode()).isEqualTo(503);
			assertThat(response.body()).contains("\"code\":\"log_unavailable\"").doesNotContain("predictions");
		}
		finally {
			app.jdbc().sql("DROP TRIGGER test_reject_log ON request_log").update();
		}
	}

	@Test
	void catalogueIsSynchronisedFromTheWorker() {
		ModelCatalogue catalogue = app.bean(ModelCatalogue.class);
		assertThat(catalogue.sync()).isEqualTo(1);
		assertThat(catalogue.model("echo")).hasValueSatisfying((model) -> {
			assertThat(model.versions()).singleElement().satisfies((version) -> {
				assertThat(version.version()).isEqualTo("7");
				assertThat(version.state()).isEqualTo("AVAILABLE");
				assertThat(version.signatureDefs().path("serving_default").path("inputs").has("age")).isTrue();
			});
		});
	}

}
