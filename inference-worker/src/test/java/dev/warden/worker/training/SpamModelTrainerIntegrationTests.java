package dev.warden.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.warden.worker.explain.ExplainContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Trains the spam model with real TensorFlow; the full default model is trained once for
 * the whole class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpamModelTrainerIntegrationTests {

	private static final String SPAMMY = "URGENT!!! You have WON $1,000,000 cash prize. Click here now "
			+ "http://win-money.example.com to claim your FREE gift. Limited time offer, act now! "
			+ "No credit check, guaranteed, 100% free, order today and remove yourself from this list.";

	private static final String HAMMY = "Re: patch for the build script. Thanks Chris, I applied your patch to "
			+ "the CVS tree and the nightly build on the Linux box works again. Could you also look at the failing "
			+ "unit test in the parser module before the release next week? Cheers";

	private final SpamModelTrainer trainer = new SpamModelTrainer();

	private Path fullStore;

	private SpamModelTrainer.TrainingResult full;

	private SavedModelBundle fullModel;

	@BeforeAll
	void trainTheFullDefaultModel() throws IOException {
		fullStore = Files.createTempDirectory("spam-full");
		full = trainer.trainAndExport(fullStore, SpamModelTrainer.Options.defaults());
		System.out.printf("full spam training: validation accuracy %.4f in %d ms%n", full.validationAccuracy(),
				full.trainingTime().toMillis());
		fullModel = SavedModelBundle.load(full.versionDir().toString(), "serve");
	}

	@AfterAll
	void closeAndDelete() {
		if (fullModel != null) {
			fullModel.close();
		}
		ModelStoreExport.deleteQuietly(fullStore);
	}

	@Test
	void fullDefaultTrainingReachesTheAccuracyGate() {
		assertThat(full.options().isFullTraining()).isTrue();
		assertThat(full.validationAccuracy()).isGreaterThanOrEqualTo(SpamModelTrainer.ACCURACY_GATE);
		assertThat(full.passesAccuracyGate()).isTrue();
		assertThat(full.versionDir()).isEqualTo(fullStore.resolve("spam").resolve("1"));
	}

	@Test
	void shortRunExportsAnInferenceOnlySavedModelWithTheContractSignature(@TempDir Path store) {
		SpamModelTrainer.TrainingResult result = trainer.trainAndExport(store, new SpamModelTrainer.Options(40, 7));

		assertThat(result.model()).isEqualTo("spam");
		assertThat(result.version()).isEqualTo(1);
		assertThat(result.versionDir().resolve("saved_model.pb")).isRegularFile();
		assertThat(result.validationAccuracy()).isBetween(0.0, 1.0);
		assertThat(result.passesAccuracyGate()).isEqualTo(result.validationAccuracy() >= 0.95);
		try (SavedModelBundle bundle = SavedModelBundle.load(result.versionDir().toString(), "serve")) {
			Signature signature = bundle.signatures()
				.stream()
				.filter(s -> s.key().equals("serving_default"))
				.findFirst()
				.orElseThrow();
			assertThat(signature.methodName()).isEqualTo("tensorflow/serving/predict");
			Map<String, Signature.TensorDescription> inputs = signature.getInputs();
			assertThat(inputs.keySet()).containsExactly("text");
			assertThat(inputs.get("text").dataType).isEqualTo(DataType.DT_STRING);
			assertThat(inputs.get("text").shape.asArray()).containsExactly(-1L);
			Map<String, Signature.TensorDescription> outputs = signature.getOutputs();
			assertThat(outputs.keySet()).containsExactlyInAnyOrder("probabilities", "spam_probability", "class_id",
					"label");
			assertThat(outputs.get("probabilities").dataType).isEqualTo(DataType.DT_FLOAT);
			assertThat(outputs.get("probabilities").shape.asArray()).containsExactly(-1L, 2L);
			assertThat(outputs.get("spam_probability").dataType).isEqualTo(DataType.DT_FLOAT);
			assertThat(outputs.get("spam_probability").shape.asArray()).containsExactly(-1L);
			assertThat(outputs.get("class_id").dataType).isEqualTo(DataType.DT_INT64);
			assertThat(outputs.get("class_id").shape.asArray()).containsExactly(-1L);
			assertThat(outputs.get("label").dataType).isEqualTo(DataType.DT_STRING);
			assertThat(outputs.get("label").shape.asArray()).containsExactly(-1L);
			// inference only: no optimiser slots, training placeholders or label input in
			// the exported graph
			assertThat(bundle.graph().operation("train_labels")).isNull();
			assertThat(bundle.graph().operation("train_ids")).isNull();
			assertThat(predict(bundle, List.of("hello world")).get(0).probabilities()).hasSize(2);
		}
	}

	@Test
	void rawTextEdgeCasesGiveValidProbabilities() {
		String longText = "lorem ipsum dolor sit amet, consectetur 42 http://x.example/y?z=1 ".repeat(3_200);
		assertThat(longText.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(200_000);
		List<String> texts = List.of("", " \t ", "... ,,, ??? --- *** (( )) ;;",
				"Привет, мир! 你好，世界 🎉 café naïve Ünïcödé", "\u0000\u0001 control \uFFFD", longText,
				"a".repeat(100_000), SPAMMY);

		List<Prediction> predictions = predict(fullModel, texts);

		assertThat(predictions).hasSize(texts.size());
		for (Prediction p : predictions) {
			assertThat(p.probabilities()[0]).isFinite().isBetween(0f, 1f);
			assertThat(p.probabilities()[1]).isFinite().isBetween(0f, 1f);
			assertThat(p.probabilities()[0] + p.probabilities()[1]).isCloseTo(1f, within(1e-5f));
			assertThat(p.spamProbability()).isEqualTo(p.probabilities()[1]);
			assertThat(p.classId()).isEqualTo(p.probabilities()[1] > p.probabilities()[0] ? 1L : 0L);
			assertThat(p.label()).isEqualTo(p.classId() == 1 ? "spam" : "ham");
		}
		// texts without any token (only white space or punctuation) get the same score
		assertThat(predictions.get(0).spamProbability()).isEqualTo(predictions.get(1).spamProbability());
		assertThat(predictions.get(0).spamProbability()).isEqualTo(predictions.get(2).spamProbability());
	}

	@Test
	void exportsTheExplainSignaturesWithTokensEmbeddingsAndGradientsAndATextContract() throws IOException {
		ExplainContract contract = ExplainContract
			.parse(Files.readAllBytes(full.versionDir().resolve("assets.extra").resolve(ExplainContract.FILE)));
		assertThat(contract.kind()).isEqualTo(ExplainContract.Kind.TEXT);
		assertThat(contract.text().input()).isEqualTo("text");
		assertThat(contract.text().embeddingDim()).isEqualTo(32);
		assertThat(contract.classes()).containsExactly("ham", "spam");
		assertThat(full.versionDir().resolve("assets.extra").resolve(ExplainContract.BACKGROUND_FILE)).doesNotExist();

		String text = "WIN 2 prizes!! Visit www.example.com";
		try (TString input = TString.vectorOf(text);
				Result encoded = fullModel.function(ExplainContract.ENCODE_SIGNATURE).call(Map.of("text", input))) {
			TString tokens = (TString) encoded.get(ExplainContract.TOKENS).orElseThrow();
			List<String> words = new java.util.ArrayList<>();
			tokens.scalars().forEach(t -> words.add(t.getObject()));
			assertThat(words).containsExactly("win", "xxnum", "prizes", "xxbang", "xxbang", "visit", "xxurl");
			TInt64 rows = (TInt64) encoded.get(ExplainContract.TOKEN_ROWS).orElseThrow();
			TInt64 buckets = (TInt64) encoded.get(ExplainContract.TOKEN_BUCKETS).orElseThrow();
			TFloat32 embeddings = (TFloat32) encoded.get(ExplainContract.TOKEN_EMBEDDINGS).orElseThrow();
			assertThat(embeddings.shape().asArray()).containsExactly(7L, 32L);
			for (int k = 0; k < 7; k++) {
				assertThat(rows.getLong(k)).isZero();
				assertThat(buckets.getLong(k)).isBetween(0L, 65535L);
			}
			// the two "xxbang" share their bucket and their embedding
			assertThat(buckets.getLong(3)).isEqualTo(buckets.getLong(4));

			float serving = predict(fullModel, List.of(text)).get(0).spamProbability();
			try (TInt64 target = TInt64.vectorOf(1L);
					Result gradients = fullModel.function(ExplainContract.GRADIENTS_SIGNATURE)
						.call(Map.of(ExplainContract.TOKEN_EMBEDDINGS, embeddings, ExplainContract.TOKEN_ROWS, rows,
								ExplainContract.TARGET_CLASS, target))) {
				TFloat32 probabilities = (TFloat32) gradients.get(ExplainContract.PROBABILITIES).orElseThrow();
				assertThat(probabilities.getFloat(0, 1)).isCloseTo(serving, within(1e-6f));
				TFloat32 g = (TFloat32) gradients.get(ExplainContract.PROBABILITY_GRADIENTS).orElseThrow();
				assertThat(g.shape().asArray()).containsExactly(7L, 32L);
				// mean pooling: every occurrence of a token gets the same gradient
				for (int d = 0; d < 32; d++) {
					assertThat(g.getFloat(0, d)).isEqualTo(g.getFloat(5, d));
				}
			}
		}
	}

	@Test
	void aBatchGivesTheSameAnswersAsSingleCalls() {
		List<Prediction> batch = predict(fullModel, List.of(HAMMY, "", SPAMMY));

		assertThat(batch.get(0).spamProbability())
			.isCloseTo(predict(fullModel, List.of(HAMMY)).get(0).spamProbability(), within(1e-6f));
		assertThat(batch.get(2).spamProbability())
			.isCloseTo(predict(fullModel, List.of(SPAMMY)).get(0).spamProbability(), within(1e-6f));
	}

	@Test
	void aClearlySpammyTextScoresHigherThanAClearlyHammyOne() {
		List<Prediction> predictions = predict(fullModel, List.of(SPAMMY, HAMMY));

		assertThat(predictions.get(0).spamProbability()).isGreaterThan(predictions.get(1).spamProbability());
		assertThat(predictions.get(0).label()).isEqualTo("spam");
		assertThat(predictions.get(1).label()).isEqualTo("ham");
	}

	@Test
	void commandLineTrainsIntoTheStoreAndReportsAccuracy(@TempDir Path store) {
		var out = new ByteArrayOutputStream();
		var err = new ByteArrayOutputStream();

		int exit = TrainingCommand.run(
				new String[] { "train", "spam", "--store", store.toString(), "--steps", "20", "--seed", "3" },
				new PrintStream(out, true), new PrintStream(err, true));

		assertThat(exit).as(err.toString()).isZero();
		assertThat(out.toString()).contains("model=spam version=1")
			.contains("validation_accuracy=")
			.contains("steps=20 seed=3");
		assertThat(store.resolve("spam/1/saved_model.pb")).isRegularFile();
	}

	@Test
	void commandLineStillTrainsIncome(@TempDir Path store) {
		var out = new ByteArrayOutputStream();

		int exit = TrainingCommand.run(new String[] { "train", "income", "--store", store.toString(), "--steps", "20" },
				new PrintStream(out, true), System.err);

		assertThat(exit).isZero();
		assertThat(out.toString()).contains("model=income version=1");
		assertThat(store.resolve("income/1/saved_model.pb")).isRegularFile();
	}

	@Test
	void commandLineRejectsBadUsage(@TempDir Path store) {
		var err = new ByteArrayOutputStream();
		var printErr = new PrintStream(err, true);

		assertThat(TrainingCommand.run(new String[] { "train", "nope", "--store", store.toString() }, System.out,
				printErr))
			.isEqualTo(2);
		assertThat(TrainingCommand.run(new String[] { "train" }, System.out, printErr)).isEqualTo(2);
		assertThat(TrainingCommand.run(new String[] { "train", "spam" }, System.out, printErr)).isEqualTo(2);
		assertThat(TrainingCommand.run(new String[] { "train", "spam", "--store", store.toString(), "--steps", "0" },
				System.out, printErr))
			.isEqualTo(2);
		assertThat(TrainingCommand.run(new String[] { "train", "spam", "--store", store.toString(), "--colour", "red" },
				System.out, printErr))
			.isEqualTo(2);
		assertThat(err.toString()).contains("usage: train income|spam").contains("usage: train spam --store DIR");
		assertThat(store).isEmptyDirectory();
	}

	record Prediction(float[] probabilities, float spamProbability, long classId, String label) {
	}

	static List<Prediction> predict(SavedModelBundle bundle, List<String> texts) {
		try (TString input = TString.tensorOf(StandardCharsets.UTF_8,
				NdArrays.vectorOfObjects(texts.toArray(String[]::new)));
				Result result = bundle.function("serving_default").call(Map.of("text", input))) {
			TFloat32 probabilities = (TFloat32) result.get("probabilities").orElseThrow();
			TFloat32 spam = (TFloat32) result.get("spam_probability").orElseThrow();
			TInt64 classId = (TInt64) result.get("class_id").orElseThrow();
			TString label = (TString) result.get("label").orElseThrow();
			return java.util.stream.IntStream.range(0, texts.size())
				.mapToObj(
						i -> new Prediction(new float[] { probabilities.getFloat(i, 0), probabilities.getFloat(i, 1) },
								spam.getFloat(i), classId.getLong(i), label.getObject(i)))
				.toList();
		}
	}

}
