package dev.warden.platform.system;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
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
 */
@ConfigurationProperties("warden.database")
record DatabaseProperties(@DefaultValue("") String url, @DefaultValue("") String username,
		@DefaultValue("") String password, @DefaultValue("10") int poolSize,
		@DefaultValue("3s") Duration connectionTimeout, @DefaultValue("") String embeddedBinariesDir,
		@DefaultValue("") String sslMode, @DefaultValue("") String sslRootCert, @DefaultValue("") String sslCert,
		@DefaultValue("") String sslKey) {

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
