package dev.warden.worker.explain;

/**
 * The model's gradient along the straight path from a baseline x' to an input x,
 * {@code γ(α) = x' + α (x − x')}, evaluated at many points α at once and summed with
 * weights on the spot, so that a long path over a wide input (a text of 2,000 token
 * embeddings) never holds every gradient in memory.
 */
@FunctionalInterface
public interface PathIntegrand {

	/**
	 * @param alphas points on the path, each in [0, 1]
	 * @param weights one weight per point
	 * @return the target output at each point and {@code Σ weights[k] · ∇f(γ(alphas[k]))}
	 */
	PathSums evaluate(double[] alphas, double[] weights);

	/**
	 * @param values the target output at each point
	 * @param weightedGradients the weighted sum of the gradients, of the input's width
	 */
	record PathSums(double[] values, double[] weightedGradients) {
	}

	/**
	 * The path between two rows of a {@link GradientModel}, evaluated in calls of at most
	 * {@code maxRowsPerCall} points.
	 */
	static PathIntegrand along(GradientModel model, double[] input, double[] baseline, int maxRowsPerCall) {
		if (input.length != baseline.length) {
			throw new IllegalArgumentException(
					"input has " + input.length + " features but the baseline " + baseline.length);
		}
		return (alphas, weights) -> {
			double[] values = new double[alphas.length];
			double[] sum = new double[input.length];
			for (int from = 0; from < alphas.length; from += maxRowsPerCall) {
				int to = Math.min(alphas.length, from + maxRowsPerCall);
				double[][] rows = new double[to - from][input.length];
				for (int k = from; k < to; k++) {
					double alpha = alphas[k];
					double[] row = rows[k - from];
					for (int i = 0; i < row.length; i++) {
						row[i] = baseline[i] + alpha * (input[i] - baseline[i]);
					}
				}
				GradientModel.ValuesAndGradients evaluated = model.evaluate(rows);
				for (int k = from; k < to; k++) {
					values[k] = evaluated.values()[k - from];
					double[] gradient = evaluated.gradients()[k - from];
					double w = weights[k];
					for (int i = 0; i < sum.length; i++) {
						sum[i] += w * gradient[i];
					}
				}
			}
			return new PathSums(values, sum);
		};
	}

}
