package dev.warden.platform.worker;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.Http;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.worker.internal.Worker;
import dev.warden.platform.worker.internal.WorkerPool;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing over worker replicas end to end over HTTP: a gateway configured with two
 * stand-in workers ({@code a} serves versions 1 and 2 of {@code m}, {@code b} only
 * version 1), a worker registering itself with heartbeats, and a second gateway replica
 * on the same database that has no reachable worker of its own.
 */
class WorkerRoutingIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final String TOKEN = "registration-secret-for-tests";

	@TempDir
	static Path dataDir;

	static StandInWorker a;

	static StandInWorker b;

	static StandInWorker registered;

	static TestIssuer issuer;

	static WardenTestApp app;

	static WardenTestApp replica;

	static String key;

	@BeforeAll
	static void start() throws Exception {
		a = new StandInWorker("a", "m", List.of(1L, 2L));
		b = new StandInWorker("b", "m", List.of(1L));
		registered = new StandInWorker("r", "m", List.of(1L, 3L));
		issuer = new TestIssuer();
		Map<String, Object> common = new HashMap<>();
		common.put("warden.security.issuer-uri", issuer.issuer());
		common.put("warden.registration.token", TOKEN);
		common.put("warden.worker.circuit-breaker.wait-in-open-state", "3s");
		common.put("warden.worker.urls", a.url() + "," + b.url());
		common.put("warden.worker.connection-back-off", "1m");
		app = WardenTestApp.start(dataDir, common);
		Map<String, Object> second = new HashMap<>(common);
		second.putAll(app.databaseProperties());
		second.remove("warden.registration.token");
		second.put("warden.worker.urls", "http://127.0.0.1:" + closedPort());
		// this replica ignores registrations in its view for the duration of the test
		// (see noHealthyWorker...)
		second.put("warden.registration.refresh-interval", "1h");
		replica = WardenTestApp.start(dataDir, second);
		await(() -> app.bean(WorkerPool.class).configured().stream().allMatch((w) -> w.inventory() != null));
		app.bean(ModelCatalogue.class).sync();
		Tenant tenant = app.bean(TenantManagement.class).create("routing", "enterprise", "test");
		key = app.bean(ApiKeyManagement.class).create(tenant.id(), "routing", "test").rawKey();
	}

	@AfterAll
	static void stop() throws Exception {
		replica.close();
		app.close();
		issuer.close();
		a.close();
		b.close();
		registered.close();
	}

	@BeforeEach
	void reset() {
		for (StandInWorker worker : List.of(a, b, registered)) {
			worker.mode(StandInWorker.Mode.OK);
			worker.release();
		}
		app.bean(WorkerPool.class).workers().forEach((worker) -> worker.breaker().reset());
	}

	private static int closedPort() throws Exception {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void await(BooleanSupplier condition) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(30);
		while (!condition.getAsBoolean()) {
			assertThat(Instant.now()).as("condition not met within 30 s").isBefore(deadline);
			Thread.sleep(50);
		}
	}

	private static HttpResponse<String> predict(String path) {
		return Http.postJson(app.url(path), PREDICT, "X-API-Key", key);
	}

	private static Worker worker(String url) {
		return app.bean(WorkerPool.class)
			.workers()
			.stream()
			.filter((w) -> w.url().equals(url))
			.findFirst()
			.orElseThrow();
	}

	private static HttpResponse<String> heartbeat(String token, String body) {
		return (token != null) ? Http.postJson(app.url("/internal/platform/workers/heartbeat"), body, "Authorization",
				"Bearer " + token) : Http.postJson(app.url("/internal/platform/workers/heartbeat"), body);
	}

	private static String registration(String id, String url, String models) {
		return "{\"id\":\"" + id + "\",\"url\":\"" + url + "\",\"interval_ms\":1000,\"models\":" + models + "}";
	}

	@Test
	void eachRequestGoesToTheWorkerWithFewestRequestsInFlight() throws Exception {
		a.hold();
		b.hold();
		HttpClient client = HttpClient.newHttpClient();
		List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
		for (int i = 1; i <= 6; i++) {
			pending.add(client.sendAsync(HttpRequest.newBuilder(URI.create(app.url("/v1/models/m/versions/1:predict")))
				.header("Content-Type", "application/json")
				.header("X-API-Key", key)
				.POST(HttpRequest.BodyPublishers.ofString(PREDICT))
				.build(), HttpResponse.BodyHandlers.ofString()));
			int sent = i;
			await(() -> a.held() + b.held() == sent);
			// the next request must go to the worker holding fewer: the two never differ
			// by more than one
			assertThat(Math.abs(a.held() - b.held())).as("held a=%d b=%d", a.held(), b.held()).isLessThanOrEqualTo(1);
		}
		assertThat(a.held()).isEqualTo(3);
		assertThat(b.held()).isEqualTo(3);
		assertThat(worker(a.url()).inFlight()).isEqualTo(3);
		a.release();
		b.release();
		for (CompletableFuture<HttpResponse<String>> response : pending) {
			assertThat(response.get().statusCode()).isEqualTo(200);
		}
		assertThat(worker(a.url()).inFlight()).isZero();
	}

	@Test
	void everyRequestToAWorkerCarriesTheRegistrationToken() {
		for (String path : List.of("/v1/models/m/versions/1:predict", "/v1/models/m/versions/2:predict")) {
			assertThat(predict(path).statusCode()).isEqualTo(200);
		}
		// status polls, desired state and predictions alike: a worker with the same token
		// refuses any caller without it
		assertThat(a.authorizations()).containsExactly("Bearer " + TOKEN);
		assertThat(b.authorizations()).containsExactly("Bearer " + TOKEN);
	}

	@Test
	void aVersionIsRoutedToAWorkerServingIt() {
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> response = predict("/v1/models/m/versions/2:predict");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).contains("\"worker\":\"a\"");
			assertThat(response.headers().firstValue("X-Model-Version")).hasValue("2");
		}
	}

	@Test
	void a503IsRetriedOnceOnAnotherWorker() {
		a.mode(StandInWorker.Mode.UNAVAILABLE);
		int aBefore = a.predictions();
		// version 2 is served by a only: the first attempt goes to a, the retry to b
		HttpResponse<String> response = predict("/v1/models/m/versions/2:predict");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).contains("\"worker\":\"b\"");
		assertThat(a.predictions()).isEqualTo(aBefore + 1);

		// both answer 503: exactly one retry, then the worker's 503 is the answer
		b.mode(StandInWorker.Mode.UNAVAILABLE);
		int before = a.predictions() + b.predictions();
		HttpResponse<String> both = predict("/v1/models/m/versions/2:predict");
		assertThat(both.statusCode()).isEqualTo(503);
		assertThat(a.predictions() + b.predictions()).isEqualTo(before + 2);
	}

	@Test
	void aRefusedConnectionIsRetriedOnAnotherWorkerAndTheDeadWorkerIsSkippedAfterwards() throws Exception {
		int dead = closedPort();
		String url = "http://127.0.0.1:" + dead;
		HttpResponse<String> registeredResponse = heartbeat(TOKEN,
				registration("ghost", url, "{\"m\":{\"versions\":[7],\"labels\":{}}}"));
		assertThat(registeredResponse.statusCode()).as(registeredResponse.body()).isEqualTo(200);
		await(() -> app.bean(WorkerPool.class).workers().stream().anyMatch((w) -> w.url().equals(url)));
		try {
			// only the ghost claims version 7: it is tried first, its connection is
			// refused, a worker serving m answers
			HttpResponse<String> response = predict("/v1/models/m/versions/7:predict");
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(worker(url).forwarded()).isEqualTo(1);
			assertThat(worker(url).healthy()).isFalse();
			HttpResponse<String> next = predict("/v1/models/m/versions/7:predict");
			assertThat(next.statusCode()).isEqualTo(200);
			assertThat(worker(url).forwarded()).as("skipped while backing off").isEqualTo(1);
		}
		finally {
			heartbeat(TOKEN, "{\"id\":\"ghost\",\"stopping\":true}");
		}
		await(() -> app.bean(WorkerPool.class).workers().stream().noneMatch((w) -> w.url().equals(url)));
	}

	@Test
	void aConnectionThatTimesOutIsRetriedOnAnotherWorker() throws Exception {
		// a listening socket that never accepts, its queue filled: the kernel drops
		// further connection requests, so connecting to it times out (the address of a
		// killed container behaves so) instead of being refused
		try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			List<Socket> queued = new ArrayList<>();
			try {
				for (int i = 0; i < 16; i++) {
					Socket filler = new Socket();
					queued.add(filler);
					try {
						filler.connect(silent.getLocalSocketAddress(), 300);
					}
					catch (SocketTimeoutException full) {
						break;
					}
				}
				String url = "http://127.0.0.1:" + silent.getLocalPort();
				HttpResponse<String> registeredResponse = heartbeat(TOKEN,
						registration("silent", url, "{\"m\":{\"versions\":[8],\"labels\":{}}}"));
				assertThat(registeredResponse.statusCode()).as(registeredResponse.body()).isEqualTo(200);
				await(() -> app.bean(WorkerPool.class).workers().stream().anyMatch((w) -> w.url().equals(url)));
				try {
					// only the silent worker claims version 8: it is tried first, its
					// connection times out, a worker serving m answers
					HttpResponse<String> response = predict("/v1/models/m/versions/8:predict");
					assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
					assertThat(worker(url).forwarded()).isEqualTo(1);
					assertThat(worker(url).healthy()).isFalse();
				}
				finally {
					heartbeat(TOKEN, "{\"id\":\"silent\",\"stopping\":true}");
				}
				await(() -> app.bean(WorkerPool.class).workers().stream().noneMatch((w) -> w.url().equals(url)));
			}
			finally {
				for (Socket filler : queued) {
					filler.close();
				}
			}
		}
	}

	@Test
	void theCircuitBreakerOpensOnAFailingWorkerAndProbesItBackHalfOpen() throws Exception {
		a.mode(StandInWorker.Mode.UNAVAILABLE);
		CircuitBreaker breaker = worker(a.url()).breaker();
		for (int i = 0; i < 5; i++) {
			assertThat(predict("/v1/models/m/versions/2:predict").statusCode()).isEqualTo(200);
		}
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
		int aCalls = a.predictions();
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> response = predict("/v1/models/m/versions/2:predict");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).doesNotContain("\"worker\":\"a\"");
		}
		assertThat(a.predictions()).as("no call reaches an open breaker's worker").isEqualTo(aCalls);
		HttpResponse<String> view = Http.get(app.url("/api/admin/workers"), "Authorization",
				"Bearer " + issuer.token("ops", "ADMIN"));
		assertThat(view.statusCode()).isEqualTo(200);
		assertThat(view.body()).contains("\"url\":\"" + a.url() + "\"", "\"circuit_breaker\":\"OPEN\"");

		a.mode(StandInWorker.Mode.OK);
		// after the open interval, probe calls are let through (half-open); two successes
		// close the breaker
		await(() -> {
			HttpResponse<String> response = predict("/v1/models/m/versions/2:predict");
			assertThat(response.statusCode()).isEqualTo(200);
			return breaker.getState() == CircuitBreaker.State.CLOSED;
		});
		assertThat(a.predictions()).isGreaterThan(aCalls);
	}

	@Test
	void noHealthyWorkerGets503WorkerUnavailableWithRetryAfter() throws Exception {
		// the replica's only configured worker refuses connections, and it reads no
		// registrations
		await(() -> replica.bean(WorkerPool.class).configured().stream().noneMatch(Worker::healthy));
		HttpResponse<String> response = Http.postJson(replica.url("/v1/models/m:predict"), PREDICT, "X-API-Key", key,
				"X-Request-Id", "no-worker-1");
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(response.body()).contains("\"code\":\"worker_unavailable\"", "\"request_id\":\"no-worker-1\"");
		Map<String, Object> row = app.jdbc()
			.sql("SELECT status, error_code FROM request_log WHERE request_id = 'no-worker-1'")
			.query()
			.singleRow();
		assertThat(row).containsEntry("status", 503).containsEntry("error_code", "worker_unavailable");
	}

	@Test
	void aRegisteredWorkerTakesTrafficAndExpiresWhenHeartbeatsStop() throws Exception {
		HttpResponse<String> response = heartbeat(TOKEN, "{\"id\":\"worker-r\",\"url\":\"" + registered.url()
				+ "\",\"interval_ms\":1000,\"models\":{\"m\":{\"versions\":[1,3],\"labels\":{}}}}");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		await(() -> app.bean(WorkerPool.class).workers().stream().anyMatch((w) -> w.id().equals("worker-r")));
		HttpResponse<String> routed = predict("/v1/models/m/versions/3:predict");
		assertThat(routed.statusCode()).isEqualTo(200);
		assertThat(routed.body()).contains("\"worker\":\"r\"");
		Map<String, Object> row = app.jdbc()
			.sql("SELECT url, models::text AS models FROM worker_registrations WHERE worker_id = 'worker-r'")
			.query()
			.singleRow();
		assertThat(row.get("url")).isEqualTo(registered.url());
		assertThat((String) row.get("models")).contains("\"versions\": [1, 3]");
		// no more heartbeats: gone after three missed intervals
		await(() -> app.bean(WorkerPool.class).workers().stream().noneMatch((w) -> w.id().equals("worker-r")));
	}

	@Test
	void registrationNeedsTheSharedTokenAndAValidBody() {
		String body = registration("intruder", "http://127.0.0.1:1", "{}");
		HttpResponse<String> none = heartbeat(null, body);
		assertThat(none.statusCode()).isEqualTo(401);
		assertThat(none.body()).contains("\"code\":\"invalid_registration_token\"");
		HttpResponse<String> wrong = heartbeat(TOKEN + "x", body);
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(
				heartbeat(TOKEN, "{\"id\":\"bad id!\",\"url\":\"http://x\",\"interval_ms\":1000,\"models\":{}}").body())
			.contains("\"code\":\"invalid_registration\"", "id", "must match");
		assertThat(heartbeat(TOKEN, registration("ok-id", "file:///etc/passwd", "{}")).statusCode()).isEqualTo(400);
		assertThat(heartbeat(TOKEN, "not json").statusCode()).isEqualTo(400);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM worker_registrations WHERE worker_id = 'intruder'")
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void registrationIsRefusedWhenNoTokenIsConfigured() throws Exception {
		// the replica has no registration token configured
		HttpResponse<String> response = Http.postJson(replica.url("/internal/platform/workers/heartbeat"),
				registration("w", "http://127.0.0.1:1", "{}"), "Authorization", "Bearer " + TOKEN);
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.body()).contains("\"code\":\"registration_disabled\"");
	}

	@Test
	void configuredUrlsAcceptACommaSeparatedListAndTheSingleUrlStillWorks() {
		WorkerProperties single = new WorkerProperties("http://w1:8081/", null, 1, Duration.ofSeconds(1),
				Duration.ofSeconds(60), Map.of("slow", Duration.ofSeconds(90)), Duration.ofSeconds(1),
				Duration.ofSeconds(1), Duration.ofSeconds(2), null);
		assertThat(single.configuredUrls()).containsExactly("http://w1:8081");
		WorkerProperties listed = new WorkerProperties("http://ignored:1", List.of("http://w1:8081, http://w2:8081/"),
				1, Duration.ofSeconds(1), Duration.ofSeconds(60), null, Duration.ofSeconds(1), Duration.ofSeconds(1),
				Duration.ofSeconds(2), null);
		assertThat(listed.configuredUrls()).containsExactly("http://w1:8081", "http://w2:8081");
		assertThat(single.responseTimeout("slow")).isEqualTo(Duration.ofSeconds(90));
		assertThat(single.responseTimeout("income")).isEqualTo(Duration.ofSeconds(60));
	}

}
