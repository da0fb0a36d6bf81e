package dev.warden.console.adminapi;

import tools.jackson.databind.JsonNode;

/**
 * platform-api could not be reached or did not answer as expected; the message is fit to
 * show to the user.
 */
public class AdminApiException extends RuntimeException {

	private final int status;

	private final String code;

	private final String platformMessage;

	private final transient JsonNode body;

	AdminApiException(String message, Throwable cause) {
		this(message, cause, 0, null, null, null);
	}

	AdminApiException(String message, Throwable cause, int status, String code, String platformMessage, JsonNode body) {
		super(message, cause);
		this.status = status;
		this.code = code;
		this.platformMessage = platformMessage;
		this.body = body;
	}

	/**
	 * The HTTP status platform-api answered, or 0 when there was no answer (unreachable,
	 * no token, unreadable answer).
	 */
	public int status() {
		return this.status;
	}

	/** Whether platform-api answered with a 4xx status: the request, not the platform. */
	public boolean isClientError() {
		return this.status >= 400 && this.status < 500;
	}

	/** The {@code error.code} of platform-api's error body, or null. */
	public String code() {
		return this.code;
	}

	/**
	 * The {@code error.message} of platform-api's error body as sent, or null: for
	 * example the name of the bad row and column of an upload.
	 */
	public String platformMessage() {
		return this.platformMessage;
	}

	/**
	 * The query parameter platform-api's refusal names at the start of its message
	 * ({@code status: must be ...}, or {@code query parameter 'model': must be ...} from
	 * its rule for every text parameter), or an empty string when it names none.
	 */
	public String refusedParameter() {
		String message = this.platformMessage;
		int colon = (message != null) ? message.indexOf(':') : -1;
		String parameter = (colon > 0) ? message.substring(0, colon) : "";
		if (parameter.startsWith("query parameter '") && parameter.endsWith("'")) {
			parameter = parameter.substring("query parameter '".length(), parameter.length() - 1);
		}
		return parameter;
	}

	/**
	 * platform-api's error body as sent, or null when it had none or it was not JSON:
	 * some errors carry more than the code and message, such as the failed rules of a
	 * refused promotion request.
	 */
	public JsonNode body() {
		return this.body;
	}

}
