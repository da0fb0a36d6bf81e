package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * The streaming decoder of predict bodies against the tree path it replaces for valid
 * bodies: it must decode the usual bodies itself, give exactly the tree path's columns
 * when it does, and leave every body the tree path refuses to the tree path (so the 400
 * is the one documented before, word for word).
 */
class StreamingPredictDecoderTests {

	private static final TensorSpec AGE = new TensorSpec("age", "DT_FLOAT", new long[] { -1 }, "age:0");

	private static final TensorSpec WORKCLASS = new TensorSpec("workclass", "DT_STRING", new long[] { -1 }, "w:0");

	private static final TensorSpec COUNT = new TensorSpec("count", "DT_INT64", new long[] { -1 }, "count:0");

	/** An income-like signature: several inputs of one value per row. */
	private static final SignatureSpec TABULAR = signature("serving_default", AGE, WORKCLASS, COUNT);

	/** A spam-like signature: one string input. */
	private static final SignatureSpec TEXT = signature("text",
			new TensorSpec("text", "DT_STRING", new long[] { -1 }, "text:0"));

	private static final SignatureSpec PAIRS = signature("pairs",
			new TensorSpec("pair", "DT_FLOAT", new long[] { -1, 2 }, "pair:0"));

	private static final SignatureSpec TOKENS = signature("tokens",
			new TensorSpec("tokens", "DT_INT32", new long[] { -1, -1 }, "tokens:0"));

	private static final SignatureSpec DOUBLES = signature("doubles",
			new TensorSpec("d", "DT_DOUBLE", new long[] { -1 }, "d:0"),
			new TensorSpec("flag", "DT_BOOL", new long[] { -1 }, "flag:0"));

	/** As TF Serving's half_plus_two declares {@code x}. */
	private static final SignatureSpec COLUMN = signature("column",
			new TensorSpec("x", "DT_FLOAT", new long[] { -1, 1 }, "x:0"));

	private static final SignatureSpec FIXED_BATCH = signature("fixed",
			new TensorSpec("f", "DT_FLOAT", new long[] { 2 }, "f:0"));

	private static final SignatureSpec UNKNOWN_RANK = signature("open", new TensorSpec("u", "DT_FLOAT", null, "u:0"));

	private static final Map<String, SignatureSpec> SIGNATURES = signatures(TABULAR, TEXT, PAIRS, TOKENS, DOUBLES,
			COLUMN, FIXED_BATCH, UNKNOWN_RANK);

	private static final Map<String, String> UNUSABLE = Map.of("broken", "it names a tensor the graph lacks");

	@Test
	void decodesTheRowFormatOfSeveralInputsIntoTypedColumns() {
		PredictRequest request = streamed("{\"instances\": [{\"age\": 39, \"workclass\": \"State-gov\", \"count\": 7},"
				+ " {\"count\": -2, \"age\": 40.5, \"workclass\": \"\\u00e9\"}]}");

		assertThat(request.format()).isEqualTo(PredictRequest.Format.ROW);
		assertThat(request.signature()).isEqualTo("serving_default");
		assertThat(request.inputs().keySet()).containsExactly("age", "workclass", "count");
		assertThat((float[]) request.inputs().get("age").values()).containsExactly(39f, 40.5f);
		assertThat((String[]) request.inputs().get("workclass").values()).containsExactly("State-gov", "é");
		assertThat((long[]) request.inputs().get("count").values()).containsExactly(7L, -2L);
		assertThat(request.inputs().get("age").shape()).containsExactly(2);
		assertSameAsTree("{\"instances\": [{\"age\": 39, \"workclass\": \"State-gov\", \"count\": 7}]}");
	}

	@Test
	void decodesTheColumnarFormatAndPlainValuesForASingleInput() {
		PredictRequest columnar = streamed(
				"{\"inputs\": {\"count\": [1, 2], \"age\": [1e2, -0.5], \"workclass\": [\"a\", \"b\"]}}");
		assertThat(columnar.format()).isEqualTo(PredictRequest.Format.COLUMNAR);
		assertThat((float[]) columnar.inputs().get("age").values()).containsExactly(100f, -0.5f);

		PredictRequest text = streamed(
				"{\"signature_name\": \"text\", \"instances\": [\"hi\", {\"text\": \"there\"}]}");
		assertThat((String[]) text.inputs().get("text").values()).containsExactly("hi", "there");
		PredictRequest textColumn = streamed("{\"signature_name\": \"text\", \"inputs\": [\"one\"]}");
		assertThat((String[]) textColumn.inputs().get("text").values()).containsExactly("one");
	}

