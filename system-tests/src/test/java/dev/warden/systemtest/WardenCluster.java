package dev.warden.systemtest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import dev.warden.tls.LocalCertificateAuthority;
import dev.warden.tls.ReloadingClientContext;
import dev.warden.tls.TlsSettings;

/**
 * The three Warden applications started from their runnable jars as separate processes,
 * the way an operator runs them: two inference workers serving the same model store with
 * a model the test trains (the first configured on the gateway with
 * {@code WARDEN_WORKER_URL}, the second registering itself with heartbeats), the gateway
 * with its default embedded PostgreSQL in a fresh data directory, and the console with
 * its embedded authorization server. One cluster is shared by all system tests of a JVM
 * ({@link WardenClusterExtension}) and stopped (gracefully, SIGTERM) when they end.
 *
 * <p>
 * With {@link Options#TLS} the same processes serve HTTPS only, with certificates of a CA
 * made in the cluster's directory ({@code tls/}, by {@link LocalCertificateAuthority}):
 * every URL is {@code https://}, the gateway reaches the workers over mutual TLS and the
 * second worker registers itself over mutual TLS. The TLS tests share one such cluster of
 * their own ({@link WardenClusterExtension.Tls}).
 */
final class WardenCluster implements AutoCloseable {

	/**
	 * The JVM options of every process the system tests start (also through
	 * {@code ./warden}'s {@code WARDEN_JAVA_OPTS}): a small heap, the client compiler
	 * only and the serial collector. The tests start some thirty JVMs that each serve a
	 * few hundred requests; without the optimising compiler and its threads a worker's
	 * start took half the CPU time (about 6 s instead of 12 s on the two-core machine the
	 * suite must fit), and none of them runs long enough to repay it. Test settings only:
	 * an installation runs with the JVM's defaults, and so do the processes of the
	 * on-demand robustness run ({@code -Dwarden.robustness=true}), whose memory figures
	 * are published.
	 */
	static final List<String> TEST_JVM_OPTIONS = Boolean.getBoolean("warden.robustness") ? List.of("-Xmx512m")
			: List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

	/**
	 * How a cluster is started.
	 *
	 * @param tls HTTPS everywhere, mutual TLS between gateway and workers
	 * @param logPrefix prefix of the processes' log files (two clusters in one JVM write
	 * to the same logs directory)
	 * @param gatewaySettings further environment variables of the gateway
	 */
	record Options(boolean tls, String logPrefix, Map<String, String> gatewaySettings) {

		/** Plain HTTP, as most system tests use it. */
		static final Options PLAIN = new Options(false, "", Map.of());

		/**
		 * HTTPS everywhere; the gateway's Prometheus scrape open with
		 * {@link WardenCluster#METRICS_TOKEN} (the TLS tests read its per-worker
		 * counters).
		 */
		static final Options TLS = new Options(true, "tls-",
				Map.of("WARDEN_METRICS_SCRAPE_TOKEN", WardenCluster.METRICS_TOKEN));

	}

	/** The bearer token of the gateway's Prometheus scrape (TLS cluster only). */
	static final String METRICS_TOKEN = "metrics-system-test";

	/**
	 * The resource lock of the classes that run {@code ./warden} themselves, beside the
	 * classes that share this cluster: one of them at a time.
	 */
	static final String LAUNCHER = "warden-launcher";

	/**
	 * The resource lock of the classes that use the cluster with TLS everywhere
	 * ({@link WardenClusterExtension.Tls}): they run beside the classes that share the
	 * plain cluster, one of them at a time, since {@code DataDriftIntegrationTests}
	 * counts every prediction of its models on the cluster.
	 */
	static final String TLS_CLUSTER = "warden-tls-cluster";

	static final String ADMIN_PASSWORD = "admin-system-test";
	static final String COMPLIANCE_PASSWORD = "compliance-system-test";

	/** The second administrator's password (four-eyes approvals). */
	static final String REVIEWER_PASSWORD = "reviewer-system-test";
	static final String REGISTRATION_TOKEN = "registration-system-test";

