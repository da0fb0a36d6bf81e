package dev.warden.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

	/**
	 * Freezes the server without closing anything: SIGSTOP to the postmaster (its PID is
	 * the first line of {@code postmaster.pid}) and every process it started, as a
	 * stalled disk or a network partition looks to a client. Connections stay open and
	 * unanswered. Call {@link #thaw} in a {@code finally} block.
	 * @return the processes stopped
	 */
	public synchronized List<Long> freeze() {
		// the postmaster first, so that it forks no new backend while the others are
		// being stopped
		List<Long> pids = serverProcesses();
		signal("-STOP", pids.subList(0, 1));
		pids = serverProcesses();
		signal("-STOP", pids.subList(1, pids.size()));
		return pids;
	}

	/** Lets the frozen server run again (SIGCONT to every one of its processes). */
	public synchronized void thaw() {
		signal("-CONT", serverProcesses());
	}

	private List<Long> serverProcesses() {
		long postmaster;
		try {
			postmaster = Long.parseLong(Files.readAllLines(this.dataDir.resolve("postmaster.pid")).get(0).trim());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ProcessHandle handle = ProcessHandle.of(postmaster)
			.orElseThrow(() -> new IllegalStateException("no postmaster with PID " + postmaster));
		List<Long> pids = new ArrayList<>();
		pids.add(postmaster);
		handle.descendants().forEach((child) -> pids.add(child.pid()));
		return pids;
	}

	private static void signal(String signal, List<Long> pids) {
		List<String> command = new ArrayList<>(List.of("kill", signal));
		pids.forEach((pid) -> command.add(Long.toString(pid)));
		try {
			Process kill = new ProcessBuilder(command).inheritIO().start();
			if (kill.waitFor() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		stop();
	}

}
