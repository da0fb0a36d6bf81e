package dev.warden.platform.promotion;

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
 * Reloads {@code promotion.yaml} without a restart, the way quota plans are reloaded.
 * Every {@code warden.promotion.policy-reload-interval} each replica reads the file and
 * compares its SHA-256 with the policy in force (content, not modification time). A
 * changed file is parsed and validated ({@link PromotionPolicyParser}); an invalid one is
 * refused with one logged error per content and the previous policy stays in force; so it
 * does when the file disappears (removing the file never loosens the policy: the built-in
 * defaults apply only to a start without it). A valid one is recorded in
 * {@code promotion_policy_versions} under an advisory lock: unless the newest row already
 * has the same SHA-256 (another replica recorded it first), a row is inserted and the
 * change audited ({@code system}, {@code promotion.policy.reloaded}: file, source,
 * sha256, previous_sha256 and the policy as parsed) in the same transaction, so one
 * change is audited once however many replicas load it. The policy read at start-up is
 * recorded the same way, so the first policy an installation runs with is on record too.
 */
@Component
class PromotionPolicyReloader implements SmartInitializingSingleton, SchedulingConfigurer {

	static final String ACTION = "promotion.policy.reloaded";

	/** Key of the transaction-scoped advisory lock that serialises the recording. */
	private static final long LOCK = 0x5741524450524F4DL;

	private static final Logger log = LoggerFactory.getLogger(PromotionPolicyReloader.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final PromotionPolicies policies;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final Duration interval;

	/** SHA-256 (or marker) of the last refused content, so that it is logged once. */
	private volatile String refused;

	PromotionPolicyReloader(PromotionPolicies policies, JdbcClient jdbc, TransactionTemplate transactions,
			AuditTrail audit, PromotionProperties properties) {
		this.policies = policies;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.interval = properties.policyReloadInterval();
	}

	/** Records the policy read at start-up. */
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
			// the database may be briefly unavailable: the policy stays as it is and the
			// next poll retries
			log.warn("Promotion policy: reload failed, the previous policy stays in force: {}", ex.toString());
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
			if (PromotionPolicy.BUILT_IN.equals(this.policies.current().source())) {
				return false;
			}
			refuseOnce("missing", "Promotion policy: {} was removed; the previous policy stays in force", file.get(),
					null);
			return false;
		}
		catch (IOException ex) {
			refuseOnce("io:" + ex, "Promotion policy: cannot read {}; the previous policy stays in force: {}",
					file.get(), ex.toString());
			return false;
		}
		PromotionPolicy previous = this.policies.current();
		String sha256 = PromotionPolicy.sha256(yaml);
		if (sha256.equals(previous.sha256()) || sha256.equals(this.refused)) {
			return false;
		}
		PromotionPolicy next;
		try {
			next = PromotionPolicyParser.parse(yaml, "file");
		}
		catch (IllegalArgumentException ex) {
			this.refused = sha256;
			log.error("Promotion policy: {} is invalid and was not loaded; the previous policy (sha256 {}) stays in "
					+ "force: {}", file.get(), previous.sha256(), ex.getMessage());
			return false;
		}
		this.refused = null;
		record(next);
		this.policies.apply(next);
		log.info("Promotion policy reloaded from {} (sha256 {})", file.get(), sha256);
		return true;
	}

	private void refuseOnce(String marker, String message, Path file, String detail) {
		if (!marker.equals(this.refused)) {
			this.refused = marker;
			if (detail != null) {
				log.error(message, file, detail);
			}
			else {
				log.error(message, file);
			}
		}
	}

	/** Records the policy as the newest version unless it already is; audits a change. */
	private void record(PromotionPolicy policy) {
		this.transactions.executeWithoutResult((status) -> {
			this.jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:lock)) AS locked")
				.param("lock", LOCK)
				.query(Integer.class)
				.single();
			Optional<String> newest = this.jdbc
				.sql("SELECT sha256 FROM promotion_policy_versions ORDER BY id DESC LIMIT 1")
				.query(String.class)
				.optional();
			if (newest.isPresent() && newest.get().equals(policy.sha256())) {
				return;
			}
			Map<String, Object> described = policy.describe();
			this.jdbc
				.sql("INSERT INTO promotion_policy_versions (sha256, source, policy) VALUES (:sha256, :source, "
						+ "CAST(:policy AS jsonb))")
				.param("sha256", policy.sha256())
				.param("source", policy.source())
				.param("policy", JSON.writeValueAsString(described))
				.update();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("file", PromotionPolicy.FILE_NAME);
			details.put("source", policy.source());
			details.put("sha256", policy.sha256());
			details.put("previous_sha256", newest.orElse("none"));
			details.put("policy", described);
			this.audit.append(AuditTrail.SYSTEM_ACTOR, ACTION, "policy", PromotionPolicy.FILE_NAME, details);
		});
	}

}
