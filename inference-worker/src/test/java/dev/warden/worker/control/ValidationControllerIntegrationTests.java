package dev.warden.worker.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;
import dev.warden.worker.loader.DeclaredShapeModels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /internal/v1/validate} over real HTTP with a real SavedModel (the trained
 * {@link TrainedModels#income() income}: only loadability matters here), staged the way
 * platform-api stages uploads.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ValidationControllerIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static Path store;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> store().toString());
	}

	/**
	 * An empty store; each test stages its own copy of the trained model inside it (the
	 * model itself stays outside the store).
	 */
	static synchronized Path store() {
		if (store == null) {
			store = TrainedModels.newStore("validate");
		}
		return store;
	}

	@Test
	void realSavedModelIsLoadedAndItsSignatureDefsAreAnsweredInTfServingShape() throws Exception {
		String staged = stage();

		HttpResponse<String> response = validate("{\"model\":\"income\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.path("model_spec").path("name").asString()).isEqualTo("income");
		JsonNode serving = body.path("metadata").path("signature_def").path("signature_def").path("serving_default");
		assertThat(serving.path("method_name").asString()).isEqualTo("tensorflow/serving/predict");
		assertThat(serving.path("inputs").path("age").path("dtype").asString()).isEqualTo("DT_FLOAT");
		assertThat(serving.path("inputs").path("workclass").path("dtype").asString()).isEqualTo("DT_STRING");
		assertThat(serving.path("inputs").path("age").path("tensor_shape").path("dim").get(0).path("size").asString())
			.isEqualTo("-1");
		assertThat(serving.path("outputs").path("class_id").path("dtype").asString()).isEqualTo("DT_INT64");
		assertThat(serving.path("outputs").has("probabilities")).isTrue();
	}

	@Test
	void corruptSavedModelPbIsRejectedWith422AndAReadableReasonWithoutMachinePaths() throws Exception {
		String staged = stage();
		Files.write(store.resolve(staged).resolve("saved_model.pb"),
				new byte[] { 0x0a, (byte) 0xff, 0x13, 0x00, 0x7f });

		HttpResponse<String> response = validate("{\"model\":\"income\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(422);
		JsonNode error = JSON.readTree(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("invalid_saved_model");
		assertThat(error.path("message").asString()).startsWith("TensorFlow cannot load the SavedModel: ")
			.doesNotContain(store.getParent().toString())
			.doesNotContain(store.toRealPath().toString());
		assertThat(error.path("request_id").asString()).isNotBlank();
	}

	/**
	 * Finding 10: a tiny graph whose signature declares a 20,000,000-wide input made the
	 * warm-up call allocate that much; it is refused before any warm-up tensor exists,
	 * and the reason names the input and its declared shape.
	 */
	@Test
	void absurdlyWideDeclaredInputIsRejectedWith422NamingTheInputAndItsShape() throws Exception {
		String staged = ".incoming-" + UUID.randomUUID() + "/model";
		DeclaredShapeModels.export(store.resolve(staged), "pixels", 20_000_000);

		HttpResponse<String> response = validate("{\"model\":\"wide\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(422);
		JsonNode error = JSON.readTree(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("invalid_saved_model");
		assertThat(error.path("message").asString())
			.contains("input 'pixels'", "signature 'serving_default'", "shape [-1, 20000000]",
					"20000000 elements per example", "at most 1048576", "warden.worker.tensorflow.max-input-elements")
			.doesNotContain(store.toRealPath().toString());
	}

	@Test
	void declaredInputWithinTheBoundIsLoadedAndWarmedUp() throws Exception {
		String staged = ".incoming-" + UUID.randomUUID() + "/model";
		DeclaredShapeModels.export(store.resolve(staged), "pixels", 1_048_576);

		HttpResponse<String> response = validate("{\"model\":\"wide\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(JSON.readTree(response.body())
			.path("metadata")
			.path("signature_def")
			.path("signature_def")
			.path("serving_default")
			.path("inputs")
			.path("pixels")
			.path("tensor_shape")
			.path("dim")
			.get(1)
			.path("size")
			.asString()).isEqualTo("1048576");
	}

	@Test
	void directoryWithoutSavedModelPbIsRejectedWith422() throws Exception {
		String staged = stage();
		Files.delete(store.resolve(staged).resolve("saved_model.pb"));

		HttpResponse<String> response = validate("{\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(response.body()).contains("\"code\":\"invalid_saved_model\"", "no saved_model.pb");
	}

	@ParameterizedTest
	@ValueSource(strings = { "../trained/income/1", "..", ".", "", "/etc", "/var", ".incoming-x/../../trained",
			"no-such-dir", "a\\\\b" })
	void pathsOutsideTheStoreOrNotInItAreRefusedWith400(String path) throws Exception {
		HttpResponse<String> response = validate("{\"path\":\"" + path + "\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"code\":\"invalid_argument\"");
	}

	@Test
	void symbolicLinkLeadingOutOfTheStoreIsRefusedWith400() throws Exception {
		Path link = store.resolve(".incoming-" + UUID.randomUUID());
		Files.createSymbolicLink(link, TrainedModels.income());

		HttpResponse<String> response = validate("{\"path\":\"" + link.getFileName() + "\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("outside the model store");
	}

	@Test
	void symbolicLinkInsideTheSavedModelIsRefusedWith400() throws Exception {
		String staged = stage();
		Files.createSymbolicLink(store.resolve(staged).resolve("extra"),
				TrainedModels.income().resolve("saved_model.pb"));

		HttpResponse<String> response = validate("{\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("symbolic links");
	}

	@Test
	void nonJsonBodyIsRefusedWithJsonError() throws Exception {
		HttpResponse<String> response = validate("{not json");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"error\"");
	}

	/**
	 * Copies the trained SavedModel to {@code <store>/.incoming-<uuid>/model}; returns
	 * that path, relative.
	 */
	private static String stage() throws IOException {
		String relative = ".incoming-" + UUID.randomUUID() + "/model";
		FileSystemUtils.copyRecursively(TrainedModels.income(), store.resolve(relative));
		return relative;
	}

	private HttpResponse<String> validate(String body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/validate"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