	@Test
	void decodesNestedRowsOfFixedAndVariableInnerDimensions() {
		PredictRequest pairs = streamed("{\"signature_name\": \"pairs\", \"instances\": [[1, 2], [3.5, 4]]}");
		assertThat(pairs.inputs().get("pair").shape()).containsExactly(2, 2);
		assertThat((float[]) pairs.inputs().get("pair").values()).containsExactly(1f, 2f, 3.5f, 4f);

		PredictRequest tokens = streamed("{\"signature_name\": \"tokens\", \"inputs\": [[1, 2, 3], [4, 5, 6]]}");
		assertThat(tokens.inputs().get("tokens").shape()).containsExactly(2, 3);
		assertThat((int[]) tokens.inputs().get("tokens").values()).containsExactly(1, 2, 3, 4, 5, 6);

		PredictRequest doubles = streamed(
				"{\"signature_name\": \"doubles\", \"instances\": [{\"d\": 0.1, \"flag\": true}, {\"d\": 1e300, \"flag\": false}]}");
		assertThat((double[]) doubles.inputs().get("d").values()).containsExactly(0.1, 1e300);
		assertThat((boolean[]) doubles.inputs().get("flag").values()).containsExactly(true, false);
	}

	@Test
	void aSignatureNameAfterTheDataIsHonoured() {
		assertSameAsTree(
				"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1}], \"signature_name\": \"\"}");
		assertThat(streamed(
				"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1}], \"signature_name\": \"serving_default\"}"))
			.isNotNull();
		// read for serving_default, then another signature is named: the tree path
		// decodes it
		String late = "{\"instances\": [[1, 2]], \"signature_name\": \"pairs\"}";
		assertThat(StreamingPredictDecoder.tryDecode(bytes(late), SIGNATURES)).isNull();
		assertThat(parse(late).inputs().get("pair").shape()).containsExactly(1, 2);
	}

	@Test
	void shapesOnlyTheTreePathHandlesStillDecode() {
		// trailing dimensions of size 1 left out, integral numbers with a fraction for an
		// integer input, an input of unknown rank: decoded by the tree path, as before
		for (String body : List.of("{\"signature_name\": \"column\", \"instances\": [2.0, 3.0]}",
				"{\"inputs\": {\"age\": [1], \"workclass\": [\"a\"], \"count\": [3.0]}}",
				"{\"signature_name\": \"open\", \"instances\": [[1, 2], [3, 4]]}",
				"{\"signature_name\": \"column\", \"instances\": [[2.0], [3.0]]}")) {
			PredictRequest request = parse(body);
			assertThat(request).as(body).isNotNull();
			assertSameAsTree(body);
		}
		assertThat(parse("{\"signature_name\": \"column\", \"instances\": [2.0, 3.0]}").inputs().get("x").shape())
			.containsExactly(2);
	}

