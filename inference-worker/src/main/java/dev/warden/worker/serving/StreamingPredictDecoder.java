package dev.warden.worker.serving;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.loader.TensorSpec.ElementKind;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The fast path of {@link PredictRequestParser}: decodes a TF Serving predict body (row
 * format {@code instances} or columnar {@code inputs}) with Jackson's streaming parser
 * straight into one primitive array per input, checking every value against the signature
 * as it is read, without building a {@code JsonNode} tree.
 *
 * <p>
 * It accepts only what the tree path accepts, and produces the same columns for it. It
 * does not phrase errors: anything it does not accept (a wrong type, a ragged row, a
 * missing or unknown input, a non-finite number, an input of unknown rank, a row that
 * leaves out trailing dimensions of size 1, an empty array, a {@code signature_name} that
 * names another signature after the data was read, invalid JSON, ...) makes it give up,
 * and the body is then parsed again by the tree path, which accepts what is valid there
 * and otherwise answers the one documented 400 for it. Valid bodies of the usual shapes
 * are therefore read once, and bad ones get exactly the error they always got.
 */
final class StreamingPredictDecoder {

	private final JsonParser parser;

	private final Map<String, SignatureSpec> signatures;

	private StreamingPredictDecoder(JsonParser parser, Map<String, SignatureSpec> signatures) {
		this.parser = parser;
		this.signatures = signatures;
	}

	/**
	 * The request, or {@code null} when the body has to go through the tree path (it is
	 * not valid, or not of a shape this decoder handles).
	 */
	static PredictRequest tryDecode(byte[] body, Map<String, SignatureSpec> signatures) {
		if (body == null || body.length == 0) {
			return null;
		}
		try (JsonParser parser = PredictRequestParser.JSON.createParser(body)) {
			return new StreamingPredictDecoder(parser, signatures).request();
		}
		catch (GiveUp ex) {
			return null;
		}
		catch (RuntimeException ex) {
			// invalid JSON, limits, or any other surprise: the tree path decides
			return null;
		}
	}

