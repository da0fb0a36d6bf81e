package dev.warden.platform.audit;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import dev.warden.platform.audit.AuditChainVerifier.BrokenLink;
import dev.warden.platform.audit.AuditChainVerifier.Result;
import dev.warden.platform.crypto.SigningKeys;
import dev.warden.platform.system.DatabaseTls;

/**
 * Offline verification of the audit trail:
 * {@code verify-audit --jdbc-url URL [--user U] [--password P]
 * [--public-key FILE]}. Needs only the database and the public keyset (no master key, no
 * private key, no running gateway). Prints the result and exits 0 when the chain is
 * intact, 1 at the first broken link, 2 on a usage or connection error. The password may
 * also come from {@code WARDEN_DB_PASSWORD} or {@code PGPASSWORD}; TLS to the database
 * follows the gateway's {@code WARDEN_DB_SSL*} variables and defaults
 * ({@link DatabaseTls}).
 */
public final class VerifyAuditCommand {

	static final String USAGE = """
			usage: verify-audit --jdbc-url URL [--user USER] [--password PASSWORD] [--public-key FILE]
			  --jdbc-url    JDBC URL of Warden's database, e.g. jdbc:postgresql://localhost:5432/warden
			  --user        database user (default: WARDEN_DB_USER, else none)
			  --password    database password (default: WARDEN_DB_PASSWORD, else PGPASSWORD)
			  --public-key  Tink JSON public keyset (default: data/signing-public-key.json, or
			                <WARDEN_DATA_DIR>/signing-public-key.json)
			TLS to the database: WARDEN_DB_SSLMODE, WARDEN_DB_SSLROOTCERT, WARDEN_DB_SSLCERT, WARDEN_DB_SSLKEY
			(as for the gateway; default verify-full for a server not on a loopback address)
			exit status: 0 intact, 1 broken (the first broken link is printed), 2 usage or connection error
			""";

	private VerifyAuditCommand() {
	}

	public static void main(String[] args) {
		System.exit(run(args, System.getenv(), System.out, System.err));
	}

	static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
		Map<String, String> options = new LinkedHashMap<>();
		int start = (args.length > 0 && args[0].equals("verify-audit")) ? 1 : 0;
		for (int i = start; i < args.length; i++) {
			String arg = args[i];
			if (arg.equals("--help") || arg.equals("-h")) {
				out.print(USAGE);
				return 0;
			}
			if (!arg.startsWith("--") || i + 1 >= args.length) {
				err.println("verify-audit: unexpected argument '" + arg + "'");
				err.print(USAGE);
				return 2;
			}
			String name = arg.substring(2);
			if (!Map.of("jdbc-url", 1, "user", 1, "password", 1, "public-key", 1).containsKey(name)) {
				err.println("verify-audit: unknown option '" + arg + "'");
				err.print(USAGE);
				return 2;
			}
			options.put(name, args[++i]);
		}
		String url = options.get("jdbc-url");
		if (url == null || url.isBlank()) {
			err.println("verify-audit: --jdbc-url is required");
			err.print(USAGE);
			return 2;
		}
		Path keyFile = Path.of(options.getOrDefault("public-key",
				Path.of(env.getOrDefault("WARDEN_DATA_DIR", "data"), "signing-public-key.json").toString()));
		String publicKeyset;
		try {
			publicKeyset = Files.readString(keyFile, StandardCharsets.UTF_8);
		}
		catch (Exception ex) {
			err.println("verify-audit: cannot read the public keyset " + keyFile + ": " + ex.getMessage());
			return 2;
		}
		Properties connectionProperties = new Properties();
		String user = options.getOrDefault("user", env.get("WARDEN_DB_USER"));
		String password = options.getOrDefault("password",
				env.getOrDefault("WARDEN_DB_PASSWORD", env.get("PGPASSWORD")));
		if (user != null && !user.isBlank()) {
			connectionProperties.setProperty("user", user);
		}
		if (password != null && !password.isBlank()) {
			connectionProperties.setProperty("password", password);
		}
		// the gateway's TLS settings (WARDEN_DB_SSLMODE, WARDEN_DB_SSLROOTCERT,
		// WARDEN_DB_SSLCERT, WARDEN_DB_SSLKEY) and defaults: verify-full for a server not
		// on a loopback address unless the URL says otherwise
		try {
			connectionProperties
				.putAll(DatabaseTls.resolve(url, DatabaseTls.Settings.fromEnvironment(env)).connectionProperties());
		}
		catch (IllegalArgumentException ex) {
			err.println("verify-audit: " + ex.getMessage());
			return 2;
		}
		Result result;
		try (Connection connection = DriverManager.getConnection(url, connectionProperties)) {
			result = new AuditChainVerifier(SigningKeys.verifier(publicKeyset)).verify(connection);
		}
		catch (Exception ex) {
			err.println("verify-audit: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
			return 2;
		}
		if (result.valid()) {
			out.printf("OK: %d events (head %d) and %d signed digests verified%n", result.eventsChecked(),
					result.headSeq(), result.digestsChecked());
			return 0;
		}
		BrokenLink link = result.firstBrokenLink();
		out.printf("BROKEN at sequence %d: %s%s%n  %s%n", link.seq(), link.problem(),
				(link.digest() != null) ? " (digest " + link.digest() + ")" : "", link.message());
		return 1;
	}

}
