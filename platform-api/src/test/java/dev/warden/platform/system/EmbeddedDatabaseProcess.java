package dev.warden.platform.system;

import java.nio.file.Path;

import dev.warden.platform.system.internal.EmbeddedDatabase;

/**
 * Not a test: the main class of a separate JVM that starts the embedded PostgreSQL of a
 * data directory the way a gateway does, says {@code ready <port>} and waits to be killed
 * (used by {@link PostmasterGuardIntegrationTests}).
 */
public final class EmbeddedDatabaseProcess {

	private EmbeddedDatabaseProcess() {
	}

	public static void main(String[] args) throws Exception {
		EmbeddedDatabase database = EmbeddedDatabase.start(Path.of(args[0]), Path.of(args[1]));
		System.out.println("ready " + database.port());
		System.out.flush();
		Thread.sleep(Long.MAX_VALUE);
	}

}
