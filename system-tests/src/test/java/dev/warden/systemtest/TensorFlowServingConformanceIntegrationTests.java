package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * TensorFlow Serving conformance through the gateway, with a tenant's API key: TensorFlow
 * Serving's own test models (unmodified, see
 * {@code inference-worker/src/test/resources/tfserving-testdata/README.md}) brought in as
 * a user migrating from TF Serving would — {@code saved_model_half_plus_two_cpu} uploaded
 * through the admin API as model {@code default} (the name TF Serving's tests use), the
 * others copied into the model store with their zero-padded version directories — and TF
 * Serving's REST tests ({@code tensorflow_model_server_test.py}: predict, columnar
 * predict, classify, regress, status, metadata) with their request bodies and expected
 * answers. The one documented difference: an uploaded version is numbered by Warden (1),
 * where TF Serving's directory says 123; copied versions keep their number. The same
 * models answer the Open Inference Protocol, a model without a classification signature
 * answers 400 naming what is missing, and a model that cannot be loaded is reported
 * (worker status, admin API) while every other model is served.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TensorFlowServingConformanceIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final List<String> COPIED = List.of("saved_model_half_plus_two_tf2_cpu",
			"saved_model_half_plus_two_2_versions", "saved_model_half_plus_three",
			"saved_model_half_plus_two_cpu_with_saved_model_config",
			"saved_model_half_plus_two_cpu_with_empty_saved_model_config");

	WardenCluster cluster;

	Map<String, String> tenant;

	Map<String, String> admin;

	String broken;

	@BeforeAll
	void bringInTheModels(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		this.admin = Http.bearer(cluster.adminToken());
		this.tenant = Http.bearer(cluster.newTenantKey("tf-serving"));
		Path testData = WardenCluster.tfServingTestData();
		for (String model : COPIED) {
			cluster.copyModel(testData.resolve(model), model);
		}
		this.broken = cluster.brokenModel();
		var uploaded = Http.postFile(cluster.gateway() + "/api/admin/models/default/versions", admin, "file",
				"saved_model_half_plus_two_cpu.zip",
				Http.zip(testData.resolve("saved_model_half_plus_two_cpu/00000123")));
		assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
		assertThat(uploaded.json().path("version").asString()).isEqualTo("1");
		// copied models are found by the workers' store polling and then by the gateway's
		// catalogue
		for (String model : COPIED) {
			awaitCatalogue(model, version -> "AVAILABLE".equals(version.path("state").asString()));
		}
		awaitCatalogue(broken, version -> "END".equals(version.path("state").asString()));
		awaitPrediction("/v1/models/default:predict", "{\"instances\": [2.0]}");
	}

	// TensorFlow Serving's REST tests: model "default", their bodies, their expected
	// answers

	@Test
	void testPredictREST() throws Exception {
		var response = post("/v1/models/default:predict", "{\"instances\": [2.0, 3.0, 4.0]}");

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.json()).isEqualTo(JSON.readTree("{\"predictions\": [3.0, 3.5, 4.0]}"));
	}

	@Test
	void testPredictColumnarREST() throws Exception {
		var response = post("/v1/models/default:predict", "{\"inputs\": [2.0, 3.0, 4.0]}");

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.json()).isEqualTo(JSON.readTree("{\"outputs\": [3.0, 3.5, 4.0]}"));
	}

	@Test
	void testClassifyREST() throws Exception {
		var response = post("/v1/models/default:classify",
				"{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}");

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.json()).isEqualTo(JSON.readTree("{\"results\": [[[\"\", 3.0]]]}"));
	}

	@Test
	void testRegressREST() throws Exception {
		var response = post("/v1/models/default:regress",
				"{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}]}");

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.json()).isEqualTo(JSON.readTree("{\"results\": [3.0]}"));
	}

	@Test
	void testGetStatusREST() throws Exception {
		var response = get("/v1/models/default");

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		// TF Serving: "version": "123" (its directory name); an uploaded version is
		// numbered by Warden
		assertThat(response.json()).isEqualTo(JSON.readTree("""
				{"model_version_status": [{"version": "1", "state": "AVAILABLE",
				  "status": {"error_code": "OK", "error_message": ""}}]}"""));
	}

	@Test
	void testGetModelMetadataREST() throws Exception {
		var response = get("/v1/models/default/metadata");
		ObjectNode expected = expectedMetadata("half_plus_two_model_metadata.json");
		((ObjectNode) expected.get("model_spec")).put("version", "1");

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.json()).isEqualTo(expected);
	}

	// the other models TF Serving's CPU build serves, copied into the store as they are

	@Test
	void theCopiedTwoVersionModelKeepsItsVersionNumbersAndTfServingsMetadata() throws Exception {
		String model = "saved_model_half_plus_two_2_versions";
		var status = get("/v1/models/" + model);
		var metadata = get("/v1/models/" + model + "/metadata");
		ObjectNode expected = expectedMetadata("saved_model_half_plus_two_2_versions_metadata.json");
		// the default version policy serves the latest version; 124 has the same graph as
		// 123
		((ObjectNode) expected.get("model_spec")).put("version", "124");

		assertThat(status.json()).isEqualTo(JSON.readTree("""
				{"model_version_status": [{"version": "124", "state": "AVAILABLE",
				  "status": {"error_code": "OK", "error_message": ""}}]}"""));
		assertThat(metadata.json()).isEqualTo(expected);
		assertThat(post("/v1/models/" + model + "/versions/124:regress",
				"{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}]}")
			.json()).isEqualTo(JSON.readTree("{\"results\": [3.0]}"));
	}

	@Test
	void theTf2ExportPredictsClassifiesAndRegresses() throws Exception {
		String model = "saved_model_half_plus_two_tf2_cpu";

		assertThat(post("/v1/models/" + model + ":predict", "{\"instances\": [2.0]}").json())
			.isEqualTo(JSON.readTree("{\"predictions\": [3.0]}"));
		assertThat(post("/v1/models/" + model + ":classify",
				"{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}")
			.json()).isEqualTo(JSON.readTree("{\"results\": [[[\"\", 3.0]]]}"));
		assertThat(post("/v1/models/" + model + ":regress",
				"{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}]}")
			.json()).isEqualTo(JSON.readTree("{\"results\": [3.0]}"));
		assertThat(get("/v1/models/" + model).json().path("model_version_status").get(0).path("version").asString())
			.isEqualTo("123");
	}

	@ParameterizedTest
	@ValueSource(strings = { "saved_model_half_plus_two_cpu_with_saved_model_config",
			"saved_model_half_plus_two_cpu_with_empty_saved_model_config" })
	void theVariantsWithASavedModelConfigServe(String model) throws Exception {
		assertThat(post("/v1/models/" + model + ":predict", "{\"instances\": [2.0, 3.0, 4.0]}").json())
			.isEqualTo(JSON.readTree("{\"predictions\": [3.0, 3.5, 4.0]}"));
	}

	@Test
	void halfPlusThreeServes() throws Exception {
		assertThat(post("/v1/models/saved_model_half_plus_three:predict", "{\"instances\": [2.0, 3.0, 4.0]}").json())
			.isEqualTo(JSON.readTree("{\"predictions\": [4.0, 4.5, 5.0]}"));
	}

	@Test
	void theSameModelsAnswerTheOpenInferenceProtocol() throws Exception {
		var infer = post("/v2/models/default/infer",
				"{\"inputs\": [{\"name\": \"x\", \"shape\": [3, 1], \"datatype\": \"FP32\", \"data\": [2.0, 3.0, 4.0]}]}");
		var tf2 = post("/v2/models/saved_model_half_plus_two_tf2_cpu/infer",
				"{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [2.0]}]}");

		assertThat(infer.status()).as(infer.body()).isEqualTo(200);
		assertThat(infer.json().path("outputs").get(0).path("data")).isEqualTo(JSON.readTree("[3.0, 3.5, 4.0]"));
		assertThat(infer.json().path("model_version").asString()).isEqualTo("1");
		assertThat(tf2.json().path("outputs").get(0).path("data")).isEqualTo(JSON.readTree("[3.0]"));
	}

	@Test
	void classifyOnAModelWithoutAClassificationSignatureIs400NamingWhatIsMissing() throws Exception {
		var income = post("/v1/models/income:classify", "{\"examples\": [{\"age\": 39}]}");

		assertThat(income.status()).as(income.body()).isEqualTo(400);
		assertThat(income.json().path("error").path("code").asString()).isEqualTo("invalid_argument");
		assertThat(income.json().path("error").path("message").asString())
			.startsWith("signature 'serving_default' cannot classify: it is tensorflow/serving/predict with inputs [")
			.endsWith("(model income has no classification signature)");
	}

	// a model that cannot be loaded is reported, and the others are served

	@Test
	void aModelThatCannotBeLoadedIsReportedWithItsErrorAndEveryOtherModelIsServed() throws Exception {
		var status = get("/v1/models/" + broken).json().path("model_version_status").get(0);
		var catalogued = Http.get(cluster.gateway() + "/api/admin/models/" + broken, admin)
			.json()
			.path("versions")
			.get(0);

		assertThat(status.path("state").asString()).isEqualTo("END");
		assertThat(status.path("status").path("error_code").asString()).isEqualTo("UNKNOWN");
		assertThat(status.path("status").path("error_message").asString())
			.startsWith("cannot load SavedModel " + broken + "/1");
		assertThat(catalogued.path("state").asString()).isEqualTo("END");
		assertThat(catalogued.path("error").asString())
			.isEqualTo(status.path("status").path("error_message").asString());
		assertThat(Http.get(cluster.gateway() + "/v2/health/ready", tenant).status()).isEqualTo(200);
		assertThat(post("/v1/models/income:predict",
				JSON.writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS)))
			.status()).isEqualTo(200);
		assertThat(post("/v1/models/" + broken + ":predict", "{\"instances\": [1.0]}").status()).isEqualTo(404);
	}

	private ObjectNode expectedMetadata(String file) throws Exception {
		return (ObjectNode) JSON.readTree(Files.readString(WardenCluster.tfServingTestData().resolve(file)));
	}

	private void awaitCatalogue(String model, Predicate<JsonNode> versionReady) throws Exception {
		var deadline = Instant.now().plus(Duration.ofMinutes(2));
		Http.Response last;
		do {
			last = Http.get(cluster.gateway() + "/api/admin/models/" + model, admin);
			if (last.status() == 200) {
				for (JsonNode version : last.json().path("versions")) {
					if (versionReady.test(version)) {
						return;
					}
				}
			}
			Thread.sleep(250);
		}
		while (Instant.now().isBefore(deadline));
		throw new AssertionError("model " + model + " not in the catalogue as expected within 2 minutes: "
				+ last.status() + " " + last.body());
	}

	private void awaitPrediction(String path, String body) throws Exception {
		var deadline = Instant.now().plus(Duration.ofMinutes(1));
		Http.Response last;
		do {
			last = post(path, body);
			if (last.status() == 200) {
				return;
			}
			Thread.sleep(200);
		}
		while (Instant.now().isBefore(deadline));
		throw new AssertionError(path + " not served within a minute: " + last.status() + " " + last.body());
	}

	private Http.Response get(String path) throws Exception {
		return Http.get(cluster.gateway() + path, tenant);
	}

	private Http.Response post(String path, String body) throws Exception {
		return Http.postJson(cluster.gateway() + path, tenant, body);
	}

}
