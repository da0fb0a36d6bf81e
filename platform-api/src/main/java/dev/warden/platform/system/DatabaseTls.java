package dev.warden.platform.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.postgresql.Driver;

/**
 * How Warden's connections to an external PostgreSQL use TLS: the pgjdbc connection
 * properties derived from the JDBC URL and the {@code warden.database.ssl-*} settings
 * (environment {@code WARDEN_DB_SSLMODE}, {@code WARDEN_DB_SSLROOTCERT},
 * {@code WARDEN_DB_SSLCERT}, {@code WARDEN_DB_SSLKEY}).
 * <p>
 * Precedence, for each of {@code sslmode}, {@code sslrootcert}, {@code sslcert} and
 * {@code sslkey}: a value in the JDBC URL wins (the driver reads URL parameters over
 * connection properties; a different setting is reported as a conflict), then the
 * setting. Without either, {@code sslmode} is {@code verify-full} when any host of the
 * URL is not a loopback address, and the driver's own default ({@code prefer}) when all
 * are (a local server in development). The embedded server is not concerned: it is
 * reached on 127.0.0.1 only, without TLS.
 * <p>
 * A PEM private key ({@code sslkey} ending in {@code .pem} or {@code .key}) must be
 * PKCS#8 ({@code BEGIN PRIVATE KEY}, unencrypted), which is what the pgjdbc version in
 * use (42.7) reads; the driver assumes RSA unless told the algorithm, so the key file's
 * algorithm is read here and passed as {@code pemKeyAlgorithm}. A key file with another
 * extension is read by the driver as PKCS#8 DER, and {@code .p12}/{@code .pfx} as a
 * PKCS#12 store holding both certificate and key.
 */
public final class DatabaseTls {

	/** The values of {@code sslmode} the driver accepts, weakest first. */
	public static final List<String> MODES = List.of("disable", "allow", "prefer", "require", "verify-ca",
			"verify-full");

	/** The default for a server that is not on a loopback address. */
	public static final String EXTERNAL_DEFAULT_MODE = "verify-full";

	private DatabaseTls() {
	}

	/**
	 * The TLS settings, each empty when not set.
	 *
	 * @param sslMode {@code warden.database.ssl-mode}
	 * @param rootCert {@code warden.database.ssl-root-cert}: PEM file of the CA(s) the
	 * server's certificate must chain to
	 * @param cert {@code warden.database.ssl-cert}: PEM file of the client certificate
	 * @param key {@code warden.database.ssl-key}: its private key
	 */
	public record Settings(String sslMode, String rootCert, String cert, String key) {

		public Settings {
			sslMode = trim(sslMode).toLowerCase(Locale.ROOT);
			rootCert = trim(rootCert);
			cert = trim(cert);
			key = trim(key);
			if (!sslMode.isEmpty() && !MODES.contains(sslMode)) {
				throw new IllegalArgumentException("warden.database.ssl-mode (WARDEN_DB_SSLMODE) is '" + sslMode
						+ "'; expected one of " + String.join(", ", MODES));
			}
			if (cert.isEmpty() != key.isEmpty() && !key.toLowerCase(Locale.ROOT).endsWith(".p12")
					&& !key.toLowerCase(Locale.ROOT).endsWith(".pfx")) {
				throw new IllegalArgumentException("warden.database.ssl-cert (WARDEN_DB_SSLCERT) and "
						+ "warden.database.ssl-key (WARDEN_DB_SSLKEY) are set together (or ssl-key alone to a "
						+ "PKCS#12 .p12/.pfx file)");
			}
		}

		public static Settings none() {
			return new Settings("", "", "", "");
		}

		/**
		 * The settings from the environment variables, for tools that run outside Spring
		 * (e.g. {@code verify-audit}).
		 */
		public static Settings fromEnvironment(Map<String, String> env) {
			return new Settings(env.get("WARDEN_DB_SSLMODE"), env.get("WARDEN_DB_SSLROOTCERT"),
					env.get("WARDEN_DB_SSLCERT"), env.get("WARDEN_DB_SSLKEY"));
		}

		private static String trim(String value) {
			return (value != null) ? value.trim() : "";
		}

	}

