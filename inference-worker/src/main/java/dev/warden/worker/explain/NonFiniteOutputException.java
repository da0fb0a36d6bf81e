package dev.warden.worker.explain;

/**
 * The model answered NaN or an infinity on a row an explainer built (a point on a path, a
 * mixed row of input and background): the explanation cannot be computed. Answered as a
 * client error, because the rows are built from what the client sent.
 */
public class NonFiniteOutputException extends ExplanationException {

	public NonFiniteOutputException(String message) {
		super(message);
	}

}
