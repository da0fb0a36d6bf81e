package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The failure found in use, end to end with the real processes: a canary (version 2 at 20
 * %, stable version 1) on workers started with {@code WARDEN_LATEST_VERSIONS=2}, a
 * rollback, then the whole installation (gateway and both workers; the console is not
 * part of serving) restarted the usual way, with the default worker settings (latest 1,
 * which alone would load version 2). Calls naming no version are never answered 404 while
 * the workers converge, then are answered by version 1, and every worker reports version
 * 1 loaded and version 2 not. Routes to a version that does not exist are refused 409.
 * The model is a copy of the trained income model as {@code income-rollback} versions 1
 * and 2, so that the other system tests' {@code income} is left as it is; the cluster
 * ends with its usual settings, also when the test fails half way (the workers are then
 * restarted with their default settings, so that the next test class does not find them
 * keeping two versions of every model).
 *
 * <p>
 * The canary starts only once both workers serve what the platform wants of the model
 * without a canary (its latest version): the workers start with both versions loaded, and
 * the platform's first desired state unloads version 1. The gateway reads what a worker
 * serves once per health poll or heartbeat, so for up to a second after that unload it
 * still lists version 1 on the workers; a canary set in that second and checked against
 * that list looked loaded everywhere while version 1 was loaded nowhere, and every call
 * of the stable share was then answered by version 2 (the gateway's fallback for a routed
 * version that is not loaded where it was listed, then its choice while the version is
 * still being loaded). The canary's calls must not be such fallbacks (no
 * {@code Warning}).
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingTruthIntegrationTests {

	private static final String MODEL = "income-rollback";

	WardenCluster cluster;

	String apiKey;

	String tenantId;

	String body;

	/**
	 * Whether the workers run with their usual settings (false between the restart with
	 * {@code WARDEN_LATEST_VERSIONS=2} and the restart with the default settings).
	 */
	boolean usualWorkerSettings = true;

	@BeforeAll
	void createTheModelAndAKey(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		cluster.addVersion(cluster.modelVersionDir, MODEL, 1);
		cluster.addVersion(cluster.modelVersionDir, MODEL, 2);
		var admin = admin();
		var tenant = Http.postJson(cluster.gateway() + "/api/admin/tenants", admin,
				"{\"name\":\"serving-" + UUID.randomUUID().toString().substring(0, 8) + "\",\"plan\":\"enterprise\"}");
		assertThat(tenant.status()).as(tenant.body()).isEqualTo(201);
		tenantId = tenant.json().path("id").asString();
		var key = Http.postJson(cluster.gateway() + "/api/admin/tenants/" + tenantId + "/keys", admin,
				"{\"name\":\"serving\"}");
		assertThat(key.status()).as(key.body()).isEqualTo(201);
		apiKey = key.json().path("key").asString();
		body = JsonMapper.shared().writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS));
	}

	/**
	 * Restarts the workers with their default settings if the test stopped before it did.
	 */
	@AfterAll
	void restoreTheUsualWorkerSettings() throws Exception {
		if (!usualWorkerSettings) {
			cluster.restart(false, Map.of());
			usualWorkerSettings = true;
		}
	}

	private Map<String, String> admin() throws Exception {
		return Http.bearer(cluster.adminToken());
	}

	private Http.Response predict(String requestId) throws Exception {
		var headers = new HashMap<>(Http.bearer(apiKey));
		headers.put("X-Request-Id", requestId);
		return Http.postJson(cluster.gateway() + "/v1/models/" + MODEL + ":predict", headers, body);
	}

	/**
	 * The model as the admin API shows it, or {@code null} while it is not catalogued.
	 */
	private JsonNode model() throws Exception {
		var response = Http.get(cluster.gateway() + "/api/admin/models/" + MODEL, admin());
		return (response.status() == 200) ? response.json() : null;
	}

	/**
	 * The states of {@code version} on every worker the gateway routes to (both must be
	 * there).
	 */
	private Set<String> workerStates(JsonNode model, long version) {
		for (JsonNode candidate : model.path("versions")) {
			if (candidate.path("version").asString().equals(Long.toString(version))) {
				Set<String> states = new TreeSet<>();
				JsonNode workers = candidate.path("serving").path("workers");
				if (workers.size() != 2) {
					return Set.of();
				}
				workers.forEach((worker) -> states.add(worker.path("state").asString()));
				return states;
			}
		}
		return Set.of();
	}

	/**
	 * Whether both workers, as the gateway sees them, have loaded every version of the
	 * model the platform wants loaded and no other.
	 */
	private boolean servesWhatThePlatformWants() throws Exception {
		JsonNode model = model();
		if (model == null) {
			return false;
		}
		for (JsonNode version : model.path("versions")) {
			boolean aspired = version.path("serving").path("aspired").asBoolean();
			Set<String> states = workerStates(model, Long.parseLong(version.path("version").asString()));
			if (!states.equals(Set.of(aspired ? "AVAILABLE" : "NOT_LOADED"))) {
				return false;
			}
		}
		return true;
	}

	private boolean loadedEverywhere(long... versions) throws Exception {
		JsonNode model = model();
		if (model == null) {
			return false;
		}
		for (long version = 1; version <= 2; version++) {
			final long v = version;
			boolean wanted = Arrays.stream(versions).anyMatch((x) -> x == v);
			Set<String> states = workerStates(model, version);
			if (!states.equals(Set.of(wanted ? "AVAILABLE" : "NOT_LOADED"))) {
				return false;
			}
		}
		return true;
	}

	private void await(String what, CheckedCondition condition) throws Exception {
		var deadline = Instant.now().plus(Duration.ofMinutes(2));
		while (!condition.met()) {
			assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
			Thread.sleep(250);
		}
	}

	@FunctionalInterface
	interface CheckedCondition {

		boolean met() throws Exception;

	}

	@Test
	void afterACanaryARollbackAndARestartWithDefaultWorkerSettingsCallsAreAnsweredByTheStableVersion()
			throws Exception {
		// the installation of the report: workers keeping the two newest versions
		usualWorkerSettings = false;
		cluster.restart(false, Map.of("WARDEN_LATEST_VERSIONS", "2"));
		await("both versions in the catalogue", () -> {
			JsonNode model = model();
			return model != null && model.path("versions").size() == 2;
		});

		// routes to a version that does not exist are refused, naming it
		var missingCanary = Http.send("PUT", cluster.gateway() + "/api/admin/models/" + MODEL + "/canary", admin(),
				"{\"version\":7,\"weight\":20}");
		assertThat(missingCanary.status()).as(missingCanary.body()).isEqualTo(409);
		assertThat(missingCanary.body()).contains("\"code\":\"unknown_version\"", "no version 7");
		var missingStable = Http.send("PUT", cluster.gateway() + "/api/admin/models/" + MODEL + "/canary", admin(),
				"{\"version\":2,\"weight\":20,\"stable\":7}");
		assertThat(missingStable.status()).as(missingStable.body()).isEqualTo(409);
		var missingPin = Http.send("PUT", cluster.gateway() + "/api/admin/models/" + MODEL + "/pins/" + tenantId,
				admin(), "{\"version\":7}");
		assertThat(missingPin.status()).as(missingPin.body()).isEqualTo(409);
		assertThat(missingPin.body()).contains("\"code\":\"unknown_version\"");

		// the platform's first desired state has reached both workers, and the gateway
		// has read what they serve since (see the class comment)
		await("the workers serving what the platform wants without a canary", this::servesWhatThePlatformWants);
		var canary = Http.send("PUT", cluster.gateway() + "/api/admin/models/" + MODEL + "/canary", admin(),
				"{\"version\":2,\"weight\":20,\"stable\":1}");
		assertThat(canary.status()).as(canary.body()).isEqualTo(200);
		await("versions 1 and 2 loaded on both workers", () -> loadedEverywhere(1, 2));
		Set<String> split = new TreeSet<>();
		for (int i = 0; i < 40; i++) {
			var answer = predict("serving-canary-" + i);
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			split.add(answer.header("X-Model-Version"));
			assertThat(answer.header("Warning")).as("a call answered by another version than routed").isNull();
		}
		assertThat(split).containsExactly("1", "2");
		var rollback = Http.send("POST", cluster.gateway() + "/api/admin/models/" + MODEL + ":rollback", admin(), null);
		assertThat(rollback.status()).as(rollback.body()).isEqualTo(200);
		await("only version 1 loaded after the rollback", () -> loadedEverywhere(1));

		// the restart the usual way: default worker settings (latest 1), gateway too;
		// a client keeps calling all along
		var stop = new AtomicBoolean();
		List<String> answers = Collections.synchronizedList(new ArrayList<>());
		var client = new Thread(() -> {
			for (int n = 0; !stop.get(); n++) {
				try {
					var answer = predict("serving-restart-" + n);
					answers.add(answer.status() + " " + answer.header("X-Model-Version") + " "
							+ ((answer.status() == 200) ? "" : answer.body()));
				}
				catch (Exception unreachable) {
					// the gateway is restarting
				}
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "serving-restart-client");
		client.start();
		try {
			cluster.restart(true, Map.of());
			usualWorkerSettings = true;
			await("version 1 loaded and version 2 not, on both workers", () -> loadedEverywhere(1));
		}
		finally {
			stop.set(true);
			client.join(30_000);
		}
		System.out.printf("restart with default worker settings: %d answers while converging: %s%n", answers.size(),
				summary(answers));
		assertThat(answers).as("answers while the installation restarted").noneMatch((a) -> a.startsWith("404"));
		assertThat(answers).anyMatch((a) -> a.startsWith("200"));

		for (int i = 0; i < 20; i++) {
			var answer = predict("serving-after-" + i);
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			assertThat(answer.header("X-Model-Version")).isEqualTo("1");
			assertThat(answer.header("Warning")).isNull();
		}
		// the worker itself: version 1 AVAILABLE, version 2 not in memory
		var status = Http.get("http://127.0.0.1:" + cluster.workerPort + "/v1/models/" + MODEL, Map.of());
		assertThat(status.status()).isEqualTo(200);
		Map<String, String> states = new HashMap<>();
		status.json()
			.path("model_version_status")
			.forEach((v) -> states.put(v.path("version").asString(), v.path("state").asString()));
		assertThat(states).containsEntry("1", "AVAILABLE");
		assertThat(states.get("2")).isNotEqualTo("AVAILABLE");
	}

	/**
	 * Answers counted by status and version, e.g. {@code {200 2=12, 200 1=40, 503=3}}.
	 */
	private static Map<String, Integer> summary(List<String> answers) {
		Map<String, Integer> counts = new TreeMap<>();
		synchronized (answers) {
			for (String answer : answers) {
				String[] parts = answer.split(" ", 3);
				String key = parts[0].equals("200") ? parts[0] + " v" + parts[1] : parts[0];
				counts.merge(key, 1, Integer::sum);
			}
		}
		return counts;
	}

}
