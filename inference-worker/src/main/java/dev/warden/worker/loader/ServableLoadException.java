package dev.warden.worker.loader;

/**
 * A version could not be loaded or failed its warm-up call; the message is safe to show
 * to operators.
 */
public class ServableLoadException extends RuntimeException {

	public ServableLoadException(String message, Throwable cause) {
		super(message, cause);
	}

}
