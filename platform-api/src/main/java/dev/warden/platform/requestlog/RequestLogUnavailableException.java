package dev.warden.platform.requestlog;

/**
 * A request's log record could not be committed (database unreachable, row rejected,
 * queue full, timed out) and fail-open did not release it: the caller must withhold the
 * answer.
 */
public class RequestLogUnavailableException extends RuntimeException {

	public RequestLogUnavailableException(Throwable cause) {
		super("request log unavailable: " + cause.getMessage(), cause);
	}

	public RequestLogUnavailableException(String message) {
		super(message);
	}

}
