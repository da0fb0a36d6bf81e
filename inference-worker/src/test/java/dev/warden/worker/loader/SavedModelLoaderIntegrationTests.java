package dev.warden.worker.loader;

import static dev.warden.worker.TfServingTestData.classifyLog;
import static dev.warden.worker.TfServingTestData.exampleX;
import static dev.warden.worker.TfServingTestData.predictLog;
import static dev.warden.worker.TfServingTestData.regressLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.warden.worker.TfServingTestData;
import dev.warden.worker.source.ServableId;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The loader on TensorFlow Serving's own test models and on models built to be awkward:
 * every signature it can feed is warmed up (examples included), what it cannot feed or
 * call is reported instead of failing the version, and a model's own warm-up requests
 * file is replayed.
 */
class SavedModelLoaderIntegrationTests {

	private final SavedModelLoader loader = new SavedModelLoader(new LoaderProperties(-1, 1, 1_048_576));

	@TempDir
	Path dir;

	@ParameterizedTest
	@CsvSource({ "saved_model_half_plus_two_cpu, 123", "saved_model_half_plus_two_tf2_cpu, 123",
			"saved_model_half_plus_two_2_versions, 123", "saved_model_half_plus_two_2_versions, 124",
			"saved_model_half_plus_three, 123", "saved_model_half_plus_two_cpu_with_saved_model_config, 123",
			"saved_model_half_plus_two_cpu_with_empty_saved_model_config, 123" })
	void everyTensorFlowServingTestModelLoadsWithEverySignatureWarmedUp(String model, long version) {
		try (LoadedServable servable = loader.load(new ServableId("default", version),
				TfServingTestData.version(model, version))) {
			WarmUpReport report = servable.warmUpReport();

			assertThat(report.notWarmed()).isEmpty();
			assertThat(report.warmed()).containsExactlyInAnyOrderElementsOf(servable.signatures().keySet());
			assertThat(report.fileRecords()).isZero();
		}
	}

	@Test
	void aSignatureInconsistentWithTheGraphIsReportedUnusableAndTheOthersAreServed() {
		try (LoadedServable servable = load(TfServingTestData.HALF_PLUS_THREE)) {
			assertThat(servable.unusableSignatures()).containsExactly(Map.entry("tensorflow/serving/regress",
					"input 'inputs' declares DT_FLOAT but tf_example:0 is DT_STRING in the graph"));
			assertThat(servable.signatures()).containsOnlyKeys("serving_default");
			assertThat(servable.signatureDefs()).containsOnlyKeys("serving_default", "tensorflow/serving/regress");
			var y = servable.run("serving_default",
					Map.of("x", new InputColumn(servable.signatures().get("serving_default").inputs().get("x"),
							new long[] { 3 }, new float[] { 1, 2, 3 })));
			assertThat(y.get("y").rows()).containsExactly(3.5f, 4f, 4.5f);
		}
	}

