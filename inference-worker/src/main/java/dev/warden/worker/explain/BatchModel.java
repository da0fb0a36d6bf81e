package dev.warden.worker.explain;

/**
 * A model evaluated on many rows at once: {@code double[][]} rows in, the target output
 * of each row out. What a row's entries mean is the implementation's business (numbers,
 * codes of categorical values, token-presence flags); the explainers only copy entries
 * between rows.
 *
 * <p>
 * Implementations may split the rows into several calls of the underlying model, but must
 * not call it once per row. They are called from one thread at a time per explanation.
 */
@FunctionalInterface
public interface BatchModel {

	/** The target output of each row, in order. */
	double[] evaluate(double[][] rows);

}
