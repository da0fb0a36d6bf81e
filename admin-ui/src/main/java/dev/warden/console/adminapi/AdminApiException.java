package dev.warden.console.adminapi;

/**
 * platform-api could not be reached or did not answer as expected; the message is fit to
 * show to the user.
 */
public class AdminApiException extends RuntimeException {

	AdminApiException(String message, Throwable cause) {
		super(message, cause);
	}

}
