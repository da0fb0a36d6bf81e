package dev.warden.platform.system;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.warden.tls.LocalCertificateAuthority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Resolution of the TLS settings of an external PostgreSQL ({@link DatabaseTls}): no
 * server involved.
 */
class DatabaseTlsTests {

	@Test
	void loopbackIsJudgedFromTheTextAlone() {
		assertThat(List.of("localhost", "LOCALHOST", "db.localhost", "localhost.", "127.0.0.1", "127.5.6.7", "::1",
				"[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"))
			.allSatisfy((host) -> assertThat(DatabaseTls.loopback(host)).as(host).isTrue());
		assertThat(List.of("db.example", "10.0.0.5", "192.168.1.2", "::2", "[2001:db8::1]", "localhost.example",
				"mylocalhost", "127.0.0.1.nip.io", "0.0.0.0", "postgres"))
			.allSatisfy((host) -> assertThat(DatabaseTls.loopback(host)).as(host).isFalse());
	}

	@Test
	void theDefaultIsVerifyFullUnlessEveryHostIsLoopback() {
		assertThat(DatabaseTls.defaultMode(List.of("db.example"))).isEqualTo("verify-full");
		assertThat(DatabaseTls.defaultMode(List.of("localhost", "db.example"))).isEqualTo("verify-full");
		assertThat(DatabaseTls.defaultMode(List.of("localhost", "127.0.0.1"))).isEmpty();
	}

	@Test
	void anExternalHostGetsVerifyFullAndTheCaFromTheSettings() {
		DatabaseTls.Resolution tls = DatabaseTls.resolve("jdbc:postgresql://db.example:5432/warden",
				new DatabaseTls.Settings("", "/etc/warden/db-ca.pem", "", ""));
		assertThat(tls.hosts()).containsExactly("db.example");
		assertThat(tls.sslMode()).isEqualTo("verify-full");
		assertThat(tls.verifies()).isTrue();
		assertThat(tls.properties()).containsEntry("sslmode", "verify-full")
			.containsEntry("sslrootcert", "/etc/warden/db-ca.pem");
		assertThat(tls.conflicts()).isEmpty();
		assertThat(tls.servers()).containsExactly("db.example:5432");
		assertThat(tls.describe()).contains("db.example:5432")
			.contains("verify-full")
			.contains("/etc/warden/db-ca.pem");
	}

	@Test
	void aLoopbackHostKeepsTheDriversDefault() {
		DatabaseTls.Resolution tls = DatabaseTls.resolve("jdbc:postgresql://127.0.0.1:5432/warden",
				DatabaseTls.Settings.none());
		assertThat(tls.sslMode()).isEmpty();
		assertThat(tls.properties()).doesNotContainKey("sslmode");
	}

	@Test
	void aMultiHostUrlWithOneExternalHostIsVerified() {
		DatabaseTls.Resolution tls = DatabaseTls.resolve("jdbc:postgresql://localhost:5432,db2.example:5433/warden",
				DatabaseTls.Settings.none());
		assertThat(tls.hosts()).containsExactly("localhost", "db2.example");
		assertThat(tls.servers()).containsExactly("localhost:5432", "db2.example:5433");
		assertThat(tls.properties()).containsEntry("sslmode", "verify-full");
	}

	@Test
	void theSettingWinsOverTheDefault() {
		DatabaseTls.Resolution tls = DatabaseTls.resolve("jdbc:postgresql://postgres:5432/warden",
				new DatabaseTls.Settings("DISABLE", "", "", ""));
		assertThat(tls.sslMode()).isEqualTo("disable");
		assertThat(tls.properties()).containsEntry("sslmode", "disable");
		assertThat(tls.verifies()).isFalse();
	}

	@Test
	void whatTheUrlSaysWinsAndAConflictingSettingIsReported() {
		DatabaseTls.Resolution tls = DatabaseTls.resolve(
				"jdbc:postgresql://db.example/warden?sslmode=require&sslrootcert=/url/ca.pem",
				new DatabaseTls.Settings("verify-full", "/setting/ca.pem", "", ""));
		assertThat(tls.sslMode()).isEqualTo("require");
		assertThat(tls.rootCert()).isEqualTo("/url/ca.pem");
		assertThat(tls.properties()).doesNotContainKeys("sslmode", "sslrootcert");
		assertThat(tls.conflicts()).containsExactly(
				"sslmode=require in the JDBC URL wins over warden.database.ssl-mode=verify-full",
				"sslrootcert in the JDBC URL wins over warden.database.ssl-root-cert=/setting/ca.pem");
		// the same value twice is no conflict
		assertThat(DatabaseTls
			.resolve("jdbc:postgresql://db.example/warden?sslmode=verify-full",
					new DatabaseTls.Settings("verify-full", "", "", ""))
			.conflicts()).isEmpty();
	}

