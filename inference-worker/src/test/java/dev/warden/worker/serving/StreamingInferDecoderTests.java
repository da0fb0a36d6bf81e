package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.system.ApiException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming decoder of Open Inference Protocol infer bodies against the tree path:
 * the usual bodies are decoded by it into the tree path's request, every body the tree
 * path refuses is left to the tree path and gets its error word for word.
 */
class StreamingInferDecoderTests {

	private static final SignatureSpec TABULAR = signature("serving_default",
			new TensorSpec("age", "DT_FLOAT", new long[] { -1 }, "age:0"),
			new TensorSpec("workclass", "DT_STRING", new long[] { -1 }, "w:0"),
			new TensorSpec("count", "DT_INT64", new long[] { -1 }, "count:0"));

	private static final SignatureSpec PAIRS = signature("pairs",
			new TensorSpec("pair", "DT_FLOAT", new long[] { -1, 2 }, "pair:0"));

	private static final SignatureSpec COLUMN = signature("column",
			new TensorSpec("x", "DT_FLOAT", new long[] { -1, 1 }, "x:0"));

	private static final Map<String, SignatureSpec> SIGNATURES = Map.of("serving_default", TABULAR, "pairs", PAIRS,
			"column", COLUMN);

	private static final String TABULAR_BODY = """
			{"id": "r1", "inputs": [
			 {"name": "age", "shape": [2], "datatype": "FP32", "data": [39, 40.5]},
			 {"name": "workclass", "shape": [2], "datatype": "BYTES", "data": ["a", "b"], "parameters": {"p": 1}},
			 {"name": "count", "datatype": "INT64", "data": [1, -2], "shape": [2]}],
			 "outputs": [{"name": "probability"}]}""";

	@Test
	void decodesFlatTensorsOfEveryInputIntoTypedColumns() {
		V2Request request = streamed(TABULAR_BODY);

		assertThat(request.id()).isEqualTo("r1");
		assertThat(request.outputs()).containsExactly("probability");
		assertThat((float[]) request.inputs().get("age").values()).containsExactly(39f, 40.5f);
		assertThat((String[]) request.inputs().get("workclass").values()).containsExactly("a", "b");
		assertThat((long[]) request.inputs().get("count").values()).containsExactly(1L, -2L);

		V2Request pairs = streamed("""
				{"parameters": {"signature_name": "pairs"},
				 "inputs": [{"name": "pair", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""");
		assertThat(pairs.inputs().get("pair").shape()).containsExactly(2, 2);
		assertThat(pairs.outputs()).containsExactly("class_id", "probability");

		// trailing dimensions of size 1 left out: fed at the shape given, as by the tree
		// path
		V2Request column = streamed("""
				{"parameters": {"signature_name": "column"},
				 "inputs": [{"name": "x", "shape": [3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": null}""");
		assertThat(column.inputs().get("x").shape()).containsExactly(3);
	}

