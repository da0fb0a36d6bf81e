package dev.warden.platform.monitoring;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.feedback.LiveQuality;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.model.ModelCatalogue.CatalogueModel;
import dev.warden.platform.monitoring.ServingHealthReports.ServingReport;
import dev.warden.platform.monitoring.internal.DriftStore;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Evaluates the alert rules of {@code monitoring.yaml}: every
 * {@code warden.monitoring.alerts.tick} each replica looks whether an evaluation is due
 * ({@code evaluate_every} since the last one, in {@code alert_evaluations}); one replica
 * at a time evaluates, under a transaction-scoped advisory lock taken with
 * {@code pg_try_advisory_xact_lock} (a replica that does not get it skips the round).
 * Conditions are read from the report services only (serving health, drift, live
 * quality); drift rules watch every version with a reference profile, live-quality rules
 * every version with feedback in the rule's window; per rule, model and version the
 * outcome opens, updates or closes the alert ({@link Alerts}); insufficient data changes
 * nothing. Open alerts of a rule the previous scheduled evaluation had and the policy no
 * longer has are closed ({@code rule_removed}), and those of a rule that no longer covers
 * their model or changed its kind ({@code rule_changed}).
 */
@Component
class AlertEvaluator implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

	private static final String LOCK = "warden.alerts.evaluation";

	private static final Duration MAX_DRIFT_WINDOW = Duration.ofDays(30);

	private final MonitoringPolicies policies;

	private final Alerts alerts;

	private final ServingHealthReports serving;

	private final DriftReports drift;

	private final LiveQuality quality;

	private final DriftStore driftStore;

	private final ModelCatalogue catalogue;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final TransactionTemplate nested;

	private final AlertProperties properties;

	private final MeterRegistry meters;

	private final Map<String, AtomicLong> openByRule = new ConcurrentHashMap<>();

	private final Clock clock = Clock.systemUTC();

	AlertEvaluator(MonitoringPolicies policies, Alerts alerts, ServingHealthReports serving, DriftReports drift,
			LiveQuality quality, DriftStore driftStore, ModelCatalogue catalogue, JdbcClient jdbc,
			TransactionTemplate transactions, AlertProperties properties, MeterRegistry meters) {
		this.policies = policies;
		this.alerts = alerts;
		this.serving = serving;
		this.drift = drift;
		this.quality = quality;
		this.driftStore = driftStore;
		this.catalogue = catalogue;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.nested = new TransactionTemplate(transactions.getTransactionManager());
		this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
		this.properties = properties;
		this.meters = meters;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		if (this.properties.enabled()) {
			Duration tick = this.properties.tick();
			tasks.addFixedDelayTask(new FixedDelayTask(this::tick, tick, tick));
		}
	}

	void tick() {
		try {
			evaluateIfDue(this.clock.instant());
		}
		catch (RuntimeException ex) {
			log.warn("Alerts: evaluation failed: {}", ex.toString());
		}
		try {
			refreshGauge();
		}
		catch (RuntimeException ex) {
			log.debug("Alerts: open-alert gauge not refreshed: {}", ex.toString());
		}
	}

	/**
	 * Evaluates the policy's rules when {@code evaluate_every} has passed since the last
	 * evaluation of any replica.
	 * @return whether this call evaluated
	 */
	boolean evaluateIfDue(Instant now) {
		AlertPolicy policy = this.policies.current().alerts();
		Boolean done = this.transactions.execute((status) -> {
			if (!locked()) {
				return false;
			}
			Instant last = this.jdbc.sql("SELECT evaluated_at FROM alert_evaluations")
				.query(Timestamp.class)
				.optional()
				.map(Timestamp::toInstant)
				.orElse(null);
			// a little slack, so that a tick landing just before the interval does not
			// wait a whole tick more
			if (last != null && now.isBefore(last.plus(policy.evaluateEvery()).minusMillis(500))) {
				return false;
			}
			run(policy, now, true);
			return true;
		});
		return Boolean.TRUE.equals(done);
	}

	/**
	 * Evaluates {@code policy}'s rules as at {@code now}, under the evaluation lock
	 * (waits for it). For tests and the scheduled evaluation.
	 */
	void evaluate(AlertPolicy policy, Instant now) {
		this.transactions.executeWithoutResult((status) -> {
			this.jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(:lock))) AS l")
				.param("lock", LOCK)
				.query(Integer.class)
				.single();
			run(policy, now, false);
		});
	}

	private boolean locked() {
		return Boolean.TRUE.equals(this.jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtext(:lock))")
			.param("lock", LOCK)
			.query(Boolean.class)
			.single());
	}

	/**
	 * @param scheduled whether this is the scheduled evaluation: only that one records
	 * the evaluation and closes the open alerts of rules the previous scheduled
	 * evaluation had and the policy no longer has
	 */
	private void run(AlertPolicy policy, Instant now, boolean scheduled) {
		List<String> models = null;
		Set<String> names = new HashSet<>();
		for (AlertRule rule : policy.rules()) {
			names.add(rule.name());
			List<String> targets;
			if ("*".equals(rule.model())) {
				if (models == null) {
					models = catalogueModels();
				}
				targets = models;
			}
			else {
				targets = List.of(rule.model());
			}
			for (String model : targets) {
				try {
					// a savepoint each: a failed statement (or a report's refusal, which
					// marks the transaction it joined rollback-only) is undone alone
					this.nested.executeWithoutResult((status) -> evaluate(rule, model, now));
				}
				catch (RuntimeException ex) {
					log.warn("Alerts: rule {} on model {} could not be evaluated: {}", rule.name(), model,
							ex.toString());
				}
			}
		}
		if (!scheduled) {
			return;
		}
		List<String> previous = this.jdbc.sql("SELECT unnest(rules) FROM alert_evaluations").query(String.class).list();
		Map<String, AlertRule> byName = new LinkedHashMap<>();
		policy.rules().forEach((rule) -> byName.put(rule.name(), rule));
		for (Alerts.Alert open : this.alerts.allOpen()) {
			AlertRule rule = byName.get(open.rule());
			if (rule == null && previous.contains(open.rule())) {
				this.alerts.clear(open.rule(), open.model(), open.version(), null, "rule_removed", now);
			}
			else if (rule != null && (!rule.covers(open.model()) || !rule.kind().equals(open.kind()))) {
				this.alerts.clear(open.rule(), open.model(), open.version(), null, "rule_changed", now);
			}
		}
		this.jdbc
			.sql("INSERT INTO alert_evaluations (id, evaluated_at, rules) VALUES (true, :now, "
					+ "CAST(:rules AS text[])) ON CONFLICT (id) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, "
					+ "rules = EXCLUDED.rules")
			.param("now", Timestamp.from(now))
			.param("rules", "{" + String.join(",", names) + "}")
			.update();
	}

	/**
	 * Sets the gauge of open alerts per rule from the table (every replica, every tick,
	 * so all replicas show the same numbers: aggregate with max, not sum). Rules of the
	 * policy without open alerts show 0.
	 */
	void refreshGauge() {
		Map<String, Long> counts = new LinkedHashMap<>();
		this.policies.current().alerts().rules().forEach((rule) -> counts.put(rule.name(), 0L));
		this.openByRule.keySet().forEach((name) -> counts.put(name, 0L));
		this.jdbc.sql("SELECT rule, count(*) AS n FROM alerts WHERE state = 'open' GROUP BY rule")
			.query((rs, row) -> counts.put(rs.getString("rule"), rs.getLong("n")))
			.list();
		counts.forEach((rule, count) -> this.openByRule.computeIfAbsent(rule, (r) -> {
			AtomicLong value = new AtomicLong();
			Gauge.builder("warden.monitoring.alerts.open", value, AtomicLong::get)
				.description("open alerts of a rule, read from the alerts table every tick")
				.tag("rule", r)
				.register(this.meters);
			return value;
		}).set(count));
	}

	private List<String> catalogueModels() {
		List<String> names = new ArrayList<>();
		for (int page = 0;; page++) {
			Page<CatalogueModel> models = this.catalogue.models(new PageRequest(page, 500));
			models.content().forEach((m) -> names.add(m.name()));
			if (models.nextPage() == null) {
				return names;
			}
		}
	}

	private void evaluate(AlertRule rule, String model, Instant now) {
		switch (rule.kind()) {
			case AlertRule.ERROR_RATE, AlertRule.P99_LATENCY -> servingRule(rule, model, now);
			case AlertRule.DRIFT -> {
				for (long version : this.driftStore.profiledVersions(model)) {
					driftRule(rule, model, version, now);
				}
			}
			default -> {
				for (String version : this.quality.versions(model, qualityStart(rule, now), now)) {
					qualityRule(rule, model, Long.parseLong(version), now);
				}
			}
		}
	}

	/**
	 * Serving rules read every version together ({@code ""}), answers no version gave
	 * too.
	 */
	private void servingRule(AlertRule rule, String model, Instant now) {
		Instant from = now.minus(rule.window());
		String step = (rule.window().toMinutes() <= 1440) ? "1m" : "1h";
		ServingReport report;
		try {
			report = this.serving.report(model, null, null, from.toString(), now.toString(), step);
		}
		catch (ApiException ex) {
			return; // unknown model: no data
		}
		ServingHealthReports.Point totals = report.totals();
		if (totals.requests() < rule.minRequests()) {
			return;
		}
		Double value;
		Map<String, Object> evidence = new LinkedHashMap<>();
		evidence.put("from", report.from().toString());
		evidence.put("to", report.to().toString());
		evidence.put("requests", totals.requests());
		if (AlertRule.ERROR_RATE.equals(rule.kind())) {
			value = totals.errorRate();
			evidence.put("answers", totals.answers());
			evidence.put("errors_by_code", totals.errorsByCode());
		}
		else {
			Long p99 = totals.latencyMicros().p99();
			value = (p99 != null) ? p99 / 1000.0 : null;
			evidence.put("latency_micros", totals.latencyMicros());
		}
		if (value == null) {
			return;
		}
		apply(rule, model, "", value, evidence, now);
	}

	private void driftRule(AlertRule rule, String model, long version, Instant now) {
		Duration window = (rule.window() != null) ? rule.window() : this.policies.current().drift(model).window();
		if (window.compareTo(MAX_DRIFT_WINDOW) > 0) {
			window = MAX_DRIFT_WINDOW; // the drift report reads at most 31 days
		}
		Map<String, Object> report;
		try {
			report = this.drift.drift(model, version, now.minus(window).toString(), now.toString(), "31d");
		}
		catch (ApiException ex) {
			return; // no reference profile: no verdict
		}
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> windows = (List<Map<String, Object>>) report.get("windows");
		if (windows == null || windows.isEmpty()) {
			return;
		}
		Map<String, Object> last = windows.get(windows.size() - 1);
		String verdict = String.valueOf(last.get("verdict"));
		if ("insufficient_data".equals(verdict)) {
			return;
		}
		List<Map<String, Object>> drifted = new ArrayList<>();
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> features = (List<Map<String, Object>>) last.getOrDefault("features", List.of());
		List<Map<String, Object>> all = new ArrayList<>(features);
		if (last.get("prediction") instanceof Map<?, ?> prediction) {
			@SuppressWarnings("unchecked")
			Map<String, Object> p = (Map<String, Object>) prediction;
			all.add(p);
		}
		for (Map<String, Object> feature : all) {
			if (!"drift".equals(feature.get("verdict"))) {
				continue;
			}
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("name", feature.get("name"));
			entry.put("kind", feature.get("kind"));
			List<Map<String, Object>> statistics = new ArrayList<>();
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> stats = (List<Map<String, Object>>) feature.getOrDefault("statistics", List.of());
			for (Map<String, Object> s : stats) {
				Map<String, Object> st = new LinkedHashMap<>();
				for (String key : List.of("distribution", "verdict", "psi", "js", "ks", "n_ref", "n_live")) {
					st.put(key, s.get(key));
				}
				statistics.add(st);
			}
			entry.put("statistics", statistics);
			drifted.add(entry);
		}
		Map<String, Object> evidence = new LinkedHashMap<>();
		evidence.put("window", MonitoringPolicyParser.formatDuration(window));
		evidence.put("from", String.valueOf(last.get("from")));
		evidence.put("to", String.valueOf(last.get("to")));
		evidence.put("samples", last.get("samples"));
		evidence.put("thresholds", report.get("thresholds"));
		evidence.put("drifted", drifted);
		String key = Long.toString(version);
		if ("drift".equals(verdict)) {
			this.alerts.firing(rule, model, key, drifted.size(), evidence, now);
		}
		else {
			this.alerts.clear(rule.name(), model, key, (double) drifted.size(), "cleared", now);
		}
	}

	/** The first hour a live-quality rule reads at {@code now}. */
	private static Instant qualityStart(AlertRule rule, Instant now) {
		return now.minus(rule.window()).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
	}

	private void qualityRule(AlertRule rule, String model, long version, Instant now) {
		JsonNode report;
		try {
			report = this.quality.report(model, Long.toString(version), now.minus(rule.window()).toString(),
					now.toString(), "1h");
		}
		catch (ApiException ex) {
			return;
		}
		JsonNode totals = report.path("totals");
		if (!totals.path("sufficient").asBoolean(false)) {
			return;
		}
		Map<String, Object> evidence = new LinkedHashMap<>();
		evidence.put("from", report.path("from").asString());
		evidence.put("to", report.path("to").asString());
		evidence.put("n", totals.path("n").asLong());
		JsonNode value;
		if (AlertRule.ACCURACY_DROP.equals(rule.kind())) {
			value = totals.path("overall").path("metrics").path("accuracy");
			evidence.put("accuracy", value);
		}
		else {
			JsonNode attribute = null;
			for (JsonNode each : totals.path("attributes")) {
				if (rule.attribute().equals(each.path("name").asString())) {
					attribute = each;
				}
			}
			if (attribute == null) {
				return;
			}
			value = attribute.path("between_groups").path(rule.metric());
			evidence.put("attribute", rule.attribute());
			evidence.put("metric", rule.metric());
			evidence.put(rule.metric(), value);
			evidence.put("reference", attribute.path("reference"));
			evidence.put("suppressed", attribute.path("suppressed"));
		}
		if (!value.path("value").isNumber()) {
			return;
		}
		apply(rule, model, Long.toString(version), value.path("value").asDouble(), evidence, now);
	}

	private void apply(AlertRule rule, String model, String version, double value, Map<String, Object> evidence,
			Instant now) {
		if (rule.fires(value)) {
			this.alerts.firing(rule, model, version, value, evidence, now);
		}
		else {
			this.alerts.clear(rule.name(), model, version, value, "cleared", now);
		}
	}

}
