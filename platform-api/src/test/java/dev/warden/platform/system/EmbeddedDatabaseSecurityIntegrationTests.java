package dev.warden.platform.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.warden.platform.WardenTestApp;
import dev.warden.platform.system.internal.EmbeddedDatabase;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Finding 2 of the penetration test: the embedded PostgreSQL trusted every local
 * connection as superuser, so any local user could {@code COPY ... FROM PROGRAM} the
 * master key. Each test talks to the real embedded server over TCP, as such a user would.
 */
class EmbeddedDatabaseSecurityIntegrationTests {

	@TempDir
	static Path dataDir;

	static WardenTestApp app;

	static String url;

	@BeforeAll
	static void start() {
		// the default binaries directory (the test helper shares one across test classes)
		app = WardenTestApp.start(dataDir, Map.of("warden.database.embedded-binaries-dir", ""));
		url = ((HikariDataSource) app.bean(DataSource.class)).getJdbcUrl();
	}

	@AfterAll
	static void stop() {
		app.close();
	}

	@Test
	void refusesEveryConnectionWithoutThePassword() {
		assertRefused(url, "postgres", null);
		assertRefused(url, EmbeddedDatabase.APPLICATION_ROLE, null);
		assertRefused(url, "postgres", "");
		assertRefused(url, "postgres", "postgres");
		assertRefused(url, EmbeddedDatabase.APPLICATION_ROLE, "wrong");
		assertRefused(url.replace("/postgres", "/template1"), "postgres", null);
	}

	@Test
	void theApplicationRoleIsNoSuperuserAndCannotRunProgramsOrReadServerFiles() throws Exception {
		JdbcClient jdbc = app.jdbc();
		assertThat(jdbc.sql("SELECT current_user").query(String.class).single())
			.isEqualTo(EmbeddedDatabase.APPLICATION_ROLE);
		assertThat(jdbc
			.sql("SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls "
					+ "FROM pg_roles WHERE rolname = current_user")
			.query(Boolean.class)
			.single()).isFalse();
		assertThat(jdbc
			.sql("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
					+ "WHERE r.rolname = current_user")
			.query(Long.class)
			.single()).isZero();
		String masterKey = dataDir.resolve("master-key.json").toAbsolutePath().toString();
		assertThat(Path.of(masterKey)).exists();
		try (Connection connection = app.bean(DataSource.class).getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TEMP TABLE stolen (line text)");
			assertInsufficientPrivilege(statement, "COPY stolen FROM PROGRAM 'cat " + masterKey + "'");
			assertInsufficientPrivilege(statement, "COPY stolen FROM '" + masterKey + "'");
			assertInsufficientPrivilege(statement, "SELECT pg_read_file('" + masterKey + "')");
			assertInsufficientPrivilege(statement, "SELECT lo_import('" + masterKey + "')");
			assertInsufficientPrivilege(statement, "CREATE ROLE intruder SUPERUSER LOGIN");
			assertInsufficientPrivilege(statement, "ALTER ROLE postgres PASSWORD 'known'");
		}
	}

