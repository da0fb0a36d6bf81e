package dev.warden.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.warden.worker.explain.ExplainContract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

class IncomeModelTrainerIntegrationTests {

	private final IncomeModelTrainer trainer = new IncomeModelTrainer();

	@Test
	void shortRunExportsAnInferenceOnlySavedModelWithTheContractSignature(@TempDir Path store) {
		IncomeModelTrainer.TrainingResult result = trainer.trainAndExport(store,
				new IncomeModelTrainer.Options(150, 7));

		assertThat(result.version()).isEqualTo(1);
		assertThat(result.versionDir()).isEqualTo(store.resolve("income").resolve("1"));
		assertThat(result.versionDir().resolve("saved_model.pb")).isRegularFile();
		assertThat(result.validationAccuracy()).isBetween(0.76, 1.0);
		try (SavedModelBundle bundle = SavedModelBundle.load(result.versionDir().toString(), "serve")) {
			Signature signature = bundle.signatures()
				.stream()
				.filter(s -> s.key().equals("serving_default"))
				.findFirst()
				.orElseThrow();
			assertThat(signature.methodName()).isEqualTo("tensorflow/serving/predict");
			Map<String, Signature.TensorDescription> inputs = signature.getInputs();
			assertThat(inputs.keySet()).containsExactlyInAnyOrderElementsOf(IncomeSchema.INPUT_COLUMNS);
			IncomeSchema.NUMERIC_COLUMNS.forEach(c -> assertThat(inputs.get(c).dataType).isEqualTo(DataType.DT_FLOAT));
			IncomeSchema.CATEGORICAL_COLUMNS
				.forEach(c -> assertThat(inputs.get(c).dataType).isEqualTo(DataType.DT_STRING));
			inputs.values().forEach(d -> assertThat(d.shape.asArray()).containsExactly(-1L));
			Map<String, Signature.TensorDescription> outputs = signature.getOutputs();
			assertThat(outputs.get("probability").dataType).isEqualTo(DataType.DT_FLOAT);
			assertThat(outputs.get("probability").shape.asArray()).containsExactly(-1L);
			assertThat(outputs.get("class_id").dataType).isEqualTo(DataType.DT_INT64);
			assertThat(outputs.get("probabilities").shape.asArray()).containsExactly(-1L, 2L);
			// inference only: no optimiser slots or label placeholder in the exported
			// graph
			assertThat(bundle.graph().operation("train_labels")).isNull();
		}
		assertThat(store.resolve("income")).isDirectoryContaining(p -> p.getFileName().toString().equals("1"));
	}

