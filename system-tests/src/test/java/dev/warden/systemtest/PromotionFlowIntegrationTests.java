package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A new {@code income} version goes from upload to stable through the whole governance
 * flow, with the real processes and the shipped promotion policy: the upload does not
 * change what tenants get (the version serving until then becomes the stable version);
 * the version's fairness check and explainability report run on their own; a direct
 * promotion is refused; a promotion request is refused naming the fairness rules the
 * shipped {@code income} model fails; requested again with a written justification for
 * each, it waits for a second administrator — the requester (who also uploaded it) cannot
 * approve — and once {@code reviewer} approves, the version is stable and answers the
 * tenants' calls. The override is in the audit trail and in the version's model card. The
 * stable version is rolled back afterwards, so the other tests find {@code income} as
 * they expect it.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PromotionFlowIntegrationTests {

	private static final Duration REPORT_TIMEOUT = Duration.ofMinutes(4);

	WardenCluster cluster;

	String admin;

	String reviewer;

	String apiKey;

	String version;

	@BeforeAll
	void tokens(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		this.admin = cluster.adminToken();
		this.reviewer = cluster.reviewerToken();
		this.apiKey = cluster.newTenantKey("promotion");
	}

	/**
	 * Makes the version that served before stable again, through the same flow (a stable
	 * change always needs an approved request; {@code :rollback} only stops a canary).
	 */
	@AfterAll
	void restoreTheStableVersion() throws Exception {
		if (this.version == null) {
			return;
		}
		String before = this.cluster.modelVersionDir.getFileName().toString();
		var routing = Http.get(url("/api/admin/models/income/routing"), Http.bearer(this.admin)).json();
		if (routing.path("stable_version").asString().equals(before)) {
			return;
		}
		String path = "/api/admin/models/income/versions/" + before + "/promotion-requests";
		String body = "{\"target\": \"stable\", \"comment\": \"back to the version the other tests expect\"}";
		var requested = Http.postJson(url(path), Http.bearer(this.admin), body);
		if (requested.status() == 409) {
			var overrides = new ArrayList<Map<String, String>>();
			for (JsonNode rule : requested.json().path("error").path("rules")) {
				overrides.add(Map.of("rule", rule.path("rule").asString(), "justification",
						"Restores the version that served before this test; it was evaluated before."));
			}
			requested = Http.postJson(url(path), Http.bearer(this.admin),
					JsonMapper.shared()
						.writeValueAsString(Map.of("target", "stable", "comment",
								"back to the version the other tests expect", "overrides", overrides)));
		}
		assertThat(requested.status()).as(requested.body()).isEqualTo(201);
		var approved = Http.postJson(
				url("/api/admin/promotion-requests/" + requested.json().path("id").asString() + "/approve"),
				Http.bearer(this.reviewer), "{\"comment\": \"restore\"}");
		assertThat(approved.status()).as(approved.body()).isEqualTo(200);
		awaitServedBy(before);
	}

	@Test
	void aNewIncomeVersionGoesFromUploadToStableThroughTheWholeFlow() throws Exception {
		var uploaded = Http.postFile(url("/api/admin/models/income/versions"), Http.bearer(this.admin), "file",
				"model.zip", Http.zip(this.cluster.modelVersionDir));
		assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
		this.version = uploaded.json().path("version").asString();
		assertThat(uploaded.json().path("uploaded_by").asString()).isEqualTo("admin");

		// the upload changes nothing for tenants: the version that served is now stable
		var routing = Http.get(url("/api/admin/models/income/routing"), Http.bearer(this.admin)).json();
		assertThat(routing.path("stable_version").asString()).as(routing.toString())
			.isEqualTo(this.cluster.modelVersionDir.getFileName().toString());
		assertThat(predict().header("X-Model-Version")).isNotEqualTo(this.version);

		// promoting it directly bypasses the flow
		var direct = Http.send("PUT", url("/api/admin/models/income/canary"), Http.bearer(this.admin),
				"{\"version\": " + this.version + ", \"weight\": 50}");
		assertThat(direct.status()).as(direct.body()).isEqualTo(409);
		assertThat(direct.json().path("error").path("code").asString()).isEqualTo("approval_required");

		// the version's own fairness check and explainability report
		JsonNode fairness = awaitReport("fairness-reports");
		awaitReport("explainability-reports");
		JsonNode report = Http
			.get(url("/api/admin/fairness/reports/" + fairness.path("id").asString()), Http.bearer(this.admin))
			.json();
		JsonNode sex = attribute(report.path("content"), "sex");
		JsonNode women = fourFifths(sex, "Female");
		assertThat(women.path("ratio").path("value").asDouble()).as("four-fifths ratio of women in %s", sex)
			.isLessThan(0.8);

		// a request is refused, naming the rules the version fails
		var refused = request("{\"target\": \"stable\", \"comment\": \"the retrained income model\"}");
		assertThat(refused.status()).as(refused.body()).isEqualTo(409);
		JsonNode error = refused.json().path("error");
		assertThat(error.path("code").asString()).isEqualTo("promotion_refused");
		List<String> failed = new ArrayList<>();
		for (JsonNode rule : error.path("rules")) {
			assertThat(rule.path("status").asString()).isEqualTo("failed");
			failed.add(rule.path("rule").asString());
		}
		assertThat(failed).contains("fairness.four_fifths_ratio.sex")
			.allSatisfy((rule) -> assertThat(rule).startsWith("fairness."));
		assertThat(error.path("message").asString()).contains("fairness.four_fifths_ratio.sex");

		// again, with a written justification for each failed rule
		var overrides = new ArrayList<Map<String, String>>();
		failed.forEach((rule) -> overrides.add(Map.of("rule", rule, "justification",
				"Selection rates follow the 1994 census labels; reviewed by the fairness board, monitored monthly.")));
		var requested = request(JsonMapper.shared()
			.writeValueAsString(
					Map.of("target", "stable", "comment", "the retrained income model", "overrides", overrides)));
		assertThat(requested.status()).as(requested.body()).isEqualTo(201);
		assertThat(requested.json().path("state").asString()).isEqualTo("pending");
		assertThat(requested.json().path("overridden").asBoolean()).isTrue();
		String id = requested.json().path("id").asString();

		// the requester, who also uploaded the version, cannot approve it
		var selfApproval = Http.postJson(url("/api/admin/promotion-requests/" + id + "/approve"),
				Http.bearer(this.admin), "{\"comment\": \"looks good to me\"}");
		assertThat(selfApproval.status()).as(selfApproval.body()).isEqualTo(403);
		assertThat(selfApproval.json().path("error").path("code").asString()).isEqualTo("four_eyes_required");
		assertThat(predict().header("X-Model-Version")).isNotEqualTo(this.version);

		// a second administrator approves: the version is stable and answers the calls
		var approved = Http.postJson(url("/api/admin/promotion-requests/" + id + "/approve"),
				Http.bearer(this.reviewer), "{\"comment\": \"justification read and accepted\"}");
		assertThat(approved.status()).as(approved.body()).isEqualTo(200);
		assertThat(approved.json().path("state").asString()).isEqualTo("approved");
		routing = Http.get(url("/api/admin/models/income/routing"), Http.bearer(this.admin)).json();
		assertThat(routing.path("stable_version").asString()).isEqualTo(this.version);
		awaitServedBy(this.version);

		// every step is audited, the override in its own event
		var audit = Http
			.get(url("/api/admin/audit-events?target_type=promotion_request&target_id=" + id + "&size=50"),
					Http.bearer(this.admin))
			.json();
		assertThat(audit.path("content").findValuesAsString("action")).contains("promotion.requested",
				"promotion.overridden", "promotion.approved", "promotion.applied");

		// and the model card shows the override
		var card = Http
			.get(url("/api/admin/models/income/versions/" + this.version + "/model-card"), Http.bearer(this.admin))
			.json();
		assertThat(card.path("overrides").toString()).contains("fairness.four_fifths_ratio.sex");
		assertThat(card.path("completeness").path("complete").asBoolean()).as(card.path("completeness").toString())
			.isTrue();
	}

	private Http.Response request(String body) throws Exception {
		return Http.postJson(url("/api/admin/models/income/versions/" + this.version + "/promotion-requests"),
				Http.bearer(this.admin), body);
	}

	private Http.Response predict() throws Exception {
		String body = JsonMapper.shared().writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS));
		var answer = Http.postJson(url("/v1/models/income:predict"), Http.bearer(this.apiKey), body);
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		return answer;
	}

	/** Waits until the tenants' calls are answered by {@code expected}. */
	private void awaitServedBy(String expected) throws Exception {
		Instant deadline = Instant.now().plusSeconds(60);
		String last = null;
		while (Instant.now().isBefore(deadline)) {
			last = predict().header("X-Model-Version");
			if (expected.equals(last)) {
				return;
			}
			Thread.sleep(250);
		}
		throw new AssertionError("income calls were still answered by version " + last + ", not " + expected);
	}

	/** The newest report of the uploaded version in {@code list}, once there is one. */
	private JsonNode awaitReport(String list) throws Exception {
		Instant deadline = Instant.now().plus(REPORT_TIMEOUT);
		String path = "/api/admin/models/income/versions/" + this.version + "/" + list;
		while (Instant.now().isBefore(deadline)) {
			var answer = Http.get(url(path), Http.bearer(this.admin));
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			if (!answer.json().path("content").isEmpty()) {
				return answer.json().path("content").get(0);
			}
			Thread.sleep(1000);
		}
		var jobs = Http.get(url("/api/admin/explainability/jobs?size=20"), Http.bearer(this.admin));
		throw new AssertionError("no " + list + " for income/" + this.version + " within " + REPORT_TIMEOUT
				+ "; the jobs: " + jobs.body());
	}

	private static JsonNode attribute(JsonNode content, String name) {
		for (JsonNode attribute : content.path("attributes")) {
			if (attribute.path("name").asString().equals(name)) {
				return attribute;
			}
		}
		throw new AssertionError("no attribute " + name + " in " + content.path("attributes"));
	}

	private static JsonNode fourFifths(JsonNode attribute, String group) {
		for (JsonNode entry : attribute.path("four_fifths")) {
			if (entry.path("group").asString().equals(group)) {
				return entry;
			}
		}
		throw new AssertionError("no four-fifths entry for " + group + " in " + attribute.path("four_fifths"));
	}

	private String url(String path) {
		return this.cluster.gateway() + path;
	}

}
