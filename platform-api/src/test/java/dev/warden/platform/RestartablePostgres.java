package dev.warden.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An embedded PostgreSQL (fsync and synchronous_commit on, like the application's) on a
 * fixed port and data directory, so that a test can stop it and start it again under a
 * running application.
 */
public final class RestartablePostgres implements AutoCloseable {

	private final Path dataDir;

	private final int port;

	private EmbeddedPostgres postgres;

	public RestartablePostgres(Path dataDir) {
		this.dataDir = dataDir;
		try (ServerSocket socket = new ServerSocket(0)) {
			this.port = socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		start();
	}

	public String jdbcUrl() {
		return "jdbc:postgresql://localhost:" + this.port + "/postgres";
	}

	public synchronized void start() {
		if (this.postgres != null) {
			return;
		}
		try {
			this.postgres = EmbeddedPostgres.builder()
				.setDataDirectory(this.dataDir)
				.setCleanDataDirectory(false)
				.setPort(this.port)
				.setRegisterShutdownHook(false)
				.setPGStartupWait(Duration.ofSeconds(60))
				.setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("full_page_writes", "on")
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Stops the server (fast shutdown: open transactions are rolled back, connections
	 * dropped).
	 */
	public synchronized void stop() {
		if (this.postgres == null) {
			return;
		}
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.postgres = null;
	}

	@Override
	public void close() {
		stop();
	}

}
