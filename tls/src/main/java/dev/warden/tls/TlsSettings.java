package dev.warden.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.core.env.Environment;

/**
 * The {@code warden.tls.*} settings of one process.
 *
 * @param certificate PEM file with this process's certificate chain, leaf first
 * ({@code WARDEN_TLS_CERT}); with {@code privateKey} it turns HTTPS on
 * @param privateKey PEM file with its private key ({@code WARDEN_TLS_KEY})
 * @param privateKeyPassword password of an encrypted PEM key, or {@code null}
 * @param keystore PKCS#12 file with the key and certificate chain, instead of the two PEM
 * files ({@code WARDEN_TLS_KEYSTORE})
 * @param keystorePassword its password ({@code WARDEN_TLS_KEYSTORE_PASSWORD})
 * @param ca PEM file of the CA certificates of Warden's own processes
 * ({@code WARDEN_TLS_CA}): trusted for outgoing connections besides the JDK's CAs, and
 * the CA a client certificate must chain to
 * @param clientAuth whether the server asks for a client certificate: {@code none},
 * {@code want} or {@code need} ({@code WARDEN_TLS_CLIENT_AUTH}); only with a CA
 * @param httpPort a plain-HTTP port that only redirects to HTTPS, or {@code null} for no
 * plain HTTP at all ({@code WARDEN_TLS_HTTP_PORT})
 * @param protocols the TLS versions offered
 * @param ciphers the TLS 1.2 cipher suites offered (TLS 1.3's are all strong)
 */
public record TlsSettings(Path certificate, Path privateKey, String privateKeyPassword, Path keystore,
		String keystorePassword, Path ca, ClientAuth clientAuth, Integer httpPort, List<String> protocols,
		List<String> ciphers) {

	/** TLS 1.3 first, TLS 1.2 for older clients; nothing older. */
	public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

	/**
	 * TLS 1.3's suites and, for TLS 1.2, only forward-secret AEAD suites (ECDHE with
	 * AES-GCM or ChaCha20-Poly1305), the "intermediate" choice of the usual server
	 * guides.
	 */
	public static final List<String> DEFAULT_CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

	/** Whether and how the server asks for a client certificate. */
	public enum ClientAuth {

		/** never asks */
		NONE,
		/** asks; a client without one is still served */
		WANT,
		/** refuses the handshake of a client without a certificate from the CA */
		NEED

	}

	/**
	 * Reads the settings from the environment.
	 * @throws IllegalArgumentException when they contradict each other or name a file
	 * that cannot be read, with a message that says which
	 */
	public static TlsSettings from(Environment environment) {
		Path certificate = path(environment, "warden.tls.certificate");
		Path privateKey = path(environment, "warden.tls.private-key");
		Path keystore = path(environment, "warden.tls.keystore");
		Path ca = path(environment, "warden.tls.ca");
		String clientAuth = text(environment, "warden.tls.client-auth");
		String httpPort = text(environment, "warden.tls.http-port");
		List<String> protocols = list(environment, "warden.tls.protocols", DEFAULT_PROTOCOLS);
		List<String> ciphers = list(environment, "warden.tls.ciphers", DEFAULT_CIPHERS);
		TlsSettings settings = new TlsSettings(certificate, privateKey,
				text(environment, "warden.tls.private-key-password"), keystore,
				text(environment, "warden.tls.keystore-password"), ca, parseClientAuth(clientAuth), parsePort(httpPort),
				protocols, ciphers);
		settings.validate();
		return settings;
	}

	/** Whether this process serves HTTPS. */
	public boolean serverEnabled() {
		return this.keystore != null || this.certificate != null;
	}

	/** Whether anything TLS-related is configured (HTTPS served or a CA trusted). */
	public boolean anyConfigured() {
		return serverEnabled() || this.ca != null;
	}

	/** The client authentication the server asks for: none without a CA. */
	public ClientAuth effectiveClientAuth() {
		return (this.ca == null || this.clientAuth == null) ? ClientAuth.NONE : this.clientAuth;
	}

	/** Every file these settings read (the ones whose change means a reload). */
	public List<Path> files() {
		List<Path> files = new ArrayList<>();
		for (Path file : new Path[] { this.certificate, this.privateKey, this.keystore, this.ca }) {
			if (file != null) {
				files.add(file);
			}
		}
		return files;
	}

	private void validate() {
		if (this.keystore != null && (this.certificate != null || this.privateKey != null)) {
			throw new IllegalArgumentException("warden.tls: set either warden.tls.keystore (WARDEN_TLS_KEYSTORE) or "
					+ "warden.tls.certificate and warden.tls.private-key (WARDEN_TLS_CERT, WARDEN_TLS_KEY), not both");
		}
		if ((this.certificate == null) != (this.privateKey == null)) {
			throw new IllegalArgumentException("warden.tls: " + ((this.certificate == null)
					? "warden.tls.private-key (WARDEN_TLS_KEY) is set without warden.tls.certificate (WARDEN_TLS_CERT)"
					: "warden.tls.certificate (WARDEN_TLS_CERT) is set without warden.tls.private-key (WARDEN_TLS_KEY)"));
		}
		if (this.httpPort != null && !serverEnabled()) {
			throw new IllegalArgumentException("warden.tls.http-port (WARDEN_TLS_HTTP_PORT) redirects to HTTPS, "
					+ "but no certificate is configured (WARDEN_TLS_CERT and WARDEN_TLS_KEY, or WARDEN_TLS_KEYSTORE)");
		}
		for (Path file : files()) {
			if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
				throw new IllegalArgumentException("warden.tls: cannot read " + file
						+ " (a certificate, key or CA file named by the warden.tls settings)");
			}
		}
	}

	private static Path path(Environment environment, String name) {
		String value = text(environment, name);
		return (value == null) ? null
				: Path.of(value.startsWith("file:") ? value.substring(5) : value).toAbsolutePath();
	}

	private static String text(Environment environment, String name) {
		String value = environment.getProperty(name);
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	private static List<String> list(Environment environment, String name, List<String> defaults) {
		String value = text(environment, name);
		if (value == null) {
			return defaults;
		}
		List<String> items = new ArrayList<>();
		for (String item : value.split(",")) {
			if (!item.isBlank()) {
				items.add(item.trim());
			}
		}
		return List.copyOf(items);
	}

	private static ClientAuth parseClientAuth(String value) {
		if (value == null) {
			return null;
		}
		try {
			return ClientAuth.valueOf(value.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"warden.tls.client-auth (WARDEN_TLS_CLIENT_AUTH) must be none, want or need, not '" + value + "'");
		}
	}

	private static Integer parsePort(String value) {
		if (value == null) {
			return null;
		}
		try {
			int port = Integer.parseInt(value);
			if (port > 0 && port < 65536) {
				return port;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException(
				"warden.tls.http-port (WARDEN_TLS_HTTP_PORT) must be a port number (1-65535), not '" + value + "'");
	}

}
