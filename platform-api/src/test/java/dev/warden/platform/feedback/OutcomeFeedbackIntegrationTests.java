package dev.warden.platform.feedback;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.FixedAnswerWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenFixture.CreatedKey;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.PayloadCrypto.Direction;
import dev.warden.platform.crypto.PayloadCrypto.FeedbackPart;
import dev.warden.platform.fairness.internal.FairnessAnalysis;
import dev.warden.platform.fairness.internal.FairnessTally;
import dev.warden.platform.fairness.internal.SensitiveAttribute;
import dev.warden.platform.tenant.TenantDataKeys;
import dev.warden.platform.tenant.TenantPayloadKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Outcome feedback end to end on the shared application: predictions through the gateway
 * (the stand-in worker's model {@value FixedAnswerWorker#SCORING} answers the class
 * probabilities the request names), feedback on them through {@code POST
 * /v1/models/{m}:feedback}, the live quality read back through the admin API and compared
 * with a hand computation and with the fairness engine on the same rows; refusals, the
 * request log, encryption at rest and tenant deletion.
 */
@ExtendWith(SharedWardenExtension.class)
class OutcomeFeedbackIntegrationTests {

	private static final String QUALITY = "/api/admin/monitoring/quality";

	private static final String MODEL = FixedAnswerWorker.SCORING;

