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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Version lifecycle over real HTTP with real TensorFlow: hot swap under concurrent load,
 * labels in paths, the control endpoint, metrics and readiness. Model {@code swap} runs
 * the default policy (latest 1); model {@code labelled} serves all versions with
 * configured labels. Polling is effectively off: the control call {@code :reload}
 * triggers reconciles.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ModelLifecycleIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String ROW = """
			{"instances":[{"age":39,"workclass":"State-gov","fnlwgt":77516,"education":"Bachelors","education_num":13,\
			"marital_status":"Never-married","occupation":"Adm-clerical","relationship":"Not-in-family","race":"White",\
			"sex":"Male","capital_gain":2174,"capital_loss":0,"hours_per_week":40,"native_country":"United-States"}]}""";

	private static final int CLIENTS = 32;

	private static Path store;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void settings(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> store().toString());
		registry.add("warden.worker.model-store.poll-interval", () -> "1h");
		registry.add("warden.worker.lifecycle.models.labelled.version-policy", () -> "all");
		registry.add("warden.worker.lifecycle.models.labelled.labels.stable", () -> "1");
		registry.add("warden.worker.lifecycle.models.labelled.labels.canary", () -> "2");
		registry.add("warden.worker.lifecycle.models.labelled.labels.next", () -> "3");
	}

	/**
	 * Two trained versions that answer differently, copied in before the worker starts;
	 * {@code swap} starts with version 1 only.
	 */
	static synchronized Path store() {
		if (store == null) {
			store = TrainedModels.newStore("lifecycle");
			TrainedModels.copyInto(TrainedModels.income(), store, "swap", 1);
			TrainedModels.copyInto(TrainedModels.income(), store, "labelled", 1);
			TrainedModels.copyInto(TrainedModels.otherIncome(), store, "labelled", 2);
		}
		return store;
	}

	@Test
	void versionOneIsReplacedByVersionTwoUnderConcurrentLoadWithoutAFailedRequest() throws Exception {
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong answered = new AtomicLong();
		Map<String, AtomicLong> byVersion = new ConcurrentHashMap<>();
		List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		List<Future<?>> running = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			running.add(clients.submit(() -> {
				while (!stop.get()) {
					try {
						HttpResponse<String> response = post("/v1/models/swap:predict", ROW);
						String version = response.headers().firstValue("X-Model-Version").orElse("none");
						if (response.statusCode() != 200 || !JSON.readTree(response.body()).has("predictions")) {
							failures.add(response.statusCode() + " " + response.body());
						}
						byVersion.computeIfAbsent(version, v -> new AtomicLong()).incrementAndGet();
						answered.incrementAndGet();
					}
					catch (Exception ex) {
						failures.add(ex.toString());
					}
				}
			}));
		}
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= CLIENTS * 5L);

			TrainedModels.copyInto(TrainedModels.otherIncome(), store, "swap", 2);
			HttpResponse<String> reload = post("/internal/v1/models/swap:reload", "");
			assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);

			await().atMost(Duration.ofSeconds(60)).until(() -> state("swap", "1").equals("END"));
			long afterSwap = answered.get();
			await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= afterSwap + CLIENTS * 5L);
		}
		finally {
			stop.set(true);
			for (Future<?> client : running) {
				client.get();
			}
			clients.shutdown();
		}

		assertThat(failures).isEmpty();
		assertThat(byVersion.keySet()).containsExactlyInAnyOrder("1", "2");
		assertThat(state("swap", "2")).isEqualTo("AVAILABLE");
		HttpResponse<String> latest = post("/v1/models/swap:predict", ROW);
		assertThat(latest.headers().firstValue("X-Model-Version")).hasValue("2");
		System.out.printf("hot swap: %d requests from %d clients, by version %s, 0 failed%n", answered.get(), CLIENTS,
				byVersion);
	}

	@Test
	void labelsAddressVersionsInPredictStatusAndMetadataPaths() throws Exception {
		HttpResponse<String> stable = post("/v1/models/labelled/labels/stable:predict", ROW);
		HttpResponse<String> canary = post("/v1/models/labelled/labels/canary:predict", ROW);

		assertThat(stable.statusCode()).as(stable.body()).isEqualTo(200);
		assertThat(stable.headers().firstValue("X-Model-Version")).hasValue("1");
		assertThat(canary.headers().firstValue("X-Model-Version")).hasValue("2");
		JsonNode status = JSON.readTree(get("/v1/models/labelled/labels/canary").body()).get("model_version_status");
		assertThat(status.size()).isEqualTo(1);
		assertThat(status.get(0).get("version").stringValue()).isEqualTo("2");
		assertThat(status.get(0).get("state").stringValue()).isEqualTo("AVAILABLE");
		JsonNode metadata = JSON.readTree(get("/v1/models/labelled/labels/stable/metadata").body());
		assertThat(metadata.get("model_spec").get("version").stringValue()).isEqualTo("1");
		assertThat(metadata.get("model_spec").get("name").stringValue()).isEqualTo("labelled");
	}

	@Test
	void unknownLabelAndLabelOfAnUnavailableVersionAre404WithAClearMessage() throws Exception {
		HttpResponse<String> unknown = post("/v1/models/labelled/labels/beta:predict", ROW);
		HttpResponse<String> unavailable = post("/v1/models/labelled/labels/next:predict", ROW);

		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(error(unknown).get("code").stringValue()).isEqualTo("model_not_found");
		assertThat(error(unknown).get("message").stringValue()).isEqualTo("Unknown label 'beta' for model labelled");
		assertThat(unavailable.statusCode()).isEqualTo(404);
		assertThat(error(unavailable).get("message").stringValue())
			.isEqualTo("Label 'next' of model labelled points to version 3, which is not AVAILABLE (state not loaded)");
		assertThat(get("/v1/models/labelled/labels/next").statusCode()).isEqualTo(404);
		assertThat(get("/v1/models/labelled/labels/beta/metadata").statusCode()).isEqualTo(404);
		assertThat(get("/v1/models/labelled/labels/stable:predict").statusCode()).isEqualTo(405);
	}

	@Test
	void labelsAreSetAndRemovedThroughTheControlEndpoint() throws Exception {
		HttpResponse<String> set = put("/internal/v1/models/labelled/labels/preview", "{\"version\":2}");
		assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
		assertThat(JSON.readTree(set.body()).get("labels").get("preview").stringValue()).isEqualTo("2");
		assertThat(post("/v1/models/labelled/labels/preview:predict", ROW).headers().firstValue("X-Model-Version"))
			.hasValue("2");

		HttpResponse<String> missingVersion = put("/internal/v1/models/labelled/labels/preview", "{\"version\":9}");
		assertThat(missingVersion.statusCode()).isEqualTo(404);
		HttpResponse<String> badBody = put("/internal/v1/models/labelled/labels/preview", "{\"version\":\"two\"}");
		assertThat(badBody.statusCode()).isEqualTo(400);
		assertThat(error(badBody).get("code").stringValue()).isEqualTo("invalid_argument");
		HttpResponse<String> badLabel = put("/internal/v1/models/labelled/labels/9lives", "{\"version\":2}");
		assertThat(badLabel.statusCode()).isEqualTo(400);

		HttpResponse<String> delete = send(
				HttpRequest.newBuilder(uri("/internal/v1/models/labelled/labels/preview")).DELETE());
		assertThat(delete.statusCode()).isEqualTo(204);
		assertThat(post("/v1/models/labelled/labels/preview:predict", ROW).statusCode()).isEqualTo(404);
		assertThat(JSON.readTree(get("/internal/v1/models/labelled/labels").body()).get("labels").has("stable"))
			.isTrue();
	}

	@Test
	void reloadOfAnUnknownModelIs404() throws Exception {
		HttpResponse<String> response = post("/internal/v1/models/nothing:reload", "");

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(error(response).get("code").stringValue()).isEqualTo("model_not_found");
	}

	@Test
	void loadMetricsAreExposedForPrometheus() throws Exception {
		HttpResponse<String> response = get("/actuator/prometheus");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("warden_worker_model_versions_loaded{model=\"labelled\"} 2")
			.contains("warden_worker_model_load_duration_seconds_count{model=\"labelled\",outcome=\"success\"}");
	}

	@Test
	void workerIsReadyWhenEveryAspiredVersionIsAvailable() throws Exception {
		HttpResponse<String> readiness = get("/actuator/health/readiness");

		assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
		assertThat(JSON.readTree(readiness.body()).get("status").stringValue()).isEqualTo("UP");
	}

	private String state(String model, String version) throws Exception {
		HttpResponse<String> response = get("/v1/models/" + model + "/versions/" + version);
		return response.statusCode() != 200 ? "missing"
				: JSON.readTree(response.body()).get("model_version_status").get(0).get("state").stringValue();
	}

	private static JsonNode error(HttpResponse<String> response) {
		return JSON.readTree(response.body()).get("error");
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private HttpResponse<String> put(String path, String body) throws Exception {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(body)));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
	}

}