	@ParameterizedTest
	@ValueSource(strings = {
			// wrong types
			"{\"instances\": [{\"age\": \"abc\", \"workclass\": \"a\", \"count\": 1}]}",
			"{\"instances\": [{\"age\": 1, \"workclass\": 5, \"count\": 1}]}",
			"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1.5}]}",
			"{\"instances\": [{\"age\": null, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"instances\": [{\"age\": true, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"instances\": [{\"age\": {}, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"signature_name\": \"doubles\", \"instances\": [{\"d\": 1, \"flag\": 1}]}",
			"{\"signature_name\": \"text\", \"instances\": [5]}",
			"{\"signature_name\": \"text\", \"instances\": [[\"nested\"]]}",
			"{\"signature_name\": \"text\", \"inputs\": [null]}",
			// missing, extra and repeated inputs and fields
			"{\"instances\": [{\"age\": 1, \"workclass\": \"a\"}]}",
			"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1, \"extra\": 2}]}",
			"{\"instances\": [{\"age\": 1, \"age\": 2, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"inputs\": {\"age\": [1], \"workclass\": [\"a\"]}}",
			"{\"inputs\": {\"age\": [1], \"workclass\": [\"a\"], \"count\": [1], \"more\": [1]}}",
			"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1}], \"extra\": 1}",
			"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1}], \"inputs\": {}}",
			"{\"signature_name\": \"serving_default\"}", "{}", "{\"signature_name\": 3, \"instances\": [1]}",
			"{\"signature_name\": \"nope\", \"instances\": [1]}",
			"{\"signature_name\": \"broken\", \"instances\": [1]}",
			// ragged rows, wrong depth, empty batches, rows of the wrong kind
			"{\"signature_name\": \"pairs\", \"instances\": [[1, 2], [3]]}",
			"{\"signature_name\": \"pairs\", \"instances\": [[1, 2, 3]]}",
			"{\"signature_name\": \"pairs\", \"instances\": [1, 2]}",
			"{\"signature_name\": \"pairs\", \"instances\": [[[1, 2], [3, 4]]]}",
			"{\"signature_name\": \"tokens\", \"instances\": [[1, 2], [3]]}",
			"{\"signature_name\": \"tokens\", \"instances\": [[1], [[2]]]}",
			"{\"signature_name\": \"tokens\", \"instances\": [[]]}",
			"{\"signature_name\": \"tokens\", \"instances\": [[2147483648]]}",
			"{\"signature_name\": \"fixed\", \"instances\": [1, 2, 3]}", "{\"instances\": []}",
			"{\"inputs\": {\"age\": [], \"workclass\": [], \"count\": []}}",
			"{\"inputs\": {\"age\": [1, 2], \"workclass\": [\"a\"], \"count\": [1]}}",
			"{\"inputs\": {\"age\": 1, \"workclass\": [\"a\"], \"count\": [1]}}", "{\"instances\": [1, 2]}",
			"{\"instances\": {\"age\": 1}}", "{\"inputs\": [1]}",
			// numbers: huge, beyond float, beyond double, NaN and Infinity
			"{\"instances\": [{\"age\": 1e39, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"instances\": [{\"age\": 1e400, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"instances\": [{\"age\": NaN, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"instances\": [{\"age\": -Infinity, \"workclass\": \"a\", \"count\": 1}]}",
			"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 99999999999999999999}]}",
			"{\"signature_name\": \"doubles\", \"instances\": [{\"d\": 1e309, \"flag\": true}]}",
			"{\"signature_name\": \"doubles\", \"instances\": [{\"d\": "
					+ "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
					+ "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
					+ "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
					+ "0000000000000000000000000000000000000000000000, \"flag\": true}]}",
			// not JSON, not an object, trailing tokens
			"", "[1]", "{\"instances\": [1", "{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1}]} {}",
			"{\"instances\": [{\"age\": 1, \"workclass\": \"a\", \"count\": 1}]} x" })
	void everyBodyTheTreePathRefusesGetsTheTreePathsError(String body) {
		assertThat(StreamingPredictDecoder.tryDecode(bytes(body), SIGNATURES)).as(body).isNull();
		ApiException expected = treeError(body);
		assertThat(expected).as("the tree path refuses " + body).isNotNull();
		assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(ApiException.class, error -> {
			assertThat(error.status()).isEqualTo(expected.status());
			assertThat(error.code()).isEqualTo("invalid_argument");
			assertThat(error.getMessage()).isEqualTo(expected.getMessage());
		});
	}

	@Test
	void theMessagesAreTheDocumentedOnes() {
		assertThatThrownBy(() -> parse("{\"instances\": [{\"age\": \"abc\", \"workclass\": \"a\", \"count\": 1}]}"))
			.hasMessage("input 'age': expected a number (DT_FLOAT, shape [-1]), got string \"abc\" in instances[0]");
		assertThatThrownBy(() -> parse("{\"signature_name\": \"pairs\", \"instances\": [[1, 2], [3]]}"))
			.hasMessage("input 'pair': expected an array of 2 values at dimension 1 (DT_FLOAT, shape [-1, 2]), "
					+ "got an array of 1 values in instances[1]");
		assertThatThrownBy(() -> parse("{\"instances\": [{\"age\": 1, \"workclass\": \"a\"}]}")).hasMessage(
				"missing input 'count': expected an integer (DT_INT64, shape [-1]), got nothing in instances[0]");
	}

	/**
	 * Random bodies built from valid ones by small edits (values swapped for other JSON
	 * values, arrays cut or grown, names changed, fields added): whatever the streaming
	 * path decodes, the tree path decodes to the same columns.
	 */
	@Test
	void randomEditsOfValidBodiesDecodeAlikeOnBothPaths() {
		Random random = new Random(17);
		List<String> seeds = List.of(
				"{\"instances\": [{\"age\": 39, \"workclass\": \"State-gov\", \"count\": 7}, {\"age\": 1.5, \"workclass\": \"x\", \"count\": 0}]}",
				"{\"inputs\": {\"age\": [1, 2], \"workclass\": [\"a\", \"b\"], \"count\": [3, 4]}}",
				"{\"signature_name\": \"pairs\", \"instances\": [[1, 2], [3, 4]]}",
				"{\"signature_name\": \"tokens\", \"inputs\": [[1, 2, 3], [4, 5, 6]]}",
				"{\"signature_name\": \"doubles\", \"instances\": [{\"d\": 0.25, \"flag\": true}]}",
				"{\"signature_name\": \"text\", \"instances\": [\"a\", \"b\"]}");
		String[] replacements = { "1", "-3", "2.5", "1e39", "1e400", "99999999999999999999", "\"s\"", "true", "null",
				"[]", "[1]", "[1, 2]", "[[1, 2]]", "{}", "NaN", "2147483648", "0.0", "\"\"", "\"count\"",
				"\"signature_name\"" };
		int streamedCount = 0;
		for (int i = 0; i < 4000; i++) {
			String body = seeds.get(random.nextInt(seeds.size()));
			int edits = 1 + random.nextInt(2);
			for (int e = 0; e < edits; e++) {
				body = edit(body, random, replacements);
			}
			PredictRequest streamed = StreamingPredictDecoder.tryDecode(bytes(body), SIGNATURES);
			if (streamed != null) {
				streamedCount++;
				PredictRequest tree = PredictRequestParser.parseTree(bytes(body), SIGNATURES, UNUSABLE);
				assertSame(body, streamed, tree);
			}
			else {
				// refused or left to the tree path: the public entry point answers what
				// the tree
				// path answers
				String finalBody = body;
				ApiException treeError = treeError(body);
				if (treeError != null) {
					assertThatThrownBy(() -> parse(finalBody)).as(body).hasMessage(treeError.getMessage());
				}
			}
		}
		assertThat(streamedCount).isGreaterThan(100);
	}