	@Test
	void asALoaderItEstimatesFromTheFilesReportsCaveatsAndUnloads() throws IOException {
		Path version = TfServingTestData.version(TfServingTestData.HALF_PLUS_THREE, 123);
		long bytes;
		try (var files = Files.walk(version)) {
			bytes = files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
		}
		Loader<LoadedServable> asLoader = loader;

		assertThat(asLoader.estimateResources(new ServableId("default", 123), version)).hasValue(bytes);
		assertThat(asLoader.estimateResources(new ServableId("default", 9), dir.resolve("missing"))).isEmpty();
		LoadedServable servable = asLoader.load(new ServableId("default", 123), version);
		assertThat(asLoader.warnings(servable)).containsExactly("signature 'tensorflow/serving/regress' cannot be "
				+ "served: input 'inputs' declares DT_FLOAT but tf_example:0 is DT_STRING in the graph");
		Map<String, InputColumn> x = Map.of("x", new InputColumn(
				servable.signatures().get("serving_default").inputs().get("x"), new long[] { 1 }, new float[] { 1 }));
		assertThat(servable.run("serving_default", x).get("y").rows()).containsExactly(3.5f);
		asLoader.unload(servable);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> servable.run("serving_default", x));
	}

	@Test
	void theExampleFeaturesATf1ModelParsesAreReadFromItsGraph() {
		try (LoadedServable servable = load(TfServingTestData.HALF_PLUS_TWO)) {
			TensorSpec input = servable.signatures().get("classify_x_to_y").inputs().get("inputs");

			ExampleSchema schema = servable.exampleSchema(input).orElseThrow();

			assertThat(schema.features().values()).containsExactly(
					new ExampleSchema.FeatureSpec("x", ExampleSchema.Kind.FLOAT, new long[] { 1 }, true),
					new ExampleSchema.FeatureSpec("x2", ExampleSchema.Kind.FLOAT, new long[] { 1 }, false));
			assertThat(servable.exampleSchema(servable.signatures().get("serving_default").inputs().get("x")))
				.isEmpty();
		}
	}

	@Test
	void theExampleFeaturesATf2ModelParsesInsideItsFunctionsAreFound() {
		try (LoadedServable servable = load(TfServingTestData.HALF_PLUS_TWO_TF2)) {
			for (String signature : List.of("classify_x_to_y", "regress_x_to_y", "regress_x_to_y2")) {
				TensorSpec input = servable.signatures().get(signature).inputs().get("inputs");

				assertThat(servable.exampleSchema(input)).as(signature).hasValueSatisfying(schema -> {
					assertThat(schema.features().get("x").required()).isTrue();
					assertThat(schema.features().get("x").kind()).isEqualTo(ExampleSchema.Kind.FLOAT);
				});
			}
			assertThat(servable.exampleSchema(servable.signatures().get("regress_x2_to_y3").inputs().get("inputs")))
				.isEmpty();
		}
	}

	@Test
	void aSignatureThatCannotBeFedOrWhoseWarmUpFailsIsReportedAndTheVersionStillServes() {
		Path version = TfServingTestData.awkwardModel(dir.resolve("awkward").resolve("1"));

		try (LoadedServable servable = loader.load(new ServableId("awkward", 1), version)) {
			WarmUpReport report = servable.warmUpReport();

			assertThat(report.warmed()).containsExactly("serving_default");
			assertThat(report.notWarmed()).containsOnlyKeys("half_precision", "decode");
			assertThat(report.notWarmed().get("half_precision"))
				.isEqualTo("input half (DT_HALF, shape [-1]) cannot be fed: this worker does not feed DT_HALF");
			assertThat(report.notWarmed().get("decode")).startsWith("the warm-up call failed: ");
			assertThat(report.warnings()).hasSize(2).allMatch(line -> line.startsWith("signature '"));
			var y = servable.run("serving_default",
					Map.of("x", new InputColumn(servable.signatures().get("serving_default").inputs().get("x"),
							new long[] { 2 }, new float[] { 1, 2 })));
			assertThat(y.get("y").rows()).containsExactly(2f, 4f);
		}
	}

	@Test
	void theModelsOwnWarmUpRequestsAreReplayedFirst() {
		Path version = copy(TfServingTestData.HALF_PLUS_TWO);
		TfServingTestData.writeWarmUpFile(version,
				List.of(classifyLog("classify_x_to_y", exampleX(2f), exampleX(3f)),
						regressLog("regress_x_to_y", exampleX(2f)),
						predictLog("", Map.of("x", floats(new long[] { 3, 1 }, 2f, 3f, 4f)))));

		try (LoadedServable servable = loader.load(new ServableId("default", 123), version)) {
			WarmUpReport report = servable.warmUpReport();

			assertThat(report.fileRecords()).isEqualTo(3);
			assertThat(report.warmed()).startsWith("classify_x_to_y", "regress_x_to_y", "serving_default")
				.containsExactlyInAnyOrderElementsOf(servable.signatures().keySet());
			assertThat(report.notWarmed()).isEmpty();
		}
	}

	@Test
	void aWarmUpRequestThatFailsFailsTheLoadAsInTensorFlowServing() {
		Path version = copy(TfServingTestData.HALF_PLUS_TWO);
		TfServingTestData.writeWarmUpFile(version,
				List.of(regressLog("regress_x_to_y", exampleX(2f)), classifyLog("no_such_signature", exampleX(2f))));

		assertThatExceptionOfType(ServableLoadException.class)
			.isThrownBy(() -> loader.load(new ServableId("default", 123), version))
			.withMessage("warm-up of default/123 failed: warm-up request 2 of assets.extra/tf_serving_warmup_requests "
					+ "(classify, signature no_such_signature) failed: the model has no signature 'no_such_signature'");
	}

	@Test
	void aWarmUpRecordThatCannotBeReplayedOrAFileThatIsCorruptFailsTheLoad() throws IOException {
		Path version = copy(TfServingTestData.HALF_PLUS_TWO);
		Path file = TfServingTestData.writeWarmUpFile(version, List.of(TfServingTestData.sessionRunLog()));

		assertThatExceptionOfType(ServableLoadException.class)
			.isThrownBy(() -> loader.load(new ServableId("default", 123), version))
			.withMessageContaining("record 1: session_run_log cannot be replayed as a warm-up");

		TfServingTestData.writeWarmUpFile(version, List.of(regressLog("regress_x_to_y", exampleX(2f))));
		byte[] bytes = Files.readAllBytes(file);
		bytes[bytes.length - 6] ^= 1;
		Files.write(file, bytes);
		assertThatExceptionOfType(ServableLoadException.class)
			.isThrownBy(() -> loader.load(new ServableId("default", 123), version))
			.withMessageContaining("record 1 is corrupt (checksum mismatch)");
	}

	private LoadedServable load(String model) {
		return loader.load(new ServableId("default", 123), TfServingTestData.version(model, 123));
	}

	private Path copy(String model) {
		Path version = dir.resolve("default").resolve("123");
		if (!Files.exists(version)) {
			TfServingTestData.copyTree(TfServingTestData.version(model, 123), version);
		}
		return version;
	}

	private static TensorProto floats(long[] shape, float... values) {
		TensorShapeProto.Builder tensorShape = TensorShapeProto.newBuilder();
		for (long dim : shape) {
			tensorShape.addDim(TensorShapeProto.Dim.newBuilder().setSize(dim));
		}
		TensorProto.Builder proto = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(tensorShape);
		for (float value : values) {
			proto.addFloatVal(value);
		}
		return proto.build();
	}

}
