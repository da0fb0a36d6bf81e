package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import dev.warden.worker.TfServingTestData;
import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;
import dev.warden.worker.explain.ExplainContract;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code :explain} and {@code /explanation-methods} over real HTTP, on real models:
 * {@code income} and {@code spam} trained by the shared fixtures, a copy of income
 * stripped of its explain signatures and files (a version exported before explanations
 * existed), a double-precision linear model whose Shapley values are known in closed
 * form, and TF Serving's half_plus_two. Every explanation is checked against an
 * independent computation: completeness against the model's own outputs, occlusion
 * against {@code :predict} of the changed input, KernelSHAP against efficiency and the
 * closed form.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExplainIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final double[] LINEAR_WEIGHTS = { 1.5, -2.0, 0.25, 4.0, -0.75 };

	private static final double LINEAR_BIAS = 0.3;

	private static final List<String> MODELS = List.of("income", "spam", "legacy", "linear", "half");

	private static Path store;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> store().toString());
		registry.add("warden.worker.model-store.poll-interval", () -> "200ms");
	}

	/**
	 * income (versions 1 and 2) and spam from the shared fixtures, the legacy copy, the
	 * linear model and half_plus_two.
	 */
	static synchronized Path store() {
		if (store == null) {
			try {
				store = TrainedModels.newStore("explain");
				TrainedModels.copyInto(TrainedModels.income(), store, "income", 1);
				TrainedModels.copyInto(TrainedModels.otherIncome(), store, "income", 2);
				TrainedModels.copyInto(TrainedModels.spam(), store, "spam", 1);
				Path legacy = store.resolve("legacy").resolve("1");
				FileSystemUtils.copyRecursively(TrainedModels.income(), legacy);
				withoutExplainSignatures(legacy);
				linearModel(store.resolve("linear").resolve("1"));
				TfServingTestData.copy(TfServingTestData.HALF_PLUS_TWO, store, "half");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return store;
	}

	@BeforeEach
	void modelsAreAvailable() {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
			for (String model : MODELS) {
				if (!get("/v1/models/" + model).body().contains("AVAILABLE")) {
					return false;
				}
			}
			return true;
		});
	}

	// ------------------------------------------------------------------ integrated
	// gradients

	@Test
	void integratedGradientsOnIncomeValidationRowsAreCompleteWithinOnePercentOnEveryRow() throws Exception {
		List<ObjectNode> rows = incomeValidationRows(48);
		Map<String, Object> baselineValues = null;
		int explained = 0;
		for (String target : List.of("probability", "logit")) {
			for (int from = 0; from < rows.size(); from += 16) {
				List<ObjectNode> batch = rows.subList(from, from + 16);
				JsonNode answer = explain("income", batch, Map.of("target", target));
				JsonNode explanations = answer.get("explanations");
				assertThat(explanations.size()).isEqualTo(16);
				assertThat(answer.get("predictions").size()).isEqualTo(16);
				for (int i = 0; i < 16; i++) {
					JsonNode e = explanations.get(i);
					assertThat(e.get("method").stringValue()).isEqualTo("integrated_gradients");
					assertThat(e.get("version").stringValue()).isEqualTo("2");
					assertThat(e.get("target").get("kind").stringValue()).isEqualTo(target);
					assertThat(e.get("target").get("class").intValue()).isEqualTo(1);
					assertComplete(e);
					List<String> features = new ArrayList<>();
					e.get("attributions").forEach(a -> features.add(a.get("feature").stringValue()));
					assertThat(features).containsExactly("age", "workclass", "fnlwgt", "education", "education_num",
							"marital_status", "occupation", "relationship", "race", "sex", "capital_gain",
							"capital_loss", "hours_per_week", "native_country");
					if (target.equals("probability")) {
						// f(x) is the served P(>50K) of the instance
						assertThat(e.get("f_x").doubleValue())
							.isCloseTo(answer.get("predictions").get(i).get("probability").doubleValue(), within(1e-6));
						assertThat(e.get("model_calls").intValue()).isLessThanOrEqualTo(
								2 + Integer.numberOfTrailingZeros(e.get("quality").get("steps").intValue()));
					}
					baselineValues = JSON.convertValue(e.get("baseline").get("values"), Map.class);
					explained++;
				}
			}
		}
		assertThat(explained).isEqualTo(96);
		// f(baseline) is the served probability of the training baseline row
		JsonNode baselinePrediction = post("/v1/models/income:predict",
				JSON.writeValueAsString(Map.of("instances", List.of(baselineValues))));
		JsonNode again = explain("income", rows.subList(0, 1), Map.of());
		assertThat(again.get("explanations").get(0).get("f_baseline").doubleValue()).isCloseTo(
				JSON.readTree(baselinePrediction.toString()).get("predictions").get(0).get("probability").doubleValue(),
				within(1e-6));
		assertThat(again.get("explanations").get(0).get("baseline").get("name").stringValue()).isEqualTo("training");
	}

	@Test
	void tooFewStepsAreRaisedUntilTheDeltaIsWithinTheToleranceAndTheAnswerSaysSo() throws Exception {
		JsonNode e = explain("income", incomeValidationRows(3).subList(2, 3),
				Map.of("steps", 1, "target", "logit", "baseline", "missing"))
			.get("explanations")
			.get(0);
		JsonNode quality = e.get("quality");
		assertComplete(e);
		assertThat(quality.get("steps_requested").intValue()).isEqualTo(1);
		assertThat(quality.get("steps_raised").booleanValue()).isTrue();
		assertThat(quality.get("steps").intValue()).isGreaterThan(1);
		assertThat(quality.get("note").stringValue()).contains("raised");
		assertThat(e.get("baseline").get("name").stringValue()).isEqualTo("missing");
		assertThat(e.get("baseline").get("values").get("workclass").stringValue()).isEmpty();

		JsonNode gauss = explain("income", incomeValidationRows(3).subList(2, 3),
				Map.of("integration", "gauss_legendre", "steps", 16))
			.get("explanations")
			.get(0);
		assertThat(gauss.get("quality").get("integration").stringValue()).isEqualTo("gauss_legendre");
		assertComplete(gauss);
	}

	@Test
	void integratedGradientsOnSpamTextsAreCompleteAndEveryTokenSpanSlicesTheOriginalText() throws Exception {
		List<String> texts = spamValidationTexts(24);
		texts.add("WIN $1,000 now!!! Visit http://example.com or mail me@example.org, 100% FREE");
		texts.add("");
		for (int from = 0; from < texts.size(); from += 13) {
			List<String> batch = texts.subList(from, Math.min(texts.size(), from + 13));
			JsonNode answer = explain("spam", batch.stream().map(t -> (Object) Map.of("text", t)).toList(), Map.of());
			for (int i = 0; i < batch.size(); i++) {
				JsonNode e = answer.get("explanations").get(i);
				String text = batch.get(i);
				assertThat(e.get("method").stringValue()).isEqualTo("integrated_gradients");
				assertThat(e.get("baseline").get("name").stringValue()).isEqualTo("zero");
				assertComplete(e);
				assertThat(e.get("f_x").doubleValue())
					.isCloseTo(answer.get("predictions").get(i).get("spam_probability").doubleValue(), within(1e-6));
				assertThat(e.get("offsets").stringValue()).isEqualTo("utf16");
				int previousEnd = 0;
				for (JsonNode token : e.get("attributions")) {
					int start = token.get("start").intValue();
					int end = token.get("end").intValue();
					assertThat(start).isGreaterThanOrEqualTo(previousEnd);
					assertThat(end).isGreaterThan(start);
					assertSpanMatches(token.get("token").stringValue(), text.substring(start, end));
					previousEnd = end;
				}
			}
		}
		// the empty text has no tokens and nothing to attribute
		JsonNode empty = explain("spam", List.of(Map.of("text", "")), Map.of()).get("explanations").get(0);
		assertThat(empty.get("attributions").size()).isZero();
		assertThat(empty.get("f_x").doubleValue()).isEqualTo(empty.get("f_baseline").doubleValue());
	}

	@Test
	void theWorkersReplayOfTheTokenisationFindsTheModelsTokensInEveryValidationText() throws Exception {
		List<String> texts = spamValidationTexts(2000);
		assertThat(texts).hasSizeGreaterThan(1200);
		for (int from = 0; from < texts.size(); from += 16) {
			List<String> batch = texts.subList(from, Math.min(texts.size(), from + 16));
			JsonNode answer = explain("spam", batch.stream().map(t -> (Object) Map.of("text", t)).toList(),
					Map.of("steps", 1, "max_steps", 1));
			for (int i = 0; i < batch.size(); i++) {
				JsonNode e = answer.get("explanations").get(i);
				assertThat(e.get("offsets").stringValue()).as("text %d", from + i).isEqualTo("utf16");
				for (JsonNode token : e.get("attributions")) {
					assertSpanMatches(token.get("token").stringValue(),
							batch.get(i).substring(token.get("start").intValue(), token.get("end").intValue()));
				}
			}
		}
	}

	@Test
	void tokensThatShareAHashBucketAreFlagged() throws Exception {
		// find two distinct words of one bucket among many short ones, by asking the
		// model
		List<String> words = new ArrayList<>();
		for (int i = 0; i < 2000; i++) {
			words.add("w" + Integer.toString(i * 7919 + 13, 36).replaceAll("[0-9]", "q"));
		}
		String text = String.join(" ", words.stream().distinct().limit(1500).toList());
		JsonNode e = explain("spam", List.of(Map.of("text", text)), Map.of("steps", 8, "max_steps", 8))
			.get("explanations")
			.get(0);
		Map<Long, java.util.Set<String>> byBucket = new java.util.HashMap<>();
		e.get("attributions")
			.forEach(t -> byBucket.computeIfAbsent(t.get("bucket").longValue(), k -> new java.util.TreeSet<>())
				.add(t.get("token").stringValue()));
		boolean anyShared = false;
		for (JsonNode t : e.get("attributions")) {
			boolean shared = byBucket.get(t.get("bucket").longValue()).size() > 1;
			assertThat(t.get("shared_bucket").booleanValue()).isEqualTo(shared);
			anyShared |= shared;
		}
		// 1,500 words in 65,536 buckets: about 17 colliding pairs are expected
		assertThat(anyShared).isTrue();
	}

	// ------------------------------------------------------------------ occlusion

	@Test
	void occlusionOnIncomeEqualsADirectRePredictionWithTheColumnReplaced() throws Exception {
		List<ObjectNode> rows = incomeValidationRows(3);
		JsonNode answer = explain("income", rows, Map.of("method", "occlusion"));
		for (int i = 0; i < rows.size(); i++) {
			JsonNode e = answer.get("explanations").get(i);
			assertThat(e.get("method").stringValue()).isEqualTo("occlusion");
			assertThat(e.get("target").get("output").stringValue()).isEqualTo("probabilities");
			assertThat(e.get("target").get("class").intValue()).isEqualTo(1);
			JsonNode baseline = e.get("baseline").get("values");
			List<Object> changed = new ArrayList<>();
			for (JsonNode a : e.get("attributions")) {
				ObjectNode row = rows.get(i).deepCopy();
				row.set(a.get("feature").stringValue(), baseline.get(a.get("feature").stringValue()));
				changed.add(row);
			}
			JsonNode predictions = post("/v1/models/income:predict",
					JSON.writeValueAsString(Map.of("instances", changed)))
				.get("predictions");
			double fx = e.get("f_x").doubleValue();
			for (int k = 0; k < changed.size(); k++) {
				assertThat(e.get("attributions").get(k).get("attribution").doubleValue())
					.isCloseTo(fx - predictions.get(k).get("probability").doubleValue(), within(1e-6));
			}
			double sum = 0;
			for (JsonNode a : e.get("attributions")) {
				sum += a.get("attribution").doubleValue();
			}
			assertThat(e.get("quality").get("additivity_gap").doubleValue())
				.isCloseTo(sum - (fx - e.get("f_baseline").doubleValue()), within(1e-9));
		}
	}

	@Test
	void occlusionOnSpamEqualsADirectRePredictionOfTheTextWithoutTheToken() throws Exception {
		List<String> texts = List.of("Cheap meds!!! Order now at http://pills.example.com, only $5",
				spamValidationTexts(1).get(0));
		JsonNode answer = explain("spam", texts.stream().map(t -> (Object) Map.of("text", t)).toList(),
				Map.of("method", "occlusion"));
		for (int i = 0; i < texts.size(); i++) {
			JsonNode e = answer.get("explanations").get(i);
			String text = texts.get(i);
			List<Object> without = new ArrayList<>();
			int n = Math.min(40, e.get("attributions").size());
			for (int k = 0; k < n; k++) {
				JsonNode token = e.get("attributions").get(k);
				without.add(Map.of("text", text.substring(0, token.get("start").intValue()) + " "
						+ text.substring(token.get("end").intValue())));
			}
			JsonNode predictions = post("/v1/models/spam:predict",
					JSON.writeValueAsString(Map.of("instances", without)))
				.get("predictions");
			for (int k = 0; k < n; k++) {
				assertThat(e.get("attributions").get(k).get("attribution").doubleValue()).as("token %d", k)
					.isCloseTo(e.get("f_x").doubleValue() - predictions.get(k).get("spam_probability").doubleValue(),
							within(1e-6));
			}
			// every token removed: the text without tokens
			double empty = post("/v1/models/spam:predict", "{\"instances\":[\"\"]}").get("predictions")
				.get(0)
				.get("spam_probability")
				.doubleValue();
			assertThat(e.get("f_baseline").doubleValue()).isCloseTo(empty, within(1e-6));
		}
	}

	// ------------------------------------------------------------------ KernelSHAP

	@Test
	void kernelShapOnIncomeSumsToTheOutputMinusTheBackgroundExpectationWithinOneInAMillion() throws Exception {
		List<ObjectNode> rows = incomeValidationRows(6);
		for (String summary : List.of("sample", "kmeans")) {
			JsonNode answer = explain("income", rows,
					Map.of("method", "kernel_shap", "background_summary", summary, "background_size", 20, "seed", 5));
			for (int i = 0; i < rows.size(); i++) {
				JsonNode e = answer.get("explanations").get(i);
				double sum = 0;
				for (JsonNode a : e.get("attributions")) {
					sum += a.get("attribution").doubleValue();
					assertThat(a.get("standard_error").doubleValue()).isNotNegative();
				}
				assertThat(sum).isCloseTo(e.get("f_x").doubleValue() - e.get("expected_value").doubleValue(),
						within(1e-6));
				assertThat(e.get("f_x").doubleValue()).isCloseTo(
						answer.get("predictions").get(i).get("probabilities").get(1).doubleValue(), within(1e-6));
				JsonNode background = e.get("background");
				assertThat(background.get("source").stringValue()).isEqualTo("reference");
				assertThat(background.get("summary").stringValue()).isEqualTo(summary);
				assertThat(background.get("rows").intValue()).isEqualTo(20);
				assertThat(background.get("pool_rows").intValue()).isEqualTo(1000);
				assertThat(e.get("quality").get("exact").booleanValue()).isFalse();
				assertThat(e.get("quality").get("features").intValue()).isEqualTo(14);
				assertThat(e.get("evaluated_through").stringValue()).isEqualTo("explain_encode + explain_gradients");
				// many evaluations in few calls
				assertThat(e.get("model_evaluations").longValue() / e.get("model_calls").longValue())
					.isGreaterThan(1000);
			}
		}
		// the same seed: the same background and the same values
		JsonNode first = explain("income", rows.subList(0, 1), Map.of("method", "kernel_shap", "seed", 9));
		JsonNode second = explain("income", rows.subList(0, 1), Map.of("method", "kernel_shap", "seed", 9));
		assertThat(second.get("explanations")).isEqualTo(first.get("explanations"));
	}

	@Test
	void kernelShapThroughTheServingSignatureAgreesWithTheEncodedEvaluationAndExplainsLogitsToo() throws Exception {
		List<ObjectNode> rows = incomeValidationRows(2);
		Map<String, Object> parameters = Map.of("method", "kernel_shap", "background_size", 10, "seed", 1, "samples",
				256);
		JsonNode encoded = explain("income", rows, parameters);
		Map<String, Object> viaServing = new LinkedHashMap<>(parameters);
		// P(>50K) as the serving signature's scalar output: only the serving signature
		// has it
		viaServing.put("output", "probability");
		JsonNode serving = explain("income", rows, viaServing);
		for (int i = 0; i < rows.size(); i++) {
			JsonNode a = encoded.get("explanations").get(i);
			JsonNode b = serving.get("explanations").get(i);
			assertThat(b.get("evaluated_through").stringValue()).isEqualTo("serving_default");
			assertThat(b.get("background").get("sha256")).isEqualTo(a.get("background").get("sha256"));
			for (int k = 0; k < 14; k++) {
				assertThat(b.get("attributions").get(k).get("attribution").doubleValue())
					.isCloseTo(a.get("attributions").get(k).get("attribution").doubleValue(), within(1e-6));
			}
		}
		Map<String, Object> logit = new LinkedHashMap<>(parameters);
		logit.put("target", "logit");
		JsonNode e = explain("income", rows.subList(0, 1), logit).get("explanations").get(0);
		assertThat(e.get("target").get("kind").stringValue()).isEqualTo("logit");
		double sum = 0;
		for (JsonNode a : e.get("attributions")) {
			sum += a.get("attribution").doubleValue();
		}
		assertThat(sum).isCloseTo(e.get("f_x").doubleValue() - e.get("expected_value").doubleValue(), within(1e-6));
		// a logit, not a probability
		assertThat(Math.abs(e.get("f_x").doubleValue() - encoded.get("explanations").get(0).get("f_x").doubleValue()))
			.isGreaterThan(0.01);
	}

	@Test
	void kernelShapOnALinearModelGivesWeightTimesDistanceFromTheBackgroundMean() throws Exception {
		List<Map<String, Object>> background = new ArrayList<>();
		java.util.Random random = new java.util.Random(3);
		double[] mean = new double[LINEAR_WEIGHTS.length];
		for (int b = 0; b < 30; b++) {
			Map<String, Object> row = new LinkedHashMap<>();
			for (int i = 0; i < LINEAR_WEIGHTS.length; i++) {
				double v = random.nextGaussian() * 3 + i;
				row.put(linearInput(i), v);
				mean[i] += v / 30;
			}
			background.add(row);
		}
		Map<String, Object> x = new LinkedHashMap<>();
		double[] values = { 2.5, -1, 7, 0.125, 3 };
		for (int i = 0; i < values.length; i++) {
			x.put(linearInput(i), values[i]);
		}
		JsonNode e = explain("linear", List.of(x),
				Map.of("method", "kernel_shap", "background", background, "background_size", 30))
			.get("explanations")
			.get(0);
		assertThat(e.get("quality").get("exact").booleanValue()).isTrue();
		assertThat(e.get("background").get("source").stringValue()).isEqualTo("request");
		for (int i = 0; i < values.length; i++) {
			JsonNode a = e.get("attributions").get(i);
			assertThat(a.get("feature").stringValue()).isEqualTo(linearInput(i));
			assertThat(a.get("attribution").doubleValue()).as(linearInput(i))
				.isCloseTo(LINEAR_WEIGHTS[i] * (values[i] - mean[i]), within(1e-6));
		}
	}

	@Test
	void tfServingHalfPlusTwoIsExplainedThroughItsServingSignatureAlone() throws Exception {
		JsonNode methods = get("/v1/models/half/explanation-methods").statusCode() == 200
				? JSON.readTree(get("/v1/models/half/explanation-methods").body()) : null;
		assertThat(methods).isNotNull();
		assertThat(methods.get("default_method").stringValue()).isEqualTo("occlusion");
		JsonNode e = explain("half", List.of(Map.of("x", 3.0)),
				Map.of("method", "kernel_shap", "background", List.of(Map.of("x", 1.0), Map.of("x", 2.0))))
			.get("explanations")
			.get(0);
		// y = x / 2 + 2: φ = (3 − 1.5) / 2
		assertThat(e.get("attributions").get(0).get("attribution").doubleValue()).isCloseTo(0.75, within(1e-6));
		JsonNode occluded = explain("half", List.of(Map.of("x", 3.0)), Map.of()).get("explanations").get(0);
		assertThat(occluded.get("method").stringValue()).isEqualTo("occlusion");
		assertThat(occluded.get("baseline").get("name").stringValue()).isEqualTo("missing");
		assertThat(occluded.get("attributions").get(0).get("attribution").doubleValue()).isCloseTo(1.5, within(1e-6));
	}

	// ------------------------------------------------------------------ versions and
	// methods

	@Test
	void aVersionExportedWithoutTheExplainSignaturesKeepsServingWithKernelShapAndOcclusionOnly() throws Exception {
		ObjectNode row = incomeValidationRows(1).get(0);
		HttpResponse<String> predict = postRaw("/v1/models/legacy:predict",
				JSON.writeValueAsString(Map.of("instances", List.of(row))));
		assertThat(predict.statusCode()).isEqualTo(200);

		JsonNode methods = JSON.readTree(get("/v1/models/legacy/explanation-methods").body());
		assertThat(methods.get("methods").findValuesAsString("method")).containsExactly("kernel_shap", "occlusion");
		assertThat(methods.get("unsupported").get(0).get("method").stringValue()).isEqualTo("integrated_gradients");
		assertThat(methods.get("default_method").stringValue()).isEqualTo("occlusion");

		HttpResponse<String> gradients = postRaw("/v1/models/legacy:explain", JSON.writeValueAsString(
				Map.of("instances", List.of(row), "parameters", Map.of("method", "integrated_gradients"))));
		assertBadRequest(gradients, "parameters.method", "kernel_shap, occlusion");
		assertThat(gradients.body()).contains("explain signatures");

		// without the contract nothing says which of the two float outputs is the one to
		// explain
		HttpResponse<String> noOutput = postRaw("/v1/models/legacy:explain", JSON
			.writeValueAsString(Map.of("instances", List.of(row), "parameters", Map.of("method", "occlusion"))));
		assertBadRequest(noOutput, "parameters.output", "probabilities, probability");
		HttpResponse<String> noBackground = postRaw("/v1/models/legacy:explain", JSON.writeValueAsString(Map
			.of("instances", List.of(row), "parameters", Map.of("method", "kernel_shap", "output", "probability"))));
		assertBadRequest(noBackground, "parameters.background", "warden-background.csv");
		// a logit needs the explain signatures
		assertBadRequest(postRaw("/v1/models/legacy:explain", JSON.writeValueAsString(
				Map.of("instances", List.of(row), "parameters", Map.of("method", "kernel_shap", "target", "logit")))),
				"parameters.target");

		JsonNode withBackground = explain("legacy", List.of(row), Map.of("method", "kernel_shap", "output",
				"probability", "background", incomeValidationRows(12).subList(2, 12)));
		JsonNode e = withBackground.get("explanations").get(0);
		assertThat(e.get("background").get("source").stringValue()).isEqualTo("request");
		double sum = 0;
		for (JsonNode a : e.get("attributions")) {
			sum += a.get("attribution").doubleValue();
		}
		assertThat(sum).isCloseTo(e.get("f_x").doubleValue() - e.get("expected_value").doubleValue(), within(1e-6));
		JsonNode occlusion = explain("legacy", List.of(row), Map.of("output", "probability")).get("explanations")
			.get(0);
		assertThat(occlusion.get("method").stringValue()).isEqualTo("occlusion");
		assertThat(occlusion.get("baseline").get("name").stringValue()).isEqualTo("missing");
		assertThat(occlusion.get("target").get("output").stringValue()).isEqualTo("probability");
	}

	@Test
	void explanationMethodsListWhatEachVersionSupports() throws Exception {
		HttpResponse<String> income = get("/v1/models/income/versions/2/explanation-methods");
		assertThat(income.statusCode()).isEqualTo(200);
		assertThat(income.headers().firstValue("X-Model-Version")).hasValue("2");
		JsonNode methods = JSON.readTree(income.body());
		assertThat(methods.get("version").stringValue()).isEqualTo("2");
		assertThat(methods.get("default_method").stringValue()).isEqualTo("integrated_gradients");
		assertThat(methods.get("methods").findValuesAsString("method")).containsExactly("integrated_gradients",
				"kernel_shap", "occlusion");
		assertThat(methods.get("training_data").get("sha256").stringValue()).hasSize(64);

		JsonNode spam = JSON.readTree(get("/v1/models/spam/explanation-methods").body());
		assertThat(spam.get("kind").stringValue()).isEqualTo("text");
		assertThat(spam.get("methods").findValuesAsString("method")).containsExactly("integrated_gradients",
				"occlusion");
		assertThat(spam.get("unsupported").get(0).get("method").stringValue()).isEqualTo("kernel_shap");

		assertThat(get("/v1/models/nope/explanation-methods").statusCode()).isEqualTo(404);
		assertThat(get("/v1/models/income:explain").statusCode()).isEqualTo(405);
	}

	// ------------------------------------------------------------------ bad input

	@Test
	void badInputIsA400NamingTheParameterAndNeverA5xx() throws Exception {
		ObjectNode row = incomeValidationRows(1).get(0);
		Map<String, String> cases = new LinkedHashMap<>();
		cases.put("{\"method\":\"lime\"}", "parameters.method");
		cases.put("{\"steps\":0}", "parameters.steps");
		cases.put("{\"steps\":5000}", "parameters.steps");
		cases.put("{\"steps\":\"ten\"}", "parameters.steps");
		cases.put("{\"steps\":64,\"max_steps\":8}", "parameters.max_steps");
		cases.put("{\"integration\":\"simpson\"}", "parameters.integration");
		cases.put("{\"target\":\"odds\"}", "parameters.target");
		cases.put("{\"class\":7}", "parameters.class");
		cases.put("{\"baseline\":\"median\"}", "parameters.baseline");
		cases.put("{\"baseline\":{\"age\":30}}", "parameters.baseline");
		cases.put("{\"baseline\":{\"age\":\"thirty\"}}", "parameters.baseline");
		cases.put("{\"baseline\":7}", "parameters.baseline");
		cases.put("{\"method\":\"kernel_shap\",\"samples\":1}", "parameters.samples");
		cases.put("{\"method\":\"kernel_shap\",\"background_size\":0}", "parameters.background_size");
		cases.put("{\"method\":\"kernel_shap\",\"background_summary\":\"median\"}", "parameters.background_summary");
		cases.put("{\"method\":\"kernel_shap\",\"background\":{\"age\":1}}", "parameters.background");
		cases.put("{\"method\":\"kernel_shap\",\"background\":[{\"age\":1}]}", "parameters.background");
		cases.put("{\"method\":\"kernel_shap\",\"steps\":8}", "parameters.steps");
		cases.put("{\"method\":\"occlusion\",\"target\":\"logit\"}", "parameters.target");
		cases.put("{\"method\":\"occlusion\",\"output\":\"class_id\"}", "parameters.output");
		cases.put("{\"method\":\"occlusion\",\"output\":\"nope\"}", "parameters.output");
		cases.put("{\"colour\":\"red\"}", "parameters");
		cases.put("[]", "parameters");
		for (var entry : cases.entrySet()) {
			HttpResponse<String> response = postRaw("/v1/models/income:explain",
					"{\"instances\":[" + row + "],\"parameters\":" + entry.getKey() + "}");
			assertBadRequest(response, entry.getValue());
		}
		List<ObjectNode> many = incomeValidationRows(17);
		assertBadRequest(postRaw("/v1/models/income:explain", JSON.writeValueAsString(Map.of("instances", many))),
				"instances");
		assertBadRequest(postRaw("/v1/models/income:explain", "{\"instances\":[{\"age\":30}]}"), "instances");
		assertBadRequest(postRaw("/v1/models/income:explain", "{\"inputs\":{}}"), "inputs");
		assertBadRequest(postRaw("/v1/models/spam:explain",
				JSON.writeValueAsString(Map.of("instances", List.of("x".repeat(20_001))))), "instances[0]");
		assertBadRequest(
				postRaw("/v1/models/spam:explain",
						"{\"instances\":[\"hello\"],\"parameters\":{\"method\":\"kernel_shap\"}}"),
				"parameters.method");
		assertBadRequest(
				postRaw("/v1/models/spam:explain",
						"{\"instances\":[\"hello\"],\"parameters\":{\"baseline\":\"training\"}}"),
				"parameters.baseline");
		assertThat(postRaw("/v1/models/nope:explain", "{\"instances\":[1]}").statusCode()).isEqualTo(404);
		assertThat(postRaw("/v1/models/income:explain", "not json").statusCode()).isEqualTo(400);
	}

	// ------------------------------------------------------------------ helpers

	private static void assertComplete(JsonNode e) {
		double sum = 0;
		for (JsonNode a : e.get("attributions")) {
			sum += a.get("attribution").doubleValue();
		}
		double change = e.get("f_x").doubleValue() - e.get("f_baseline").doubleValue();
		double delta = sum - change;
		assertThat(e.get("quality").get("completeness_delta").doubleValue()).isCloseTo(delta, within(1e-9));
		assertThat(Math.abs(delta)).as("completeness delta of %s", e)
			.isLessThanOrEqualTo(Math.max(0.01 * Math.abs(change), 1e-5));
		assertThat(e.get("quality").get("within_tolerance").booleanValue()).isTrue();
	}

	/**
	 * The span of the original text a token came from, as the model's cleaning reads it.
	 */
	private static void assertSpanMatches(String token, String span) {
		switch (token) {
			case "xxnum" -> assertThat(span).matches("\\p{N}+");
			case "xxbang" -> assertThat(span).isEqualTo("!");
			case "xxdollar" -> assertThat(span).isEqualTo("$");
			case "xxurl" -> assertThat(span.toLowerCase(java.util.Locale.ROOT)).matches("(https?://|www\\.)\\S*");
			case "xxemail" -> assertThat(span).contains("@");
			default -> assertThat(span.toLowerCase(java.util.Locale.ROOT)).isEqualTo(token);
		}
	}

	private static void assertBadRequest(HttpResponse<String> response, String... mentions) throws IOException {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		JsonNode error = JSON.readTree(response.body()).get("error");
		assertThat(error.get("code").stringValue()).isEqualTo("invalid_argument");
		for (String mention : mentions) {
			assertThat(error.get("message").stringValue()).contains(mention);
		}
	}

	private JsonNode explain(String model, List<?> instances, Map<String, Object> parameters) throws Exception {
		HttpResponse<String> response = postRaw("/v1/models/" + model + ":explain",
				JSON.writeValueAsString(Map.of("instances", instances, "parameters", parameters)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private JsonNode post(String path, String body) throws Exception {
		HttpResponse<String> response = postRaw(path, body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private HttpResponse<String> postRaw(String path, String body) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The first rows of the Adult validation split, raw columns as :predict takes them.
	 */
	static List<ObjectNode> incomeValidationRows(int n) throws IOException {
		List<String> numeric = List.of("age", "fnlwgt", "education_num", "capital_gain", "capital_loss",
				"hours_per_week");
		List<String> columns = List.of("age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
				"occupation", "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
				"native_country");
		List<ObjectNode> rows = new ArrayList<>();
		try (var in = ExplainIntegrationTests.class.getClassLoader()
			.getResourceAsStream("datasets/adult/adult_validation.csv");
				CSVParser parser = CSVParser.parse(new InputStreamReader(in, StandardCharsets.UTF_8),
						CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
			for (CSVRecord record : parser) {
				if (rows.size() == n) {
					break;
				}
				ObjectNode row = JSON.createObjectNode();
				for (String column : columns) {
					if (numeric.contains(column)) {
						row.put(column, Double.parseDouble(record.get(column)));
					}
					else {
						row.put(column, record.get(column));
					}
				}
				rows.add(row);
			}
		}
		return rows;
	}

	/** The first texts of the SpamAssassin validation split, as the model reads them. */
	static List<String> spamValidationTexts(int n) throws IOException {
		List<String> texts = new ArrayList<>();
		try (var in = new GZIPInputStream(ExplainIntegrationTests.class.getClassLoader()
			.getResourceAsStream("datasets/spamassassin/spamassassin_validation.csv.gz"));
				CSVParser parser = CSVParser.parse(new InputStreamReader(in, StandardCharsets.UTF_8),
						CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
			for (CSVRecord record : parser) {
				String text = record.get("subject") + " " + record.get("body");
				if (text.length() <= 20_000) {
					texts.add(text);
				}
				if (texts.size() == n) {
					break;
				}
			}
		}
		return texts;
	}

	private static String linearInput(int i) {
		return "x" + i;
	}

	/**
	 * y = Σ w_i x_i + b in double precision, five DT_DOUBLE inputs {@code x0}…{@code x4}.
	 */
	private static void linearModel(Path versionDir) throws IOException {
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Signature.Builder signature = Signature.builder("serving_default").methodName("tensorflow/serving/predict");
			Operand<TFloat64> y = tf.constant(LINEAR_BIAS);
			for (int i = 0; i < LINEAR_WEIGHTS.length; i++) {
				Placeholder<TFloat64> x = tf.withName(linearInput(i))
					.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
				signature.input(linearInput(i), x);
				y = tf.math.add(y, tf.math.mul(x, tf.constant(LINEAR_WEIGHTS[i])));
			}
			signature.output("y", tf.withName("y").identity(y));
			SavedModelBundle.exporter(versionDir.toString())
				.withTags("serve")
				.withSession(session)
				.withSignature(signature.build())
				.export();
		}
	}

	/**
	 * What a version exported before explanations existed looks like: no explain
	 * signatures, no Warden files.
	 */
	private static void withoutExplainSignatures(Path versionDir) throws IOException {
		Path pb = versionDir.resolve("saved_model.pb");
		SavedModel model = SavedModel.parseFrom(Files.readAllBytes(pb));
		MetaGraphDef.Builder meta = model.getMetaGraphs(0).toBuilder();
		meta.removeSignatureDef(ExplainContract.ENCODE_SIGNATURE);
		meta.removeSignatureDef(ExplainContract.GRADIENTS_SIGNATURE);
		Files.write(pb, model.toBuilder().setMetaGraphs(0, meta).build().toByteArray());
		FileSystemUtils.deleteRecursively(versionDir.resolve("assets.extra"));
	}

}