	/**
	 * The bearer token with which the console keeps its sessions, signing keys and
	 * authorizations in platform-api: every cluster's gateway and console have it.
	 */
	static final String CONSOLE_STATE_TOKEN = "console-state-system-test";
	static final String SECOND_WORKER_ID = "second-worker";

	final Path root;

	final Path modelStore;

	final Path dataDir;

	final Path modelVersionDir;

	/**
	 * The gateway's policies directory: the repository's {@code policies/} with the
	 * system tests' own {@code promotion.yaml} (test resource
	 * {@code policies/promotion.yaml}).
	 */
	final Path policiesDir;

	final int workerPort;

	final int secondWorkerPort;

	final int gatewayPort;

	final int consolePort;

	final Options options;

	/**
	 * With TLS: the directory of the CA ({@code ca.pem}) and of each process's
	 * certificate and key ({@code gateway.pem}, {@code gateway-key.pem}, {@code worker…},
	 * {@code console…}); otherwise {@code null}.
	 */
	final Path tlsDir;

	/**
	 * With TLS: trusts the cluster's CA and presents the gateway's certificate (the
	 * workers accept no client without one); used for the health checks.
	 */
	private final SSLContext clientContext;

	private final List<Process> processes = new ArrayList<>();

	/** The process last launched under each name ({@code platform-api}, …). */
	private final Map<String, Process> named = new java.util.concurrent.ConcurrentHashMap<>();

	private Process worker;

	private Process gateway;

	private Process secondWorker;

	private final Path logs;

	private WardenCluster(Path root, Options options) throws Exception {
		this.root = root;
		this.options = options;
		this.modelStore = Files.createDirectories(root.resolve("models"));
		this.dataDir = Files.createDirectories(root.resolve("data"));
		this.policiesDir = policies(root.resolve("policies"));
		this.logs = Files
			.createDirectories(Path.of(System.getProperty("warden.logs.dir", root.resolve("logs").toString())));
		// a small, fast training run (once per test JVM): enough for a real SavedModel
		// with
		// the production signature; the text model too, briefly trained: explanations of
		// raw text
		this.modelVersionDir = TrainedModels.copyInto(modelStore, TrainedModels.Size.CLUSTER);
		this.workerPort = freePort();
		this.secondWorkerPort = freePort();
		this.gatewayPort = freePort();
		this.consolePort = freePort();
		if (options.tls()) {
			this.tlsDir = root.resolve("tls");
			LocalCertificateAuthority.init(this.tlsDir, List.of("localhost", "127.0.0.1", "::1"), Duration.ofDays(2));
			this.clientContext = tlsContext("gateway");
		}
		else {
			this.tlsDir = null;
			this.clientContext = null;
		}
	}

	/**
	 * A client context trusting the cluster's CA (besides the JDK's CAs) that presents
	 * the certificate of {@code process} ({@code null}: none); it follows the files when
	 * they change.
	 */
	SSLContext tlsContext(String process) {
		return ReloadingClientContext
			.of(new TlsSettings((process != null) ? this.tlsDir.resolve(process + ".pem") : null,
					(process != null) ? this.tlsDir.resolve(process + "-key.pem") : null, null, null, null,
					this.tlsDir.resolve("ca.pem"), null, null, TlsSettings.DEFAULT_PROTOCOLS,
					TlsSettings.DEFAULT_CIPHERS))
			.sslContext();
	}

	private String scheme() {
		return this.options.tls() ? "https" : "http";
	}

	/**
	 * The warden.tls settings of one process ({@code gateway}, {@code worker} or
	 * {@code console}): none without TLS.
	 */
	private Map<String, String> tlsSettings(String process) {
		if (!this.options.tls()) {
			return Map.of();
		}
		return Map.of("WARDEN_TLS_CERT", this.tlsDir.resolve(process + ".pem").toString(), "WARDEN_TLS_KEY",
				this.tlsDir.resolve(process + "-key.pem").toString(), "WARDEN_TLS_CA",
				this.tlsDir.resolve("ca.pem").toString());
	}

