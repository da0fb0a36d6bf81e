package dev.warden.platform.system.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * The passwords of the embedded PostgreSQL, generated once at its first locked-down start
 * and kept in {@code <data dir>/postgres-credentials.properties}, readable by the owner
 * only (mode 0600 from creation on; the file is never rewritten and its content never
 * logged).
 * <p>
 * The file holds the password of the {@code postgres} superuser, which only the start-up
 * of the embedded server uses (to create and check the application role and hand it the
 * schema), and the password of the application role
 * {@value EmbeddedDatabase#APPLICATION_ROLE} that every pool and tool connects with.
 * Whoever can read it can also read the database files beside it, so it adds no second
 * secret to guard: what it keeps out is every other local user.
 *
 * @param superuserPassword password of the {@code postgres} superuser
 * @param applicationPassword password of the application role
 */
public record EmbeddedDatabaseCredentials(String superuserPassword, String applicationPassword) {

	public static final String FILE_NAME = "postgres-credentials.properties";

	private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

	@Override
	public String toString() {
		return "EmbeddedDatabaseCredentials[passwords hidden]";
	}

	public static boolean exist(Path dataDir) {
		return Files.exists(dataDir.resolve(FILE_NAME));
	}

	public static EmbeddedDatabaseCredentials read(Path dataDir) throws IOException {
		Properties properties = new Properties();
		try (Reader in = Files.newBufferedReader(dataDir.resolve(FILE_NAME), StandardCharsets.UTF_8)) {
			properties.load(in);
		}
		String superuser = properties.getProperty("superuser.password", "");
		String application = properties.getProperty("application.password", "");
		if (superuser.isBlank() || application.isBlank()) {
			throw new IllegalStateException(dataDir.resolve(FILE_NAME)
					+ " lacks superuser.password or application.password; restore it from the backup of the data "
					+ "directory (see docs/operations.md)");
		}
		return new EmbeddedDatabaseCredentials(superuser, application);
	}

	/**
	 * Generates both passwords (256 random bits each) and writes them to a new owner-only
	 * file.
	 */
	public static EmbeddedDatabaseCredentials create(Path dataDir) throws IOException {
		EmbeddedDatabaseCredentials credentials = new EmbeddedDatabaseCredentials(randomPassword(), randomPassword());
		Path file = dataDir.resolve(FILE_NAME);
		createOwnerOnly(file);
		try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC)) {
			out.write("# Passwords of the embedded PostgreSQL, generated at its first locked-down start.\n");
			out.write(
					"# Keep this file with the data directory and readable by its owner only (see docs/security.md).\n");
			out.write("superuser.name=postgres\n");
			out.write("superuser.password=" + credentials.superuserPassword() + "\n");
			out.write("application.name=" + EmbeddedDatabase.APPLICATION_ROLE + "\n");
			out.write("application.password=" + credentials.applicationPassword() + "\n");
		}
		return credentials;
	}

	/**
	 * Writes {@code password} alone to a new owner-only file, for
	 * {@code initdb --pwfile}, which reads the superuser's password from its first line
	 * (a password on a command line would be visible to every local user).
	 */
	public static void writePasswordFile(Path file, String password) throws IOException {
		createOwnerOnly(file);
		Files.writeString(file, password + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING);
	}

	// the mode is set at creation, so there is no moment at which another user could open
	// the file
	private static void createOwnerOnly(Path file) throws IOException {
		boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
		FileAttribute<?>[] attributes = posix
				? new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(OWNER_ONLY) } : new FileAttribute<?>[0];
		Files.createFile(file, attributes);
		if (posix) {
			// the umask may have narrowed the mode at creation, never widened it; this
			// makes it exactly 0600
			Files.setPosixFilePermissions(file, OWNER_ONLY);
		}
	}

	private static String randomPassword() {
		byte[] bytes = new byte[32];
		new SecureRandom().nextBytes(bytes);
		// URL-safe Base64 without padding: no character that a properties file, a JDBC
		// URL or a shell would quote
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

}