	/**
	 * The outcome for one JDBC URL.
	 *
	 * @param hosts the URL's hosts (several for a multi-host URL)
	 * @param servers the same as {@code host:port}, for messages
	 * @param sslMode the mode connections use; empty = the driver's default
	 * ({@code prefer})
	 * @param origin where {@code sslMode} comes from, for the log
	 * @param rootCert the CA file in effect (URL or setting); empty = the driver's
	 * default
	 * @param properties connection properties to add to every connection (the URL's own
	 * parameters are not repeated: the driver reads them itself)
	 * @param conflicts settings overridden by the URL, one sentence each
	 * @param pemKeyFile the client key file given by the setting, whose algorithm
	 * {@link #connectionProperties} reads for the driver; empty = none
	 */
	public record Resolution(List<String> hosts, List<String> servers, String sslMode, String origin, String rootCert,
			Properties properties, List<String> conflicts, String pemKeyFile) {

		/**
		 * {@link #properties} plus, for a PEM client key given by the setting (and no
		 * {@code pemKeyAlgorithm} in the URL), the key's algorithm read from the file.
		 * @throws IllegalArgumentException if that key file is unreadable or not PKCS#8
		 */
		public Properties connectionProperties() {
			Properties all = new Properties();
			all.putAll(this.properties);
			if (!this.pemKeyFile.isEmpty()) {
				String algorithm = keyAlgorithm(this.pemKeyFile);
				if (!algorithm.isEmpty()) {
					all.setProperty("pemKeyAlgorithm", algorithm);
				}
			}
			return all;
		}

		/** Whether the server's certificate is checked against a CA. */
		public boolean verifies() {
			return this.sslMode.startsWith("verify-");
		}

		/** One line for the start-up log. */
		public String describe() {
			String mode = this.sslMode.isEmpty() ? "the driver's default (prefer)" : this.sslMode;
			return "External PostgreSQL at " + String.join(",", this.servers) + ": sslmode " + mode + " (" + this.origin
					+ ")" + (verifies()
							? ", CA " + (this.rootCert.isEmpty() ? "the driver's default file" : this.rootCert) : "");
		}

	}

	/**
	 * The connection properties for {@code jdbcUrl} under {@code settings}; reads nothing
	 * but the URL (see {@link #keyAlgorithm} for the one file-dependent property).
	 * @throws IllegalArgumentException if {@code jdbcUrl} is not a PostgreSQL JDBC URL
	 */
	public static Resolution resolve(String jdbcUrl, Settings settings) {
		Properties url = Driver.parseURL(jdbcUrl, null);
		if (url == null) {
			throw new IllegalArgumentException("warden.database.url (WARDEN_DB_URL) is not a PostgreSQL JDBC URL "
					+ "(jdbc:postgresql://host:port/database)");
		}
		List<String> hosts = Arrays.stream(url.getProperty("PGHOST", "localhost").split(","))
			.map(String::trim)
			.toList();
		List<String> ports = Arrays.stream(url.getProperty("PGPORT", "5432").split(",")).map(String::trim).toList();
		List<String> servers = new ArrayList<>();
		for (int i = 0; i < hosts.size(); i++) {
			servers.add(hosts.get(i) + ":" + ports.get(Math.min(i, ports.size() - 1)));
		}
		Properties properties = new Properties();
		List<String> conflicts = new ArrayList<>();
		String mode;
		String origin;
		String urlMode = url.getProperty("sslmode");
		String urlSsl = url.getProperty("ssl");
		if (urlMode != null) {
			mode = urlMode.toLowerCase(Locale.ROOT);
			origin = "sslmode in the JDBC URL";
			if (!settings.sslMode().isEmpty() && !settings.sslMode().equals(mode)) {
				conflicts.add("sslmode=" + mode + " in the JDBC URL wins over warden.database.ssl-mode="
						+ settings.sslMode());
			}
		}
		else if (urlSsl != null) {
			// the driver's legacy switch: ssl=true alone means verify-full
			mode = "false".equalsIgnoreCase(urlSsl) ? "" : "verify-full";
			origin = "ssl=" + urlSsl + " in the JDBC URL";
			if (!settings.sslMode().isEmpty()) {
				conflicts
					.add("ssl=" + urlSsl + " in the JDBC URL wins over warden.database.ssl-mode=" + settings.sslMode());
			}
		}
		else if (!settings.sslMode().isEmpty()) {
			mode = settings.sslMode();
			origin = "warden.database.ssl-mode";
			properties.setProperty("sslmode", mode);
		}
		else {
			mode = defaultMode(hosts);
			origin = mode.isEmpty() ? "loopback host: the driver's default"
					: "default for a server not on a loopback address";
			if (!mode.isEmpty()) {
				properties.setProperty("sslmode", mode);
			}
		}
		String rootCert = file(url, "sslrootcert", "ssl-root-cert", settings.rootCert(), properties, conflicts);
		file(url, "sslcert", "ssl-cert", settings.cert(), properties, conflicts);
		String key = file(url, "sslkey", "ssl-key", settings.key(), properties, conflicts);
		String pemKeyFile = (url.getProperty("sslkey") == null && url.getProperty("pemKeyAlgorithm") == null) ? key
				: "";
		return new Resolution(hosts, List.copyOf(servers), mode, origin, rootCert, properties, List.copyOf(conflicts),
				pemKeyFile);
	}