	private static String id(String name) {
		return name + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** One prediction of the scoring model, one row per probability of class 1. */
	private static void predict(WardenTestApp app, String path, String key, String requestId, double... p) {
		StringBuilder body = new StringBuilder("{\"instances\":[");
		for (int i = 0; i < p.length; i++) {
			body.append((i > 0) ? "," : "").append("{\"p\":").append(p[i]).append('}');
		}
		HttpResponse<String> answer = Http.postJson(app.url(path), body.append("]}").toString(), "X-API-Key", key,
				"X-Request-Id", requestId);
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
	}

	private static HttpResponse<String> feedback(WardenTestApp app, String path, String key, String body) {
		return Http.postJson(app.url(path), body, "X-API-Key", key);
	}

	private static JsonNode outcome(JsonNode answer, int i) {
		return answer.path("outcomes").get(i);
	}

	private static String encode(Instant instant) {
		return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
	}

	private static JsonNode quality(WardenFixture warden, String query) {
		HttpResponse<String> response = Http.get(warden.app().url(QUALITY + "?" + query),
				warden.as("carol", "COMPLIANCE"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Json.read(response.body());
	}

	private static JsonNode group(JsonNode attribute, String name) {
		for (JsonNode group : attribute.path("groups")) {
			if (group.path("group").asString().equals(name)) {
				return group;
			}
		}
		throw new AssertionError("no group " + name + " in " + attribute);
	}

	@Test
	void feedbackOnTheTenantsOwnPredictionsGivesTheHandComputedLiveQuality(WardenFixture warden) throws Exception {
		WardenTestApp app = warden.app();
		Instant before = Instant.now().minus(1, ChronoUnit.HOURS);
		String tenant = warden.tenant("feedback-counted", "standard");
		CreatedKey key = warden.key(tenant);
		String other = warden.tenant("feedback-other", "standard");
		CreatedKey otherKey = warden.key(other);
		String r1 = id("r1");
		String r2 = id("r2");
		String r3 = id("r3");
		String theirs = id("theirs");
		String path = "/v1/models/" + MODEL + ":predict";
		predict(app, path, key.key(), r1, 0.9, 0.2);
		predict(app, path, key.key(), r2, 0.7);
		predict(app, path, key.key(), r3, 0.4, 0.6, 0.1);
		predict(app, path, otherKey.key(), theirs, 0.9);

		// row by row (threshold 0.5 on class 1): r1 = TP (F), FN (M); r2 = FP (F);
		// r3 = TN, TP, TN (all M)
		String body = """
				{"outcomes": [
				  {"request_id": "%s", "labels": [1, 1], "attributes": [{"sex": "F-x"}, {"sex": "M-y"}]},
				  {"request_id": "%s", "label": 0, "attributes": {"sex": "F-x"}},
				  {"request_id": "%s", "labels": [0, 1, 0], "attributes": {"sex": "M-y"}},
				  {"request_id": "%s", "label": 1},
				  {"request_id": "never-sent-%s", "label": 1},
				  {"request_id": "%s", "labels": [1, 1]}]}""".formatted(r1, r2, r3, theirs, UUID.randomUUID(), r1);
		HttpResponse<String> answered = feedback(app, "/v1/models/" + MODEL + ":feedback", key.key(), body);
		assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
		assertThat(answered.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		JsonNode answer = Json.read(answered.body());
		assertThat(answer.path("accepted").asLong()).as(answered.body()).isEqualTo(3);
		assertThat(answer.path("refused").asLong()).isEqualTo(3);
		for (int i = 0; i < 3; i++) {
			assertThat(outcome(answer, i).path("status").asString()).isEqualTo("accepted");
		}
		assertThat(outcome(answer, 0).path("rows").asInt()).isEqualTo(2);
		assertThat(outcome(answer, 2).path("rows").asInt()).isEqualTo(3);
		// another tenant's request id is refused exactly like one never sent
		JsonNode foreign = outcome(answer, 3);
		JsonNode unknown = outcome(answer, 4);
		assertThat(foreign.path("status").asString()).isEqualTo("refused");
		assertThat(foreign.path("reason").asString()).isEqualTo("unknown_request_id");
		assertThat(unknown.path("reason").asString()).isEqualTo(foreign.path("reason").asString());
		assertThat(unknown.path("message").asString()).isEqualTo(foreign.path("message").asString());
		ObjectNode foreignCopy = (ObjectNode) foreign.deepCopy();
		ObjectNode unknownCopy = (ObjectNode) unknown.deepCopy();
		foreignCopy.remove("request_id");
		unknownCopy.remove("request_id");
		assertThat(foreignCopy).isEqualTo(unknownCopy);
		assertThat(outcome(answer, 5).path("reason").asString()).isEqualTo("already_reported");
		// nothing of the logged prediction is answered
		assertThat(answered.body()).doesNotContain("0.9", "predictions", "probabilit");

		// a repeat counts nothing twice
		JsonNode again = Json.read(feedback(app, "/v1/models/" + MODEL + ":feedback", key.key(),
				"{\"outcomes\":[{\"request_id\":\"" + r2 + "\",\"label\":1}]}")
			.body());
		assertThat(outcome(again, 0).path("reason").asString()).isEqualTo("already_reported");
		// wrong number of labels
		String r4 = id("r4");
		predict(app, path, key.key(), r4, 0.3, 0.3);
		JsonNode mismatch = Json
			.read(feedback(app, "/v1/models/" + MODEL + ":feedback", key.key(), "{\"outcomes\":[{\"request_id\":\"" + r4
					+ "\",\"labels\":[1,0,1]}," + "{\"request_id\":\"" + r4 + "\",\"labels\":[1,5]}]}")
				.body());
		assertThat(outcome(mismatch, 0).path("reason").asString()).isEqualTo("rows_mismatch");
		assertThat(outcome(mismatch, 0).path("message").asString()).contains("2 rows", "3 labels");
		assertThat(outcome(mismatch, 1).path("reason").asString()).isEqualTo("label_out_of_range");

		String range = "&from=" + encode(before) + "&to=" + encode(Instant.now().plus(1, ChronoUnit.HOURS));
		JsonNode report = quality(warden,
				"model=" + MODEL + "&tenant=" + tenant + range + "&min_group_size=1&min_positives=0");
		assertThat(report.path("window").asString()).isEqualTo("1h");
		assertThat(report.path("decision").path("threshold").asDouble()).isEqualTo(0.5);
		assertThat(report.path("decision").path("positive_class").asInt()).isEqualTo(1);
		JsonNode totals = report.path("totals");
		assertThat(totals.path("n").asLong()).isEqualTo(6);
		JsonNode overall = totals.path("overall");
		assertThat(overall.path("confusion").path("tp").asLong()).isEqualTo(2);
		assertThat(overall.path("confusion").path("fp").asLong()).isEqualTo(1);
		assertThat(overall.path("confusion").path("tn").asLong()).isEqualTo(2);
		assertThat(overall.path("confusion").path("fn").asLong()).isEqualTo(1);
		JsonNode metrics = overall.path("metrics");
		assertThat(metrics.path("accuracy").path("value").asDouble()).isEqualTo(4.0 / 6);
		assertThat(metrics.path("error_rate").path("value").asDouble()).isEqualTo(2.0 / 6);
		assertThat(metrics.path("error_rate").path("ci_low").asDouble())
			.isCloseTo(1 - metrics.path("accuracy").path("ci_high").asDouble(), within(1e-12));
		assertThat(metrics.path("selection_rate").path("value").asDouble()).isEqualTo(3.0 / 6);
		assertThat(metrics.path("tpr").path("value").asDouble()).isEqualTo(2.0 / 3);
		assertThat(metrics.path("fpr").path("value").asDouble()).isEqualTo(1.0 / 3);
		JsonNode sex = totals.path("attributes").get(0);
		assertThat(sex.path("name").asString()).isEqualTo("sex");
		// the reference is the largest group: M-y (4 rows)
		assertThat(sex.path("reference").asString()).isEqualTo("M-y");
		JsonNode female = group(sex, "F-x");
		assertThat(female.path("n").asLong()).isEqualTo(2);
		assertThat(female.path("metrics").path("selection_rate").path("value").asDouble()).isEqualTo(1.0);
		assertThat(female.path("metrics").path("tpr").path("value").asDouble()).isEqualTo(1.0);
		assertThat(female.path("metrics").path("fpr").path("value").asDouble()).isEqualTo(1.0);
		assertThat(female.path("metrics").path("error_rate").path("value").asDouble()).isEqualTo(0.5);
		JsonNode male = group(sex, "M-y");
		assertThat(male.path("n").asLong()).isEqualTo(4);
		assertThat(male.path("metrics").path("selection_rate").path("value").asDouble()).isEqualTo(0.25);
		assertThat(male.path("metrics").path("tpr").path("value").asDouble()).isEqualTo(0.5);
		assertThat(male.path("metrics").path("fpr").path("value").asDouble()).isEqualTo(0.0);
		JsonNode gap = sex.path("against_reference").get(0);
		assertThat(gap.path("group").asString()).isEqualTo("F-x");
		assertThat(gap.path("statistical_parity_difference").path("value").asDouble()).isEqualTo(0.75);
		assertThat(gap.path("disparate_impact_ratio").path("value").asDouble()).isEqualTo(4.0);
		assertThat(gap.path("equal_opportunity_difference").path("value").asDouble()).isEqualTo(0.5);

		// the same rows counted by the fairness checks' own engine give the same numbers
		FairnessTally tally = new FairnessTally(List.of(new SensitiveAttribute("sex", null, null)));
		tally.add(new String[] { "F-x" }, true, true);
		tally.add(new String[] { "M-y" }, true, false);
		tally.add(new String[] { "F-x" }, false, true);
		tally.add(new String[] { "M-y" }, false, false);
		tally.add(new String[] { "M-y" }, true, true);
		tally.add(new String[] { "M-y" }, false, false);
		ObjectNode engine = FairnessAnalysis.analyse(tally, new FairnessAnalysis.Settings(0, 0, 0.95, 1, 0, 1));
		JsonNode expected = engine.path("attributes").get(0);
		assertThat(sex.path("against_reference").toString()).isEqualTo(expected.path("against_reference").toString());
		assertThat(sex.path("between_groups").toString()).isEqualTo(expected.path("between_groups").toString());
		assertThat(sex.path("four_fifths").toString()).isEqualTo(expected.path("four_fifths").toString());
		for (String name : List.of("F-x", "M-y")) {
			ObjectNode live = (ObjectNode) group(sex, name).deepCopy();
			((ObjectNode) live.path("metrics")).remove("error_rate");
			assertThat(live.toString()).isEqualTo(group(expected, name).toString());
		}
		ObjectNode liveOverall = (ObjectNode) overall.deepCopy();
		((ObjectNode) liveOverall.path("metrics")).remove("error_rate");
		assertThat(liveOverall.toString()).isEqualTo(engine.path("overall").toString());
		assertThat(report.path("definitions").toString()).isEqualTo(engine.path("definitions").toString());
		// the window of the predictions holds them all
		long inWindows = 0;
		for (JsonNode window : report.path("windows")) {
			inWindows += window.path("n").asLong();
		}
		assertThat(inWindows).isEqualTo(6);
		// with the default rule (30 rows, 10 positives) nothing is compared: no verdict
		JsonNode strict = quality(warden, "model=" + MODEL + "&tenant=" + tenant + range);
		assertThat(strict.path("totals").path("sufficient").asBoolean()).isFalse();
		JsonNode strictSex = strict.path("totals").path("attributes").get(0);
		assertThat(strictSex.path("against_reference").isEmpty()).isTrue();
		assertThat(strictSex.path("four_fifths").isEmpty()).isTrue();
		assertThat(strictSex.path("suppressed")).hasSize(2);
		// the other tenant's counts are its own
		assertThat(quality(warden, "model=" + MODEL + "&tenant=" + other + range).path("totals").path("n").asLong())
			.isZero();
		// the tenant reads the same through the data plane, for itself only
		String summary = "/v1/models/" + MODEL + "/feedback?min_group_size=1&min_positives=0" + range;
		HttpResponse<String> own = Http.get(app.url(summary), "X-API-Key", key.key());
		assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
		assertThat(Json.read(own.body()).path("tenant_id").asString()).isEqualTo(tenant);
		assertThat(Json.read(own.body()).path("totals").toString()).isEqualTo(totals.toString());
		// the other tenant has no feedback on this model (which no catalogue knows): the
		// answer of a missing model, nothing of the first tenant's counts
		HttpResponse<String> theirsRead = Http.get(app.url(summary), "X-API-Key", otherKey.key());
		assertThat(theirsRead.statusCode()).isEqualTo(404);
		assertThat(Json.read(theirsRead.body()).path("error").path("code").asString()).isEqualTo("model_not_found");
		HttpResponse<String> unknownParameter = Http.get(app.url(summary + "&tenant=" + other), "X-API-Key", key.key());
		assertThat(unknownParameter.statusCode()).isEqualTo(400);
		assertThat(Json.read(unknownParameter.body()).path("error").path("code").asString())
			.isEqualTo("invalid_parameter");
		assertThat(Http.get(app.url(summary + "&window=1h&window=1d"), "X-API-Key", key.key()).statusCode())
			.isEqualTo(400);
		assertThat(Http.get(app.url(summary + "&window=5m"), "X-API-Key", key.key()).statusCode()).isEqualTo(400);
		CreatedKey predictOnly = warden.key(tenant, "{\"name\":\"p\",\"operations\":[\"predict\"]}");
		assertThat(Http.get(app.url(summary), "X-API-Key", predictOnly.key()).statusCode()).isEqualTo(403);

		// stored: the outcome and the attributes encrypted under the tenant's key, apart
		Map<String, Object> row = app.jdbc()
			.sql("SELECT version, row_count, outcome, attributes FROM feedback_outcomes "
					+ "WHERE tenant_id = CAST(:t AS uuid) AND request_id = :r")
			.param("t", tenant)
			.param("r", r1)
			.query()
			.singleRow();
		byte[] attributes = (byte[]) row.get("attributes");
		byte[] outcomeBytes = (byte[]) row.get("outcome");
		assertThat(row.get("row_count")).isEqualTo(2);
		assertThat(new String(attributes, StandardCharsets.ISO_8859_1)).doesNotContain("F-x", "M-y", "sex");
		assertThat(new String(outcomeBytes, StandardCharsets.ISO_8859_1)).doesNotContain("labels", "predicted");
		Aead aead = app.bean(TenantDataKeys.class).payloadKey(UUID.fromString(tenant)).aead();
		assertThat(new String(PayloadCrypto.decryptFeedback(aead, attributes, UUID.fromString(tenant), MODEL, r1,
				FeedbackPart.ATTRIBUTES), StandardCharsets.UTF_8))
			.isEqualTo("[{\"sex\":\"F-x\"},{\"sex\":\"M-y\"}]");
		assertThat(Json.read(new String(PayloadCrypto.decryptFeedback(aead, outcomeBytes, UUID.fromString(tenant),
				MODEL, r1, FeedbackPart.OUTCOME), StandardCharsets.UTF_8)))
			.isEqualTo(Json.read("{\"predicted\":[1,0],\"labels\":[1,1]}"));
		// bound to its request: the attributes of r1 do not open as another request's
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> PayloadCrypto.decryptFeedback(aead, attributes, UUID.fromString(tenant), MODEL,
					r2, FeedbackPart.ATTRIBUTES))
			.isInstanceOf(java.security.GeneralSecurityException.class);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM feedback_windows WHERE tenant_id = CAST(:t AS uuid) AND "
					+ "(attribute LIKE '%F-x%' OR group_value = 'F-x')")
			.param("t", tenant)
			.query(Long.class)
			.single()).as("group values are counted in clear; only the aggregates hold them").isEqualTo(1);

		// the 2xx is in the request log, its request without the attributes
		Map<String, Object> logged = app.jdbc()
			.sql("SELECT id, request_id, status, path, request_payload FROM request_log "
					+ "WHERE tenant_id = CAST(:t AS uuid) AND path = :p AND status = 200 ORDER BY occurred_at LIMIT 1")
			.param("t", tenant)
			.param("p", "/v1/models/" + MODEL + ":feedback")
			.query()
			.singleRow();
		String loggedRequest = new String(
				PayloadCrypto.decryptPayload(aead, (byte[]) logged.get("request_payload"), UUID.fromString(tenant),
						(UUID) logged.get("id"), (String) logged.get("request_id"), Direction.REQUEST),
				StandardCharsets.UTF_8);
		assertThat(loggedRequest).contains(r1, r2).doesNotContain("F-x", "M-y", "sex");
	}

	@Test
	void concurrentCallsReportingTheSameRequestIdsCountEachOnce(WardenFixture warden) throws Exception {
		WardenTestApp app = warden.app();
		String tenant = warden.tenant("feedback-race", "standard");
		CreatedKey key = warden.key(tenant);
		List<String> ids = new java.util.ArrayList<>();
		for (int i = 0; i < 8; i++) {
			ids.add(id("race" + i));
			predict(app, "/v1/models/" + MODEL + ":predict", key.key(), ids.get(i), 0.9);
		}
		int callers = 4;
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
		java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
		List<java.util.concurrent.Future<HttpResponse<String>>> calls = new java.util.ArrayList<>();
		try {
			for (int c = 0; c < callers; c++) {
				List<String> order = new java.util.ArrayList<>(ids);
				java.util.Collections.shuffle(order, new java.util.Random(c));
				StringBuilder body = new StringBuilder("{\"outcomes\":[");
				for (int i = 0; i < order.size(); i++) {
					body.append((i > 0) ? "," : "")
						.append("{\"request_id\":\"")
						.append(order.get(i))
						.append("\",\"label\":1}");
				}
				String json = body.append("]}").toString();
				calls.add(pool.submit(() -> {
					start.await();
					return feedback(app, "/v1/models/" + MODEL + ":feedback", key.key(), json);
				}));
			}
			start.countDown();
			Map<String, Integer> accepted = new java.util.HashMap<>();
			for (java.util.concurrent.Future<HttpResponse<String>> call : calls) {
				HttpResponse<String> answer = call.get(60, java.util.concurrent.TimeUnit.SECONDS);
				assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
				for (JsonNode outcome : Json.read(answer.body()).path("outcomes")) {
					if ("accepted".equals(outcome.path("status").asString())) {
						accepted.merge(outcome.path("request_id").asString(), 1, Integer::sum);
					}
					else {
						assertThat(outcome.path("reason").asString()).isEqualTo("already_reported");
					}
				}
			}
			assertThat(accepted).hasSize(ids.size()).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(quality(warden, "model=" + MODEL + "&tenant=" + tenant).path("totals").path("n").asLong())
			.isEqualTo(ids.size());
	}

	@Test
	void anOpenInferencePredictionIsMatchedAndDecidedLikeAnyOther(WardenFixture warden) {
		WardenTestApp app = warden.app();
		String tenant = warden.tenant("feedback-v2", "standard");
		CreatedKey key = warden.key(tenant);
		String r = id("v2infer");
		// the stand-in reads the p of each instance from the body: 0.8 and 0.3
		HttpResponse<String> inferred = Http.postJson(app.url("/v2/models/" + MODEL + "/infer"),
				"{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"a\",\"b\"]}],"
						+ "\"rows\":[{\"p\":0.8},{\"p\":0.3}]}",
				"X-API-Key", key.key(), "X-Request-Id", r);
		assertThat(inferred.statusCode()).as(inferred.body()).isEqualTo(200);
		JsonNode answer = Json.read(feedback(app, "/v1/models/" + MODEL + ":feedback", key.key(),
				"{\"outcomes\":[{\"request_id\":\"" + r + "\",\"labels\":[0,0]}]}")
			.body());
		assertThat(outcome(answer, 0).path("status").asString()).as(answer.toString()).isEqualTo("accepted");
		// predicted 1 then 0, both actually 0: one false positive, one true negative
		JsonNode confusion = quality(warden, "model=" + MODEL + "&tenant=" + tenant).path("totals")
			.path("overall")
			.path("confusion");
		assertThat(confusion.path("fp").asLong()).isEqualTo(1);
		assertThat(confusion.path("tn").asLong()).isEqualTo(1);
		assertThat(confusion.path("tp").asLong() + confusion.path("fn").asLong()).isZero();
	}

	@Test
	void aVersionInThePathMatchesOnlyPredictionsOfThatVersion(WardenFixture warden) {
		WardenTestApp app = warden.app();
		String tenant = warden.tenant("feedback-version", "standard");
		CreatedKey key = warden.key(tenant);
		String pinned = id("v2");
		String unversioned = id("v0");
		predict(app, "/v1/models/" + MODEL + "/versions/2:predict", key.key(), pinned, 0.8);
		predict(app, "/v1/models/" + MODEL + ":predict", key.key(), unversioned, 0.8);
		JsonNode answer = Json.read(feedback(app, "/v1/models/" + MODEL + "/versions/2:feedback", key.key(),
				"{\"outcomes\":[{\"request_id\":\"" + pinned + "\",\"label\":1},{\"request_id\":\"" + unversioned
						+ "\",\"label\":1}]}")
			.body());
		assertThat(answer.path("version").asString()).isEqualTo("2");
		assertThat(outcome(answer, 0).path("status").asString()).isEqualTo("accepted");
		assertThat(outcome(answer, 0).path("version").asString()).isEqualTo("2");
		assertThat(outcome(answer, 1).path("reason").asString()).isEqualTo("unknown_request_id");
		JsonNode report = quality(warden, "model=" + MODEL + "&version=2&tenant=" + tenant);
		assertThat(report.path("totals").path("n").asLong()).isEqualTo(1);
		assertThat(report.path("totals").path("overall").path("confusion").path("tp").asLong()).isEqualTo(1);
	}

	@Test
	void badInputIsAJsonRefusalAndNeverReachesTheCounts(WardenFixture warden) {
		WardenTestApp app = warden.app();
		String tenant = warden.tenant("feedback-refused", "standard");
		CreatedKey key = warden.key(tenant);
		CreatedKey predictOnly = warden.key(tenant, "{\"name\":\"p\",\"operations\":[\"predict\"]}");
		String url = "/v1/models/" + MODEL + ":feedback";
		String valid = "{\"outcomes\":[{\"request_id\":\"x\",\"label\":1}]}";

		HttpResponse<String> scope = feedback(app, url, predictOnly.key(), valid);
		assertThat(scope.statusCode()).isEqualTo(403);
		assertThat(Json.read(scope.body()).path("error").path("code").asString()).isEqualTo("insufficient_scope");
		assertThat(scope.body()).contains("operation 'feedback'");
		// an unknown key
		assertThat(feedback(app, url, "wdn_AAAAAAAAAAAA_" + "B".repeat(32), valid).statusCode()).isEqualTo(401);

		for (String body : List.of("{", "[]", "{\"outcomes\":[{\"request_id\":\"x\",\"label\":\"1\"}]}",
				"{\"outcomes\":[{\"request_id\":\"x\",\"label\":1.5}]}",
				"{\"outcomes\":[{\"request_id\":\"x\",\"label\":1,\"attributes\":{\"sex\":7}}]}",
				"{\"outcomes\":[{\"request_id\":\"x\",\"label\":1}],\"extra\":true}", "\"outcomes\"", "null")) {
			HttpResponse<String> refused = feedback(app, url, key.key(), body);
			assertThat(refused.statusCode()).as(body).isEqualTo(400);
			JsonNode error = Json.read(refused.body()).path("error");
			assertThat(error.path("code").asString()).isEqualTo("invalid_feedback");
			assertThat(error.path("message").asString()).isNotBlank();
			assertThat(error.path("request_id").asString()).isNotBlank();
		}
		HttpResponse<String> bytes = Http.sendBytes("POST", app.url(url), new byte[] { '{', (byte) 0xC3, '}' },
				"Content-Type", "application/json", "X-API-Key", key.key());
		assertThat(bytes.statusCode()).isEqualTo(400);
		// larger than the plan's body limit (standard: 1 MiB): 413 before anything is
		// read
		String large = "{\"outcomes\":[" + ("{\"request_id\":\"x\",\"label\":1},".repeat(40_000)) + "]}";
		HttpResponse<String> tooLarge = feedback(app, url, key.key(), large);
		assertThat(tooLarge.statusCode()).isEqualTo(413);
		assertThat(Json.read(tooLarge.body()).path("error").path("code").asString()).isEqualTo("payload_too_large");
		// not JSON
		HttpResponse<String> form = Http.send("POST", app.url(url), "a=b", "Content-Type",
				"application/x-www-form-urlencoded", "X-API-Key", key.key());
		assertThat(form.statusCode()).isEqualTo(415);
		// other methods, labels
		HttpResponse<String> get = Http.get(app.url(url), "X-API-Key", key.key());
		assertThat(get.statusCode()).isEqualTo(405);
		assertThat(get.headers().firstValue("Allow")).hasValue("POST");
		assertThat(feedback(app, "/v1/models/" + MODEL + "/labels/stable:feedback", key.key(), valid).statusCode())
			.isEqualTo(404);
		// a model nobody knows, with no prediction of the caller: the 404 of a missing
		// model
		HttpResponse<String> missing = feedback(app, "/v1/models/no-such-model-fb:feedback", key.key(), valid);
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(Json.read(missing.body()).path("error").path("code").asString()).isEqualTo("model_not_found");

		// every refusal is in the request log, without a request payload
		List<Map<String, Object>> rows = app.jdbc()
			.sql("SELECT status, error_code, request_payload FROM request_log WHERE tenant_id = CAST(:t AS uuid) "
					+ "AND path LIKE '%:feedback' AND status = 400")
			.param("t", tenant)
			.query()
			.listOfRows();
		assertThat(rows).hasSizeGreaterThanOrEqualTo(9);
		assertThat(rows).allSatisfy((row) -> {
			assertThat(row.get("error_code")).isEqualTo("invalid_feedback");
			assertThat(row.get("request_payload")).isNull();
		});
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM feedback_windows WHERE tenant_id = CAST(:t AS uuid)")
			.param("t", tenant)
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void deletingTheTenantShredsItsAttributesAndDropsItsCounts(WardenFixture warden) {
		WardenTestApp app = warden.app();
		String tenant = warden.tenant("feedback-deleted", "standard");
		CreatedKey key = warden.key(tenant);
		String r = id("gone");
		predict(app, "/v1/models/" + MODEL + ":predict", key.key(), r, 0.9);
		JsonNode answer = Json.read(feedback(app, "/v1/models/" + MODEL + ":feedback", key.key(),
				"{\"outcomes\":[{\"request_id\":\"" + r + "\",\"label\":1,\"attributes\":{\"sex\":\"F\"}}]}")
			.body());
		assertThat(outcome(answer, 0).path("status").asString()).isEqualTo("accepted");
		String count = "SELECT count(*) FROM feedback_windows WHERE tenant_id = CAST(:t AS uuid)";
		assertThat(app.jdbc().sql(count).param("t", tenant).query(Long.class).single()).isEqualTo(2);

		HttpResponse<String> deleted = Http.send("DELETE", app.url("/api/admin/tenants/" + tenant), null,
				warden.admin());
		assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
		assertThat(app.jdbc().sql(count).param("t", tenant).query(Long.class).single()).isZero();
		// the outcome row stays, and nothing can open it any more
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM feedback_outcomes WHERE tenant_id = CAST(:t AS uuid) AND attributes IS NOT NULL")
			.param("t", tenant)
			.query(Long.class)
			.single()).isEqualTo(1);
		TenantPayloadKey shredded = app.bean(TenantDataKeys.class).payloadKey(UUID.fromString(tenant));
		assertThat(shredded.destroyed()).isTrue();
	}

	@Test
	void theAdminApiRefusesBadParametersAndUnknownModels(WardenFixture warden) {
		WardenTestApp app = warden.app();
		for (String query : List.of("", "model=bad%20name", "model=" + MODEL + "&version=x",
				"model=" + MODEL + "&window=5m", "model=" + MODEL + "&from=yesterday",
				"model=" + MODEL + "&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z",
				"model=" + MODEL + "&min_group_size=0", "model=" + MODEL + "&min_positives=-1",
				"model=" + MODEL + "&limit=3")) {
			HttpResponse<String> refused = Http.get(app.url(QUALITY + "?" + query), warden.admin());
			assertThat(refused.statusCode()).as(query).isEqualTo(400);
			assertThat(Json.read(refused.body()).path("error").path("code").asString()).isEqualTo("invalid_parameter");
		}
		assertThat(Http.get(app.url(QUALITY + "?model=never-heard-of-fb"), warden.admin()).statusCode()).isEqualTo(404);
		assertThat(Http.get(app.url(QUALITY + "?model=" + MODEL)).statusCode()).isEqualTo(401);
	}

}
