package dev.warden.console.adminapi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's connections to a platform-api that restarts: every connection the pool
 * kept alive to the stopped process is closed by its peer, and the first calls after the
 * restart (of every method, none of them resent) reach the new process.
 */
class PlatformApiConnectionsTests {

	private static final int POOLED = 4;

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private HttpServer server;

	private PlatformApiConnections connections;

	@AfterEach
	void stop() {
		if (this.connections != null) {
			this.connections.destroy();
		}
		if (this.server != null) {
			this.server.stop(0);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "GET", "POST", "PUT", "PATCH", "DELETE" })
	void theFirstCallAfterARestartOfPlatformApiReachesTheNewProcess(String name) throws Exception {
		HttpMethod method = HttpMethod.valueOf(name);
		this.server = start(0, new CountDownLatch(POOLED));
		int port = this.server.getAddress().getPort();
		this.connections = new PlatformApiConnections(
				new AdminApiProperties("http://127.0.0.1:" + port, Duration.ofSeconds(2), Duration.ofSeconds(10)));
		RestClient client = this.connections.restClient().build();
		fillThePool(client);
		assertThat(this.requests).hasSize(POOLED);

		this.server.stop(0);
		this.requests.clear();
		// long enough for the pool to check its idle connections before reuse
		Thread.sleep(PlatformApiConnections.VALIDATE_AFTER_INACTIVITY.toMilliseconds() + 200);
		this.server = start(port, new CountDownLatch(0));

		RestClient.RequestBodySpec call = client.method(method).uri("/internal/platform/console/sessions/1");
		if (method != HttpMethod.GET && method != HttpMethod.DELETE) {
			call.contentType(MediaType.APPLICATION_JSON).body("{\"principal\":\"alice\"}");
		}
		assertThat(call.retrieve().toBodilessEntity().getStatusCode()).isEqualTo(HttpStatusCode.valueOf(200));
		String body = (method != HttpMethod.GET && method != HttpMethod.DELETE) ? " {\"principal\":\"alice\"}" : "";
		assertThat(this.requests).containsExactly(method.name() + " /internal/platform/console/sessions/1" + body);
	}

	/** {@value #POOLED} calls at once, so that the pool keeps that many connections. */
	private void fillThePool(RestClient client) throws Exception {
		ExecutorService callers = Executors.newFixedThreadPool(POOLED);
		try {
			List<Future<?>> calls = new ArrayList<>();
			for (int i = 0; i < POOLED; i++) {
				calls.add(callers.submit(() -> client.get().uri("/api/admin/tenants").retrieve().toBodilessEntity()));
			}
			for (Future<?> call : calls) {
				call.get(10, TimeUnit.SECONDS);
			}
		}
		finally {
			callers.shutdownNow();
		}
	}

	/**
	 * A server that records each request and answers it with keep-alive, once
	 * {@code together} requests have arrived.
	 */
	private HttpServer start(int port, CountDownLatch together) throws IOException {
		HttpServer started = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
		started.setExecutor(Executors.newCachedThreadPool());
		started.createContext("/", (exchange) -> answer(exchange, together));
		started.start();
		return started;
	}

	private void answer(HttpExchange exchange, CountDownLatch together) throws IOException {
		String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		this.requests
			.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + (body.isEmpty() ? "" : " " + body));
		together.countDown();
		try {
			together.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		exchange.sendResponseHeaders(200, -1);
		exchange.close();
	}

}
