package dev.warden.platform.gateway;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's metrics as a scraper reads them: real calls through the data plane (2xx,
 * 401, 404, 413, 400 over the row limit, 429 over the rate, a worker's 500 and a dropped
 * connection) against a stand-in worker, then {@code GET /actuator/prometheus} with the
 * scrape token, parsed series by series. The label bound is set to 8 so that a handful of
 * tenants exceed it. The tests run in order: the bound admits the first values seen.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayMetricsIntegrationTests {

	private static final String TOKEN = "scrape-token-for-tests";

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");

	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	@TempDir
	static Path dataDir;

	static HttpServer worker;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws IOException {
		worker = FakeWorker.start(GatewayMetricsIntegrationTests::fakeWorker);
		app = WardenTestApp.start(dataDir, Map.of("warden.worker.url", FakeWorker.url(worker),
				"warden.metrics.scrape-token", TOKEN, "warden.metrics.max-label-values", 8));
	}

	@AfterAll
	static void stop() {
		app.close();
		worker.stop(0);
	}

	/**
	 * Model "echo" answers predictions as version 7; "boom" answers 500 with an error
	 * code; "down" drops the connection; anything else is 404.
	 */
	private static void fakeWorker(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		FakeWorker.readBody(exchange);
		if (path.startsWith("/v1/models/down")) {
			exchange.close();
		}
		else if (path.equals("/v1/models/echo:predict")) {
			exchange.getResponseHeaders().add("X-Model-Version", "7");
			FakeWorker.answer(exchange, 200, "{\"predictions\":[0.25]}");
		}
		else if (path.equals("/v1/models/boom:predict")) {
			exchange.getResponseHeaders().add("X-Model-Version", "3");
			FakeWorker.answer(exchange, 500,
					"{\"error\":{\"code\":\"tensorflow_failed\",\"message\":\"boom\",\"request_id\":\"x\"}}");
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
	@Order(1)
	void theScrapeNeedsTheConfiguredBearerToken() {
		HttpResponse<String> none = Http.get(app.url("/actuator/prometheus"));
		assertThat(none.statusCode()).isEqualTo(401);
		assertThat(none.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((v) -> assertThat(v).startsWith("Bearer"));
		assertThat(none.body()).contains("\"code\":\"invalid_scrape_token\"").doesNotContain("warden_gateway");

		HttpResponse<String> wrong = Http.get(app.url("/actuator/prometheus"), "Authorization",
				"Bearer " + TOKEN + "x");
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(wrong.body()).doesNotContain("warden_gateway");

		// an API key of the data plane is no scrape token
		HttpResponse<String> apiKey = Http.get(app.url("/actuator/prometheus"), "Authorization",
				"Bearer " + newKey("m-scraper", "standard"));
		assertThat(apiKey.statusCode()).isEqualTo(401);

		HttpResponse<String> right = Http.get(app.url("/actuator/prometheus"), "Authorization", "Bearer " + TOKEN);
		assertThat(right.statusCode()).isEqualTo(200);
		assertThat(right.body()).contains("# TYPE");

		// health stays public; other actuator endpoints stay absent
		assertThat(Http.get(app.url("/actuator/health")).statusCode()).isEqualTo(200);
		assertThat(Http.get(app.url("/actuator/metrics"), "Authorization", "Bearer " + TOKEN).statusCode())
			.isEqualTo(404);
	}

	@Test
	@Order(2)
	void dataPlaneCallsAreCountedWithTheirLabels() {
		String key = newKey("m-ok", "standard");
		for (int i = 0; i < 3; i++) {
			assertThat(Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "X-API-Key", key).statusCode())
				.isEqualTo(200);
		}
		assertThat(Http.postJson(app.url("/v1/models/echo:predict"), PREDICT).statusCode()).isEqualTo(401);
		assertThat(Http.get(app.url("/v1/nothing/here"), "X-API-Key", key).statusCode()).isEqualTo(404);
		assertThat(Http.postJson(app.url("/v1/models/nope:predict"), PREDICT, "X-API-Key", key).statusCode())
			.isEqualTo(404);
		assertThat(Http.postJson(app.url("/v1/models/boom:predict"), PREDICT, "X-API-Key", key).statusCode())
			.isEqualTo(500);
		assertThat(Http.postJson(app.url("/v1/models/down:predict"), PREDICT, "X-API-Key", key).statusCode())
			.isEqualTo(503);

		String free = newKey("m-free", "free");
		String big = "{\"instances\":[\"" + "x".repeat(70_000) + "\"]}";
		assertThat(Http.postJson(app.url("/v1/models/echo:predict"), big, "X-API-Key", free).statusCode())
			.isEqualTo(413);
		StringBuilder rows = new StringBuilder("{\"instances\":[");
		for (int i = 0; i < 101; i++) {
			rows.append((i > 0) ? "," : "").append("{\"age\":").append(i).append('}');
		}
		assertThat(Http.postJson(app.url("/v1/models/echo:predict"), rows + "]}", "X-API-Key", free).statusCode())
			.isEqualTo(400);
		boolean limited = false;
		for (int i = 0; i < 500 && !limited; i++) {
			limited = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "X-API-Key", free).statusCode() == 429;
		}
		assertThat(limited).isTrue();

		List<Sample> samples = scrape();
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "m-ok", "model", "echo", "version",
				"7", "operation", "predict", "status", "2xx"))
			.isEqualTo(3);
		// the latency histogram has buckets around a millisecond and its +Inf bucket
		// holds
		// every call
		assertThat(value(samples, "warden_gateway_requests_seconds_bucket", "tenant", "m-ok", "model", "echo",
				"version", "7", "operation", "predict", "status", "2xx", "le", "+Inf"))
			.isEqualTo(3);
		assertThat(samples).anyMatch((s) -> s.name().equals("warden_gateway_requests_seconds_bucket")
				&& "0.001".equals(s.labels().get("le")));
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "none", "model", "none", "version",
				"none", "operation", "predict", "status", "4xx"))
			.isEqualTo(1);
		// a 404 does not label the model it names, with or without a key
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "m-ok", "model", "none", "version",
				"none", "operation", "predict", "status", "4xx"))
			.isEqualTo(1);
		// a path that is no route is refused before the key is read
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "none", "model", "none", "version",
				"none", "operation", "none", "status", "4xx"))
			.isEqualTo(1);
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "m-ok", "model", "boom", "version",
				"3", "operation", "predict", "status", "5xx"))
			.isEqualTo(1);
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "m-ok", "model", "down", "version",
				"none", "operation", "predict", "status", "5xx"))
			.isEqualTo(1);
		assertThat(samples).noneMatch((s) -> s.name().startsWith("warden_gateway_requests")
				&& ("nope".equals(s.labels().get("model")) || "nothing".equals(s.labels().get("model"))));

		assertThat(value(samples, "warden_gateway_errors_total", "code", "missing_api_key")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_errors_total", "code", "not_found")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_errors_total", "code", "model_not_found")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_errors_total", "code", "tensorflow_failed")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_errors_total", "code", "worker_unavailable")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_errors_total", "code", "payload_too_large")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_errors_total", "code", "too_many_rows")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_errors_total", "code", "rate_limited")).isEqualTo(1);

		assertThat(value(samples, "warden_gateway_quota_rejections_total", "limit", "bytes")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_quota_rejections_total", "limit", "rows")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_quota_rejections_total", "limit", "rate")).isEqualTo(1);
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "m-free", "model", "echo",
				"version", "none", "operation", "predict", "status", "4xx"))
			.isEqualTo(3);

		// which worker answered: 3 + 1 (404) + 1 (500) + the free tenant's 2xx before the
		// 429, and the dropped connection; no second worker, so no retry
		assertThat(value(samples, "warden_gateway_worker_calls_total", "worker", "configured-1", "outcome", "5xx"))
			.isEqualTo(1);
		assertThat(value(samples, "warden_gateway_worker_calls_total", "worker", "configured-1", "outcome", "4xx"))
			.isEqualTo(1);
		assertThat(
				value(samples, "warden_gateway_worker_calls_total", "worker", "configured-1", "outcome", "unreachable"))
			.isEqualTo(1);
		assertThat(value(samples, "warden_gateway_worker_calls_total", "worker", "configured-1", "outcome", "2xx"))
			.isGreaterThanOrEqualTo(3);
		assertThat(value(samples, "warden_gateway_worker_retries_total", "reason", "unreachable")).isZero();
		assertThat(value(samples, "warden_gateway_worker_breaker_state", "worker", "configured-1", "state", "closed"))
			.isEqualTo(1);
		assertThat(value(samples, "warden_gateway_worker_breaker_state", "worker", "configured-1", "state", "open"))
			.isZero();

		// the writer's commit latency and batch size, as histograms
		assertThat(samples).anyMatch((s) -> s.name().equals("warden_request_log_commit_seconds_bucket"));
		assertThat(samples).anyMatch((s) -> s.name().equals("warden_request_log_batch_size_records_bucket"));

		// no per-request Spring observation on the data plane any more
		assertThat(samples).noneMatch((s) -> s.name().startsWith("http_server_requests")
				&& s.labels().getOrDefault("uri", "").startsWith("/v"));
	}

	@Test
	@Order(3)
	void tenantsPastTheBoundAreLabelledOther() {
		for (int i = 0; i < 8; i++) {
			String key = newKey("m-many-" + i, "standard");
			assertThat(Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "X-API-Key", key).statusCode())
				.isEqualTo(200);
		}
		List<Sample> samples = scrape();
		Set<String> tenants = new TreeSet<>();
		double total = 0;
		for (Sample sample : samples) {
			if (sample.name().equals("warden_gateway_requests_seconds_count")) {
				tenants.add(sample.labels().get("tenant"));
				if (sample.labels().get("status").equals("2xx")) {
					total += sample.value();
				}
			}
		}
		assertThat(tenants).contains("other");
		tenants.remove("other");
		// the bound is 8 names: m-ok and m-free came first, then six of the eight new
		// tenants kept their names ("none", no verified key, is not a name)
		assertThat(tenants).hasSize(9)
			.contains("none", "m-ok", "m-free", "m-many-0", "m-many-5")
			.doesNotContain("m-many-6", "m-many-7");
		assertThat(value(samples, "warden_gateway_requests_seconds_count", "tenant", "other", "model", "echo",
				"version", "7", "operation", "predict", "status", "2xx"))
			.isEqualTo(2);
		// nothing is lost: every 2xx is in some series
		assertThat(total).isGreaterThanOrEqualTo(3 + 8);
	}

	private static List<Sample> scrape() {
		HttpResponse<String> response = Http.get(app.url("/actuator/prometheus"), "Authorization", "Bearer " + TOKEN);
		assertThat(response.statusCode()).isEqualTo(200);
		List<Sample> samples = new ArrayList<>();
		for (String line : response.body().split("\n")) {
			Matcher sample = SAMPLE.matcher(line);
			if (line.startsWith("#") || !sample.find()) {
				continue;
			}
			Map<String, String> labels = new HashMap<>();
			if (sample.group(2) != null) {
				Matcher label = LABEL.matcher(sample.group(2));
				while (label.find()) {
					labels.put(label.group(1), label.group(2));
				}
			}
			samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
		}
		return samples;
	}

	/** The value of the one series with exactly these labels (0 when there is none). */
	private static double value(List<Sample> samples, String name, String... labels) {
		Map<String, String> wanted = new HashMap<>();
		for (int i = 0; i < labels.length; i += 2) {
			wanted.put(labels[i], labels[i + 1]);
		}
		List<Sample> matching = samples.stream()
			.filter((s) -> s.name().equals(name) && s.labels().equals(wanted))
			.toList();
		assertThat(matching).as("series %s%s", name, wanted).hasSizeLessThanOrEqualTo(1);
		return matching.isEmpty() ? 0 : matching.get(0).value();
	}

	private record Sample(String name, Map<String, String> labels, double value) {
	}

}
