package dev.warden.console.state;

/**
 * platform-api's console state API could not be used (not reachable, or it answered with
 * an error other than 404): the console cannot read or keep the session of this request.
 */
class ConsoleStateUnavailableException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	ConsoleStateUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