	@Test
	void theApplicationRoleOwnsTheSchemaAndEverythingInIt() {
		JdbcClient jdbc = app.jdbc();
		assertThat(jdbc.sql("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'")
			.query(String.class)
			.single()).isEqualTo(EmbeddedDatabase.APPLICATION_ROLE);
		assertThat(jdbc.sql("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
			.query(Long.class)
			.single()).isPositive();
		assertThat(jdbc
			.sql("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
					+ "AND relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)")
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void listensOnLoopbackOnlyAndHasNoUnixSocket() throws Exception {
		assertThat(app.jdbc().sql("SHOW listen_addresses").query(String.class).single()).isEqualTo("127.0.0.1");
		assertThat(url).startsWith("jdbc:postgresql://127.0.0.1:");
		// unix_socket_directories is shown to superusers only: the one whose password the
		// credentials file holds
		Properties superuser = new Properties();
		superuser.load(Files.newBufferedReader(dataDir.resolve("postgres-credentials.properties")));
		try (Connection connection = DriverManager.getConnection(url, superuser.getProperty("superuser.name"),
				superuser.getProperty("superuser.password"))) {
			assertThat(JdbcClient.create(new SingleConnectionDataSource(connection, true))
				.sql("SHOW unix_socket_directories")
				.query(String.class)
				.single()).isEmpty();
		}
	}

	@Test
	void theServerRunsProgramsThatOnlyTheOwnerOfTheDataDirectoryCanReplace() throws Exception {
		Path binaries = dataDir.resolve("postgres-binaries");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(binaries))).isEqualTo("rwx------");
		long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0));
		Path owned = binaries.toRealPath();
		assertThat(ProcessHandle.of(pid).flatMap((process) -> process.info().command()).map(Path::of))
			.hasValueSatisfying((executable) -> assertThat(executable).startsWith(owned));
	}

	@Test
	void thePasswordsAreKeptInAnOwnerOnlyFileAndInNoOther() throws Exception {
		Path credentials = dataDir.resolve("postgres-credentials.properties");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
		String password = ((HikariDataSource) app.bean(DataSource.class)).getPassword();
		assertThat(Files.readString(credentials)).contains("application.password=" + password);
		// initdb's password file is deleted once the cluster exists
		try (var files = Files.list(dataDir)) {
			assertThat(files.map((f) -> f.getFileName().toString())).doesNotContain(".postgres-initdb-password");
		}
		assertThat(Files.readString(dataDir.resolve("postgres").resolve("pg_hba.conf"))).doesNotContain("trust");
	}

	@Test
	void aDataDirectoryOfTheEarlierOpenKindIsLockedDownAtItsNextStartAndKeepsWorking(@TempDir Path oldDataDir)
			throws Exception {
		Path cluster = oldDataDir.resolve("postgres");
		// the earlier start-up, for real: zonky's default cluster (pg_hba trust, no
		// passwords), migrated by Flyway
		// as the superuser, so that every table belongs to postgres
		try (EmbeddedPostgres old = EmbeddedPostgres.builder()
			.setDataDirectory(cluster)
			.setCleanDataDirectory(false)
			.setRegisterShutdownHook(false)
			.setPGStartupWait(Duration.ofSeconds(60))
			.start()) {
			Flyway.configure()
				.dataSource(old.getPostgresDatabase())
				.locations("classpath:db/migration")
				.load()
				.migrate();
			JdbcClient superuser = JdbcClient.create(old.getPostgresDatabase());
			assertThat(superuser.sql("SELECT tableowner FROM pg_tables WHERE tablename = 'request_log'")
				.query(String.class)
				.single()).isEqualTo("postgres");
		}
		assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).contains("trust");

		try (WardenTestApp upgraded = WardenTestApp.start(oldDataDir, Map.of())) {
			String upgradedUrl = ((HikariDataSource) upgraded.bean(DataSource.class)).getJdbcUrl();
			assertRefused(upgradedUrl, "postgres", null);
			assertRefused(upgradedUrl, EmbeddedDatabase.APPLICATION_ROLE, null);
			JdbcClient jdbc = upgraded.jdbc();
			assertThat(jdbc
				.sql("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
						+ "AND pg_get_userbyid(relowner) <> current_user")
				.query(Long.class)
				.single()).isZero();
			assertThat(jdbc.sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
				.query(Boolean.class)
				.single()).isFalse();
			upgraded.bean(TenantManagement.class).create("upgraded", "enterprise", "test");
			assertThat(jdbc.sql("SELECT count(*) FROM tenants WHERE name = 'upgraded'").query(Long.class).single())
				.isEqualTo(1L);
		}
		assertThat(Files.readString(cluster.resolve("pg_hba.conf"))).doesNotContain("trust");

		// the next start is an ordinary one on the locked-down directory
		try (WardenTestApp again = WardenTestApp.start(oldDataDir, Map.of())) {
			assertThat(
					again.jdbc().sql("SELECT count(*) FROM tenants WHERE name = 'upgraded'").query(Long.class).single())
				.isEqualTo(1L);
		}

		// a locked-down directory whose passwords are lost does not start (nor generates
		// passwords it cannot use);
		// the documented way out: without pg_hba.conf the next start locks it down again
		// with new passwords
		Path credentials = oldDataDir.resolve("postgres-credentials.properties");
		String lost = Files.readString(credentials);
		Files.delete(credentials);
		assertThatThrownBy(() -> WardenTestApp.start(oldDataDir, Map.of()).close())
			.hasStackTraceContaining("postgres-credentials.properties, which is missing");
		assertThat(credentials).doesNotExist();
		Files.delete(cluster.resolve("pg_hba.conf"));
		try (WardenTestApp recovered = WardenTestApp.start(oldDataDir, Map.of())) {
			assertThat(Files.readString(credentials)).isNotEqualTo(lost);
			assertThat(recovered.jdbc()
				.sql("SELECT count(*) FROM tenants WHERE name = 'upgraded'")
				.query(Long.class)
				.single()).isEqualTo(1L);
			assertRefused(((HikariDataSource) recovered.bean(DataSource.class)).getJdbcUrl(), "postgres", null);
		}
	}

	private static void assertRefused(String jdbcUrl, String user, String password) {
		Properties properties = new Properties();
		properties.setProperty("user", user);
		if (password != null) {
			properties.setProperty("password", password);
		}
		assertThatThrownBy(() -> DriverManager.getConnection(jdbcUrl, properties).close())
			.as("connection as %s with password %s", user, (password != null) ? "'" + password + "'" : "none")
			.isInstanceOfSatisfying(SQLException.class, (ex) -> assertThat(ex.getSQLState())
				// 28P01: wrong password; 08004: the server asked for SCRAM and the client
				// had no password to give
				.isIn("28P01", "08004"));
	}

	private static void assertInsufficientPrivilege(Statement statement, String sql) {
		assertThatThrownBy(() -> statement.execute(sql)).as(sql)
			.isInstanceOfSatisfying(SQLException.class, (ex) -> assertThat(ex.getSQLState()).isEqualTo("42501"));
	}

}