	/**
	 * The shipped policy files, with one model added to the shipped promotion policy: the
	 * routing test exercises canaries and rollbacks on a model of its own
	 * ({@code income-rollback}), which the entries of the test resource
	 * {@code policies/promotion-models.yaml} route without approval. Every other model,
	 * {@code income} included, has the shipped policy.
	 */
	private static Path policies(Path dir) throws IOException {
		Files.createDirectories(dir);
		try (var shipped = Files.list(Path.of(System.getProperty("warden.policies.dir")))) {
			for (Path file : shipped.filter(Files::isRegularFile).toList()) {
				Files.copy(file, dir.resolve(file.getFileName().toString()));
			}
		}
		// alerts: evaluated every 10 s (the least allowed), and the drift rules read the
		// last minute, so that DataDriftIntegrationTests sees its shifted replay alone
		Path monitoring = dir.resolve("monitoring.yaml");
		String policy = Files.readString(monitoring);
		String tuned = policy.replace("evaluate_every: 1m", "evaluate_every: 10s")
			.replace("{name: income-drift, model: income, kind: drift}",
					"{name: income-drift, model: income, kind: drift, window: 1m}")
			.replace("{name: spam-drift, model: spam, kind: drift}",
					"{name: spam-drift, model: spam, kind: drift, window: 1m}");
		if (tuned.equals(policy) || tuned.contains("evaluate_every: 1m")) {
			throw new IllegalStateException(
					"the shipped monitoring.yaml changed; change how the system tests tune its alerts");
		}
		Files.writeString(monitoring, tuned);
		Path promotion = dir.resolve("promotion.yaml");
		List<String> lines = Files.readAllLines(promotion);
		String lastTopLevel = lines.stream()
			.filter((line) -> !line.isEmpty() && Character.isLetter(line.charAt(0)))
			.reduce((first, second) -> second)
			.orElse("");
		if (!lastTopLevel.equals("models:")) {
			throw new IllegalStateException("the shipped promotion.yaml no longer ends with its models: section ("
					+ lastTopLevel + "); change how the system tests add their model to it");
		}
		try (var added = WardenCluster.class.getResourceAsStream("/policies/promotion-models.yaml")) {
			Files.writeString(promotion, "\n" + new String(added.readAllBytes(), StandardCharsets.UTF_8),
					java.nio.file.StandardOpenOption.APPEND);
		}
		return dir;
	}

	static WardenCluster start(Path root, Options options) throws Exception {
		var cluster = new WardenCluster(root, options);
		try {
			cluster.launchAll();
			return cluster;
		}
		catch (Exception | Error e) {
			cluster.close();
			throw e;
		}
	}

	String gateway() {
		return scheme() + "://localhost:" + gatewayPort;
	}

	/** The first worker's base URL, as the gateway is configured with it. */
	String worker() {
		return scheme() + "://127.0.0.1:" + workerPort;
	}

	/** The log file of one of the cluster's processes, e.g. {@code platform-api}. */
	Path log(String process) {
		return this.logs.resolve(this.options.logPrefix() + process + ".log");
	}

	/** The gateway's process (its id shows whether it was restarted). */
	ProcessHandle gatewayProcess() {
		return this.gateway.toHandle();
	}

	/**
	 * The operating-system process id of the cluster's process last started as
	 * {@code process}: {@code platform-api}, {@code inference-worker},
	 * {@code inference-worker-2} or {@code admin-ui}.
	 */
	long pid(String process) {
		Process started = this.named.get(process);
		if (started == null) {
			throw new IllegalArgumentException("no process " + process + " was started");
		}
		return started.pid();
	}

	/** A fresh administrator access token from the console's authorization server. */
	String adminToken() throws Exception {
		return token("admin", ADMIN_PASSWORD);
	}

	/**
	 * A fresh access token of the second administrator ({@code reviewer}, role
	 * {@code ADMIN}), who approves what {@code admin} asks for.
	 */
	String reviewerToken() throws Exception {
		return token("reviewer", REVIEWER_PASSWORD);
	}

