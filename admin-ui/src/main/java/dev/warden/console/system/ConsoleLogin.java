package dev.warden.console.system;

/**
 * Names other modules need to act on behalf of the signed-in console user, or of the
 * console itself.
 */
public final class ConsoleLogin {

	/**
	 * The OAuth2 client registration the console signs in with and calls platform-api
	 * with.
	 */
	public static final String REGISTRATION_ID = "warden";

	/**
	 * The OAuth2 client registration (client credentials of the console's own client, no
	 * user) the console reports failed sign-ins at the embedded authorization server
	 * with; present only when that server runs.
	 */
	public static final String SIGN_IN_AUDIT_REGISTRATION_ID = "warden-sign-in-audit";

	/** The scope platform-api requires to record failed sign-ins and lock-outs. */
	public static final String SIGN_IN_AUDIT_SCOPE = "warden.audit.sign-in";

	private ConsoleLogin() {
	}

}
