package dev.warden.platform.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * Reloads {@code monitoring.yaml} without a restart, as the promotion policy and quota
 * plans are: every {@code warden.monitoring.drift.policy-reload-interval} each replica
 * reads the file and compares its SHA-256 with the policy in force. A changed file is
 * parsed and validated ({@link MonitoringPolicyParser}); an invalid one is refused with
 * one logged error per content and the previous policy stays in force (so it does when
 * the file is removed). A valid one is recorded in {@code monitoring_policy_versions}
 * under an advisory lock and audited ({@code system}, {@value #ACTION}: file, source,
 * sha256, previous_sha256, the policy as parsed) unless the newest row already has its
 * SHA-256, so one change is audited once however many replicas load it. The policy read
 * at start-up is recorded the same way.
 */
@Component
class MonitoringPolicyReloader implements SmartInitializingSingleton, SchedulingConfigurer {

	static final String ACTION = "monitoring.policy.reloaded";

	private static final long LOCK = 0x57415244444D4F4EL;

	private static final Logger log = LoggerFactory.getLogger(MonitoringPolicyReloader.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final MonitoringPolicies policies;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final Duration interval;

	private volatile String refused;

	MonitoringPolicyReloader(MonitoringPolicies policies, JdbcClient jdbc, TransactionTemplate transactions,
			AuditTrail audit, DriftProperties properties) {
		this.policies = policies;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.interval = properties.policyReloadInterval();
	}

	@Override
	public void afterSingletonsInstantiated() {
		record(this.policies.current());
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(new FixedDelayTask(this::poll, this.interval, this.interval));
	}

	void poll() {
		try {
			reloadIfChanged();
		}
		catch (RuntimeException ex) {
			log.warn("Monitoring policy: reload failed, the previous policy stays in force: {}", ex.toString());
		}
	}

	/**
	 * Reads the watched file and applies it when its content changed and is valid.
	 * @return whether a new policy was applied
	 */
	synchronized boolean reloadIfChanged() {
		Optional<Path> file = this.policies.file();
		if (file.isEmpty()) {
			return false;
		}
		byte[] yaml;
		try {
			yaml = Files.readAllBytes(file.get());
		}
		catch (NoSuchFileException ex) {
			if (!MonitoringPolicy.BUILT_IN.equals(this.policies.current().source())) {
				refuseOnce("missing",
						"Monitoring policy: " + file.get() + " was removed; the previous policy stays in force");
			}
			return false;
		}
		catch (IOException ex) {
			refuseOnce("io:" + ex,
					"Monitoring policy: cannot read " + file.get() + "; the previous policy stays in force: " + ex);
			return false;
		}
		MonitoringPolicy previous = this.policies.current();
		String sha256 = MonitoringPolicy.sha256(yaml);
		if (sha256.equals(previous.sha256()) || sha256.equals(this.refused)) {
			return false;
		}
		MonitoringPolicy next;
		try {
			next = MonitoringPolicyParser.parse(yaml, "file");
		}
		catch (IllegalArgumentException ex) {
			this.refused = sha256;
			log.error("Monitoring policy: {} is invalid and was not loaded; the previous policy (sha256 {}) stays in "
					+ "force: {}", file.get(), previous.sha256(), ex.getMessage());
			return false;
		}
		this.refused = null;
		record(next);
		this.policies.apply(next);
		log.info("Monitoring policy reloaded from {} (sha256 {})", file.get(), sha256);
		return true;
	}

	private void refuseOnce(String marker, String message) {
		if (!marker.equals(this.refused)) {
			this.refused = marker;
			log.error(message);
		}
	}

	private void record(MonitoringPolicy policy) {
		this.transactions.executeWithoutResult((status) -> {
			this.jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:lock)) AS locked")
				.param("lock", LOCK)
				.query(Integer.class)
				.single();
			Optional<String> newest = this.jdbc
				.sql("SELECT sha256 FROM monitoring_policy_versions ORDER BY id DESC LIMIT 1")
				.query(String.class)
				.optional();
			if (newest.isPresent() && newest.get().equals(policy.sha256())) {
				return;
			}
			Map<String, Object> described = policy.describe();
			this.jdbc
				.sql("INSERT INTO monitoring_policy_versions (sha256, source, policy) VALUES (:sha256, :source, "
						+ "CAST(:policy AS jsonb))")
				.param("sha256", policy.sha256())
				.param("source", policy.source())
				.param("policy", JSON.writeValueAsString(described))
				.update();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("file", MonitoringPolicy.FILE_NAME);
			details.put("source", policy.source());
			details.put("sha256", policy.sha256());
			details.put("previous_sha256", newest.orElse("none"));
			details.put("policy", described);
			this.audit.append(AuditTrail.SYSTEM_ACTOR, ACTION, "policy", MonitoringPolicy.FILE_NAME, details);
		});
	}

}
