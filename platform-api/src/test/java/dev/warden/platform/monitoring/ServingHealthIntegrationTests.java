package dev.warden.platform.monitoring;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.FixedAnswerWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenFixture.CreatedKey;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.model.ModelGrants;
import dev.warden.platform.monitoring.internal.LatencyHistogram;
import dev.warden.platform.monitoring.internal.ServingMinutes;
import dev.warden.platform.system.MetricsProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Serving health end to end on the shared application: calls through the gateway (in
 * front of {@link FixedAnswerWorker}) are counted in memory, flushed into
 * {@code serving_minutes} and read back through the admin API, whose numbers are compared
 * with what was sent and with the request log; two accumulators flushing into the same
 * minute add up; bad parameters and roles. Flushes are triggered by the tests (the
 * periodic one only adds what a test flushes anyway).
 */
@ExtendWith(SharedWardenExtension.class)
class ServingHealthIntegrationTests {

	private static final String PATH = "/api/admin/monitoring/serving";

	private static String rows(int n) {
		StringBuilder body = new StringBuilder("{\"instances\":[");
		for (int i = 0; i < n; i++) {
			body.append((i > 0) ? "," : "").append("{\"age\":").append(30 + i).append('}');
		}
		return body.append("]}").toString();
	}

	private static HttpResponse<String> predict(WardenTestApp app, String path, String body, String key) {
		return Http.postJson(app.url(path), body, "X-API-Key", key);
	}

