package dev.warden.platform.monitoring;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.Await;
import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.fairness.GroupFairness.Counts;
import dev.warden.platform.feedback.LiveQuality;
import dev.warden.platform.feedback.internal.FeedbackStore;
import dev.warden.platform.feedback.internal.FeedbackStore.WindowKey;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.monitoring.internal.DriftStore;
import dev.warden.platform.monitoring.internal.ProfileBuilder;
import dev.warden.platform.monitoring.internal.ProfileSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts on the shared application: rules are evaluated directly (as the scheduled
 * evaluation does, with the rules and the time given by the test, so the shared policy
 * file is not touched), reading serving health flushed through the real accumulator;
 * webhook deliveries go to a real HTTP server in the test, which verifies the signature
 * with the secret; the admin API's answers, roles and refusals.
 */
@ExtendWith(SharedWardenExtension.class)
class AlertsIntegrationTests {

	private static final String PATH = "/api/admin/monitoring/alerts";

	private static final String SECRET = "test-secret-0123456789abcdef";

	/** A request the receiver got: its headers of interest and body. */
	private record Received(String signature, String eventId, String event, String body) {
	}

	private record Parts(Alerts alerts, AlertWebhooks webhooks, AlertEvaluator evaluator) {
	}

	private static Parts parts(WardenTestApp app, String url, Duration initialBackoff) {
		AlertProperties properties = new AlertProperties(true, Duration.ofSeconds(5),
				List.of(new AlertProperties.Webhook(url, SECRET)), 5, initialBackoff, Duration.ofMinutes(1),
				Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1));
		JdbcClient jdbc = app.jdbc();
		TransactionTemplate transactions = app.bean(TransactionTemplate.class);
		AlertWebhooks webhooks = new AlertWebhooks(jdbc, transactions, properties, new SimpleMeterRegistry());
		Alerts alerts = new Alerts(jdbc, app.bean(AuditTrail.class), webhooks);
		AlertEvaluator evaluator = new AlertEvaluator(app.bean(MonitoringPolicies.class), alerts,
				app.bean(ServingHealthReports.class), app.bean(DriftReports.class), app.bean(LiveQuality.class),
				app.bean(DriftStore.class), app.bean(ModelCatalogue.class), jdbc, transactions, properties,
				new SimpleMeterRegistry());
		return new Parts(alerts, webhooks, evaluator);
	}

	private static HttpServer receiver(List<Received> received, int... statuses) throws Exception {
		AtomicInteger calls = new AtomicInteger();
		return FakeWorker.start((exchange) -> {
			byte[] body = FakeWorker.readBody(exchange);
			received.add(new Received(exchange.getRequestHeaders().getFirst("Warden-Signature"),
					exchange.getRequestHeaders().getFirst("Warden-Event-Id"),
					exchange.getRequestHeaders().getFirst("Warden-Event"), new String(body, StandardCharsets.UTF_8)));
			int call = calls.getAndIncrement();
			int status = (call < statuses.length) ? statuses[call] : 200;
			FakeWorker.answer(exchange, status, "{}");
		});
	}

	private static String url(HttpServer server) {
		return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/warden";
	}

	/**
	 * Verifies a signature as a receiver does: HMAC-SHA256 of "t.body" with the secret.
	 */
	private static boolean verifies(Received received) throws Exception {
		String[] parts = received.signature().split(",");
		assertThat(parts).hasSize(2);
		assertThat(parts[0]).startsWith("t=");
		assertThat(parts[1]).startsWith("v1=");
		long t = Long.parseLong(parts[0].substring(2));
		assertThat(Math.abs(Instant.now().getEpochSecond() - t)).isLessThan(600);
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		byte[] expected = mac.doFinal((t + "." + received.body()).getBytes(StandardCharsets.UTF_8));
		return java.security.MessageDigest.isEqual(expected, java.util.HexFormat.of().parseHex(parts[1].substring(3)));
	}

	@Test
	void anErrorRateRuleOpensOnFailingCallsKeepsItsStateWithoutDataAndClosesOnGoodCalls(WardenFixture warden)
			throws Exception {
		WardenTestApp app = warden.app();
		List<Received> received = new CopyOnWriteArrayList<>();
		HttpServer server = receiver(received);
		try {
			Parts parts = parts(app, url(server), Duration.ofSeconds(1));
			String model = "alerts-errors";
			UUID tenant = UUID.fromString(warden.tenant("alerts-errors", "standard"));
			ServingHealth health = app.bean(ServingHealth.class);
			Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(40, ChronoUnit.MINUTES);
			for (int i = 0; i < 60; i++) {
				health.record(tenant, model, "1", t0.plusSeconds(10), (i < 30) ? 503 : 200,
						(i < 30) ? "worker_unavailable" : null, 1000, null, null);
			}
			health.flush();
			AlertRule rule = new AlertRule("it-error-rate", model, AlertRule.ERROR_RATE, Duration.ofMinutes(5), 0.05,
					null, 50, null, null);
			AlertPolicy policy = new AlertPolicy(Duration.ofMinutes(1), List.of(rule));

			parts.evaluator().evaluate(policy, t0.plus(2, ChronoUnit.MINUTES));
			Alerts.Alert open = parts.alerts().open(rule.name(), model, "").orElseThrow();
			assertThat(open.state()).isEqualTo("open");
			assertThat(open.value()).isEqualTo(0.5);
			assertThat(open.threshold()).isEqualTo(0.05);
			assertThat(open.window()).isEqualTo("5m");
			assertThat(open.evidence().path("requests").asLong()).isEqualTo(60);
			assertThat(open.evidence().path("errors_by_code").path("worker_unavailable").asLong()).isEqualTo(30);
			assertThat(app.bean(AuditTrail.class).recent(10, "alert", open.id().toString()))
				.extracting(AuditTrail.AuditEvent::action)
				.containsExactly(Alerts.OPENED);

			// a window without requests: insufficient data, the alert stays open
			parts.evaluator().evaluate(policy, t0.plus(15, ChronoUnit.MINUTES));
			assertThat(parts.alerts().open(rule.name(), model, "")).isPresent();
			// the same condition again: updated, not a second alert
			parts.evaluator().evaluate(policy, t0.plus(3, ChronoUnit.MINUTES));
			assertThat(parts.alerts().get(open.id()).orElseThrow().lastSeenAt())
				.isEqualTo(t0.plus(3, ChronoUnit.MINUTES));
			assertThat(app.jdbc()
				.sql("SELECT count(*) FROM alerts WHERE rule = :rule AND model = :model")
				.param("rule", rule.name())
				.param("model", model)
				.query(Long.class)
				.single()).isEqualTo(1);

			for (int i = 0; i < 60; i++) {
				health.record(tenant, model, "1", t0.plus(20, ChronoUnit.MINUTES), 200, null, 1000, null, null);
			}
			health.flush();
			parts.evaluator().evaluate(policy, t0.plus(22, ChronoUnit.MINUTES));
			Alerts.Alert closed = parts.alerts().get(open.id()).orElseThrow();
			assertThat(closed.state()).isEqualTo("closed");
			assertThat(closed.closedAt()).isEqualTo(t0.plus(22, ChronoUnit.MINUTES));
			assertThat(closed.lastValue()).isEqualTo(0.0);
			assertThat(parts.alerts().open(rule.name(), model, "")).isEmpty();
			assertThat(app.bean(AuditTrail.class).recent(10, "alert", open.id().toString()))
				.extracting(AuditTrail.AuditEvent::action)
				.containsExactlyInAnyOrder(Alerts.OPENED, Alerts.CLOSED);

			// both events delivered, signed with the secret
			assertThat(parts.webhooks().deliverDue()).isEqualTo(2);
			assertThat(received).hasSize(2);
			for (Received each : received) {
				assertThat(verifies(each)).as(each.signature()).isTrue();
				JsonNode body = Json.read(each.body());
				assertThat(body.path("id").asString()).isEqualTo(each.eventId());
				assertThat(body.path("type").asString()).isEqualTo(each.event());
				assertThat(body.path("alert").path("id").asString()).isEqualTo(open.id().toString());
				// a changed body does not verify
				assertThat(verifies(new Received(each.signature(), each.eventId(), each.event(),
						each.body().replace("alerts-errors", "alerts-errorz"))))
					.isFalse();
			}
			assertThat(received).extracting(Received::event).containsExactlyInAnyOrder(Alerts.OPENED, Alerts.CLOSED);
			assertThat(parts.webhooks().deliverDue()).isZero();
		}
		finally {
			server.stop(0);
		}
	}

	@Test
	void aDriftRuleOpensForADriftedVersionWithTheDriftedInputsAndClosesWhenTheInputsAreBack(WardenFixture warden)
			throws Exception {
		WardenTestApp app = warden.app();
		String model = "alerts-drift";
		UUID dataset = UUID.randomUUID();
		app.jdbc()
			.sql("INSERT INTO reference_datasets (id, model, name, source, columns, row_count, chunk_count, sha256, "
					+ "data_key, kek_id, created_at, created_by, deleted_at, deleted_by) VALUES (:id, :model, :name, "
					+ "'upload', CAST('[{\"name\":\"x\",\"dtype\":\"DT_FLOAT\"}]' AS jsonb), 100, 0, 'ab', NULL, "
					+ "'test', now(), 'test', now(), 'test')")
			.param("id", dataset)
			.param("model", model)
			.param("name", "alerts-" + dataset)
			.update();
		// x = 0 … 99 (deciles as bins), every answer [0.5, 0.5]
		ProfileBuilder builder = new ProfileBuilder(List.of("x"), List.of("DT_FLOAT"),
				new ProfileSettings(10, 64, 10, java.util.Set.of(), java.util.Set.of()));
		for (int i = 0; i < 100; i++) {
			builder.add(new String[] { Integer.toString(i) }, null, new double[] { 0.5, 0.5 });
		}
		app.bean(DriftStore.class)
			.storeProfile(UUID.randomUUID(), model, 1, dataset, "ab", null, builder.build(), "test");
		DataDrift drift = new DataDrift(app.bean(DriftStore.class), app.bean(MonitoringPolicies.class),
				new DriftProperties(true, Duration.ofHours(1), Duration.ofSeconds(60), 1000,
						org.springframework.util.unit.DataSize.ofMegabytes(8), Duration.ofSeconds(1),
						Duration.ofSeconds(30), false, 256),
				new SimpleMeterRegistry());
		Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(50, ChronoUnit.MINUTES);
		byte[] answer = "{\"predictions\":[[0.5,0.5]]}".getBytes(StandardCharsets.UTF_8);
		drift.start();
		try {
			// 150 rows far above the reference: everything in the last bin
			for (int i = 0; i < 150; i++) {
				drift.observe(model, "1", t0.getEpochSecond() + 5, false,
						("{\"instances\":[{\"x\":" + (500 + i) + "}]}").getBytes(StandardCharsets.UTF_8), answer);
			}
			// later, 200 rows like the reference
			for (int i = 0; i < 200; i++) {
				drift.observe(model, "1", t0.plus(30, ChronoUnit.MINUTES).getEpochSecond() + 5, false,
						("{\"instances\":[{\"x\":" + (i % 100) + "}]}").getBytes(StandardCharsets.UTF_8), answer);
			}
			Await.within(Duration.ofSeconds(30), drift::idle, (idle) -> idle);
			drift.flush();
		}
		finally {
			drift.stop();
		}
		Parts parts = parts(app, "http://127.0.0.1:9/none", Duration.ofSeconds(1));
		AlertRule rule = new AlertRule("it-drift", model, AlertRule.DRIFT, Duration.ofMinutes(5), null, null, 50, null,
				null);
		AlertPolicy policy = new AlertPolicy(Duration.ofMinutes(1), List.of(rule));
		parts.evaluator().evaluate(policy, t0.plus(2, ChronoUnit.MINUTES));
		Alerts.Alert open = parts.alerts().open(rule.name(), model, "1").orElseThrow();
		assertThat(open.comparison()).isEqualTo("verdict");
		assertThat(open.value()).isEqualTo(1.0);
		JsonNode drifted = open.evidence().path("drifted");
		assertThat(drifted.size()).isEqualTo(1);
		assertThat(drifted.get(0).path("name").asString()).isEqualTo("x");
		JsonNode statistic = drifted.get(0).path("statistics").get(0);
		assertThat(statistic.path("verdict").asString()).isEqualTo("drift");
		assertThat(statistic.path("n_live").asLong()).isEqualTo(150);
		assertThat(statistic.path("psi").asDouble()).isGreaterThan(0.2);
		assertThat(open.evidence().path("samples").asLong()).isEqualTo(150);

		// a window without rows: insufficient data, still open
		parts.evaluator().evaluate(policy, t0.plus(15, ChronoUnit.MINUTES));
		assertThat(parts.alerts().open(rule.name(), model, "1")).isPresent();
		// the inputs are back to the reference: closed
		parts.evaluator().evaluate(policy, t0.plus(32, ChronoUnit.MINUTES));
		assertThat(parts.alerts().get(open.id()).orElseThrow().state()).isEqualTo("closed");
		assertThat(parts.alerts().get(open.id()).orElseThrow().evidence().path("closed_reason").asString())
			.isEqualTo("cleared");
	}

	@Test
	void liveAccuracyAndFairnessRulesOpenOnBadFeedbackAndCloseOnGoodFeedback(WardenFixture warden) {
		WardenTestApp app = warden.app();
		String model = "alerts-quality";
		UUID tenant = UUID.fromString(warden.tenant("alerts-quality", "standard"));
		Instant t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(10, ChronoUnit.HOURS);
		FeedbackStore store = app.bean(FeedbackStore.class);
		// hour t0: accuracy 0.7; selection rate F 10/50, M 40/50 (demographic parity
		// difference 0.6)
		store.add(Map.of(new WindowKey(model, t0, tenant, "2", "", ""), new Counts(30, 20, 40, 10),
				new WindowKey(model, t0, tenant, "2", "sex", "F"), new Counts(5, 5, 35, 5),
				new WindowKey(model, t0, tenant, "2", "sex", "M"), new Counts(25, 15, 5, 5)));
		// hour t0 + 6h: accuracy 0.9; selection rate F 15/30, M 35/70 (difference 0)
		Instant t6 = t0.plus(6, ChronoUnit.HOURS);
		store.add(Map.of(new WindowKey(model, t6, tenant, "2", "", ""), new Counts(45, 5, 45, 5),
				new WindowKey(model, t6, tenant, "2", "sex", "F"), new Counts(12, 3, 12, 3),
				new WindowKey(model, t6, tenant, "2", "sex", "M"), new Counts(33, 2, 33, 2)));
		Parts parts = parts(app, "http://127.0.0.1:9/none", Duration.ofSeconds(1));
		AlertRule accuracy = new AlertRule("it-accuracy", model, AlertRule.ACCURACY_DROP, Duration.ofHours(2), null,
				0.8, 50, null, null);
		AlertRule fairness = new AlertRule("it-fairness", model, AlertRule.FAIRNESS, Duration.ofHours(2), 0.1, null, 50,
				"sex", "demographic_parity_difference");
		AlertPolicy policy = new AlertPolicy(Duration.ofMinutes(1), List.of(accuracy, fairness));

		parts.evaluator().evaluate(policy, t0.plus(90, ChronoUnit.MINUTES));
		Alerts.Alert lowAccuracy = parts.alerts().open("it-accuracy", model, "2").orElseThrow();
		assertThat(lowAccuracy.value()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
		assertThat(lowAccuracy.threshold()).isEqualTo(0.8);
		assertThat(lowAccuracy.comparison()).isEqualTo("below");
		assertThat(lowAccuracy.evidence().path("n").asLong()).isEqualTo(100);
		Alerts.Alert gap = parts.alerts().open("it-fairness", model, "2").orElseThrow();
		assertThat(gap.value()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
		assertThat(gap.evidence().path("attribute").asString()).isEqualTo("sex");

		// a window without feedback: no verdict, both stay open
		parts.evaluator().evaluate(policy, t0.plus(4, ChronoUnit.HOURS));
		assertThat(parts.alerts().open("it-accuracy", model, "2")).isPresent();
		assertThat(parts.alerts().open("it-fairness", model, "2")).isPresent();

		parts.evaluator().evaluate(policy, t6.plus(90, ChronoUnit.MINUTES));
		assertThat(parts.alerts().get(lowAccuracy.id()).orElseThrow().state()).isEqualTo("closed");
		assertThat(parts.alerts().get(lowAccuracy.id()).orElseThrow().lastValue()).isCloseTo(0.9,
				org.assertj.core.data.Offset.offset(1e-9));
		assertThat(parts.alerts().get(gap.id()).orElseThrow().state()).isEqualTo("closed");
		assertThat(parts.alerts().get(gap.id()).orElseThrow().lastValue()).isCloseTo(0.0,
				org.assertj.core.data.Offset.offset(1e-9));
	}

	@Test
	void aFailingReceiverIsRetriedAndTheDeliveryLogShowsEveryAttempt(WardenFixture warden) throws Exception {
		WardenTestApp app = warden.app();
		List<Received> received = new CopyOnWriteArrayList<>();
		HttpServer server = receiver(received, 500, 500, 200);
		try {
			Parts parts = parts(app, url(server), Duration.ofMillis(1));
			AlertRule rule = new AlertRule("it-retries", "alerts-retries", AlertRule.P99_LATENCY, Duration.ofMinutes(5),
					250.0, null, 50, null, null);
			Alerts.Alert alert = app.bean(TransactionTemplate.class)
				.execute((status) -> parts.alerts()
					.firing(rule, "alerts-retries", "", 300.0, Map.of("requests", 60), Instant.now()));
			Await.within(Duration.ofSeconds(30), () -> {
				parts.webhooks().deliverDue();
				return received.size();
			}, (n) -> n >= 3);
			assertThat(received).hasSize(3);
			assertThat(received).extracting(Received::eventId).containsOnly(received.get(0).eventId());
			for (Received each : received) {
				assertThat(verifies(each)).isTrue();
			}

			HttpResponse<String> answer = Http.get(app.url(PATH + "/" + alert.id()), warden.as("carol", "COMPLIANCE"));
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			JsonNode json = Json.read(answer.body());
			assertThat(json.path("alert").path("rule").asString()).isEqualTo("it-retries");
			assertThat(json.path("alert").path("state").asString()).isEqualTo("open");
			assertThat(json.path("alert").path("value").asDouble()).isEqualTo(300.0);
			JsonNode deliveries = json.path("deliveries");
			assertThat(deliveries.size()).isEqualTo(1);
			JsonNode delivery = deliveries.get(0);
			assertThat(delivery.path("event").asString()).isEqualTo(Alerts.OPENED);
			assertThat(delivery.path("state").asString()).isEqualTo("delivered");
			assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
			assertThat(delivery.toString()).doesNotContain(SECRET);
			JsonNode log = delivery.path("attempt_log");
			assertThat(log.size()).isEqualTo(3);
			assertThat(log.get(0).path("status_code").asInt()).isEqualTo(500);
			assertThat(log.get(0).path("error").asString()).isEqualTo("answered 500");
			assertThat(log.get(0).path("next_attempt_at").isNull()).isFalse();
			assertThat(log.get(1).path("status_code").asInt()).isEqualTo(500);
			assertThat(log.get(2).path("status_code").asInt()).isEqualTo(200);
			assertThat(log.get(2).path("error").isNull()).isTrue();
			assertThat(log.get(2).path("next_attempt_at").isNull()).isTrue();
		}
		finally {
			server.stop(0);
		}
	}

	@Test
	void backoffDoublesUpToItsMaximum(WardenFixture warden) {
		Parts parts = parts(warden.app(), "http://127.0.0.1:9/none", Duration.ofSeconds(1));
		assertThat(parts.webhooks().backoff(1)).isEqualTo(Duration.ofSeconds(1));
		assertThat(parts.webhooks().backoff(2)).isEqualTo(Duration.ofSeconds(2));
		assertThat(parts.webhooks().backoff(3)).isEqualTo(Duration.ofSeconds(4));
		assertThat(parts.webhooks().backoff(20)).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void theAdminApiListsAlertsAndRefusesBadParametersAndRoles(WardenFixture warden) {
		WardenTestApp app = warden.app();
		Parts parts = parts(app, "http://127.0.0.1:9/none", Duration.ofSeconds(1));
		AlertRule rule = new AlertRule("it-api", "alerts-api", AlertRule.ERROR_RATE, Duration.ofMinutes(5), 0.1, null,
				50, null, null);
		Alerts.Alert alert = app.bean(TransactionTemplate.class)
			.execute((status) -> parts.alerts().firing(rule, "alerts-api", "", 0.2, Map.of(), Instant.now()));

		HttpResponse<String> open = Http.get(app.url(PATH + "?model=alerts-api"), warden.as("alice", "ADMIN"));
		assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
		JsonNode content = Json.read(open.body()).path("content");
		assertThat(content.size()).isEqualTo(1);
		assertThat(content.get(0).path("id").asString()).isEqualTo(alert.id().toString());
		assertThat(content.get(0).path("opened_at").isString()).isTrue();
		HttpResponse<String> closed = Http.get(app.url(PATH + "?model=alerts-api&state=closed"),
				warden.as("carol", "COMPLIANCE"));
		assertThat(closed.statusCode()).isEqualTo(200);
		assertThat(Json.read(closed.body()).path("content").size()).isZero();
		HttpResponse<String> earlier = Http.get(
				app.url(PATH + "?model=alerts-api&state=all&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z"),
				warden.as("alice", "ADMIN"));
		assertThat(earlier.statusCode()).as(earlier.body()).isEqualTo(200);
		assertThat(Json.read(earlier.body()).path("content").size()).isZero();
		HttpResponse<String> around = Http.get(app.url(PATH + "?model=alerts-api&state=all&from="
				+ Instant.now().minus(1, ChronoUnit.HOURS) + "&to=" + Instant.now().plus(1, ChronoUnit.HOURS)),
				warden.as("alice", "ADMIN"));
		assertThat(Json.read(around.body()).path("content").size()).as(around.body()).isEqualTo(1);

		for (String query : List.of("state=bogus", "model=%20x", "from=yesterday",
				"from=2026-12-06T10:00:00Z&to=2026-12-06T09:00:00Z", "size=0", "colour=red")) {
			HttpResponse<String> bad = Http.get(app.url(PATH + "?" + query), warden.as("alice", "ADMIN"));
			assertThat(bad.statusCode()).as(query + " " + bad.body()).isEqualTo(400);
			assertThat(Json.read(bad.body()).path("error").path("code").asString()).isEqualTo("invalid_parameter");
		}
		HttpResponse<String> notUuid = Http.get(app.url(PATH + "/not-a-uuid"), warden.as("alice", "ADMIN"));
		assertThat(notUuid.statusCode()).isEqualTo(400);
		HttpResponse<String> unknown = Http.get(app.url(PATH + "/" + UUID.randomUUID()), warden.as("alice", "ADMIN"));
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(Json.read(unknown.body()).path("error").path("code").asString()).isEqualTo("not_found");
		JsonNode paths = Json.read(Http.get(app.url("/v3/api-docs")).body()).path("paths");
		assertThat(paths.has(PATH)).isTrue();
		assertThat(paths.has(PATH + "/{id}")).isTrue();
		HttpResponse<String> noRole = Http.get(app.url(PATH), warden.as("dave"));
		assertThat(noRole.statusCode()).isEqualTo(403);
		assertThat(Http.get(app.url(PATH)).statusCode()).isEqualTo(401);
	}

}
