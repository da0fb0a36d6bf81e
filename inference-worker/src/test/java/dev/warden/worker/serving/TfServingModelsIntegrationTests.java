package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.warden.worker.TfServingTestData;
import dev.warden.worker.WorkerApplication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * TensorFlow Serving's own test models in the worker, with the model names and the
 * request and answer bodies of TF Serving's REST tests
 * ({@code tensorflow_model_server_test.py}), over real HTTP; and what surrounds them:
 * every model variant TF Serving's CPU build serves, classify and regress with examples
 * and context, the 400s that name what is missing, the Open Inference Protocol on the
 * same models. The store also holds a model that cannot load and one whose signatures
 * cannot all be warmed up: neither keeps the others from being served.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TfServingModelsIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path store;

	private static boolean filled;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> filledStore().toString());
		// TF Serving's expected metadata of the two-version model is for version 123:
		// serve both
		registry.add("warden.worker.lifecycle.models[two_versions].version-policy", () -> "all");
	}

	/**
	 * The models under the names the tests use, copied unchanged (zero-padded version
	 * directories included).
	 */
	static synchronized Path filledStore() {
		if (!filled) {
			TfServingTestData.copy(TfServingTestData.HALF_PLUS_TWO, store, "default");
			TfServingTestData.copy(TfServingTestData.HALF_PLUS_TWO_TF2, store, "tf2");
			TfServingTestData.copy(TfServingTestData.TWO_VERSIONS, store, "two_versions");
			TfServingTestData.copy(TfServingTestData.HALF_PLUS_THREE, store, "half_plus_three");
			TfServingTestData.copy(TfServingTestData.WITH_CONFIG, store, "with_config");
			TfServingTestData.copy(TfServingTestData.WITH_EMPTY_CONFIG, store, "with_empty_config");
			TfServingTestData.awkwardModel(store.resolve("awkward").resolve("1"));
			try {
				Path broken = Files.createDirectories(store.resolve("broken").resolve("1"));
				// TensorFlow names the file it cannot parse: the status must not show
				// where the store is
				Files.writeString(broken.resolve("saved_model.pb"), "not a SavedModel\n");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			filled = true;
		}
		return store;
	}

	// TF Serving's REST tests, with their model name, bodies and expected answers

	@Test
	void testPredictREST() throws Exception {
		HttpResponse<String> response = post("/v1/models/default:predict", "{\"instances\": [2.0, 3.0, 4.0]}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"predictions\": [3.0, 3.5, 4.0]}"));
		assertThat(response.headers().firstValue("X-Model-Version")).hasValue("123");
	}

	@Test
	void testPredictColumnarREST() throws Exception {
		HttpResponse<String> response = post("/v1/models/default:predict", "{\"inputs\": [2.0, 3.0, 4.0]}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"outputs\": [3.0, 3.5, 4.0]}"));
	}

	@Test
	void testClassifyREST() throws Exception {
		HttpResponse<String> response = post("/v1/models/default:classify",
				"{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"results\": [[[\"\", 3.0]]]}"));
	}

	@Test
	void testRegressREST() throws Exception {
		HttpResponse<String> response = post("/v1/models/default:regress",
				"{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}]}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"results\": [3.0]}"));
	}

	@Test
	void testGetStatusREST() throws Exception {
		HttpResponse<String> response = get("/v1/models/default");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("""
				{"model_version_status": [{"version": "123", "state": "AVAILABLE",
				  "status": {"error_code": "OK", "error_message": ""}}]}"""));
	}

	@Test
	void testGetModelMetadataREST() throws Exception {
		HttpResponse<String> response = get("/v1/models/default/metadata");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(response.body()))
			.isEqualTo(TfServingTestData.expectedMetadata("half_plus_two_model_metadata.json"));
	}

	// the other models TF Serving's CPU build serves

	@Test
	void theTwoVersionModelServesBothVersionsWithTfServingsMetadata() throws Exception {
		HttpResponse<String> metadata = get("/v1/models/two_versions/versions/123/metadata");
		ObjectNode expected = (ObjectNode) TfServingTestData
			.expectedMetadata("saved_model_half_plus_two_2_versions_metadata.json");
		((ObjectNode) expected.get("model_spec")).put("name", "two_versions");

		assertThat(JSON.readTree(metadata.body())).isEqualTo(expected);
		assertThat(JSON.readTree(get("/v1/models/two_versions").body()).get("model_version_status"))
			.extracting(status -> status.get("version").stringValue() + " " + status.get("state").stringValue())
			.containsExactly("124 AVAILABLE", "123 AVAILABLE");
		for (String version : new String[] { "123", "124" }) {
			HttpResponse<String> regress = post("/v1/models/two_versions/versions/" + version + ":regress",
					"{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}, {\"x\": 4.0}]}");
			assertThat(JSON.readTree(regress.body())).as(version).isEqualTo(JSON.readTree("{\"results\": [3.0, 4.0]}"));
			assertThat(regress.headers().firstValue("X-Model-Version")).hasValue(version);
		}
	}

	@Test
	void theTf2ExportClassifiesAndRegressesThroughItsPredictMethodSignaturesAsTfServingDoes() throws Exception {
		HttpResponse<String> classify = post("/v1/models/tf2:classify",
				"{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}, {\"x\": 6.0}]}");
		HttpResponse<String> regress = post("/v1/models/tf2:regress",
				"{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}]}");
		HttpResponse<String> predict = post("/v1/models/tf2:predict", "{\"instances\": [2.0]}");

		assertThat(JSON.readTree(classify.body()))
			.isEqualTo(JSON.readTree("{\"results\": [[[\"\", 3.0]], [[\"\", 5.0]]]}"));
		assertThat(JSON.readTree(regress.body())).isEqualTo(JSON.readTree("{\"results\": [3.0]}"));
		assertThat(JSON.readTree(predict.body())).isEqualTo(JSON.readTree("{\"predictions\": [3.0]}"));
		assertThat(JSON.readTree(get("/v1/models/tf2").body())
			.get("model_version_status")
			.get(0)
			.get("state")
			.stringValue()).isEqualTo("AVAILABLE");
	}

	@Test
	void theTf2ExportsMetadataHasTfServingsSignatures() throws Exception {
		JsonNode actual = JSON.readTree(get("/v1/models/tf2/metadata").body())
			.get("metadata")
			.get("signature_def")
			.get("signature_def");
		JsonNode expected = TfServingTestData.expectedMetadata("saved_model_half_plus_two_tf2_2_versions_metadata.json")
			.get("metadata")
			.get("signature_def")
			.get("signature_def");

		assertThat(fieldNames(actual)).containsExactlyInAnyOrderElementsOf(fieldNames(expected));
		for (String signature : fieldNames(expected)) {
			assertThat(actual.get(signature).get("method_name")).as(signature)
				.isEqualTo(expected.get(signature).get("method_name"));
			for (String side : new String[] { "inputs", "outputs" }) {
				for (String name : fieldNames(expected.get(signature).get(side))) {
					JsonNode want = expected.get(signature).get(side).get(name);
					JsonNode got = actual.get(signature).get(side).get(name);
					assertThat(got.get("dtype")).as(signature + " " + name).isEqualTo(want.get("dtype"));
					assertThat(got.get("tensor_shape")).as(signature + " " + name).isEqualTo(want.get("tensor_shape"));
				}
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "with_config", "with_empty_config" })
	void theVariantsWithASavedModelConfigServeLikeTheModelItself(String model) throws Exception {
		HttpResponse<String> predict = post("/v1/models/" + model + ":predict", "{\"instances\": [2.0, 3.0, 4.0]}");
		HttpResponse<String> classify = post("/v1/models/" + model + ":classify",
				"{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}");

		assertThat(JSON.readTree(predict.body())).isEqualTo(JSON.readTree("{\"predictions\": [3.0, 3.5, 4.0]}"));
		assertThat(JSON.readTree(classify.body())).isEqualTo(JSON.readTree("{\"results\": [[[\"\", 3.0]]]}"));
	}

	@Test
	void halfPlusThreeServesItsSoundSignatureAndListsTheOneInconsistentWithItsGraph() throws Exception {
		HttpResponse<String> predict = post("/v1/models/half_plus_three:predict", "{\"instances\": [1.0, 2.0, 3.0]}");
		JsonNode signatures = JSON.readTree(get("/v1/models/half_plus_three/metadata").body())
			.get("metadata")
			.get("signature_def")
			.get("signature_def");
		HttpResponse<String> regress = post("/v1/models/half_plus_three:regress",
				"{\"signature_name\": \"tensorflow/serving/regress\", \"examples\": [{\"x\": 1.0}]}");

		assertThat(JSON.readTree(predict.body())).isEqualTo(JSON.readTree("{\"predictions\": [3.5, 4.0, 4.5]}"));
		assertThat(fieldNames(signatures)).containsExactlyInAnyOrder("serving_default", "tensorflow/serving/regress");
		assertThat(regress.statusCode()).isEqualTo(400);
		assertThat(message(regress)).startsWith("signature 'tensorflow/serving/regress' cannot be served: "
				+ "input 'inputs' declares DT_FLOAT but tf_example:0 is DT_STRING in the graph");
	}

	@Test
	void theOpenInferenceProtocolAnswersThePredictSignatures() throws Exception {
		HttpResponse<String> v1Shape = post("/v2/models/default/infer",
				"{\"inputs\": [{\"name\": \"x\", \"shape\": [3, 1], \"datatype\": \"FP32\", \"data\": [2.0, 3.0, 4.0]}]}");
		HttpResponse<String> tf2 = post("/v2/models/tf2/infer",
				"{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [2.0]}]}");

		assertThat(v1Shape.statusCode()).as(v1Shape.body()).isEqualTo(200);
		JsonNode y = JSON.readTree(v1Shape.body()).get("outputs").get(0);
		assertThat(y.get("name").stringValue()).isEqualTo("y");
		assertThat(y.get("shape")).isEqualTo(JSON.readTree("[3, 1]"));
		assertThat(y.get("data")).isEqualTo(JSON.readTree("[3.0, 3.5, 4.0]"));
		assertThat(JSON.readTree(tf2.body()).get("outputs").get(0).get("data")).isEqualTo(JSON.readTree("[3.0]"));
		assertThat(JSON.readTree(get("/v2/models/default").body()).get("versions"))
			.isEqualTo(JSON.readTree("[\"123\"]"));
	}

	// classify and regress: TF Serving's JSON mapping, context, and what Warden checks
	// first

	@Test
	void contextFeaturesGoIntoEveryExampleAndIntegersFeedAFloatFeature() throws Exception {
		HttpResponse<String> regress = post("/v1/models/default:regress",
				"{\"signature_name\": \"regress_x_to_y\", \"context\": {\"x\": 2}, \"examples\": [{}, {}]}");
		HttpResponse<String> integers = post("/v1/models/default:regress",
				"{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 4}, {\"x\": [6.0]}]}");

		assertThat(JSON.readTree(regress.body())).isEqualTo(JSON.readTree("{\"results\": [3.0, 3.0]}"));
		assertThat(JSON.readTree(integers.body())).isEqualTo(JSON.readTree("{\"results\": [4.0, 5.0]}"));
	}

	@Test
	void aModelWithoutAClassificationSignatureAnswers400NamingWhatIsMissing() throws Exception {
		HttpResponse<String> noSignatureName = post("/v1/models/default:classify", "{\"examples\": [{\"x\": 2.0}]}");
		HttpResponse<String> noneAtAll = post("/v1/models/half_plus_three:classify", "{\"examples\": [{\"x\": 2.0}]}");
		HttpResponse<String> floatInput = post("/v1/models/two_versions:regress",
				"{\"signature_name\": \"regress_x2_to_y3\", \"examples\": [{\"x2\": 2.0}]}");
		HttpResponse<String> wrongMethod = post("/v1/models/default:regress",
				"{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}");

		assertThat(noSignatureName.statusCode()).isEqualTo(400);
		assertThat(message(noSignatureName)).isEqualTo("signature 'serving_default' cannot classify: it is "
				+ "tensorflow/serving/predict with inputs [x] and outputs [y]; a classification signature (method_name "
				+ "tensorflow/serving/classify) takes one DT_STRING input 'inputs' of serialized tf.Example and outputs "
				+ "'classes' and/or 'scores' (classification signatures of model default: [classify_x_to_y]: pass one "
				+ "as signature_name)");
		assertThat(message(noneAtAll)).contains("cannot classify")
			.endsWith("(model half_plus_three has no " + "classification signature)");
		assertThat(message(floatInput)).contains("its input 'inputs' is DT_FLOAT, not serialized tf.Example");
		assertThat(message(wrongMethod)).startsWith("signature 'classify_x_to_y' cannot regress");
	}

	@Test
	void examplesAreCheckedAgainstTheFeaturesTheModelParses() throws Exception {
		String regress = "{\"signature_name\": \"regress_x_to_y\", ";
		assertThat(message(post("/v1/models/default:regress", regress + "\"examples\": [{\"x2\": 1.0}]}")))
			.isEqualTo("feature 'x' is required by the model (float [1]), got nothing in examples[0]");
		assertThat(message(post("/v1/models/default:regress", regress + "\"examples\": [{\"x\": \"two\"}]}")))
			.isEqualTo("feature 'x': the model parses float [1], got string \"two\" in examples[0]");
		assertThat(
				message(post("/v1/models/default:regress", regress + "\"examples\": [{\"x\": 1}, {\"x\": [1, 2]}]}")))
			.isEqualTo("feature 'x': the model parses float [1], which needs 1 value, got 2 in examples[1]");
		assertThat(message(
				post("/v1/models/default:regress", regress + "\"context\": {\"x\": 1}, \"examples\": [{\"x\": 2}]}")))
			.isEqualTo(
					"feature 'x' is in 'context' and in examples[0]; a context feature must not appear in the examples");
		assertThat(message(post("/v1/models/default:regress", regress + "\"examples\": [{\"x\": NaN}]}")))
			.isEqualTo("feature 'x': expected a finite number, got NaN in examples[0]");
		assertThat(message(post("/v1/models/default:regress", regress + "\"examples\": []}")))
			.startsWith("'examples' must be a non-empty array");
		assertThat(message(post("/v1/models/default:regress", regress + "\"instances\": [1]}")))
			.isEqualTo("unknown field 'instances' (expected signature_name, context and examples)");
		assertThat(message(post("/v1/models/default:regress", regress + "\"examples\": [{\"x\": {\"b64\": \"!\"}}]}")))
			.startsWith("feature 'x': the model parses float [1], got an object");
	}

	@Test
	void verbsAreSplitFromTheirSegmentAndAnsweredWithTheRightStatus() throws Exception {
		assertThat(get("/v1/models/default:classify").statusCode()).isEqualTo(405);
		assertThat(post("/v1/models/default:explode", "{}").statusCode()).isEqualTo(404);
		assertThat(message(post("/v1/models/default:explode", "{}")))
			.isEqualTo("unknown method ':explode' (supported: :predict, :classify, :regress, :explain)");
		assertThat(post("/v1/models/nope:classify", "{\"examples\": [{}]}").statusCode()).isEqualTo(404);
	}

	// what does not load or warm up stays out of the way

	@Test
	void aSignatureThatCannotBeWarmedUpIsListedAndItsModelIsServed() throws Exception {
		JsonNode awkward = model(JSON.readTree(get("/v1/models").body()), "awkward");

		assertThat(awkward.get("versions").get(0).get("state").stringValue()).isEqualTo("AVAILABLE");
		assertThat(awkward.get("versions").get(0).get("warnings")).extracting(JsonNode::stringValue)
			.anySatisfy(warning -> assertThat(warning).startsWith("signature 'half_precision' was not warmed up: "))
			.anySatisfy(warning -> assertThat(warning).startsWith("signature 'decode' was not warmed up: "));
		assertThat(JSON.readTree(post("/v1/models/awkward:predict", "{\"instances\": [1.5]}").body()))
			.isEqualTo(JSON.readTree("{\"predictions\": [3.0]}"));
	}

	@Test
	void aModelThatFailsToLoadIsReportedWithItsErrorAndTheWorkerStaysReadyForTheOthers() throws Exception {
		JsonNode status = JSON.readTree(get("/v1/models/broken").body()).get("model_version_status").get(0);
		JsonNode listed = model(JSON.readTree(get("/v1/models").body()), "broken").get("versions").get(0);

		assertThat(status.get("state").stringValue()).isEqualTo("END");
		assertThat(status.get("status").get("error_code").stringValue()).isEqualTo("UNKNOWN");
		assertThat(status.get("status").get("error_message").stringValue())
			.startsWith("cannot load SavedModel broken/1")
			.contains("<store>/broken/1/saved_model.pb")
			.doesNotContain(store.toString());
		assertThat(listed.get("error").stringValue())
			.isEqualTo(status.get("status").get("error_message").stringValue());
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		assertThat(get("/v2/health/ready").statusCode()).isEqualTo(200);
		assertThat(get("/v2/models/broken/ready").statusCode()).isEqualTo(400);
		assertThat(post("/v1/models/broken:predict", "{\"instances\": [1.0]}").statusCode()).isEqualTo(404);
	}

	private static JsonNode model(JsonNode listing, String name) {
		for (JsonNode model : listing.get("models")) {
			if (model.get("name").stringValue().equals(name)) {
				return model;
			}
		}
		throw new AssertionError("no model " + name + " in " + listing);
	}

	private static java.util.List<String> fieldNames(JsonNode node) {
		return java.util.List.copyOf(node.propertyNames());
	}

	private static String message(HttpResponse<String> response) {
		return JSON.readTree(response.body()).get("error").get("message").stringValue();
	}

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
