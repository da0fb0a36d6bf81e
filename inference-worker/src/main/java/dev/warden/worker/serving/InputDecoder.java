package dev.warden.worker.serving;

import java.util.List;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.loader.TensorSpec.ElementKind;

import tools.jackson.databind.JsonNode;

/**
 * Turns the JSON values given for one input into an {@link InputColumn}, checking them against the signature first
 * so that TensorFlow never sees a wrong type, shape or a non-finite number. This is the one validation path for
 * every protocol: the TF Serving row and columnar formats both reduce to "one JSON value per row".
 *
 * <p>Error messages name the input, what the signature expects and what was given, e.g.
 * {@code input 'age': expected a number (DT_FLOAT, shape [-1]), got string "abc"}.
 */
final class InputDecoder {

	private InputDecoder() {
	}

	/**
	 * @param spec the signature's input
	 * @param rows one JSON value per row (the batch dimension is the list)
	 * @param where location suffix for messages (e.g. {@code " in instances[2]"}); a function of the row index
	 */
	static InputColumn decode(TensorSpec spec, List<JsonNode> rows, RowLocation where) {
		ElementKind kind = spec.elementKind();
		if (spec.unknownRank() || spec.dims().length == 0 || kind == null) {
			throw ApiException.invalidArgument("input '" + spec.name() + "': this worker cannot feed " + spec.dtype()
					+ " with shape " + spec.shapeText());
		}
		if (rows.isEmpty()) {
			throw ApiException.invalidArgument("input '" + spec.name() + "': expected at least one row, got none");
		}
		long[] dims = spec.dims();
		if (dims[0] > 0 && dims[0] != rows.size()) {
			throw error(spec, "expected " + dims[0] + " rows", rows.size() + " rows", "");
		}
		long[] shape = dims.clone();
		shape[0] = rows.size();
		for (int axis = 1; axis < shape.length; axis++) {
			shape[axis] = -1;
		}
		Elements elements = new Elements(kind);
		for (int r = 0; r < rows.size(); r++) {
			decode(spec, rows.get(r), 1, shape, elements, where.describe(r));
		}
		return new InputColumn(spec, shape, elements.toArray());
	}

	private static void decode(TensorSpec spec, JsonNode node, int axis, long[] shape, Elements out, String where) {
		long[] dims = spec.dims();
		if (axis == dims.length) {
			out.add(spec, node, where);
			return;
		}
		if (!node.isArray()) {
			long size = dims[axis];
			throw error(spec, "an array of " + (size > 0 ? size + " values" : "values") + " at dimension " + axis,
					describe(node), where);
		}
		int length = node.size();
		if (dims[axis] > 0 && length != dims[axis]) {
			throw error(spec, "an array of " + dims[axis] + " values at dimension " + axis,
					"an array of " + length + " values", where);
		}
		if (shape[axis] < 0) {
			shape[axis] = length;
		}
		else if (shape[axis] != length) {
			throw error(spec, "arrays of the same length at dimension " + axis + " (" + shape[axis] + ")",
					"an array of " + length + " values", where);
		}
		for (int i = 0; i < length; i++) {
			decode(spec, node.get(i), axis + 1, shape, out, where);
		}
	}

	static ApiException error(TensorSpec spec, String expected, String got, String where) {
		return ApiException.invalidArgument("input '" + spec.name() + "': expected " + expected + " (" + spec.dtype()
				+ ", shape " + spec.shapeText() + "), got " + got + where);
	}

	static String describe(JsonNode node) {
		return switch (node.getNodeType()) {
			case STRING -> {
				String text = node.stringValue();
				String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
				yield "string \"" + shown.replace("\"", "\\\"") + "\"";
			}
			case NUMBER -> "number " + node.asString();
			case BOOLEAN -> "boolean " + node.booleanValue();
			case NULL -> "null";
			case OBJECT -> "an object";
			case ARRAY -> "an array of " + node.size() + " values";
			default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
		};
	}

