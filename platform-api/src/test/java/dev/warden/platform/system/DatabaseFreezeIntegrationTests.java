package dev.warden.platform.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

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
 * The gateway against a PostgreSQL of its own that stops answering without closing its
 * connections: every process of the server is frozen with SIGSTOP while clients predict
 * and call the admin API. Every call is answered (503 with {@code Retry-After} and the
 * JSON error while the server is frozen), no 2xx is answered whose {@code request_log}
 * row is missing, and after SIGCONT calls succeed again without restarting anything.
 * <p>
 * The answer times are printed (the figures of docs/reliability.md); the only time the
 * test checks is the generous overall wait for answers, since a hang is the failure.
 */
class DatabaseFreezeIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	/** A call that has not been answered after this long counts as hung. */
	private static final Duration HUNG = Duration.ofSeconds(90);

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@TempDir
	static Path dataDir;

	@TempDir
	static Path pgDir;

	static RestartablePostgres postgres;

	static WardenFixture warden;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws Exception {
		postgres = new RestartablePostgres(pgDir);
		warden = WardenFixture.start(dataDir, FakeWorker.start(DatabaseFreezeIntegrationTests::echoWorker, 8),
				Map.of("warden.database.url", postgres.jdbcUrl(), "warden.database.username", "postgres"));
		app = warden.app();
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
		postgres.close();
	}

	private static void echoWorker(HttpExchange exchange) throws IOException {
		FakeWorker.readBody(exchange);
		exchange.getResponseHeaders().add("X-Model-Version", "1");
		FakeWorker.answer(exchange, 200, "{\"predictions\":[0.25]}");
	}

	/**
	 * One call: which client sent it, when it was sent and answered (System.nanoTime),
	 * its request id, status, {@code Retry-After} and body; status -1 when it failed
	 * without an answer.
	 */
	record Call(String client, String requestId, long sent, long answered, int status, String retryAfter, String body) {

		double seconds() {
			return (this.answered - this.sent) / 1e9;
		}

	}

	@Test
	void aFrozenDatabaseNeverMakesARequestHangAndTheGatewayRecoversWhenItAnswersAgain() throws Exception {
		String tenant = warden.tenant("freeze", "enterprise");
		String key = warden.key(tenant).key();
		String[] admin = warden.admin();
		ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
		AtomicBoolean running = new AtomicBoolean(true);
		List<String> clients = List.of("predict-0", "predict-1", "predict-2", "predict-3", "admin-read", "admin-write");
		List<Thread> threads = new ArrayList<>();
		for (String client : clients) {
			Thread thread = new Thread(() -> {
				for (int n = 0; running.get(); n++) {
					String id = client + "-" + n;
					HttpRequest.Builder request = HttpRequest.newBuilder().timeout(HUNG).header("X-Request-Id", id);
					if (client.startsWith("predict")) {
						request.uri(URI.create(app.url("/v1/models/echo:predict")))
							.header("X-API-Key", key)
							.header("Content-Type", "application/json")
							.POST(HttpRequest.BodyPublishers.ofString(PREDICT));
					}
					else if (client.equals("admin-read")) {
						request.uri(URI.create(app.url("/api/admin/tenants"))).headers(admin).GET();
					}
					else {
						request.uri(URI.create(app.url("/api/admin/tenants")))
							.headers(admin)
							.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"freeze-" + n + "\"}"));
					}
					long sent = System.nanoTime();
					try {
						HttpResponse<String> response = CLIENT.send(request.build(),
								HttpResponse.BodyHandlers.ofString());
						calls.add(new Call(client, id, sent, System.nanoTime(), response.statusCode(),
								response.headers().firstValue("Retry-After").orElse(null), response.body()));
					}
					catch (IOException ex) {
						calls.add(new Call(client, id, sent, System.nanoTime(), -1, null, ex.toString()));
					}
					catch (InterruptedException ex) {
						return;
					}
					if (client.startsWith("admin") && !pause()) {
						return;
					}
				}
			}, "freeze-client-" + client);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}

		for (String client : clients) {
			awaitCalls(calls, (call) -> call.client().equals(client) && call.status() / 100 == 2, 3);
		}
		long frozen;
		long thawed;
		List<Long> pids = List.of();
		try {
			pids = postgres.freeze();
			frozen = System.nanoTime();
			// every client has several calls sent and answered while the server is frozen
			for (String client : clients) {
				awaitCalls(calls, (call) -> call.client().equals(client) && call.sent() > frozen, 3);
			}
		}
		finally {
			postgres.thaw();
			thawed = System.nanoTime();
		}
		assertThat(pids).hasSizeGreaterThan(1);
		for (String client : clients) {
			awaitCalls(calls,
					(call) -> call.client().equals(client) && call.sent() > thawed && call.status() / 100 == 2, 3);
		}
		running.set(false);
		for (Thread thread : threads) {
			thread.join(HUNG.toMillis());
		}

		List<Call> all = new ArrayList<>(calls);
		List<Call> whileFrozen = all.stream()
			.filter((call) -> call.sent() > frozen && call.answered() < thawed)
			.toList();
		List<Call> inFlightAtFreeze = all.stream()
			.filter((call) -> call.sent() <= frozen && call.answered() > frozen && call.answered() < thawed)
			.toList();
		report("sent while frozen", whileFrozen);
		report("in flight when frozen", inFlightAtFreeze);
		for (String client : List.of("predict", "admin")) {
			all.stream()
				.filter((call) -> call.client().startsWith(client) && call.status() / 100 == 2
						&& call.answered() > thawed)
				.mapToLong(Call::answered)
				.min()
				.ifPresent((first) -> System.out.printf("DB freeze, %s: first 2xx %.2f s after SIGCONT%n", client,
						(first - thawed) / 1e9));
		}
		assertThat(all).as("every call got an answer").allSatisfy((call) -> assertThat(call.status()).isPositive());
		assertThat(whileFrozen).hasSizeGreaterThanOrEqualTo(clients.size() * 3).allSatisfy((call) -> {
			assertThat(call.status()).as(call.requestId()).isEqualTo(503);
			assertThat(call.retryAfter()).as(call.requestId()).isNotBlank();
			assertThat(call.body()).as(call.requestId())
				.containsPattern("\"code\":\"(log_unavailable|service_unavailable|database_unavailable)\"")
				.contains("\"request_id\":\"" + call.requestId() + "\"");
		});
		assertThat(whileFrozen).filteredOn((call) -> call.client().startsWith("admin"))
			.allSatisfy((call) -> assertThat(call.body()).contains("\"code\":\"database_unavailable\""));

		Set<String> ok = new HashSet<>();
		all.stream()
			.filter((call) -> call.client().startsWith("predict") && call.status() / 100 == 2)
			.forEach((call) -> ok.add(call.requestId()));
		List<String> logged = app.jdbc()
			.sql("SELECT request_id FROM request_log WHERE status = 200 AND request_id = ANY(:ids)")
			.param("ids", ok.toArray(String[]::new))
			.query(String.class)
			.list();
		assertThat(new HashSet<>(logged)).as("every 2xx has its committed row").isEqualTo(ok);
	}

	/** Admin clients call about five times a second (the admin API's rate limit). */
	private static boolean pause() {
		try {
			TimeUnit.MILLISECONDS.sleep(200);
			return true;
		}
		catch (InterruptedException ex) {
			return false;
		}
	}

	private static void report(String what, List<Call> calls) {
		for (String client : List.of("predict", "admin")) {
			List<Call> mine = calls.stream().filter((call) -> call.client().startsWith(client)).toList();
			double max = mine.stream().mapToDouble(Call::seconds).max().orElse(0);
			double sum = mine.stream().mapToDouble(Call::seconds).sum();
			Map<String, Long> codes = new java.util.TreeMap<>();
			mine.forEach((call) -> codes.merge(call.status() + " " + code(call.body()), 1L, Long::sum));
			System.out.printf("DB freeze, %s, %s calls: %d, answered in mean %.2f s, max %.2f s; %s%n", what, client,
					mine.size(), mine.isEmpty() ? 0 : sum / mine.size(), max, codes);
		}
	}

	private static String code(String body) {
		java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"code\":\"([a-z_]+)\"").matcher(body);
		return matcher.find() ? matcher.group(1) : "-";
	}

	private static void awaitCalls(ConcurrentLinkedQueue<Call> calls, Predicate<Call> which, int count)
			throws InterruptedException {
		long deadline = System.nanoTime() + HUNG.toNanos();
		while (calls.stream().filter(which).count() < count) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("calls were not answered within " + HUNG + ": " + calls.size() + " answers");
			}
			TimeUnit.MILLISECONDS.sleep(50);
		}
	}

}
