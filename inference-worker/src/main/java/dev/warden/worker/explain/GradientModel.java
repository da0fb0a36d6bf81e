package dev.warden.worker.explain;

/**
 * A differentiable model evaluated on many rows at once: for each row, the target output
 * and its gradient with respect to every entry of the row.
 *
 * <p>
 * Implementations may split the rows into several calls of the underlying model, but must
 * not call it once per row. They are called from one thread at a time per explanation.
 */
@FunctionalInterface
public interface GradientModel {

	/**
	 * @param rows the points to evaluate, each of the model's feature width
	 * @return the target output at each row and its gradient, row by row
	 */
	ValuesAndGradients evaluate(double[][] rows);

	/**
	 * @param values the target output of each row
	 * @param gradients its gradient for each row, of the row's width
	 */
	record ValuesAndGradients(double[] values, double[][] gradients) {
	}

}
