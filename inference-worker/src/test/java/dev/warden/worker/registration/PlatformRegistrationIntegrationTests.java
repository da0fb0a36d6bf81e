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
 * SavedModel posts its heartbeats to an HTTP server standing in for the platform, with
 * the shared token, its advertised URL and the versions it has AVAILABLE;
 * {@code GET /internal/v1/status} says the same; on shutdown it sends
 * {@code "stopping": true}.
 */
class PlatformRegistrationIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final BlockingQueue<Received> heartbeats = new LinkedBlockingQueue<>();

	static HttpServer platform;

	static Path store;

	record Received(String authorization, JsonNode body) {
	}

	@BeforeAll
	static void start() throws IOException {
		store = TrainedModels.newStore("registration");
		TrainedModels.copyInto(TrainedModels.income(), store, "income", 1);
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
		byte[] answer = "{\"registered\":true}".getBytes(StandardCharsets.UTF_8);
		exchange.sendResponseHeaders(200, answer.length);
		exchange.getResponseBody().write(answer);
		exchange.close();
	}

	@Test
	void heartbeatsCarryTheTokenUrlAndAvailableVersionsAndShutdownDeregisters() throws Exception {
		ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerApplication.class).run(
				"--server.port=0", "--spring.main.banner-mode=off", "--warden.worker.model-store.path=" + store,
				"--warden.registration.platform-url=http://127.0.0.1:" + platform.getAddress().getPort(),
				"--warden.registration.token=shared-t0ken", "--warden.registration.interval=200ms",
				"--warden.registration.worker-id=worker-under-test");
		String port = worker.getEnvironment().getProperty("local.server.port");
		try {
			Received withModel = null;
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (withModel == null && System.nanoTime() < deadline) {
				Received next = heartbeats.poll(1, TimeUnit.SECONDS);
				if (next != null && next.body().path("models").path("income").path("versions").size() > 0) {
					withModel = next;
				}
			}
			assertThat(withModel).as("a heartbeat listing the income model").isNotNull();
			assertThat(withModel.authorization()).isEqualTo("Bearer shared-t0ken");
			assertThat(withModel.body().path("id").asString()).isEqualTo("worker-under-test");
			assertThat(withModel.body().path("url").asString()).isEqualTo("http://127.0.0.1:" + port);
			assertThat(withModel.body().path("interval_ms").asLong()).isEqualTo(200);
			assertThat(withModel.body().path("models").path("income").path("versions").get(0).asLong()).isEqualTo(1);

			HttpResponse<String> status = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/status"))
					.timeout(Duration.ofSeconds(10))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(status.statusCode()).isEqualTo(200);
			JsonNode body = JSON.readTree(status.body());
			assertThat(body.path("id").asString()).isEqualTo("worker-under-test");
			assertThat(body.path("models").path("income").path("versions").get(0).asLong()).isEqualTo(1);
			assertThat(body.path("models").path("income").path("labels").isObject()).isTrue();
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
