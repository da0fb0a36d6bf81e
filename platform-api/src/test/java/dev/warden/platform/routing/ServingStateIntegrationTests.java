package dev.warden.platform.routing;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.warden.platform.Http;
import dev.warden.platform.TestPolicies;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.routing.internal.RouteFallbacks;
import dev.warden.platform.worker.DesiredState;
import dev.warden.platform.worker.WorkerFleet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform as the one source of truth for which versions the workers load, against a
 * stand-in worker that converges to the desired state the way the real one does
 * ({@link ConvergingWorker}; model {@code m}, versions 1 to 3 in its store, policy latest
 * 1 of its own): the desired state follows routes, pins and holds, is pushed to the
 * configured worker and handed to registered ones; a route or hold to a version that does
 * not exist or cannot be loaded is refused 409; calls naming no version never get a 404
 * while a version loads (the failure found in use: canary, rollback, restart with the
 * default policy), and when the routed version can be served nowhere they are answered by
 * another version with a {@code Warning}, audited once per transition.
 */
class ServingStateIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final String TOKEN = "serving-state-t0ken";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static ConvergingWorker worker;

	static WardenFixture warden;

	static WardenTestApp app;

	static String key;

	static String pinnedTenant;

	static String pinnedKey;

	@BeforeAll
	static void start() throws Exception {
		worker = new ConvergingWorker("m", List.of(1L, 2L, 3L));
		// a test of routing mechanics, not of governance: model m is routed without
		// approval
		warden = WardenFixture.start(dataDir,
				Map.of("warden.worker.urls", worker.url(), "warden.worker.health-interval", "200ms",
						"warden.registration.token", TOKEN, "warden.policies-dir",
						TestPolicies.write(policiesDir, TestPolicies.ROUTING_WITHOUT_APPROVAL).toString()));
		app = warden.app();
		app.bean(ModelCatalogue.class).sync();
		key = warden.key(warden.tenant("serving", "enterprise")).key();
		pinnedTenant = warden.tenant("serving-pinned", "enterprise");
		pinnedKey = warden.key(pinnedTenant).key();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
		worker.close();
	}

	@BeforeEach
	void nothingRoutedOrHeldAndTheWorkerConverged() {
		app.jdbc().sql("DELETE FROM model_routes").update();
		app.jdbc().sql("DELETE FROM model_pins").update();
		app.jdbc().sql("DELETE FROM model_version_holds").update();
		app.jdbc().sql("UPDATE model_versions SET load_error = NULL, state = 'AVAILABLE'").update();
		for (long version = 1; version <= 3; version++) {
			worker.repaired(version);
		}
		worker.finishLoads();
		worker.reportCurrentState();
		app.bean(ModelRouting.class).refresh();
		awaitConverged();
	}

	/** The worker follows the current generation and the gateway has seen it. */
	private static void awaitConverged() {
		DesiredState state = app.bean(AspiredVersions.class).refresh();
		await(() -> Long.valueOf(state.generation()).equals(worker.generation())
				&& worker.available().equals(state.models().get("m")));
		await(() -> state.models()
			.get("m")
			.stream()
			.allMatch((v) -> app.bean(WorkerFleet.class).availability("m", v) == WorkerFleet.Availability.AVAILABLE));
	}

	private static HttpResponse<String> admin(String method, String path, String body) {
		return Http.send(method, app.url(path), body, warden.admin());
	}

	private static HttpResponse<String> predict(String path, String apiKey, String requestId) {
		return Http.postJson(app.url(path), PREDICT, "X-API-Key", apiKey, "X-Request-Id", requestId);
	}

	private static void await(BooleanSupplier condition) {
		Instant deadline = Instant.now().plusSeconds(30);
		while (!condition.getAsBoolean()) {
			assertThat(Instant.now()).as("condition not met within 30 s").isBefore(deadline);
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	private static long auditCount(String action) {
		return app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = :action")
			.param("action", action)
			.query(Long.class)
			.single();
	}

	private static JsonNode version(JsonNode model, long version) {
		for (JsonNode candidate : model.path("versions")) {
			if (candidate.path("version").asString().equals(Long.toString(version))) {
				return candidate;
			}
		}
		throw new AssertionError("no version " + version + " in " + model);
	}

	@Test
	void theDesiredStateFollowsRoutesAndPinsAndTheConfiguredWorkerConvergesToIt() {
		AspiredVersions aspired = app.bean(AspiredVersions.class);
		DesiredState unrouted = aspired.refresh();
		// no stable version: the newest (warden.routing.latest-versions = 1)
		assertThat(unrouted.models()).containsEntry("m", new TreeSet<>(Set.of(3L)));
		assertThat(worker.available()).containsExactly(3L);
		assertThat(worker.received()).isNotEmpty();
		JsonNode pushed = worker.received().get(worker.received().size() - 1);
		assertThat(pushed.path("generation").asLong()).isEqualTo(unrouted.generation());
		assertThat(pushed.path("models").path("m").toString()).isEqualTo("[3]");

		JsonNode listed = JSON.readTree(admin("GET", "/api/admin/models/m", null).body());
		assertThat(version(listed, 3).path("serving").toString()).contains("\"aspired\":true",
				"\"reasons\":[\"latest\"]", "\"worker\":\"configured-1\"", "\"state\":\"AVAILABLE\"");
		assertThat(version(listed, 1).path("serving").toString()).contains("\"aspired\":false",
				"\"state\":\"NOT_LOADED\"");

		HttpResponse<String> canary = admin("PUT", "/api/admin/models/m/canary",
				"{\"version\":2,\"weight\":20,\"stable\":1}");
		assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
		DesiredState withCanary = aspired.desiredState().orElseThrow();
		assertThat(withCanary.generation()).isGreaterThan(unrouted.generation());
		assertThat(withCanary.models()).containsEntry("m", new TreeSet<>(Set.of(1L, 2L)));
		awaitConverged();
		assertThat(worker.available()).containsExactly(1L, 2L);

		assertThat(admin("PUT", "/api/admin/models/m/pins/" + pinnedTenant, "{\"version\":3}").statusCode())
			.isEqualTo(200);
		assertThat(aspired.desiredState().orElseThrow().models()).containsEntry("m", new TreeSet<>(Set.of(1L, 2L, 3L)));
		awaitConverged();
		JsonNode pinned = JSON.readTree(admin("GET", "/api/admin/models/m", null).body());
		assertThat(version(pinned, 3).path("serving").path("reasons").toString()).isEqualTo("[\"pin\"]");
		assertThat(version(pinned, 1).path("serving").path("reasons").toString()).isEqualTo("[\"stable\"]");

		// another replica derives the same document under the same generation, and
		// nothing changes without a change
		DesiredState here = aspired.refresh();
		DesiredState there = warden.replica().bean(AspiredVersions.class).refresh();
		assertThat(there).isEqualTo(here);
		assertThat(aspired.refresh().generation()).isEqualTo(here.generation());
	}

	/**
	 * The failure found in use: canary v2 20 % on stable v1, rollback, then the worker
	 * restarts with its default policy (latest 1: it loads version 3, the newest). The
	 * platform tells it to load version 1; while version 1 loads, calls naming no version
	 * are answered by what the worker has (no 404, no warning: nothing failed); then by
	 * version 1.
	 */
	@Test
	void afterACanaryARollbackAndARestartWithTheDefaultPolicyCallsAreAnsweredByTheStableVersion() {
		long fallbacksBefore = auditCount("model.route_fallback");
		assertThat(
				admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":20,\"stable\":1}").statusCode())
			.isEqualTo(200);
		awaitConverged();
		Set<String> seen = new TreeSet<>();
		for (int i = 0; i < 40; i++) {
			HttpResponse<String> answer = predict("/v1/models/m:predict", key, "canary-" + i);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			seen.add(answer.headers().firstValue("X-Model-Version").orElseThrow());
		}
		assertThat(seen).containsExactly("1", "2");
		assertThat(admin("POST", "/api/admin/models/m:rollback", null).statusCode()).isEqualTo(200);
		awaitConverged();
		assertThat(worker.available()).containsExactly(1L);

		worker.holdLoads();
		worker.restart();
		assertThat(worker.available()).containsExactly(3L);
		await(() -> app.bean(WorkerFleet.class).availability("m", 1) == WorkerFleet.Availability.CONVERGING);
		List<String> versions = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> answer = predict("/v1/models/m:predict", key, "restart-" + i);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			assertThat(answer.headers().firstValue("Warning")).isEmpty();
			versions.add(answer.headers().firstValue("X-Model-Version").orElseThrow());
		}
		assertThat(versions).containsOnly("3");
		long generation = app.bean(AspiredVersions.class).refresh().generation();
		await(() -> Long.valueOf(generation).equals(worker.generation()));
		assertThat(predict("/v1/models/m:predict", key, "restart-loading").headers().firstValue("X-Model-Version"))
			.hasValue("3");

		worker.finishLoads();
		awaitConverged();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> answer = predict("/v1/models/m:predict", key, "converged-" + i);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			assertThat(answer.headers().firstValue("X-Model-Version")).hasValue("1");
		}
		assertThat(worker.available()).containsExactly(1L);
		// nothing failed: no fallback was recorded
		assertThat(auditCount("model.route_fallback")).isEqualTo(fallbacksBefore);
	}

	@Test
	void routesAndHoldsToAVersionThatDoesNotExistOrCannotBeLoadedAreRefused() {
		HttpResponse<String> canary = admin("PUT", "/api/admin/models/m/canary", "{\"version\":9,\"weight\":10}");
		assertThat(canary.statusCode()).isEqualTo(409);
		assertThat(canary.body()).contains("\"code\":\"unknown_version\"", "model m has no version 9");
		HttpResponse<String> stable = admin("PUT", "/api/admin/models/m/canary",
				"{\"version\":2,\"weight\":10,\"stable\":9}");
		assertThat(stable.statusCode()).isEqualTo(409);
		assertThat(stable.body()).contains("\"code\":\"unknown_version\"", "no version 9");
		HttpResponse<String> pin = admin("PUT", "/api/admin/models/m/pins/" + pinnedTenant, "{\"version\":9}");
		assertThat(pin.statusCode()).isEqualTo(409);
		assertThat(pin.body()).contains("\"code\":\"unknown_version\"");
		HttpResponse<String> hold = admin("POST", "/api/admin/models/m/versions/9/holds", "{\"holder\":\"eval-1\"}");
		assertThat(hold.statusCode()).isEqualTo(409);
		assertThat(hold.body()).contains("\"code\":\"unknown_version\"");

		worker.failing(2, "cannot load SavedModel m/2: graph is broken");
		app.bean(ModelCatalogue.class).sync();
		HttpResponse<String> failed = admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":10}");
		assertThat(failed.statusCode()).isEqualTo(409);
		assertThat(failed.body()).contains("\"code\":\"version_not_loadable\"",
				"version 2 of model m cannot be loaded: cannot load SavedModel m/2: graph is broken");
		assertThat(admin("PUT", "/api/admin/models/m/pins/" + pinnedTenant, "{\"version\":2}").body())
			.contains("\"code\":\"version_not_loadable\"");

		assertThat(app.jdbc().sql("SELECT count(*) FROM model_routes").query(Long.class).single()).isZero();
		assertThat(app.jdbc().sql("SELECT count(*) FROM model_pins").query(Long.class).single()).isZero();
		assertThat(app.jdbc().sql("SELECT count(*) FROM model_version_holds").query(Long.class).single()).isZero();
	}

	@Test
	void whenNoWorkerCanServeTheRoutedVersionCallsAreAnsweredByAnotherWithAWarningAndEachTransitionIsAuditedOnce()
			throws Exception {
		// stable 1 (a canary started and rolled back), version 2 held for an evaluation,
		// a tenant pinned to 1
		assertThat(
				admin("PUT", "/api/admin/models/m/canary", "{\"version\":2,\"weight\":50,\"stable\":1}").statusCode())
			.isEqualTo(200);
		assertThat(admin("POST", "/api/admin/models/m:rollback", null).statusCode()).isEqualTo(200);
		assertThat(admin("POST", "/api/admin/models/m/versions/2/holds", "{\"holder\":\"evaluation-7\"}").statusCode())
			.isEqualTo(201);
		assertThat(admin("PUT", "/api/admin/models/m/pins/" + pinnedTenant, "{\"version\":1}").statusCode())
			.isEqualTo(200);
		awaitConverged();
		assertThat(worker.available()).containsExactly(1L, 2L);
		long fallbacksBefore = auditCount("model.route_fallback");
		long restoredBefore = auditCount("model.route_restored");

		worker.failing(1, "cannot load SavedModel m/1: the disk is gone");
		await(() -> app.bean(WorkerFleet.class).availability("m", 1) == WorkerFleet.Availability.UNAVAILABLE);
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> answer = predict("/v1/models/m:predict", key, "fallback-" + i);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			assertThat(answer.headers().firstValue("X-Model-Version")).hasValue("2");
			assertThat(answer.headers().firstValue("Warning"))
				.hasValue("199 warden \"version 1 of model m is not available on any worker; answered by version 2\"");
		}
		// a pinned caller and a call naming the version keep their exact semantics
		HttpResponse<String> pinned = predict("/v1/models/m:predict", pinnedKey, "pinned-1");
		assertThat(pinned.statusCode()).isEqualTo(404);
		assertThat(pinned.body()).contains("model_not_found");
		assertThat(predict("/v1/models/m/versions/1:predict", key, "explicit-1").statusCode()).isEqualTo(404);

		app.bean(RouteFallbacks.class).flush();
		assertThat(auditCount("model.route_fallback")).isEqualTo(fallbacksBefore + 1);
		Map<String, Object> event = app.jdbc()
			.sql("SELECT actor, target_id, details::text AS details FROM audit_events "
					+ "WHERE action = 'model.route_fallback' ORDER BY occurred_at DESC LIMIT 1")
			.query()
			.singleRow();
		assertThat(event).containsEntry("actor", "system").containsEntry("target_id", "m");
		assertThat((String) event.get("details")).contains("\"routed_version\": 1", "the disk is gone");
		assertThat(app.jdbc().sql("SELECT routed_version FROM model_route_fallbacks").query(Long.class).list())
			.containsExactly(1L);
		assertThat(app.bean(MeterRegistry.class).counter("warden.routing.fallback.answers", "model", "m").count())
			.isGreaterThanOrEqualTo(5);

		worker.repaired(1);
		await(() -> app.bean(WorkerFleet.class).availability("m", 1) == WorkerFleet.Availability.AVAILABLE);
		HttpResponse<String> restored = predict("/v1/models/m:predict", key, "restored-1");
		assertThat(restored.headers().firstValue("X-Model-Version")).hasValue("1");
		assertThat(restored.headers().firstValue("Warning")).isEmpty();
		app.bean(RouteFallbacks.class).flush();
		assertThat(auditCount("model.route_fallback")).isEqualTo(fallbacksBefore + 1);
		assertThat(auditCount("model.route_restored")).isEqualTo(restoredBefore + 1);
		assertThat(app.jdbc().sql("SELECT count(*) FROM model_route_fallbacks").query(Long.class).single()).isZero();
	}

	@Test
	void holdsArePlacedListedAndReleasedWithTheirAuditEventsAndKeepTheVersionLoaded() {
		HttpResponse<String> placed = admin("POST", "/api/admin/models/m/versions/1/holds",
				"{\"holder\":\"report-2026-q1\",\"reason\":\"quarterly fairness report\"}");
		assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
		assertThat(placed.body()).contains("\"holder\":\"report-2026-q1\"", "\"version\":1",
				"\"created_by\":\"alice\"");
		assertThat(app.bean(AspiredVersions.class).desiredState().orElseThrow().models()).containsEntry("m",
				new TreeSet<>(Set.of(1L, 3L)));
		awaitConverged();
		assertThat(worker.available()).containsExactly(1L, 3L);
		assertThat(version(JSON.readTree(admin("GET", "/api/admin/models/m", null).body()), 1).path("serving")
			.path("reasons")
			.toString()).isEqualTo("[\"hold:report-2026-q1\"]");
		assertThat(admin("GET", "/api/admin/models/m/holds", null).body())
			.contains("\"reason\":\"quarterly fairness report\"");
		assertThat(auditCount("model_version.hold_placed")).isGreaterThanOrEqualTo(1);

		assertThat(admin("POST", "/api/admin/models/m/versions/1/holds", "{\"holder\":\"bad holder!\"}").body())
			.contains("\"code\":\"invalid_hold\"");
		assertThat(admin("POST", "/api/admin/models/m/versions/1/holds", "{}").statusCode()).isEqualTo(400);
		assertThat(admin("POST", "/api/admin/models/nosuch/versions/1/holds", "{\"holder\":\"x\"}").statusCode())
			.isEqualTo(404);
		HttpResponse<String> compliance = Http.send("POST", app.url("/api/admin/models/m/versions/1/holds"),
				"{\"holder\":\"x\"}", warden.as("carol", "COMPLIANCE"));
		assertThat(compliance.statusCode()).isEqualTo(403);

		assertThat(admin("DELETE", "/api/admin/models/m/versions/1/holds/report-2026-q1", null).statusCode())
			.isEqualTo(204);
		assertThat(admin("DELETE", "/api/admin/models/m/versions/1/holds/report-2026-q1", null).statusCode())
			.isEqualTo(404);
		assertThat(auditCount("model_version.hold_released")).isGreaterThanOrEqualTo(1);
		assertThat(app.bean(AspiredVersions.class).desiredState().orElseThrow().models()).containsEntry("m",
				new TreeSet<>(Set.of(3L)));
		awaitConverged();
		assertThat(worker.available()).containsExactly(3L);
	}

	@Test
	void aRegisteredWorkerGetsTheDesiredStateInItsHeartbeatAnswer() {
		String heartbeat = "{\"id\":\"registered-1\",\"url\":\"http://127.0.0.1:9\",\"interval_ms\":1000,"
				+ "\"desired_generation\":null,\"models\":{}}";
		HttpResponse<String> answer = Http.send("POST", app.url("/internal/platform/workers/heartbeat"), heartbeat,
				"Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
		try {
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			DesiredState state = app.bean(AspiredVersions.class).desiredState().orElseThrow();
			JsonNode desired = JSON.readTree(answer.body()).path("desired");
			assertThat(desired.path("generation").asLong()).isEqualTo(state.generation());
			assertThat(desired.path("models").path("m").toString()).isEqualTo("[3]");
			HttpResponse<String> invalid = Http.send("POST", app.url("/internal/platform/workers/heartbeat"),
					heartbeat.replace("null", "-4"), "Authorization", "Bearer " + TOKEN, "Content-Type",
					"application/json");
			assertThat(invalid.statusCode()).isEqualTo(400);
			assertThat(invalid.body()).contains("desired_generation");
		}
		finally {
			Http.send("POST", app.url("/internal/platform/workers/heartbeat"),
					"{\"id\":\"registered-1\",\"stopping\":true}", "Authorization", "Bearer " + TOKEN, "Content-Type",
					"application/json");
		}
		await(() -> app.bean(WorkerFleet.class).reports().stream().noneMatch((w) -> w.id().equals("registered-1")));
	}

	@Test
	void aRoutedVersionTheWorkersLastReportsStillListButTheWorkerNoLongerServesIsAnsweredByAnotherVersionNot404() {
		HttpResponse<String> canary = admin("PUT", "/api/admin/models/m/canary",
				"{\"version\":3,\"weight\":50,\"stable\":2}");
		assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
		awaitConverged();
		// the worker drops version 2 between two of the gateway's polls
		worker.unloadUnreported(2);
		Set<String> answeredBy = new TreeSet<>();
		int warned = 0;
		for (int i = 0; i < 40; i++) {
			HttpResponse<String> answer = predict("/v1/models/m:predict", key, "stale-" + i);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			answeredBy.add(answer.headers().firstValue("X-Model-Version").orElseThrow());
			if (answer.headers().firstValue("Warning").isPresent()) {
				assertThat(answer.headers().firstValue("Warning").get()).contains("version 2 of model m",
						"answered by version 3");
				warned++;
			}
		}
		// the stable half asked for version 2 and was answered by version 3, saying so
		assertThat(answeredBy).containsExactly("3");
		assertThat(warned).isBetween(1, 39);
		// an explicit version is still answered exactly, with the worker's 404
		assertThat(predict("/v1/models/m/versions/2:predict", key, "stale-explicit").statusCode()).isEqualTo(404);
	}

}
