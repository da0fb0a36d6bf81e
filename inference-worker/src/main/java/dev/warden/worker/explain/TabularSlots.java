package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.loader.TensorSpec.ElementKind;

/**
 * The serving signature's inputs seen as one flat row of features, as the model-agnostic
 * explainers need them: one feature per element of a row of every input (an input of
 * shape [-1] or [-1, 1] is one feature, named after the input; one of shape [-1, 3] is
 * three, {@code x[0]} to {@code x[2]}). Every input needs a fixed width; a model with an
 * input of variable width (a sequence, an image of any size) is not tabular.
 *
 * <p>
 * A row is coded as {@code double[]}: numbers as themselves (an int64 beyond 2^53 loses
 * precision), booleans as 0 and 1, strings as their index in a per-feature dictionary
 * kept by a {@link Coder}. The explainers only copy entries between rows, so every coded
 * row decodes into values that occur in the input, the baseline or the background.
 */
final class TabularSlots {

	private final List<TensorSpec> inputs;

	private final int[] widths;

	private final List<String> names;

	private final int[] firstSlot;

	private TabularSlots(List<TensorSpec> inputs, int[] widths, List<String> names, int[] firstSlot) {
		this.inputs = inputs;
		this.widths = widths;
		this.names = names;
		this.firstSlot = firstSlot;
	}

	/**
	 * The features of {@code serving}, its inputs in {@code order} (the contract's column
	 * order) when given, else in the signature's.
	 * @throws IllegalArgumentException with the reason when the signature is not tabular
	 */
	static TabularSlots of(SignatureSpec serving, List<String> order) {
		List<TensorSpec> inputs = new ArrayList<>();
		if (order != null && order.size() == serving.inputs().size() && serving.inputs().keySet().containsAll(order)) {
			order.forEach(name -> inputs.add(serving.inputs().get(name)));
		}
		else {
			inputs.addAll(serving.inputs().values());
		}
		if (inputs.isEmpty()) {
			throw new IllegalArgumentException("the serving signature has no inputs");
		}
		int[] widths = new int[inputs.size()];
		int[] first = new int[inputs.size()];
		List<String> names = new ArrayList<>();
		for (int k = 0; k < inputs.size(); k++) {
			TensorSpec input = inputs.get(k);
			if (input.elementKind() == null) {
				throw new IllegalArgumentException(
						"input '" + input.name() + "' is " + input.dtype() + ", which the worker cannot feed");
			}
			if (input.unknownRank() || input.dims().length == 0) {
				throw new IllegalArgumentException("input '" + input.name() + "' has shape " + input.shapeText()
						+ "; a tabular input has a batch dimension and a fixed width");
			}
			long width = 1;
			for (int axis = 1; axis < input.dims().length; axis++) {
				if (input.dims()[axis] < 1) {
					throw new IllegalArgumentException("input '" + input.name() + "' has shape " + input.shapeText()
							+ ": a variable dimension is not a fixed set of features");
				}
				width *= input.dims()[axis];
			}
			if (width > 10_000) {
				throw new IllegalArgumentException("input '" + input.name() + "' has " + width
						+ " values per row; at most 10000 features are explained");
			}
			widths[k] = (int) width;
			first[k] = names.size();
			for (int e = 0; e < width; e++) {
				names.add(width == 1 ? input.name() : input.name() + "[" + e + "]");
			}
		}
		return new TabularSlots(List.copyOf(inputs), widths, List.copyOf(names), first);
	}

	/** Feature names, in row order. */
	List<String> names() {
		return names;
	}

	int width() {
		return names.size();
	}

	/** The inputs, in the order their features appear in a row. */
	List<TensorSpec> inputs() {
		return inputs;
	}

	/** The features of input {@code k}: {@code [first, first + width)}. */
	int firstSlot(int k) {
		return firstSlot[k];
	}

	int inputWidth(int k) {
		return widths[k];
	}

	/** A fresh coding context (its string dictionaries grow as rows are coded). */
	Coder coder() {
		return new Coder();
	}

	/**
	 * Codes and decodes rows for one explanation. Not thread-safe; one per explanation.
	 */
	final class Coder {

		private final List<List<String>> dictionaries = new ArrayList<>();

		private final List<Map<String, Integer>> codes = new ArrayList<>();

		Coder() {
			for (int i = 0; i < names.size(); i++) {
				dictionaries.add(new ArrayList<>());
				codes.add(new HashMap<>());
			}
		}

