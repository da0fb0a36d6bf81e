package dev.warden.platform.quota;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.WardenProperties;

/**
 * The quota plans from {@code <policies dir>/quotas.yaml}, or from the copy packaged in
 * the jar ({@code classpath:policies/quotas.yaml}) when the policies directory does not
 * exist. Read at start-up; a file in the policies directory is watched by
 * {@link QuotaPlanReloader}, which swaps in a new, valid version without a restart.
 * Readers always see one consistent set of plans (an immutable snapshot behind a volatile
 * reference). Thread-safe.
 */
@Component
public class QuotaPlans {

	private static final Logger log = LoggerFactory.getLogger(QuotaPlans.class);

	private static final Set<String> PLAN_FIELDS = Set.of("requests_per_second", "burst", "requests_per_month",
			"max_request_bytes", "max_rows_per_request", "explain_cost", "max_rows_per_explanation");

	/** The watched file, or {@code null} when the packaged copy is used. */
	private final Path file;

	private volatile Snapshot current;

	QuotaPlans(WardenProperties warden) throws IOException {
		Path dir = warden.policiesDir();
		byte[] yaml;
		if (Files.isDirectory(dir)) {
			this.file = dir.resolve("quotas.yaml");
			yaml = Files.readAllBytes(this.file);
			log.info("Quota plans read from {}", this.file.toAbsolutePath());
		}
		else {
			this.file = null;
			try (InputStream in = new ClassPathResource("policies/quotas.yaml").getInputStream()) {
				yaml = in.readAllBytes();
			}
			log.info("Quota plans read from the packaged policies/quotas.yaml ({} does not exist)",
					dir.toAbsolutePath());
		}
		this.current = parse(yaml);
	}

	/**
	 * Parses and validates a {@code quotas.yaml}: every plan needs valid limits
	 * ({@link QuotaPlan}), unknown fields are refused (a misspelt limit must not silently
	 * fall back to "no limit"), and {@code default_plan} must name a plan.
	 * @throws IllegalArgumentException naming what is wrong
	 */
	static Snapshot parse(byte[] yaml) {
		JsonNode root;
		try {
			root = new YAMLMapper().readTree(yaml);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("quotas.yaml is not valid YAML: " + ex.getOriginalMessage(), ex);
		}
		if (root == null || !root.path("plans").isObject()) {
			throw new IllegalArgumentException("quotas.yaml needs a 'plans' mapping");
		}
		Map<String, QuotaPlan> parsed = new LinkedHashMap<>();
		root.path("plans").properties().forEach((entry) -> {
			JsonNode plan = entry.getValue();
			if (!plan.isObject()) {
				throw new IllegalArgumentException("quota plan '" + entry.getKey() + "' is not a mapping");
			}
			plan.propertyNames().forEach((field) -> {
				if (!PLAN_FIELDS.contains(field)) {
					throw new IllegalArgumentException("quota plan '" + entry.getKey() + "' has an unknown field '"
							+ field + "', expected " + PLAN_FIELDS);
				}
			});
			long burst = number(entry.getKey(), plan, "burst");
			long maxRows = number(entry.getKey(), plan, "max_rows_per_request");
			long explainCost = plan.has("explain_cost") ? number(entry.getKey(), plan, "explain_cost")
					: QuotaPlan.defaultExplainCost(burst);
			long explanationRows = plan.has("max_rows_per_explanation")
					? number(entry.getKey(), plan, "max_rows_per_explanation")
					: QuotaPlan.defaultMaxRowsPerExplanation(maxRows);
			parsed.put(entry.getKey(),
					new QuotaPlan(entry.getKey(), number(entry.getKey(), plan, "requests_per_second"), burst,
							number(entry.getKey(), plan, "max_request_bytes"),
							number(entry.getKey(), plan, "requests_per_month"), maxRows, explainCost, explanationRows));
		});
		if (parsed.isEmpty()) {
			throw new IllegalArgumentException("quotas.yaml defines no plans");
		}
		String defaultPlan = root.path("default_plan").asString("free");
		if (!parsed.containsKey(defaultPlan)) {
			throw new IllegalArgumentException("default_plan '" + defaultPlan + "' is not a defined plan");
		}
		return new Snapshot(Collections.unmodifiableMap(parsed), defaultPlan, sha256(yaml), 0);
	}

	/**
	 * An integer field; absent = 0 (the plan constructor rejects 0 where a value is
	 * required).
	 */
	private static long number(String plan, JsonNode node, String field) {
		JsonNode value = node.path(field);
		if (value.isMissingNode() || value.isNull()) {
			return 0;
		}
		if (!value.isIntegralNumber()) {
			throw new IllegalArgumentException(
					"quota plan '" + plan + "': " + field + " must be an integer, not '" + value.asString() + "'");
		}
		return value.asLong();
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public Optional<QuotaPlan> find(String name) {
		return Optional.ofNullable(this.current.plans().get(name));
	}

	public Set<String> names() {
		return this.current.plans().keySet();
	}

	public String defaultPlan() {
		return this.current.defaultPlan();
	}

	/**
	 * Version of the plans in force (microseconds since the epoch at which this content
	 * was first recorded in {@code quota_plan_versions}; 0 until recorded). Versions the
	 * Bucket4j configurations derived from plans.
	 */
	public long version() {
		return this.current.version();
	}

	Snapshot snapshot() {
		return this.current;
	}

	/** The watched file, empty when the packaged copy is used (nothing to watch). */
	Optional<Path> file() {
		return Optional.ofNullable(this.file);
	}

	void apply(Snapshot snapshot) {
		this.current = snapshot;
	}

	/** One consistent, immutable set of plans. */
	record Snapshot(Map<String, QuotaPlan> plans, String defaultPlan, String sha256, long version) {

		Snapshot withVersion(long version) {
			return new Snapshot(this.plans, this.defaultPlan, this.sha256, version);
		}

		/**
		 * The plans as stored in {@code quota_plan_versions.plans} and shown in audit
		 * details.
		 */
		Map<String, Object> describe() {
			Map<String, Object> plans = new LinkedHashMap<>();
			this.plans.forEach((name, plan) -> plans.put(name, describe(plan)));
			Map<String, Object> all = new LinkedHashMap<>();
			all.put("default_plan", this.defaultPlan);
			all.put("plans", plans);
			return all;
		}

		static Map<String, Object> describe(QuotaPlan plan) {
			Map<String, Object> fields = new LinkedHashMap<>();
			fields.put("requests_per_second", plan.requestsPerSecond());
			fields.put("burst", plan.burst());
			fields.put("requests_per_month", plan.requestsPerMonth());
			fields.put("max_request_bytes", plan.maxRequestBytes());
			fields.put("max_rows_per_request", plan.maxRowsPerRequest());
			fields.put("explain_cost", plan.explainCost());
			fields.put("max_rows_per_explanation", plan.maxRowsPerExplanation());
			return fields;
		}

	}

}
