package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.loader.TensorSpec.ElementKind;
import dev.warden.worker.system.ApiException;

import tools.jackson.databind.JsonNode;

/**
 * Turns the JSON values given for one input into an {@link InputColumn}, checking them
 * against the signature first so that TensorFlow never sees a wrong type, shape or a
 * non-finite number. This is the one validation path for every protocol: each protocol
 * only finds the shape and the elements (in row-major order) of every input, and
 * everything else is checked here, by the same code:
 * <ul>
 * <li>TF Serving's row and columnar formats ({@link PredictRequestParser}) give "one JSON
 * value per row", nested as deep as the signature's rank:
 * {@link #decode(TensorSpec, List, RowLocation)} walks it to find the shape;</li>
 * <li>the Open Inference Protocol ({@link V2RequestParser}) declares the shape and gives
 * the data flattened or in its natural nesting:
 * {@link #decodeTensor(TensorSpec, long[], JsonNode, ElementLocation)}.</li>
 * </ul>
 * Both end in {@link #column}: shape against the signature (rank, fixed dimensions, at
 * least one row), number of elements against the shape, and every element against the
 * dtype (JSON type, integral and in range, finite). {@link #checkNames} (missing and
 * unknown inputs) and {@link #checkSameRows} are shared too.
 *
 * <p>
 * Error messages name the input, what the signature expects and what was given, e.g.
 * {@code input 'age': expected a number (DT_FLOAT, shape [-1]), got string "abc"}.
 */
final class InputDecoder {

	private InputDecoder() {
	}

	/**
	 * TF Serving formats: one JSON value per row.
	 * @param spec the signature's input
	 * @param rows one JSON value per row (the batch dimension is the list)
	 * @param where location suffix for messages (e.g. {@code " in instances[2]"}); a
	 * function of the row index
	 */
	static InputColumn decode(TensorSpec declared, List<JsonNode> rows, RowLocation where) {
		checkFeedable(declared);
		if (rows.isEmpty()) {
			throw noRows(declared);
		}
		TensorSpec spec = declared.unknownRank() ? withRank(declared, rankOf(rows.get(0))) : declared;
		long[] dims = spec.dims();
		long[] shape = dims.clone();
		shape[0] = rows.size();
		for (int axis = 1; axis < shape.length; axis++) {
			shape[axis] = -1;
		}
		List<JsonNode> elements = new ArrayList<>(rows.size());
		int[] rank = { -1 };
		for (int r = 0; r < rows.size(); r++) {
			walk(spec, rows.get(r), 1, shape, elements, where, r, rank);
		}
		if (rank[0] < 0) {
			// only empty arrays: no value says how deep the rows are (this was a 500
			// before)
			throw error(spec, "at least one value in the rows", "only empty arrays", where.describe(0));
		}
		long[] given = Arrays.copyOf(shape, rank[0]);
		long perRow = Math.max(1, elements.size() / rows.size());
		return column(spec, given, elements, index -> index < 0 ? "" : where.describe((int) (index / perRow)));
	}

	/**
	 * Open Inference Protocol: a declared shape and its data in row-major order, either
	 * flattened ({@code [1, 2, 3, 4]}) or in its natural nesting
	 * ({@code [[1, 2], [3, 4]]}).
	 * @param spec the signature's input
	 * @param shape the shape the client declared (batch dimension first), each size &gt;=
	 * 0
	 * @param data the {@code data} array
	 * @param where location suffix for messages, a function of the element's row-major
	 * index
	 */
	static InputColumn decodeTensor(TensorSpec declared, long[] shape, JsonNode data, ElementLocation where) {
		checkFeedable(declared);
		TensorSpec spec = declared.unknownRank() ? withRank(declared, Math.max(shape.length, 1)) : declared;
		String at = where.describe(-1);
		checkShape(spec, shape, at);
		if (!data.isArray()) {
			throw error(spec, "'data' as an array of values", describe(data), at);
		}
		boolean nested = false;
		for (JsonNode element : data) {
			if (element.isArray()) {
				nested = true;
				break;
			}
		}
		List<JsonNode> elements;
		if (nested && shape.length > 1) {
			elements = new ArrayList<>();
			flatten(spec, shape, data, 0, elements, at);
		}
		else {
			elements = new ArrayList<>(data.size());
			data.forEach(elements::add);
		}
		return column(spec, shape, elements, where);
	}

	/**
	 * The shared end of every protocol: checks the shape against the signature and the
	 * elements against the shape and the dtype, then copies the elements into a primitive
	 * array.
	 */
	private static InputColumn column(TensorSpec spec, long[] shape, List<JsonNode> elements, ElementLocation where) {
		checkShape(spec, shape, where.describe(-1));
		long count = 1;
		for (long size : shape) {
			count = (count > Integer.MAX_VALUE || size > Integer.MAX_VALUE) ? Long.MAX_VALUE : count * size;
		}
		if (count == Long.MAX_VALUE) {
			throw error(spec, "at most " + Integer.MAX_VALUE + " values", "shape " + Arrays.toString(shape),
					where.describe(-1));
		}
		if (count != elements.size()) {
			throw error(spec, count + " values for shape " + Arrays.toString(shape), elements.size() + " values",
					where.describe(-1));
		}
		Elements values = new Elements(spec.elementKind(), elements.size());
		for (int i = 0; i < elements.size(); i++) {
			values.add(spec, elements.get(i), where, i);
		}
		return new InputColumn(spec, shape, values.toArray());
	}