	@Test
	void theDriversLegacySslSwitchInTheUrlAlsoWins() {
		DatabaseTls.Resolution tls = DatabaseTls.resolve("jdbc:postgresql://db.example/warden?ssl=true",
				new DatabaseTls.Settings("disable", "", "", ""));
		assertThat(tls.sslMode()).isEqualTo("verify-full");
		assertThat(tls.properties()).doesNotContainKey("sslmode");
		assertThat(tls.conflicts()).hasSize(1);
	}

	@Test
	void badSettingsAreRefusedWithTheirName() {
		assertThatThrownBy(() -> new DatabaseTls.Settings("verify_full", "", "", ""))
			.hasMessageContaining("WARDEN_DB_SSLMODE")
			.hasMessageContaining("verify-full");
		assertThatThrownBy(() -> new DatabaseTls.Settings("", "", "/client.crt", ""))
			.hasMessageContaining("WARDEN_DB_SSLKEY");
		assertThatThrownBy(() -> DatabaseTls.resolve("jdbc:mysql://db.example/warden", DatabaseTls.Settings.none()))
			.hasMessageContaining("WARDEN_DB_URL");
	}

	@Test
	void badSettingsStopTheStartWithAReportInsteadOfAStackTrace() {
		DatabaseProperties settings = new DatabaseProperties("jdbc:postgresql://db.example/warden", "warden", "", 2,
				Duration.ofSeconds(3), "", "strict", "", "", "");
		assertThatThrownBy(() -> DatabaseConfiguration.external(settings))
			.isInstanceOfSatisfying(DatabaseConnectionException.class, (ex) -> {
				FailureAnalysis analysis = new DatabaseConnectionFailureAnalyzer()
					.analyze(new IllegalStateException("bean creation failed", ex));
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).startsWith("Cannot connect to PostgreSQL: ")
					.contains("WARDEN_DB_SSLMODE")
					.contains("'strict'");
				assertThat(analysis.getAction()).contains("warden.database");
			});
	}

	@Test
	void theEnvironmentVariablesAreTheSettings() {
		DatabaseTls.Settings settings = DatabaseTls.Settings.fromEnvironment(Map.of("WARDEN_DB_SSLMODE", "verify-ca",
				"WARDEN_DB_SSLROOTCERT", "/ca.pem", "WARDEN_DB_SSLCERT", "/c.pem", "WARDEN_DB_SSLKEY", "/k.pem"));
		assertThat(settings).isEqualTo(new DatabaseTls.Settings("verify-ca", "/ca.pem", "/c.pem", "/k.pem"));
	}

	@Test
	void thePemKeyAlgorithmIsReadFromTheKeyAndOnlyPkcs8IsAccepted(@TempDir Path dir) throws Exception {
		LocalCertificateAuthority.create("ca", Duration.ofDays(1))
			.issue("someone", List.of(), Duration.ofDays(1))
			.write(dir.resolve("client.crt"), dir.resolve("client.pem"));
		DatabaseTls.Resolution tls = DatabaseTls.resolve("jdbc:postgresql://db.example/warden",
				new DatabaseTls.Settings("", "", "/client.crt", dir.resolve("client.pem").toString()));
		assertThat(tls.connectionProperties()).containsEntry("pemKeyAlgorithm", "EC")
			.containsEntry("sslkey", dir.resolve("client.pem").toString());
		assertThat(DatabaseTls.keyAlgorithm(dir.resolve("client.pk8").toString())).isEmpty();
		Files.writeString(dir.resolve("traditional.key"),
				"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
		assertThatThrownBy(() -> DatabaseTls.keyAlgorithm(dir.resolve("traditional.key").toString()))
			.hasMessageContaining("PKCS#8")
			.hasMessageContaining("openssl pkcs8 -topk8");
	}

}
