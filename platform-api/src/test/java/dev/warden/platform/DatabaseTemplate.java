package dev.warden.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.stream.Stream;

import org.flywaydb.core.Flyway;

import dev.warden.platform.system.internal.EmbeddedDatabase;
import dev.warden.platform.system.internal.EmbeddedDatabaseCredentials;

/**
 * A migrated embedded PostgreSQL cluster made once per test JVM and copied into the data
 * directory of every test application that would otherwise create its own: {@code initdb}
 * and the first Flyway migration took about 2.5 s of a test application's start (71 of
 * the module's starts did both). The template is made the application's own way
 * ({@link EmbeddedDatabase#start}: SCRAM passwords, locked {@code pg_hba.conf}, the
 * application role owning the schema), migrated by Flyway from the same migrations as the
 * application's, and stopped cleanly before the first copy; a copy is a real cluster the
 * application starts and validates as on any later start. The copies share the template's
 * passwords ({@code postgres-credentials.properties} is copied with the cluster), which
 * is all they share.
 * <p>
 * Not used for a data directory that already has a cluster, for an external database, or
 * for an application given binaries of its own
 * ({@code warden.database.embedded-binaries-dir}): those are the tests of the first start
 * itself.
 */
final class DatabaseTemplate {

	private static final String CLUSTER = "postgres";

	private static Path template;

	private DatabaseTemplate() {
	}

	/** Copies the template cluster and its passwords into {@code dataDir}. */
	static synchronized void copyInto(Path dataDir, Path binariesDir) {
		try {
			if (template == null) {
				template = create(binariesDir);
			}
			Files.createDirectories(dataDir);
			copyTree(template.resolve(CLUSTER), dataDir.resolve(CLUSTER));
			Files.copy(template.resolve(EmbeddedDatabaseCredentials.FILE_NAME),
					dataDir.resolve(EmbeddedDatabaseCredentials.FILE_NAME), StandardCopyOption.COPY_ATTRIBUTES);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not copy the template database into " + dataDir, ex);
		}
	}

	private static Path create(Path binariesDir) throws IOException {
		Path dir = Files.createTempDirectory("warden-database-template");
		Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
		try (EmbeddedDatabase database = EmbeddedDatabase.start(dir, binariesDir)) {
			Flyway.configure()
				.dataSource(database.jdbcUrl(), database.username(), database.password())
				.locations("classpath:db/migration")
				.load()
				.migrate();
		}
		return dir;
	}

	private static void copyTree(Path from, Path to) throws IOException {
		Files.walkFileTree(from, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
				Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
				Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
				return FileVisitResult.CONTINUE;
			}

		});
	}

	private static void deleteQuietly(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// a temporary directory: left to the system
		}
	}

}
