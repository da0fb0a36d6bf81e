package dev.warden.platform.promotion;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.TestPolicies;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.modelcard.ModelCards;
import dev.warden.platform.routing.ModelRouting;
import dev.warden.platform.worker.StandInWorker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promotion flow end to end, with real JWTs of two administrators (alice and bob, two
 * subjects with role ADMIN), a compliance officer (carol), the real database, routing and
 * audit trail, and stand-in workers serving model {@code credit} (versions 1 to 4) and
 * {@code carded} (1 and 2). The rules read reports written as their modules write them
 * ({@link GovernanceReports}). Version 1 of credit is stable at the start of every test;
 * version 2 has good reports, version 3 as well but was uploaded by ursula, version 4 has
 * a fairness report that fails the policy and no explainability report.
 */
class PromotionFlowIntegrationTests {

	static final String POLICY = """
			default:
			  require_approval: true
			  max_canary_weight_without_approval: 10
			models:
			  credit:
			    rules:
			      fairness:
			        dataset: credit_eval
			        max_age_days: 30
			        metrics:
			          - metric: four_fifths_ratio
			            attributes: [sex]
			            min: 0.8
			          - metric: equalized_odds_difference
			            attributes: [sex]
			            max_abs: 0.1
			            whole_interval: true
			      explainability_report:
			        max_age_days: 30
			      accuracy_not_worse:
			        margin: 0.01
			  carded:
			    rules:
			      fairness:
			        metrics:
			          - metric: four_fifths_ratio
			            min: 0.8
			      model_card_complete: true
			      approvals:
			        required: 2
			""";

	static final String JUSTIFICATION = "The disparity is inherited from the census labels; approved by the "
			+ "fairness board on 2026-01-12 with a monitoring plan.";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static StandInWorker credit;

	static StandInWorker carded;

	static WardenFixture warden;

	static WardenTestApp app;

	static GovernanceReports reports;

	static UUID evaluation;

	@BeforeAll
	static void start() throws Exception {
		credit = new StandInWorker("credit-worker", "credit", List.of(1L, 2L, 3L, 4L));
		carded = new StandInWorker("carded-worker", "carded", List.of(1L, 2L));
		warden = WardenFixture.start(dataDir, Map.of("warden.worker.urls", credit.url() + "," + carded.url(),
				"warden.policies-dir", TestPolicies.write(policiesDir, POLICY).toString()));
		app = warden.app();
		// the catalogue lists one worker's models and the versions the others report in
		// their status: sync until both models are in it
		Instant deadline = Instant.now().plusSeconds(30);
		ModelCatalogue catalogue = app.bean(ModelCatalogue.class);
		do {
			assertThat(Instant.now()).as("both models catalogued").isBefore(deadline);
			Thread.sleep(100);
			catalogue.sync();
		}
		while (catalogue.version("credit", 4).isEmpty() || catalogue.version("carded", 2).isEmpty());
		reports = new GovernanceReports(app.jdbc());
		evaluation = reports.dataset("credit", "credit_eval");
		// the stable version and the good candidates: same accuracy, fair, explained
		reports.fairness("credit", 1, evaluation, Duration.ofDays(3), 0.85, new double[] { 0.04, 0.02, 0.06 }, 0.85);
		for (long version : new long[] { 2, 3 }) {
			reports.fairness("credit", version, evaluation, Duration.ofDays(1), 0.9, new double[] { 0.03, 0.01, 0.05 },
					0.85);
			reports.explainability("credit", version, evaluation, Duration.ofDays(1));
		}
		// version 4: four-fifths 0.62, equalized odds 0.08 whose interval reaches 0.14,
		// accuracy 0.05 below the stable version's, and no explainability report
		reports.fairness("credit", 4, evaluation, Duration.ofDays(1), 0.62, new double[] { 0.08, 0.02, 0.14 }, 0.80);
		// version 3 was uploaded by ursula (what an upload records; the stand-in worker
		// cannot validate an archive)
		app.jdbc()
			.sql("UPDATE model_versions v SET sha256 = :sha, size_bytes = 1024, uploaded_by = 'ursula', "
					+ "uploaded_at = now(), archive_format = 'zip' FROM models m WHERE m.id = v.model_id "
					+ "AND m.name = 'credit' AND v.version = 3")
			.param("sha", GovernanceReports.sha("credit-3"))
			.update();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
		credit.close();
		carded.close();
	}