	private PredictRequest request() {
		if (parser.nextToken() != JsonToken.START_OBJECT) {
			throw GiveUp.INSTANCE;
		}
		String key = PredictRequestParser.DEFAULT_SIGNATURE;
		SignatureSpec used = null;
		PredictRequest.Format format = null;
		Map<String, InputColumn> columns = null;
		JsonToken token;
		while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (field) {
				case "signature_name" -> {
					if (value == JsonToken.VALUE_STRING) {
						String name = parser.getString();
						key = name.isEmpty() ? PredictRequestParser.DEFAULT_SIGNATURE : name;
					}
					else if (value != JsonToken.VALUE_NULL) {
						throw GiveUp.INSTANCE;
					}
				}
				case "instances", "inputs" -> {
					if (columns != null) {
						throw GiveUp.INSTANCE;
					}
					used = signatures.get(key);
					if (used == null) {
						throw GiveUp.INSTANCE;
					}
					boolean rows = field.equals("instances");
					format = rows ? PredictRequest.Format.ROW : PredictRequest.Format.COLUMNAR;
					columns = rows ? rows(used) : columns(used);
				}
				default -> throw GiveUp.INSTANCE;
			}
		}
		if (token != JsonToken.END_OBJECT || parser.nextToken() != null || columns == null) {
			throw GiveUp.INSTANCE;
		}
		// a signature_name after the data must name the signature the data was read for
		if (signatures.get(key) != used) {
			throw GiveUp.INSTANCE;
		}
		return new PredictRequest(used.key(), format, columns);
	}

	/** {@code instances}: an array of rows, each an object of inputs or a plain value. */
	private Map<String, InputColumn> rows(SignatureSpec signature) {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			throw GiveUp.INSTANCE;
		}
		Map<String, ColumnBuilder> builders = builders(signature);
		ColumnBuilder single = builders.size() == 1 ? builders.values().iterator().next() : null;
		int rows = 0;
		JsonToken token;
		while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
			if (token == JsonToken.START_OBJECT) {
				int seen = 0;
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					ColumnBuilder builder = builders.get(parser.currentName());
					if (builder == null) {
						throw GiveUp.INSTANCE;
					}
					parser.nextToken();
					builder.row();
					seen++;
				}
				// duplicate names are refused by the parser, so this counts distinct
				// inputs
				if (seen != builders.size()) {
					throw GiveUp.INSTANCE;
				}
			}
			else if (single != null) {
				single.row();
			}
			else {
				throw GiveUp.INSTANCE;
			}
			rows++;
		}
		if (rows == 0) {
			throw GiveUp.INSTANCE;
		}
		return build(builders);
	}

	/**
	 * {@code inputs}: an object with one array of rows per input, or the plain array for
	 * a single input.
	 */
	private Map<String, InputColumn> columns(SignatureSpec signature) {
		Map<String, ColumnBuilder> builders = builders(signature);
		JsonToken token = parser.currentToken();
		if (token == JsonToken.START_OBJECT) {
			int seen = 0;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				ColumnBuilder builder = builders.get(parser.currentName());
				if (builder == null) {
					throw GiveUp.INSTANCE;
				}
				parser.nextToken();
				columnRows(builder);
				seen++;
			}
			if (seen != builders.size()) {
				throw GiveUp.INSTANCE;
			}
		}
		else if (token == JsonToken.START_ARRAY && builders.size() == 1) {
			columnRows(builders.values().iterator().next());
		}
		else {
			throw GiveUp.INSTANCE;
		}
		Map<String, InputColumn> columns = build(builders);
		int rows = -1;
		for (InputColumn column : columns.values()) {
			if (rows >= 0 && column.rows() != rows) {
				throw GiveUp.INSTANCE;
			}
			rows = column.rows();
		}
		return columns;
	}

	private void columnRows(ColumnBuilder builder) {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			throw GiveUp.INSTANCE;
		}
		while (parser.nextToken() != JsonToken.END_ARRAY) {
			builder.row();
		}
		if (builder.rows == 0) {
			throw GiveUp.INSTANCE;
		}
	}

	private Map<String, ColumnBuilder> builders(SignatureSpec signature) {
		Map<String, ColumnBuilder> builders = new LinkedHashMap<>();
		for (TensorSpec spec : signature.inputs().values()) {
			builders.put(spec.name(), new ColumnBuilder(spec, parser));
		}
		return builders;
	}

	private static Map<String, InputColumn> build(Map<String, ColumnBuilder> builders) {
		Map<String, InputColumn> columns = new LinkedHashMap<>();
		builders.forEach((name, builder) -> columns.put(name, builder.build()));
		return columns;
	}

	/**
	 * One input's rows, read from the parser into a primitive array of the input's
	 * element kind; the shape is learnt from the first row and every other row must have
	 * it.
	 */
	static final class ColumnBuilder {

		private final TensorSpec spec;

		private final JsonParser parser;

		private final long[] dims;

		private final ElementKind kind;

		/** Sizes found at every dimension but the first (-1 until seen). */
		private final long[] shape;

		private float[] floats;

		private double[] doubles;

		private int[] ints;

		private long[] longs;

		private String[] strings;

		private boolean[] booleans;

		private int size;

		private int rows;

		ColumnBuilder(TensorSpec spec, JsonParser parser) {
			// inputs of unknown rank, scalars and dtypes the worker cannot feed: tree
			// path
			if (spec.unknownRank() || spec.dims().length == 0 || spec.elementKind() == null) {
				throw GiveUp.INSTANCE;
			}
			this.spec = spec;
			this.parser = parser;
			this.dims = spec.dims();
			this.kind = spec.elementKind();
			this.shape = new long[dims.length];
			Arrays.fill(this.shape, -1);
			int capacity = 16;
			switch (kind) {
				case FLOAT -> floats = new float[capacity];
				case DOUBLE -> doubles = new double[capacity];
				case INT32 -> ints = new int[capacity];
				case INT64 -> longs = new long[capacity];
				case STRING -> strings = new String[capacity];
				case BOOL -> booleans = new boolean[capacity];
			}
		}

		/** Reads one row; the parser is on its first token. */
		void row() {
			value(1);
			rows++;
		}

		private void value(int axis) {
			if (axis == dims.length) {
				element();
				return;
			}
			if (parser.currentToken() != JsonToken.START_ARRAY) {
				throw GiveUp.INSTANCE;
			}
			long length = 0;
			while (parser.nextToken() != JsonToken.END_ARRAY) {
				value(axis + 1);
				length++;
			}
			if (length == 0 || (dims[axis] > 0 && length != dims[axis])) {
				throw GiveUp.INSTANCE;
			}
			if (shape[axis] < 0) {
				shape[axis] = length;
			}
			else if (shape[axis] != length) {
				throw GiveUp.INSTANCE;
			}
		}

		private void element() {
			JsonToken token = parser.currentToken();
			ensureCapacity();
			switch (kind) {
				case FLOAT -> {
					double value = number(token);
					float narrowed = (float) value;
					if (!Float.isFinite(narrowed)) {
						throw GiveUp.INSTANCE;
					}
					floats[size] = narrowed;
				}
				case DOUBLE -> doubles[size] = number(token);
				case INT32 -> {
					long value = integer(token);
					if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
						throw GiveUp.INSTANCE;
					}
					ints[size] = (int) value;
				}
				case INT64 -> longs[size] = integer(token);
				case STRING -> {
					if (token != JsonToken.VALUE_STRING) {
						throw GiveUp.INSTANCE;
					}
					strings[size] = parser.getString();
				}
				case BOOL -> {
					if (token == JsonToken.VALUE_TRUE) {
						booleans[size] = true;
					}
					else if (token == JsonToken.VALUE_FALSE) {
						booleans[size] = false;
					}
					else {
						throw GiveUp.INSTANCE;
					}
				}
			}
			size++;
		}

		/**
		 * A finite number: an integer that fits a long (converted as the tree path does,
		 * long to double) or a number with a fraction or exponent; NaN, Infinity and
		 * numbers beyond a double go to the tree path.
		 */
		private double number(JsonToken token) {
			double value;
			if (token == JsonToken.VALUE_NUMBER_INT) {
				JsonParser.NumberType type = parser.getNumberType();
				if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
					throw GiveUp.INSTANCE;
				}
				value = parser.getLongValue();
			}
			else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
				value = parser.getDoubleValue();
			}
			else {
				throw GiveUp.INSTANCE;
			}
			if (!Double.isFinite(value)) {
				throw GiveUp.INSTANCE;
			}
			return value;
		}

		/**
		 * An integer token that fits a long; integral numbers written with a fraction
		 * ({@code 2.0}) go to the tree path, which accepts them.
		 */
		private long integer(JsonToken token) {
			if (token != JsonToken.VALUE_NUMBER_INT) {
				throw GiveUp.INSTANCE;
			}
			JsonParser.NumberType type = parser.getNumberType();
			if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
				throw GiveUp.INSTANCE;
			}
			return parser.getLongValue();
		}

		private void ensureCapacity() {
			int capacity = switch (kind) {
				case FLOAT -> floats.length;
				case DOUBLE -> doubles.length;
				case INT32 -> ints.length;
				case INT64 -> longs.length;
				case STRING -> strings.length;
				case BOOL -> booleans.length;
			};
			if (size < capacity) {
				return;
			}
			int grown = capacity * 2;
			switch (kind) {
				case FLOAT -> floats = Arrays.copyOf(floats, grown);
				case DOUBLE -> doubles = Arrays.copyOf(doubles, grown);
				case INT32 -> ints = Arrays.copyOf(ints, grown);
				case INT64 -> longs = Arrays.copyOf(longs, grown);
				case STRING -> strings = Arrays.copyOf(strings, grown);
				case BOOL -> booleans = Arrays.copyOf(booleans, grown);
			}
		}

		InputColumn build() {
			if (dims[0] > 0 && dims[0] != rows) {
				throw GiveUp.INSTANCE;
			}
			long[] given = shape.clone();
			given[0] = rows;
			return new InputColumn(spec, given, values());
		}

		/**
		 * Reads an Open Inference Protocol {@code data} array given flat (row-major); the
		 * parser is on its {@code [}. Nested data goes to the tree path.
		 */
		void flat() {
			if (parser.currentToken() != JsonToken.START_ARRAY) {
				throw GiveUp.INSTANCE;
			}
			JsonToken token;
			while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
				if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
					throw GiveUp.INSTANCE;
				}
				element();
			}
		}

		/**
		 * The flat data read by {@link #flat} at the declared shape, checked as the tree
		 * path checks it ({@link InputDecoder#checkShape}, one value per element).
		 */
		InputColumn tensor(long[] declared) {
			InputDecoder.checkShape(spec, declared, "");
			long count = 1;
			for (long size : declared) {
				count *= size;
				if (count > Integer.MAX_VALUE) {
					throw GiveUp.INSTANCE;
				}
			}
			if (count != size) {
				throw GiveUp.INSTANCE;
			}
			return new InputColumn(spec, declared, values());
		}

		int rows() {
			return rows;
		}

		private Object values() {
			return switch (kind) {
				case FLOAT -> Arrays.copyOf(floats, size);
				case DOUBLE -> Arrays.copyOf(doubles, size);
				case INT32 -> Arrays.copyOf(ints, size);
				case INT64 -> Arrays.copyOf(longs, size);
				case STRING -> Arrays.copyOf(strings, size);
				case BOOL -> Arrays.copyOf(booleans, size);
			};
		}

	}

	/** This body is for the tree path; thrown without a stack trace. */
	static final class GiveUp extends RuntimeException {

		static final GiveUp INSTANCE = new GiveUp();

		private GiveUp() {
			super("not decoded by the streaming path", null, false, false);
		}

	}

}
