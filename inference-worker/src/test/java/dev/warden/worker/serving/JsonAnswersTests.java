package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The answers written with a generator are byte for byte what the JSON converter wrote
 * for the maps and lists the controllers used to return ({@code rowResponse},
 * {@code columnarResponse}, {@code V2InferenceController.response}).
 */
class JsonAnswersTests {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/**
	 * Outputs of every Java type TensorFlow's outputs are copied into, at rank 1 to 3.
	 */
	private static Map<String, OutputColumn> outputs() {
		Map<String, OutputColumn> outputs = new LinkedHashMap<>();
		outputs.put("probability", new OutputColumn("probability", new long[] { 2 }, List.of(0.1f, Float.MIN_VALUE)));
		outputs.put("class_id", new OutputColumn("class_id", new long[] { 2 }, List.of(0L, Long.MAX_VALUE)));
		outputs.put("probabilities", new OutputColumn("probabilities", new long[] { 2, 2 },
				List.of(List.of(0.75f, 0.25f), List.of(1.0E-7f, 123456.78f))));
		outputs.put("label", new OutputColumn("label", new long[] { 2 }, List.of("spam", "h\u00e4m \"quoted\"")));
		outputs.put("flag", new OutputColumn("flag", new long[] { 2 }, List.of(true, false)));
		outputs.put("wide", new OutputColumn("wide", new long[] { 2, 1, 2 },
				List.of(List.of(List.of(1, 2)), List.of(List.of(-3, 4)))));
		outputs.put("precise", new OutputColumn("precise", new long[] { 2 }, List.of(0.1, 1e300)));
		outputs.put("small", new OutputColumn("small", new long[] { 2 }, List.of((byte) 7, (short) -2)));
		return outputs;
	}

	@Test
	void predictAnswersAreTheBytesOfTheOldMaps() {
		Map<String, OutputColumn> all = outputs();
		assertThat(written(json -> JsonAnswers.writePredict(json, PredictRequest.Format.ROW, all)))
			.isEqualTo(MAPPER.writeValueAsString(Map.of("predictions", PredictionController.rowResponse(all))));
		assertThat(written(json -> JsonAnswers.writePredict(json, PredictRequest.Format.COLUMNAR, all)))
			.isEqualTo(MAPPER.writeValueAsString(Map.of("outputs", PredictionController.columnarResponse(all))));
		for (OutputColumn column : all.values()) {
			Map<String, OutputColumn> single = Map.of(column.name(), column);
			assertThat(written(json -> JsonAnswers.writePredict(json, PredictRequest.Format.ROW, single)))
				.isEqualTo(MAPPER.writeValueAsString(Map.of("predictions", PredictionController.rowResponse(single))));
			assertThat(written(json -> JsonAnswers.writePredict(json, PredictRequest.Format.COLUMNAR, single)))
				.isEqualTo(MAPPER.writeValueAsString(Map.of("outputs", PredictionController.columnarResponse(single))));
		}
	}

	/**
	 * The same outputs held as primitive arrays, as they are copied out of TensorFlow
	 * (strings and other types stay rows).
	 */
	private static Map<String, OutputColumn> flatOutputs() {
		Map<String, OutputColumn> outputs = new LinkedHashMap<>();
		outputs.put("probability",
				OutputColumn.ofFlat("probability", new long[] { 2 }, new float[] { 0.1f, Float.MIN_VALUE }));
		outputs.put("class_id", OutputColumn.ofFlat("class_id", new long[] { 2 }, new long[] { 0L, Long.MAX_VALUE }));
		outputs.put("probabilities", OutputColumn.ofFlat("probabilities", new long[] { 2, 2 },
				new float[] { 0.75f, 0.25f, 1.0E-7f, 123456.78f }));
		outputs.put("label", outputs().get("label"));
		outputs.put("flag", OutputColumn.ofFlat("flag", new long[] { 2 }, new boolean[] { true, false }));
		outputs.put("wide", OutputColumn.ofFlat("wide", new long[] { 2, 1, 2 }, new int[] { 1, 2, -3, 4 }));
		outputs.put("precise", OutputColumn.ofFlat("precise", new long[] { 2 }, new double[] { 0.1, 1e300 }));
		outputs.put("small", outputs().get("small"));
		return outputs;
	}