	/** Version 1 of credit is stable, no canary; no request is pending. */
	@BeforeEach
	void versionOneStable() {
		app.jdbc()
			.sql("UPDATE promotion_requests SET state = 'withdrawn', decided_by = 'test', decided_at = now() "
					+ "WHERE state = 'pending'")
			.update();
		app.jdbc().sql("DELETE FROM model_routes").update();
		app.jdbc()
			.sql("INSERT INTO model_routes (model_id, stable_version, canary_version, canary_weight, updated_by) "
					+ "SELECT id, 1, NULL, 0, 'test' FROM models WHERE name = 'credit'")
			.update();
		app.bean(ModelRouting.class).refresh();
	}

	private static HttpResponse<String> as(String subject, String method, String path, String body) {
		return Http.send(method, app.url(path), body, warden.as(subject, "ADMIN"));
	}

	private static HttpResponse<String> request(String subject, long version, String body) {
		return as(subject, "POST", "/api/admin/models/credit/versions/" + version + "/promotion-requests", body);
	}

	private static HttpResponse<String> decide(String subject, String id, String verb, String body) {
		return as(subject, "POST", "/api/admin/promotion-requests/" + id + "/" + verb, body);
	}

	private static JsonNode routing() {
		HttpResponse<String> routing = as("alice", "GET", "/api/admin/models/credit/routing", null);
		assertThat(routing.statusCode()).as(routing.body()).isEqualTo(200);
		return Json.read(routing.body());
	}

	private static List<String> rules(JsonNode request, String status) {
		List<String> ids = new ArrayList<>();
		for (JsonNode rule : request.path("rules")) {
			if (status == null || status.equals(rule.path("status").asString())) {
				ids.add(rule.path("rule").asString());
			}
		}
		return ids;
	}

	/** The actions of the request's audit events, in chain order. */
	private static List<String> actions(String requestId) {
		return app.jdbc()
			.sql("SELECT action FROM audit_events WHERE target_type = 'promotion_request' AND target_id = :id "
					+ "ORDER BY seq")
			.param("id", requestId)
			.query(String.class)
			.list();
	}

	private static String state(String requestId) {
		return app.jdbc()
			.sql("SELECT state FROM promotion_requests WHERE id = :id")
			.param("id", UUID.fromString(requestId))
			.query(String.class)
			.single();
	}

