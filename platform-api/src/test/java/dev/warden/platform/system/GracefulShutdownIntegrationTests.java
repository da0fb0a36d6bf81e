package dev.warden.platform.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.RestartablePostgres;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway stopped under load (the application context closed, as a SIGTERM does
 * through the shutdown hook) while clients predict through a worker that takes a while to
 * answer: the requests in flight when the stop began are answered 2xx, every 2xx has its
 * committed {@code request_log} row (checked on the database after the gateway has gone),
 * and every other call got a 503 or a connection error, never a 2xx without a row nor a
 * 500.
 */
class GracefulShutdownIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final Duration WORKER_DELAY = Duration.ofMillis(400);

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	static Path dataDir;

	@TempDir
	static Path pgDir;

	static RestartablePostgres postgres;

	static WardenFixture warden;

	@BeforeAll
	static void start() throws Exception {
		postgres = new RestartablePostgres(pgDir);
		warden = WardenFixture.start(dataDir, FakeWorker.start(GracefulShutdownIntegrationTests::slowWorker, 32),
				Map.of("warden.database.url", postgres.jdbcUrl(), "warden.database.username", "postgres"));
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
		postgres.close();
	}

	private static void slowWorker(HttpExchange exchange) throws IOException {
		FakeWorker.readBody(exchange);
		try {
			Thread.sleep(WORKER_DELAY.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		exchange.getResponseHeaders().add("X-Model-Version", "1");
		FakeWorker.answer(exchange, 200, "{\"predictions\":[0.25]}");
	}

	/**
	 * One call; status -1 when it ended without an answer (connection refused, reset).
	 */
	record Call(String requestId, long sent, long answered, int status, String body) {
	}

	@Test
	void aGatewayStoppedUnderLoadAnswersItsInFlightRequestsAndLogsEveryOneOfItsTwoHundreds() throws Exception {
		WardenTestApp app = warden.app();
		String key = warden.key(warden.tenant("shutdown", "enterprise")).key();
		String url = app.url("/v1/models/echo:predict");
		ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
		AtomicBoolean running = new AtomicBoolean(true);
		int clients = 8;
		List<Thread> threads = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			int client = c;
			Thread thread = new Thread(() -> {
				for (int n = 0; running.get(); n++) {
					String id = "shutdown-" + client + "-" + n;
					HttpRequest request = HttpRequest.newBuilder(URI.create(url))
						.timeout(Duration.ofSeconds(60))
						.header("X-Request-Id", id)
						.header("X-API-Key", key)
						.header("Content-Type", "application/json")
						.POST(HttpRequest.BodyPublishers.ofString(PREDICT))
						.build();
					long sent = System.nanoTime();
					try {
						HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
						calls.add(new Call(id, sent, System.nanoTime(), response.statusCode(), response.body()));
					}
					catch (IOException ex) {
						calls.add(new Call(id, sent, System.nanoTime(), -1, ex.toString()));
						pause();
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "shutdown-client-" + c);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (calls.stream().filter((call) -> call.status() == 200).count() < 4L * clients) {
			assertThat(System.nanoTime()).as("calls answered before the stop").isLessThan(deadline);
			Thread.sleep(20);
		}
		// in the middle of the worker's delay, so that every client has a call in flight
		Thread.sleep(WORKER_DELAY.toMillis() / 2);
		long stopping = System.nanoTime();
		app.close();
		long stopped = System.nanoTime();
		Thread.sleep(500);
		running.set(false);
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(60));
		}

		List<Call> all = new ArrayList<>(calls);
		List<Call> inFlight = all.stream()
			.filter((call) -> call.sent() < stopping && call.answered() > stopping)
			.toList();
		List<Call> afterStop = all.stream().filter((call) -> call.sent() >= stopping).toList();
		Map<String, Long> outcomes = new TreeMap<>();
		all.forEach((call) -> outcomes.merge((call.sent() < stopping ? "before stop " : "after stop ") + call.status(),
				1L, Long::sum));
		System.out.printf("Graceful shutdown: stop took %.2f s; %d calls in flight at the stop; outcomes %s%n",
				(stopped - stopping) / 1e9, inFlight.size(), outcomes);

		assertThat(inFlight).as("calls in flight when the stop began").hasSizeGreaterThanOrEqualTo(clients / 2);
		assertThat(inFlight).allSatisfy((call) -> assertThat(call.status()).as(call.requestId()).isEqualTo(200));
		assertThat(afterStop).allSatisfy((call) -> assertThat(call.status()).as(call.body()).isIn(-1, 200, 503));
		assertThat(all).allSatisfy((call) -> assertThat(call.status()).as(call.body()).isIn(-1, 200, 503));

		Set<String> ok = new HashSet<>();
		all.stream().filter((call) -> call.status() == 200).forEach((call) -> ok.add(call.requestId()));
		Set<String> logged = new HashSet<>();
		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "postgres");
				PreparedStatement statement = connection.prepareStatement(
						"SELECT request_id FROM request_log WHERE status = 200 AND request_id = ANY(?)")) {
			Array ids = connection.createArrayOf("text", ok.toArray());
			statement.setArray(1, ids);
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					logged.add(rs.getString(1));
				}
			}
		}
		assertThat(logged).as("every 2xx has its committed row").isEqualTo(ok);
	}

	private static void pause() {
		try {
			Thread.sleep(50);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