	@Test
	void exportsTheExplainSignaturesAContractAndASeededBackground(@TempDir Path store) throws Exception {
		IncomeModelTrainer.TrainingResult result = trainer.trainAndExport(store, new IncomeModelTrainer.Options(60, 7));
		Path assets = result.versionDir().resolve("assets.extra");
		ExplainContract contract = ExplainContract.parse(Files.readAllBytes(assets.resolve(ExplainContract.FILE)));

		int featureCount = contract.features().size();
		// every encoded feature belongs to exactly one raw column, in the CSV's column
		// order
		assertThat(contract.columns().stream().map(ExplainContract.Column::name))
			.containsExactlyElementsOf(IncomeSchema.INPUT_COLUMNS);
		assertThat(contract.columns().stream().flatMapToInt(c -> java.util.Arrays.stream(c.features())).sorted())
			.containsExactlyElementsOf(java.util.stream.IntStream.range(0, featureCount).boxed().toList());
		assertThat(contract.features()).contains("age", "workclass=Private", "workclass=<other>", "sex=Female");
		Map<String, Object> baseline = contract.baselines().get("training");
		assertThat(baseline.keySet()).containsExactlyElementsOf(IncomeSchema.INPUT_COLUMNS);
		assertThat(baseline.get("workclass")).isEqualTo("Private");
		assertThat(baseline.get("sex")).isEqualTo("Male");
		assertThat((Double) baseline.get("age")).isBetween(37.0, 40.0);
		// capital_gain is averaged after log1p: far below its raw mean (over 1,000)
		assertThat((Double) baseline.get("capital_gain")).isBetween(0.0, 10.0);
		assertThat(contract.trainingData().sha256()).isEqualTo(sha256OfResource("datasets/adult/adult_train.csv"));
		assertThat(contract.trainingData().rows()).isEqualTo(29609);

		byte[] background = Files.readAllBytes(assets.resolve(ExplainContract.BACKGROUND_FILE));
		List<String> lines = new String(background, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
		assertThat(lines.get(0)).isEqualTo(String.join(",", IncomeSchema.INPUT_COLUMNS));
		assertThat(lines).hasSize(1 + 1000).doesNotHaveDuplicates();
		assertThat(contract.background().sha256()).isEqualTo(ExplainExport.sha256(background));
		assertThat(contract.background().seed()).isEqualTo(7L);

		try (SavedModelBundle bundle = SavedModelBundle.load(result.versionDir().toString(), "serve")) {
			assertThat(bundle.signatures().stream().map(Signature::key)).containsExactlyInAnyOrder("serving_default",
					ExplainContract.ENCODE_SIGNATURE, ExplainContract.GRADIENTS_SIGNATURE);
			float[] features = encode(bundle, baseline);
			assertThat(features).hasSize(featureCount);
			// the training baseline encodes to standardised 0 for the numeric columns
			assertThat(features[0]).isCloseTo(0f, within(1e-5f));
			assertThat(features[contract.features().indexOf("workclass=Private")]).isEqualTo(1f);
			float[][] at = gradients(bundle, features, 1);
			float servingProbability = servingProbability(bundle, baseline);
			assertThat(at[0][1]).isCloseTo(servingProbability, within(1e-6f));
			// the exported gradient of P(class 1) against central differences
			float h = 1e-2f;
			float scale = 0;
			for (float g : at[2]) {
				scale = Math.max(scale, Math.abs(g));
			}
			for (int i = 0; i < featureCount; i++) {
				float[] up = features.clone();
				float[] down = features.clone();
				up[i] += h;
				down[i] -= h;
				float difference = (gradients(bundle, up, 1)[0][1] - gradients(bundle, down, 1)[0][1]) / (2 * h);
				assertThat(at[2][i]).as("feature %d", i).isCloseTo(difference, within(0.05f * scale + 1e-4f));
			}
		}
	}

	private static String sha256OfResource(String resource) throws Exception {
		try (var in = IncomeModelTrainer.class.getClassLoader().getResourceAsStream(resource)) {
			return ExplainExport.sha256(in.readAllBytes());
		}
	}

	private static Map<String, org.tensorflow.Tensor> rawRow(Map<String, Object> row) {
		Map<String, org.tensorflow.Tensor> tensors = new java.util.HashMap<>();
		row.forEach((name, value) -> tensors.put(name,
				value instanceof Double d ? TFloat32.vectorOf(d.floatValue()) : TString.vectorOf((String) value)));
		return tensors;
	}

	private static float[] encode(SavedModelBundle bundle, Map<String, Object> row) {
		Map<String, org.tensorflow.Tensor> inputs = rawRow(row);
		try (Result result = bundle.function(ExplainContract.ENCODE_SIGNATURE).call(inputs)) {
			TFloat32 features = (TFloat32) result.get(ExplainContract.FEATURES).orElseThrow();
			float[] copy = new float[(int) features.shape().size(1)];
			for (int i = 0; i < copy.length; i++) {
				copy[i] = features.getFloat(0, i);
			}
			return copy;
		}
		finally {
			inputs.values().forEach(org.tensorflow.Tensor::close);
		}
	}

	private static float servingProbability(SavedModelBundle bundle, Map<String, Object> row) {
		Map<String, org.tensorflow.Tensor> inputs = rawRow(row);
		try (Result result = bundle.function("serving_default").call(inputs)) {
			return ((TFloat32) result.get("probability").orElseThrow()).getFloat(0);
		}
		finally {
			inputs.values().forEach(org.tensorflow.Tensor::close);
		}
	}

	/** {probabilities, logit gradients, probability gradients} of one row. */
	private static float[][] gradients(SavedModelBundle bundle, float[] features, long targetClass) {
		try (TFloat32 x = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, features.length),
				org.tensorflow.ndarray.buffer.DataBuffers.of(features));
				TInt64 target = TInt64.vectorOf(targetClass);
				Result result = bundle.function(ExplainContract.GRADIENTS_SIGNATURE)
					.call(Map.of(ExplainContract.FEATURES, x, ExplainContract.TARGET_CLASS, target))) {
			float[][] out = new float[3][];
			String[] names = { ExplainContract.PROBABILITIES, ExplainContract.LOGIT_GRADIENTS,
					ExplainContract.PROBABILITY_GRADIENTS };
			for (int k = 0; k < 3; k++) {
				TFloat32 tensor = (TFloat32) result.get(names[k]).orElseThrow();
				out[k] = new float[(int) tensor.shape().size(1)];
				for (int i = 0; i < out[k].length; i++) {
					out[k][i] = tensor.getFloat(0, i);
				}
			}
			return out;
		}
	}

	@Test
	void everyRunAddsTheNextVersionAndLeavesExistingVersionsAlone(@TempDir Path store) throws Exception {
		Path existing = Files.createDirectories(store.resolve("income").resolve("3"));
		Files.writeString(existing.resolve("marker"), "keep");

		IncomeModelTrainer.TrainingResult result = trainer.trainAndExport(store, new IncomeModelTrainer.Options(20, 1));

		assertThat(result.version()).isEqualTo(4);
		assertThat(existing.resolve("marker")).hasContent("keep");
		try (var entries = Files.list(store.resolve("income"))) {
			assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("3", "4");
		}
	}

	@Test
	void theSameSeedTrainsTheSameWeightsBitForBit(@TempDir Path first, @TempDir Path second) throws Exception {
		var options = new IncomeModelTrainer.Options(40, 5);
		Path a = trainer.trainAndExport(first, options).versionDir().resolve("variables");
		Path b = trainer.trainAndExport(second, options).versionDir().resolve("variables");
		String data = "variables.data-00000-of-00001";
		assertThat(Files.readAllBytes(a.resolve(data))).isEqualTo(Files.readAllBytes(b.resolve(data)));
		Path other = trainer.trainAndExport(first, new IncomeModelTrainer.Options(40, 6)).versionDir();
		assertThat(Files.readAllBytes(other.resolve("variables").resolve(data)))
			.isNotEqualTo(Files.readAllBytes(a.resolve(data)));
	}

	@Test
	void fullDefaultTrainingReachesTheAccuracyGate(@TempDir Path store) {
		IncomeModelTrainer.TrainingResult result = trainer.trainAndExport(store, IncomeModelTrainer.Options.defaults());

		System.out.printf("full training: validation accuracy %.4f in %d ms%n", result.validationAccuracy(),
				result.trainingTime().toMillis());
		assertThat(result.options().isFullTraining()).isTrue();
		assertThat(result.validationAccuracy()).isGreaterThanOrEqualTo(IncomeModelTrainer.ACCURACY_GATE);
		assertThat(result.passesAccuracyGate()).isTrue();
	}

	@Test
	void commandLineTrainsIntoTheStoreAndReportsAccuracy(@TempDir Path store) {
		var out = new java.io.ByteArrayOutputStream();
		var err = new java.io.ByteArrayOutputStream();

		int exit = IncomeTrainingCommand.run(
				new String[] { "train", "income", "--store", store.toString(), "--steps", "20", "--seed", "3" },
				new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));

		assertThat(exit).isZero();
		assertThat(out.toString()).contains("version=1").contains("validation_accuracy=");
		assertThat(store.resolve("income/1/saved_model.pb")).isRegularFile();
	}

	@Test
	void commandLineRejectsBadUsage(@TempDir Path store) {
		var err = new java.io.ByteArrayOutputStream();
		var printErr = new java.io.PrintStream(err, true);

		assertThat(IncomeTrainingCommand.run(new String[] { "train", "spam", "--store", store.toString() }, System.out,
				printErr))
			.isEqualTo(2);
		assertThat(IncomeTrainingCommand.run(new String[] { "train", "income" }, System.out, printErr)).isEqualTo(2);
		assertThat(IncomeTrainingCommand.run(
				new String[] { "train", "income", "--store", store.toString(), "--steps", "zero" }, System.out,
				printErr))
			.isEqualTo(2);
		assertThat(err.toString()).contains("usage: train income --store DIR");
	}

}
