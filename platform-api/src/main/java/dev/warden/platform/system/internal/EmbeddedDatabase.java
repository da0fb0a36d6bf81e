package dev.warden.platform.system.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of a default install, locked down: it listens on 127.0.0.1 only
 * (no Unix-domain socket), every connection must authenticate with SCRAM-SHA-256, and the
 * application connects as the role {@value #APPLICATION_ROLE}, which is not a superuser,
 * cannot create roles or databases, is a member of no role (so neither
 * {@code pg_read_server_files} nor {@code pg_execute_server_program}: no
 * {@code COPY ... FROM PROGRAM}, no {@code pg_read_file}) and owns the schema
 * {@code public} with everything in it, which Flyway and the request-log partition
 * maintenance need (only an owner may attach, detach or drop a partition).
 * <p>
 * A start does, in this order:
 * <ol>
 * <li>unpacks the server's binaries (once) into a directory only the owner of the data
 * directory can enter: the library's default, {@code /tmp/embedded-pg}, is made writable
 * by everyone, so any local user could replace the programs this process runs;</li>
 * <li>reads the passwords from {@code <data dir>/postgres-credentials.properties}, or
 * generates them into it (see {@link EmbeddedDatabaseCredentials});</li>
 * <li>on a fresh data directory, runs {@code initdb} with SCRAM authentication and the
 * superuser password read from an owner-only file, so the cluster never accepts a
 * connection without a password;</li>
 * <li>before the server starts, writes {@code pg_hba.conf} (every start, so an edit
 * cannot reopen it);</li>
 * <li>once the server is up, connects as {@code postgres} with its password and makes the
 * application role and the ownership of the schema what they must be (idempotent, a few
 * catalogue queries).</li>
 * </ol>
 * A data directory created before this lock-down (pg_hba {@code trust}, no passwords,
 * tables owned by {@code postgres}) is upgraded in place at its next start: the server
 * starts once with {@code trust} for the user {@code postgres} on 127.0.0.1 only, the
 * superuser gets its password, {@code pg_hba.conf} is rewritten and reloaded, and every
 * other session is ended; then the role and ownership step runs as on any start. That
 * start-up is the one moment a local user could still connect without a password, as they
 * could at any time before the upgrade (see docs/security.md for what an operator of such
 * an install should do).
 * <p>
 * Not thread-safe; created and closed by {@code DatabaseConfiguration} only.
 */
public final class EmbeddedDatabase implements AutoCloseable {

	/** The role the application, its pools and the offline tools connect as. */
	public static final String APPLICATION_ROLE = "warden";

	public static final String DATABASE = "postgres";

	public static final String LISTEN_ADDRESS = "127.0.0.1";

	private static final String SUPERUSER = "postgres";

	private static final String HBA_HEADER = """
			# Written by Warden before every start of its embedded PostgreSQL; edits are overwritten.
			# Every connection authenticates with SCRAM-SHA-256 (passwords: ../postgres-credentials.properties).
			# TYPE  DATABASE  USER      ADDRESS       METHOD
			""";

	private static final String HBA_LOCKED = HBA_HEADER + """
			local   all       all                     scram-sha-256
			host    all       all       127.0.0.1/32  scram-sha-256
			host    all       all       ::1/128       scram-sha-256
			""";

	// only while a data directory of the earlier, open kind is upgraded: the superuser
	// has no password yet
	private static final String HBA_UPGRADING = HBA_HEADER + """
			host    all       postgres  127.0.0.1/32  trust
			""" + HBA_LOCKED.substring(HBA_HEADER.length());

	private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

	private final EmbeddedPostgres postgres;

	private final String applicationPassword;

	private final PostmasterGuard.Lock lock;

	private final Process watchdog;

	private EmbeddedDatabase(EmbeddedPostgres postgres, String applicationPassword, PostmasterGuard.Lock lock,
			Process watchdog) {
		this.postgres = postgres;
		this.applicationPassword = applicationPassword;
		this.lock = lock;
		this.watchdog = watchdog;
	}

	/**
	 * Starts (and on first use creates, or upgrades) the locked-down embedded PostgreSQL
	 * whose cluster is {@code <dataDir>/postgres}.
	 */
	public static EmbeddedDatabase start(Path dataDir, Path binariesDir) throws IOException {
		Path cluster = dataDir.resolve("postgres");
		Files.createDirectories(cluster);
		// one gateway per data directory, and never two postmasters on one cluster
		PostmasterGuard.Lock lock = PostmasterGuard.lock(dataDir);
		try {
			PostmasterGuard.stopLeftover(cluster);
			return start(dataDir, binariesDir, cluster, lock);
		}
		catch (IOException | RuntimeException ex) {
			lock.close();
			throw ex;
		}
	}

	private static EmbeddedDatabase start(Path dataDir, Path binariesDir, Path cluster, PostmasterGuard.Lock lock)
			throws IOException {
		Path binaries = ownerOnlyDirectory(binariesDir, dataDir);
		boolean fresh = !Files.exists(cluster.resolve("postgresql.conf"));
		boolean upgrade = !fresh && !HBA_LOCKED.equals(readHba(cluster));
		if (!fresh && !upgrade && !EmbeddedDatabaseCredentials.exist(dataDir)) {
			throw new IllegalStateException("The embedded PostgreSQL in " + cluster
					+ " is locked with the passwords of " + dataDir.resolve(EmbeddedDatabaseCredentials.FILE_NAME)
					+ ", which is missing: restore it from the backup of the data directory (see docs/operations.md)");
		}
		EmbeddedDatabaseCredentials credentials = EmbeddedDatabaseCredentials.exist(dataDir)
				? EmbeddedDatabaseCredentials.read(dataDir) : EmbeddedDatabaseCredentials.create(dataDir);
		Path passwordFile = dataDir.resolve(".postgres-initdb-password");
		// one left by a start that died during initdb
		Files.deleteIfExists(passwordFile);
		if (fresh) {
			EmbeddedDatabaseCredentials.writePasswordFile(passwordFile, credentials.superuserPassword());
		}
		EmbeddedPostgres postgres;
		try {
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				// the library makes this directory writable by everyone: it lies inside
				// the owner-only one
				.setOverrideWorkingDirectory(binaries.resolve("unpacked").toFile())
				.setPgBinaryResolver(new BinariesIn(binaries))
				.setDataDirectory(cluster)
				.setCleanDataDirectory(false)
				// Spring closes the server after the connection pool (see
				// DatabaseConfiguration); the library's own
				// JVM shutdown hook would stop it concurrently, while in-flight requests
				// still write their log rows
				.setRegisterShutdownHook(false)
				.setPGStartupWait(Duration.ofSeconds(60))
				// zonky turns fsync and synchronous_commit off; a request log or audit
				// trail must not lose rows
				.setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("full_page_writes", "on")
				.setServerConfig("listen_addresses", LISTEN_ADDRESS)
				// no Unix-domain socket: its default directory (/tmp) is open to every
				// local user, and nothing here
				// uses one (the server's readiness is read from postmaster.pid by pg_ctl,
				// then checked over TCP)
				.setServerConfig("unix_socket_directories", "''")
				.setServerConfig("password_encryption", "scram-sha-256")
				// the library checks readiness by connecting as postgres: with the
				// password (never on a command line)
				.setConnectConfig("password", credentials.superuserPassword())
				.setDataDirectoryCustomizer((dir) -> writeHba(dir.toPath(), upgrade ? HBA_UPGRADING : HBA_LOCKED));
			if (fresh) {
				// the library's only hook for initdb arguments is this map, passed as
				// --key=value after its own
				// "-A trust": the later --auth wins, and initdb refuses SCRAM without a
				// superuser password
				builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString());
			}
			postgres = builder.start();
		}
		finally {
			Files.deleteIfExists(passwordFile);
		}
		EmbeddedDatabase database = new EmbeddedDatabase(postgres, credentials.applicationPassword(), lock,
				PostmasterGuard.watch(cluster).orElse(null));
		try {
			if (upgrade) {
				database.lockDown(cluster, credentials);
			}
			database.provisionApplicationRole(credentials);
		}
		catch (SQLException | RuntimeException ex) {
			database.close();
			throw new IllegalStateException("Could not lock down the embedded PostgreSQL in " + cluster, ex);
		}
		log.info("Embedded PostgreSQL started on {}:{} with data directory {}{}", LISTEN_ADDRESS, postgres.getPort(),
				cluster, upgrade ? " (upgraded in place: passwords required, application role " + APPLICATION_ROLE
						+ " owns the schema)" : "");
		return database;
	}

	public String jdbcUrl() {
		return "jdbc:postgresql://" + LISTEN_ADDRESS + ":" + this.postgres.getPort() + "/" + DATABASE;
	}

	public String username() {
		return APPLICATION_ROLE;
	}

	public String password() {
		return this.applicationPassword;
	}

	public int port() {
		return this.postgres.getPort();
	}

	/**
	 * Closes the window of an upgrade: gives the superuser its password, rewrites
	 * {@code pg_hba.conf}, waits until the server refuses a password-less connection,
	 * then ends every other session (one that got in meanwhile).
	 */
	private void lockDown(Path cluster, EmbeddedDatabaseCredentials credentials) throws SQLException {
		try (Connection connection = superuser()) {
			connection.unwrap(PGConnection.class)
				.alterUserPassword(SUPERUSER, credentials.superuserPassword().toCharArray(), "scram-sha-256");
			writeHba(cluster, HBA_LOCKED);
			try (Statement statement = connection.createStatement()) {
				statement.execute("SELECT pg_reload_conf()");
			}
			awaitPasswordRequired();
			try (Statement statement = connection.createStatement()) {
				statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
						+ "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'");
			}
		}
	}

	// pg_reload_conf() only signals the postmaster; new connections follow the new rules
	// once it has re-read them
	private void awaitPasswordRequired() {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		Properties noPassword = new Properties();
		noPassword.setProperty("user", SUPERUSER);
		while (true) {
			try (Connection ignored = DriverManager.getConnection(jdbcUrl(), noPassword)) {
				// still trusted
			}
			catch (SQLException refused) {
				String state = (refused.getSQLState() != null) ? refused.getSQLState() : "";
				// 28xxx: the server refused; 08004: the driver had no password to answer
				// the server's SCRAM request
				if (state.startsWith("28") || "08004".equals(state)) {
					return;
				}
				throw new IllegalStateException("Unexpected answer while locking down the embedded PostgreSQL",
						refused);
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The embedded PostgreSQL still accepts connections without a password "
						+ "after pg_hba.conf was rewritten and reloaded");
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while locking down the embedded PostgreSQL", ex);
			}
		}
	}

	/**
	 * Creates the application role or resets its attributes, memberships and password,
	 * and gives it the schema {@code public} and every relation and routine in it that
	 * another role owns (those of an upgraded install, or anything created as superuser
	 * by hand).
	 */
	private void provisionApplicationRole(EmbeddedDatabaseCredentials credentials) throws SQLException {
		try (Connection connection = superuser(); Statement statement = connection.createStatement()) {
			String attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT";
			boolean exists;
			try (ResultSet rows = statement
				.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + APPLICATION_ROLE + "'")) {
				exists = rows.next();
			}
			statement.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + APPLICATION_ROLE + attributes);
			// the verifier is computed here: the password itself never reaches the server
			// (nor its log)
			connection.unwrap(PGConnection.class)
				.alterUserPassword(APPLICATION_ROLE, credentials.applicationPassword().toCharArray(), "scram-sha-256");
			for (String grant : strings(statement,
					"SELECT quote_ident(r.rolname) FROM pg_auth_members m "
							+ "JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
							+ "WHERE u.rolname = '" + APPLICATION_ROLE + "'")) {
				statement.execute("REVOKE " + grant + " FROM " + APPLICATION_ROLE);
			}
			statement.execute("ALTER SCHEMA public OWNER TO " + APPLICATION_ROLE);
			// sequences that belong to a column (identity, serial) follow their table and
			// cannot be given alone
			for (String relation : strings(statement, "SELECT CASE c.relkind WHEN 'v' THEN 'VIEW ' "
					+ "WHEN 'm' THEN 'MATERIALIZED VIEW ' WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END "
					+ "|| c.oid::regclass FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
					+ "AND c.relkind IN ('r', 'p', 'v', 'm', 'S') " + "AND pg_get_userbyid(c.relowner) <> '"
					+ APPLICATION_ROLE + "' " + "AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d "
					+ "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))")) {
				statement.execute("ALTER " + relation + " OWNER TO " + APPLICATION_ROLE);
			}
			for (String routine : strings(statement,
					"SELECT p.oid::regprocedure::text FROM pg_proc p "
							+ "WHERE p.pronamespace = 'public'::regnamespace " + "AND pg_get_userbyid(p.proowner) <> '"
							+ APPLICATION_ROLE + "'")) {
				statement.execute("ALTER ROUTINE " + routine + " OWNER TO " + APPLICATION_ROLE);
			}
			List<String> others = strings(statement, "SELECT rolname FROM pg_roles WHERE (rolcanlogin OR rolsuper) "
					+ "AND rolname NOT IN ('" + SUPERUSER + "', '" + APPLICATION_ROLE + "')");
			if (!others.isEmpty()) {
				log.warn("The embedded PostgreSQL has roles that Warden did not create and that can log in or are "
						+ "superusers: {}; remove them unless an administrator made them on purpose", others);
			}
		}
	}

	private Connection superuser() throws SQLException {
		// the library's data source for user postgres carries the password given to the
		// builder
		return this.postgres.getPostgresDatabase().getConnection();
	}

	/**
	 * Creates {@code dir} or checks it: a real directory (no link), owned by the owner of
	 * the data directory, and then mode 0700, so that no other user can replace what is
	 * unpacked in it.
	 */
	private static Path ownerOnlyDirectory(Path dir, Path dataDir) throws IOException {
		Files.createDirectories(dir);
		if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			return dir;
		}
		if (Files.isSymbolicLink(dir)
				|| !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).equals(Files.getOwner(dataDir))) {
			throw new IllegalStateException("The embedded PostgreSQL's binaries directory " + dir
					+ " must be a directory owned by the owner of " + dataDir + ", not a link or another user's");
		}
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
		return dir;
	}

	/**
	 * The library's binaries, keyed by the directory they are unpacked into: the library
	 * remembers unpacked binaries per resolver for the life of the JVM, and would
	 * otherwise run those of a start with another directory.
	 */
	private record BinariesIn(Path directory) implements PgBinaryResolver {

		@Override
		public InputStream getPgBinary(String system, String machineHardware) throws IOException {
			return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
		}

	}

	private static List<String> strings(Statement statement, String query) throws SQLException {
		List<String> values = new ArrayList<>();
		try (ResultSet rows = statement.executeQuery(query)) {
			while (rows.next()) {
				values.add(rows.getString(1));
			}
		}
		return values;
	}

	private static String readHba(Path cluster) throws IOException {
		Path hba = cluster.resolve("pg_hba.conf");
		return Files.exists(hba) ? Files.readString(hba, StandardCharsets.UTF_8) : "";
	}

	private static void writeHba(Path cluster, String content) {
		try {
			Path hba = cluster.resolve("pg_hba.conf");
			Path next = cluster.resolve("pg_hba.conf.next");
			Files.writeString(next, content, StandardCharsets.UTF_8);
			// a crash leaves either the old or the new file, never half of one
			Files.move(next, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Stops the watchdog (so that it does not race the normal shutdown), then the server,
	 * then releases the data directory's lock.
	 */
	@Override
	public void close() {
		if (this.watchdog != null) {
			this.watchdog.destroy();
			try {
				this.watchdog.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			this.lock.close();
		}
	}

}
