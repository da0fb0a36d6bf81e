package dev.warden.platform.explainability.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One input of a model's serving signature as a column of a reference dataset: a scalar
 * per row ({@code tensor_shape} {@code [-1]}), of a numeric, boolean or string dtype.
 *
 * @param name the input's name, which is the column's header
 * @param dtype the TensorFlow dtype ({@code DT_FLOAT}, {@code DT_STRING}, ...)
 */
public record ModelColumn(String name, String dtype) {

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	/** What a column holds. */
	public enum Kind {

		/** {@code DT_FLOAT}, {@code DT_DOUBLE}, {@code DT_HALF}, {@code DT_BFLOAT16}. */
		NUMBER,
		/** The integer dtypes. */
		INTEGER,
		/** {@code DT_BOOL}. */
		BOOL,
		/**
		 * {@code DT_STRING}: a category, or free text when the model's explanations break
		 * it into tokens.
		 */
		TEXT

	}

	/** The kind of the dtype, or {@code null} when a CSV cell cannot hold it. */
	public static Kind kindOf(String dtype) {
		return switch (dtype) {
			case "DT_FLOAT", "DT_DOUBLE", "DT_HALF", "DT_BFLOAT16" -> Kind.NUMBER;
			case "DT_INT8", "DT_INT16", "DT_INT32", "DT_INT64", "DT_UINT8", "DT_UINT16", "DT_UINT32", "DT_UINT64" ->
				Kind.INTEGER;
			case "DT_BOOL" -> Kind.BOOL;
			case "DT_STRING" -> Kind.TEXT;
			default -> null;
		};
	}

	public Kind kind() {
		return kindOf(this.dtype);
	}

	/** Whether the column holds numbers (for quantile grids). */
	public boolean numeric() {
		return kind() == Kind.NUMBER || kind() == Kind.INTEGER;
	}

	/** Why the cell cannot be a value of this column, or {@code null} if it can. */
	public String problem(String cell) {
		switch (kind()) {
			case NUMBER -> {
				try {
					double value = Double.parseDouble(cell.strip());
					if (!Double.isFinite(value) || cell.isBlank()) {
						return "'" + abbreviate(cell) + "' is not a finite number";
					}
					return null;
				}
				catch (NumberFormatException ex) {
					return "'" + abbreviate(cell) + "' is not a number";
				}
			}
			case INTEGER -> {
				try {
					Long.parseLong(cell.strip());
					return null;
				}
				catch (NumberFormatException ex) {
					return "'" + abbreviate(cell) + "' is not an integer";
				}
			}
			case BOOL -> {
				String value = cell.strip().toLowerCase(Locale.ROOT);
				return (value.equals("true") || value.equals("false") || value.equals("1") || value.equals("0")) ? null
						: "'" + abbreviate(cell) + "' is not true, false, 1 or 0";
			}
			default -> {
				return null;
			}
		}
	}

	/**
	 * The cell as the JSON value of a predict or explain request (numbers as numbers,
	 * integral ones as integers).
	 */
	public JsonNode json(String cell) {
		switch (kind()) {
			case NUMBER -> {
				String text = cell.strip();
				try {
					return NODES.numberNode(Long.parseLong(text));
				}
				catch (NumberFormatException ex) {
					return NODES.numberNode(Double.parseDouble(text));
				}
			}
			case INTEGER -> {
				return NODES.numberNode(Long.parseLong(cell.strip()));
			}
			case BOOL -> {
				String value = cell.strip().toLowerCase(Locale.ROOT);
				return NODES.booleanNode(value.equals("true") || value.equals("1"));
			}
			default -> {
				return NODES.stringNode(cell);
			}
		}
	}

	/** A number as the text of a cell of this column (rounded for integer columns). */
	public String cellOf(double value) {
		if (kind() == Kind.INTEGER) {
			return Long.toString(Math.round(value));
		}
		if (value == Math.rint(value) && Math.abs(value) < 1e15) {
			return Long.toString((long) value);
		}
		return Double.toString(value);
	}

	private static String abbreviate(String cell) {
		return (cell.length() > 40) ? cell.substring(0, 40) + "..." : cell;
	}

	/**
	 * The columns of the signature {@code serving_default} (or of the only signature) in
	 * a TF Serving {@code signature_def} map, by name.
	 * @throws IllegalArgumentException with a client-safe reason when the signature
	 * cannot be fed from a CSV: no such signature, or an input that is not one scalar of
	 * a supported dtype per row
	 */
	public static List<ModelColumn> fromSignatureDefs(JsonNode signatureDefs) {
		JsonNode signature = signatureDefs.path("serving_default");
		if (signature.isMissingNode()) {
			List<String> keys = new ArrayList<>();
			signatureDefs.propertyNames().forEach((key) -> {
				if (!key.startsWith("__")) {
					keys.add(key);
				}
			});
			if (keys.size() != 1) {
				throw new IllegalArgumentException(
						"the model has no signature 'serving_default' (and not exactly one other): " + keys);
			}
			signature = signatureDefs.path(keys.get(0));
		}
		List<ModelColumn> columns = new ArrayList<>();
		for (Map.Entry<String, JsonNode> input : signature.path("inputs").properties()) {
			String dtype = input.getValue().path("dtype").asString("");
			if (kindOf(dtype) == null) {
				throw new IllegalArgumentException(
						"input '" + input.getKey() + "' has dtype " + dtype + ", which a CSV column cannot hold");
			}
			JsonNode shape = input.getValue().path("tensor_shape");
			JsonNode dims = shape.path("dim");
			boolean scalarPerRow = !shape.path("unknown_rank").asBoolean(false) && dims.isArray() && dims.size() == 1;
			if (!scalarPerRow) {
				throw new IllegalArgumentException("input '" + input.getKey()
						+ "' is not one value per row (shape [-1]); a CSV column cannot hold it");
			}
			columns.add(new ModelColumn(input.getKey(), dtype));
		}
		if (columns.isEmpty()) {
			throw new IllegalArgumentException("the model's signature has no inputs");
		}
		columns.sort((a, b) -> a.name().compareTo(b.name()));
		return List.copyOf(columns);
	}

}
