package dev.warden.platform.system;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Database settings ({@code warden.database.*}). An empty {@code url} means: start the
 * embedded PostgreSQL under {@code <data dir>/postgres}.
 *
 * @param url JDBC URL of an external PostgreSQL; empty = the embedded one
 * @param username user of the external PostgreSQL (the embedded one is reached as its
 * application role)
 * @param password password of the external PostgreSQL (the embedded one's are generated)
 * @param poolSize connection pool size
 * @param connectionTimeout how long a request waits for a pooled connection before it
 * fails
 * @param embeddedBinariesDir where the embedded PostgreSQL's binaries are unpacked (made
 * owner-only); empty = {@code <data dir>/postgres-binaries}
 * @param sslMode {@code sslmode} for an external server; empty = {@code verify-full} when
 * its host is not a loopback address, the driver's default otherwise (an {@code sslmode}
 * in {@code url} wins; see {@link DatabaseTls})
 * @param sslRootCert PEM file of the CA certificate(s) the external server's certificate
 * must chain to
 * @param sslCert PEM file of a client certificate to present (optional)
 * @param sslKey its private key: PKCS#8 PEM ({@code .pem}/{@code .key}), PKCS#8 DER, or a
 * PKCS#12 {@code .p12}/{@code .pfx}
 * @param socketTimeout longest wait for the server's answer on a connection (the JDBC
 * driver's {@code socketTimeout}): a server that stops answering without closing the
 * connection fails the statement after this long, and the pool discards the connection; 0
 * = wait for ever
 * @param connectTimeout longest time to open a connection: the TCP connect and the
 * server's log-in answer (the driver's {@code connectTimeout} and {@code loginTimeout})
 * @param validationTimeout longest check of a pooled connection before it is handed out
 * (Hikari's {@code validationTimeout}); at most {@code connectionTimeout}
 * @param longSocketTimeout the socket timeout of the few statements that may legitimately
 * run long before their first answer: schema migrations, compliance exports, audit-chain
 * verification and request-log partition maintenance; 0 = wait for ever
 * @param retryAfter the {@code Retry-After} of a 503 answered because the database did
 * not answer in time ({@code database_unavailable}, {@code log_unavailable},
 * {@code service_unavailable})
 */
@ConfigurationProperties("warden.database")
record DatabaseProperties(@DefaultValue("") String url, @DefaultValue("") String username,
		@DefaultValue("") String password, @DefaultValue("10") int poolSize,
		@DefaultValue("3s") Duration connectionTimeout, @DefaultValue("") String embeddedBinariesDir,
		@DefaultValue("") String sslMode, @DefaultValue("") String sslRootCert, @DefaultValue("") String sslCert,
		@DefaultValue("") String sslKey, @DefaultValue("5s") Duration socketTimeout,
		@DefaultValue("5s") Duration connectTimeout, @DefaultValue("1s") Duration validationTimeout,
		@DefaultValue("30m") Duration longSocketTimeout, @DefaultValue("2s") Duration retryAfter) {

	@ConstructorBinding
	DatabaseProperties {
		requireNonNegative("socket-timeout", socketTimeout);
		requireNonNegative("long-socket-timeout", longSocketTimeout);
		if (connectTimeout.isNegative() || connectTimeout.isZero()) {
			throw new IllegalArgumentException("warden.database.connect-timeout must be positive");
		}
		if (validationTimeout.compareTo(Duration.ofMillis(250)) < 0) {
			throw new IllegalArgumentException("warden.database.validation-timeout must be at least 250ms");
		}
		if (retryAfter.isNegative()) {
			throw new IllegalArgumentException("warden.database.retry-after must not be negative");
		}
	}

	/** The given connection settings with the default timeouts. */
	DatabaseProperties(String url, String username, String password, int poolSize, Duration connectionTimeout,
			String embeddedBinariesDir, String sslMode, String sslRootCert, String sslCert, String sslKey) {
		this(url, username, password, poolSize, connectionTimeout, embeddedBinariesDir, sslMode, sslRootCert, sslCert,
				sslKey, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(30),
				Duration.ofSeconds(2));
	}

	private static void requireNonNegative(String name, Duration value) {
		if (value.isNegative()) {
			throw new IllegalArgumentException("warden.database." + name + " must not be negative (0 = no limit)");
		}
	}

	/**
	 * A duration as the whole seconds the JDBC driver takes, rounded up (0 stays 0: no
	 * limit).
	 */
	static String driverSeconds(Duration duration) {
		long millis = duration.toMillis();
		return Long.toString((millis + 999) / 1000);
	}

	DatabaseTls.Settings tls() {
		return new DatabaseTls.Settings(this.sslMode, this.sslRootCert, this.sslCert, this.sslKey);
	}

	boolean external() {
		return this.url != null && !this.url.isBlank();
	}

	Path embeddedBinariesDir(Path dataDir) {
		return (this.embeddedBinariesDir == null || this.embeddedBinariesDir.isBlank())
				? dataDir.resolve("postgres-binaries") : Path.of(this.embeddedBinariesDir).toAbsolutePath();
	}

}
