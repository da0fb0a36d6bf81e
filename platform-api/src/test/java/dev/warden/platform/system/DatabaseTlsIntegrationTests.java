package dev.warden.platform.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.internal.KeyIndex;
import dev.warden.tls.LocalCertificateAuthority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The application's connections to an external PostgreSQL over TLS, against a real
 * server: a second embedded PostgreSQL with {@code ssl=on} whose certificate (SAN
 * {@code localhost} only) is issued by a CA made here. Connecting to {@code localhost}
 * matches the certificate; connecting to {@code 127.0.0.1} reaches the same server under
 * a name the certificate does not hold. The user {@value #CERT_USER} may only log in with
 * a client certificate from the same CA.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseTlsIntegrationTests {

	private static final String CERT_USER = "warden_cert";

	@TempDir
	static Path dir;

	private static EmbeddedPostgres server;

	private static String ca;

	private static String otherCa;

	private static String clientCert;

	private static String clientKey;

	@BeforeAll
	static void startServerWithTls() throws IOException, SQLException {
		LocalCertificateAuthority authority = LocalCertificateAuthority.create("Warden test database CA",
				Duration.ofDays(1));
		authority.write(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
		ca = dir.resolve("ca.pem").toString();
		LocalCertificateAuthority.create("Some other CA", Duration.ofDays(1))
			.write(dir.resolve("other-ca.pem"), dir.resolve("other-ca-key.pem"));
		otherCa = dir.resolve("other-ca.pem").toString();
		// the server's certificate names localhost only (not 127.0.0.1)
		authority.issue("warden-test-db", List.of("localhost"), Duration.ofDays(1))
			.write(dir.resolve("server.crt"), dir.resolve("server.key"));
		// PostgreSQL's cert authentication maps the certificate's common name to the user
		authority.issue(CERT_USER, List.of(), Duration.ofDays(1))
			.write(dir.resolve("client.crt"), dir.resolve("client.pem"));
		clientCert = dir.resolve("client.crt").toString();
		clientKey = dir.resolve("client.pem").toString();
		Files.createDirectories(dir.resolve("pg"));
		server = EmbeddedPostgres.builder()
			.setDataDirectory(dir.resolve("pg"))
			.setPGStartupWait(Duration.ofSeconds(60))
			.setRegisterShutdownHook(false)
			.setServerConfig("listen_addresses", "localhost")
			.setServerConfig("ssl", "on")
			.setServerConfig("ssl_cert_file", dir.resolve("server.crt").toString())
			.setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
			.setServerConfig("ssl_ca_file", ca)
			// plain connections stay allowed for everyone but the certificate user: a
			// connection is TLS because the client asked for it
			.setDataDirectoryCustomizer((data) -> {
				try {
					Files.writeString(data.toPath().resolve("pg_hba.conf"), """
							hostssl all %1$s 127.0.0.1/32 cert
							hostssl all %1$s ::1/128 cert
							host    all %1$s all reject
							local   all all trust
							host    all all 127.0.0.1/32 trust
							host    all all ::1/128 trust
							""".formatted(CERT_USER), StandardCharsets.US_ASCII);
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			})
			.start();
		try (Connection connection = server.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE ROLE " + CERT_USER + " LOGIN");
		}
	}

	@AfterAll
	static void stopServer() throws IOException {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void verifyFullWithTheIssuingCaConnectsOverTls() {
		try (HikariDataSource dataSource = DatabaseConfiguration
			.external(settings(url("localhost"), "postgres", "verify-full", ca, "", ""))) {
			assertThat(ssl(dataSource)).isTrue();
		}
	}

	@Test
	void aCaThatDidNotIssueTheServerCertificateIsRefused() {
		assertThatThrownBy(() -> DatabaseConfiguration
			.external(settings(url("localhost"), "postgres", "verify-full", otherCa, "", "")))
			.isInstanceOfSatisfying(DatabaseConnectionException.class, (ex) -> {
				assertThat(ex).hasMessageContaining("PostgreSQL at localhost:" + server.getPort())
					.hasMessageContaining("sslmode=verify-full")
					.hasMessageContaining(otherCa);
				assertThat(ex.action()).contains("not issued by a CA in " + otherCa);
			});
	}

	@Test
	void aCertificateThatDoesNotNameTheHostIsRefusedByVerifyFullButAcceptedByVerifyCa() {
		assertThatThrownBy(
				() -> DatabaseConfiguration.external(settings(url("127.0.0.1"), "postgres", "verify-full", ca, "", "")))
			.isInstanceOfSatisfying(DatabaseConnectionException.class, (ex) -> {
				assertThat(ex).hasMessageContaining("PostgreSQL at 127.0.0.1:" + server.getPort())
					.hasMessageContaining("127.0.0.1 could not be verified");
				assertThat(ex.action()).contains("does not name the host");
			});
		try (HikariDataSource dataSource = DatabaseConfiguration
			.external(settings(url("127.0.0.1"), "postgres", "verify-ca", ca, "", ""))) {
			assertThat(ssl(dataSource)).isTrue();
		}
	}

	@Test
	void anSslmodeInTheUrlWinsOverTheSetting() {
		// the setting alone would refuse this server (wrong CA); the URL turns TLS off
		DatabaseProperties plain = settings(url("localhost") + "?sslmode=disable", "postgres", "verify-full", otherCa,
				"", "");
		assertThat(DatabaseTls.resolve(plain.url(), plain.tls()).conflicts())
			.anySatisfy((conflict) -> assertThat(conflict).contains("sslmode=disable in the JDBC URL wins"));
		try (HikariDataSource dataSource = DatabaseConfiguration.external(plain)) {
			assertThat(ssl(dataSource)).isFalse();
		}
		// and the other way round: the setting says disable, the URL verify-full
		try (HikariDataSource dataSource = DatabaseConfiguration
			.external(settings(url("localhost") + "?sslmode=verify-full", "postgres", "disable", ca, "", ""))) {
			assertThat(ssl(dataSource)).isTrue();
		}
	}

	@Test
	void aPemClientCertificateLogsInTheUserThatNeedsOne() {
		try (HikariDataSource dataSource = DatabaseConfiguration
			.external(settings(url("localhost"), CERT_USER, "verify-full", ca, clientCert, clientKey))) {
			assertThat(JdbcClient.create(dataSource)
				.sql("SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
				.query(String.class)
				.single()).endsWith("/CN=" + CERT_USER);
		}
		assertThatThrownBy(
				() -> DatabaseConfiguration.external(settings(url("localhost"), CERT_USER, "verify-full", ca, "", "")))
			.isInstanceOfSatisfying(DatabaseConnectionException.class, (ex) -> {
				assertThat(ex).hasMessageContaining("as " + CERT_USER);
				assertThat(ex.action()).contains("requires a client certificate");
			});
	}

	@Test
	void everyConnectionOfTheApplicationFollowsTheSettings(@TempDir Path verified, @TempDir Path plain) {
		try (WardenTestApp app = WardenTestApp.start(verified,
				Map.of("warden.database.url", url("localhost"), "warden.database.username", "postgres",
						"warden.database.ssl-mode", "verify-full", "warden.database.ssl-root-cert", ca))) {
			// Flyway ran through the verified pool
			assertThat(app.jdbc()
				.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_events'")
				.query(Long.class)
				.single()).isEqualTo(1L);
			assertThat(ssl(app.bean(DataSource.class))).isTrue();
			awaitKeyListener(app);
			assertThat(applicationConnections()).containsEntry(KeyIndex.APPLICATION_NAME, true)
				.doesNotContainValue(false);
		}
		// the driver's default for a loopback host (prefer) would use TLS here:
		// connections
		// without it show that each one (key listener, request-log pool...) got the
		// setting
		try (WardenTestApp app = WardenTestApp.start(plain, Map.of("warden.database.url", url("localhost"),
				"warden.database.username", "postgres", "warden.database.ssl-mode", "disable"))) {
			awaitKeyListener(app);
			assertThat(applicationConnections()).containsEntry(KeyIndex.APPLICATION_NAME, false)
				.doesNotContainValue(true);
		}
	}

	@Test
	void aServerThatCannotBeVerifiedStopsTheStartWithOneClearMessage(@TempDir Path dataDir, CapturedOutput output) {
		Throwable failure = catchThrowable(() -> WardenTestApp.start(dataDir,
				Map.of("warden.database.url", url("localhost"), "warden.database.username", "postgres",
						"warden.database.ssl-mode", "verify-full", "warden.database.ssl-root-cert", otherCa)));
		List<Throwable> chain = new ArrayList<>();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			chain.add(t);
		}
		assertThat(chain).hasAtLeastOneElementOfType(DatabaseConnectionException.class)
			.hasAtLeastOneElementOfType(SSLHandshakeException.class);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Cannot connect to PostgreSQL at localhost:" + server.getPort())
			.contains("not issued by a CA in " + otherCa)
			.doesNotContain("\tat org.postgresql");
	}

	/**
	 * The API-key listener connects on a thread of its own after the start; its index is
	 * current once it listens and has loaded.
	 */
	private static void awaitKeyListener(WardenTestApp app) {
		KeyIndex index = app.bean(KeyIndex.class);
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!index.current() && System.nanoTime() < deadline) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		assertThat(index.current()).as("key listener connected").isTrue();
	}

	private static String url(String host) {
		return "jdbc:postgresql://" + host + ":" + server.getPort() + "/postgres";
	}

	private static DatabaseProperties settings(String url, String user, String sslMode, String rootCert, String cert,
			String key) {
		return new DatabaseProperties(url, user, "", 2, Duration.ofSeconds(3), "", sslMode, rootCert, cert, key);
	}

	private static boolean ssl(DataSource dataSource) {
		return JdbcClient.create(dataSource)
			.sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
			.query(Boolean.class)
			.single();
	}

	/**
	 * Whether each client connection of user postgres (other than this one) uses TLS, by
	 * application name (one entry per name: all of a name agree, or the entry is
	 * missing).
	 */
	private static Map<String, Boolean> applicationConnections() {
		List<Map<String, Object>> rows = JdbcClient.create(server.getPostgresDatabase())
			.sql("SELECT a.application_name, bool_and(s.ssl) AS all_ssl, bool_or(s.ssl) AS any_ssl "
					+ "FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid "
					+ "WHERE a.backend_type = 'client backend' AND a.usename = 'postgres' "
					+ "AND a.pid <> pg_backend_pid() GROUP BY a.application_name")
			.query()
			.listOfRows();
		Map<String, Boolean> byName = new LinkedHashMap<>();
		for (Map<String, Object> row : rows) {
			boolean all = (Boolean) row.get("all_ssl");
			boolean any = (Boolean) row.get("any_ssl");
			if (all == any) {
				byName.put((String) row.get("application_name"), all);
			}
			else {
				// mixed: both values, so that neither assertion can pass
				byName.put(row.get("application_name") + " (mixed)", true);
				byName.put(row.get("application_name") + " (mixed, plain)", false);
			}
		}
		return byName;
	}

}
