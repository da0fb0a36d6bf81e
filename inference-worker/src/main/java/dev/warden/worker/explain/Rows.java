package dev.warden.worker.explain;

import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.TensorSpec;

/**
 * Rows of a batch of inputs: taking one out, putting batches together, showing a value.
 */
final class Rows {

	private Rows() {
	}

	static int count(Map<String, InputColumn> columns) {
		return columns.values().iterator().next().rows();
	}

	/** Elements of one row of the column. */
	static int width(InputColumn column) {
		return column.rows() == 0 ? 0 : Array.getLength(column.values()) / column.rows();
	}

	/**
	 * The batches one after the other, in order; every input keeps the shape of the first
	 * batch after the batch dimension.
	 * @throws IllegalArgumentException naming an input whose rows differ in width
	 */
	static Map<String, InputColumn> concat(List<Map<String, InputColumn>> batches) {
		Map<String, InputColumn> joined = new LinkedHashMap<>();
		for (String name : batches.get(0).keySet()) {
			InputColumn first = batches.get(0).get(name);
			int width = width(first);
			int rows = 0;
			for (Map<String, InputColumn> batch : batches) {
				InputColumn column = batch.get(name);
				if (column == null || width(column) != width) {
					throw new IllegalArgumentException(name);
				}
				rows += column.rows();
			}
			Object values = Array.newInstance(first.values().getClass().getComponentType(), rows * width);
			int at = 0;
			for (Map<String, InputColumn> batch : batches) {
				Object part = batch.get(name).values();
				int length = Array.getLength(part);
				System.arraycopy(part, 0, values, at, length);
				at += length;
			}
			long[] shape = first.shape().clone();
			shape[0] = rows;
			joined.put(name, new InputColumn(first.spec(), shape, values));
		}
		return joined;
	}

	/** The rows at {@code indices}, in that order, as one batch. */
	static Map<String, InputColumn> select(Map<String, InputColumn> columns, int[] indices) {
		Map<String, InputColumn> selected = new LinkedHashMap<>();
		columns.forEach((name, column) -> {
			int width = width(column);
			Object values = Array.newInstance(column.values().getClass().getComponentType(), indices.length * width);
			for (int k = 0; k < indices.length; k++) {
				System.arraycopy(column.values(), indices[k] * width, values, k * width, width);
			}
			long[] shape = column.shape().clone();
			shape[0] = indices.length;
			selected.put(name, new InputColumn(column.spec(), shape, values));
		});
		return selected;
	}

	/** Row {@code row} of the batch, as a batch of one. */
	static Map<String, InputColumn> row(Map<String, InputColumn> columns, int row) {
		Map<String, InputColumn> one = new LinkedHashMap<>();
		columns.forEach((name, column) -> {
			int width = width(column);
			Object values = Array.newInstance(column.values().getClass().getComponentType(), width);
			System.arraycopy(column.values(), row * width, values, 0, width);
			long[] shape = column.shape().clone();
			shape[0] = 1;
			one.put(name, new InputColumn(column.spec(), shape, values));
		});
		return one;
	}

	/**
	 * A row built from JSON-like values (numbers, strings, booleans) by input name, as a
	 * contract's named baseline holds them.
	 * @throws IllegalArgumentException naming an input that is missing or of the wrong
	 * type
	 */
	static Map<String, InputColumn> fromValues(Map<String, Object> values, List<TensorSpec> inputs) {
		Map<String, InputColumn> row = new LinkedHashMap<>();
		for (TensorSpec input : inputs) {
			Object value = values.get(input.name());
			if (value == null) {
				throw new IllegalArgumentException("it has no value for input '" + input.name() + "'");
			}
			Object array;
			try {
				array = switch (input.elementKind()) {
					case FLOAT -> new float[] { ((Number) value).floatValue() };
					case DOUBLE -> new double[] { ((Number) value).doubleValue() };
					case INT32 -> new int[] { ((Number) value).intValue() };
					case INT64 -> new long[] { ((Number) value).longValue() };
					case BOOL -> new boolean[] { (Boolean) value };
					case STRING -> new String[] { (String) value };
				};
			}
			catch (ClassCastException ex) {
				throw new IllegalArgumentException(
						"its value for input '" + input.name() + "' is not a " + input.dtype() + " value");
			}
			long[] shape = input.dims().clone();
			shape[0] = 1;
			for (int axis = 1; axis < shape.length; axis++) {
				if (shape[axis] != 1) {
					throw new IllegalArgumentException("input '" + input.name() + "' has more than one value per row");
				}
			}
			row.put(input.name(), new InputColumn(input, shape, array));
		}
		return row;
	}

	/**
	 * The value of one row of a column as JSON shows it: a number, string or boolean, or
	 * a list of them when a row holds several.
	 */
	static Object value(InputColumn column, int row) {
		int width = width(column);
		List<Object> values = new ArrayList<>(width);
		for (int e = 0; e < width; e++) {
			Object element = Array.get(column.values(), row * width + e);
			if (element instanceof byte[] bytes) {
				element = new String(bytes, StandardCharsets.UTF_8);
			}
			else if (element instanceof Float f) {
				element = Double.valueOf(Float.toString(f));
			}
			else if (element instanceof Integer i) {
				element = i.longValue();
			}
			values.add(element);
		}
		return width == 1 ? values.get(0) : values;
	}

	/** Every value of one row, by input name. */
	static Map<String, Object> values(Map<String, InputColumn> columns, int row) {
		Map<String, Object> values = new LinkedHashMap<>();
		columns.forEach((name, column) -> values.put(name, value(column, row)));
		return values;
	}

}
