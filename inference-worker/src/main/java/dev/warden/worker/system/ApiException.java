package dev.warden.worker.system;

import org.springframework.http.HttpStatus;

/**
 * A client error with its HTTP status and snake_case error code; the message is shown to
 * the client as is. Mapped once, by {@link ApiExceptionHandler}, to the error JSON
 * {@code {"error":{"code","message","request_id"}}}.
 */
public class ApiException extends RuntimeException {

	private final HttpStatus status;

	private final String code;

	public ApiException(HttpStatus status, String code, String message) {
		super(message);
		this.status = status;
		this.code = code;
	}

	public static ApiException invalidArgument(String message) {
		return new ApiException(HttpStatus.BAD_REQUEST, "invalid_argument", message);
	}

	public static ApiException modelNotFound(String message) {
		return new ApiException(HttpStatus.NOT_FOUND, "model_not_found", message);
	}

	public HttpStatus status() {
		return status;
	}

	public String code() {
		return code;
	}

}
