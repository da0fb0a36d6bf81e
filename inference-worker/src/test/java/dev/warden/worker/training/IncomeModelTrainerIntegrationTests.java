package dev.warden.worker.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.proto.DataType;

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
