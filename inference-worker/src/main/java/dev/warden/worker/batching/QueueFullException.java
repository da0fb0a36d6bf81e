package dev.warden.worker.batching;

/**
 * The model's batching queue is full: the request was rejected at once, without waiting.
 * Maps to HTTP 503 with {@code Retry-After} and the error code {@code overloaded}.
 */
public final class QueueFullException extends RuntimeException {

	private final int retryAfterSeconds;

	QueueFullException(String model, int capacity, int retryAfterSeconds) {
		super("model " + model + " is overloaded: its queue of " + capacity + " requests is full; retry later");
		this.retryAfterSeconds = retryAfterSeconds;
	}

	/** Seconds a client should wait before retrying (the {@code Retry-After} header). */
	public int retryAfterSeconds() {
		return retryAfterSeconds;
	}

}