	private static String file(Properties url, String name, String setting, String value, Properties properties,
			List<String> conflicts) {
		String inUrl = url.getProperty(name);
		if (inUrl != null) {
			if (!value.isEmpty() && !value.equals(inUrl)) {
				conflicts.add(name + " in the JDBC URL wins over warden.database." + setting + "=" + value);
			}
			return inUrl;
		}
		if (!value.isEmpty()) {
			properties.setProperty(name, value);
		}
		return value;
	}

	/**
	 * The {@code sslmode} used when neither the URL nor the setting gives one:
	 * {@value #EXTERNAL_DEFAULT_MODE} if any host is not a loopback address, otherwise
	 * empty (the driver's default).
	 */
	public static String defaultMode(List<String> hosts) {
		return hosts.stream().allMatch(DatabaseTls::loopback) ? "" : EXTERNAL_DEFAULT_MODE;
	}

	/**
	 * Whether {@code host} names this machine's loopback interface, judged from the text
	 * alone (no name is looked up): {@code localhost} and names under it
	 * ({@code *.localhost}), 127.0.0.0/8, {@code ::1} (with or without brackets) and
	 * IPv4-mapped 127.x addresses.
	 */
	public static boolean loopback(String host) {
		String h = host.trim().toLowerCase(Locale.ROOT);
		if (h.startsWith("[") && h.endsWith("]")) {
			h = h.substring(1, h.length() - 1);
		}
		if (h.endsWith(".")) {
			h = h.substring(0, h.length() - 1);
		}
		if (h.equals("localhost") || h.endsWith(".localhost")) {
			return true;
		}
		if (!literalAddress(h)) {
			return false;
		}
		try {
			// a literal: parsed, never looked up
			return InetAddress.getByName(h).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static boolean literalAddress(String host) {
		if (host.contains(":")) {
			return host.chars().allMatch((c) -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
		}
		String[] parts = host.split("\\.", -1);
		return parts.length == 4 && Arrays.stream(parts)
			.allMatch((p) -> !p.isEmpty() && p.length() <= 3 && p.chars().allMatch(Character::isDigit));
	}

	/**
	 * The {@code pemKeyAlgorithm} the driver needs for a PEM client key ({@code .pem} or
	 * {@code .key}): the algorithm of the PKCS#8 key in the file ({@code RSA}, {@code EC}
	 * …); empty for any other file name (DER or PKCS#12, which carry their algorithm).
	 * @throws IllegalArgumentException if the file cannot be read or is not an
	 * unencrypted PKCS#8 PEM key
	 */
	public static String keyAlgorithm(String keyFile) {
		String lower = keyFile.toLowerCase(Locale.ROOT);
		if (!lower.endsWith(".pem") && !lower.endsWith(".key")) {
			return "";
		}
		String pem;
		try {
			pem = Files.readString(Path.of(keyFile), StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot read the PostgreSQL client key " + keyFile + ": " + ex, ex);
		}
		int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
		int end = pem.indexOf("-----END PRIVATE KEY-----");
		if (begin < 0 || end < begin) {
			throw new IllegalArgumentException("The PostgreSQL client key " + keyFile
					+ " is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY), the only PEM form the driver "
					+ "reads; convert it with: openssl pkcs8 -topk8 -nocrypt -in <key> -out <key>.pem");
		}
		byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
		try {
			for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
				try {
					KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
					return algorithm;
				}
				catch (GeneralSecurityException | RuntimeException notThisOne) {
					// next
				}
			}
		}
		finally {
			// nothing kept: the driver reads the file itself
			Arrays.fill(der, (byte) 0);
		}
		throw new IllegalArgumentException(
				"The PostgreSQL client key " + keyFile + " is PKCS#8 of an algorithm this JVM cannot read");
	}

}
