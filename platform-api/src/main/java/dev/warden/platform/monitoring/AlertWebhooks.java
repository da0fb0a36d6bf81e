package dev.warden.platform.monitoring;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.monitoring.Alerts.Alert;

/**
 * Delivers {@code alert.opened} and {@code alert.closed} events to the configured webhook
 * endpoints ({@code warden.monitoring.alerts.webhooks}). An event is queued as one
 * {@code alert_deliveries} row per endpoint in the transaction that opened or closed the
 * alert; every {@code delivery-poll-interval} each replica claims due rows
 * ({@code FOR UPDATE SKIP LOCKED}, leased by moving their next attempt past the request
 * timeout) among the rows of the endpoint URLs it has configured and POSTs them with the
 * JDK client, off the evaluation's thread, so delivery never blocks evaluation and
 * pending rows survive a restart. Each attempt is signed afresh
 * ({@code Warden-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>}) and logged in {@code alert_delivery_attempts}; a 2xx answer delivers,
 * anything else waits {@code initial-backoff × 2^(attempt-1)} (at most
 * {@code max-backoff}) until {@code max-attempts}, then the delivery is failed.
 */
@Component
class AlertWebhooks implements SmartLifecycle {

	static final String SIGNATURE_HEADER = "Warden-Signature";

	static final String EVENT_ID_HEADER = "Warden-Event-Id";

