package dev.warden.platform.system.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one embedded PostgreSQL per data directory, owned by one live gateway, and never
 * longer than that gateway lives:
 * <ul>
 * <li>{@link #lock}: the gateway holds an exclusive lock on
 * {@code <data dir>/gateway.lock} (with its process id inside) for as long as it runs;
 * the operating system releases it when the process ends, however it ends. A second
 * gateway on the same data directory is refused at once, with the other one's process
 * id.</li>
 * <li>{@link #stopLeftover}: with the lock held, a postmaster still running on the
 * cluster (its {@code postmaster.pid} names a live process whose working directory is the
 * cluster) was left by a gateway that died: it is stopped with a fast shutdown (SIGINT),
 * then an immediate one (SIGQUIT) if it does not end in time, before a new one
 * starts.</li>
 * <li>{@link #watch}: a small shell process, started once the postmaster is up, waits on
 * a pipe from this JVM; when the JVM dies (SIGKILL, out of memory) the pipe closes and
 * the watchdog stops the postmaster the same way. A normal shutdown stops the watchdog
 * first and then the server.</li>
 * </ul>
 */
public final class PostmasterGuard {

	public static final String LOCK_FILE = "gateway.lock";

	private static final Logger log = LoggerFactory.getLogger(PostmasterGuard.class);

	private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(30);

	private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(15);

	/**
	 * The watchdog: waits until its standard input reaches end-of-file (this JVM is gone,
	 * or closed the pipe), then stops the postmaster {@code $1} if it is still the one of
	 * the cluster {@code $2}: SIGINT (fast shutdown), and SIGQUIT (immediate) after 30 s.
	 */
	private static final String WATCHDOG = """
			read -r _line
			pm="$1"; cluster="$2"
			ours() { kill -0 "$pm" 2>/dev/null && { [ ! -d /proc/self ] || [ "$(readlink "/proc/$pm/cwd")" = "$cluster" ]; }; }
			ours || exit 0
			kill -INT "$pm" 2>/dev/null
			i=0
			while kill -0 "$pm" 2>/dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
			ours && kill -QUIT "$pm" 2>/dev/null
			exit 0
			""";

	private PostmasterGuard() {
	}

	/** The lock of a data directory, held until closed or until the process ends. */
	public static final class Lock implements AutoCloseable {

		private final FileChannel channel;

		private final FileLock lock;

		private Lock(FileChannel channel, FileLock lock) {
			this.channel = channel;
			this.lock = lock;
		}

		/** Releases the lock; does nothing when it is already released. */
		@Override
		public void close() {
			if (!this.channel.isOpen()) {
				return;
			}
			try {
				this.lock.release();
				this.channel.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	/**
	 * Takes the data directory's lock, or refuses at once when a live process holds it.
	 * @throws IllegalStateException naming the process that holds it
	 */
	public static Lock lock(Path dataDir) throws IOException {
		Path file = dataDir.resolve(LOCK_FILE);
		FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
				StandardOpenOption.WRITE);
		FileLock lock;
		try {
			lock = channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			lock = null;
		}
		if (lock == null) {
			String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
			channel.close();
			throw new IllegalStateException("The data directory " + dataDir + " is in use by another Warden gateway"
					+ (holder.isEmpty() ? "" : " (process " + holder + ")")
					+ ": stop that one first, or give this one another data directory (WARDEN_DATA_DIR)");
		}
		channel.truncate(0);
		channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"), 0);
		channel.force(false);
		return new Lock(channel, lock);
	}

	/**
	 * Stops a postmaster left running on {@code cluster} by a gateway that died. Call
	 * with the data directory's {@link #lock} held.
	 * @throws IllegalStateException when it does not stop
	 */
	public static void stopLeftover(Path cluster) throws IOException {
		OptionalLong pid = postmasterPid(cluster);
		if (pid.isEmpty()) {
			return;
		}
		Optional<ProcessHandle> process = ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive);
		if (process.isEmpty() || !isPostmasterOf(process.get(), cluster)) {
			// a stale postmaster.pid: PostgreSQL itself checks and replaces it
			return;
		}
		log.warn("A PostgreSQL server (process {}) is still running on {}, left by a gateway that did not shut "
				+ "down; stopping it (fast shutdown) before starting", pid.getAsLong(), cluster);
		if (stop(process.get(), "-INT", FAST_SHUTDOWN)) {
			log.info("The leftover PostgreSQL server (process {}) stopped", pid.getAsLong());
			return;
		}
		log.warn("The leftover PostgreSQL server (process {}) did not stop within {} s; immediate shutdown",
				pid.getAsLong(), FAST_SHUTDOWN.toSeconds());
		if (!stop(process.get(), "-QUIT", IMMEDIATE_SHUTDOWN)) {
			throw new IllegalStateException("A PostgreSQL server (process " + pid.getAsLong() + ") still runs on "
					+ cluster + " and did not stop; stop it, then start again");
		}
	}

	/**
	 * Starts the watchdog of the postmaster now running on {@code cluster}; the returned
	 * process must be kept (its standard input is the pipe the watchdog waits on) and
	 * destroyed before the server is stopped normally.
	 */
	public static Optional<Process> watch(Path cluster) {
		OptionalLong pid;
		try {
			pid = postmasterPid(cluster);
		}
		catch (IOException ex) {
			pid = OptionalLong.empty();
		}
		Path shell = Path.of("/bin/sh");
		if (pid.isEmpty() || !Files.isExecutable(shell)) {
			log.warn("No watchdog for the embedded PostgreSQL on {}: it would outlive this process if it were "
					+ "killed (the next start stops it)", cluster);
			return Optional.empty();
		}
		try {
			Process watchdog = new ProcessBuilder(shell.toString(), "-c", WATCHDOG, "warden-postgres-watchdog",
					Long.toString(pid.getAsLong()), realPath(cluster).toString())
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			return Optional.of(watchdog);
		}
		catch (IOException ex) {
			log.warn("Could not start the watchdog of the embedded PostgreSQL on {}: {}", cluster, ex.getMessage());
			return Optional.empty();
		}
	}

	/** The process id in the first line of {@code postmaster.pid}, if there is one. */
	static OptionalLong postmasterPid(Path cluster) throws IOException {
		Path pidFile = cluster.resolve("postmaster.pid");
		if (!Files.isRegularFile(pidFile)) {
			return OptionalLong.empty();
		}
		List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
		try {
			return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
		}
		catch (NumberFormatException ex) {
			return OptionalLong.empty();
		}
	}

	/**
	 * Whether the process is a postmaster whose data directory is {@code cluster}: on
	 * Linux, its working directory (a postmaster changes into its data directory);
	 * elsewhere, its command line.
	 */
	static boolean isPostmasterOf(ProcessHandle process, Path cluster) {
		Path cwd = Path.of("/proc", Long.toString(process.pid()), "cwd");
		try {
			if (Files.isDirectory(Path.of("/proc/self"))) {
				return Files.readSymbolicLink(cwd).equals(realPath(cluster));
			}
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
		String command = process.info().commandLine().orElse("");
		return command.contains("postgres") && command.contains(cluster.toString());
	}

	private static boolean stop(ProcessHandle process, String signal, Duration wait) {
		try {
			new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
			process.onExit().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
			return true;
		}
		catch (java.util.concurrent.TimeoutException ex) {
			return !process.isAlive();
		}
		catch (IOException | java.util.concurrent.ExecutionException ex) {
			log.warn("Could not signal process {}: {}", process.pid(), ex.getMessage());
			return !process.isAlive();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return !process.isAlive();
		}
	}

	private static Path realPath(Path path) {
		try {
			return path.toRealPath();
		}
		catch (IOException ex) {
			return path.toAbsolutePath().normalize();
		}
	}

}
