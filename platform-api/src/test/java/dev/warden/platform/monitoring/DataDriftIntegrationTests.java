package dev.warden.platform.monitoring;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

import dev.warden.platform.Await;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.monitoring.internal.DriftStore;
import dev.warden.platform.monitoring.internal.ProfileBuilder;
import dev.warden.platform.monitoring.internal.ProfileSettings;
import dev.warden.platform.system.WardenProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data drift on the shared application: a version ({@code drift-echo}/3, in front of the
 * fixed-answer worker, which answers every call {@code {"predictions":[0.5]}}; the model
 * catalogue does not know it, and need not: a stored profile is enough) with a reference
 * profile stored here; calls through the gateway are counted in the profile's bins by the
 * background thread and flushed, and the API answers those counts and the statistics; two
 * accumulators flushing the same chunk add up; the policy file is validated, reloaded and
 * audited; bad parameters and roles.
 */
@ExtendWith(SharedWardenExtension.class)
class DataDriftIntegrationTests {

	private static final String MODEL = "drift-echo";

	private static final long VERSION = 3;

	private static final String BASE = "/api/admin/models/" + MODEL + "/versions/" + VERSION;

	static UUID profileId;

	@BeforeAll
	static void versionWithAProfile(WardenFixture warden) {
		JdbcClient jdbc = warden.app().jdbc();
		if (profileId != null) {
			return;
		}
		UUID dataset = UUID.randomUUID();
		// a dataset that was deleted after profiling: the profile keeps its id and digest
		jdbc.sql("INSERT INTO reference_datasets (id, model, name, source, columns, row_count, chunk_count, sha256, "
				+ "data_key, kek_id, created_at, created_by, deleted_at, deleted_by) VALUES (:id, :model, :name, "
				+ "'upload', CAST('[{\"name\":\"x\",\"dtype\":\"DT_FLOAT\"}]' AS jsonb), 100, 0, 'ab', NULL, 'test', "
				+ "now(), 'test', now(), 'test')")
			.param("id", dataset)
			.param("model", MODEL)
			.param("name", "drift-" + dataset)
			.update();
		// x = 0 … 99: edges 9, 19, …, 89 (the 10th, 20th, … smallest value); every answer
		// [0.5, 0.5]: class 0, score bin
		// [0.5, 0.6)
		ProfileBuilder builder = new ProfileBuilder(List.of("x"), List.of("DT_FLOAT"),
				new ProfileSettings(10, 64, 10, Set.of(), Set.of()));
		for (int i = 0; i < 100; i++) {
			builder.add(new String[] { Integer.toString(i) }, null, new double[] { 0.5, 0.5 });
		}
		UUID id = UUID.randomUUID();
		warden.app()
			.bean(DriftStore.class)
			.storeProfile(id, MODEL, VERSION, dataset, "ab", null, builder.build(), "test");
		profileId = id;
	}

	private static String encode(Instant instant) {
		return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
	}