	/**
	 * Rank and fixed dimensions as the signature declares them, and at least one row. The
	 * shape may leave out trailing dimensions the signature fixes at 1 (a scalar per row
	 * for an input declared {@code [-1, 1]}): TF Serving feeds its clients' tensors at
	 * the shape their JSON has, and TF Serving's own half_plus_two tests depend on it, so
	 * the tensor is fed at the shape given and the model answers at the shape it
	 * computes.
	 */
	static void checkShape(TensorSpec spec, long[] shape, String where) {
		long[] dims = spec.dims();
		if (shape.length != dims.length
				&& !(shape.length >= 1 && shape.length < dims.length && onlyOnesFrom(dims, shape.length))) {
			throw error(spec, "a tensor of rank " + dims.length, "shape " + Arrays.toString(shape), where);
		}
		if (dims[0] > 0 && dims[0] != shape[0]) {
			throw error(spec, dims[0] + " rows", shape[0] + " rows", where);
		}
		if (shape[0] == 0) {
			throw noRows(spec);
		}
		for (int axis = 1; axis < shape.length; axis++) {
			if (dims[axis] >= 0 && dims[axis] != shape[axis]) {
				throw error(spec, "size " + dims[axis] + " at dimension " + axis, "shape " + Arrays.toString(shape),
						where);
			}
		}
	}

	/** Every input of the signature given, and nothing else. */
	static void checkNames(Collection<String> given, Map<String, TensorSpec> expected, String where) {
		for (String name : given) {
			if (!expected.containsKey(name)) {
				throw ApiException.invalidArgument("unknown input '" + name + "'" + where
						+ " (the signature's inputs are " + new TreeSet<>(expected.keySet()) + ")");
			}
		}
		for (TensorSpec spec : expected.values()) {
			if (!given.contains(spec.name())) {
				throw ApiException
					.invalidArgument("missing input '" + spec.name() + "': expected " + expectation(spec.elementKind())
							+ " (" + spec.dtype() + ", shape " + spec.shapeText() + "), got nothing" + where);
			}
		}
	}

	/** All inputs of one request have the same number of rows (the batch dimension). */
	static void checkSameRows(Map<String, InputColumn> columns) {
		String firstName = null;
		int firstRows = -1;
		for (var entry : columns.entrySet()) {
			int rows = entry.getValue().rows();
			if (firstName == null) {
				firstName = entry.getKey();
				firstRows = rows;
			}
			else if (rows != firstRows) {
				throw ApiException.invalidArgument("input '" + entry.getKey() + "': has " + rows + " rows but input '"
						+ firstName + "' has " + firstRows + "; all inputs need the same number of rows");
			}
		}
	}

	/**
	 * An input whose signature leaves the rank open (TF Serving's half_plus_three
	 * declares no shape at all) takes the rank the request gives, every dimension
	 * variable: the first row's nesting (one JSON value per row), or the declared shape
	 * (Open Inference Protocol).
	 */
	private static TensorSpec withRank(TensorSpec spec, int rank) {
		long[] dims = new long[rank];
		Arrays.fill(dims, -1);
		return new TensorSpec(spec.name(), spec.dtype(), dims, spec.tensorName());
	}

	/**
	 * 1 for a scalar row, plus one per level of nested arrays (following the first
	 * element).
	 */
	private static int rankOf(JsonNode row) {
		int rank = 1;
		for (JsonNode node = row; node.isArray() && !node.isEmpty(); node = node.get(0)) {
			rank++;
		}
		return rank;
	}

	private static void checkFeedable(TensorSpec spec) {
		if ((!spec.unknownRank() && spec.dims().length == 0) || spec.elementKind() == null) {
			throw ApiException.invalidArgument("input '" + spec.name() + "': this worker cannot feed " + spec.dtype()
					+ " with shape " + spec.shapeText());
		}
	}

	private static ApiException noRows(TensorSpec spec) {
		return ApiException.invalidArgument("input '" + spec.name() + "': expected at least one row, got none");
	}

