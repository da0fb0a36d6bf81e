package dev.warden.platform.usage;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.apikey.ApiKeyManagement.CreatedApiKey;
import dev.warden.platform.apikey.KeyScopes;
import dev.warden.platform.requestlog.RequestLogEntry;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Usage metering end to end: calls through the gateway (in front of an in-test worker
 * stand-in) are counted in memory, visible in {@code GET /v1/usage} before they are
 * flushed, flushed additively into {@code usage_daily} by two replicas sharing one
 * database, and readable by the admin API. Flushes are triggered by the tests (the
 * periodic flush is set to an hour).
 */
class UsageIntegrationTests {

	private static final String TWO_ROWS = "{\"instances\":[{\"age\":39},{\"age\":40}]}";

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	static WardenTestApp app;

	static WardenTestApp replica;

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, FakeWorker.start(UsageIntegrationTests::fakeWorker),
				Map.of("warden.usage.flush-interval", "1h"));
		app = warden.app();
		replica = warden.replica();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	/** Serves model "echo"; drops the connection for "down"; 404 for anything else. */
	private static void fakeWorker(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		FakeWorker.readBody(exchange);
		if (path.startsWith("/v1/models/down")) {
			exchange.close();
			return;
		}
		int status = 200;
		String out;
		if (path.equals("/v1/models/echo:predict")) {
			out = "{\"predictions\":[0.25,0.75]}";
		}
		else if (path.equals("/v1/models")) {
			out = "{\"models\":[]}";
		}
		else {
			status = 404;
			out = "{\"error\":{\"code\":\"model_not_found\",\"message\":\"no such model\",\"request_id\":\"w\"}}";
		}
		FakeWorker.answer(exchange, status, out);
	}

	private static Tenant tenant(String name, String plan) {
		return app.bean(TenantManagement.class).create(name, plan, "test");
	}

	private static CreatedApiKey key(Tenant tenant) {
		return app.bean(ApiKeyManagement.class).create(tenant.id(), "k", "test");
	}

	private static HttpResponse<String> predict(WardenTestApp on, String model, String body, String key) {
		return Http.postJson(on.url("/v1/models/" + model + ":predict"), body, "X-API-Key", key);
	}

	private static JsonNode usage(WardenTestApp on, String key, String query) {
		HttpResponse<String> response = Http.get(on.url("/v1/usage" + query), "X-API-Key", key);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Json.read(response.body());
	}

	private static JsonNode entry(JsonNode usage, String model) {
		for (JsonNode entry : usage.path("usage")) {
			if (model == null ? entry.path("model").isNull() : model.equals(entry.path("model").asString(null))) {
				return entry.path("counts");
			}
		}
		throw new AssertionError("no usage entry for model " + model + " in " + usage);
	}

	@Test
	void justMadeCallsAreInUsageBeforeTheFlushAndCountedOnceAfterIt() {
		Tenant tenant = tenant("usage-basic", "standard");
		CreatedApiKey key = key(tenant);
		for (int i = 0; i < 3; i++) {
			assertThat(predict(app, "echo", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(200);
		}
		assertThat(predict(app, "nosuch", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(404);
		assertThat(predict(app, "down", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(503);
		StringBuilder rows = new StringBuilder("{\"instances\":[");
		for (int i = 0; i < 1001; i++) {
			rows.append((i > 0) ? "," : "").append("1");
		}
		HttpResponse<String> tooMany = predict(app, "echo", rows.append("]}").toString(), key.rawKey());
		assertThat(tooMany.statusCode()).isEqualTo(400);

		JsonNode before = usage(app, key.rawKey(), "");
		assertThat(before.path("tenant").path("id").asString()).isEqualTo(tenant.id().toString());
		JsonNode echo = entry(before, "echo");
		assertThat(echo.path("requests").asLong()).isEqualTo(4);
		assertThat(echo.path("succeeded").asLong()).isEqualTo(3);
		assertThat(echo.path("rows").asLong()).isEqualTo(6);
		assertThat(echo.path("rejected").asLong()).isEqualTo(1);
		assertThat(echo.path("rejected_by_code").path("too_many_rows").asLong()).isEqualTo(1);
		assertThat(echo.path("request_bytes").asLong()).isEqualTo(3L * TWO_ROWS.length() + rows.length());
		assertThat(echo.path("response_bytes").asLong()).isGreaterThanOrEqualTo(3L * 27);
		assertThat(echo.path("latency_micros_max").asLong()).isPositive();
		assertThat(echo.path("latency_micros_sum").asLong())
			.isGreaterThanOrEqualTo(echo.path("latency_micros_max").asLong());
		assertThat(entry(before, "nosuch").path("rejected_by_code").path("model_not_found").asLong()).isEqualTo(1);
		JsonNode down = entry(before, "down");
		assertThat(down.path("errors").asLong()).isEqualTo(1);
		assertThat(down.path("errors_by_code").path("worker_unavailable").asLong()).isEqualTo(1);
		assertThat(down.path("rows").asLong()).isZero();
		assertThat(before.path("totals").path("requests").asLong()).isEqualTo(6);
		assertThat(before.path("usage").get(0).path("api_key_prefix").asString()).isEqualTo(key.key().prefix());
		assertThat(before.path("from").asString())
			.isEqualTo(LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).toString());

		assertThat(app.bean(UsageMeter.class).flush()).isPositive();
		assertThat(app.jdbc()
			.sql("SELECT sum(requests) FROM usage_daily WHERE tenant_id = :t AND model = 'echo'")
			.param("t", tenant.id())
			.query(Long.class)
			.single()).isEqualTo(4);
		JsonNode after = usage(app, key.rawKey(), "");
		assertThat(entry(after, "echo")).isEqualTo(echo);
		// the first usage read is counted too (no model), the second one is not in its
		// own answer
		assertThat(entry(after, null).path("requests").asLong()).isEqualTo(1);
		assertThat(after.path("totals").path("requests").asLong()).isEqualTo(7);
		// another replica sees the flushed rows
		assertThat(entry(usage(replica, key.rawKey(), ""), "echo")).isEqualTo(echo);
	}

	@Test
	void replicasAddTheirCountsIntoTheSameRows() {
		Tenant tenant = tenant("usage-replicas", "standard");
		CreatedApiKey key = key(tenant);
		for (int i = 0; i < 5; i++) {
			assertThat(predict(app, "echo", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(200);
			assertThat(predict(replica, "echo", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(200);
		}
		app.bean(UsageMeter.class).flush();
		replica.bean(UsageMeter.class).flush();
		assertThat(predict(app, "echo", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(200);
		app.bean(UsageMeter.class).flush();
		Map<String, Object> row = app.jdbc()
			.sql("SELECT requests, rows, errors, latency_micros_sum, latency_micros_max FROM usage_daily "
					+ "WHERE tenant_id = :t AND model = 'echo' AND outcome = ''")
			.param("t", tenant.id())
			.query()
			.singleRow();
		assertThat(row).containsEntry("requests", 11L).containsEntry("rows", 22L).containsEntry("errors", 0L);
		long max = app.jdbc()
			.sql("SELECT max(latency_micros) FROM request_log WHERE tenant_id = :t AND model = 'echo'")
			.param("t", tenant.id())
			.query(Long.class)
			.single();
		long sum = app.jdbc()
			.sql("SELECT sum(latency_micros) FROM request_log WHERE tenant_id = :t AND model = 'echo'")
			.param("t", tenant.id())
			.query(Long.class)
			.single();
		assertThat(row).containsEntry("latency_micros_max", max).containsEntry("latency_micros_sum", sum);
	}

	@Test
	void concurrentRecordingWhileFlushingLosesAndDoublesNothing() throws Exception {
		Tenant tenant = tenant("usage-concurrent", "standard");
		CreatedApiKey key = key(tenant);
		UsageMeter meter = app.bean(UsageMeter.class);
		byte[] threeRows = "{\"instances\":[1,2,3]}".getBytes(StandardCharsets.UTF_8);
		int threads = 8;
		int perThread = 5_000;
		ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
		AtomicBoolean recording = new AtomicBoolean(true);
		CountDownLatch go = new CountDownLatch(1);
		try {
			Future<Integer> flusher = pool.submit(() -> {
				int flushes = 0;
				go.await();
				while (recording.get()) {
					meter.flush();
					flushes++;
				}
				return flushes;
			});
			List<Future<?>> recorders = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				recorders.add(pool.submit(() -> {
					go.await();
					for (int i = 0; i < perThread; i++) {
						// rows null: counted by the meter from the payload (three rows)
						meter.record(new RequestLogEntry("c-" + thread + "-" + i, Instant.now(), tenant.id(),
								key.key().id(), "echo", "1", "POST", "/v1/models/echo:predict", 200, i % 1000, 21, 10,
								null, threeRows, null), null);
					}
					return null;
				}));
			}
			go.countDown();
			for (Future<?> recorder : recorders) {
				recorder.get(2, TimeUnit.MINUTES);
			}
			recording.set(false);
			assertThat(flusher.get(2, TimeUnit.MINUTES)).isPositive();
		}
		finally {
			pool.shutdownNow();
		}
		meter.flush();
		Map<String, Object> row = app.jdbc()
			.sql("SELECT requests, rows, request_bytes, response_bytes, latency_micros_sum, latency_micros_max "
					+ "FROM usage_daily WHERE tenant_id = :t")
			.param("t", tenant.id())
			.query()
			.singleRow();
		long n = (long) threads * perThread;
		long latencySum = (long) threads * (perThread / 1000) * (999L * 1000 / 2);
		assertThat(row).containsEntry("requests", n)
			.containsEntry("rows", 3 * n)
			.containsEntry("request_bytes", 21 * n)
			.containsEntry("response_bytes", 10 * n)
			.containsEntry("latency_micros_sum", latencySum)
			.containsEntry("latency_micros_max", 999L);
	}

	@Test
	void usageSpendsNoModelQuotaAndShowsTheMonthlyQuotaLeft() {
		Tenant tenant = tenant("usage-quota", "free");
		CreatedApiKey key = key(tenant);
		JsonNode first = usage(app, key.rawKey(), "");
		JsonNode quota = first.path("quota");
		assertThat(quota.path("plan").asString()).isEqualTo("free");
		assertThat(quota.path("rate").path("requests_per_second").asLong()).isEqualTo(5);
		assertThat(quota.path("rate").path("burst").asLong()).isEqualTo(10);
		assertThat(quota.path("monthly").path("limit").asLong()).isEqualTo(10_000);
		assertThat(quota.path("monthly").path("used").asLong()).isZero();
		assertThat(quota.path("monthly").path("remaining").asLong()).isEqualTo(10_000);
		LocalDate nextMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1);
		assertThat(quota.path("monthly").path("resets_at").asString()).isEqualTo(nextMonth + "T00:00:00Z");
		assertThat(quota.path("max_rows_per_request").asLong()).isEqualTo(100);

		HttpResponse<String> read = Http.get(app.url("/v1/usage"), "X-API-Key", key.rawKey());
		assertThat(read.headers().firstValue("RateLimit-Limit")).isEmpty();
		assertThat(predict(app, "echo", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(200);
		JsonNode afterPredict = usage(replica, key.rawKey(), "");
		assertThat(afterPredict.path("quota").path("monthly").path("used").asLong()).isEqualTo(1);
		assertThat(afterPredict.path("quota").path("monthly").path("remaining").asLong()).isEqualTo(9_999);
	}

	@Test
	void usageIsReadableByAKeyScopedToOneModelAndReadsAreLimitedPerKey() {
		Tenant tenant = tenant("usage-scoped", "enterprise");
		String raw = app.bean(ApiKeyManagement.class)
			.create(tenant.id(), "narrow", new KeyScopes(List.of("echo"), List.of("predict")), null, "test")
			.rawKey();
		assertThat(Http.get(app.url("/v1/models/echo"), "X-API-Key", raw).statusCode()).isEqualTo(403);
		HttpResponse<String> limited = null;
		int allowed = 0;
		for (int i = 0; i < 200 && limited == null; i++) {
			HttpResponse<String> response = Http.get(app.url("/v1/usage"), "X-API-Key", raw);
			if (response.statusCode() == 429) {
				limited = response;
			}
			else {
				assertThat(response.statusCode()).isEqualTo(200);
				allowed++;
			}
		}
		assertThat(allowed).isGreaterThanOrEqualTo((int) UsageController.BURST);
		assertThat(limited).isNotNull();
		assertThat(limited.body()).contains("\"code\":\"rate_limited\"", "usage may be read");
		assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isGreaterThanOrEqualTo(1);
		assertThat(Http.send("POST", app.url("/v1/usage"), "{}", "X-API-Key", raw).statusCode()).isEqualTo(405);
	}

	@Test
	void badDatesAre400NamingTheParameterAndRangesAreLimited() {
		String raw = key(tenant("usage-dates", "enterprise")).rawKey();
		HttpResponse<String> month13 = Http.get(app.url("/v1/usage?from=2026-13-01"), "X-API-Key", raw);
		assertThat(month13.statusCode()).isEqualTo(400);
		assertThat(month13.body()).contains("\"code\":\"invalid_parameter\"", "from: '2026-13-01' is not a date");
		HttpResponse<String> text = Http.get(app.url("/v1/usage?to=yesterday"), "X-API-Key", raw);
		assertThat(text.statusCode()).isEqualTo(400);
		assertThat(text.body()).contains("to: 'yesterday'");
		HttpResponse<String> reversed = Http.get(app.url("/v1/usage?from=2026-11-10&to=2026-11-01"), "X-API-Key", raw);
		assertThat(reversed.statusCode()).isEqualTo(400);
		assertThat(reversed.body()).contains("is before from");
		HttpResponse<String> tooLong = Http.get(app.url("/v1/usage?from=2024-01-01&to=2026-01-01"), "X-API-Key", raw);
		assertThat(tooLong.statusCode()).isEqualTo(400);
		assertThat(tooLong.body()).contains("more than 366 days");
		JsonNode explicit = usage(app, raw, "?from=2025-01-01&to=2025-12-31");
		assertThat(explicit.path("from").asString()).isEqualTo("2025-01-01");
		assertThat(explicit.path("to").asString()).isEqualTo("2025-12-31");
		assertThat(explicit.path("usage").isEmpty()).isTrue();
		// the requests refused for their dates are attributed to the tenant
		assertThat(entry(usage(app, raw, ""), null).path("rejected_by_code").path("invalid_parameter").asLong())
			.isEqualTo(4);
	}

	@Test
	void adminAndComplianceReadAnyTenantsUsageInTheSameShape() {
		Tenant tenant = tenant("usage-admin", "standard");
		CreatedApiKey key = key(tenant);
		assertThat(predict(app, "echo", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(200);
		String path = "/api/admin/tenants/" + tenant.id() + "/usage";
		HttpResponse<String> asAdmin = Http.get(app.url(path), warden.as("alice", "ADMIN"));
		assertThat(asAdmin.statusCode()).as(asAdmin.body()).isEqualTo(200);
		JsonNode body = Json.read(asAdmin.body());
		assertThat(body.path("tenant").path("name").asString()).isEqualTo("usage-admin");
		assertThat(entry(body, "echo").path("requests").asLong()).isEqualTo(1);
		assertThat(body.path("quota").path("plan").asString()).isEqualTo("standard");
		assertThat(Http.get(app.url(path + "?from=2026-02-30"), warden.as("alice", "ADMIN")).statusCode())
			.isEqualTo(400);
		assertThat(Http.get(app.url(path), warden.as("alice", "COMPLIANCE")).statusCode()).isEqualTo(200);
		assertThat(Http.get(app.url(path), warden.as("alice", "AUDITOR")).statusCode()).isEqualTo(403);
		assertThat(Http.get(app.url(path)).statusCode()).isEqualTo(401);
		HttpResponse<String> unknown = Http.get(app.url("/api/admin/tenants/" + UUID.randomUUID() + "/usage"),
				warden.as("alice", "ADMIN"));
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("\"code\":\"not_found\"");
		assertThat(Http.get(app.url("/api/admin/tenants/nope/usage"), warden.as("alice", "ADMIN")).statusCode())
			.isEqualTo(400);
	}

	@Test
	void aReplicaFlushesWhatItCountedWhenItShutsDown() {
		Tenant tenant = tenant("usage-shutdown", "standard");
		CreatedApiKey key = key(tenant);
		WardenTestApp third = warden.startReplica();
		try {
			for (int i = 0; i < 3; i++) {
				assertThat(predict(third, "echo", TWO_ROWS, key.rawKey()).statusCode()).isEqualTo(200);
			}
		}
		finally {
			third.close();
		}
		assertThat(app.jdbc()
			.sql("SELECT requests FROM usage_daily WHERE tenant_id = :t AND day = :d")
			.param("t", tenant.id())
			.param("d", java.sql.Date.valueOf(LocalDate.now(ZoneOffset.UTC)))
			.query(Long.class)
			.single()).isEqualTo(3);
	}

}
