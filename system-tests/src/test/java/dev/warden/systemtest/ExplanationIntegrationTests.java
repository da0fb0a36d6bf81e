package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Per-request explanations as a tenant gets them: through the gateway with an API key
 * (scope, quota cost, encrypted request log) to a worker explaining real SavedModels
 * trained by the product's own trainers. Integrated gradients must be complete (the
 * attributions add up to f(x) − f(baseline) within 1%) on held-out rows of {@code income}
 * and on texts for {@code spam}, whose token spans must slice the caller's text.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplanationIntegrationTests {

	/** Rows that are not in the training split (from the Adult test data's shape). */
	static final List<Map<String, Object>> HELD_OUT = EndToEndIntegrationTests.RECORDS;

	static final List<String> TEXTS = List.of(
			"Subject: WIN a FREE prize!!! Click http://example.com now, only $9.99 for 3 days",
			"Subject: Re: the build is fixed\n\nThanks for the patch, I merged it into the release branch.");

	WardenCluster cluster;

	String tenantId;

	String apiKey;

	@BeforeAll
	void createTenantAndKey(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		this.tenantId = cluster.newTenant("explainer", "standard");
		this.apiKey = cluster.newKey(this.tenantId, "explain");
	}

	private Http.Response explain(String model, String body, String requestId) throws Exception {
		var headers = new HashMap<>(Http.bearer(this.apiKey));
		headers.put("X-Request-Id", requestId);
		return Http.postJson(this.cluster.gateway() + "/v1/models/" + model + ":explain", headers, body);
	}

	private static void assertComplete(JsonNode explanation) {
		double sum = 0;
		for (JsonNode attribution : explanation.path("attributions")) {
			sum += attribution.path("attribution").asDouble();
		}
		double change = explanation.path("f_x").asDouble() - explanation.path("f_baseline").asDouble();
		assertThat(Math.abs(sum - change)).as("completeness of %s", explanation)
			.isLessThanOrEqualTo(0.01 * Math.abs(change) + 1e-6);
	}

	@Test
	void heldOutIncomeRowsAreExplainedCompletelyMeteredAndLoggedEncrypted() throws Exception {
		String requestId = "explain-" + UUID.randomUUID();
		String body = JsonMapper.shared()
			.writeValueAsString(Map.of("instances", HELD_OUT, "parameters", Map.of("method", "integrated_gradients")));
		var answer = explain("income", body, requestId);
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		assertThat(answer.header("Warden-Quota-Cost")).isEqualTo("10");
		JsonNode explanations = answer.json().path("explanations");
		assertThat(explanations.size()).isEqualTo(HELD_OUT.size());
		for (JsonNode explanation : explanations) {
			assertThat(explanation.path("method").asString()).isEqualTo("integrated_gradients");
			assertThat(explanation.path("attributions").size()).isEqualTo(14);
			assertComplete(explanation);
		}

		// metered: the tenant's usage counts the request and its rows
		var usage = Http.get(this.cluster.gateway() + "/v1/usage", Http.bearer(this.apiKey));
		assertThat(usage.status()).as(usage.body()).isEqualTo(200);
		assertThat(usage.json().path("quota").path("explain_cost").asLong()).isEqualTo(10);

		// logged before the answer, encrypted under the tenant's key
		try (var db = this.cluster.database()) {
			var query = db.prepareStatement("""
					select r.id, r.status, r.path, r.request_payload, r.response_payload, t.data_key
					from request_log r join tenants t on t.id = r.tenant_id where r.request_id = ?""");
			query.setString(1, requestId);
			var row = query.executeQuery();
			assertThat(row.next()).as("request log row for " + requestId).isTrue();
			assertThat(row.getInt("status")).isEqualTo(200);
			assertThat(row.getString("path")).isEqualTo("/v1/models/income:explain");
			byte[] storedResponse = row.getBytes("response_payload");
			assertThat(new String(storedResponse, StandardCharsets.ISO_8859_1)).doesNotContain("attributions");
			var crypto = PayloadDecryption.fromDataDir(this.cluster.dataDir);
			assertThat(crypto.decrypt(row.getBytes("data_key"), this.tenantId, row.getString("id"), requestId,
					"response", storedResponse))
				.isEqualTo(answer.body());
		}
	}

	@Test
	void textsAreExplainedTokenByTokenWithSpansInTheCallersText() throws Exception {
		String body = JsonMapper.shared().writeValueAsString(Map.of("instances", TEXTS));
		var answer = explain("spam", body, "explain-text-" + UUID.randomUUID());
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		JsonNode explanations = answer.json().path("explanations");
		assertThat(explanations.size()).isEqualTo(TEXTS.size());
		for (int i = 0; i < TEXTS.size(); i++) {
			JsonNode explanation = explanations.get(i);
			assertThat(explanation.path("method").asString()).isEqualTo("integrated_gradients");
			assertComplete(explanation);
			String text = TEXTS.get(i);
			int previousStart = -1;
			assertThat(explanation.path("attributions").size()).isGreaterThan(5);
			for (JsonNode token : explanation.path("attributions")) {
				int start = token.path("start").asInt();
				int end = token.path("end").asInt();
				assertThat(start).isGreaterThan(previousStart);
				assertThat(end).isGreaterThan(start).isLessThanOrEqualTo(text.length());
				previousStart = start;
				String word = token.path("token").asString();
				if (!word.startsWith("xx")) {
					assertThat(text.substring(start, end).toLowerCase(java.util.Locale.ROOT)).isEqualTo(word);
				}
			}
		}
	}

	@Test
	void aKeyWithoutTheExplainScopeIsRefused() throws Exception {
		var created = Http.send("POST", this.cluster.gateway() + "/api/admin/tenants/" + this.tenantId + "/keys",
				Http.bearer(this.cluster.adminToken()), "{\"name\":\"predict-only\",\"operations\":[\"predict\"]}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String predictOnly = created.json().path("key").asString();
		var refused = Http.postJson(this.cluster.gateway() + "/v1/models/income:explain", Http.bearer(predictOnly),
				JsonMapper.shared().writeValueAsString(Map.of("instances", HELD_OUT.subList(0, 1))));
		assertThat(refused.status()).as(refused.body()).isEqualTo(403);
	}

}