	/**
	 * A fresh access token of the compliance officer (role {@code COMPLIANCE}) from the
	 * console's authorization server.
	 */
	String complianceToken() throws Exception {
		return token("compliance", COMPLIANCE_PASSWORD);
	}

	private String token(String user, String password) throws Exception {
		return new dev.warden.console.identity.AuthorizationCodeFlowClient(URI.create(console()))
			.obtainTokens(user, password)
			.accessToken();
	}

	/**
	 * A new tenant (name {@code prefix} plus a random suffix, plan {@code standard}) and
	 * a raw API key of it (named {@code prefix}).
	 */
	String newTenantKey(String prefix) throws Exception {
		return newTenantKey(prefix, "standard");
	}

	/**
	 * A new tenant (name {@code prefix} plus a random suffix) on {@code plan}
	 * ({@code null}: the default plan) and a raw API key of it (named {@code prefix}).
	 */
	String newTenantKey(String prefix, String plan) throws Exception {
		return newKey(newTenant(prefix, plan), prefix);
	}

	/**
	 * Creates a tenant named {@code prefix} plus a random suffix on {@code plan}
	 * ({@code null}: the default plan) as the administrator; returns its id.
	 */
	String newTenant(String prefix, String plan) throws Exception {
		String name = prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
		var tenant = Http.postJson(gateway() + "/api/admin/tenants", Http.bearer(adminToken()), (plan != null)
				? "{\"name\":\"" + name + "\",\"plan\":\"" + plan + "\"}" : "{\"name\":\"" + name + "\"}");
		if (tenant.status() != 201) {
			throw new IllegalStateException("tenant not created: " + tenant.status() + " " + tenant.body());
		}
		return tenant.json().path("id").asString();
	}

	/**
	 * Creates an API key named {@code name} for the tenant as the administrator; returns
	 * the raw key.
	 */
	String newKey(String tenantId, String name) throws Exception {
		var key = Http.postJson(gateway() + "/api/admin/tenants/" + tenantId + "/keys", Http.bearer(adminToken()),
				"{\"name\":\"" + name + "\"}");
		if (key.status() != 201) {
			throw new IllegalStateException("key not created: " + key.status() + " " + key.body());
		}
		return key.json().path("key").asString();
	}

	/**
	 * TensorFlow Serving's test models, kept unmodified as test resources of the worker
	 * (see the README there): {@code saved_model_half_plus_two_cpu} and the others, with
	 * their expected metadata JSON files.
	 */
	static Path tfServingTestData() {
		return Path.of(System.getProperty("warden.tfserving.testdata",
				"../inference-worker/src/test/resources/tfserving-testdata"));
	}

	/**
	 * Copies a model directory (with all its version directories) into the shared store
	 * as model {@code name}.
	 */
	synchronized void copyModel(Path source, String name) throws IOException {
		Path target = modelStore.resolve(name);
		if (Files.exists(target)) {
			return;
		}
		// prepared next to the store and moved in at once, so the workers never see half
		// a model
		Path staging = modelStore.resolve(".staging-" + name);
		copyTree(source, staging);
		Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	private static void copyTree(Path source, Path target) throws IOException {
		try (var paths = Files.walk(source)) {
			for (Path path : paths.toList()) {
				Path destination = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(destination);
				}
				else {
					Files.copy(path, destination);
				}
			}
		}
	}

