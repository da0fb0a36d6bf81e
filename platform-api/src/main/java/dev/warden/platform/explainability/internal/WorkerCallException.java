package dev.warden.platform.explainability.internal;

/**
 * A worker answered a call of a report job or of a single explanation with an error, or
 * with an answer that does not fit the request. The message is client-safe and says what
 * the worker said.
 */
public class WorkerCallException extends RuntimeException {

	private final int status;

	public WorkerCallException(int status, String message) {
		super(message);
		this.status = status;
	}

	/** The worker's HTTP status (502 when the answer itself was unusable). */
	public int status() {
		return this.status;
	}

}