	@Test
	void primitiveOutputsAreWrittenAsTheirBoxedRowsWere() {
		Map<String, OutputColumn> boxed = outputs();
		Map<String, OutputColumn> flat = flatOutputs();
		for (String name : boxed.keySet()) {
			assertThat(flat.get(name).rows()).as(name).isEqualTo(boxed.get(name).rows());
			assertThat(flat.get(name).rowCount()).as(name).isEqualTo(2);
		}
		for (PredictRequest.Format format : PredictRequest.Format.values()) {
			assertThat(written(json -> JsonAnswers.writePredict(json, format, flat)))
				.isEqualTo(written(json -> JsonAnswers.writePredict(json, format, boxed)));
			for (String name : flat.keySet()) {
				assertThat(written(json -> JsonAnswers.writePredict(json, format, Map.of(name, flat.get(name)))))
					.as(name)
					.isEqualTo(MAPPER
						.writeValueAsString(Map.of(format == PredictRequest.Format.ROW ? "predictions" : "outputs",
								format == PredictRequest.Format.ROW
										? PredictionController.rowResponse(Map.of(name, boxed.get(name)))
										: PredictionController.columnarResponse(Map.of(name, boxed.get(name))))));
			}
		}
		Map<String, TensorSpec> specs = new LinkedHashMap<>();
		flat.keySet().forEach(name -> specs.put(name, new TensorSpec(name, dtype(name), new long[] { -1 }, name)));
		SignatureSpec signature = new SignatureSpec("serving_default", "tensorflow/serving/predict", Map.of(), specs);
		V2Request request = new V2Request("id", signature, Map.of(), List.copyOf(flat.keySet()));
		assertThat(written(json -> JsonAnswers.writeInfer(json, "m", 1, request, flat)))
			.isEqualTo(MAPPER.writeValueAsString(V2InferenceController.response("m", 1, request, boxed)));
	}

	@Test
	void aScalarOutputIsOneRow() {
		OutputColumn scalar = OutputColumn.ofFlat("s", new long[0], new float[] { 2.5f });
		assertThat(scalar.rows()).containsExactly(2.5f);
		assertThat(written(json -> JsonAnswers.writePredict(json, PredictRequest.Format.ROW, Map.of("s", scalar))))
			.isEqualTo("{\"predictions\":[2.5]}");
		assertThat(written(json -> JsonAnswers.writePredict(json, PredictRequest.Format.COLUMNAR, Map.of("s", scalar))))
			.isEqualTo("{\"outputs\":[2.5]}");
	}

	@Test
	void floatsAreWrittenAsBeforeIncludingTheNonFiniteOnes() {
		Map<String, OutputColumn> odd = Map.of("x",
				new OutputColumn("x", new long[] { 3 }, List.of(Float.NaN, Float.POSITIVE_INFINITY, -0.0f)));
		assertThat(written(json -> JsonAnswers.writePredict(json, PredictRequest.Format.ROW, odd)))
			.isEqualTo(MAPPER.writeValueAsString(Map.of("predictions", PredictionController.rowResponse(odd))));
	}

	@Test
	void inferAnswersAreTheBytesOfTheOldMaps() {
		Map<String, OutputColumn> all = outputs();
		Map<String, TensorSpec> specs = new LinkedHashMap<>();
		all.keySet().forEach(name -> specs.put(name, new TensorSpec(name, dtype(name), new long[] { -1 }, name)));
		SignatureSpec signature = new SignatureSpec("serving_default", "tensorflow/serving/predict", Map.of(), specs);
		for (V2Request request : List.of(new V2Request("req-1", signature, Map.of(), List.copyOf(all.keySet())),
				new V2Request(null, signature, Map.of(), List.of("wide", "label")))) {
			assertThat(written(json -> JsonAnswers.writeInfer(json, "income", 3, request, all)))
				.isEqualTo(MAPPER.writeValueAsString(V2InferenceController.response("income", 3, request, all)));
		}
	}

	private static String dtype(String name) {
		return switch (name) {
			case "class_id" -> "DT_INT64";
			case "label" -> "DT_STRING";
			case "flag" -> "DT_BOOL";
			case "wide" -> "DT_INT32";
			case "precise" -> "DT_DOUBLE";
			case "small" -> "DT_INT8";
			default -> "DT_FLOAT";
		};
	}

	private static String written(java.util.function.Consumer<JsonGenerator> write) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (JsonGenerator json = MAPPER.createGenerator(out)) {
			write.accept(json);
		}
		return out.toString(StandardCharsets.UTF_8);
	}

}