	/**
	 * Copies a version directory into the shared store as {@code <model>/<version>},
	 * through a staging directory and a rename, so the workers never see half of it.
	 */
	synchronized void addVersion(Path versionDir, String model, long version) throws IOException {
		Path target = modelStore.resolve(model).resolve(Long.toString(version));
		if (Files.exists(target)) {
			return;
		}
		Files.createDirectories(target.getParent());
		Path staging = modelStore.resolve(model).resolve(".staging-" + version);
		copyTree(versionDir, staging);
		Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	/**
	 * A model whose only version cannot be loaded (its saved_model.pb is not a protocol
	 * buffer), created once.
	 */
	synchronized String brokenModel() throws IOException {
		String name = "broken-model";
		Path version = modelStore.resolve(name).resolve("1");
		if (!Files.exists(version)) {
			Path staging = Files.createDirectories(modelStore.resolve(".staging-" + name).resolve("1"));
			Files.writeString(staging.resolve("saved_model.pb"), "this is not a SavedModel");
			Files.move(staging.getParent(), modelStore.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		}
		return name;
	}

	String console() {
		return scheme() + "://localhost:" + consolePort;
	}

	private void launchAll() throws Exception {
		worker = launchWorker(Map.of());
		launch("admin-ui", System.getProperty("warden.console.jar"), consolePort, consoleSettings());
		gateway = launchGateway();
		awaitHealthy("inference-worker", workerPort);
		awaitHealthy("platform-api", gatewayPort);
		awaitHealthy("admin-ui", consolePort);
		// started last, on a machine that is no longer busy starting the others
		secondWorker = launchSecondWorker(Map.of());
		awaitHealthy("inference-worker-2", secondWorkerPort);
	}

	/**
	 * The console's settings: its public URL (also the embedded issuer) is
	 * {@link #console()} for every replica, its state is kept by the gateway; it waits
	 * for the gateway's signing keys while the gateway starts.
	 */
	private Map<String, String> consoleSettings() {
		var console = new HashMap<>(tlsSettings("console"));
		console.putAll(Map.of("WARDEN_CONSOLE_ISSUER", console(), "WARDEN_GATEWAY_URL", gateway(),
				"WARDEN_ADMIN_PASSWORD", ADMIN_PASSWORD, "WARDEN_COMPLIANCE_PASSWORD", COMPLIANCE_PASSWORD,
				"WARDEN_REVIEWER_PASSWORD", REVIEWER_PASSWORD, "WARDEN_CONSOLE_STATE_TOKEN", CONSOLE_STATE_TOKEN,
				"WARDEN_CONSOLE_STATE_STARTUP_TIMEOUT", "300s"));
		return console;
	}

	/**
	 * Starts another console replica on {@code port}, with the same public URL, issuer
	 * and state as the cluster's console (as a second replica behind a load balancer);
	 * returns once it is healthy. Stop it with {@link #stopConsoleReplica(Process)}.
	 */
	synchronized Process startConsoleReplica(int port) throws Exception {
		Process process = launch("admin-ui-" + port, System.getProperty("warden.console.jar"), port, consoleSettings());
		try {
			awaitHealthy("admin-ui-" + port, port);
		}
		catch (Exception ex) {
			stopConsoleReplica(process);
			throw ex;
		}
		return process;
	}

	/** Stops a replica started by {@link #startConsoleReplica(int)} and forgets it. */
	synchronized void stopConsoleReplica(Process process) throws InterruptedException {
		process.destroy();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		processes.remove(process);
	}

	/**
	 * Stops the cluster's console gracefully and starts it again on the same port;
	 * returns once it is healthy. Nothing else is restarted.
	 */
	synchronized void restartConsole() throws Exception {
		Process console = this.named.get("admin-ui");
		console.destroy();
		if (!console.waitFor(60, TimeUnit.SECONDS)) {
			console.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		processes.remove(console);
		launch("admin-ui", System.getProperty("warden.console.jar"), consolePort, consoleSettings());
		awaitHealthy("admin-ui", consolePort);
	}

	/**
	 * Stops both workers (and the gateway with its embedded PostgreSQL, when
	 * {@code gatewayToo}) gracefully and starts them again on the same ports and data,
	 * the workers with these extra settings (environment variables) only; the console
	 * keeps running. Returns once all of them are healthy.
	 */
	synchronized void restart(boolean gatewayToo, Map<String, String> workerSettings) throws Exception {
		List<Process> stopping = new ArrayList<>(List.of(worker, secondWorker));
		if (gatewayToo) {
			stopping.add(gateway);
		}
		stopping.forEach(Process::destroy);
		for (var process : stopping) {
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		processes.removeAll(stopping);
		// all at once: a JVM's start is mostly one thread, and the second worker retries
		// its registration until the gateway answers
		worker = launchWorker(workerSettings);
		if (gatewayToo) {
			gateway = launchGateway();
		}
		secondWorker = launchSecondWorker(workerSettings);
		awaitHealthy("inference-worker", workerPort);
		awaitHealthy("platform-api", gatewayPort);
		awaitHealthy("inference-worker-2", secondWorkerPort);
	}

	private Process launchWorker(Map<String, String> settings) throws IOException {
		var env = new HashMap<>(tlsSettings("worker"));
		env.putAll(settings);
		env.put("WARDEN_MODEL_STORE", modelStore.toString());
		env.put("WARDEN_DATA_DIR", dataDir.toString());
		return launch("inference-worker", System.getProperty("warden.worker.jar"), workerPort, env);
	}

	private Process launchGateway() throws IOException {
		var env = new HashMap<>(tlsSettings("gateway"));
		env.putAll(this.options.gatewaySettings());
		env.putAll(Map.of("WARDEN_DATA_DIR", dataDir.toString(), "WARDEN_WORKER_URL", worker(),
				"WARDEN_REGISTRATION_TOKEN", REGISTRATION_TOKEN, "WARDEN_OIDC_ISSUER_URI", console(),
				"WARDEN_CONSOLE_STATE_TOKEN", CONSOLE_STATE_TOKEN, "WARDEN_MODEL_STORE", modelStore.toString(),
				"WARDEN_POLICIES_DIR", policiesDir.toString(),
				// live drift counts in chunks of one second, flushed every
				// second: the drift test
				// compares two phases of a few seconds each
				"WARDEN_MONITORING_DRIFT_CHUNK", "1s", "WARDEN_MONITORING_DRIFT_FLUSH_INTERVAL", "1s"));
		return launch("platform-api", System.getProperty("warden.gateway.jar"), gatewayPort, env);
	}

	private Process launchSecondWorker(Map<String, String> settings) throws IOException {
		var env = new HashMap<>(tlsSettings("worker"));
		env.putAll(settings);
		env.putAll(Map.of("WARDEN_MODEL_STORE", modelStore.toString(), "WARDEN_DATA_DIR", dataDir.toString(),
				"WARDEN_PLATFORM_URL", gateway(), "WARDEN_REGISTRATION_TOKEN", REGISTRATION_TOKEN,
				"WARDEN_REGISTRATION_INTERVAL", "1s", "WARDEN_WORKER_ID", SECOND_WORKER_ID));
		return launch("inference-worker-2", System.getProperty("warden.worker.jar"), secondWorkerPort, env);
	}

	/**
	 * Starts a worker as if on another machine: its own empty model store, which it fills
	 * from the gateway's model store in PostgreSQL ({@code WARDEN_MODEL_STORE_SYNC}), its
	 * own data directory, registered with the gateway under {@code id}. Returns once it
	 * is healthy; stop it with {@link #stopWorker(Process)}.
	 */
	synchronized Process startSyncingWorker(String id, Path store, int port) throws Exception {
		var env = new HashMap<>(tlsSettings("worker"));
		env.putAll(Map.of("WARDEN_MODEL_STORE", store.toString(), "WARDEN_DATA_DIR",
				Files.createDirectories(root.resolve("data-" + id)).toString(), "WARDEN_PLATFORM_URL", gateway(),
				"WARDEN_REGISTRATION_TOKEN", REGISTRATION_TOKEN, "WARDEN_REGISTRATION_INTERVAL", "1s",
				"WARDEN_WORKER_ID", id, "WARDEN_MODEL_STORE_SYNC", "true", "WARDEN_MODEL_STORE_POLL_INTERVAL", "1s"));
		Process process = launch("inference-worker-" + id, System.getProperty("warden.worker.jar"), port, env);
		try {
			awaitHealthy("inference-worker-" + id, port);
		}
		catch (Exception ex) {
			stopWorker(process);
			throw ex;
		}
		return process;
	}

	/**
	 * Stops a worker started by {@link #startSyncingWorker} gracefully (it deregisters)
	 * and forgets it.
	 */
	synchronized void stopWorker(Process process) throws InterruptedException {
		process.destroy();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		processes.remove(process);
	}

	/**
	 * Kills the second worker at once (SIGKILL): no deregistration, connections dropped
	 * mid-request.
	 */
	synchronized void killSecondWorker() throws InterruptedException {
		secondWorker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		// stopped on purpose: a later start of another process must not take it for one
		// that died while starting
		processes.remove(secondWorker);
	}

	/**
	 * Stops the second worker gracefully (SIGTERM, as a service manager does): it
	 * deregisters, finishes the requests it is serving, then exits.
	 */
	synchronized void stopSecondWorker() throws InterruptedException {
		secondWorker.destroy();
		if (!secondWorker.waitFor(60, TimeUnit.SECONDS)) {
			secondWorker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			throw new IllegalStateException("the second worker did not stop within 60 s of SIGTERM; see " + logs);
		}
		processes.remove(secondWorker);
	}

	/**
	 * Starts the second worker unless it runs; returns once it is healthy. The classes
	 * that stop or kill it call this first and leave it stopped: starting a worker costs
	 * a minute of the run, and the next class that needs it (or a {@link #restart})
	 * starts it.
	 */
	synchronized void ensureSecondWorker() throws Exception {
		if (secondWorker == null || !secondWorker.isAlive()) {
			startSecondWorker();
		}
	}

	/**
	 * Starts the second worker again after it was stopped; returns once it is healthy.
	 */
	synchronized void startSecondWorker() throws Exception {
		processes.remove(secondWorker);
		secondWorker = launchSecondWorker(Map.of());
		awaitHealthy("inference-worker-2", secondWorkerPort);
	}

	private Process launch(String name, String jar, int port, Map<String, String> env) throws IOException {
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("runnable jar of " + name + " not found at " + jar
					+ ": run the system tests with 'mvn verify' from the project root so the jars are packaged first");
		}
		var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		var command = new ArrayList<String>();
		command.add(java);
		command.addAll(TEST_JVM_OPTIONS);
		command.addAll(List.of("-jar", jar, "--server.port=" + port));
		var builder = new ProcessBuilder(command).directory(root.toFile())
			.redirectErrorStream(true)
			// appended: a restarted process keeps the log of its first run
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
		builder.environment().putAll(env);
		builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		var process = builder.start();
		processes.add(process);
		named.put(name, process);
		return process;
	}

	private void awaitHealthy(String name, int port) throws Exception {
		var builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
		if (this.clientContext != null) {
			builder.sslContext(this.clientContext);
		}
		var client = builder.build();
		var deadline = Instant.now().plus(Duration.ofMinutes(5));
		// with TLS the certificates name 127.0.0.1, and the client checks it
		var request = HttpRequest.newBuilder(URI.create(scheme() + "://127.0.0.1:" + port + "/actuator/health"))
			.timeout(Duration.ofSeconds(5))
			.build();
		while (Instant.now().isBefore(deadline)) {
			for (var process : processes) {
				if (!process.isAlive()) {
					throw new IllegalStateException("a Warden process exited while starting; see " + logs);
				}
			}
			try {
				if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYetListening) {
				// keep polling until the deadline
			}
			Thread.sleep(250);
		}
		throw new IllegalStateException(name + " did not become healthy within 5 minutes; see " + logs);
	}

	/**
	 * A connection to the cluster's embedded PostgreSQL, as an operator's tool would open
	 * one: the port from {@code postmaster.pid} (its fourth line), the application role
	 * and its password from the data directory's owner-only credentials file.
	 */
	Connection database() throws Exception {
		return database(this.dataDir);
	}

	/** The same connection to the embedded PostgreSQL of any gateway data directory. */
	static Connection database(Path dataDir) throws Exception {
		var pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
		var credentials = new Properties();
		try (var in = Files.newBufferedReader(dataDir.resolve("postgres-credentials.properties"))) {
			credentials.load(in);
		}
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres",
				credentials.getProperty("application.name"), credentials.getProperty("application.password"));
	}

	static int freePort() throws IOException {
		try (var socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() throws Exception {
		for (var process : processes) {
			process.destroy();
		}
		for (var process : processes) {
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

}
