package dev.warden.platform.quota;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Flow;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FixedAnswerWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-key quota overrides through the admin API and the data plane: stricter than the
 * plan or refused naming the field, enforced on the key's buckets (reconfigured when the
 * override changes), audited and listed. Also: a body declared too large is refused
 * before any quota is spent.
 */
class QuotaOverrideIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static WardenFixture warden;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws Exception {
		Files.writeString(policiesDir.resolve("quotas.yaml"), """
				default_plan: roomy
				plans:
				  roomy:
				    requests_per_second: 1000
				    burst: 1000
				    requests_per_month: 1000
				    max_request_bytes: 65536
				    max_rows_per_request: 50
				""");
		warden = WardenFixture.start(dataDir, FixedAnswerWorker.start(),
				Map.of("warden.policies-dir", policiesDir.toString()));
		app = warden.app();
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
	}

	private static String newTenant(String name) {
		return warden.tenant(name, "roomy");
	}

	private static HttpResponse<String> createKey(String tenant, String quotaJson) {
		return Http.send("POST", app.url("/api/admin/tenants/" + tenant + "/keys"),
				"{\"name\":\"k\"" + ((quotaJson != null) ? ",\"quota\":" + quotaJson : "") + "}", warden.admin());
	}

	private static HttpResponse<String> patchKey(String tenant, String keyId, String body) {
		return Http.send("PATCH", app.url("/api/admin/tenants/" + tenant + "/keys/" + keyId), body, warden.admin());
	}

	private static HttpResponse<String> predict(String key) {
		return Http.postJson(app.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key);
	}

	@Test
	void overrideLooserThanThePlanIsRefusedNamingTheField() {
		String tenant = newTenant("ovr-loose");
		HttpResponse<String> rate = createKey(tenant, "{\"requests_per_second\":2000,\"burst\":2000}");
		assertThat(rate.statusCode()).isEqualTo(400);
		assertThat(rate.body()).contains("\"code\":\"validation_failed\"", "quota.requests_per_second",
				"looser than plan 'roomy' (1000)", "\"request_id\"");
		HttpResponse<String> bytes = createKey(tenant, "{\"max_request_bytes\":65537}");
		assertThat(bytes.statusCode()).isEqualTo(400);
		assertThat(bytes.body()).contains("quota.max_request_bytes");
		HttpResponse<String> half = createKey(tenant, "{\"burst\":5}");
		assertThat(half.statusCode()).isEqualTo(400);
		assertThat(half.body()).contains("quota.requests_per_second", "set together");
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM api_keys WHERE tenant_id = :t")
			.param("t", UUID.fromString(tenant))
			.query(Long.class)
			.single()).isZero();

		HttpResponse<String> malformed = createKey(tenant, "{\"requests_per_second\":\"fast\",\"burst\":2}");
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(malformed.body()).contains("\"code\":\"malformed_body\"", "quota.requests_per_second");

		HttpResponse<String> created = createKey(tenant, null);
		HttpResponse<String> patched = patchKey(tenant, Json.field(created.body(), "id"),
				"{\"quota\":{\"requests_per_month\":1001}}");
		assertThat(patched.statusCode()).isEqualTo(400);
		assertThat(patched.body()).contains("quota.requests_per_month", "looser");
	}

	@Test
	void rateOverrideLimitsTheKeyAndIsListedAndAudited() {
		String tenant = newTenant("ovr-rate");
		HttpResponse<String> created = createKey(tenant, "{\"requests_per_second\":1,\"burst\":2}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(created.body()).contains("\"quota\":{\"requests_per_second\":1,\"burst\":2}");
		String key = Json.field(created.body(), "key");

		int accepted = 0;
		HttpResponse<String> limited = null;
		for (int i = 0; i < 6; i++) {
			HttpResponse<String> response = predict(key);
			if (response.statusCode() == 200) {
				accepted++;
			}
			else {
				limited = response;
			}
		}
		// burst 2, refill 1/s: six quick requests cannot all pass (the plan alone would
		// admit 1000)
		assertThat(accepted).isBetween(2, 5);
		assertThat(limited).isNotNull();
		assertThat(limited.statusCode()).isEqualTo(429);
		assertThat(limited.body()).contains("\"limit\":\"rate\"", "this key's quota override allows 1 requests/second",
				"burst of 2");
		assertThat(limited.headers().firstValue("RateLimit-Limit")).hasValue("2");

		HttpResponse<String> list = Http.get(app.url("/api/admin/tenants/" + tenant + "/keys"), warden.admin());
		assertThat(list.body()).contains("\"quota\":{\"requests_per_second\":1,\"burst\":2}");
		assertThat(app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'api_key.created' AND target_id = :id")
			.param("id", Json.field(created.body(), "id"))
			.query(String.class)
			.single()).contains("\"quota\"", "\"burst\": 2");
	}

	@Test
	void changedOverrideReconfiguresTheKeysRateBucketWithoutAFreshBurst() {
		String tenant = newTenant("ovr-change");
		HttpResponse<String> created = createKey(tenant, null);
		String key = Json.field(created.body(), "key");
		String keyId = Json.field(created.body(), "id");
		for (int i = 0; i < 5; i++) {
			assertThat(predict(key).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> patched = patchKey(tenant, keyId,
				"{\"quota\":{\"requests_per_second\":1,\"burst\":3,\"max_rows_per_request\":2}}");
		assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
		assertThat(patched.body())
			.contains("\"quota\":{\"requests_per_second\":1,\"burst\":3,\"max_rows_per_request\":2}");

		long started = System.nanoTime();
		int accepted = 0;
		for (int i = 0; i < 8; i++) {
			if (predict(key).statusCode() == 200) {
				accepted++;
			}
		}
		double elapsed = (System.nanoTime() - started) / 1e9;
		// the stored bucket (995 tokens left) was reconfigured as is: capped at the new
		// burst of 3
		assertThat(accepted).isGreaterThanOrEqualTo(3);
		assertThat((double) accepted).isLessThanOrEqualTo(3 + elapsed);

		assertThat(app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'api_key.quota_updated' AND target_id = :id")
			.param("id", keyId)
			.query(String.class)
			.single()).contains("\"before\": \"plan\"", "\"after\": {", "\"burst\": 3");

		// a PATCH without quota changes nothing; the same override again changes nothing
		// (no second audit event)
		assertThat(patchKey(tenant, keyId, "{}").body()).contains("\"burst\":3");
		assertThat(patchKey(tenant, keyId,
				"{\"quota\":{\"requests_per_second\":1,\"burst\":3,\"max_rows_per_request\":2}}")
			.statusCode()).isEqualTo(200);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'api_key.quota_updated' AND target_id = :id")
			.param("id", keyId)
			.query(Long.class)
			.single()).isEqualTo(1);

		// removing the override: the plan applies again
		HttpResponse<String> removed = patchKey(tenant, keyId, "{\"quota\":null}");
		assertThat(removed.statusCode()).isEqualTo(200);
		assertThat(removed.body()).contains("\"quota\":null");
	}

	@Test
	void rowAndBodyOverridesAreEnforced() throws Exception {
		String tenant = newTenant("ovr-rows");
		String key = Json.field(createKey(tenant, "{\"max_rows_per_request\":2,\"max_request_bytes\":100}").body(),
				"key");
		HttpResponse<String> rows = Http.postJson(app.url("/v1/models/income:predict"), "{\"instances\":[1,2,3]}",
				"X-API-Key", key);
		assertThat(rows.statusCode()).isEqualTo(400);
		assertThat(rows.body()).contains("too_many_rows", "max_rows_per_request 2");
		HttpResponse<String> big = Http.postJson(app.url("/v1/models/income:predict"),
				"{\"instances\":[\"" + "x".repeat(100) + "\"]}", "X-API-Key", key);
		assertThat(big.statusCode()).isEqualTo(413);
		assertThat(big.body()).contains("payload_too_large", "limit of 100 bytes");
	}

	@Test
	void keyMonthlyOverrideAdmitsExactlyItsCount() {
		String tenant = newTenant("ovr-month");
		String key = Json.field(createKey(tenant, "{\"requests_per_month\":3}").body(), "key");
		String other = Json.field(createKey(tenant, null).body(), "key");
		for (int i = 0; i < 3; i++) {
			assertThat(predict(key).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> refused = predict(key);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.body()).contains("\"limit\":\"key_monthly\"", "its quota override allows 3 requests");
		// the tenant's other key is not limited by it
		assertThat(predict(other).statusCode()).isEqualTo(200);
	}

	@Test
	void bodyDeclaredTooLargeIsRefusedBeforeTheQuotaIsSpent() throws Exception {
		String tenant = newTenant("ovr-size");
		HttpResponse<String> created = createKey(tenant, "{\"requests_per_month\":2}");
		String key = Json.field(created.body(), "key");
		UUID tenantId = UUID.fromString(tenant);
		UUID keyId = UUID.fromString(Json.field(created.body(), "id"));
		QuotaManagement quotas = app.bean(QuotaManagement.class);
		String big = "{\"instances\":[\"" + "x".repeat(70_000) + "\"]}";
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> response = Http.postJson(app.url("/v1/models/income:predict"), big, "X-API-Key", key);
			assertThat(response.statusCode()).isEqualTo(413);
			assertThat(response.body()).contains("payload_too_large", "limit of 65536 bytes");
		}
		QuotaManagement.Remaining remaining = quotas.remaining(tenantId, keyId);
		assertThat(remaining.keyMonthlyRemaining()).isEqualTo(2);
		assertThat(remaining.monthlyRemaining()).isEqualTo(1000);
		assertThat(remaining.rateTokens()).isEqualTo(1000);

		// a chunked body (no Content-Length) is still refused by the streaming check,
		// after the quota step
		HttpResponse<String> chunked = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(app.url("/v1/models/income:predict")))
				.header("X-API-Key", key)
				.header("Content-Type", "application/json")
				.POST(chunked(big))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(chunked.statusCode()).isEqualTo(413);
		assertThat(quotas.remaining(tenantId, keyId).keyMonthlyRemaining()).isEqualTo(1);

		assertThat(predict(key).statusCode()).isEqualTo(200);
		assertThat(quotas.remaining(tenantId, keyId).keyMonthlyRemaining()).isZero();
		assertThat(quotas.remaining(tenantId, keyId).monthlyRemaining()).isEqualTo(998);
		assertThat(quotas.remaining(tenantId, null).monthlyRemaining()).isEqualTo(998);
	}

	/** A body publisher of unknown length, so that the client sends it chunked. */
	private static HttpRequest.BodyPublisher chunked(String body) {
		HttpRequest.BodyPublisher known = HttpRequest.BodyPublishers.ofString(body);
		return new HttpRequest.BodyPublisher() {

			@Override
			public long contentLength() {
				return -1;
			}

			@Override
			public void subscribe(Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
				known.subscribe(subscriber);
			}

		};
	}

}
