package dev.warden.platform.monitoring;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * The stored alerts and their lifecycle: one alert per (rule, model, version) is opened
 * when its rule's condition holds, updated while it holds and closed when it clears;
 * opening and closing are audited ({@code alert.opened}, {@code alert.closed}, actor
 * {@code system}) and queue one webhook delivery per configured endpoint, all in the
 * caller's transaction (the evaluator's).
 */
@Component
class Alerts {

	static final String OPENED = "alert.opened";

	static final String CLOSED = "alert.closed";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private static final String COLUMNS = "id, rule, kind, model, version, state, comparison, threshold, "
			+ "time_window, value, last_value, evidence::text AS evidence, opened_at, last_seen_at, closed_at";

	private final JdbcClient jdbc;

	private final AuditTrail audit;

	private final AlertWebhooks webhooks;

	Alerts(JdbcClient jdbc, AuditTrail audit, AlertWebhooks webhooks) {
		this.jdbc = jdbc;
		this.audit = audit;
		this.webhooks = webhooks;
	}

	/** The open alert of (rule, model, version), if any. */
	Optional<Alert> open(String rule, String model, String version) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM alerts WHERE rule = :rule AND model = :model AND version = :version "
					+ "AND state = 'open'")
			.param("rule", rule)
			.param("model", model)
			.param("version", version)
			.query(Alerts::alert)
			.optional();
	}

	/** Every open alert. */
	List<Alert> allOpen() {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM alerts WHERE state = 'open' ORDER BY opened_at, id")
			.query(Alerts::alert)
			.list();
	}

	/**
	 * The condition holds: opens the alert (audited, deliveries queued) or updates the
	 * open one.
	 * @return the alert
	 */
	Alert firing(AlertRule rule, String model, String version, double value, Map<String, Object> evidence,
			Instant now) {
		Optional<Alert> open = open(rule.name(), model, version);
		String evidenceJson = JSON.writeValueAsString(evidence);
		if (open.isPresent()) {
			this.jdbc
				.sql("UPDATE alerts SET last_value = :value, last_seen_at = :now, evidence = CAST(:evidence AS jsonb) "
						+ "WHERE id = :id")
				.param("value", value)
				.param("now", Timestamp.from(now))
				.param("evidence", evidenceJson)
				.param("id", open.get().id())
				.update();
			return get(open.get().id()).orElseThrow();
		}
		UUID id = UUID.randomUUID();
		String window = (rule.window() != null) ? MonitoringPolicyParser.formatDuration(rule.window())
				: String.valueOf(evidence.getOrDefault("window", ""));
		this.jdbc
			.sql("INSERT INTO alerts (id, rule, kind, model, version, state, comparison, threshold, time_window, "
					+ "value, last_value, evidence, opened_at, last_seen_at) VALUES (:id, :rule, :kind, :model, "
					+ ":version, 'open', :comparison, :threshold, :window, :value, :value, CAST(:evidence AS jsonb), "
					+ ":now, :now)")
			.param("id", id)
			.param("rule", rule.name())
			.param("kind", rule.kind())
			.param("model", model)
			.param("version", version)
			.param("comparison", rule.comparison())
			.param("threshold", rule.threshold())
			.param("window", window)
			.param("value", value)
			.param("evidence", evidenceJson)
			.param("now", Timestamp.from(now))
			.update();
		Alert alert = get(id).orElseThrow();
		changed(OPENED, alert);
		return alert;
	}

	/**
	 * The condition cleared: closes the open alert (audited, deliveries queued), if any.
	 * @param value the value that cleared it, {@code null} when the rule was removed
	 * @param reason {@code cleared} or {@code rule_removed}
	 */
	Optional<Alert> clear(String rule, String model, String version, Double value, String reason, Instant now) {
		Optional<Alert> open = open(rule, model, version);
		if (open.isEmpty()) {
			return Optional.empty();
		}
		this.jdbc
			.sql("UPDATE alerts SET state = 'closed', closed_at = :now, last_value = COALESCE(:value, last_value), "
					+ "evidence = jsonb_set(evidence, '{closed_reason}', to_jsonb(CAST(:reason AS text))) "
					+ "WHERE id = :id")
			.param("now", Timestamp.from(now))
			.param("value", value)
			.param("reason", reason)
			.param("id", open.get().id())
			.update();
		Alert alert = get(open.get().id()).orElseThrow();
		changed(CLOSED, alert);
		return Optional.of(alert);
	}

	private void changed(String event, Alert alert) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("rule", alert.rule());
		details.put("kind", alert.kind());
		details.put("model", alert.model());
		details.put("version", alert.version());
		details.put("comparison", alert.comparison());
		details.put("threshold", alert.threshold());
		details.put("window", alert.window());
		details.put("value", OPENED.equals(event) ? alert.value() : alert.lastValue());
		if (CLOSED.equals(event)) {
			details.put("closed_reason", alert.evidence().path("closed_reason").asString(""));
		}
		this.audit.append(AuditTrail.SYSTEM_ACTOR, event, "alert", alert.id().toString(), details);
		this.webhooks.enqueue(event, alert);
	}

	Optional<Alert> get(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM alerts WHERE id = :id")
			.param("id", id)
			.query(Alerts::alert)
			.optional();
	}

	/**
	 * {@code GET /api/admin/monitoring/alerts}: newest opened first.
	 * @throws ApiException 400 {@code invalid_parameter}
	 */
	Page<Alert> list(String state, String model, String from, String to, PageRequest page) {
		String s = (state != null) ? state : "open";
		if (!List.of("open", "closed", "all").contains(s)) {
			throw ApiException.badRequest("invalid_parameter", "state: must be open, closed or all");
		}
		if (model != null && !MODEL.matcher(model).matches()) {
			throw ApiException.badRequest("invalid_parameter",
					"model: must be a model name (letters, digits, '.', '_', '-'; at most 64 characters)");
		}
		Instant fromInstant = instant("from", from);
		Instant toInstant = instant("to", to);
		if (fromInstant != null && toInstant != null && !fromInstant.isBefore(toInstant)) {
			throw ApiException.badRequest("invalid_parameter", "from: " + from + " is not before to: " + to);
		}
		StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM alerts WHERE true");
		Map<String, Object> params = new LinkedHashMap<>();
		if (!"all".equals(s)) {
			sql.append(" AND state = :state");
			params.put("state", s);
		}
		if (model != null) {
			sql.append(" AND model = :model");
			params.put("model", model);
		}
		// alerts that were open at some time in [from, to)
		if (fromInstant != null) {
			sql.append(" AND (closed_at IS NULL OR closed_at >= :from)");
			params.put("from", Timestamp.from(fromInstant));
		}
		if (toInstant != null) {
			sql.append(" AND opened_at < :to");
			params.put("to", Timestamp.from(toInstant));
		}
		sql.append(" ORDER BY opened_at DESC, id LIMIT :limit OFFSET :offset");
		params.put("limit", page.fetchSize());
		params.put("offset", page.offset());
		return Page.of(this.jdbc.sql(sql.toString()).params(params).query(Alerts::alert).list(), page);
	}

	private static Instant instant(String name, String value) {
		return InputRules.instantParameter(name, value);
	}

	private static Alert alert(ResultSet rs, int row) throws SQLException {
		Timestamp closed = rs.getTimestamp("closed_at");
		return new Alert(rs.getObject("id", UUID.class), rs.getString("rule"), rs.getString("kind"),
				rs.getString("model"), rs.getString("version"), rs.getString("state"), rs.getString("comparison"),
				(Double) rs.getObject("threshold"), rs.getString("time_window"), (Double) rs.getObject("value"),
				(Double) rs.getObject("last_value"), JSON.readTree(rs.getString("evidence")),
				rs.getTimestamp("opened_at").toInstant(), rs.getTimestamp("last_seen_at").toInstant(),
				(closed != null) ? closed.toInstant() : null);
	}

	/**
	 * One alert.
	 *
	 * @param version the model version, {@code ""} for a rule read over every version
	 * @param comparison {@code above}, {@code below} or {@code verdict} (drift)
	 * @param value the value when it opened
	 * @param lastValue the latest value read while it was open (or the one that closed
	 * it)
	 * @param evidence what the condition was read from
	 */
	record Alert(UUID id, String rule, String kind, String model, String version, String state, String comparison,
			Double threshold, String window, Double value, Double lastValue, JsonNode evidence, Instant openedAt,
			Instant lastSeenAt, Instant closedAt) {
	}

	/** Webhook deliveries of an alert, with their attempts, oldest first. */
	List<Map<String, Object>> deliveries(UUID alertId) {
		List<Map<String, Object>> out = new ArrayList<>();
		for (Map<String, Object> delivery : this.jdbc.sql(
				"SELECT id, event, event_id, endpoint, url, state, attempts, next_attempt_at, created_at, delivered_at "
						+ "FROM alert_deliveries WHERE alert_id = :id ORDER BY created_at, endpoint")
			.param("id", alertId)
			.query((rs, row) -> {
				Map<String, Object> d = new LinkedHashMap<>();
				d.put("id", rs.getObject("id", UUID.class));
				d.put("event", rs.getString("event"));
				d.put("event_id", rs.getObject("event_id", UUID.class));
				d.put("endpoint", rs.getInt("endpoint"));
				d.put("url", rs.getString("url"));
				d.put("state", rs.getString("state"));
				d.put("attempts", rs.getInt("attempts"));
				d.put("next_attempt_at", instantOrNull(rs.getTimestamp("next_attempt_at")));
				d.put("created_at", instantOrNull(rs.getTimestamp("created_at")));
				d.put("delivered_at", instantOrNull(rs.getTimestamp("delivered_at")));
				return d;
			})
			.list()) {
			delivery.put("attempt_log", this.jdbc
				.sql("SELECT attempt, attempted_at, status_code, error, next_attempt_at FROM alert_delivery_attempts "
						+ "WHERE delivery_id = :id ORDER BY attempt")
				.param("id", delivery.get("id"))
				.query((rs, row) -> {
					Map<String, Object> a = new LinkedHashMap<>();
					a.put("attempt", rs.getInt("attempt"));
					a.put("attempted_at", instantOrNull(rs.getTimestamp("attempted_at")));
					a.put("status_code", rs.getObject("status_code"));
					a.put("error", rs.getString("error"));
					a.put("next_attempt_at", instantOrNull(rs.getTimestamp("next_attempt_at")));
					return a;
				})
				.list());
			out.add(delivery);
		}
		return out;
	}

	private static Instant instantOrNull(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

}