	static String expectation(ElementKind kind) {
		if (kind == null) {
			return "a value";
		}
		return switch (kind) {
			case FLOAT, DOUBLE -> "a number";
			case INT32, INT64 -> "an integer";
			case STRING -> "a string";
			case BOOL -> "a boolean";
		};
	}

	/** Location of a row in the request, for messages. */
	@FunctionalInterface
	interface RowLocation {

		String describe(int row);

	}

	/** Growable primitive storage for the flattened elements of one input. */
	private static final class Elements {

		private final ElementKind kind;

		private double[] numbers = new double[16];

		private long[] integers = new long[16];

		private String[] strings = new String[16];

		private boolean[] booleans = new boolean[16];

		private int size;

		Elements(ElementKind kind) {
			this.kind = kind;
		}

		void add(TensorSpec spec, JsonNode node, String where) {
			ensureCapacity();
			switch (kind) {
				case FLOAT, DOUBLE -> {
					if (!node.isNumber()) {
						throw error(spec, expectation(kind), describe(node), where);
					}
					double value = node.doubleValue();
					if (!Double.isFinite(value) || (kind == ElementKind.FLOAT && !Float.isFinite((float) value))) {
						throw error(spec, "a finite number", Double.isNaN(value) ? "NaN"
								: Double.isInfinite(value) ? "Infinity" : describe(node) + " (out of range)", where);
					}
					numbers[size] = value;
				}
				case INT32, INT64 -> {
					if (!node.isNumber()) {
						throw error(spec, expectation(kind), describe(node), where);
					}
					if (!node.isIntegralNumber() && !(Double.isFinite(node.doubleValue())
							&& node.canConvertToExactIntegral())) {
						throw error(spec, "an integer", "non-integral " + describe(node), where);
					}
					if (!node.canConvertToLong()) {
						throw error(spec, "an integer in range", describe(node), where);
					}
					long value = node.longValue();
					if (kind == ElementKind.INT32 && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
						throw error(spec, "an integer in range", describe(node), where);
					}
					integers[size] = value;
				}
				case STRING -> {
					if (!node.isString()) {
						throw error(spec, expectation(kind), describe(node), where);
					}
					strings[size] = node.stringValue();
				}
				case BOOL -> {
					if (!node.isBoolean()) {
						throw error(spec, expectation(kind), describe(node), where);
					}
					booleans[size] = node.booleanValue();
				}
			}
			size++;
		}

		private void ensureCapacity() {
			if (size < capacity()) {
				return;
			}
			int grown = capacity() * 2;
			switch (kind) {
				case FLOAT, DOUBLE -> numbers = java.util.Arrays.copyOf(numbers, grown);
				case INT32, INT64 -> integers = java.util.Arrays.copyOf(integers, grown);
				case STRING -> strings = java.util.Arrays.copyOf(strings, grown);
				case BOOL -> booleans = java.util.Arrays.copyOf(booleans, grown);
			}
		}

		private int capacity() {
			return switch (kind) {
				case FLOAT, DOUBLE -> numbers.length;
				case INT32, INT64 -> integers.length;
				case STRING -> strings.length;
				case BOOL -> booleans.length;
			};
		}

		Object toArray() {
			return switch (kind) {
				case FLOAT -> {
					float[] values = new float[size];
					for (int i = 0; i < size; i++) {
						values[i] = (float) numbers[i];
					}
					yield values;
				}
				case DOUBLE -> java.util.Arrays.copyOf(numbers, size);
				case INT32 -> {
					int[] values = new int[size];
					for (int i = 0; i < size; i++) {
						values[i] = (int) integers[i];
					}
					yield values;
				}
				case INT64 -> java.util.Arrays.copyOf(integers, size);
				case STRING -> java.util.Arrays.copyOf(strings, size);
				case BOOL -> java.util.Arrays.copyOf(booleans, size);
			};
		}

	}

}
