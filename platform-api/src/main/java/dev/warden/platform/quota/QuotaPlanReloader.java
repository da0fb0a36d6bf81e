package dev.warden.platform.quota;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;

/**
 * Reloads {@code quotas.yaml} without a restart. Every
 * {@code warden.quota.plans-reload-interval} each replica reads the file and compares its
 * SHA-256 with the plans in force (content, not modification time: a copy that keeps the
 * time, or a change within the file system's time resolution, is still seen). A changed
 * file is parsed and validated ({@link QuotaPlans#parse}); an invalid one is refused with
 * one logged error per content and the previous plans stay in force. A valid one is
 * recorded in {@code quota_plan_versions} under an advisory lock: unless the newest row
 * already has the same SHA-256 (another replica recorded it first), a row is inserted and
 * the change audited ({@code system}, {@code quota.plans.reloaded}, the changed plans
 * before and after) in the same transaction, so one change is audited once however many
 * replicas reload it. The row's {@code loaded_at} becomes the plans'
 * {@linkplain QuotaPlans#version() version}, with which the Bucket4j configurations of
 * existing buckets are replaced on their next use.
 */
@Component
class QuotaPlanReloader implements SmartInitializingSingleton, SchedulingConfigurer {

	/**
	 * Key of the transaction-scoped advisory lock that serialises the recording of plan
	 * versions.
	 */
	private static final long LOCK = 0x5741524451504C4EL;

	private static final Logger log = LoggerFactory.getLogger(QuotaPlanReloader.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final QuotaPlans plans;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final Duration interval;

	/**
	 * SHA-256 of the last refused content, so that it is logged once, not on every poll.
	 */
	private volatile String refused;

	QuotaPlanReloader(QuotaPlans plans, JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit,
			QuotaProperties properties) {
		this.plans = plans;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.interval = properties.plansReloadInterval();
	}

	/**
	 * Records the plans read at start-up, so that they have a version before the first
	 * request.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		QuotaPlans.Snapshot current = this.plans.snapshot();
		this.plans.apply(current.withVersion(record(current)));
	}

	/**
	 * Runs {@link #poll()} every {@code warden.quota.plans-reload-interval}, the first
	 * time that long after the start.
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(new FixedDelayTask(this::poll, this.interval, this.interval));
	}

	void poll() {
		try {
			reloadIfChanged();
		}
		catch (RuntimeException ex) {
			// the database may be briefly unavailable: the plans stay as they are and the
			// next poll retries
			log.warn("Quota plans: reload failed, the previous plans stay in force: {}", ex.toString());
		}
	}

	/**
	 * Reads the watched file and applies it when its content changed and is valid.
	 * @return whether new plans were applied
	 */
	synchronized boolean reloadIfChanged() {
		Optional<Path> file = this.plans.file();
		if (file.isEmpty()) {
			return false;
		}
		byte[] yaml;
		try {
			yaml = Files.readAllBytes(file.get());
		}
		catch (IOException ex) {
			String marker = "io:" + ex;
			if (!marker.equals(this.refused)) {
				this.refused = marker;
				log.error("Quota plans: cannot read {}; the previous plans stay in force: {}", file.get(),
						ex.toString());
			}
			return false;
		}
		QuotaPlans.Snapshot previous = this.plans.snapshot();
		String sha256 = QuotaPlans.sha256(yaml);
		if (sha256.equals(previous.sha256()) || sha256.equals(this.refused)) {
			return false;
		}
		QuotaPlans.Snapshot next;
		try {
			next = QuotaPlans.parse(yaml);
		}
		catch (IllegalArgumentException ex) {
			this.refused = sha256;
			log.error("Quota plans: {} is invalid and was not loaded; the previous plans stay in force: {}", file.get(),
					ex.getMessage());
			return false;
		}
		this.refused = null;
		this.plans.apply(next.withVersion(record(next)));
		log.info("Quota plans reloaded from {} (sha256 {}): {}", file.get(), sha256, next.plans().keySet());
		return true;
	}

	/**
	 * Records the plans as the newest version unless they already are; audits a change.
	 * Returns the version.
	 */
	private long record(QuotaPlans.Snapshot next) {
		Long version = this.transactions.execute((status) -> {
			this.jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:lock)) AS locked")
				.param("lock", LOCK)
				.query(Integer.class)
				.single();
			Optional<Recorded> newest = this.jdbc
				.sql("SELECT sha256, plans::text AS plans, loaded_at FROM quota_plan_versions ORDER BY id DESC LIMIT 1")
				.query((rs, row) -> new Recorded(rs.getString("sha256"), rs.getString("plans"),
						rs.getTimestamp("loaded_at").toInstant()))
				.optional();
			if (newest.isPresent() && newest.get().sha256().equals(next.sha256())) {
				return micros(newest.get().loadedAt());
			}
			Map<String, Object> described = next.describe();
			Timestamp loadedAt = this.jdbc
				.sql("INSERT INTO quota_plan_versions (sha256, plans) VALUES (:sha256, CAST(:plans AS jsonb)) "
						+ "RETURNING loaded_at")
				.param("sha256", next.sha256())
				.param("plans", JSON.writeValueAsString(described))
				.query(Timestamp.class)
				.single();
			if (newest.isPresent()) {
				this.audit.append("system", "quota.plans.reloaded", "quota_plans", "quotas.yaml",
						changes(newest.get(), next, described));
			}
			return micros(loadedAt.toInstant());
		});
		return Objects.requireNonNull(version);
	}

	/**
	 * The audit details: both hashes and, per plan that changed, its limits before and
	 * after.
	 */
	@SuppressWarnings("unchecked")
	private static Map<String, Object> changes(Recorded before, QuotaPlans.Snapshot next, Map<String, Object> after) {
		Map<String, Object> old = JSON.readValue(before.plans(), Map.class);
		Map<String, Object> oldPlans = (Map<String, Object>) old.getOrDefault("plans", Map.of());
		Map<String, Object> newPlans = (Map<String, Object>) after.get("plans");
		Map<String, Object> changed = new LinkedHashMap<>();
		for (String name : oldPlans.keySet()) {
			if (!newPlans.containsKey(name)) {
				changed.put(name, beforeAfter(oldPlans.get(name), null));
			}
		}
		for (Map.Entry<String, Object> plan : newPlans.entrySet()) {
			Object was = oldPlans.get(plan.getKey());
			// compare as JSON trees: the stored numbers come back as Integer or Long
			if (was == null || !JSON.valueToTree(was).equals(JSON.valueToTree(plan.getValue()))) {
				changed.put(plan.getKey(), beforeAfter(was, plan.getValue()));
			}
		}
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("sha256", beforeAfter(before.sha256(), next.sha256()));
		if (!Objects.equals(old.get("default_plan"), next.defaultPlan())) {
			details.put("default_plan", beforeAfter(old.get("default_plan"), next.defaultPlan()));
		}
		details.put("changed_plans", changed);
		return details;
	}

	private static Map<String, Object> beforeAfter(Object before, Object after) {
		// audit details hold no nulls: a plan that did not exist before (or no longer
		// exists) is "absent"
		Map<String, Object> pair = new LinkedHashMap<>();
		pair.put("before", (before != null) ? before : "absent");
		pair.put("after", (after != null) ? after : "absent");
		return pair;
	}

	private static long micros(Instant instant) {
		return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
	}

	private record Recorded(String sha256, String plans, Instant loadedAt) {
	}

}