	@Test
	void nestedDataAndLateNamesAreLeftToTheTreePathWhichDecodesThem() {
		for (String body : List.of("""
				{"parameters": {"signature_name": "pairs"},
				 "inputs": [{"name": "pair", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]}]}""", """
				{"inputs": [{"shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4], "name": "pair"}],
				 "parameters": {"signature_name": "pairs"}}""")) {
			assertThat(StreamingInferDecoder.tryDecode(bytes(body), SIGNATURES)).isNull();
			assertThat(parse(body).inputs().get("pair").shape()).containsExactly(2, 2);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = {
			"{\"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], \"datatype\": \"FP32\", "
					+ "\"data\": [1, 2]}], \"parameters\": {\"signature_name\": \"pairs\"}, \"extra\": 1}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP64\", \"data\": [1, 2]}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 3], "
					+ "\"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, -2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, 2]}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [0, 2], "
					+ "\"datatype\": \"FP32\", \"data\": []}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, \"2\"]}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, 1e39]}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, NaN]}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, 2], \"data2\": 1}]}",
			"{\"parameters\": {\"signature_name\": 5}, \"inputs\": []}",
			"{\"parameters\": {\"signature_name\": \"pairs\", \"x\": [1]}, \"inputs\": []}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, 2]}], \"outputs\": [{\"name\": \"nope\"}]}",
			"{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", \"shape\": [1, 2], "
					+ "\"datatype\": \"FP32\", \"data\": [1, 2]}], \"outputs\": [{\"name\": \"class_id\"}, {\"name\": \"class_id\"}]}",
			"{\"inputs\": [{\"name\": \"age\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}",
			"{\"inputs\": [{\"name\": \"age\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]},"
					+ " {\"name\": \"age\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}",
			"{\"inputs\": [{\"name\": \"age\", \"shape\": [2], \"datatype\": \"FP32\", \"data\": [1, 2]},"
					+ " {\"name\": \"workclass\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"a\"]},"
					+ " {\"name\": \"count\", \"shape\": [2], \"datatype\": \"INT64\", \"data\": [1, 2]}]}",
			"{\"inputs\": [{\"name\": \"age\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]},"
					+ " {\"name\": \"workclass\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"a\"]},"
					+ " {\"name\": \"count\", \"shape\": [1], \"datatype\": \"INT64\", \"data\": [99999999999999999999]}]}",
			"", "[]", "{\"inputs\": [", "{}" })
	void everyBodyTheTreePathRefusesGetsTheTreePathsError(String body) {
		assertThat(StreamingInferDecoder.tryDecode(bytes(body), SIGNATURES)).as(body).isNull();
		ApiException expected = treeError(body);
		assertThat(expected).as("the tree path refuses " + body).isNotNull();
		assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(ApiException.class,
				error -> assertThat(error.getMessage()).isEqualTo(expected.getMessage()));
	}

	@Test
	void randomEditsOfValidBodiesDecodeAlikeOnBothPaths() {
		Random random = new Random(23);
		String[] replacements = { "1", "-3", "2.5", "1e39", "\"s\"", "true", "null", "[]", "[1]", "[1, 2]", "{}",
				"\"FP32\"", "\"BYTES\"", "\"age\"", "\"count\"", "99999999999999999999" };
		String pairs = "{\"parameters\": {\"signature_name\": \"pairs\"}, \"inputs\": [{\"name\": \"pair\", "
				+ "\"shape\": [2, 2], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}";
		int streamedCount = 0;
		for (int i = 0; i < 3000; i++) {
			String body = random.nextBoolean() ? TABULAR_BODY : pairs;
			for (int e = 0; e < 1 + random.nextInt(2); e++) {
				body = edit(body, random, replacements);
			}
			V2Request streamed = StreamingInferDecoder.tryDecode(bytes(body), SIGNATURES);
			if (streamed != null) {
				streamedCount++;
				assertSame(body, streamed, V2RequestParser.parseTree(bytes(body), SIGNATURES, Map.of()));
			}
		}
		assertThat(streamedCount).isGreaterThan(20);
	}

	private static String edit(String body, Random random, String[] replacements) {
		int start;
		int end;
		do {
			start = random.nextInt(body.length());
		}
		while (!Character.isLetterOrDigit(body.charAt(start)) && body.charAt(start) != '"');
		if (body.charAt(start) == '"') {
			end = body.indexOf('"', start + 1) + 1;
		}
		else {
			while (start > 0 && Character.isLetterOrDigit(body.charAt(start - 1))) {
				start--;
			}
			end = start;
			while (end < body.length() && (Character.isLetterOrDigit(body.charAt(end)) || body.charAt(end) == '.')) {
				end++;
			}
		}
		if (end <= start) {
			return body;
		}
		return body.substring(0, start) + replacements[random.nextInt(replacements.length)] + body.substring(end);
	}

	private static V2Request streamed(String body) {
		V2Request request = StreamingInferDecoder.tryDecode(bytes(body), SIGNATURES);
		assertThat(request).as("decoded by the streaming path: " + body).isNotNull();
		assertSame(body, request, V2RequestParser.parseTree(bytes(body), SIGNATURES, Map.of()));
		return request;
	}

	private static void assertSame(String body, V2Request actual, V2Request expected) {
		assertThat(actual.id()).as(body).isEqualTo(expected.id());
		assertThat(actual.signature()).as(body).isSameAs(expected.signature());
		assertThat(actual.outputs()).as(body).containsExactlyElementsOf(expected.outputs());
		assertThat(actual.inputs().keySet()).as(body).containsExactlyElementsOf(expected.inputs().keySet());
		for (String name : expected.inputs().keySet()) {
			InputColumn a = actual.inputs().get(name);
			InputColumn e = expected.inputs().get(name);
			assertThat(a.spec()).as(body).isEqualTo(e.spec());
			assertThat(a.shape()).as(body).containsExactly(e.shape());
			assertThat(a.values()).as(body).isEqualTo(e.values());
		}
	}

	private static V2Request parse(String body) {
		return V2RequestParser.parse(bytes(body), SIGNATURES, Map.of());
	}

	private static ApiException treeError(String body) {
		try {
			V2RequestParser.parseTree(bytes(body), SIGNATURES, Map.of());
			return null;
		}
		catch (ApiException ex) {
			return ex;
		}
	}

	private static byte[] bytes(String body) {
		return body.getBytes(StandardCharsets.UTF_8);
	}

	private static SignatureSpec signature(String key, TensorSpec... inputs) {
		Map<String, TensorSpec> specs = new LinkedHashMap<>();
		for (TensorSpec input : inputs) {
			specs.put(input.name(), input);
		}
		Map<String, TensorSpec> outputs = new LinkedHashMap<>();
		outputs.put("class_id", new TensorSpec("class_id", "DT_INT64", new long[] { -1 }, "c:0"));
		outputs.put("probability", new TensorSpec("probability", "DT_FLOAT", new long[] { -1 }, "p:0"));
		return new SignatureSpec(key, "tensorflow/serving/predict", specs, outputs);
	}

}
