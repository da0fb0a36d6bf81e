package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker over real HTTP with a real (small, trained) TensorFlow model in a temporary
 * model store.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String ROW_1 = """
			{"age":39,"workclass":"State-gov","fnlwgt":77516,"education":"Bachelors","education_num":13,\
			"marital_status":"Never-married","occupation":"Adm-clerical","relationship":"Not-in-family","race":"White",\
			"sex":"Male","capital_gain":2174,"capital_loss":0,"hours_per_week":40,"native_country":"United-States"}""";

	private static final String ROW_2 = """
			{"age":52,"workclass":"Self-emp-inc","fnlwgt":287927,"education":"HS-grad","education_num":9,\
			"marital_status":"Married-civ-spouse","occupation":"Exec-managerial","relationship":"Wife","race":"White",\
			"sex":"Female","capital_gain":15024,"capital_loss":0,"hours_per_week":40,"native_country":""}""";

	private static Path store;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> store().toString());
		registry.add("warden.worker.model-store.poll-interval", () -> "200ms");
		// these tests add and remove versions next to version 1 and expect all of them
		// served
		registry.add("warden.worker.lifecycle.models.income.version-policy", () -> "all");
	}

	/**
	 * Filled once, before the worker starts: the trained {@code income} as version 1, and
	 * a model whose only version cannot load.
	 */
	static synchronized Path store() {
		if (store == null) {
			try {
				store = TrainedModels.newStore("worker");
				TrainedModels.copyInto(TrainedModels.income(), store, "income", 1);
				Path broken = Files.createDirectories(store.resolve("broken").resolve("1"));
				Files.writeString(broken.resolve("saved_model.pb"), "not a protobuf");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return store;
	}

	@Test
	void rowFormatPredictionEqualsAnInProcessCallOfTheSavedModel() throws Exception {
		HttpResponse<String> response = post("/v1/models/income:predict",
				"{\"instances\":[" + ROW_1 + "," + ROW_2 + "]}");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Model-Version")).isPresent();
		JsonNode predictions = JSON.readTree(response.body()).get("predictions");
		assertThat(predictions.size()).isEqualTo(2);
		Map<String, Object> expected = callInProcess(List.of(ROW_1, ROW_2));
		float[] probability = (float[]) expected.get("probability");
		long[] classId = (long[]) expected.get("class_id");
		for (int i = 0; i < 2; i++) {
			JsonNode row = predictions.get(i);
			assertThat(row.get("probability").floatValue()).isEqualTo(probability[i]);
			assertThat(row.get("class_id").longValue()).isEqualTo(classId[i]);
			assertThat(row.get("probabilities").size()).isEqualTo(2);
			assertThat(row.get("probabilities").get(1).floatValue()).isEqualTo(probability[i]);
		}
	}

	/**
	 * {@link DirectInferenceFilter} serves the plain predict paths itself; a name with a
	 * percent-encoded letter is the same servable for MVC (path variables are decoded)
	 * but not plain, so it goes through MVC. Each answer and error must be the same both
	 * ways.
	 */
	@Test
	void predictAnswersAndErrorsAreTheSameWithAndWithoutTheDirectPath() throws Exception {
		String good = "{\"instances\":[" + ROW_1 + "," + ROW_2 + "]}";
		List<String[]> cases = List.of(new String[] { "/v1/models/income:predict", good },
				new String[] { "/v1/models/income/versions/1:predict", good },
				new String[] { "/v1/models/income:predict", "{\"instances\":[" },
				new String[] { "/v1/models/income:predict", "{\"instances\":[{\"age\":39}]}" },
				new String[] { "/v1/models/income:predict", "[]" },
				new String[] { "/v1/models/income/versions/999:predict", good },
				new String[] { "/v1/models/income/labels/nosuchlabel:predict", good },
				new String[] { "/v1/models/nosuchmodel:predict", good });
		for (String[] c : cases) {
			String mvcPath = "/v1/models/" + SameAnswers.percentEncodeFirst(c[0].substring("/v1/models/".length()));
			JsonNode answer = SameAnswers.assertSame(post(c[0], c[1]), post(mvcPath, c[1]), c[0] + " " + c[1]);
			if (answer.has("error")) {
				assertThat(answer.get("error").get("request_id").stringValue()).isNotBlank();
			}
		}
	}

	@Test
	void aPlainPredictIsServedByTheDirectPathItself(@Autowired DirectInferenceFilter filter) throws Exception {
		var request = new org.springframework.mock.web.MockHttpServletRequest("POST", "/v1/models/income:predict");
		request.setContentType("application/json");
		request.setContent(("{\"instances\":[" + ROW_1 + "]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
		var response = new org.springframework.mock.web.MockHttpServletResponse();
		java.util.concurrent.atomic.AtomicBoolean passedOn = new java.util.concurrent.atomic.AtomicBoolean();
		filter.doFilter(request, response, (req, res) -> passedOn.set(true));

		assertThat(passedOn).isFalse();
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getHeader("X-Model-Version")).isNotBlank();
		assertThat(JSON.readTree(response.getContentAsByteArray()).get("predictions").size()).isEqualTo(1);
	}

	@Test
	void predictAnswersAreWrittenWithALengthAndLeftOutOfTheHttpServerMetricWhileTheWorkersOwnCountThem()
			throws Exception {
		HttpResponse<String> predicted = post("/v1/models/income:predict", "{\"instances\":[" + ROW_1 + "]}");
		assertThat(predicted.statusCode()).isEqualTo(200);
		assertThat(predicted.headers().firstValue("Content-Type"))
			.hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
		assertThat(predicted.headers().firstValueAsLong("Content-Length"))
			.hasValue(predicted.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
		assertThat(post("/v2/models/income/infer", "{\"inputs\": []}").statusCode()).isEqualTo(400);
		assertThat(get("/v1/models/income").statusCode()).isEqualTo(200);

		String metrics = get("/actuator/prometheus").body();
		List<String> observed = metrics.lines()
			.filter(line -> line.startsWith("http_server_requests_seconds_count"))
			.toList();
		assertThat(observed)
			.anySatisfy(line -> assertThat(line).contains("uri=\"/v1/models/{target}\"").contains("method=\"GET\""));
		assertThat(observed).noneSatisfy(line -> assertThat(line).contains("method=\"POST\"")
			.containsAnyOf("uri=\"/v1/models/", "uri=\"/v2/models/"));
		assertThat(metrics).contains("warden_worker_requests_total{");
	}

	@Test
	void columnarPredictionEqualsAnInProcessCallOfTheSavedModel() throws Exception {
		JsonNode r1 = JSON.readTree(ROW_1);
		JsonNode r2 = JSON.readTree(ROW_2);
		StringBuilder inputs = new StringBuilder("{\"signature_name\":\"serving_default\",\"inputs\":{");
		List<String> columns = new ArrayList<>();
		r1.propertyNames()
			.forEach(name -> columns
				.add("\"" + name + "\":[" + r1.get(name).toString() + "," + r2.get(name).toString() + "]"));
		inputs.append(String.join(",", columns)).append("}}");

		HttpResponse<String> response = post("/v1/models/income/versions/1:predict", inputs.toString());

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Model-Version")).hasValue("1");
		JsonNode outputs = JSON.readTree(response.body()).get("outputs");
		Map<String, Object> expected = callInProcess(List.of(ROW_1, ROW_2));
		float[] probability = (float[]) expected.get("probability");
		assertThat(outputs.get("probability").get(0).floatValue()).isEqualTo(probability[0]);
		assertThat(outputs.get("probability").get(1).floatValue()).isEqualTo(probability[1]);
		assertThat(outputs.get("class_id").size()).isEqualTo(2);
		assertThat(outputs.get("probabilities").get(0).size()).isEqualTo(2);
	}

	@Test
	void statusListsTheAvailableVersion() throws Exception {
		HttpResponse<String> response = get("/v1/models/income/versions/1");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode status = JSON.readTree(response.body()).get("model_version_status").get(0);
		assertThat(status.get("version").stringValue()).isEqualTo("1");
		assertThat(status.get("state").stringValue()).isEqualTo("AVAILABLE");
		assertThat(status.get("status").get("error_code").stringValue()).isEqualTo("OK");
		assertThat(JSON.readTree(get("/v1/models/income").body()).get("model_version_status").size())
			.isGreaterThanOrEqualTo(1);
	}

	@Test
	void versionThatFailsToLoadIsReportedAsEndWithItsError() throws Exception {
		JsonNode status = JSON.readTree(get("/v1/models/broken").body()).get("model_version_status").get(0);

		assertThat(status.get("state").stringValue()).isEqualTo("END");
		assertThat(status.get("status").get("error_code").stringValue()).isNotEqualTo("OK");
		assertThat(status.get("status").get("error_message").stringValue()).isNotBlank();
		assertThat(post("/v1/models/broken:predict", "{\"instances\":[" + ROW_1 + "]}").statusCode()).isEqualTo(404);
	}

	@Test
	void metadataComesFromTheSavedModelSignature() throws Exception {
		HttpResponse<String> response = get("/v1/models/income/metadata");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.get("model_spec").get("name").stringValue()).isEqualTo("income");
		JsonNode signature = body.get("metadata").get("signature_def").get("signature_def").get("serving_default");
		assertThat(signature.get("method_name").stringValue()).isEqualTo("tensorflow/serving/predict");
		assertThat(signature.get("inputs").size()).isEqualTo(14);
		JsonNode age = signature.get("inputs").get("age");
		assertThat(age.get("dtype").stringValue()).isEqualTo("DT_FLOAT");
		assertThat(age.get("tensor_shape").get("dim").get(0).get("size").stringValue()).isEqualTo("-1");
		assertThat(age.get("tensor_shape").get("unknown_rank").booleanValue()).isFalse();
		assertThat(signature.get("inputs").get("sex").get("dtype").stringValue()).isEqualTo("DT_STRING");
		assertThat(signature.get("outputs").get("class_id").get("dtype").stringValue()).isEqualTo("DT_INT64");
		assertThat(signature.get("outputs")
			.get("probabilities")
			.get("tensor_shape")
			.get("dim")
			.get(1)
			.get("size")
			.stringValue()).isEqualTo("2");
		assertThat(get("/v1/models/income/versions/1/metadata").statusCode()).isEqualTo(200);
	}

	@Test
	void theDigestOfAVersionIsTheSha256OfItsFilesAsSha256sumListsThem() throws Exception {
		Path version = store.resolve("income").resolve("1");
		Process process = new ProcessBuilder("bash", "-c",
				"find . -type f | sed 's|^\\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum")
			.directory(version.toFile())
			.redirectErrorStream(true)
			.start();
		String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as(printed).isZero();
		String expected = printed.strip().split("\\s+")[0];

		JsonNode body = JSON.readTree(get("/internal/v1/models/income/versions/1/digest").body());

		assertThat(expected).hasSize(64);
		assertThat(body.get("model").stringValue()).isEqualTo("income");
		assertThat(body.get("version").stringValue()).isEqualTo("1");
		assertThat(body.get("model_sha256").stringValue()).isEqualTo(expected);
		// TF Serving's metadata answer stays as TF Serving writes it
		assertThat(JSON.readTree(get("/v1/models/income/versions/1/metadata").body()).has("model_sha256")).isFalse();
		assertThat(get("/internal/v1/models/income/versions/999/digest").statusCode()).isEqualTo(404);
		assertThat(get("/internal/v1/models/income/versions/x/digest").statusCode()).isEqualTo(404);
	}

	@Test
	void shippedDatasetsAreStreamedAsCsvAndUnknownOnesAre404() throws Exception {
		HttpResponse<byte[]> adult = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/internal/v1/datasets/adult_validation"))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		HttpResponse<byte[]> spam = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/internal/v1/datasets/spamassassin_validation"))
			.build(), HttpResponse.BodyHandlers.ofByteArray());

		assertThat(adult.statusCode()).isEqualTo(200);
		assertThat(adult.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/csv"));
		byte[] shipped;
		try (InputStream in = getClass().getResourceAsStream("/datasets/adult/adult_validation.csv")) {
			shipped = in.readAllBytes();
		}
		assertThat(adult.body()).isEqualTo(shipped);
		assertThat(new String(adult.body(), StandardCharsets.UTF_8).lines().count()).isEqualTo(9551);
		assertThat(spam.statusCode()).isEqualTo(200);
		byte[] decompressed;
		try (InputStream in = new GZIPInputStream(
				getClass().getResourceAsStream("/datasets/spamassassin/spamassassin_validation.csv.gz"))) {
			decompressed = in.readAllBytes();
		}
		assertThat(spam.body()).isEqualTo(decompressed);
		assertThat(new String(spam.body(), StandardCharsets.UTF_8))
			.startsWith("id,group,subject,body,body_truncated,label");
		HttpResponse<String> unknown = get("/internal/v1/datasets/adult_train");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(JSON.readTree(unknown.body()).get("error").get("code").stringValue()).isEqualTo("not_found");
	}

	@Test
	void modelListShowsEveryModelWithItsVersions() throws Exception {
		JsonNode models = JSON.readTree(get("/v1/models").body()).get("models");

		List<String> names = new ArrayList<>();
		models.forEach(m -> names.add(m.get("name").stringValue()));
		assertThat(names).contains("income", "broken");
		JsonNode income = models.get(names.indexOf("income"));
		assertThat(income.get("versions").get(income.get("versions").size() - 1).get("version").stringValue())
			.isEqualTo("1");
		assertThat(income.get("versions").get(0).get("state").stringValue()).isEqualTo("AVAILABLE");
	}

	@Test
	void newVersionInTheStoreIsLoadedByPollingAndServesUnversionedRequests() throws Exception {
		TrainedModels.copyInto(TrainedModels.income(), store, "income", 7);

		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
			HttpResponse<String> response = post("/v1/models/income:predict", "{\"instances\":[" + ROW_1 + "]}");
			assertThat(response.headers().firstValue("X-Model-Version")).hasValue("7");
		});
		assertThat(JSON.readTree(get("/v1/models/income/versions/7").body())
			.get("model_version_status")
			.get(0)
			.get("state")
			.stringValue()).isEqualTo("AVAILABLE");
	}

	@Test
	void versionRemovedFromTheStoreIsUnloaded() throws Exception {
		Path three = TrainedModels.copyInto(TrainedModels.income(), store, "income", 3);
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> get("/v1/models/income/versions/3").statusCode() == 200);

		FileSystemUtils.deleteRecursively(three);

		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> get("/v1/models/income/versions/3").statusCode() == 404);
		assertThat(post("/v1/models/income/versions/3:predict", "{\"instances\":[" + ROW_1 + "]}").statusCode())
			.isEqualTo(404);
		assertThat(post("/v1/models/income/versions/1:predict", "{\"instances\":[" + ROW_1 + "]}").statusCode())
			.isEqualTo(200);
	}

	@Test
	void unknownModelOrVersionIsA404WithModelNotFound() throws Exception {
		for (HttpResponse<String> response : List.of(post("/v1/models/nope:predict", "{\"instances\":[" + ROW_1 + "]}"),
				post("/v1/models/income/versions/999:predict", "{\"instances\":[" + ROW_1 + "]}"),
				get("/v1/models/nope"), get("/v1/models/income/versions/999"), get("/v1/models/nope/metadata"),
				get("/v1/models/income/versions/abc"))) {
			assertThat(response.statusCode()).isEqualTo(404);
			assertThat(errorCode(response)).isEqualTo("model_not_found");
		}
	}

	@Test
	void theBenchmarkOnlyNoopEndpointIsOffByDefault() throws Exception {
		HttpResponse<String> noop = post("/internal/v1/noop", "{\"instances\":[" + ROW_1 + "]}");
		assertThat(noop.statusCode()).isEqualTo(404);
	}

	@Test
	void wrongMethodAndMediaTypeAreJsonErrors() throws Exception {
		HttpResponse<String> getPredict = get("/v1/models/income:predict");
		assertThat(getPredict.statusCode()).isEqualTo(405);
		assertThat(errorCode(getPredict)).isEqualTo("method_not_allowed");
		assertThat(getPredict.headers().firstValue("Allow")).hasValue("POST");

		HttpResponse<String> postStatus = post("/v1/models/income", "{}");
		assertThat(postStatus.statusCode()).isEqualTo(405);
		assertThat(errorCode(postStatus)).isEqualTo("method_not_allowed");

		HttpResponse<String> text = send(HttpRequest.newBuilder(uri("/v1/models/income:predict"))
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[" + ROW_1 + "]}")));
		assertThat(text.statusCode()).isEqualTo(415);
		assertThat(errorCode(text)).isEqualTo("unsupported_media_type");

		HttpResponse<String> unknownPath = get("/v2/whatever");
		assertThat(unknownPath.statusCode()).isEqualTo(404);
		assertThat(unknownPath.headers().firstValue("Content-Type").orElse("")).contains("application/json");

		// a method the worker never serves is the client's mistake: 405, not the
		// servlet's 501
		for (String method : List.of("PROPFIND", "TRACE", "BREW", "PATCH")) {
			HttpResponse<String> unserved = send(HttpRequest.newBuilder(uri("/v1/models/income:predict"))
				.method(method, HttpRequest.BodyPublishers.noBody()));
			assertThat(unserved.statusCode()).as(method).isEqualTo(405);
			assertThat(errorCode(unserved)).as(method).isEqualTo("method_not_allowed");
			if (method.equals("TRACE")) {
				// refused by Tomcat itself, before any filter, with its own list
				assertThat(unserved.headers().firstValue("Allow"))
					.hasValueSatisfying((allow) -> assertThat(allow).contains("GET", "POST").doesNotContain("TRACE"));
			}
			else {
				assertThat(unserved.headers().firstValue("Allow")).hasValue("GET, HEAD, POST, PUT, DELETE, OPTIONS");
				assertThat(unserved.headers().firstValue("X-Request-Id")).isPresent();
			}
		}
	}

	@Test
	void requestIdIsEchoedAndUsedInErrors() throws Exception {
		HttpResponse<String> response = send(
				HttpRequest.newBuilder(uri("/v1/models/nope")).header("X-Request-Id", "abc-123").GET());

		assertThat(response.headers().firstValue("X-Request-Id")).hasValue("abc-123");
		assertThat(JSON.readTree(response.body()).get("error").get("request_id").stringValue()).isEqualTo("abc-123");
		HttpResponse<String> insane = send(
				HttpRequest.newBuilder(uri("/v1/models/nope")).header("X-Request-Id", "bad id with spaces").GET());
		assertThat(insane.headers().firstValue("X-Request-Id").orElseThrow()).isNotEqualTo("bad id with spaces");
	}

	@Test
	void containerLevelErrorsUseTheSameJsonShape() throws Exception {
		HttpResponse<String> response = get("/error");

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(errorCode(response)).isEqualTo("not_found");
	}

	@Test
	void aModelThatFailedToLoadDoesNotMakeTheWorkerUnreadyForTheModelsThatLoaded() throws Exception {
		HttpResponse<String> response = get("/actuator/health/liveness");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(response.body()).get("status").stringValue()).isEqualTo("UP");
		HttpResponse<String> readiness = get("/actuator/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(readiness.body()).get("status").stringValue()).isEqualTo("UP");
		assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
		JsonNode broken = JSON.readTree(get("/v1/models/broken").body()).get("model_version_status").get(0);
		assertThat(broken.get("state").stringValue()).isEqualTo("END");
		assertThat(broken.get("status").get("error_code").stringValue()).isEqualTo("UNKNOWN");
		assertThat(broken.get("status").get("error_message").stringValue())
			.startsWith("cannot load SavedModel broken/1");
		assertThat(post("/v1/models/income:predict", "{\"instances\":[" + ROW_1 + "]}").statusCode()).isEqualTo(200);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '~',
			textBlock = """
					missing input            | {"instances":[{"age":39}]}                              | missing input 'capital_gain': expected a number (DT_FLOAT, shape [-1]), got nothing in instances[0]
					unknown input            | {"instances":[ROW1_PLUS_EXTRA]}                         | unknown input 'colour'
					string for float         | {"instances":[ROW1_WITH_age="abc"]}                     | input 'age': expected a number (DT_FLOAT, shape [-1]), got string "abc"
					number for string        | {"instances":[ROW1_WITH_sex=1]}                         | input 'sex': expected a string (DT_STRING, shape [-1]), got number 1
					boolean for float        | {"instances":[ROW1_WITH_age=true]}                      | input 'age': expected a number (DT_FLOAT, shape [-1]), got boolean true
					null                     | {"instances":[ROW1_WITH_age=null]}                      | input 'age': expected a number (DT_FLOAT, shape [-1]), got null
					object                   | {"instances":[ROW1_WITH_sex={"a":1}]}                   | input 'sex': expected a string (DT_STRING, shape [-1]), got an object
					nested array             | {"instances":[ROW1_WITH_age=[39]]}                      | input 'age': expected a number (DT_FLOAT, shape [-1]), got an array of 1 values
					NaN                      | {"instances":[ROW1_WITH_age=NaN]}                       | input 'age': expected a finite number (DT_FLOAT, shape [-1]), got NaN
					Infinity                 | {"instances":[ROW1_WITH_capital_gain=Infinity]}         | input 'capital_gain': expected a finite number (DT_FLOAT, shape [-1]), got Infinity
					empty instances          | {"instances":[]}                                        | 'instances' must not be empty
					instances not an array   | {"instances":{"age":1}}                                 | 'instances' must be an array
					row not an object        | {"instances":[42]}                                      | instances[0]: expected an object
					columns of other lengths | COLUMNAR_UNEVEN                                         | all inputs need the same number of rows
					columnar scalar          | COLUMNAR_SCALAR                                         | input 'age': expected an array with one value per row (DT_FLOAT, shape [-1]), got number 39
					columnar empty           | COLUMNAR_EMPTY                                          | input 'age': expected an array with one value per row (DT_FLOAT, shape [-1]), got an empty array
					both formats             | {"instances":[ROW1],"inputs":{}}                        | either 'instances' or 'inputs', not both
					neither format           | {"signature_name":"serving_default"}                    | must have 'instances' (row format) or 'inputs'
					unknown signature        | {"signature_name":"explain","instances":[ROW1]}         | unknown signature_name 'explain'
					signature not a string   | {"signature_name":5,"instances":[ROW1]}                 | signature_name must be a string
					unknown top-level field  | {"instance":[ROW1]}                                     | unknown field 'instance'
					body not JSON            | {"instances":[                                          | request body is not valid JSON
					body not an object       | [1,2,3]                                                 | request body must be a JSON object
					duplicate key            | {"instances":[ROW1],"instances":[ROW1]}                 | request body is not valid JSON
					""")
	void invalidRequestsAre400WithAMessageNamingTheProblem(String name, String body, String message) throws Exception {
		HttpResponse<String> response = post("/v1/models/income:predict", expand(body));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		JsonNode error = JSON.readTree(response.body()).get("error");
		assertThat(error.get("code").stringValue()).isEqualTo("invalid_argument");
		assertThat(error.get("message").stringValue()).contains(message);
		assertThat(error.get("request_id").stringValue()).isNotBlank();
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.warden");
	}

	@Test
	void emptyBodyIs400() throws Exception {
		HttpResponse<String> response = post("/v1/models/income:predict", "");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(errorCode(response)).isEqualTo("invalid_argument");
	}

	/** Replaces placeholders of the CSV table with JSON built from ROW_1. */
	private static String expand(String body) throws Exception {
		String result = body;
		java.util.regex.Matcher with = java.util.regex.Pattern
			.compile("ROW1_WITH_(\\w+)=(\\{[^}]*\\}|\\[[^\\]]*\\]|[^\\]}]+)")
			.matcher(result);
		if (with.find()) {
			String row = ROW_1.replaceFirst("\"" + with.group(1) + "\":(\"[^\"]*\"|[^,}]+)",
					"\"" + with.group(1) + "\":" + java.util.regex.Matcher.quoteReplacement(with.group(2)));
			result = result.substring(0, with.start()) + row + result.substring(with.end());
		}
		JsonNode r1 = JSON.readTree(ROW_1);
		return switch (result) {
			case "COLUMNAR_UNEVEN" ->
				columnar(r1, name -> name.equals("sex") ? "[\"Male\"]" : "[" + r1.get(name) + "," + r1.get(name) + "]");
			case "COLUMNAR_SCALAR" -> columnar(r1, name -> name.equals("age") ? "39" : "[" + r1.get(name) + "]");
			case "COLUMNAR_EMPTY" -> columnar(r1, name -> name.equals("age") ? "[]" : "[" + r1.get(name) + "]");
			default ->
				result.replace("ROW1_PLUS_EXTRA", ROW_1.replace("}", ",\"colour\":\"red\"}")).replace("ROW1", ROW_1);
		};
	}

	private static String columnar(JsonNode row, java.util.function.Function<String, String> column) {
		List<String> parts = new ArrayList<>();
		row.propertyNames().forEach(name -> parts.add("\"" + name + "\":" + column.apply(name)));
		return "{\"inputs\":{" + String.join(",", parts) + "}}";
	}

	/** Calls the exported SavedModel directly, as the reference for the HTTP answers. */
	private static Map<String, Object> callInProcess(List<String> rows) throws Exception {
		List<JsonNode> nodes = new ArrayList<>();
		for (String row : rows) {
			nodes.add(JSON.readTree(row));
		}
		Map<String, Tensor> inputs = new HashMap<>();
		try (SavedModelBundle bundle = SavedModelBundle.load(TrainedModels.income().toString(), "serve")) {
			for (String name : nodes.get(0).propertyNames()) {
				if (nodes.get(0).get(name).isNumber()) {
					float[] values = new float[nodes.size()];
					for (int i = 0; i < values.length; i++) {
						values[i] = nodes.get(i).get(name).floatValue();
					}
					inputs.put(name, TFloat32.vectorOf(values));
				}
				else {
					inputs.put(name, TString
						.vectorOf(nodes.stream().map(n -> n.get(name).stringValue()).toArray(String[]::new)));
				}
			}
			try (Result result = bundle.function("serving_default").call(inputs)) {
				TFloat32 probability = (TFloat32) result.get("probability").orElseThrow();
				TInt64 classId = (TInt64) result.get("class_id").orElseThrow();
				float[] p = new float[rows.size()];
				long[] c = new long[rows.size()];
				for (int i = 0; i < p.length; i++) {
					p[i] = probability.getFloat(i);
					c[i] = classId.getLong(i);
				}
				return Map.of("probability", p, "class_id", c);
			}
		}
		finally {
			inputs.values().forEach(Tensor::close);
		}
	}

	private String errorCode(HttpResponse<String> response) throws Exception {
		return JSON.readTree(response.body()).get("error").get("code").stringValue();
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
