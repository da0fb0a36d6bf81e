package dev.warden.platform.promotion;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.TestPolicies;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code promotion.yaml} edited while two gateway replicas run on one database: the
 * policy read at start-up is on record, an invalid file is refused with a logged error
 * naming what is wrong and the previous policy stays in force on both, a valid change is
 * reloaded by both and audited once with its SHA-256, a removed file changes nothing. One
 * test method, because every step changes the shared file.
 */
class PromotionPolicyReloadIntegrationTests {

	private static final String FIRST = """
			default:
			  max_canary_weight_without_approval: 10
			""";

	private static final String SECOND = """
			default:
			  max_canary_weight_without_approval: 25
			models:
			  credit:
			    rules:
			      fairness:
			        metrics:
			          - metric: four_fifths_ratio
			            min: 0.8
			""";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static WardenFixture warden;

	static WardenTestApp app;

	static WardenTestApp replica;

	static ListAppender<ILoggingEvent> logged = new ListAppender<>();

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, Map.of("warden.policies-dir",
				TestPolicies.write(policiesDir, FIRST).toString(), "warden.promotion.policy-reload-interval", "200ms"));
		app = warden.app();
		replica = warden.replica();
		// attached once both have started: each start configures the logging afresh
		Logger reloader = (Logger) LoggerFactory.getLogger(PromotionPolicyReloader.class);
		logged.start();
		reloader.addAppender(logged);
	}

	@AfterAll
	static void stop() throws Exception {
		((Logger) LoggerFactory.getLogger(PromotionPolicyReloader.class)).detachAppender(logged);
		if (warden != null) {
			warden.close();
		}
	}

	private static List<Map<String, Object>> reloads() {
		return app.jdbc()
			.sql("SELECT actor, target_id, details->>'sha256' AS sha256, details->>'previous_sha256' AS previous, "
					+ "details->>'source' AS source FROM audit_events WHERE action = 'promotion.policy.reloaded' "
					+ "ORDER BY seq")
			.query()
			.listOfRows();
	}

	private static boolean bothHave(String sha256) {
		return app.bean(PromotionPolicies.class).current().sha256().equals(sha256)
				&& replica.bean(PromotionPolicies.class).current().sha256().equals(sha256);
	}

	private static void await(BooleanSupplier condition, String what) throws InterruptedException {
		Instant deadline = Instant.now().plusSeconds(15);
		while (!condition.getAsBoolean()) {
			assertThat(Instant.now()).as(what).isBefore(deadline);
			Thread.sleep(50);
		}
	}

	private static boolean errorLogged(String fragment) {
		return logged.list.stream()
			.anyMatch((event) -> event.getLevel() == ch.qos.logback.classic.Level.ERROR
					&& event.getFormattedMessage().contains(fragment));
	}

	@Test
	void anEditedPolicyIsReloadedByBothReplicasAndAuditedOnceAndAnInvalidOneIsRefused() throws Exception {
		String first = PromotionPolicy.sha256(FIRST);
		assertThat(bothHave(first)).isTrue();
		assertThat(reloads()).containsExactly(Map.of("actor", "system", "target_id", "promotion.yaml", "sha256", first,
				"previous", "none", "source", "file"));

		// invalid contents: each refused with its message; the previous policy stays
		Map<String, String> invalid = Map.of(
				"default:\n  rules:\n    fairness:\n      metrics:\n        - metric: fourfifths\n          min: 0.8\n",
				"default.rules.fairness.metrics[0].metric: unknown metric 'fourfifths'",
				"default:\n  rules:\n    fairness:\n      metrics:\n        - metric: demographic_parity_ratio\n"
						+ "          min: 0.9\n          max: 0.8\n",
				"min 0.9 is greater than max 0.8",
				"default:\n  rules:\n    explainability_report:\n      max_age_days: -7\n",
				"default.rules.explainability_report.max_age_days: must be a whole number of days, at least 1",
				"default:\n  require_approvall: false\n", "default: unknown key 'require_approvall'");
		for (Map.Entry<String, String> bad : invalid.entrySet()) {
			TestPolicies.writePromotion(policiesDir, bad.getKey());
			await(() -> errorLogged(bad.getValue()), "refused: " + bad.getValue());
			assertThat(logged.list.stream().filter((event) -> event.getFormattedMessage().contains(bad.getValue())))
				.allMatch((event) -> event.getFormattedMessage().contains("the previous policy (sha256 " + first));
			assertThat(bothHave(first)).isTrue();
		}
		assertThat(reloads()).hasSize(1);

		// a valid change: both replicas, one audit event with both hashes
		TestPolicies.writePromotion(policiesDir, SECOND);
		String second = PromotionPolicy.sha256(SECOND);
		await(() -> bothHave(second), "both replicas reloaded");
		assertThat(app.bean(PromotionPolicies.class).current().forModel("other").maxCanaryWeightWithoutApproval())
			.isEqualTo(25);
		Thread.sleep(600);
		assertThat(reloads()).hasSize(2)
			.last()
			.isEqualTo(Map.of("actor", "system", "target_id", "promotion.yaml", "sha256", second, "previous", first,
					"source", "file"));
		assertThat(
				app.jdbc().sql("SELECT sha256 FROM promotion_policy_versions ORDER BY id").query(String.class).list())
			.containsExactly(first, second);
		String policy = app.jdbc()
			.sql("SELECT details->'policy'->'models'->'credit'->'rules'->'fairness'->'metrics'->0->>'metric' "
					+ "FROM audit_events WHERE action = 'promotion.policy.reloaded' ORDER BY seq DESC LIMIT 1")
			.query(String.class)
			.single();
		assertThat(policy).isEqualTo("four_fifths_ratio");

		// what a compliance officer sees
		HttpResponse<String> shown = Http.get(app.url("/api/admin/promotion-policy"), "Authorization",
				warden.bearer("carol", "COMPLIANCE"));
		assertThat(shown.statusCode()).isEqualTo(200);
		JsonNode body = Json.read(shown.body());
		assertThat(body.path("sha256").asString()).isEqualTo(second);
		assertThat(body.path("source").asString()).isEqualTo("file");
		assertThat(body.path("policy").path("default").path("max_canary_weight_without_approval").asInt())
			.isEqualTo(25);

		// removing the file does not loosen the policy
		Files.delete(policiesDir.resolve("promotion.yaml"));
		await(() -> errorLogged("was removed; the previous policy stays in force"), "removal logged");
		assertThat(bothHave(second)).isTrue();
		assertThat(reloads()).hasSize(2);
	}

}