		/** Row {@code row} of a batch of inputs (instances, background, baseline). */
		double[] encode(Map<String, InputColumn> columns, int row) {
			double[] coded = new double[names.size()];
			for (int k = 0; k < inputs.size(); k++) {
				TensorSpec input = inputs.get(k);
				InputColumn column = columns.get(input.name());
				if (column == null) {
					throw new IllegalArgumentException("missing input " + input.name());
				}
				int width = widths[k];
				Object values = column.values();
				for (int e = 0; e < width; e++) {
					int index = row * width + e;
					int slot = firstSlot[k] + e;
					coded[slot] = switch (input.elementKind()) {
						case FLOAT -> ((float[]) values)[index];
						case DOUBLE -> ((double[]) values)[index];
						case INT32 -> ((int[]) values)[index];
						case INT64 -> ((long[]) values)[index];
						case BOOL -> ((boolean[]) values)[index] ? 1 : 0;
						case STRING -> code(slot,
								values instanceof byte[][] bytes
										? new String(bytes[index], java.nio.charset.StandardCharsets.UTF_8)
										: ((String[]) values)[index]);
					};
				}
			}
			return coded;
		}

		double[][] encodeAll(Map<String, InputColumn> columns) {
			int rows = columns.get(inputs.get(0).name()).rows();
			double[][] coded = new double[rows][];
			for (int r = 0; r < rows; r++) {
				coded[r] = encode(columns, r);
			}
			return coded;
		}

		private double code(int slot, String value) {
			Integer code = codes.get(slot).get(value);
			if (code == null) {
				code = dictionaries.get(slot).size();
				dictionaries.get(slot).add(value);
				codes.get(slot).put(value, code);
			}
			return code;
		}

		/** Coded rows back into one batch of the serving signature's inputs. */
		Map<String, InputColumn> decode(double[][] rows) {
			int n = rows.length;
			Map<String, InputColumn> columns = new LinkedHashMap<>();
			for (int k = 0; k < inputs.size(); k++) {
				TensorSpec input = inputs.get(k);
				int width = widths[k];
				int first = firstSlot[k];
				Object values = switch (input.elementKind()) {
					case FLOAT -> new float[n * width];
					case DOUBLE -> new double[n * width];
					case INT32 -> new int[n * width];
					case INT64 -> new long[n * width];
					case BOOL -> new boolean[n * width];
					case STRING -> new String[n * width];
				};
				for (int r = 0; r < n; r++) {
					double[] row = rows[r];
					for (int e = 0; e < width; e++) {
						int index = r * width + e;
						double v = row[first + e];
						switch (input.elementKind()) {
							case FLOAT -> ((float[]) values)[index] = (float) v;
							case DOUBLE -> ((double[]) values)[index] = v;
							case INT32 -> ((int[]) values)[index] = (int) v;
							case INT64 -> ((long[]) values)[index] = (long) v;
							case BOOL -> ((boolean[]) values)[index] = v != 0;
							case STRING -> ((String[]) values)[index] = dictionaries.get(first + e).get((int) v);
						}
					}
				}
				long[] shape = input.dims().clone();
				shape[0] = n;
				columns.put(input.name(), new InputColumn(input, shape, values));
			}
			return columns;
		}

		/** The raw value a coded entry stands for, as JSON shows it. */
		Object value(int slot, double coded) {
			ElementKind kind = inputs.get(inputOf(slot)).elementKind();
			return switch (kind) {
				case FLOAT, DOUBLE -> coded;
				case INT32, INT64 -> (long) coded;
				case BOOL -> coded != 0;
				case STRING -> dictionaries.get(slot).get((int) coded);
			};
		}

		/** Whether the slot holds strings (its codes are not numbers to average). */
		boolean categorical(int slot) {
			return inputs.get(inputOf(slot)).elementKind() == ElementKind.STRING;
		}

		/** The number of distinct values coded so far for a string slot. */
		int dictionarySize(int slot) {
			return dictionaries.get(slot).size();
		}

	}

	int inputOf(int slot) {
		for (int k = inputs.size() - 1; k >= 0; k--) {
			if (slot >= firstSlot[k]) {
				return k;
			}
		}
		throw new IndexOutOfBoundsException(slot);
	}

	/** The all-missing row: 0 for numbers, false, and the empty string. */
	Map<String, InputColumn> missingRow() {
		Map<String, InputColumn> row = new LinkedHashMap<>();
		for (int k = 0; k < inputs.size(); k++) {
			TensorSpec input = inputs.get(k);
			int width = widths[k];
			Object values = switch (input.elementKind()) {
				case FLOAT -> new float[width];
				case DOUBLE -> new double[width];
				case INT32 -> new int[width];
				case INT64 -> new long[width];
				case BOOL -> new boolean[width];
				case STRING -> {
					String[] empty = new String[width];
					java.util.Arrays.fill(empty, "");
					yield empty;
				}
			};
			long[] shape = input.dims().clone();
			shape[0] = 1;
			row.put(input.name(), new InputColumn(input, shape, values));
		}
		return row;
	}

}
