package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Open Inference Protocol (KServe v2) through the gateway: the same tenant API key as
 * the TF Serving API, the same answers, and no answer without a key.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenInferenceProtocolIntegrationTests {

	WardenCluster cluster;

	String apiKey;

	@BeforeAll
	void createTenantAndKey(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		apiKey = cluster.newTenantKey("oip");
	}

	@Test
	void inferThroughTheGatewayGivesTheSameProbabilitiesAsPredict() throws Exception {
		var records = EndToEndIntegrationTests.RECORDS;
		var v1 = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(apiKey),
				JsonMapper.shared().writeValueAsString(Map.of("instances", records)));
		var v2 = Http.postJson(cluster.gateway() + "/v2/models/income/infer", Map.of("X-API-Key", apiKey),
				v2Request("oip-1", records));

		assertThat(v1.status()).as(v1.body()).isEqualTo(200);
		assertThat(v2.status()).as(v2.body()).isEqualTo(200);
		assertThat(v2.header("X-Model-Version")).isEqualTo(v1.header("X-Model-Version"));
		var body = v2.json();
		assertThat(body.path("model_name").asString()).isEqualTo("income");
		assertThat(body.path("model_version").asString()).isEqualTo(v1.header("X-Model-Version"));
		assertThat(body.path("id").asString()).isEqualTo("oip-1");
		var probability = output(body, "probability");
		assertThat(probability.path("datatype").asString()).isEqualTo("FP32");
		assertThat(probability.path("shape").get(0).asLong()).isEqualTo(records.size());
		var predictions = v1.json().path("predictions");
		for (int i = 0; i < records.size(); i++) {
			assertThat(probability.path("data").get(i).floatValue())
				.isEqualTo(predictions.get(i).path("probability").floatValue());
		}
	}

	@Test
	void metadataAndReadinessThroughTheGatewayNeedOnlyTheApiKey() throws Exception {
		var metadata = Http.get(cluster.gateway() + "/v2/models/income", Http.bearer(apiKey));

		assertThat(metadata.status()).as(metadata.body()).isEqualTo(200);
		assertThat(metadata.json().path("platform").asString()).isEqualTo("tensorflow_savedmodel");
		var inputs = new ArrayList<String>();
		metadata.json()
			.path("inputs")
			.forEach(input -> inputs.add(input.path("name").asString() + ":" + input.path("datatype").asString()));
		assertThat(inputs).contains("age:FP32", "sex:BYTES").hasSize(14);
		assertThat(Http.get(cluster.gateway() + "/v2/models/income/ready", Http.bearer(apiKey)).status())
			.isEqualTo(200);
		assertThat(Http.get(cluster.gateway() + "/v2/health/ready", Http.bearer(apiKey)).status()).isEqualTo(200);
	}

	@Test
	void withoutAnApiKeyEveryV2PathIs401() throws Exception {
		var infer = Http.postJson(cluster.gateway() + "/v2/models/income/infer", Map.of(),
				v2Request(null, EndToEndIntegrationTests.RECORDS));
		var metadata = Http.get(cluster.gateway() + "/v2/models/income", Map.of());
		var health = Http.get(cluster.gateway() + "/v2/health/ready", Map.of());

		for (var response : List.of(infer, metadata, health)) {
			assertThat(response.status()).isEqualTo(401);
			assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
			assertThat(response.json().path("error").path("request_id").asString())
				.isEqualTo(response.header("X-Request-Id"));
		}
	}

	@Test
	void aWrongDatatypeIsA400NamingTheInputThroughTheGatewayToo() throws Exception {
		var request = v2Request(null, EndToEndIntegrationTests.RECORDS).replaceFirst("\"FP32\"", "\"INT64\"");

		var response = Http.postJson(cluster.gateway() + "/v2/models/income/infer", Http.bearer(apiKey), request);

		assertThat(response.status()).isEqualTo(400);
		assertThat(response.json().path("error").path("message").asString()).contains("expected datatype FP32")
			.contains("got INT64");
	}

	/** One tensor per input, the records' values flattened in row order. */
	private static String v2Request(String id, List<Map<String, Object>> records) {
		var inputs = new ArrayList<Map<String, Object>>();
		for (var name : records.get(0).keySet()) {
			var data = records.stream().map(record -> record.get(name)).toList();
			var input = new LinkedHashMap<String, Object>();
			input.put("name", name);
			input.put("shape", List.of(records.size()));
			input.put("datatype", data.get(0) instanceof String ? "BYTES" : "FP32");
			input.put("data", data);
			inputs.add(input);
		}
		var request = new LinkedHashMap<String, Object>();
		if (id != null) {
			request.put("id", id);
		}
		request.put("inputs", inputs);
		return JsonMapper.shared().writeValueAsString(request);
	}

	private static JsonNode output(JsonNode body, String name) {
		for (var output : body.path("outputs")) {
			if (output.path("name").asString().equals(name)) {
				return output;
			}
		}
		throw new AssertionError("no output " + name + " in " + body);
	}

}
