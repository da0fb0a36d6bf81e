package dev.warden.platform.monitoring;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Await;
import dev.warden.platform.FakeWorker;
import dev.warden.platform.Json;
import dev.warden.platform.TestPolicies;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.audit.AuditTrail;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduled path of alerts on an application of its own (its evaluation schedule off,
 * so the test calls {@link AlertEvaluator#evaluateIfDue} itself): the rules come from the
 * policy file, an evaluation is skipped while another holds the evaluation lock and while
 * {@code evaluate_every} has not passed, a rule removed from the file closes its open
 * alert, the open-alerts gauge follows the table, and the application's own delivery
 * thread posts the events to the configured webhook.
 */
class AlertSchedulingIntegrationTests {

	private static final String SECRET = "scheduling-secret-0123456789";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policies;

	static HttpServer receiver;

	static final List<String> received = new CopyOnWriteArrayList<>();

	static WardenFixture warden;

	@BeforeAll
	static void start() throws Exception {
		receiver = FakeWorker.start((exchange) -> {
			byte[] body = FakeWorker.readBody(exchange);
			String signature = exchange.getRequestHeaders().getFirst("Warden-Signature");
			String t = signature.substring(2, signature.indexOf(','));
			String expected = AlertWebhooks.signature(SECRET, Long.parseLong(t),
					new String(body, StandardCharsets.UTF_8));
			received.add((expected.equals(signature) ? "valid " : "invalid ")
					+ exchange.getRequestHeaders().getFirst("Warden-Event"));
			FakeWorker.answer(exchange, 204, "{}");
		});
		String promotion;
		try (java.io.InputStream in = new org.springframework.core.io.ClassPathResource("policies/promotion.yaml")
			.getInputStream()) {
			promotion = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		TestPolicies.write(policies, promotion);
		write("""
				alerts:
				  evaluate_every: 1m
				  rules:
				    - {name: sched-errors, model: sched-model, kind: error_rate, window: 5m, above: 0.05,
				       min_requests: 10}
				""");
		warden = WardenFixture.start(dataDir,
				Map.of("warden.policies-dir", policies.toString(), "warden.monitoring.alerts.enabled", "false",
						"warden.monitoring.alerts.webhooks[0].url",
						"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
						"warden.monitoring.alerts.webhooks[0].secret", SECRET));
	}

	@AfterAll
	static void stop() throws Exception {
		try {
			if (warden != null) {
				warden.close();
			}
		}
		finally {
			receiver.stop(0);
		}
	}

	private static void write(String yaml) throws Exception {
		Path temp = policies.resolve("monitoring.yaml.tmp");
		Files.writeString(temp, yaml);
		Files.move(temp, policies.resolve("monitoring.yaml"), StandardCopyOption.REPLACE_EXISTING,
				StandardCopyOption.ATOMIC_MOVE);
	}

	private static double gauge(WardenTestApp app, String rule) {
		Gauge gauge = app.bean(MeterRegistry.class).find("warden.monitoring.alerts.open").tag("rule", rule).gauge();
		return (gauge != null) ? gauge.value() : -1;
	}

	@Test
	void theScheduledEvaluationRunsOnceAtATimeWhenDueAndClosesTheAlertsOfARemovedRule() throws Exception {
		WardenTestApp app = warden.app();
		AlertEvaluator evaluator = app.bean(AlertEvaluator.class);
		Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(10, ChronoUnit.MINUTES);
		ServingHealth health = app.bean(ServingHealth.class);
		UUID tenant = UUID.randomUUID();
		for (int i = 0; i < 20; i++) {
			health.record(tenant, "sched-model", "1", t0.plusSeconds(1), 503, "worker_unavailable", 100, null, null);
		}
		health.flush();

		// another replica holds the evaluation lock: this one skips
		try (Connection other = app.bean(DataSource.class).getConnection()) {
			other.setAutoCommit(false);
			try (Statement statement = other.createStatement();
					ResultSet locked = statement
						.executeQuery("SELECT pg_try_advisory_xact_lock(hashtext('warden.alerts.evaluation'))")) {
				assertThat(locked.next()).isTrue();
				assertThat(locked.getBoolean(1)).isTrue();
			}
			assertThat(evaluator.evaluateIfDue(t0.plus(1, ChronoUnit.MINUTES))).isFalse();
			other.rollback();
		}
		Alerts alerts = app.bean(Alerts.class);
		assertThat(alerts.open("sched-errors", "sched-model", "")).isEmpty();

		assertThat(evaluator.evaluateIfDue(t0.plus(1, ChronoUnit.MINUTES))).isTrue();
		Alerts.Alert open = alerts.open("sched-errors", "sched-model", "").orElseThrow();
		assertThat(open.value()).isEqualTo(1.0);
		// not due before evaluate_every has passed
		assertThat(evaluator.evaluateIfDue(t0.plus(80, ChronoUnit.SECONDS))).isFalse();
		evaluator.refreshGauge();
		assertThat(gauge(app, "sched-errors")).isEqualTo(1.0);

		// the rule is removed from the file: the next evaluation closes its alert
		write("alerts:\n  evaluate_every: 1m\n  rules: []\n");
		assertThat(app.bean(MonitoringPolicyReloader.class).reloadIfChanged()).isTrue();
		assertThat(evaluator.evaluateIfDue(t0.plus(2, ChronoUnit.MINUTES))).isTrue();
		Alerts.Alert closed = alerts.get(open.id()).orElseThrow();
		assertThat(closed.state()).isEqualTo("closed");
		assertThat(closed.evidence().path("closed_reason").asString()).isEqualTo("rule_removed");
		evaluator.refreshGauge();
		assertThat(gauge(app, "sched-errors")).isZero();
		assertThat(app.bean(AuditTrail.class).recent(10, "alert", open.id().toString()))
			.extracting(AuditTrail.AuditEvent::action)
			.containsExactlyInAnyOrder(Alerts.OPENED, Alerts.CLOSED);
		JsonNode reloaded = Json.read(app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'monitoring.policy.reloaded' "
					+ "ORDER BY seq DESC LIMIT 1")
			.query(String.class)
			.single());
		assertThat(reloaded.path("policy").path("alerts").path("rules").size()).isZero();

		// the application's own delivery thread posts both events, signed with the
		// secret,
		// and records them delivered (after the receiver's answer)
		long delivered = Await.within(Duration.ofSeconds(60),
				() -> app.jdbc()
					.sql("SELECT count(*) FROM alert_deliveries WHERE alert_id = :id AND state = 'delivered'")
					.param("id", open.id())
					.query(Long.class)
					.single(),
				(n) -> n >= 2);
		assertThat(delivered).isEqualTo(2);
		assertThat(received).containsExactlyInAnyOrder("valid alert.opened", "valid alert.closed");
	}

}
