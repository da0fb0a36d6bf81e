package dev.warden.platform.system;

import java.util.Locale;

/**
 * The external PostgreSQL could not be reached, verified or logged in to at start-up, or
 * its settings do not allow a connection to be tried. The message is one sentence naming
 * the server, the TLS mode in force and what failed; {@link #action()} says what to
 * check. Reported by {@link DatabaseConnectionFailureAnalyzer} instead of a stack trace.
 */
class DatabaseConnectionException extends RuntimeException {

	private final String action;

	DatabaseConnectionException(String jdbcUrl, String username, DatabaseTls.Resolution tls, Throwable cause) {
		super(message(jdbcUrl, username, tls, cause), cause);
		this.action = action(tls, cause);
	}

	/** Settings that do not allow a connection to be tried at all. */
	DatabaseConnectionException(IllegalArgumentException badSettings) {
		super("Cannot connect to PostgreSQL: " + badSettings.getMessage(), badSettings);
		this.action = "Correct the warden.database.* settings (WARDEN_DB_*), see docs/configuration.md.";
	}

	String action() {
		return this.action;
	}

	/** The deepest cause, as {@code Type: message}, when it adds to the message. */
	String rootCause() {
		Throwable root = getCause();
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root == getCause()) ? "" : root.getClass().getName() + ": " + root.getMessage();
	}

	private static String message(String jdbcUrl, String username, DatabaseTls.Resolution tls, Throwable cause) {
		String tlsPart = tls.sslMode().isEmpty() ? "sslmode: the driver's default (prefer)"
				: "sslmode=" + tls.sslMode() + " from " + tls.origin();
		if (tls.verifies()) {
			tlsPart += ", CA " + (tls.rootCert().isEmpty() ? "the driver's default file" : tls.rootCert());
		}
		return "Cannot connect to PostgreSQL at " + String.join(",", tls.servers()) + " as "
				+ ((username != null) ? username : "(no user)") + " (" + tlsPart + "): " + cause.getMessage();
	}

	private static String action(DatabaseTls.Resolution tls, Throwable cause) {
		StringBuilder all = new StringBuilder();
		for (Throwable t = cause; t != null && all.length() < 10_000; t = t.getCause()) {
			all.append(t.getMessage()).append('\n');
			if (t.getCause() == t) {
				break;
			}
		}
		String text = all.toString().toLowerCase(Locale.ROOT);
		if (text.contains("hostnameverifier") || text.contains("no subject alternative")) {
			return "The server's certificate does not name the host of warden.database.url (WARDEN_DB_URL) in its "
					+ "subject alternative names: connect by a name the certificate holds, or have it reissued "
					+ "for this name. sslmode=verify-ca checks the issuer only (not recommended).";
		}
		if (text.contains("root certificate file")) {
			return "Set warden.database.ssl-root-cert (WARDEN_DB_SSLROOTCERT) to the PEM file of the CA that "
					+ "issued the server's certificate (see docs/configuration.md, PostgreSQL over TLS).";
		}
		if (text.contains("client certificate")) {
			return "The server requires a client certificate for this user: set warden.database.ssl-cert and "
					+ "warden.database.ssl-key (WARDEN_DB_SSLCERT, WARDEN_DB_SSLKEY) to one issued by the CA in its "
					+ "ssl_ca_file, for the user's name.";
		}
		if (text.contains("certificate expired") || text.contains("notafter") || text.contains("not yet valid")) {
			return "The server's certificate has expired or is not valid yet: have it renewed.";
		}
		if (text.contains("certification path") || text.contains("pkix")) {
			return "The server's certificate was not issued by a CA in "
					+ (tls.rootCert().isEmpty() ? "the driver's default CA file" : tls.rootCert())
					+ ": set warden.database.ssl-root-cert (WARDEN_DB_SSLROOTCERT) to the CA that issued it.";
		}
		if (text.contains("does not support ssl")) {
			return "The server does not offer TLS: turn ssl on in its postgresql.conf, or, on a private network "
					+ "only, set WARDEN_DB_SSLMODE=disable.";
		}
		return "Check warden.database.url (WARDEN_DB_URL), the credentials and that the server is running and "
				+ "reachable from this host.";
	}

}