	/**
	 * One row of a TF Serving request: arrays nested as the signature's rank, leaves
	 * collected in order. A row may stop early where every remaining dimension is fixed
	 * at 1 (see {@link #checkShape}); {@code rank} holds the depth the first row reached,
	 * and every other row must reach the same.
	 */
	private static void walk(TensorSpec spec, JsonNode node, int axis, long[] shape, List<JsonNode> out,
			RowLocation where, int row, int[] rank) {
		long[] dims = spec.dims();
		if (axis == dims.length || (!node.isArray() && onlyOnesFrom(dims, axis))) {
			if (rank[0] < 0) {
				rank[0] = axis;
			}
			else if (rank[0] != axis) {
				throw error(spec,
						"every row nested alike (" + (rank[0] == dims.length ? "arrays down to rank " + dims.length
								: "values at dimension " + rank[0]) + ")",
						describe(node) + " at dimension " + axis, where.describe(row));
			}
			out.add(node);
			return;
		}
		if (!node.isArray()) {
			long size = dims[axis];
			throw error(spec, "an array of " + (size > 0 ? size + " values" : "values") + " at dimension " + axis,
					describe(node), where.describe(row));
		}
		int length = node.size();
		if (dims[axis] > 0 && length != dims[axis]) {
			throw error(spec, "an array of " + dims[axis] + " values at dimension " + axis,
					"an array of " + length + " values", where.describe(row));
		}
		if (shape[axis] < 0) {
			shape[axis] = length;
		}
		else if (shape[axis] != length) {
			throw error(spec, "arrays of the same length at dimension " + axis + " (" + shape[axis] + ")",
					"an array of " + length + " values", where.describe(row));
		}
		for (int i = 0; i < length; i++) {
			walk(spec, node.get(i), axis + 1, shape, out, where, row, rank);
		}
	}

	/**
	 * True when every dimension from {@code axis} on is fixed at 1 (and there is at least
	 * one).
	 */
	private static boolean onlyOnesFrom(long[] dims, int axis) {
		if (axis < 1 || axis >= dims.length) {
			return false;
		}
		for (int i = axis; i < dims.length; i++) {
			if (dims[i] != 1) {
				return false;
			}
		}
		return true;
	}

	/** Data in its natural nesting: every level must have the declared size. */
	private static void flatten(TensorSpec spec, long[] shape, JsonNode node, int axis, List<JsonNode> out,
			String where) {
		if (axis == shape.length) {
			out.add(node);
			return;
		}
		if (!node.isArray() || node.size() != shape[axis]) {
			throw error(spec, "data nested as shape " + Arrays.toString(shape) + " (or flattened): an array of "
					+ shape[axis] + " values at dimension " + axis, describe(node), where);
		}
		for (JsonNode child : node) {
			flatten(spec, shape, child, axis + 1, out, where);
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
			case NUMBER -> {
				String text = node.asString();
				yield "number " + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
			}
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

	/**
	 * Location of an element in the request, for messages: a function of its row-major
	 * index, or of -1 for the input as a whole. Called only when there is an error to
	 * report.
	 */
	@FunctionalInterface
	interface ElementLocation {

		String describe(long index);

	}

	/** Growable primitive storage for the flattened elements of one input. */
	private static final class Elements {

		private final ElementKind kind;

		private double[] numbers = new double[0];

		private long[] integers = new long[0];

		private String[] strings = new String[0];

		private boolean[] booleans = new boolean[0];

		private int size;

		Elements(ElementKind kind, int capacity) {
			this.kind = kind;
			int initial = Math.max(1, capacity);
			switch (kind) {
				case FLOAT, DOUBLE -> numbers = new double[initial];
				case INT32, INT64 -> integers = new long[initial];
				case STRING -> strings = new String[initial];
				case BOOL -> booleans = new boolean[initial];
			}
		}

		/**
		 * Checks one element against the dtype and stores it; the location is built only
		 * for an error.
		 */
		void add(TensorSpec spec, JsonNode node, ElementLocation location, int index) {
			ensureCapacity();
			switch (kind) {
				case FLOAT, DOUBLE -> {
					if (!node.isNumber()) {
						throw error(spec, expectation(kind), describe(node), location.describe(index));
					}
					// Jackson 3's JsonNode.doubleValue() throws for integers beyond
					// double; Number.doubleValue() gives Infinity
					double value = node.numberValue().doubleValue();
					if (!Double.isFinite(value) || (kind == ElementKind.FLOAT && !Float.isFinite((float) value))) {
						throw error(spec, "a finite number", Double.isNaN(value) ? "NaN"
								: Double.isInfinite(value) && node.isFloatingPointNumber() && !node.isBigDecimal()
										? "Infinity" : describe(node) + " (out of range)",
								location.describe(index));
					}
					numbers[size] = value;
				}
				case INT32, INT64 -> {
					if (!node.isNumber()) {
						throw error(spec, expectation(kind), describe(node), location.describe(index));
					}
					if (!node.isIntegralNumber() && !(Double.isFinite(node.numberValue().doubleValue())
							&& node.canConvertToExactIntegral())) {
						throw error(spec, "an integer", "non-integral " + describe(node), location.describe(index));
					}
					if (!node.canConvertToLong()) {
						throw error(spec, "an integer in range", describe(node), location.describe(index));
					}
					long value = node.longValue();
					if (kind == ElementKind.INT32 && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
						throw error(spec, "an integer in range", describe(node), location.describe(index));
					}
					integers[size] = value;
				}
				case STRING -> {
					if (!node.isString()) {
						throw error(spec, expectation(kind), describe(node), location.describe(index));
					}
					strings[size] = node.stringValue();
				}
				case BOOL -> {
					if (!node.isBoolean()) {
						throw error(spec, expectation(kind), describe(node), location.describe(index));
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
