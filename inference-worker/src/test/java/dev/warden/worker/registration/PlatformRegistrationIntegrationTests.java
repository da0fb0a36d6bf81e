package dev.warden.worker.registration;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Self-registration over real HTTP: a real worker serving a real (briefly trained) income
 * SavedModel, versions 1 and 2 in its store, posts its heartbeats to an HTTP server
 * standing in for the platform, with the shared token, its advertised URL and the
 * versions it has AVAILABLE; the platform's answer names version 1 (the worker's own
 * policy, latest 1, would serve 2), and the worker converges to it;
 * {@code GET /internal/v1/status} says the same; {@code PUT /internal/v1/desired-state}
 * takes a newer generation and ignores an older one; every endpoint but health and
 * metrics refuses a caller without the registration token; on shutdown it sends
 * {@code "stopping": true}.
 */
class PlatformRegistrationIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String TOKEN = "shared-t0ken";

	static final BlockingQueue<Received> heartbeats = new LinkedBlockingQueue<>();

	static HttpServer platform;

	static Path store;

	record Received(String authorization, JsonNode body) {
	}

	@BeforeAll
	static void start() throws IOException {
		store = TrainedModels.newStore("registration");
		// two versions: the worker's own policy (latest 1) would serve 2, the platform
		// names 1
		TrainedModels.copyInto(TrainedModels.income(), store, "income", 1);
		TrainedModels.copyInto(TrainedModels.income(), store, "income", 2);
		platform = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		platform.createContext("/internal/platform/workers/heartbeat", PlatformRegistrationIntegrationTests::receive);
		platform.start();
	}

	@AfterAll
	static void stop() {
		platform.stop(0);
	}

	private static void receive(HttpExchange exchange) throws IOException {
		try (InputStream in = exchange.getRequestBody()) {
			heartbeats.add(new Received(exchange.getRequestHeaders().getFirst("Authorization"),
					JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
		}
		byte[] answer = "{\"registered\":true,\"desired\":{\"generation\":5,\"models\":{\"income\":[1]}}}"
			.getBytes(StandardCharsets.UTF_8);
		exchange.sendResponseHeaders(200, answer.length);
		exchange.getResponseBody().write(answer);
		exchange.close();
	}

	/** A GET as a gateway sends it, with the registration token. */
	private static HttpResponse<String> get(String port, String path) throws Exception {
		return get(port, path, "Bearer " + TOKEN);
	}

	private static HttpResponse<String> get(String port, String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> put(String port, String json) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/desired-state"))
				.timeout(Duration.ofSeconds(10))
				.header("Content-Type", "application/json")
				.header("Authorization", "Bearer " + TOKEN)
				.PUT(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> predict(String port, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models/income:predict"))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[]}"));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void heartbeatsCarryTheTokenUrlAndAvailableVersionsTheWorkerConvergesToTheDesiredStateAndShutdownDeregisters()
			throws Exception {
		ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerApplication.class).run(
				"--server.port=0", "--spring.main.banner-mode=off", "--warden.worker.model-store.path=" + store,
				"--warden.registration.platform-url=http://127.0.0.1:" + platform.getAddress().getPort(),
				"--warden.registration.token=" + TOKEN, "--warden.registration.interval=200ms",
				"--warden.registration.worker-id=worker-under-test");
		String port = worker.getEnvironment().getProperty("local.server.port");
		try {
			Received converged = null;
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (converged == null && System.nanoTime() < deadline) {
				Received next = heartbeats.poll(1, TimeUnit.SECONDS);
				if (next != null && next.body().path("desired_generation").asLong() == 5
						&& "[1]".equals(next.body().path("models").path("income").path("versions").toString())) {
					converged = next;
				}
			}
			assertThat(converged).as("a heartbeat serving exactly version 1 of income, generation 5").isNotNull();
			assertThat(converged.authorization()).isEqualTo("Bearer " + TOKEN);
			assertThat(converged.body().path("id").asString()).isEqualTo("worker-under-test");
			assertThat(converged.body().path("url").asString()).isEqualTo("http://127.0.0.1:" + port);
			assertThat(converged.body().path("interval_ms").asLong()).isEqualTo(200);
			JsonNode income = converged.body().path("models").path("income");
			assertThat(income.path("aspired").toString()).isEqualTo("[1]");
			assertThat(income.path("in_store").toString()).isEqualTo("[1,2]");
			assertThat(income.path("loading").toString()).isEqualTo("[]");
			assertThat(income.path("failed").toString()).isEqualTo("{}");

			// with a registration token the worker answers only callers that send it (a
			// gateway does), the health and metrics endpoints excepted
			for (String path : List.of("/internal/v1/status", "/v1/models/income", "/internal/v1/desired-state",
					"/v2/health/../../v1/models/income", "/v2/health/live/x")) {
				HttpResponse<String> anonymous = get(port, path, null);
				assertThat(anonymous.statusCode()).as(path).isIn(400, 401);
				if (anonymous.statusCode() == 401) {
					assertThat(anonymous.body()).as(path).contains("\"code\":\"missing_worker_token\"");
					assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
						.hasValue("Bearer realm=\"warden-worker\"");
				}
			}
			assertThat(get(port, "/internal/v1/status", "Bearer not-" + TOKEN).body())
				.contains("\"code\":\"invalid_worker_token\"");
			assertThat(get(port, "/internal/v1/status", "Basic " + TOKEN).statusCode()).isEqualTo(401);
			HttpResponse<String> anonymousPredict = predict(port, null);
			assertThat(anonymousPredict.statusCode()).isEqualTo(401);
			assertThat(predict(port, "Bearer " + TOKEN).statusCode()).as("past the token: the empty body's 400")
				.isEqualTo(400);
			for (String open : List.of("/v2/health/live", "/v2/health/ready", "/actuator/health",
					"/actuator/prometheus")) {
				assertThat(get(port, open, null).statusCode()).as(open).isEqualTo(200);
			}

			HttpResponse<String> status = get(port, "/internal/v1/status");
			assertThat(status.statusCode()).isEqualTo(200);
			JsonNode body = JSON.readTree(status.body());
			assertThat(body.path("id").asString()).isEqualTo("worker-under-test");
			assertThat(body.path("desired_generation").asLong()).isEqualTo(5);
			assertThat(body.path("models").path("income").path("versions").toString()).isEqualTo("[1]");
			assertThat(body.path("models").path("income").path("labels").isObject()).isTrue();
			// version 2 was unloaded once version 1 was AVAILABLE: only 1 is in memory
			JsonNode listing = JSON.readTree(get(port, "/v1/models/income").body());
			assertThat(listing.path("model_version_status").toString())
				.contains("{\"version\":\"1\",\"state\":\"AVAILABLE\"")
				.contains("{\"version\":\"2\",\"state\":\"END\"");

			// a gateway that polls the worker pushes the same document; an older one is
			// ignored, a malformed one refused
			HttpResponse<String> stale = put(port, "{\"generation\":4,\"models\":{\"income\":[2]}}");
			assertThat(stale.statusCode()).isEqualTo(200);
			assertThat(stale.body()).contains("\"accepted\":false", "\"generation\":5");
			HttpResponse<String> invalid = put(port, "{\"generation\":6,\"models\":{\"income\":[0]}}");
			assertThat(invalid.statusCode()).isEqualTo(400);
			assertThat(invalid.body()).contains("\"code\":\"invalid_argument\"", "positive integers");
			HttpResponse<String> newer = put(port, "{\"generation\":6,\"models\":{\"income\":[1,2]}}");
			assertThat(newer.body()).contains("\"accepted\":true", "\"generation\":6");
			assertThat(get(port, "/internal/v1/desired-state").body())
				.isEqualTo("{\"generation\":6,\"models\":{\"income\":[1,2]}}");
			// the platform's answers (generation 5) no longer apply
			Received canary = null;
			deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (canary == null && System.nanoTime() < deadline) {
				Received next = heartbeats.poll(1, TimeUnit.SECONDS);
				if (next != null
						&& "[2,1]".equals(next.body().path("models").path("income").path("versions").toString())) {
					canary = next;
				}
			}
			assertThat(canary).as("a heartbeat serving versions 1 and 2").isNotNull();
			assertThat(canary.body().path("desired_generation").asLong()).isEqualTo(6);
		}
		finally {
			worker.close();
		}
		Received last = null;
		for (Received next = heartbeats.poll(); next != null; next = heartbeats.poll()) {
			last = next;
		}
		assertThat(last).isNotNull();
		assertThat(last.body().path("stopping").asBoolean()).isTrue();
		assertThat(last.body().path("id").asString()).isEqualTo("worker-under-test");
	}

}
