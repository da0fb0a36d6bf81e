package dev.warden.worker.serving;

import org.springframework.http.HttpStatus;

/**
 * A client error with its HTTP status and snake_case error code; the message is shown to
 * the client as is.
 */
class ApiException extends RuntimeException {

	private final HttpStatus status;

	private final String code;

	ApiException(HttpStatus status, String code, String message) {
		super(message);
		this.status = status;
		this.code = code;
	}

	static ApiException invalidArgument(String message) {
		return new ApiException(HttpStatus.BAD_REQUEST, "invalid_argument", message);
	}

	static ApiException modelNotFound(String message) {
		return new ApiException(HttpStatus.NOT_FOUND, "model_not_found", message);
	}

	HttpStatus status() {
		return status;
	}

	String code() {
		return code;
	}

}
