package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import dev.warden.worker.TfServingTestData;
import dev.warden.worker.WorkerApplication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two versions of one model served side by side, as a canary and its stable version are:
 * the worker's half of what the gateway's canary split relies on. Model {@code split}
 * holds TF Serving's {@code half_plus_two} as version 1 (y = x/2 + 2) and
 * {@code half_plus_three} as version 2 (y = x/2 + 3), so every answer shows which version
 * computed it. The worker keeps the two newest versions of every model (as the system
 * test's canary installation does, {@code WARDEN_LATEST_VERSIONS=2}), batching on (the
 * default).
 *
 * <p>
 * Checked: a call naming a version is answered by that version, with its number in
 * {@code X-Model-Version} (and in {@code model_version} for the Open Inference Protocol),
 * in the row, the columnar and the OIP format, also when calls to both versions are in
 * flight together; a version the platform's desired state drops is 404 (never answered by
 * the other version) and answers again once the desired state names it again, the unload
 * and reload a gateway's desired state can cause right before a canary starts; and the
 * status of TF Serving's two-version model: only version 124 under the default policy,
 * 123 listed as END once the platform's desired state drops a loaded 123.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class VersionsSideBySideIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String MODEL = "split";

	/** Generations of the desired states the tests send, increasing across tests. */
	private static final AtomicLong GENERATION = new AtomicLong(100);

	@TempDir
	static Path store;

	private static boolean filled;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void settings(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> filledStore().toString());
		registry.add("warden.worker.model-store.poll-interval", () -> "1h");
		registry.add("warden.worker.lifecycle.latest-versions", () -> "2");
		registry.add("warden.worker.lifecycle.models[default_policy].latest-versions", () -> "1");
	}

	static synchronized Path filledStore() {
		if (!filled) {
			TfServingTestData.copyTree(TfServingTestData.version(TfServingTestData.HALF_PLUS_TWO, 123),
					store.resolve(MODEL).resolve("1"));
			TfServingTestData.copyTree(TfServingTestData.version(TfServingTestData.HALF_PLUS_THREE, 123),
					store.resolve(MODEL).resolve("2"));
			TfServingTestData.copy(TfServingTestData.TWO_VERSIONS, store, "two_versions");
			TfServingTestData.copy(TfServingTestData.TWO_VERSIONS, store, "default_policy");
			filled = true;
		}
		return store;
	}

	/** What version {@code version} of {@code split} answers for x. */
	private static double expected(long version, double x) {
		return x / 2 + ((version == 1) ? 2 : 3);
	}

	@Test
	void aCallNamingAVersionIsAnsweredByThatVersionInEveryFormat() throws Exception {
		for (long version : new long[] { 1, 2 }) {
			String path = "/v1/models/" + MODEL + "/versions/" + version + ":predict";

			HttpResponse<String> rows = post(path, "{\"instances\": [2.0, 4.0]}");
			HttpResponse<String> columns = post(path, "{\"inputs\": [2.0, 4.0]}");
			HttpResponse<String> infer = post("/v2/models/" + MODEL + "/versions/" + version + "/infer",
					"{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 1], \"datatype\": \"FP32\", \"data\": [2.0, 4.0]}]}");

			String values = "[" + expected(version, 2) + ", " + expected(version, 4) + "]";
			assertThat(rows.statusCode()).as(rows.body()).isEqualTo(200);
			assertThat(rows.headers().firstValue("X-Model-Version")).hasValue(Long.toString(version));
			assertThat(JSON.readTree(rows.body())).isEqualTo(JSON.readTree("{\"predictions\": " + values + "}"));
			assertThat(columns.statusCode()).as(columns.body()).isEqualTo(200);
			assertThat(columns.headers().firstValue("X-Model-Version")).hasValue(Long.toString(version));
			assertThat(JSON.readTree(columns.body())).isEqualTo(JSON.readTree("{\"outputs\": " + values + "}"));
			assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
			assertThat(infer.headers().firstValue("X-Model-Version")).hasValue(Long.toString(version));
			JsonNode inferred = JSON.readTree(infer.body());
			assertThat(inferred.path("model_version").asString()).isEqualTo(Long.toString(version));
			assertThat(inferred.path("outputs").get(0).path("data")).isEqualTo(JSON.readTree(values));
		}
		HttpResponse<String> latest = post("/v1/models/" + MODEL + ":predict", "{\"instances\": [2.0]}");
		assertThat(latest.headers().firstValue("X-Model-Version")).hasValue("2");
		assertThat(JSON.readTree(latest.body())).isEqualTo(JSON.readTree("{\"predictions\": [4.0]}"));
	}

	@Test
	void callsToBothVersionsInFlightTogetherAreEachAnsweredByTheVersionTheyName() throws Exception {
		int clients = 16;
		int callsPerClient = 25;
		List<String> wrong = Collections.synchronizedList(new ArrayList<>());
		Map<String, Integer> answeredBy = Collections.synchronizedMap(new TreeMap<>());
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		try {
			List<CompletableFuture<Void>> running = new ArrayList<>();
			for (int c = 0; c < clients; c++) {
				int client = c;
				running.add(CompletableFuture.runAsync(() -> {
					for (int n = 0; n < callsPerClient; n++) {
						long version = ((client + n) % 2 == 0) ? 1 : 2;
						double x = client * 100 + n;
						try {
							HttpResponse<String> answer = post(
									"/v1/models/" + MODEL + "/versions/" + version + ":predict",
									"{\"instances\": [" + x + "]}");
							String header = answer.headers().firstValue("X-Model-Version").orElse("none");
							answeredBy.merge(header, 1, Integer::sum);
							JsonNode predictions = JSON.readTree(answer.body()).path("predictions");
							if (answer.statusCode() != 200 || !header.equals(Long.toString(version))
									|| predictions.size() != 1
									|| predictions.get(0).asDouble() != expected(version, x)) {
								wrong.add("version " + version + " x " + x + ": " + answer.statusCode() + " " + header
										+ " " + answer.body());
							}
						}
						catch (Exception ex) {
							wrong.add(ex.toString());
						}
					}
				}, pool));
			}
			CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
		}
		finally {
			pool.shutdown();
		}

		assertThat(wrong).isEmpty();
		assertThat(answeredBy).containsOnlyKeys("1", "2");
	}

	@Test
	void aVersionTheDesiredStateDropsIsNotFoundAndIsAnsweredByItselfOnceItIsNamedAgain() throws Exception {
		String path = "/v1/models/" + MODEL + "/versions/1:predict";
		HttpResponse<String> dropped = putDesiredState("{\"" + MODEL + "\": [2], \"two_versions\": [124]}");
		assertThat(dropped.statusCode()).as(dropped.body()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(30)).until(() -> !"AVAILABLE".equals(state(MODEL, "1")));

		HttpResponse<String> notLoaded = post(path, "{\"instances\": [2.0]}");
		assertThat(notLoaded.statusCode()).as(notLoaded.body()).isEqualTo(404);
		assertThat(notLoaded.headers().firstValue("X-Model-Version")).isEmpty();
		assertThat(
				numbers(JSON.readTree(get("/internal/v1/status").body()).path("models").path(MODEL).path("versions")))
			.containsExactly(2L);

		HttpResponse<String> named = putDesiredState("{\"" + MODEL + "\": [1, 2], \"two_versions\": [124]}");
		assertThat(named.statusCode()).as(named.body()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(30)).until(() -> "AVAILABLE".equals(state(MODEL, "1")));

		HttpResponse<String> back = post(path, "{\"instances\": [2.0]}");
		assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
		assertThat(back.headers().firstValue("X-Model-Version")).hasValue("1");
		assertThat(JSON.readTree(back.body())).isEqualTo(JSON.readTree("{\"predictions\": [3.0]}"));
		JsonNode status = JSON.readTree(get("/internal/v1/status").body()).path("models").path(MODEL);
		assertThat(numbers(status.path("versions"))).containsExactly(1L, 2L);
		assertThat(numbers(status.path("aspired"))).containsExactly(1L, 2L);
	}

	@Test
	void theTwoVersionModelListsOnly124UnderTheDefaultPolicyAnd123AsEndOnceTheDesiredStateDropsIt() throws Exception {
		// what TensorFlowServingConformanceIntegrationTests expects of a worker with the
		// default policy (latest 1): 123 was never loaded, so it is not listed
		assertThat(JSON.readTree(get("/v1/models/default_policy").body())).isEqualTo(JSON.readTree("""
				{"model_version_status": [{"version": "124", "state": "AVAILABLE",
				  "status": {"error_code": "OK", "error_message": ""}}]}"""));

		// a worker keeping two versions loads 123 too; when the platform names only 124,
		// 123 is unloaded and, still in the store, listed as END (as TF Serving lists an
		// unloaded version)
		HttpResponse<String> named = putDesiredState("{\"" + MODEL + "\": [1, 2], \"two_versions\": [124]}");
		assertThat(named.statusCode()).as(named.body()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(30)).until(() -> "END".equals(state("two_versions", "123")));
		assertThat(JSON.readTree(get("/v1/models/two_versions").body())).isEqualTo(JSON.readTree("""
				{"model_version_status": [{"version": "124", "state": "AVAILABLE",
				  "status": {"error_code": "OK", "error_message": ""}},
				 {"version": "123", "state": "END",
				  "status": {"error_code": "OK", "error_message": ""}}]}"""));
		assertThat(JSON.readTree(get("/v1/models/default_policy").body()).path("model_version_status")).hasSize(1);
	}

	private static SortedSet<Long> numbers(JsonNode array) {
		SortedSet<Long> numbers = new TreeSet<>();
		array.forEach((number) -> numbers.add(number.asLong()));
		return numbers;
	}

	private String state(String model, String version) throws Exception {
		for (JsonNode status : JSON.readTree(get("/v1/models/" + model).body()).path("model_version_status")) {
			if (status.path("version").asString().equals(version)) {
				return status.path("state").asString();
			}
		}
		return "NOT_LISTED";
	}

	private HttpResponse<String> putDesiredState(String models) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/internal/v1/desired-state"))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers
				.ofString("{\"generation\": " + GENERATION.incrementAndGet() + ", \"models\": " + models + "}"))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
