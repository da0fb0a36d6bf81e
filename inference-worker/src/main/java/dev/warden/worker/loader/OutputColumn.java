package dev.warden.worker.loader;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An output copied out of TensorFlow, with its shape (batch dimension first). Numeric and
 * boolean outputs are kept as the primitive array they were read into ({@code float[]},
 * {@code double[]}, {@code int[]}, {@code long[]} or {@code boolean[]}, row-major; see
 * {@link #flatValues()}), so that batching can slice them and answers can be written
 * without a boxed value per element; {@link #rows()} gives them as boxed rows on demand.
 * Other outputs (strings, ...) are held as rows only.
 */
public final class OutputColumn {

	private final String name;

	private final long[] shape;

	private final Object flat;

	private volatile List<Object> rows;

	/**
	 * An output given as rows: one entry per row, each a boxed scalar ({@code Float},
	 * {@code Long}, {@code String}, ...) or, for outputs of rank &gt; 1, nested lists.
	 */
	public OutputColumn(String name, long[] shape, List<Object> rows) {
		this.name = name;
		this.shape = shape;
		this.flat = null;
		this.rows = rows;
	}

	private OutputColumn(String name, long[] shape, Object flat) {
		this.name = name;
		this.shape = shape;
		this.flat = flat;
	}

	/**
	 * An output given as its elements in row-major order.
	 * @param values a {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]} or
	 * {@code boolean[]} with as many elements as the shape holds
	 */
	public static OutputColumn ofFlat(String name, long[] shape, Object values) {
		if (!(values instanceof float[] || values instanceof double[] || values instanceof int[]
				|| values instanceof long[] || values instanceof boolean[])) {
			throw new IllegalArgumentException("not a primitive output array: " + values);
		}
		long count = 1;
		for (long size : shape) {
			count *= size;
		}
		if (count != Array.getLength(values)) {
			throw new IllegalArgumentException(
					"shape " + Arrays.toString(shape) + " needs " + count + " values, got " + Array.getLength(values));
		}
		return new OutputColumn(name, shape, values);
	}

	public String name() {
		return name;
	}

	public long[] shape() {
		return shape;
	}

	/**
	 * The elements in row-major order as a primitive array, or {@code null} for an output
	 * held as rows only.
	 */
	public Object flatValues() {
		return flat;
	}

	/** Rows: the batch dimension's size, 1 for a scalar. */
	public int rowCount() {
		if (flat == null) {
			return rows.size();
		}
		return shape.length == 0 ? 1 : Math.toIntExact(shape[0]);
	}

	/**
	 * One entry per row, each a boxed scalar or, for outputs of rank &gt; 1, nested lists
	 * (a scalar output has one row, the value); built from the primitive array on first
	 * use.
	 */
	public List<Object> rows() {
		List<Object> boxed = rows;
		if (boxed == null) {
			boxed = box();
			rows = boxed;
		}
		return boxed;
	}

	private List<Object> box() {
		if (shape.length == 0) {
			return List.of(Array.get(flat, 0));
		}
		int[] cursor = { 0 };
		List<Object> nested = new ArrayList<>(Math.toIntExact(shape[0]));
		for (long r = 0; r < shape[0]; r++) {
			nested.add(nest(1, cursor));
		}
		return nested;
	}

	private Object nest(int axis, int[] cursor) {
		if (axis == shape.length) {
			return Array.get(flat, cursor[0]++);
		}
		List<Object> list = new ArrayList<>(Math.toIntExact(shape[axis]));
		for (long i = 0; i < shape[axis]; i++) {
			list.add(nest(axis + 1, cursor));
		}
		return list;
	}

	@Override
	public String toString() {
		return "OutputColumn[" + name + ", shape " + Arrays.toString(shape) + "]";
	}

}
