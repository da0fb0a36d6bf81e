package dev.warden.systemtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quickstart launcher ({@code ./warden start}) as an operator runs it, twice on the
 * same data directory, with the runnable jars packaged by the build and a model store
 * that already holds small trained models (so it trains nothing). Finding 8: the demo API
 * key reaches the terminal, on a line beginning {@code Demo API key: }, the same key on
 * the second start, and never a log file; every log file is readable by its owner only.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(WardenCluster.LAUNCHER)
class LauncherIntegrationTests {

	private static final String KEY_LINE = "Demo API key: ";

	private static final String READY_LINE = "Press Ctrl-C to stop.";

	@TempDir
	Path root;

	private Process launcher;

	/**
	 * What the launcher started, recorded while it runs: if it dies without stopping
	 * them, they are stopped here.
	 */
	private final List<ProcessHandle> started = new ArrayList<>();

	@AfterEach
	void stopLauncherAndWhatItStarted() throws InterruptedException {
		if (this.launcher != null && this.launcher.isAlive()) {
			this.launcher.toHandle().destroy();
			if (!this.launcher.waitFor(60, TimeUnit.SECONDS)) {
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
	void demoKeyIsPrintedOnTheTerminalOnlyAndTheLogsAreOwnerOnly() throws Exception {
		Path store = Files.createDirectories(this.root.resolve("models"));
		TrainedModels.copyInto(store, TrainedModels.Size.SMALL);
		Path data = this.root.resolve("data");
		Path logs = Files.createDirectories(data.resolve("logs"));
		// a log left world-readable by an older launcher, with what that one printed into
		// it
		Path oldLog = Files.writeString(logs.resolve("platform-api.log"), KEY_LINE + "wdn_previousInstall_secret\n");
		Files.setPosixFilePermissions(oldLog, PosixFilePermissions.fromString("rw-r--r--"));

		List<String> first = startAndStop(store, data);
		String key = Files.readString(data.resolve("demo-api-key"), StandardCharsets.UTF_8).strip();

		assertThat(key).matches("wdn_[0-9A-Za-z]{12}_[0-9A-Za-z]{32}");
		assertThat(first).filteredOn((line) -> line.startsWith(KEY_LINE)).containsExactly(KEY_LINE + key);
		assertThat(mode(data.resolve("demo-api-key"))).isEqualTo("rw-------");
		assertLogsAreOwnerOnlyAndFreeOf(logs, key);
		// the console keeps its state in the gateway with a token made once for the data
		// directory
		Path stateTokenFile = data.resolve("console-state-token");
		String stateToken = Files.readString(stateTokenFile, StandardCharsets.UTF_8).strip();
		assertThat(stateToken).matches("[0-9a-f]{64}");
		assertThat(mode(stateTokenFile)).isEqualTo("rw-------");
		assertLogsAreOwnerOnlyAndFreeOf(logs, stateToken);
		assertThat(Files.readString(oldLog)).doesNotContain("wdn_previousInstall_secret")
			.as("the gateway's log names the key by its prefix")
			.contains(key.substring(0, key.lastIndexOf('_')));

		List<String> second = startAndStop(store, data);

		assertThat(second).filteredOn((line) -> line.startsWith(KEY_LINE)).containsExactly(KEY_LINE + key);
		assertLogsAreOwnerOnlyAndFreeOf(logs, key);
		assertThat(Files.readString(stateTokenFile, StandardCharsets.UTF_8).strip()).isEqualTo(stateToken);
	}

	/**
	 * {@code ./warden start --tls} in a fresh data directory: the printed {@code curl
	 * --cacert} command predicts over HTTPS with the demo key, and the keys made for the
	 * data directory are readable by their owner only.
	 */
	@Test
	void withTlsThePrintedCurlCommandPredictsOverHttps() throws Exception {
		Path store = Files.createDirectories(this.root.resolve("models"));
		TrainedModels.copyInto(store, TrainedModels.Size.SMALL);
		Path data = this.root.resolve("data");
		List<String> answers = new ArrayList<>();

		List<String> output = startAndStop(store, data, List.of("--tls"), (printed) -> {
			String command = printed.stream()
				.filter((line) -> line.startsWith("curl ") && line.contains("income:predict"))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no curl command printed:\n" + String.join("\n", printed)));
			assertThat(command).contains("--cacert " + data.resolve("tls").resolve("ca.pem"), " https://localhost:");
			Process curl = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
			answers.add(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
			assertThat(curl.waitFor(1, TimeUnit.MINUTES)).isTrue();
			answers.add("exit " + curl.exitValue());
		});

		assertThat(output).anySatisfy((line) -> assertThat(line).startsWith(KEY_LINE));
		assertThat(answers).as(String.join("\n", output)).hasSize(2);
		assertThat(answers.get(0)).contains("\"predictions\"", "probability");
		assertThat(answers.get(1)).isEqualTo("exit 0");
		Path tls = data.resolve("tls");
		List<Path> keys;
		try (Stream<Path> listed = Files.list(tls)) {
			keys = listed.filter((file) -> file.getFileName().toString().endsWith("-key.pem")).toList();
		}
		assertThat(keys).extracting((file) -> file.getFileName().toString())
			.contains("ca-key.pem", "gateway-key.pem", "worker-key.pem", "console-key.pem");
		for (Path key : keys) {
			assertThat(mode(key)).as(key.getFileName().toString()).isEqualTo("rw-------");
		}
	}

	/**
	 * Runs {@code ./warden start} until it says it is ready, then stops it as Ctrl-C
	 * would; returns its output.
	 */
	private List<String> startAndStop(Path store, Path data) throws Exception {
		return startAndStop(store, data, List.of(), (printed) -> {
		});
	}

	/** What a test does while the launcher runs, with what it printed so far. */
	@FunctionalInterface
	private interface WhileRunning {

		void accept(List<String> printed) throws Exception;

	}

	/**
	 * Runs {@code ./warden start} with {@code options} until it says it is ready, does
	 * {@code whileRunning}, then stops it as Ctrl-C would; returns its output.
	 */
	private List<String> startAndStop(Path store, Path data, List<String> options, WhileRunning whileRunning)
			throws Exception {
		String launcherScript = System.getProperty("warden.launcher");
		assertThat(launcherScript).as("system property warden.launcher").isNotNull();
		List<String> command = new ArrayList<>(List.of("bash", launcherScript, "start"));
		command.addAll(options);
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		Map<String, String> env = builder.environment();
		env.put("JAVA_HOME", System.getProperty("java.home"));
		env.put("WARDEN_DATA_DIR", data.toString());
		env.put("WARDEN_MODEL_STORE", store.toString());
		env.put("WARDEN_POLICIES_DIR", System.getProperty("warden.policies.dir"));
		// the build packaged the jars this test is about; the launcher must not rebuild
		// them under it
		env.put("WARDEN_SKIP_BUILD", "true");
		env.put("WARDEN_JAVA_OPTS", String.join(" ", WardenCluster.TEST_JVM_OPTIONS));
		env.put("WARDEN_GATEWAY_PORT", Integer.toString(freePort()));
		env.put("WARDEN_CONSOLE_PORT", Integer.toString(freePort()));
		env.put("WARDEN_WORKER_PORT", Integer.toString(freePort()));
		env.put("WARDEN_ADMIN_PASSWORD", WardenCluster.ADMIN_PASSWORD);
		env.put("WARDEN_COMPLIANCE_PASSWORD", WardenCluster.COMPLIANCE_PASSWORD);
		env.remove("WARDEN_DEMO");
		this.launcher = builder.start();
		List<String> output = new ArrayList<>();
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.launcher.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = reader.readLine(); line != null && !line.equals(READY_LINE); line = reader.readLine()) {
				output.add(line);
			}
			assertThat(this.launcher.isAlive())
				.as("the launcher stopped before it was ready:%n%s", String.join("\n", output))
				.isTrue();
			this.launcher.descendants().forEach(this.started::add);
			whileRunning.accept(List.copyOf(output));
			// SIGTERM, which the launcher handles like Ctrl-C; through the handle:
			// Process.destroy() also closes the pipe
			this.launcher.toHandle().destroy();
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				output.add(line);
			}
		}
		assertThat(this.launcher.waitFor(2, TimeUnit.MINUTES)).as("the launcher stops on SIGTERM").isTrue();
		assertThat(output).as(String.join("\n", output)).contains("Warden is running.");
		return output;
	}

	private static void assertLogsAreOwnerOnlyAndFreeOf(Path logs, String key) throws IOException {
		String secret = key.substring(key.lastIndexOf('_') + 1);
		List<Path> files;
		try (Stream<Path> listed = Files.list(logs)) {
			files = listed.filter(Files::isRegularFile).toList();
		}
		assertThat(files).extracting((file) -> file.getFileName().toString())
			.contains("inference-worker.log", "platform-api.log", "admin-ui.log");
		for (Path file : files) {
			assertThat(mode(file)).as(file.getFileName().toString()).isIn("rw-------", "rw-r-----");
			assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.getFileName().toString())
				.doesNotContain(secret);
		}
		assertThat(mode(logs)).isEqualTo("rwx------");
	}

	private static String mode(Path path) throws IOException {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
