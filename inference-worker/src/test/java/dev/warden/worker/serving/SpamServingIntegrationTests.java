package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.warden.worker.WorkerApplication;
import dev.warden.worker.training.SpamModelTrainer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker serving the {@code spam} text model over real HTTP, from a temporary store
 * holding a small, freshly trained version. The answers must equal an in-process call of
 * the same SavedModel.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpamServingIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String SPAMMY = "WIN a FREE prize!!! Click http://example.com now, only $9.99";

	private static final String HAMMY = "Re: the build is fixed, thanks for the patch";

	private static Path store;

	private static SpamModelTrainer.TrainingResult trained;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> store().toString());
		registry.add("warden.worker.model-store.poll-interval", () -> "200ms");
	}

	static synchronized Path store() {
		if (store == null) {
			try {
				store = Files.createTempDirectory("spam-worker-store");
				trained = new SpamModelTrainer().trainAndExport(store, new SpamModelTrainer.Options(100, 5));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return store;
	}

	@AfterAll
	static synchronized void deleteStore() throws IOException {
		if (store != null) {
			try (Stream<Path> paths = Files.walk(store)) {
				paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
			// another test class may ask for the model again: it gets a fresh one
			store = null;
			trained = null;
		}
	}

	@BeforeEach
	void spamModelIsAvailable() {
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> get("/v1/models/spam").body().contains("AVAILABLE"));
	}

	@Test
	void rowFormatWithTextObjectsAnswersLikeAnInProcessCall() throws Exception {
		HttpResponse<String> response = post("/v1/models/spam:predict",
				"{\"instances\":[{\"text\":" + quote(SPAMMY) + "},{\"text\":" + quote(HAMMY) + "},{\"text\":\"\"}]}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Model-Version")).hasValue("1");
		JsonNode predictions = JSON.readTree(response.body()).get("predictions");
		assertThat(predictions.size()).isEqualTo(3);
		float[] expected = spamProbabilitiesInProcess(List.of(SPAMMY, HAMMY, ""));
		for (int i = 0; i < 3; i++) {
			JsonNode row = predictions.get(i);
			float spam = row.get("spam_probability").floatValue();
			assertThat(spam).isEqualTo(expected[i]);
			assertThat(row.get("probabilities").size()).isEqualTo(2);
			assertThat(row.get("probabilities").get(0).floatValue() + row.get("probabilities").get(1).floatValue())
				.isCloseTo(1f, within(1e-5f));
			long classId = row.get("class_id").longValue();
			assertThat(classId).isIn(0L, 1L);
			assertThat(row.get("label").stringValue()).isEqualTo(classId == 1 ? "spam" : "ham");
		}
	}

	@Test
	void rowFormatWithBareStringsIsAcceptedForTheSingleTextInput() throws Exception {
		HttpResponse<String> response = post("/v1/models/spam:predict",
				"{\"instances\":[" + quote(SPAMMY) + "," + quote(HAMMY) + "]}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode predictions = JSON.readTree(response.body()).get("predictions");
		float[] expected = spamProbabilitiesInProcess(List.of(SPAMMY, HAMMY));
		assertThat(predictions.get(0).get("spam_probability").floatValue()).isEqualTo(expected[0]);
		assertThat(predictions.get(1).get("spam_probability").floatValue()).isEqualTo(expected[1]);
	}

	@Test
	void columnarFormatAnswersWithColumns() throws Exception {
		HttpResponse<String> response = post("/v1/models/spam/versions/1:predict",
				"{\"inputs\":{\"text\":[" + quote(SPAMMY) + "," + quote("Привет 🎉 café") + "]}}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode outputs = JSON.readTree(response.body()).get("outputs");
		float[] expected = spamProbabilitiesInProcess(List.of(SPAMMY, "Привет 🎉 café"));
		assertThat(outputs.get("spam_probability").get(0).floatValue()).isEqualTo(expected[0]);
		assertThat(outputs.get("spam_probability").get(1).floatValue()).isEqualTo(expected[1]);
		assertThat(outputs.get("label").size()).isEqualTo(2);
		assertThat(outputs.get("probabilities").get(1).size()).isEqualTo(2);
	}

	@Test
	void aNumberForTheTextIsA400NamingTheInput() throws Exception {
		HttpResponse<String> response = post("/v1/models/spam:predict", "{\"instances\":[{\"text\":5}]}");

		assertThat(response.statusCode()).isEqualTo(400);
		JsonNode error = JSON.readTree(response.body()).get("error");
		assertThat(error.get("code").stringValue()).isEqualTo("invalid_argument");
		assertThat(error.get("message").stringValue()).contains("'text'");
	}

	@Test
	void metadataShowsTheStringInputAndTheFourOutputs() throws Exception {
		HttpResponse<String> response = get("/v1/models/spam/metadata");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode signature = JSON.readTree(response.body())
			.get("metadata")
			.get("signature_def")
			.get("signature_def")
			.get("serving_default");
		assertThat(signature.get("inputs").get("text").get("dtype").stringValue()).isEqualTo("DT_STRING");
		assertThat(signature.get("outputs").propertyNames()).containsExactlyInAnyOrder("probabilities",
				"spam_probability", "class_id", "label");
		assertThat(signature.get("method_name").stringValue()).isEqualTo("tensorflow/serving/predict");
	}

	private static float[] spamProbabilitiesInProcess(List<String> texts) {
		try (SavedModelBundle bundle = SavedModelBundle.load(trained.versionDir().toString(), "serve");
				TString input = TString.tensorOf(StandardCharsets.UTF_8,
						NdArrays.vectorOfObjects(texts.toArray(String[]::new)));
				Result result = bundle.function("serving_default").call(Map.of("text", input))) {
			TFloat32 spam = (TFloat32) result.get("spam_probability").orElseThrow();
			float[] values = new float[texts.size()];
			for (int i = 0; i < values.length; i++) {
				values[i] = spam.getFloat(i);
			}
			return values;
		}
	}

	private static String quote(String text) {
		return JSON.writeValueAsString(text);
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

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
	}

}
