package dev.warden.systemtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash recovery of the one-machine install: {@code ./warden start} under load from four
 * clients, then the gateway, the worker and the console are each killed with SIGKILL, one
 * after the other. The launcher reports each death and restarts the service; the killed
 * gateway's embedded PostgreSQL is stopped by its watchdog (or by the next start) and the
 * restarted gateway starts on the same data directory. Shown: every answer a client
 * received as 2xx is in the request log, each service is back within a bounded time, and
 * the clients are served again without anyone doing anything. The figures are printed
 * (see docs/operations.md, "Crash recovery").
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(WardenCluster.LAUNCHER)
class CrashRecoveryIntegrationTests {

	private static final String READY_LINE = "Press Ctrl-C to stop.";

	private static final Duration RECOVERY_BOUND = Duration.ofMinutes(3);

	private static final String ROW = "{\"instances\":[{\"age\":39,\"workclass\":\"State-gov\",\"fnlwgt\":77516,"
			+ "\"education\":\"Bachelors\",\"education_num\":13,\"marital_status\":\"Never-married\","
			+ "\"occupation\":\"Adm-clerical\",\"relationship\":\"Not-in-family\",\"race\":\"White\",\"sex\":\"Male\","
			+ "\"capital_gain\":2174,\"capital_loss\":0,\"hours_per_week\":40,\"native_country\":\"United-States\"}]}";

	@TempDir
	Path root;

	private Process launcher;

	private final List<String> output = new CopyOnWriteArrayList<>();

	private final List<ProcessHandle> started = new CopyOnWriteArrayList<>();

	private final AtomicBoolean loading = new AtomicBoolean();

	private final Set<String> answered2xx = ConcurrentHashMap.newKeySet();

	/** Requests sent after this instant that are answered 2xx count as served again. */
	private volatile long killedAtNanos;

	private volatile boolean killed;

