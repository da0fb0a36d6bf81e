package dev.warden.worker.explain;

/**
 * A request the explainers cannot answer because of what it asks for (an unknown or
 * unsupported method, a parameter out of range, a baseline that does not fit the model):
 * a client error, answered 400 with this message, which names the parameter.
 */
public class ExplanationException extends RuntimeException {

	public ExplanationException(String message) {
		super(message);
	}

}
