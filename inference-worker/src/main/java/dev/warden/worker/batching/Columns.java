package dev.warden.worker.batching;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.OutputColumn;

/** Row-wise slicing and concatenation of columns along the batch (first) dimension. */
final class Columns {

	private Columns() {
	}

	/** Elements per row: the product of every dimension but the first. */
	static int rowSize(long[] shape) {
		long size = 1;
		for (int i = 1; i < shape.length; i++) {
			size *= shape[i];
		}
		return Math.toIntExact(size);
	}

	/**
	 * The inner dimensions (all but the first) as text, e.g. {@code "3x4"}; empty for
	 * rank-1 columns.
	 */
	static String innerShape(long[] shape) {
		if (shape.length <= 1) {
			return "";
		}
		StringBuilder text = new StringBuilder();
		for (int i = 1; i < shape.length; i++) {
			text.append(i > 1 ? "x" : "").append(shape[i]);
		}
		return text.toString();
	}

	static InputColumn slice(InputColumn column, int from, int to) {
		int rowSize = rowSize(column.shape());
		Object values = Array.newInstance(column.values().getClass().getComponentType(), (to - from) * rowSize);
		System.arraycopy(column.values(), from * rowSize, values, 0, (to - from) * rowSize);
		long[] shape = column.shape().clone();
		shape[0] = to - from;
		return new InputColumn(column.spec(), shape, values);
	}

	/**
	 * One column holding the rows of every part in order; the parts have the same spec
	 * and inner shape.
	 */
	static InputColumn concat(List<InputColumn> parts) {
		InputColumn first = parts.get(0);
		int total = 0;
		for (InputColumn part : parts) {
			total += Array.getLength(part.values());
		}
		Object values = Array.newInstance(first.values().getClass().getComponentType(), total);
		int offset = 0;
		long rows = 0;
		for (InputColumn part : parts) {
			int length = Array.getLength(part.values());
			System.arraycopy(part.values(), 0, values, offset, length);
			offset += length;
			rows += part.shape()[0];
		}
		long[] shape = first.shape().clone();
		shape[0] = rows;
		return new InputColumn(first.spec(), shape, values);
	}

	static OutputColumn slice(OutputColumn column, int from, int to) {
		long[] shape = column.shape().clone();
		shape[0] = to - from;
		Object flat = column.flatValues();
		if (flat != null) {
			int rowSize = rowSize(column.shape());
			Object values = Array.newInstance(flat.getClass().getComponentType(), (to - from) * rowSize);
			System.arraycopy(flat, from * rowSize, values, 0, (to - from) * rowSize);
			return OutputColumn.ofFlat(column.name(), shape, values);
		}
		return new OutputColumn(column.name(), shape, new ArrayList<>(column.rows().subList(from, to)));
	}

	static OutputColumn concatOutputs(List<OutputColumn> parts) {
		OutputColumn first = parts.get(0);
		if (allFlatAlike(parts)) {
			int total = 0;
			long rowCount = 0;
			for (OutputColumn part : parts) {
				total += Array.getLength(part.flatValues());
				rowCount += part.shape()[0];
			}
			Object values = Array.newInstance(first.flatValues().getClass().getComponentType(), total);
			int offset = 0;
			for (OutputColumn part : parts) {
				int length = Array.getLength(part.flatValues());
				System.arraycopy(part.flatValues(), 0, values, offset, length);
				offset += length;
			}
			long[] shape = first.shape().clone();
			shape[0] = rowCount;
			return OutputColumn.ofFlat(first.name(), shape, values);
		}
		List<Object> rows = new ArrayList<>();
		parts.forEach(part -> rows.addAll(part.rows()));
		long[] shape = first.shape().clone();
		shape[0] = rows.size();
		return new OutputColumn(first.name(), shape, rows);
	}

	/**
	 * Every part a primitive array of one type, with a batch dimension and the same inner
	 * shape.
	 */
	private static boolean allFlatAlike(List<OutputColumn> parts) {
		OutputColumn first = parts.get(0);
		if (first.flatValues() == null || first.shape().length == 0) {
			return false;
		}
		for (OutputColumn part : parts) {
			if (part.flatValues() == null || part.flatValues().getClass() != first.flatValues().getClass()
					|| part.shape().length != first.shape().length
					|| !innerShape(part.shape()).equals(innerShape(first.shape()))) {
				return false;
			}
		}
		return true;
	}

}