	/** When the first such answer came (0: none yet). */
	private final AtomicLong servedAgainNanos = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	@AfterEach
	void stopEverything() throws Exception {
		this.loading.set(false);
		if (this.launcher != null && this.launcher.isAlive()) {
			this.launcher.descendants().forEach(this.started::add);
			this.launcher.toHandle().destroy();
			if (!this.launcher.waitFor(2, TimeUnit.MINUTES)) {
				this.launcher.destroyForcibly();
			}
		}
		for (ProcessHandle process : this.started) {
			process.destroy();
		}
		for (ProcessHandle process : this.started) {
			try {
				process.onExit().get(60, TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
				process.destroyForcibly();
			}
		}
	}

	@Test
	void everyServiceKilledUnderLoadComesBackAndNo2xxIsMissingFromTheLog() throws Exception {
		Path store = Files.createDirectories(this.root.resolve("models"));
		TrainedModels.copyInto(store, TrainedModels.Size.SMALL);
		Path data = this.root.resolve("data");
		int gatewayPort = freePort();
		int consolePort = freePort();
		startLauncher(store, data, gatewayPort, consolePort);
		String key = Files.readString(data.resolve("demo-api-key"), StandardCharsets.UTF_8).strip();
		String predict = "http://127.0.0.1:" + gatewayPort + "/v1/models/income:predict";

		List<Thread> clients = startLoad(predict, key, 4);
		List<String> figures = new ArrayList<>();
		for (String service : List.of("platform-api", "inference-worker", "admin-ui")) {
			// a few seconds of load before each kill
			awaitServed(this.answered2xx.size() + 100, Duration.ofMinutes(1));
			ProcessHandle process = service(service);
			String name = switch (service) {
				case "platform-api" -> "gateway";
				case "inference-worker" -> "inference worker";
				default -> "console";
			};
			long served = this.answered2xx.size();
			this.servedAgainNanos.set(0);
			long killedAt = System.nanoTime();
			this.killedAtNanos = killedAt;
			this.killed = true;
			java.util.Optional<ProcessHandle> postmaster = service.equals("platform-api") ? postmaster(data)
					: java.util.Optional.empty();
			process.destroyForcibly();
			process.onExit().get(30, TimeUnit.SECONDS);
			if (postmaster.isPresent()) {
				// the killed gateway's embedded PostgreSQL does not outlive it: its
				// watchdog stops it
				postmaster.get().onExit().get(60, TimeUnit.SECONDS);
				figures.add(String.format(
						"the killed gateway's PostgreSQL (process %d) was gone %.1f s after the " + "SIGKILL",
						postmaster.get().pid(), (System.nanoTime() - killedAt) / 1e9));
			}
			awaitLine("warden: the " + name + " stopped (killed by SIGKILL", Duration.ofSeconds(30));
			awaitLine("warden: the " + name + " is back", RECOVERY_BOUND);
			double back = (System.nanoTime() - killedAt) / 1e9;
			ProcessHandle restarted = service(service);
			assertThat(restarted.pid()).isNotEqualTo(process.pid());
			// clients are served again: a request sent after the kill answered 2xx
			awaitServedAgain(RECOVERY_BOUND);
			double servedAgain = (this.servedAgainNanos.get() - killedAt) / 1e9;
			figures.add(String.format(
					"%s: back (healthy) %.1f s after SIGKILL; the first request sent after the kill "
							+ "that got a 2xx was answered %.1f s after it; %d answers were 2xx before the kill",
					name, back, servedAgain, served));
		}
		this.loading.set(false);
		for (Thread client : clients) {
			client.join(60_000);
		}

		Set<String> logged = new HashSet<>();
		try (Connection db = WardenCluster.database(data);
				PreparedStatement query = db
					.prepareStatement("SELECT request_id FROM request_log WHERE request_id = ANY (?)")) {
			Array ids = db.createArrayOf("text", this.answered2xx.toArray());
			query.setArray(1, ids);
			try (ResultSet rows = query.executeQuery()) {
				while (rows.next()) {
					logged.add(rows.getString(1));
				}
			}
		}
		figures.add(String.format(
				"%d answers received as 2xx, %d of them in the request log; %d calls failed or were "
						+ "refused while a service was down",
				this.answered2xx.size(), logged.size(), this.failed.get()));
		figures.forEach((line) -> System.out.println("crash recovery: " + line));
		assertThat(this.answered2xx).isNotEmpty();
		assertThat(logged).as("2xx answers missing from the request log")
			.containsExactlyInAnyOrderElementsOf(this.answered2xx);
	}

	private void startLauncher(Path store, Path data, int gatewayPort, int consolePort) throws Exception {
		String launcherScript = System.getProperty("warden.launcher");
		assertThat(launcherScript).as("system property warden.launcher").isNotNull();
		ProcessBuilder builder = new ProcessBuilder("bash", launcherScript, "start").redirectErrorStream(true);
		Map<String, String> env = builder.environment();
		env.put("JAVA_HOME", System.getProperty("java.home"));
		env.put("WARDEN_DATA_DIR", data.toString());
		env.put("WARDEN_MODEL_STORE", store.toString());
		env.put("WARDEN_POLICIES_DIR", System.getProperty("warden.policies.dir"));
		env.put("WARDEN_SKIP_BUILD", "true");
		env.put("WARDEN_JAVA_OPTS", String.join(" ", WardenCluster.TEST_JVM_OPTIONS));
		env.put("WARDEN_GATEWAY_PORT", Integer.toString(gatewayPort));
		env.put("WARDEN_CONSOLE_PORT", Integer.toString(consolePort));
		env.put("WARDEN_WORKER_PORT", Integer.toString(freePort()));
		env.put("WARDEN_ADMIN_PASSWORD", WardenCluster.ADMIN_PASSWORD);
		env.put("WARDEN_COMPLIANCE_PASSWORD", WardenCluster.COMPLIANCE_PASSWORD);
		env.remove("WARDEN_DEMO");
		this.launcher = builder.start();
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.launcher.getInputStream(), StandardCharsets.UTF_8));
		Thread pump = new Thread(() -> {
			try {
				for (String line = reader.readLine(); line != null; line = reader.readLine()) {
					this.output.add(line);
				}
			}
			catch (IOException ex) {
				// the launcher ended
			}
		}, "launcher-output");
		pump.setDaemon(true);
		pump.start();
		awaitLine(READY_LINE, Duration.ofMinutes(5));
	}

	private List<Thread> startLoad(String url, String key, int count) {
		this.loading.set(true);
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < count; c++) {
			int client = c;
			Thread thread = new Thread(() -> {
				for (int i = 0; this.loading.get(); i++) {
					String requestId = "crash-" + client + "-" + i;
					long sent = System.nanoTime();
					try {
						Http.Response answer = Http.postJson(url,
								Map.of("Authorization", "Bearer " + key, "X-Request-Id", requestId), ROW);
						if (answer.status() / 100 == 2) {
							this.answered2xx.add(requestId);
							if (this.killed && sent - this.killedAtNanos > 0) {
								this.servedAgainNanos.compareAndSet(0, System.nanoTime());
							}
						}
						else {
							this.failed.incrementAndGet();
							Thread.sleep(50);
						}
					}
					catch (IOException ex) {
						// the gateway is down: connection refused or reset
						this.failed.incrementAndGet();
						sleep(100);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "client-" + c);
			thread.setDaemon(true);
			thread.start();
			clients.add(thread);
		}
		return clients;
	}

	private void awaitServed(int answers, Duration bound) throws InterruptedException {
		long deadline = System.nanoTime() + bound.toNanos();
		while (this.answered2xx.size() < answers) {
			assertThat(System.nanoTime()).as("clients served within %s", bound).isLessThan(deadline);
			Thread.sleep(100);
		}
	}

	private void awaitServedAgain(Duration bound) throws InterruptedException {
		long deadline = System.nanoTime() + bound.toNanos();
		while (this.servedAgainNanos.get() == 0) {
			assertThat(System.nanoTime()).as("clients served again within %s", bound).isLessThan(deadline);
			Thread.sleep(100);
		}
	}

	private void awaitLine(String prefix, Duration bound) throws InterruptedException {
		long deadline = System.nanoTime() + bound.toNanos();
		while (this.output.stream().noneMatch((line) -> line.startsWith(prefix))) {
			assertThat(this.launcher.isAlive() || this.output.stream().anyMatch((line) -> line.startsWith(prefix)))
				.as("the launcher stopped:%n%s", String.join("\n", this.output))
				.isTrue();
			assertThat(System.nanoTime())
				.as("'%s' within %s; launcher output:%n%s", prefix, bound, String.join("\n", this.output))
				.isLessThan(deadline);
			Thread.sleep(100);
		}
	}

	/** The running process of a service: the launcher's descendant that runs its jar. */
	private ProcessHandle service(String module) {
		List<ProcessHandle> found = this.launcher.descendants()
			.filter(ProcessHandle::isAlive)
			.filter((p) -> p.info().commandLine().orElse("").contains(module + "-"))
			.filter((p) -> p.info().commandLine().orElse("").contains("-exec.jar"))
			.toList();
		assertThat(found).as("running %s processes", module).hasSize(1);
		this.started.add(found.get(0));
		return found.get(0);
	}

	private static java.util.Optional<ProcessHandle> postmaster(Path dataDir) throws IOException {
		var pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
		return ProcessHandle.of(Long.parseLong(pid.get(0).trim()));
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
