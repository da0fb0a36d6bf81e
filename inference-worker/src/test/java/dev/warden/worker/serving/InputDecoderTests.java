package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.TensorSpec;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class InputDecoderTests {

	private static final TensorSpec AGE = new TensorSpec("age", "DT_FLOAT", new long[] { -1 }, "age:0");

	private static final TensorSpec COUNT = new TensorSpec("count", "DT_INT64", new long[] { -1 }, "count:0");

	private static final TensorSpec SMALL = new TensorSpec("small", "DT_INT32", new long[] { -1 }, "small:0");

	private static final TensorSpec PAIR = new TensorSpec("pair", "DT_FLOAT", new long[] { -1, 2 }, "pair:0");

	private static final TensorSpec TOKENS = new TensorSpec("tokens", "DT_STRING", new long[] { -1, -1 }, "t:0");

	private static final TensorSpec FLAG = new TensorSpec("flag", "DT_BOOL", new long[] { -1 }, "flag:0");

	/** As TF Serving's half_plus_two declares {@code x}. */
	private static final TensorSpec COLUMN = new TensorSpec("x", "DT_FLOAT", new long[] { -1, 1 }, "x:0");

	@Test
	void decodesScalarsPerRowIntoAFlatColumn() {
		InputColumn column = decode(AGE, "[39, 40.5, -1e3]");

		assertThat(column.shape()).containsExactly(3);
		assertThat((float[]) column.values()).containsExactly(39f, 40.5f, -1000f);
	}

	@Test
	void decodesFixedAndVariableInnerDimensions() {
		InputColumn pairs = decode(PAIR, "[[1, 2], [3, 4]]");
		assertThat(pairs.shape()).containsExactly(2, 2);
		assertThat((float[]) pairs.values()).containsExactly(1f, 2f, 3f, 4f);

		InputColumn tokens = decode(TOKENS, "[[\"a\", \"b\", \"c\"], [\"d\", \"e\", \"f\"]]");
		assertThat(tokens.shape()).containsExactly(2, 3);
	}

	@Test
	void integersAreAcceptedForIntegerInputsAndIntegralFloatsToo() {
		assertThat((long[]) decode(COUNT, "[1, 9007199254740993, 3.0]").values()).containsExactly(1L, 9007199254740993L,
				3L);
		assertThat((int[]) decode(SMALL, "[-5]").values()).containsExactly(-5);
		assertThat((boolean[]) decode(FLAG, "[true, false]").values()).containsExactly(true, false);
	}

	@Test
	void rejectsNonIntegralNumbersForIntegerInputs() {
		assertThatThrownBy(() -> decode(COUNT, "[1.5]")).hasMessageContaining("input 'count'")
			.hasMessageContaining("expected an integer (DT_INT64, shape [-1]), got non-integral number 1.5");
	}

	@Test
	void rejectsIntegersOutOfRange() {
		assertThatThrownBy(() -> decode(SMALL, "[3000000000]")).hasMessageContaining("input 'small'")
			.hasMessageContaining("in range");
		assertThatThrownBy(() -> decode(AGE, "[1e39]")).hasMessageContaining("input 'age'")
			.hasMessageContaining("out of range");
		// beyond double: found by the fuzz test (Jackson 3 throws when such a node is
		// asked for its double value)
		String beyondDouble = "1" + "0".repeat(400);
		assertThatThrownBy(() -> decode(AGE, "[" + beyondDouble + "]")).hasMessageContaining("input 'age'")
			.hasMessageContaining("expected a finite number")
			.hasMessageContaining("(out of range)");
		assertThatThrownBy(() -> decode(COUNT, "[" + beyondDouble + "]")).hasMessageContaining("input 'count'")
			.hasMessageContaining("expected an integer in range");
		assertThatThrownBy(() -> decode(COUNT, "[1e400]")).hasMessageContaining("input 'count'");
	}

	@Test
	void rejectsWrongJsonTypesNamingInputExpectedAndGot() {
		assertThatThrownBy(() -> decode(AGE, "[\"abc\"]"))
			.hasMessage("input 'age': expected a number (DT_FLOAT, shape [-1]), got string \"abc\" in row 0");
		assertThatThrownBy(() -> decode(AGE, "[true]")).hasMessageContaining("got boolean true");
		assertThatThrownBy(() -> decode(AGE, "[null]")).hasMessageContaining("got null");
		assertThatThrownBy(() -> decode(AGE, "[{}]")).hasMessageContaining("got an object");
		assertThatThrownBy(() -> decode(FLAG, "[1]")).hasMessageContaining("expected a boolean");
	}

	@Test
	void rejectsWronglyShapedRows() {
		assertThatThrownBy(() -> decode(AGE, "[[39]]")).hasMessageContaining("input 'age'")
			.hasMessageContaining("expected a number")
			.hasMessageContaining("got an array of 1 values");
		assertThatThrownBy(() -> decode(PAIR, "[[1, 2, 3]]")).hasMessageContaining("an array of 2 values");
		assertThatThrownBy(() -> decode(PAIR, "[5]")).hasMessageContaining("got number 5");
		assertThatThrownBy(() -> decode(TOKENS, "[[\"a\"], [\"b\", \"c\"]]"))
			.hasMessageContaining("arrays of the same length");
		assertThatThrownBy(() -> decode(AGE, "[]")).hasMessageContaining("at least one row");
	}

	@Test
	void trailingDimensionsOfSize1MayBeLeftOutAndTheTensorKeepsTheShapeGivenAsInTfServing() {
		InputColumn scalars = decode(COLUMN, "[2.0, 3.0, 4.0]");
		InputColumn nested = decode(COLUMN, "[[2.0], [3.0]]");

		assertThat(scalars.shape()).containsExactly(3);
		assertThat((float[]) scalars.values()).containsExactly(2f, 3f, 4f);
		assertThat(nested.shape()).containsExactly(2, 1);
		assertThat(decodeTensor(COLUMN, new long[] { 2 }, "[1, 2]").shape()).containsExactly(2);
	}

	@Test
	void rowsThatLeaveOutDimensionsMustAllDoSoAndOnlyDimensionsOfSize1CanBeLeftOut() {
		assertThatThrownBy(() -> decode(COLUMN, "[2.0, [3.0]]"))
			.hasMessage("input 'x': expected every row nested alike (values at dimension 1) (DT_FLOAT, shape [-1, 1]), "
					+ "got number 3.0 at dimension 2 in row 1");
		assertThatThrownBy(() -> decode(COLUMN, "[[2.0], 3.0]"))
			.hasMessageContaining("expected every row nested alike (arrays down to rank 2)");
		assertThatThrownBy(() -> decode(PAIR, "[1.0]")).hasMessageContaining("expected an array of 2 values");
		assertThatThrownBy(() -> decodeTensor(PAIR, new long[] { 2 }, "[1, 2]"))
			.hasMessageContaining("expected a tensor of rank 2");
	}

	@Test
	void rejectsNonFiniteNumbers() {
		assertThatThrownBy(() -> decode(AGE, "[NaN]")).hasMessageContaining("input 'age'")
			.hasMessageContaining("expected a finite number")
			.hasMessageContaining("got NaN");
		assertThatThrownBy(() -> decode(AGE, "[Infinity]")).hasMessageContaining("got Infinity");
		assertThatThrownBy(() -> decode(AGE, "[-Infinity]")).hasMessageContaining("got Infinity");
	}

	@Test
	void declaredShapeTensorsAreAcceptedFlattenedOrInTheirNaturalNesting() {
		InputColumn flat = decodeTensor(PAIR, new long[] { 2, 2 }, "[1, 2, 3, 4]");
		InputColumn nested = decodeTensor(PAIR, new long[] { 2, 2 }, "[[1, 2], [3, 4]]");

		assertThat(flat.shape()).containsExactly(2, 2);
		assertThat((float[]) flat.values()).containsExactly(1f, 2f, 3f, 4f);
		assertThat(nested.shape()).containsExactly(2, 2);
		assertThat((float[]) nested.values()).containsExactly(1f, 2f, 3f, 4f);
		assertThat((String[]) decodeTensor(TOKENS, new long[] { 1, 3 }, "[\"a\", \"b\", \"c\"]").values())
			.containsExactly("a", "b", "c");
	}

	@Test
	void bothProtocolsDecodeTheSameValuesIntoTheSameColumn() {
		InputColumn rows = decode(PAIR, "[[1.5, 2], [3, 4]]");
		InputColumn tensor = decodeTensor(PAIR, new long[] { 2, 2 }, "[1.5, 2, 3, 4]");

		assertThat(tensor.shape()).isEqualTo(rows.shape());
		assertThat((float[]) tensor.values()).isEqualTo((float[]) rows.values());
	}

	@Test
	void declaredShapeMustAgreeWithTheSignatureAndTheData() {
		assertThatThrownBy(() -> decodeTensor(AGE, new long[] { 3 }, "[1, 2]"))
			.hasMessage("input 'age': expected 3 values for shape [3] (DT_FLOAT, shape [-1]), got 2 values at");
		assertThatThrownBy(() -> decodeTensor(AGE, new long[] { 1, 1 }, "[1]"))
			.hasMessageContaining("expected a tensor of rank 1")
			.hasMessageContaining("got shape [1, 1]");
		assertThatThrownBy(() -> decodeTensor(PAIR, new long[] { 1, 3 }, "[1, 2, 3]"))
			.hasMessageContaining("expected size 2 at dimension 1");
		assertThatThrownBy(() -> decodeTensor(AGE, new long[] { 0 }, "[]"))
			.hasMessage("input 'age': expected at least one row, got none");
		assertThatThrownBy(() -> decodeTensor(PAIR, new long[] { 2, 2 }, "[[1, 2, 3], [4]]"))
			.hasMessageContaining("expected data nested as shape [2, 2]");
		assertThatThrownBy(() -> decodeTensor(AGE, new long[] { 3_000_000 }, "[1]"))
			.hasMessageContaining("expected 3000000 values for shape [3000000]");
		assertThatThrownBy(() -> decodeTensor(TOKENS, new long[] { 4_000_000_000L, 4_000_000_000L }, "[]"))
			.hasMessageContaining("expected at most 2147483647 values");
		assertThatThrownBy(() -> decodeTensor(AGE, new long[] { 1 }, "{\"a\": 1}"))
			.hasMessageContaining("expected 'data' as an array of values");
	}

	@Test
	void declaredShapeTensorsAreCheckedElementByElementLikeRows() {
		assertThatThrownBy(() -> decodeTensor(AGE, new long[] { 3 }, "[1, NaN, 3]"))
			.hasMessage("input 'age': expected a finite number (DT_FLOAT, shape [-1]), got NaN at element 1");
		assertThatThrownBy(() -> decodeTensor(COUNT, new long[] { 1 }, "[\"7\"]"))
			.hasMessageContaining("expected an integer (DT_INT64, shape [-1]), got string \"7\"");
		assertThatThrownBy(() -> decodeTensor(AGE, new long[] { 2 }, "[[1], [2]]"))
			.hasMessageContaining("got an array of 1 values");
	}

	private static InputColumn decodeTensor(TensorSpec spec, long[] shape, String data) {
		JsonNode node = PredictRequestParser.readJson(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		return InputDecoder.decodeTensor(spec, shape, node, index -> index < 0 ? " at" : " at element " + index);
	}

	private static InputColumn decode(TensorSpec spec, String jsonArray) {
		JsonNode array = PredictRequestParser.readJson(jsonArray.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		List<JsonNode> rows = new ArrayList<>();
		array.forEach(rows::add);
		return InputDecoder.decode(spec, rows, r -> " in row " + r);
	}

}
