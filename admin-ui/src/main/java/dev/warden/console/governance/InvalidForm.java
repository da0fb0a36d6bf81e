package dev.warden.console.governance;

/**
 * A form of a governance page cannot be sent as it is; the message says why, fit for the
 * page. Nothing is sent to platform-api.
 */
final class InvalidForm extends RuntimeException {

	InvalidForm(String message) {
		super(message);
	}

}