	private static String edit(String body, Random random, String[] replacements) {
		// replace one scalar token (a number, string, literal) with another JSON value,
		// or
		// drop/duplicate an array element
		List<int[]> tokens = new ArrayList<>();
		for (int i = 0; i < body.length(); i++) {
			char c = body.charAt(i);
			if (c == '"') {
				int end = body.indexOf('"', i + 1);
				tokens.add(new int[] { i, end + 1 });
				i = end;
			}
			else if (Character.isDigit(c) || c == '-' || c == 't' || c == 'f' || c == 'n') {
				int end = i;
				while (end < body.length() && ",]} ".indexOf(body.charAt(end)) < 0) {
					end++;
				}
				tokens.add(new int[] { i, end });
				i = end - 1;
			}
		}
		int[] token = tokens.get(random.nextInt(tokens.size()));
		return switch (random.nextInt(4)) {
			case 0, 1 -> body.substring(0, token[0]) + replacements[random.nextInt(replacements.length)]
					+ body.substring(token[1]);
			case 2 ->
				body.substring(0, token[1]) + ", " + body.substring(token[0], token[1]) + body.substring(token[1]);
			default -> {
				int cut = body.lastIndexOf(',', token[0]);
				yield cut < 0 ? body : body.substring(0, cut) + body.substring(token[1]);
			}
		};
	}

	private static void assertSameAsTree(String body) {
		PredictRequest streamed = StreamingPredictDecoder.tryDecode(bytes(body), SIGNATURES);
		PredictRequest tree = PredictRequestParser.parseTree(bytes(body), SIGNATURES, UNUSABLE);
		if (streamed != null) {
			assertSame(body, streamed, tree);
		}
		assertSame(body, parse(body), tree);
	}

	private static void assertSame(String body, PredictRequest actual, PredictRequest expected) {
		assertThat(actual.signature()).as(body).isEqualTo(expected.signature());
		assertThat(actual.format()).as(body).isEqualTo(expected.format());
		assertThat(actual.inputs().keySet()).as(body).containsExactlyElementsOf(expected.inputs().keySet());
		for (String name : expected.inputs().keySet()) {
			InputColumn a = actual.inputs().get(name);
			InputColumn e = expected.inputs().get(name);
			assertThat(a.spec()).as(body).isEqualTo(e.spec());
			assertThat(a.shape()).as(body).containsExactly(e.shape());
			assertThat(a.values()).as(body).isEqualTo(e.values());
		}
	}

	private static PredictRequest streamed(String body) {
		PredictRequest request = StreamingPredictDecoder.tryDecode(bytes(body), SIGNATURES);
		assertThat(request).as("decoded by the streaming path: " + body).isNotNull();
		assertSame(body, request, PredictRequestParser.parseTree(bytes(body), SIGNATURES, UNUSABLE));
		return request;
	}

	private static PredictRequest parse(String body) {
		return PredictRequestParser.parse(bytes(body), SIGNATURES, UNUSABLE);
	}

	private static ApiException treeError(String body) {
		try {
			PredictRequestParser.parseTree(bytes(body), SIGNATURES, UNUSABLE);
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
		return new SignatureSpec(key, "tensorflow/serving/predict", specs,
				Map.of("out", new TensorSpec("out", "DT_FLOAT", new long[] { -1 }, "out:0")));
	}

	private static Map<String, SignatureSpec> signatures(SignatureSpec... specs) {
		Map<String, SignatureSpec> map = new LinkedHashMap<>();
		for (SignatureSpec spec : specs) {
			map.put(spec.key(), spec);
		}
		return map;
	}

}