	private static JsonNode serving(WardenFixture warden, String query) {
		HttpResponse<String> response = Http.get(warden.app().url(PATH + "?" + query), warden.as("alice", "ADMIN"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Json.read(response.body());
	}

	private static String encode(Instant instant) {
		return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
	}

	@Test
	void callsThroughTheGatewayAreWhatTheAdminApiAnswersAfterAFlush(WardenFixture warden) {
		WardenTestApp app = warden.app();
		Instant before = Instant.now().minus(2, ChronoUnit.MINUTES);
		String tenant = warden.tenant("health-sent", "standard");
		CreatedKey key = warden.key(tenant);
		CreatedKey tiny = warden.key(tenant, "{\"name\":\"tiny\",\"quota\":{\"requests_per_month\":2}}");
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> answer = predict(app, "/v1/models/health-echo/versions/3:predict", rows(2), key.key());
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			assertThat(answer.headers().firstValue("X-Model-Version")).hasValue("3");
		}
		assertThat(predict(app, "/v1/models/health-echo:predict", rows(3), key.key()).statusCode()).isEqualTo(200);
		assertThat(predict(app, "/v1/models/health-echo:predict", rows(1), tiny.key()).statusCode()).isEqualTo(200);
		assertThat(predict(app, "/v1/models/health-echo:predict", rows(1), tiny.key()).statusCode()).isEqualTo(200);
		HttpResponse<String> limited = predict(app, "/v1/models/health-echo:predict", rows(1), tiny.key());
		assertThat(limited.statusCode()).isEqualTo(429);
		assertThat(limited.body()).contains("\"limit\":\"key_monthly\"");
		// no tenant: never counted
		assertThat(predict(app, "/v1/models/health-echo:predict", rows(1), "wdn_AAAAAAAAAAAA_" + "B".repeat(32))
			.statusCode()).isEqualTo(401);
		for (int i = 0; i < 2; i++) {
			HttpResponse<String> refused = predict(app, "/v1/models/" + FixedAnswerWorker.REFUSING + ":predict",
					rows(1), key.key());
			assertThat(refused.statusCode()).isEqualTo(400);
			assertThat(refused.body()).contains("invalid_argument");
		}
		app.bean(ServingHealth.class).flush();
		Instant after = Instant.now().plus(1, ChronoUnit.MINUTES);
		String range = "&from=" + encode(before) + "&to=" + encode(after);

		JsonNode report = serving(warden, "model=health-echo&tenant=" + tenant + range + "&step=1m");
		assertThat(report.path("model").asString()).isEqualTo("health-echo");
		assertThat(report.path("step").asString()).isEqualTo("1m");
		assertThat(report.path("tenant_id").asString()).isEqualTo(tenant);
		JsonNode totals = report.path("totals");
		assertThat(totals.path("requests").asLong()).isEqualTo(7);
		assertThat(totals.path("answers").path("2xx").asLong()).isEqualTo(6);
		assertThat(totals.path("answers").path("4xx").asLong()).isEqualTo(1);
		assertThat(totals.path("answers").path("5xx").asLong()).isZero();
		assertThat(totals.path("error_rate").asDouble()).isZero();
		assertThat(totals.path("errors_by_code").size()).isEqualTo(1);
		assertThat(totals.path("errors_by_code").path("rate_limited").asLong()).isEqualTo(1);
		assertThat(totals.path("quota_rejections_by_limit").path("key_monthly").asLong()).isEqualTo(1);
		assertThat(totals.path("quota_rejections_by_limit").size()).isEqualTo(1);
		// rows of the six answered calls (the refused one was never read): 2, 2, 2, 3, 1,
		// 1
		assertThat(totals.path("rows_per_request").path("requests").asLong()).isEqualTo(6);
		assertThat(totals.path("rows_per_request").path("mean").asDouble()).isEqualTo(11.0 / 6);
		assertThat(totals.path("rows_per_request").path("max").asLong()).isEqualTo(3);
		long pointRequests = 0;
		Instant previous = null;
		for (JsonNode point : report.path("points")) {
			Instant time = Instant.parse(point.path("time").asString());
			assertThat(time.getEpochSecond() % 60).isZero();
			if (previous != null) {
				assertThat(Duration.between(previous, time)).isEqualTo(Duration.ofMinutes(1));
			}
			previous = time;
			pointRequests += point.path("requests").asLong();
		}
		assertThat(pointRequests).isEqualTo(7);

		// latency: compared with what the request log recorded for the same calls
		List<Long> logged = app.jdbc()
			.sql("SELECT latency_micros FROM request_log WHERE tenant_id = CAST(:t AS uuid) AND model = 'health-echo' "
					+ "ORDER BY latency_micros")
			.param("t", tenant)
			.query(Long.class)
			.list();
		assertThat(logged).hasSize(7);
		JsonNode latency = totals.path("latency_micros");
		for (String[] percentile : new String[][] { { "p50", "0.50" }, { "p95", "0.95" }, { "p99", "0.99" } }) {
			long rank = (long) Math.ceil(Double.parseDouble(percentile[1]) * logged.size());
			long actual = logged.get((int) rank - 1);
			int bucket = LatencyHistogram.bucket(actual);
			long reported = latency.path(percentile[0]).asLong();
			assertThat(reported).as(percentile[0] + " of " + logged)
				.isGreaterThanOrEqualTo(actual)
				.isGreaterThan(LatencyHistogram.lowerBound(bucket))
				.isLessThanOrEqualTo(LatencyHistogram.upperBound(bucket));
		}
		assertThat(latency.path("max").asLong()).isEqualTo(logged.get(logged.size() - 1));
		assertThat(latency.path("mean").asLong())
			.isEqualTo(logged.stream().mapToLong(Long::longValue).sum() / logged.size());

		// one version only; all tenants (only this test calls the model, and the 401 is
		// not in it)
		JsonNode v3 = serving(warden, "model=health-echo&version=3" + range).path("totals");
		assertThat(v3.path("requests").asLong()).isEqualTo(3);
		assertThat(v3.path("rows_per_request").path("mean").asDouble()).isEqualTo(2.0);
		assertThat(serving(warden, "model=health-echo" + range).path("totals").path("requests").asLong()).isEqualTo(7);

		// the worker's own refusals
		JsonNode refused = serving(warden, "model=" + FixedAnswerWorker.REFUSING + "&tenant=" + tenant + range)
			.path("totals");
		assertThat(refused.path("requests").asLong()).isEqualTo(2);
		assertThat(refused.path("answers").path("4xx").asLong()).isEqualTo(2);
		assertThat(refused.path("errors_by_code").path("invalid_argument").asLong()).isEqualTo(2);
		assertThat(refused.path("quota_rejections_by_limit").size()).isZero();
		assertThat(refused.path("error_rate").asDouble()).isZero();

		// the tenant across every model it called: both models, nothing of other tenants
		JsonNode everyModel = serving(warden, "tenant=" + tenant + range);
		assertThat(everyModel.path("model").isNull()).as(everyModel.toString()).isTrue();
		JsonNode all = everyModel.path("totals");
		assertThat(all.path("requests").asLong()).isEqualTo(9);
		assertThat(all.path("answers").path("2xx").asLong()).isEqualTo(6);
		assertThat(all.path("answers").path("4xx").asLong()).isEqualTo(3);
		assertThat(all.path("errors_by_code").path("invalid_argument").asLong()).isEqualTo(2);
		assertThat(all.path("errors_by_code").path("rate_limited").asLong()).isEqualTo(1);
		assertThat(all.path("quota_rejections_by_limit").path("key_monthly").asLong()).isEqualTo(1);

		// and what Prometheus reads: rows per request
		DistributionSummary summary = app.bean(MeterRegistry.class)
			.get("warden.monitoring.serving.request.rows")
			.tag("model", "health-echo")
			.summary();
		assertThat(summary.count()).isEqualTo(6);
		assertThat(summary.totalAmount()).isEqualTo(11.0);
		assertThat(app.bean(MeterRegistry.class).get("warden.monitoring.serving.flush.rows").counter().count())
			.isPositive();
	}

	@Test
	void twoAccumulatorsFlushingIntoTheSameMinuteAddUp(WardenFixture warden) {
		WardenTestApp app = warden.app();
		ServingHealth first = app.bean(ServingHealth.class);
		// a second replica's accumulator on the same database
		ServingHealth second = new ServingHealth(app.bean(ServingMinutes.class), app.bean(ModelGrants.class),
				new ServingHealthProperties(Duration.ofHours(1)), new SimpleMeterRegistry(),
				app.bean(MetricsProperties.class));
		UUID tenant = UUID.randomUUID();
		Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(10, ChronoUnit.MINUTES);
		Instant at = minute.plusSeconds(17);
		first.record(tenant, "health-merge", "2", at, 200, null, 100, null, 4L);
		first.record(tenant, "health-merge", "2", at, 200, null, 100, null, 4L);
		first.record(tenant, "health-merge", "2", at, 503, "worker_unavailable", 5_000, null, 1L);
		second.record(tenant, "health-merge", "2", at, 200, null, 100, null, 8L);
		second.record(tenant, "health-merge", "2", at, 500, "tensorflow_failed", 70_000, null, 1L);
		second.record(tenant, "health-merge", "2", at, 503, "worker_unavailable", 900, null, 1L);
		first.flush();
		second.flush();
		first.record(tenant, "health-merge", "2", at.plusSeconds(30), 429, "rate_limited", 40, "rate", null);
		first.flush();

		Map<String, Object> row = app.jdbc()
			.sql("SELECT requests, status_2xx, status_4xx, status_5xx, errors::text AS errors, "
					+ "quota_rejections::text AS quota, latency_micros_sum, latency_micros_max, rows_requests, "
					+ "rows_sum, rows_max FROM serving_minutes WHERE tenant_id = :t AND model = 'health-merge' "
					+ "AND version = '2' AND minute = :m")
			.param("t", tenant)
			.param("m", java.sql.Timestamp.from(minute))
			.query()
			.singleRow();
		assertThat(row).containsEntry("requests", 7L)
			.containsEntry("status_2xx", 3L)
			.containsEntry("status_4xx", 1L)
			.containsEntry("status_5xx", 3L)
			.containsEntry("latency_micros_sum", 100L * 3 + 5_000 + 70_000 + 900 + 40)
			.containsEntry("latency_micros_max", 70_000L)
			.containsEntry("rows_requests", 6L)
			.containsEntry("rows_sum", 4L + 4 + 1 + 8 + 1 + 1)
			.containsEntry("rows_max", 8L);
		assertThat(Json.read((String) row.get("errors")).path("worker_unavailable").asLong()).isEqualTo(2);
		assertThat(Json.read((String) row.get("errors")).path("tensorflow_failed").asLong()).isEqualTo(1);
		assertThat(Json.read((String) row.get("errors")).path("rate_limited").asLong()).isEqualTo(1);
		assertThat(Json.read((String) row.get("quota")).path("rate").asLong()).isEqualTo(1);
		List<Long> buckets = app.jdbc()
			.sql("SELECT u.b FROM serving_minutes, unnest(latency_buckets) WITH ORDINALITY AS u(b, k) "
					+ "WHERE tenant_id = :t AND model = 'health-merge' ORDER BY u.k")
			.param("t", tenant)
			.query(Long.class)
			.list();
		assertThat(buckets).hasSize(LatencyHistogram.BUCKETS);
		assertThat(buckets.get(LatencyHistogram.bucket(100))).isEqualTo(3);
		assertThat(buckets.get(LatencyHistogram.bucket(70_000))).isEqualTo(1);
		assertThat(buckets.stream().mapToLong(Long::longValue).sum()).isEqualTo(7);

		JsonNode report = serving(warden, "model=health-merge&tenant=" + tenant + "&from=" + encode(minute) + "&to="
				+ encode(minute.plusSeconds(60)));
		assertThat(report.path("points")).hasSize(1);
		JsonNode point = report.path("points").get(0);
		assertThat(point.path("time").asString()).isEqualTo(minute.toString());
		assertThat(point.path("requests").asLong()).isEqualTo(7);
		assertThat(point.path("error_rate").asDouble()).isEqualTo(3.0 / 7);
		assertThat(point.path("errors_by_code").path("worker_unavailable").asLong()).isEqualTo(2);
		assertThat(point.path("quota_rejections_by_limit").path("rate").asLong()).isEqualTo(1);
		// seven latencies 40, 100, 100, 100, 900, 5000, 70000: p50 is 100 (bucket up to
		// 100)
		assertThat(point.path("latency_micros").path("p50").asLong()).isEqualTo(100);
		assertThat(point.path("latency_micros").path("p99").asLong()).isEqualTo(70_000);
		assertThat(point.path("latency_micros").path("max").asLong()).isEqualTo(70_000);
		assertThat(point.path("rows_per_request").path("max").asLong()).isEqualTo(8);
	}

	@Test
	void badParametersAre400NamingTheParameterAndAnUnknownModelIs404(WardenFixture warden) {
		WardenTestApp app = warden.app();
		UUID tenant = UUID.randomUUID();
		app.bean(ServingHealth.class).record(tenant, "health-params", null, Instant.now(), 200, null, 10, null, null);
		app.bean(ServingHealth.class).flush();
		Map<String, String> bad = Map.ofEntries(Map.entry("version=3", "version: is only taken together with model"),
				Map.entry("model=-x", "model: must be a model name"),
				Map.entry("model=health-params&version=v2", "version: must be a version number"),
				Map.entry("model=health-params&tenant=nope", "tenant"),
				Map.entry("model=health-params&from=yesterday", "from: 'yesterday' is not an instant"),
				Map.entry("model=health-params&to=2026-12-06", "to: '2026-12-06' is not an instant"),
				Map.entry("model=health-params&from=2026-12-06T10:00:00Z&to=2026-12-06T09:00:00Z", "is not before to"),
				Map.entry("model=health-params&from=2026-10-01T00:00:00Z&to=2026-11-02T00:00:00Z",
						"longer than 31 days"),
				Map.entry("model=health-params&from=2026-10-01T00:00:00Z&to=2026-10-03T00:00:00Z&step=1m",
						"more than 1500"),
				Map.entry("model=health-params&step=2m", "step: must be 1m, 5m or 1h"),
				Map.entry("model=health-params&from=1900-01-01T00:00:00Z", "from: must lie between"),
				Map.entry("model=health-params&limit=5", "unknown query parameter 'limit'"));
		bad.forEach((query, message) -> {
			HttpResponse<String> response = Http.get(app.url(PATH + "?" + query), warden.as("alice", "ADMIN"));
			assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(400);
			JsonNode error = Json.read(response.body()).path("error");
			assertThat(error.path("code").asString()).as(query).isEqualTo("invalid_parameter");
			assertThat(error.path("message").asString()).as(query).contains(message);
			assertThat(error.path("request_id").asString()).isNotEmpty();
		});
		HttpResponse<String> unknown = Http.get(app.url(PATH + "?model=health-never-called"),
				warden.as("alice", "ADMIN"));
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(Json.read(unknown.body()).path("error").path("code").asString()).isEqualTo("not_found");

		// the defaults: the last 24 hours, in the smallest step that fits
		JsonNode defaults = serving(warden, "model=health-params");
		assertThat(defaults.path("step").asString()).isEqualTo("1m");
		assertThat(defaults.path("points").size()).isBetween(1440, 1441);
		assertThat(defaults.path("totals").path("requests").asLong()).isEqualTo(1);
		assertThat(serving(warden, "model=health-params&from=2026-10-01T00:00:00Z&to=2026-10-31T00:00:00Z").path("step")
			.asString()).isEqualTo("1h");
		// an offset is an instant too; the far ends of the accepted instants are answered
		assertThat(serving(warden, "model=health-params&from=2026-10-01T01:00:00%2B01:00&to=2026-10-01T01:05:00Z")
			.path("from")
			.asString()).isEqualTo("2026-10-01T00:00:00Z");
		assertThat(
				serving(warden, "model=health-params&to=9999-12-31T23:59:59Z").path("totals").path("requests").asLong())
			.isZero();
		assertThat(
				serving(warden, "model=health-params&from=1970-01-01T00:00:00Z&to=1970-01-01T00:01:00Z").path("points"))
			.hasSize(1);
	}

	@Test
	void complianceMayReadAndATokenWithoutARoleMayNot(WardenFixture warden) {
		WardenTestApp app = warden.app();
		app.bean(ServingHealth.class)
			.record(UUID.randomUUID(), "health-roles", "1", Instant.now(), 200, null, 10, null, null);
		app.bean(ServingHealth.class).flush();
		String url = app.url(PATH + "?model=health-roles");
		HttpResponse<String> compliance = Http.get(url, warden.as("carol", "COMPLIANCE"));
		assertThat(compliance.statusCode()).as(compliance.body()).isEqualTo(200);
		assertThat(Json.read(compliance.body()).path("totals").path("requests").asLong()).isEqualTo(1);
		HttpResponse<String> noRole = Http.get(url, warden.as("dave"));
		assertThat(noRole.statusCode()).isEqualTo(403);
		assertThat(Json.read(noRole.body()).path("error").path("code").asString()).isEqualTo("forbidden");
		assertThat(Http.get(url).statusCode()).isEqualTo(401);
	}

}