	private static final Logger log = LoggerFactory.getLogger(AlertWebhooks.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int BATCH = 50;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AlertProperties properties;

	private final HttpClient client;

	private final Clock clock = Clock.systemUTC();

	private final Counter delivered;

	private final Counter retried;

	private final Counter failed;

	private volatile ScheduledExecutorService executor;

	AlertWebhooks(JdbcClient jdbc, TransactionTemplate transactions, AlertProperties properties, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.properties = properties;
		this.client = HttpClient.newBuilder()
			.connectTimeout(properties.connectTimeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
		this.delivered = outcome(meters, "delivered");
		this.retried = outcome(meters, "retry");
		this.failed = outcome(meters, "failed");
	}

	private static Counter outcome(MeterRegistry meters, String outcome) {
		return Counter.builder("warden.monitoring.alert.deliveries")
			.description("webhook delivery attempts of alert events, by outcome (delivered; retry: failed, will be "
					+ "tried again; failed: failed, out of attempts)")
			.tag("outcome", outcome)
			.register(meters);
	}

	/**
	 * Starts the delivery thread ({@code monitoring-alert-webhooks}): its own, so that a
	 * slow endpoint never holds up the application's scheduled tasks (evaluation among
	 * them).
	 */
	@Override
	public synchronized void start() {
		if (this.executor != null || this.properties.webhooks().isEmpty()) {
			return;
		}
		ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "monitoring-alert-webhooks");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.properties.deliveryPollInterval().toMillis();
		started.scheduleWithFixedDelay(this::poll, interval, interval, TimeUnit.MILLISECONDS);
		this.executor = started;
	}

	/**
	 * Stops the delivery thread; an attempt under way is interrupted, its delivery stays
	 * pending and is tried again when its lease ends.
	 */
	@Override
	public synchronized void stop() {
		ScheduledExecutorService running = this.executor;
		this.executor = null;
		if (running != null) {
			running.shutdownNow();
			try {
				running.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

	/**
	 * Queues {@code event} of {@code alert} to every endpoint; in the caller's
	 * transaction.
	 */
	void enqueue(String event, Alert alert) {
		List<AlertProperties.Webhook> webhooks = this.properties.webhooks();
		if (webhooks.isEmpty()) {
			return;
		}
		UUID eventId = UUID.randomUUID();
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("id", eventId);
		payload.put("type", event);
		payload.put("created_at", this.clock.instant().toString());
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", alert.id());
		body.put("rule", alert.rule());
		body.put("kind", alert.kind());
		body.put("model", alert.model());
		body.put("version", alert.version());
		body.put("state", alert.state());
		body.put("comparison", alert.comparison());
		body.put("threshold", alert.threshold());
		body.put("window", alert.window());
		body.put("value", alert.value());
		body.put("last_value", alert.lastValue());
		body.put("opened_at", alert.openedAt().toString());
		body.put("last_seen_at", alert.lastSeenAt().toString());
		body.put("closed_at", (alert.closedAt() != null) ? alert.closedAt().toString() : null);
		body.put("evidence", alert.evidence());
		payload.put("alert", body);
		String json = JSON.writeValueAsString(payload);
		for (int i = 0; i < webhooks.size(); i++) {
			this.jdbc
				.sql("INSERT INTO alert_deliveries (id, alert_id, event, event_id, endpoint, url, payload, state, "
						+ "next_attempt_at) VALUES (:id, :alert, :event, :eventId, :endpoint, :url, :payload, "
						+ "'pending', now())")
				.param("id", UUID.randomUUID())
				.param("alert", alert.id())
				.param("event", event)
				.param("eventId", eventId)
				.param("endpoint", i)
				.param("url", webhooks.get(i).url())
				.param("payload", json)
				.update();
		}
	}

	void poll() {
		try {
			deliverDue();
		}
		catch (RuntimeException ex) {
			log.warn("Alert webhooks: delivery round failed: {}", ex.toString());
		}
	}

	/**
	 * Makes one attempt of each due delivery, claiming them one at a time (so that a
	 * claim's lease covers exactly one attempt), at most {@value #BATCH} per call.
	 * @return the attempts made
	 */
	int deliverDue() {
		List<String> urls = this.properties.webhooks().stream().map(AlertProperties.Webhook::url).toList();
		if (urls.isEmpty()) {
			return 0;
		}
		Duration lease = this.properties.connectTimeout().plus(this.properties.requestTimeout()).plusSeconds(30);
		int attempts = 0;
		while (attempts < BATCH && !Thread.currentThread().isInterrupted()) {
			Optional<Due> due = this.transactions.execute((status) -> this.jdbc
				.sql("UPDATE alert_deliveries SET next_attempt_at = now() + CAST(:lease AS interval) WHERE id = "
						+ "(SELECT id FROM alert_deliveries WHERE state = 'pending' AND next_attempt_at <= now() "
						+ "AND url IN (:urls) ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
						+ "RETURNING id, event, event_id, endpoint, url, payload, attempts")
				.param("lease", lease.toSeconds() + " seconds")
				.param("urls", urls)
				.query((rs, row) -> new Due(rs.getObject("id", UUID.class), rs.getString("event"),
						rs.getObject("event_id", UUID.class), rs.getInt("endpoint"), rs.getString("url"),
						rs.getString("payload"), rs.getInt("attempts")))
				.optional());
			if (due == null || due.isEmpty()) {
				break;
			}
			attempt(due.get());
			attempts++;
		}
		return attempts;
	}

	private void attempt(Due delivery) {
		int attempt = delivery.attempts() + 1;
		Integer status = null;
		String error = null;
		List<AlertProperties.Webhook> webhooks = this.properties.webhooks();
		AlertProperties.Webhook webhook = (delivery.endpoint() < webhooks.size()) ? webhooks.get(delivery.endpoint())
				: null;
		boolean giveUp = false;
		if (webhook == null || !webhook.url().equals(delivery.url())) {
			error = "endpoint " + delivery.endpoint() + " is no longer configured with this URL";
			giveUp = true;
		}
		else {
			try {
				long t = this.clock.instant().getEpochSecond();
				HttpRequest request = HttpRequest.newBuilder(URI.create(delivery.url()))
					.timeout(this.properties.requestTimeout())
					.header("Content-Type", "application/json")
					.header("User-Agent", "Warden-Alerts")
					.header(EVENT_ID_HEADER, delivery.eventId().toString())
					.header("Warden-Event", delivery.event())
					.header(SIGNATURE_HEADER, signature(webhook.secret(), t, delivery.payload()))
					.POST(HttpRequest.BodyPublishers.ofString(delivery.payload(), StandardCharsets.UTF_8))
					.build();
				HttpResponse<Void> response = this.client.send(request, HttpResponse.BodyHandlers.discarding());
				status = response.statusCode();
				if (status < 200 || status > 299) {
					error = "answered " + status;
				}
			}
			catch (IOException ex) {
				error = ex.getClass().getSimpleName() + ((ex.getMessage() != null) ? ": " + ex.getMessage() : "");
			}
			catch (InterruptedException ex) {
				// stopping: not an attempt; the claim's lease ends and the delivery is
				// tried again
				Thread.currentThread().interrupt();
				return;
			}
		}
		boolean ok = error == null;
		String state = ok ? "delivered" : (giveUp || attempt >= this.properties.maxAttempts()) ? "failed" : "pending";
		Long waitMillis = "pending".equals(state) ? backoff(attempt).toMillis() : null;
		(ok ? this.delivered : "failed".equals(state) ? this.failed : this.retried).increment();
		String finalError = (error != null && error.length() > 500) ? error.substring(0, 500) : error;
		Integer finalStatus = status;
		Instant next = this.transactions.execute((tx) -> {
			Timestamp nextAt = this.jdbc
				.sql("UPDATE alert_deliveries SET attempts = :attempt, state = :state, next_attempt_at = CASE WHEN "
						+ "CAST(:wait AS bigint) IS NULL THEN NULL ELSE now() + make_interval(secs => "
						+ "CAST(:wait AS bigint) / 1000.0) END, delivered_at = CASE WHEN :ok THEN now() END "
						+ "WHERE id = :id RETURNING next_attempt_at")
				.param("attempt", attempt)
				.param("state", state)
				.param("wait", waitMillis)
				.param("ok", ok)
				.param("id", delivery.id())
				.query(Timestamp.class)
				.optional()
				.orElse(null);
			this.jdbc
				.sql("INSERT INTO alert_delivery_attempts (delivery_id, attempt, attempted_at, status_code, error, "
						+ "next_attempt_at) VALUES (:id, :attempt, now(), :status, :error, :next)")
				.param("id", delivery.id())
				.param("attempt", attempt)
				.param("status", finalStatus)
				.param("error", finalError)
				.param("next", nextAt)
				.update();
			return (nextAt != null) ? nextAt.toInstant() : null;
		});
		if (!ok) {
			log.warn("Alert webhooks: {} {} to endpoint {} ({}), attempt {}: {}; {}", delivery.event(),
					delivery.eventId(), delivery.endpoint(), delivery.url(), attempt, finalError,
					"pending".equals(state) ? "next attempt at " + next : "given up");
		}
	}

	/** The wait after failed attempt {@code attempt} (1-based). */
	Duration backoff(int attempt) {
		Duration wait = this.properties.initialBackoff();
		for (int i = 1; i < attempt && wait.compareTo(this.properties.maxBackoff()) < 0; i++) {
			wait = wait.multipliedBy(2);
		}
		return (wait.compareTo(this.properties.maxBackoff()) > 0) ? this.properties.maxBackoff() : wait;
	}

	/** {@code t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>}. */
	static String signature(String secret, long t, String body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			byte[] digest = mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8));
			return "t=" + t + ",v1=" + HexFormat.of().formatHex(digest);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Due(UUID id, String event, UUID eventId, int endpoint, String url, String payload, int attempts) {
	}

}