	@Test
	void aRequestWhoseRulesPassApprovedByASecondAdministratorChangesTheStableVersionAuditedStepByStep() {
		HttpResponse<String> requested = request("alice", 2, "{\"target\":\"stable\",\"comment\":\"better recall\"}");
		assertThat(requested.statusCode()).as(requested.body()).isEqualTo(201);
		JsonNode request = Json.read(requested.body());
		String id = request.path("id").asString();
		assertThat(requested.headers().firstValue("Location")).hasValue(app.url("/api/admin/promotion-requests/" + id));
		assertThat(request.path("state").asString()).isEqualTo("pending");
		assertThat(request.path("overridden").asBoolean()).isFalse();
		assertThat(rules(request, null)).containsExactly("fairness.report", "fairness.four_fifths_ratio.sex",
				"fairness.equalized_odds_difference.sex", "explainability_report", "accuracy_not_worse");
		assertThat(rules(request, "passed")).hasSize(5);
		JsonNode fifths = request.path("rules").get(1);
		assertThat(fifths.path("observed").path("value").asDouble()).isEqualTo(0.9);
		assertThat(fifths.path("observed").path("group").asString()).isEqualTo("Female");
		assertThat(fifths.path("threshold").path("min").asDouble()).isEqualTo(0.8);
		assertThat(fifths.path("report_id").asString()).isNotBlank();
		assertThat(request.path("policy_sha256").asString()).isEqualTo(PromotionPolicy.sha256(POLICY));
		// a second request for the same change, by bob: superseded when alice's is
		// applied
		String second = Json.field(request("bob", 2, "{\"target\":\"stable\"}").body(), "id");
		assertThat(routing().path("stable_version").asLong()).isEqualTo(1);

		HttpResponse<String> approved = decide("bob", id, "approve", "{\"comment\":\"reports read, fine\"}");
		assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
		JsonNode done = Json.read(approved.body());
		assertThat(done.path("state").asString()).isEqualTo("approved");
		assertThat(done.path("decided_by").asString()).isEqualTo("bob");
		assertThat(done.path("applied_at").isNull()).isFalse();
		assertThat(done.path("approvals").get(0).path("approved_by").asString()).isEqualTo("bob");
		assertThat(routing().path("stable_version").asLong()).isEqualTo(2);
		assertThat(app.bean(ModelRouting.class).version("credit", "any", null, null)).isEqualTo(2L);
		assertThat(actions(id)).containsExactly("promotion.requested", "promotion.evaluated", "promotion.evaluated",
				"promotion.approved", "promotion.applied");
		Map<String, Object> routed = app.jdbc()
			.sql("SELECT actor, details::text AS details FROM audit_events WHERE action = 'model.stable_set' "
					+ "AND details->>'approved_by' = :ref")
			.param("ref", "promotion-request:" + id)
			.query()
			.singleRow();
		assertThat(routed).containsEntry("actor", "bob");
		assertThat((String) routed.get("details")).contains("\"stable_version\": 1", "\"stable_version\": 2");
		assertThat(state(second)).isEqualTo("superseded");
		assertThat(Json.read(as("carol", "GET", "/api/admin/promotion-requests/" + second, null).body())
			.path("superseded_by")
			.asString()).isEqualTo(id);

		// approving again is refused: it is no longer pending
		HttpResponse<String> again = decide("carol", id, "approve", null);
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.body()).contains("\"code\":\"not_pending\"");
	}

	@Test
	void theRequesterOrTheUploaderApprovingIsRefusedWithFourEyesRequired() {
		String id = Json.field(request("alice", 3, "{\"target\":\"stable\"}").body(), "id");
		HttpResponse<String> self = decide("alice", id, "approve", "{}");
		assertThat(self.statusCode()).as(self.body()).isEqualTo(403);
		assertThat(self.body()).contains("\"code\":\"four_eyes_required\"", "you requested", "distinct_from_requester");
		HttpResponse<String> uploader = decide("ursula", id, "approve", "{}");
		assertThat(uploader.statusCode()).as(uploader.body()).isEqualTo(403);
		assertThat(uploader.body()).contains("\"code\":\"four_eyes_required\"", "you uploaded version 3",
				"distinct_from_uploader");
		// a compliance officer may read, not approve
		HttpResponse<String> compliance = Http.send("POST", app.url("/api/admin/promotion-requests/" + id + "/approve"),
				"{}", warden.as("carol", "COMPLIANCE"));
		assertThat(compliance.statusCode()).isEqualTo(403);
		assertThat(Http
			.get(app.url("/api/admin/promotion-requests/" + id), "Authorization", warden.bearer("carol", "COMPLIANCE"))
			.statusCode()).isEqualTo(200);
		assertThat(state(id)).isEqualTo("pending");
		assertThat(actions(id)).containsExactly("promotion.requested", "promotion.evaluated");
		assertThat(routing().path("stable_version").asLong()).isEqualTo(1);
		// the uploader may request, and someone else approve
		String byUploader = Json.field(request("ursula", 3, "{\"target\":\"stable\"}").body(), "id");
		assertThat(decide("bob", byUploader, "approve", null).statusCode()).isEqualTo(200);
		assertThat(routing().path("stable_version").asLong()).isEqualTo(3);
		assertThat(state(id)).isEqualTo("superseded");
	}

	@Test
	void aFailingRuleRefusesTheRequestNamingEveryFailedRuleAndStoresItAsRefused() {
		HttpResponse<String> refused = request("alice", 4, "{\"target\":\"stable\"}");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
		JsonNode error = Json.read(refused.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("promotion_refused");
		List<String> failed = new ArrayList<>();
		error.path("rules").forEach((rule) -> failed.add(rule.path("rule").asString()));
		assertThat(failed).containsExactly("fairness.four_fifths_ratio.sex", "fairness.equalized_odds_difference.sex",
				"explainability_report", "accuracy_not_worse");
		failed.forEach((rule) -> assertThat(error.path("message").asString()).contains(rule));
		JsonNode fifths = error.path("rules").get(0);
		assertThat(fifths.path("status").asString()).isEqualTo("failed");
		assertThat(fifths.path("observed").path("value").asDouble()).isEqualTo(0.62);
		assertThat(fifths.path("message").asString()).contains("Female: 0.62", "below the minimum 0.8");
		// the value 0.08 is inside ±0.1, its interval [0.02, 0.14] is not
		assertThat(error.path("rules").get(1).path("message").asString()).contains("0.14", "beyond ±0.1");
		assertThat(error.path("rules").get(3).path("message").asString()).contains("0.8", "0.85", "worse");

		String id = error.path("promotion_request_id").asString();
		assertThat(state(id)).isEqualTo("refused");
		JsonNode stored = Json.read(as("alice", "GET", "/api/admin/promotion-requests/" + id, null).body());
		assertThat(rules(stored, "failed")).hasSize(4);
		assertThat(rules(stored, "passed")).containsExactly("fairness.report");
		assertThat(actions(id)).containsExactly("promotion.requested", "promotion.evaluated");
		assertThat(app.jdbc()
			.sql("SELECT details->>'outcome' FROM audit_events WHERE action = 'promotion.evaluated' AND target_id = :id")
			.param("id", id)
			.query(String.class)
			.single()).isEqualTo("refused");
		// a refused request cannot be approved
		assertThat(decide("bob", id, "approve", null).body()).contains("\"code\":\"not_pending\"");
		assertThat(routing().path("stable_version").asLong()).isEqualTo(1);
	}

	@Test
	void overridesWithAJustificationMakeTheRequestPendingAndTheApprovalAppliesItOnRecord() {
		String overrides = """
				{"target": "stable", "comment": "known disparity, accepted",
				 "overrides": [
				   {"rule": "fairness.four_fifths_ratio.sex", "justification": "%1$s"},
				   {"rule": "fairness.equalized_odds_difference.sex", "justification": "%1$s"},
				   {"rule": "explainability_report", "justification": "%1$s"},
				   {"rule": "accuracy_not_worse", "justification": "%1$s"}]}
				""".formatted(JUSTIFICATION);
		HttpResponse<String> requested = request("alice", 4, overrides);
		assertThat(requested.statusCode()).as(requested.body()).isEqualTo(201);
		JsonNode request = Json.read(requested.body());
		String id = request.path("id").asString();
		assertThat(request.path("state").asString()).isEqualTo("pending");
		assertThat(request.path("overridden").asBoolean()).isTrue();
		assertThat(rules(request, "overridden")).hasSize(4);
		JsonNode overridden = request.path("rules").get(1);
		assertThat(overridden.path("override").path("justification").asString()).isEqualTo(JUSTIFICATION);
		assertThat(overridden.path("override").path("by").asString()).isEqualTo("alice");

		HttpResponse<String> approved = decide("bob", id, "approve", "{\"comment\":\"justification accepted\"}");
		assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
		assertThat(routing().path("stable_version").asLong()).isEqualTo(4);
		assertThat(actions(id)).containsExactly("promotion.requested", "promotion.evaluated", "promotion.overridden",
				"promotion.overridden", "promotion.overridden", "promotion.overridden", "promotion.evaluated",
				"promotion.approved", "promotion.applied");
		List<Map<String, Object>> audited = app.jdbc()
			.sql("SELECT actor, details->>'rule' AS rule, details->>'justification' AS justification FROM audit_events "
					+ "WHERE action = 'promotion.overridden' AND target_id = :id ORDER BY seq")
			.param("id", id)
			.query()
			.listOfRows();
		assertThat(audited).first()
			.isEqualTo(
					Map.of("actor", "alice", "rule", "fairness.four_fifths_ratio.sex", "justification", JUSTIFICATION));

		// the version's model card gets the history, with the overrides listed
		JsonNode card = app.bean(PromotionCardContributor.class).contribute("credit", 4).orElseThrow();
		assertThat(app.bean(PromotionCardContributor.class).section()).isEqualTo("promotion");
		JsonNode applied = null;
		for (JsonNode entry : card.path("requests")) {
			if (entry.path("id").asString().equals(id)) {
				applied = entry;
			}
		}
		assertThat(applied).isNotNull();
		assertThat(applied.path("state").asString()).isEqualTo("approved");
		assertThat(applied.path("approvals").get(0).path("approved_by").asString()).isEqualTo("bob");
		assertThat(applied.path("rules").size()).isEqualTo(5);
		List<String> cardOverrides = new ArrayList<>();
		card.path("overrides").forEach((override) -> {
			if (override.path("request_id").asString().equals(id)) {
				assertThat(override.path("justification").asString()).isEqualTo(JUSTIFICATION);
				assertThat(override.path("by").asString()).isEqualTo("alice");
				cardOverrides.add(override.path("rule").asString());
			}
		});
		assertThat(cardOverrides).containsExactly("fairness.four_fifths_ratio.sex",
				"fairness.equalized_odds_difference.sex", "explainability_report", "accuracy_not_worse");
		assertThat(app.bean(PromotionCardContributor.class).contribute("credit", 1)).isEmpty();
	}

	@Test
	void anOverrideNeedsAWrittenJustificationOfAFailedRule() {
		long before = app.jdbc().sql("SELECT count(*) FROM promotion_requests").query(Long.class).single();
		HttpResponse<String> none = request("alice", 4,
				"{\"target\":\"stable\",\"overrides\":[{\"rule\":\"explainability_report\"}]}");
		assertThat(none.statusCode()).isEqualTo(400);
		assertThat(none.body()).contains("\"code\":\"justification_required\"", "explainability_report",
				"at least 20 characters");
		HttpResponse<String> short_ = request("alice", 4, "{\"target\":\"stable\",\"overrides\":[{\"rule\":"
				+ "\"explainability_report\",\"justification\":\"   we need it     \"}]}");
		assertThat(short_.statusCode()).isEqualTo(400);
		assertThat(short_.body()).contains("\"code\":\"justification_required\"");
		HttpResponse<String> passed = request("alice", 4, "{\"target\":\"stable\",\"overrides\":[{\"rule\":"
				+ "\"fairness.report\",\"justification\":\"" + JUSTIFICATION + "\"}]}");
		assertThat(passed.statusCode()).isEqualTo(400);
		assertThat(passed.body()).contains("\"code\":\"invalid_override\"", "fairness.report passed");
		HttpResponse<String> unknown = request("alice", 4, "{\"target\":\"stable\",\"overrides\":[{\"rule\":"
				+ "\"fairness.nonsense\",\"justification\":\"" + JUSTIFICATION + "\"}]}");
		assertThat(unknown.statusCode()).isEqualTo(400);
		assertThat(unknown.body()).contains("\"code\":\"invalid_override\"", "no rule fairness.nonsense");
		// and the other bad requests
		assertThat(request("alice", 2, "{\"target\":\"production\"}").statusCode()).isEqualTo(400);
		assertThat(request("alice", 2, "{\"target\":\"canary\"}").body()).contains("canary_weight");
		assertThat(request("alice", 2, "{\"target\":\"canary\",\"canary_weight\":101}").statusCode()).isEqualTo(400);
		assertThat(request("alice", 2, "{\"target\":\"stable\",\"canary_weight\":5}").statusCode()).isEqualTo(400);
		assertThat(request("alice", 2, null).statusCode()).isEqualTo(400);
		assertThat(request("alice", 9, "{\"target\":\"stable\"}").statusCode()).isEqualTo(404);
		assertThat(
				as("alice", "POST", "/api/admin/models/nosuch/versions/1/promotion-requests", "{\"target\":\"stable\"}")
					.statusCode())
			.isEqualTo(404);
		assertThat(request("alice", 1, "{\"target\":\"stable\"}").body()).contains("\"code\":\"already_stable\"");
		assertThat(app.jdbc().sql("SELECT count(*) FROM promotion_requests").query(Long.class).single())
			.isEqualTo(before);
	}

	@Test
	void aVersionThatCannotBeLoadedIsRefused409() {
		app.jdbc()
			.sql("UPDATE model_versions v SET load_error = 'broken graph', state = 'END' FROM models m "
					+ "WHERE m.id = v.model_id AND m.name = 'carded' AND v.version = 2")
			.update();
		try {
			HttpResponse<String> refused = as("alice", "POST", "/api/admin/models/carded/versions/2/promotion-requests",
					"{\"target\":\"stable\"}");
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
			assertThat(refused.body()).contains("\"code\":\"version_not_loadable\"", "broken graph");
		}
		finally {
			app.jdbc()
				.sql("UPDATE model_versions v SET load_error = NULL, state = 'AVAILABLE' FROM models m "
						+ "WHERE m.id = v.model_id AND m.name = 'carded' AND v.version = 2")
				.update();
		}
	}

	@Test
	void theApprovalEvaluatesTheRulesAgainAndARequestThatNoLongerPassesStaysPending() {
		String id = Json.field(request("alice", 2, "{\"target\":\"stable\"}").body(), "id");
		// a newer fairness report of version 2 now fails the four-fifths rule
		UUID newer = reports.fairness("credit", 2, evaluation, Duration.ofMinutes(1), 0.7,
				new double[] { 0.03, 0.01, 0.05 }, 0.85);
		try {
			HttpResponse<String> refused = decide("bob", id, "approve", null);
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
			JsonNode error = Json.read(refused.body()).path("error");
			assertThat(error.path("code").asString()).isEqualTo("promotion_rules_failed");
			assertThat(error.path("message").asString()).contains("stays pending", "fairness.four_fifths_ratio.sex");
			assertThat(error.path("rules").get(0).path("report_id").asString()).isEqualTo(newer.toString());
			assertThat(state(id)).isEqualTo("pending");
			assertThat(actions(id)).containsExactly("promotion.requested", "promotion.evaluated",
					"promotion.evaluated");
			assertThat(routing().path("stable_version").asLong()).isEqualTo(1);
			assertThat(app.jdbc()
				.sql("SELECT count(*) FROM promotion_approvals WHERE request_id = :id")
				.param("id", UUID.fromString(id))
				.query(Long.class)
				.single()).isZero();
		}
		finally {
			// a report of version 2 that passes again, newest
			reports.fairness("credit", 2, evaluation, Duration.ZERO, 0.9, new double[] { 0.03, 0.01, 0.05 }, 0.85);
		}
	}

	@Test
	void routingRefusesWhatBypassesTheFlowAndRollbackStaysDirect() {
		HttpResponse<String> bigCanary = as("alice", "PUT", "/api/admin/models/credit/canary",
				"{\"version\":2,\"weight\":50}");
		assertThat(bigCanary.statusCode()).as(bigCanary.body()).isEqualTo(409);
		assertThat(bigCanary.body()).contains("\"code\":\"approval_required\"",
				"POST /api/admin/models/credit/versions/2/promotion-requests", "\\\"canary_weight\\\": 50");
		HttpResponse<String> smallCanary = as("alice", "PUT", "/api/admin/models/credit/canary",
				"{\"version\":2,\"weight\":10}");
		assertThat(smallCanary.statusCode()).as(smallCanary.body()).isEqualTo(200);
		HttpResponse<String> newStable = as("alice", "PUT", "/api/admin/models/credit/canary",
				"{\"version\":2,\"weight\":5,\"stable\":3}");
		assertThat(newStable.statusCode()).isEqualTo(409);
		assertThat(newStable.body()).contains("\"code\":\"approval_required\"",
				"POST /api/admin/models/credit/versions/3/promotion-requests");
		HttpResponse<String> promote = as("alice", "POST", "/api/admin/models/credit:promote", null);
		assertThat(promote.statusCode()).isEqualTo(409);
		assertThat(promote.body()).contains("\"code\":\"approval_required\"", "/promotion-requests");
		HttpResponse<String> reset = as("alice", "DELETE", "/api/admin/models/credit/routing", null);
		assertThat(reset.statusCode()).isEqualTo(409);
		assertThat(reset.body()).contains("\"code\":\"approval_required\"", "newest version", "/promotion-requests");
		JsonNode unchanged = routing();
		assertThat(unchanged.path("stable_version").asLong()).isEqualTo(1);
		assertThat(unchanged.path("canary").path("weight").asInt()).isEqualTo(10);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action IN ('model.canary_promoted', 'model.routing_reset')")
			.query(Long.class)
			.single()).isZero();

		// rollback returns to the approved stable version, directly, audited as ever
		HttpResponse<String> rollback = as("alice", "POST", "/api/admin/models/credit:rollback", null);
		assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
		assertThat(rollback.body()).contains("\"stable_version\":1", "\"canary\":null");
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'model.canary_rolled_back' "
					+ "AND target_id = 'credit'")
			.query(Long.class)
			.single()).isEqualTo(1);

		// the large canary through the flow, then lowered directly
		String id = Json.field(request("alice", 2, "{\"target\":\"canary\",\"canary_weight\":50}").body(), "id");
		HttpResponse<String> approved = decide("bob", id, "approve", null);
		assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
		JsonNode canary = routing();
		assertThat(canary.path("stable_version").asLong()).isEqualTo(1);
		assertThat(canary.path("canary").path("version").asLong()).isEqualTo(2);
		assertThat(canary.path("canary").path("weight").asInt()).isEqualTo(50);
		assertThat(as("alice", "PUT", "/api/admin/models/credit/canary", "{\"version\":2,\"weight\":5}").statusCode())
			.isEqualTo(200);
		assertThat(as("alice", "PUT", "/api/admin/models/credit/canary", "{\"version\":2,\"weight\":20}").body())
			.contains("\"code\":\"approval_required\"");
	}

	@Test
	void everyAttributeAndIntersectionOfTheReportIsCheckedWhenThePolicyNamesNone() {
		long requests = app.jdbc()
			.sql("SELECT count(*) FROM promotion_requests WHERE model = 'carded'")
			.query(Long.class)
			.single();
		UUID dataset = reports.dataset("carded", "carded_eval");
		reports.fairness("carded", 1, dataset, Duration.ofHours(1), 0.9, new double[] { 0.03, 0.01, 0.05 }, 0.8);
		HttpResponse<String> evaluated = as("carol", "GET", "/api/admin/models/carded/versions/1/promotion-evaluation",
				null);
		assertThat(evaluated.statusCode()).as(evaluated.body()).isEqualTo(200);
		JsonNode evaluation = Json.read(evaluated.body());
		assertThat(evaluation.path("require_approval").asBoolean()).isTrue();
		assertThat(rules(evaluation, null)).startsWith("fairness.report", "fairness.four_fifths_ratio.sex",
				"fairness.four_fifths_ratio.race", "fairness.four_fifths_ratio.sex+race");
		assertThat(rules(evaluation, "passed")).contains("fairness.four_fifths_ratio.sex");
		JsonNode race = evaluation.path("rules").get(2);
		assertThat(race.path("status").asString()).isEqualTo("failed");
		assertThat(race.path("message").asString()).contains("Other: undefined (no actual positives in the group)");
		JsonNode intersection = evaluation.path("rules").get(3);
		assertThat(intersection.path("message").asString()).contains("Female × Black: 0.5");
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM promotion_requests WHERE model = 'carded'")
			.query(Long.class)
			.single()).isEqualTo(requests);
	}

	@Test
	void whenThePolicyAsksForTwoApprovalsTheSecondAdministratorsApprovalAppliesTheChange() {
		// override whatever fails for version 2 of carded now, each with a justification
		JsonNode evaluation = Json
			.read(as("alice", "GET", "/api/admin/models/carded/versions/2/promotion-evaluation", null).body());
		assertThat(evaluation.path("approvals_required").asInt()).isEqualTo(2);
		StringBuilder overrides = new StringBuilder();
		for (String rule : rules(evaluation, "failed")) {
			overrides.append(overrides.isEmpty() ? "" : ",")
				.append("{\"rule\":\"")
				.append(rule)
				.append("\",\"justification\":\"")
				.append(JUSTIFICATION)
				.append("\"}");
		}
		HttpResponse<String> requested = as("alice", "POST", "/api/admin/models/carded/versions/2/promotion-requests",
				"{\"target\":\"stable\",\"overrides\":[" + overrides + "]}");
		assertThat(requested.statusCode()).as(requested.body()).isEqualTo(201);
		String id = Json.field(requested.body(), "id");
		HttpResponse<String> first = decide("bob", id, "approve", null);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		assertThat(Json.read(first.body()).path("state").asString()).isEqualTo("pending");
		assertThat(Json.read(first.body()).path("approvals").size()).isEqualTo(1);
		assertThat(decide("bob", id, "approve", null).body()).contains("\"code\":\"already_approved\"");
		assertThat(as("alice", "GET", "/api/admin/models/carded/routing", null).body())
			.contains("\"stable_version\":null");
		HttpResponse<String> second = decide("dave", id, "approve", null);
		assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
		assertThat(Json.read(second.body()).path("state").asString()).isEqualTo("approved");
		assertThat(as("alice", "GET", "/api/admin/models/carded/routing", null).body())
			.contains("\"stable_version\":2");
		assertThat(actions(id)).containsSubsequence("promotion.approved", "promotion.approved", "promotion.applied");
	}

	/**
	 * The model-card rule names what the card lacks, and passes once an edit fills it in
	 * (the quantitative analysis comes from the version's fairness report).
	 */
	@Test
	void theModelCardRuleNamesWhatTheCardLacksAndPassesOnceItIsFilledIn() {
		List<String> missing = app.bean(ModelCards.class).missingSections("carded", 2);
		assertThat(missing).contains("model_details.overview", "considerations.limitations");
		JsonNode before = modelCardRule();
		assertThat(before.path("status").asString()).isEqualTo("failed");
		missing.forEach((section) -> assertThat(before.path("message").asString()).contains(section));

		JsonNode card = Json.read(as("alice", "GET", "/api/admin/models/carded/versions/2/model-card", null).body());
		String edit = """
				{"revision": %d, "comment": "complete the card before promotion",
				 "model_details": {"overview": "A test model.", "owners": [{"name": "Risk team", "contact": "risk@example.com"}],
				   "licenses": [{"identifier": "Apache-2.0"}]},
				 "model_parameters": {"model_architecture": "logistic regression", "data": [{"name": "adult_validation"}],
				   "input_format": "14 census columns", "output_format": "P(income > 50K)"},
				 "considerations": {"users": [{"description": "analysts"}], "use_cases": [{"description": "demos"}],
				   "limitations": [{"description": "1994 US census only"}],
				   "ethical_considerations": [{"name": "disparity by sex", "mitigation_strategy": "promotion gate"}]}}
				"""
			.formatted(card.path("revision").asInt());
		HttpResponse<String> edited = as("alice", "PUT", "/api/admin/models/carded/versions/2/model-card", edit);
		assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);

		List<String> after = app.bean(ModelCards.class).missingSections("carded", 2);
		JsonNode rule = modelCardRule();
		assertThat(rule.path("status").asString()).as(rule.toString()).isEqualTo(after.isEmpty() ? "passed" : "failed");
		assertThat(after).doesNotContain("model_details.overview", "considerations.limitations");
		after.forEach((section) -> assertThat(rule.path("message").asString()).contains(section));
	}

	private static JsonNode modelCardRule() {
		JsonNode evaluation = Json
			.read(as("alice", "GET", "/api/admin/models/carded/versions/2/promotion-evaluation", null).body());
		for (JsonNode rule : evaluation.path("rules")) {
			if (rule.path("rule").asString().equals("model_card_complete")) {
				return rule;
			}
		}
		throw new AssertionError("no model_card_complete rule in " + evaluation);
	}

	@Test
	void rejectionAndWithdrawalAreForTheRightPeopleAndTheNewAuditActionsAppearInAComplianceExport() {
		String rejected = Json.field(request("alice", 2, "{\"target\":\"stable\"}").body(), "id");
		assertThat(decide("bob", rejected, "reject", "{}").body()).contains("\"code\":\"comment_required\"");
		assertThat(decide("alice", rejected, "reject", "{\"comment\":\"no\"}").body())
			.contains("\"code\":\"four_eyes_required\"", "withdraw");
		HttpResponse<String> rejection = decide("bob", rejected, "reject", "{\"comment\":\"wait for Q3 data\"}");
		assertThat(rejection.statusCode()).as(rejection.body()).isEqualTo(200);
		assertThat(Json.read(rejection.body()).path("decision_comment").asString()).isEqualTo("wait for Q3 data");
		String withdrawn = Json.field(request("alice", 2, "{\"target\":\"stable\"}").body(), "id");
		HttpResponse<String> notMine = decide("bob", withdrawn, "withdraw", null);
		assertThat(notMine.statusCode()).isEqualTo(403);
		assertThat(notMine.body()).contains("\"code\":\"not_requester\"");
		assertThat(decide("alice", withdrawn, "withdraw", null).statusCode()).isEqualTo(200);
		assertThat(state(withdrawn)).isEqualTo("withdrawn");
		String overridden = Json.field(request("alice", 4, """
				{"target": "stable", "overrides": [
				  {"rule": "fairness.four_fifths_ratio.sex", "justification": "%1$s"},
				  {"rule": "fairness.equalized_odds_difference.sex", "justification": "%1$s"},
				  {"rule": "explainability_report", "justification": "%1$s"},
				  {"rule": "accuracy_not_worse", "justification": "%1$s"}]}
				""".formatted(JUSTIFICATION)).body(), "id");
		assertThat(decide("bob", overridden, "approve", null).statusCode()).isEqualTo(200);

		// lists: newest first, filtered by model and state, readable by compliance
		HttpResponse<String> list = Http.get(app.url("/api/admin/promotion-requests?model=credit&state=withdrawn"),
				"Authorization", warden.bearer("carol", "COMPLIANCE"));
		assertThat(list.statusCode()).isEqualTo(200);
		List<String> states = new ArrayList<>();
		Json.read(list.body()).path("content").forEach((request) -> states.add(request.path("state").asString()));
		assertThat(states).isNotEmpty().containsOnly("withdrawn");
		assertThat(Json.read(list.body()).path("content").get(0).path("id").asString()).isEqualTo(withdrawn);
		assertThat(as("carol", "GET", "/api/admin/promotion-requests?state=lost", null).statusCode()).isEqualTo(400);
		assertThat(as("carol", "GET", "/api/admin/promotion-requests/" + UUID.randomUUID(), null).statusCode())
			.isEqualTo(404);

		String today = LocalDate.now(ZoneOffset.UTC).toString();
		String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
		HttpResponse<String> export = Http.get(
				app.url("/api/admin/exports/audit?format=ndjson&from=" + today + "&to=" + tomorrow), "Authorization",
				warden.bearer("carol", "COMPLIANCE"));
		assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
		List<String> exported = new ArrayList<>();
		export.body().lines().forEach((line) -> exported.add(Json.read(line).path("action").asString()));
		assertThat(exported).contains("promotion.policy.reloaded", "promotion.requested", "promotion.evaluated",
				"promotion.overridden", "promotion.approved", "promotion.applied", "promotion.rejected",
				"promotion.withdrawn", "model.stable_set");
		assertThat(export.body()).contains(JUSTIFICATION, "wait for Q3 data");
	}

}
