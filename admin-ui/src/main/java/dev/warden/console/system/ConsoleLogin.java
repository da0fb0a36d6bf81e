package dev.warden.console.system;

/** Names other modules need to act on behalf of the signed-in console user. */
public final class ConsoleLogin {

	/** The OAuth2 client registration the console signs in with and calls platform-api with. */
	public static final String REGISTRATION_ID = "warden";

	private ConsoleLogin() {
	}

}
