package dev.warden.worker.explain;

/**
 * Occlusion: the effect of each feature group is {@code f(x) − f(x with the group's
 * entries taken from the baseline)}, one re-prediction per group. Model-agnostic; it
 * needs only the model's outputs. The effects need not add up to
 * {@code f(x) − f(baseline)}: the difference (the additivity gap) measures how much the
 * features interact.
 */
public final class Occlusion {

	/**
	 * @param effects one per group
	 * @param valueAtInput f(x)
	 * @param valueAtBaseline f(baseline)
	 * @param additivityGap {@code Σ effects − (f(x) − f(baseline))}
	 * @param evaluations model rows evaluated (groups + 2)
	 * @param calls model calls made
	 */
	public record Result(double[] effects, double valueAtInput, double valueAtBaseline, double additivityGap,
			long evaluations, int calls) {
	}

	private Occlusion() {
	}

	/**
	 * @param input x
	 * @param baseline the values that replace a group's entries, of the input's width
	 * @param groups the entries of each group (disjoint or not)
	 * @param maxRowsPerCall most rows per model call
	 */
	public static Result explain(BatchModel model, double[] input, double[] baseline, int[][] groups,
			int maxRowsPerCall) {
		if (input.length != baseline.length) {
			throw new IllegalArgumentException(
					"input has " + input.length + " features but the baseline " + baseline.length);
		}
		double[][] rows = new double[groups.length + 2][];
		rows[0] = input;
		rows[1] = baseline;
		for (int g = 0; g < groups.length; g++) {
			double[] row = input.clone();
			for (int i : groups[g]) {
				row[i] = baseline[i];
			}
			rows[g + 2] = row;
		}
		double[] outputs = new double[rows.length];
		int calls = 0;
		for (int from = 0; from < rows.length; from += maxRowsPerCall) {
			int to = Math.min(rows.length, from + maxRowsPerCall);
			double[] out = model.evaluate(java.util.Arrays.copyOfRange(rows, from, to));
			calls++;
			System.arraycopy(out, 0, outputs, from, out.length);
		}
		for (double value : outputs) {
			if (!Double.isFinite(value)) {
				throw new NonFiniteOutputException("the model's output is not finite on an occluded row");
			}
		}
		double fx = outputs[0];
		double[] effects = new double[groups.length];
		double sum = 0;
		for (int g = 0; g < groups.length; g++) {
			effects[g] = fx - outputs[g + 2];
			sum += effects[g];
		}
		return new Result(effects, fx, outputs[1], sum - (fx - outputs[1]), rows.length, calls);
	}

	/** One group per entry: {@code {{0}, {1}, …}}. */
	public static int[][] singletons(int width) {
		int[][] groups = new int[width][];
		for (int i = 0; i < width; i++) {
			groups[i] = new int[] { i };
		}
		return groups;
	}

}
