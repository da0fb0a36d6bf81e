package dev.warden.platform.explainability;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.routing.AspiredVersions;
import dev.warden.platform.routing.VersionHolds;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Report jobs hold their version loaded: against a {@link LinearModelWorker} whose model
 * {@code held} follows the platform's desired state (versions 1 to 4 in its store, only
 * the newest loaded), a job for a version no worker has loaded holds it, which puts it in
 * the desired state; the worker loads it, the job runs, and the hold is gone afterwards.
 * A job cancelled while it waits, and a job whose version fails to load (with the
 * worker's reason), leave no hold either, nor does an attempt whose runner died.
 */
class ReportHoldIntegrationTests {

	private static ExplainabilityApp app;

	private static String dataset;

	@BeforeAll
	static void start() throws Exception {
		LinearModelWorker worker = new LinearModelWorker();
		try {
			worker.converging("held", 1, 2, 3, 4);
			Map<String, Object> settings = new LinkedHashMap<>();
			settings.put("warden.worker.url", worker.url());
			settings.put("warden.worker.health-interval", "200ms");
			settings.put("warden.explainability.jobs.poll-interval", "200ms");
			settings.put("warden.explainability.jobs.lease-timeout", "5s");
			settings.put("warden.explainability.jobs.load-timeout", "30s");
			settings.put("warden.explainability.jobs.concurrency", "1");
			settings.put("warden.explainability.jobs.auto-queue", "false");
			settings.put("warden.explainability.reference-data.register-shipped", "false");
			var dataDir = Files.createTempDirectory("warden-report-holds");
			app = new ExplainabilityApp(WardenFixture.start(dataDir, settings), worker, dataDir);
		}
		catch (Exception | Error ex) {
			worker.close();
			throw ex;
		}
		app.warden().app().bean(ModelCatalogue.class).sync();
		dataset = app.uploaded("held", "holds", ExplainabilityApp.csv(ExplainabilityApp.tabularRows(40, 3)));
	}

	@AfterAll
	static void stop() throws Exception {
		if (app != null) {
			app.close();
		}
	}

	@Test
	void aJobForAVersionNoWorkerLoadedHoldsItLoadedRunsAndReleasesIt() {
		assertThat(aspired().keySet()).doesNotContain(1L);
		app.worker().holdLoads("held");
		JsonNode queued;
		JsonNode loading;
		try {
			queued = app.queue("held", 1, "{\"dataset_id\":\"" + dataset + "\"}");
			String id = queued.path("id").asString();
			loading = await(() -> app.job(id), (job) -> "loading".equals(job.path("phase").asString()));
			assertThat(loading.path("state").asString()).isEqualTo("running");
			// the phase is loading from the claim on; the hold follows at once
			assertThat(await(ReportHoldIntegrationTests::holders, (holders) -> !holders.isEmpty()))
				.containsExactly("explainability-job-" + id + "-1");
			// the desired state is derived again right after the hold's transaction
			// commits: a moment after the row is visible
			assertThat(await(ReportHoldIntegrationTests::aspired, (versions) -> versions.containsKey(1L)).get(1L))
				.containsExactly("hold:explainability-job-" + id + "-1");
			// the worker was told to load it, and is loading it
			await(() -> app.worker().desiredStates, (states) -> states.stream()
				.anyMatch((s) -> s.path("models").path("held").valueStream().anyMatch((v) -> v.asLong() == 1)));
			assertThat(app.job(id).path("phase").asString()).isEqualTo("loading");
		}
		finally {
			app.worker().finishLoads("held");
		}
		JsonNode done = app.awaitJob(queued.path("id").asString(), "done", "failed", "cancelled");

		assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("done");
		assertThat(done.path("rows_done").asLong()).isEqualTo(40);
		assertThat(done.path("phase").isNull()).isTrue();
		assertThat(app.worker().explainRequests()).isNotEmpty()
			.allSatisfy((request) -> assertThat(request.path("instances").size()).isPositive());
		await(ReportHoldIntegrationTests::holders, List::isEmpty);
		await(ReportHoldIntegrationTests::aspired, (versions) -> !versions.containsKey(1L));
		JsonNode events = Json.read(Http
			.get(app.url("/api/admin/audit-events?target_type=model_version&target_id=held/1&size=50"), app.admin())
			.body());
		assertThat(events.path("content").findValuesAsString("action")).contains("model_version.hold_placed",
				"model_version.hold_released");
		assertThat(events.path("content").findValuesAsString("actor")).containsOnly("system");
	}

	@Test
	void aJobCancelledWhileItsVersionLoadsLeavesNoHold() {
		app.worker().holdLoads("held");
		try {
			String id = app.queue("held", 2, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString();
			await(() -> app.job(id), (job) -> "loading".equals(job.path("phase").asString()));
			// the phase is loading from the claim on; the hold follows at once
			assertThat(await(ReportHoldIntegrationTests::holders, (holders) -> !holders.isEmpty()))
				.containsExactly("explainability-job-" + id + "-1");
			assertThat(
					Http.send("POST", app.url("/api/admin/explainability/jobs/" + id + "/cancel"), null, app.bearer())
						.statusCode())
				.isEqualTo(200);

			JsonNode cancelled = app.awaitJob(id, "cancelled", "done", "failed");

			assertThat(cancelled.path("state").asString()).isEqualTo("cancelled");
			assertThat(cancelled.path("error").asString()).contains("loading");
			assertThat(cancelled.path("report_id").isNull()).isTrue();
			await(ReportHoldIntegrationTests::holders, List::isEmpty);
			// derived again right after the release commits
			await(ReportHoldIntegrationTests::aspired, (versions) -> !versions.containsKey(2L));
		}
		finally {
			app.worker().finishLoads("held");
		}
	}

	@Test
	void aJobWhoseVersionFailsToLoadFailsWithTheWorkersReasonAndLeavesNoHold() {
		app.worker().failToLoad("held", 3, "Op type not registered 'Frobnicate' in binary");
		String id = app.queue("held", 3, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString();

		JsonNode failed = app.awaitJob(id, "failed", "done", "cancelled");

		assertThat(failed.path("state").asString()).isEqualTo("failed");
		assertThat(failed.path("error").asString()).contains("version 3 of model held")
			.contains("Op type not registered 'Frobnicate' in binary");
		await(ReportHoldIntegrationTests::holders, List::isEmpty);
		await(ReportHoldIntegrationTests::aspired, (versions) -> !versions.containsKey(3L));
	}

	@Test
	void theHoldOfAnAttemptThatNoLongerRunsIsReleased() {
		String holder = "explainability-job-" + UUID.randomUUID() + "-1";
		app.warden().app().bean(VersionHolds.class).hold("held", 4, holder, "left by a runner that died", "system");

		await(ReportHoldIntegrationTests::holders, (holders) -> !holders.contains(holder));

		// a hold of another holder is no business of the job runners
		app.warden().app().bean(VersionHolds.class).hold("held", 4, "evaluation-7", null, "alice");
		ExplainabilityApp.sleep(1000);
		assertThat(holders()).containsExactly("evaluation-7");
		app.warden().app().bean(VersionHolds.class).release("held", 4, "evaluation-7", "alice");
	}

	private static List<String> holders() {
		return app.warden()
			.app()
			.bean(VersionHolds.class)
			.holds("held")
			.stream()
			.map(VersionHolds.Hold::holder)
			.toList();
	}

	private static Map<Long, List<String>> aspired() {
		return app.warden().app().bean(AspiredVersions.class).aspired("held");
	}

	/** Waits (up to 30 s) until {@code done} holds for what {@code read} returns. */
	private static <T> T await(Supplier<T> read, java.util.function.Predicate<T> done) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
		T value = read.get();
		while (!done.test(value)) {
			if (Instant.now().isAfter(deadline)) {
				throw new AssertionError("still " + value);
			}
			ExplainabilityApp.sleep(100);
			value = read.get();
		}
		return value;
	}

}
