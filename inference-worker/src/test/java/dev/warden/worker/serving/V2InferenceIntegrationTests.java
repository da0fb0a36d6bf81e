package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Open Inference Protocol (KServe v2) on the worker, over real HTTP, with a real
 * (small, trained) TensorFlow model, next to the TF Serving API it must agree with; and
 * the request size limit on both APIs.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class V2InferenceIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final String ROW_1 = """
			{"age":39,"workclass":"State-gov","fnlwgt":77516,"education":"Bachelors","education_num":13,\
			"marital_status":"Never-married","occupation":"Adm-clerical","relationship":"Not-in-family","race":"White",\
			"sex":"Male","capital_gain":2174,"capital_loss":0,"hours_per_week":40,"native_country":"United-States"}""";

	static final String ROW_2 = """
			{"age":52,"workclass":"Self-emp-inc","fnlwgt":287927,"education":"HS-grad","education_num":9,\
			"marital_status":"Married-civ-spouse","occupation":"Exec-managerial","relationship":"Wife","race":"White",\
			"sex":"Female","capital_gain":15024,"capital_loss":0,"hours_per_week":40,"native_country":""}""";

	private static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

	@TempDir
	static Path store;

	private static boolean filled;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> filledStore().toString());
	}

	/**
	 * Filled once, before the worker starts: the trained {@code income} as version 1,
	 * next to a model whose only version cannot load.
	 */
	static synchronized Path filledStore() {
		if (!filled) {
			try {
				TrainedModels.copyInto(TrainedModels.income(), store, "income", 1);
				Path broken = Files.createDirectories(store.resolve("broken").resolve("1"));
				Files.writeString(broken.resolve("saved_model.pb"), "not a protobuf");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			filled = true;
		}
		return store;
	}

	/**
	 * {@link DirectInferenceFilter} serves the plain infer paths itself; a name with a
	 * percent-encoded letter is the same servable for MVC but not plain, so it goes
	 * through MVC. Each answer and error must be the same both ways.
	 */
	@Test
	void inferAnswersAndErrorsAreTheSameWithAndWithoutTheDirectPath() throws Exception {
		String good = v2Body("req-7", ROW_1, ROW_2).toString();
		List<String[]> cases = List.of(new String[] { "/v2/models/income/infer", good },
				new String[] { "/v2/models/income/versions/1/infer", good },
				new String[] { "/v2/models/income/infer", "{\"inputs\":[" },
				new String[] { "/v2/models/income/infer", mutate("MISSING_age") },
				new String[] { "/v2/models/income/infer", "[]" },
				new String[] { "/v2/models/income/versions/999/infer", good },
				new String[] { "/v2/models/nosuchmodel/infer", good });
		for (String[] c : cases) {
			String mvcPath = "/v2/models/" + SameAnswers.percentEncodeFirst(c[0].substring("/v2/models/".length()));
			SameAnswers.assertSame(post(c[0], c[1]), post(mvcPath, c[1]), c[0] + " " + c[1]);
		}
	}

	@Test
	void inferAnswersWhatTheTfServingApiAnswersForTheSameRows() throws Exception {
		HttpResponse<String> v1 = post("/v1/models/income:predict", "{\"instances\":[" + ROW_1 + "," + ROW_2 + "]}");
		HttpResponse<String> v2 = post("/v2/models/income/infer", v2Body("req-42", ROW_1, ROW_2).toString());

		assertThat(v2.statusCode()).as(v2.body()).isEqualTo(200);
		assertThat(v2.headers().firstValue("X-Model-Version")).hasValue("1");
		JsonNode body = JSON.readTree(v2.body());
		assertThat(body.get("model_name").stringValue()).isEqualTo("income");
		assertThat(body.get("model_version").stringValue()).isEqualTo("1");
		assertThat(body.get("id").stringValue()).isEqualTo("req-42");
		JsonNode probability = output(body, "probability");
		assertThat(probability.get("datatype").stringValue()).isEqualTo("FP32");
		assertThat(longs(probability.get("shape"))).containsExactly(2L);
		JsonNode classId = output(body, "class_id");
		assertThat(classId.get("datatype").stringValue()).isEqualTo("INT64");
		JsonNode probabilities = output(body, "probabilities");
		assertThat(longs(probabilities.get("shape"))).containsExactly(2L, 2L);
		assertThat(probabilities.get("data").size()).isEqualTo(4);

		JsonNode predictions = JSON.readTree(v1.body()).get("predictions");
		for (int row = 0; row < 2; row++) {
			JsonNode expected = predictions.get(row);
			assertThat(probability.get("data").get(row).floatValue())
				.isEqualTo(expected.get("probability").floatValue());
			assertThat(classId.get("data").get(row).longValue()).isEqualTo(expected.get("class_id").longValue());
			// row-major: the two class probabilities of row r are data[2r] and data[2r +
			// 1]
			assertThat(probabilities.get("data").get(2 * row + 1).floatValue())
				.isEqualTo(expected.get("probabilities").get(1).floatValue());
		}
	}

	@Test
	void requestedOutputsAreTheOnlyOnesAnsweredInTheRequestedOrder() throws Exception {
		ObjectNode request = v2Body(null, ROW_1);
		request.putArray("outputs")
			.add(JSON.createObjectNode().put("name", "class_id"))
			.add(JSON.createObjectNode().put("name", "probability"));

		HttpResponse<String> response = post("/v2/models/income/versions/1/infer", request.toString());

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.has("id")).isFalse();
		List<String> names = new ArrayList<>();
		body.get("outputs").forEach(output -> names.add(output.get("name").stringValue()));
		assertThat(names).containsExactly("class_id", "probability");
	}

	@Test
	void metadataNamesTheTensorsWithProtocolDatatypesAndVariableDimensionsAsMinusOne() throws Exception {
		HttpResponse<String> response = get("/v2/models/income");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Model-Version")).hasValue("1");
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.get("name").stringValue()).isEqualTo("income");
		assertThat(body.get("platform").stringValue()).isEqualTo("tensorflow_savedmodel");
		assertThat(body.get("versions").get(0).stringValue()).isEqualTo("1");
		assertThat(body.get("inputs").size()).isEqualTo(14);
		JsonNode age = tensor(body.get("inputs"), "age");
		assertThat(age.get("datatype").stringValue()).isEqualTo("FP32");
		assertThat(longs(age.get("shape"))).containsExactly(-1L);
		assertThat(tensor(body.get("inputs"), "sex").get("datatype").stringValue()).isEqualTo("BYTES");
		assertThat(tensor(body.get("outputs"), "class_id").get("datatype").stringValue()).isEqualTo("INT64");
		assertThat(longs(tensor(body.get("outputs"), "probabilities").get("shape"))).containsExactly(-1L, 2L);
		assertThat(get("/v2/models/income/versions/1").statusCode()).isEqualTo(200);
	}

	@Test
	void serverMetadataNamesTheServer() throws Exception {
		HttpResponse<String> response = get("/v2");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.get("name").stringValue()).isNotBlank();
		assertThat(body.get("version").stringValue()).isNotBlank();
		assertThat(body.get("extensions").isArray()).isTrue();
	}

	@Test
	void healthAnswersWithTheStatusCodeAndAnEmptyBody() throws Exception {
		for (String path : List.of("/v2/health/live", "/v2/models/income/ready",
				"/v2/models/income/versions/1/ready")) {
			HttpResponse<String> response = get(path);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			assertThat(response.body()).as(path).isEmpty();
		}
	}

	@Test
	void theServerIsReadyAlthoughOneModelFailedToLoadAndThatModelIsNot() throws Exception {
		// the store holds a model whose only version cannot load: it is not ready, the
		// server and income are
		HttpResponse<String> ready = get("/v2/health/ready");

		assertThat(ready.statusCode()).isEqualTo(200);
		assertThat(ready.body()).isEmpty();
		assertThat(get("/v2/models/income/ready").statusCode()).isEqualTo(200);
		assertThat(get("/v2/models/broken/ready").statusCode()).isEqualTo(400);
	}

	@Test
	void aModelThatIsNotReadyIsA4xxAndAnUnknownOneA404() throws Exception {
		HttpResponse<String> broken = get("/v2/models/broken/ready");
		assertThat(broken.statusCode()).isEqualTo(400);
		assertThat(errorCode(broken)).isEqualTo("model_not_ready");
		assertThat(JSON.readTree(broken.body()).get("error").get("message").stringValue()).contains("END");
		assertThat(get("/v2/models/broken/versions/1/ready").statusCode()).isEqualTo(400);

		for (String path : List.of("/v2/models/nope/ready", "/v2/models/income/versions/9/ready", "/v2/models/nope",
				"/v2/models/income/versions/9", "/v2/models/broken")) {
			HttpResponse<String> response = get(path);
			assertThat(response.statusCode()).as(path).isEqualTo(404);
			assertThat(errorCode(response)).as(path).isEqualTo("model_not_found");
		}
		HttpResponse<String> infer = post("/v2/models/nope/infer", v2Body(null, ROW_1).toString());
		assertThat(infer.statusCode()).isEqualTo(404);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '~',
			textBlock = """
					wrong datatype          | age.datatype="INT64"                 | input 'age': expected datatype FP32 (DT_FLOAT, shape [-1]), got INT64 in inputs[0]
					not a datatype          | sex.datatype="STRING"                | input 'sex': expected datatype BYTES (DT_STRING, shape [-1]), got 'STRING', which is not a data type of the protocol
					shape disagrees         | age.shape=[3]                        | input 'age': expected 3 values for shape [3] (DT_FLOAT, shape [-1]), got 2 values in inputs[0]
					wrong rank              | age.shape=[2,1]                      | input 'age': expected a tensor of rank 1 (DT_FLOAT, shape [-1]), got shape [2, 1]
					negative shape          | age.shape=[-2]                       | input 'age': expected 'shape' as an array of non-negative integers
					empty batch             | age.shape=[0]                        | input 'age': expected at least one row, got none
					string for number       | age.data=["39", 52]                  | input 'age': expected a number (DT_FLOAT, shape [-1]), got string "39" in inputs[0].data[0]
					number for bytes        | sex.data=[1, 2]                      | input 'sex': expected a string (DT_STRING, shape [-1]), got number 1
					NaN                     | age.data=[NaN, 1]                    | input 'age': expected a finite number (DT_FLOAT, shape [-1]), got NaN in inputs[0].data[0]
					Infinity                | capital_gain.data=[1, -Infinity]     | input 'capital_gain': expected a finite number (DT_FLOAT, shape [-1]), got Infinity
					rows disagree           | TWO_AND_ONE                          | all inputs need the same number of rows
					missing input           | MISSING_sex                          | missing input 'sex'
					extra input             | EXTRA_colour                         | unknown input 'colour'
					input twice             | TWICE_age                            | input 'age' is given twice
					missing data            | age.data=REMOVE                      | input 'age': missing 'data' in inputs[0]
					unknown input field     | age.content=1                        | unknown field 'content' in inputs[0]
					unknown output          | OUTPUT_nope                          | unknown output 'nope'
					unknown top-level field | TOP_instances                        | unknown field 'instances'
					id not a string         | TOP_id                               | 'id' must be a string
					empty inputs            | EMPTY_INPUTS                         | 'inputs' must not be empty
					parameter an object     | age.parameters={"a":{}}              | parameter 'a' of 'parameters' in inputs[0] must be a string, number or boolean
					unknown signature       | SIGNATURE_explain                    | unknown signature_name 'explain'
					""")
	void invalidTensorsAre400WithAMessageNamingTheInput(String name, String mutation, String message) throws Exception {
		HttpResponse<String> response = post("/v2/models/income/infer", mutate(mutation));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		JsonNode error = JSON.readTree(response.body()).get("error");
		assertThat(error.get("code").stringValue()).isEqualTo("invalid_argument");
		assertThat(error.get("message").stringValue()).contains(message);
		assertThat(error.get("request_id").stringValue())
			.isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
	}

	@Test
	void wrongMethodAndMediaTypeAreJsonErrors() throws Exception {
		assertThat(get("/v2/models/income/infer").statusCode()).isEqualTo(405);
		HttpResponse<String> text = send(HttpRequest.newBuilder(uri("/v2/models/income/infer"))
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString(v2Body(null, ROW_1).toString())));
		assertThat(text.statusCode()).isEqualTo(415);
		assertThat(errorCode(text)).isEqualTo("unsupported_media_type");
		assertThat(errorCode(post("/v2/models/income/infer", "{\"inputs\":["))).isEqualTo("invalid_argument");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/v1/models/income:predict", "/v2/models/income/infer" })
	void aBodyOfExactlyTheLimitIsServedAndOneByteMoreIs413(String path) throws Exception {
		String request = path.startsWith("/v1") ? "{\"instances\":[" + ROW_1 + "]}" : v2Body(null, ROW_1).toString();
		byte[] atLimit = padded(request, MAX_REQUEST_BYTES);
		byte[] overLimit = padded(request, MAX_REQUEST_BYTES + 1);

		assertThat(post(path, atLimit, false).statusCode()).isEqualTo(200);
		assertThat(post(path, atLimit, true).statusCode()).isEqualTo(200);
		for (boolean chunked : new boolean[] { false, true }) {
			HttpResponse<String> response = post(path, overLimit, chunked);
			assertThat(response.statusCode()).as("chunked: " + chunked).isEqualTo(413);
			JsonNode error = JSON.readTree(response.body()).get("error");
			assertThat(error.get("code").stringValue()).isEqualTo("payload_too_large");
			assertThat(error.get("message").stringValue()).contains(Integer.toString(MAX_REQUEST_BYTES));
			assertThat(error.get("request_id").stringValue()).isNotBlank();
		}
	}

	/**
	 * The request as JSON followed by spaces up to {@code size} bytes: valid JSON of
	 * exactly that size.
	 */
	private static byte[] padded(String json, int size) {
		byte[] bytes = new byte[size];
		Arrays.fill(bytes, (byte) ' ');
		byte[] request = json.getBytes(StandardCharsets.UTF_8);
		System.arraycopy(request, 0, bytes, 0, request.length);
		return bytes;
	}

	/**
	 * A v2 request for the given TF Serving rows: one tensor per input, in the rows'
	 * column order.
	 */
	static ObjectNode v2Body(String id, String... rows) {
		ObjectNode request = JSON.createObjectNode();
		if (id != null) {
			request.put("id", id);
		}
		ArrayNode inputs = request.putArray("inputs");
		List<JsonNode> parsed = Arrays.stream(rows).map(JSON::readTree).toList();
		for (String name : parsed.get(0).propertyNames()) {
			boolean number = parsed.get(0).get(name).isNumber();
			ObjectNode input = inputs.addObject();
			input.put("name", name);
			input.putArray("shape").add(rows.length);
			input.put("datatype", number ? "FP32" : "BYTES");
			ArrayNode data = input.putArray("data");
			parsed.forEach(row -> data.add(row.get(name)));
		}
		return request;
	}

	/** Applies one mutation of the table above to a valid two-row request. */
	private static String mutate(String mutation) {
		ObjectNode request = v2Body(null, ROW_1, ROW_2);
		ArrayNode inputs = (ArrayNode) request.get("inputs");
		String[] parts = mutation.split("_", 2);
		switch (parts[0]) {
			case "TWO" -> ((ObjectNode) inputs.get(3)).set("shape", JSON.createArrayNode().add(1));
			case "MISSING" -> inputs.remove(index(inputs, parts[1]));
			case "EXTRA" -> {
				ObjectNode extra = inputs.addObject().put("name", parts[1]).put("datatype", "BYTES");
				extra.putArray("shape").add(2);
				extra.putArray("data").add("red").add("blue");
			}
			case "TWICE" -> inputs.add(inputs.get(index(inputs, parts[1])).deepCopy());
			case "OUTPUT" -> request.putArray("outputs").addObject().put("name", parts[1]);
			case "TOP" -> request.put(parts[1], 5);
			case "EMPTY" -> inputs.removeAll();
			case "SIGNATURE" -> request.putObject("parameters").put("signature_name", parts[1]);
			default -> {
				String input = mutation.substring(0, mutation.indexOf('.'));
				String field = mutation.substring(mutation.indexOf('.') + 1, mutation.indexOf('='));
				String value = mutation.substring(mutation.indexOf('=') + 1);
				ObjectNode tensor = (ObjectNode) inputs.get(index(inputs, input));
				if (value.equals("REMOVE")) {
					tensor.remove(field);
				}
				else {
					// NaN and Infinity are not JSON: splice the raw text in
					tensor.put(field, "@@VALUE@@");
					return request.toString().replace("\"@@VALUE@@\"", value);
				}
			}
		}
		if (parts[0].equals("TWO")) {
			((ArrayNode) inputs.get(3).get("data")).remove(1);
		}
		return request.toString();
	}

	private static int index(ArrayNode inputs, String name) {
		for (int i = 0; i < inputs.size(); i++) {
			if (inputs.get(i).get("name").stringValue().equals(name)) {
				return i;
			}
		}
		throw new IllegalArgumentException(name);
	}

	private static JsonNode output(JsonNode body, String name) {
		return tensor(body.get("outputs"), name);
	}

	private static JsonNode tensor(JsonNode tensors, String name) {
		for (JsonNode tensor : tensors) {
			if (tensor.get("name").stringValue().equals(name)) {
				return tensor;
			}
		}
		throw new AssertionError("no tensor " + name + " in " + tensors);
	}

	private static List<Long> longs(JsonNode array) {
		List<Long> values = new ArrayList<>();
		array.forEach(value -> values.add(value.longValue()));
		return values;
	}

	private String errorCode(HttpResponse<String> response) {
		return JSON.readTree(response.body()).get("error").get("code").stringValue();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return post(path, body.getBytes(StandardCharsets.UTF_8), false);
	}

	/**
	 * With {@code chunked} the length is not declared, so the body is sent with chunked
	 * transfer encoding.
	 */
	private HttpResponse<String> post(String path, byte[] body, boolean chunked) throws Exception {
		HttpRequest.BodyPublisher publisher = chunked
				? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
				: HttpRequest.BodyPublishers.ofByteArray(body);
		return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json").POST(publisher));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
	}

}