	private static JsonNode get(WardenFixture warden, String path) {
		HttpResponse<String> response = Http.get(warden.app().url(path), warden.as("carol", "COMPLIANCE"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Json.read(response.body());
	}

	@Test
	void callsThroughTheGatewayAreCountedInTheProfilesBins(WardenFixture warden) {
		WardenTestApp app = warden.app();
		String key = warden.key(warden.tenant("drift-sent", "standard")).key();
		DataDrift drift = app.bean(DataDrift.class);
		drift.flush();
		Instant from = Instant.now();
		int[] values = { 5, 15, 15, 95, 1000, -3 };
		for (int value : values) {
			HttpResponse<String> answer = Http.postJson(app.url("/v1/models/" + MODEL + "/versions/3:predict"),
					"{\"instances\":[{\"x\":" + value + "}]}", "X-API-Key", key);
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		}
		HttpResponse<String> v2 = Http.postJson(app.url("/v2/models/" + MODEL + "/versions/3/infer"),
				"{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[55]}]}", "X-API-Key", key);
		// the fixed answer is no v2 answer: the call is not counted (unreadable), nothing
		// else happens
		assertThat(v2.statusCode()).isEqualTo(200);
		Await.within(Duration.ofSeconds(10), drift::idle, (idle) -> idle);
		drift.flush();
		Instant to = Instant.now().plusSeconds(61);
		JsonNode live = get(warden, BASE + "/drift/live?from=" + encode(from) + "&to=" + encode(to));
		assertThat(live.path("profile_id").asString()).isEqualTo(profileId.toString());
		assertThat(live.path("requests").asLong()).isEqualTo(values.length);
		assertThat(live.path("samples").asLong()).isEqualTo(values.length);
		assertThat(live.path("skipped_requests").asLong()).isZero();
		JsonNode x = live.path("features").get(0).path("values");
		// (-inf,9) [9,19) … [89,+inf) missing: -3 and 5; 15 twice; 95 and 1000
		assertThat(Json.read(x.path("counts").toString()).toString()).isEqualTo("[2,2,0,0,0,0,0,0,0,2,0]");
		assertThat(x.path("bins").get(0).asString()).isEqualTo("(-inf, 9)");
		JsonNode score = live.path("prediction").path("score").path("counts");
		assertThat(score.get(5).asLong()).isEqualTo(values.length);
		JsonNode report = get(warden, BASE + "/drift?from=" + encode(from) + "&to=" + encode(to) + "&window=1h");
		JsonNode window = report.path("windows").get(0);
		JsonNode statistic = window.path("features").get(0).path("statistics").get(0);
		assertThat(statistic.path("n_ref").asLong()).isEqualTo(100);
		assertThat(statistic.path("n_live").asLong()).isEqualTo(values.length);
		// 6 rows are fewer than min_samples (100): no verdict, though the distributions
		// differ
		assertThat(statistic.path("verdict").asString()).isEqualTo("insufficient_data");
		assertThat(statistic.path("psi").asDouble()).isGreaterThan(0.2);
		assertThat(window.path("verdict").asString()).isEqualTo("insufficient_data");
		assertThat(report.path("thresholds").path("min_samples").asLong()).isEqualTo(100);
	}

	@Test
	void twoReplicasFlushingTheSameChunkAddUp(WardenFixture warden) throws Exception {
		WardenTestApp app = warden.app();
		DriftProperties properties = new DriftProperties(true, Duration.ofHours(1), Duration.ofSeconds(60), 100,
				DataSize.ofMegabytes(1), Duration.ofSeconds(1), Duration.ofSeconds(30), false, 256);
		DataDrift first = new DataDrift(app.bean(DriftStore.class), app.bean(MonitoringPolicies.class), properties,
				new SimpleMeterRegistry());
		DataDrift second = new DataDrift(app.bean(DriftStore.class), app.bean(MonitoringPolicies.class), properties,
				new SimpleMeterRegistry());
		Instant chunk = Instant.parse("2026-01-05T10:07:00Z");
		byte[] answer = "{\"predictions\":[[0.2,0.8],[0.2,0.8]]}".getBytes(StandardCharsets.UTF_8);
		first.start();
		second.start();
		try {
			for (int i = 0; i < 3; i++) {
				first.observe(MODEL, "3", chunk.getEpochSecond() + i, false,
						"{\"instances\":[{\"x\":1},{\"x\":50}]}".getBytes(StandardCharsets.UTF_8), answer);
			}
			second.observe(MODEL, "3", chunk.getEpochSecond() + 59, false,
					"{\"inputs\":{\"x\":[99,99]}}".getBytes(StandardCharsets.UTF_8), answer);
			Await.within(Duration.ofSeconds(10), () -> first.idle() && second.idle(), (idle) -> idle);
			assertThat(first.flush()).isEqualTo(1);
			assertThat(second.flush()).isEqualTo(1);
		}
		finally {
			first.stop();
			second.stop();
		}
		JsonNode live = get(warden,
				BASE + "/drift/live?from=" + encode(chunk) + "&to=" + encode(chunk.plusSeconds(60)));
		assertThat(live.path("requests").asLong()).isEqualTo(4);
		assertThat(live.path("samples").asLong()).isEqualTo(8);
		assertThat(live.path("features").get(0).path("values").path("counts").toString())
			.isEqualTo("[3,0,0,0,0,3,0,0,0,2,0]");
		long rows = app.jdbc()
			.sql("SELECT count(*) FROM drift_live_chunks WHERE model = :m AND chunk = :c")
			.param("m", MODEL)
			.param("c", java.sql.Timestamp.from(chunk))
			.query(Long.class)
			.single();
		assertThat(rows).isEqualTo(1);
	}

	@Test
	void thePolicyFileIsValidatedReloadedAndAudited(WardenFixture warden, @TempDir Path dir) throws Exception {
		WardenTestApp app = warden.app();
		write(dir, "drift:\n  default: {psi: 0.3}\n");
		MonitoringPolicies policies = new MonitoringPolicies(new WardenProperties(dir, dir, "", ""));
		assertThat(policies.current().defaults().psi()).isEqualTo(0.3);
		DriftProperties properties = new DriftProperties(true, Duration.ofHours(1), Duration.ofSeconds(60), 100,
				DataSize.ofMegabytes(1), Duration.ofSeconds(1), Duration.ofSeconds(30), false, 256);
		MonitoringPolicyReloader reloader = new MonitoringPolicyReloader(policies, app.jdbc(),
				app.bean(TransactionTemplate.class), app.bean(AuditTrail.class), properties);
		reloader.afterSingletonsInstantiated();
		assertThat(reloader.reloadIfChanged()).isFalse();
		String changed = "drift:\n  default: {psi: 0.25}\n  models:\n    income: {js: 0.05, window: 30m}\n";
		write(dir, changed);
		assertThat(reloader.reloadIfChanged()).isTrue();
		assertThat(policies.current().drift("income").js()).isEqualTo(0.05);
		assertThat(policies.current().drift("income").psi()).isEqualTo(0.25);
		String sha256 = MonitoringPolicy.sha256(changed);
		JsonNode details = Json.read(app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'monitoring.policy.reloaded' "
					+ "AND details->>'sha256' = :sha ORDER BY occurred_at DESC LIMIT 1")
			.param("sha", sha256)
			.query(String.class)
			.single());
		assertThat(details.path("file").asString()).isEqualTo("monitoring.yaml");
		assertThat(details.path("policy").path("drift").path("models").path("income").path("window").asString())
			.isEqualTo("30m");
		write(dir, "drift:\n  default: {psi: -1}\n");
		assertThat(reloader.reloadIfChanged()).isFalse();
		Files.delete(dir.resolve("monitoring.yaml"));
		assertThat(reloader.reloadIfChanged()).isFalse();
		assertThat(policies.current().sha256()).isEqualTo(sha256);
		long recorded = app.jdbc()
			.sql("SELECT count(*) FROM monitoring_policy_versions WHERE sha256 = :sha")
			.param("sha", sha256)
			.query(Long.class)
			.single();
		assertThat(recorded).isEqualTo(1);
	}

	private static void write(Path dir, String yaml) throws Exception {
		Path temp = dir.resolve("monitoring.yaml.tmp");
		Files.writeString(temp, yaml);
		Files.move(temp, dir.resolve("monitoring.yaml"), StandardCopyOption.REPLACE_EXISTING,
				StandardCopyOption.ATOMIC_MOVE);
	}

	@Test
	void badParametersUnknownVersionsAndRoles(WardenFixture warden) {
		WardenTestApp app = warden.app();
		String[] compliance = warden.as("carol", "COMPLIANCE");
		for (String query : List.of("/drift?from=yesterday", "/drift?window=90s",
				"/drift?window=2m&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z",
				"/drift?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "/drift/live?to=x",
				"/drift?from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z")) {
			HttpResponse<String> response = Http.get(app.url(BASE + query), compliance);
			assertThat(response.statusCode()).as(query + " " + response.body()).isEqualTo(400);
			assertThat(Json.read(response.body()).path("error").path("code").asString()).isEqualTo("invalid_parameter");
		}
		HttpResponse<String> notANumber = Http.get(app.url("/api/admin/models/" + MODEL + "/versions/x/drift"),
				compliance);
		assertThat(notANumber.statusCode()).isEqualTo(400);
		for (String path : List.of("/api/admin/models/" + MODEL + "/versions/99/drift",
				"/api/admin/models/no-such-model/versions/1/drift-profile")) {
			HttpResponse<String> response = Http.get(app.url(path), compliance);
			assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(404);
		}
		assertThat(get(warden, BASE + "/drift-profile").path("id").asString()).isEqualTo(profileId.toString());
		assertThat(Http.get(app.url(BASE + "/drift-profile")).statusCode()).isEqualTo(401);
		assertThat(Http.postJson(app.url(BASE + "/drift-profiles"), "", compliance).statusCode()).isEqualTo(403);
		// ADMIN may queue, but only for a version the catalogue knows
		HttpResponse<String> queued = Http.postJson(app.url(BASE + "/drift-profiles"), "", warden.admin());
		assertThat(queued.statusCode()).as(queued.body()).isEqualTo(404);
	}

}
