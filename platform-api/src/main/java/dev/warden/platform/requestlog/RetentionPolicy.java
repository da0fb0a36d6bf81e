package dev.warden.platform.requestlog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.PolicyFile;
import dev.warden.platform.system.WardenProperties;

/**
 * How long the request log, the daily usage rows, the per-minute serving-health rows and
 * the outcome feedback are kept, read once at start-up from the {@code retention} section
 * of {@code <policies dir>/logging.yaml} (or the copy packaged in the jar when the
 * policies directory does not exist). Retention is platform-wide: the request log is
 * partitioned by month for all tenants together and whole partitions are dropped. A file
 * without a {@code retention} section keeps everything. Invalid values stop the start
 * with a message naming the field. Immutable.
 */
@Component
class RetentionPolicy {

	private static final Logger log = LoggerFactory.getLogger(RetentionPolicy.class);

	static final String FILE_NAME = "logging.yaml";

	/**
	 * Upper bound of a retention (100 years), to catch typos such as a number of days.
	 */
	static final int MAX_MONTHS = 1200;

	private final Integer requestLogMonths;

	private final Integer usageDailyMonths;

	private final Integer servingMinutesMonths;

	private final Integer feedbackMonths;

	@Autowired
	RetentionPolicy(WardenProperties warden) throws IOException {
		this(read(warden.policiesDir()));
	}

	RetentionPolicy(JsonNode root) {
		JsonNode retention = (root != null) ? root.path("retention") : null;
		if (retention == null || retention.isMissingNode() || retention.isNull()) {
			this.requestLogMonths = null;
			this.usageDailyMonths = null;
			this.servingMinutesMonths = null;
			this.feedbackMonths = null;
			return;
		}
		if (!retention.isObject()) {
			throw new IllegalStateException(FILE_NAME + ": retention must be a mapping");
		}
		retention.propertyNames().forEach((name) -> {
			if (!Set.of("request_log_months", "usage_daily_months", "serving_minutes_months", "feedback_months")
				.contains(name)) {
				throw new IllegalStateException(FILE_NAME + ": retention." + name + " is unknown; expected "
						+ "request_log_months, usage_daily_months, serving_minutes_months or feedback_months");
			}
		});
		this.requestLogMonths = months(retention, "request_log_months", null);
		this.usageDailyMonths = months(retention, "usage_daily_months", this.requestLogMonths);
		this.servingMinutesMonths = months(retention, "serving_minutes_months", this.requestLogMonths);
		this.feedbackMonths = months(retention, "feedback_months", this.requestLogMonths);
	}

	/** Parses a policy from YAML text (tests, tools). */
	static RetentionPolicy parse(String yaml) {
		return new RetentionPolicy(new YAMLMapper().readTree(yaml));
	}

	/**
	 * Months a request-log partition is kept after its month ended; {@code null} = kept
	 * forever.
	 */
	Integer requestLogMonths() {
		return this.requestLogMonths;
	}

	/** Months a {@code usage_daily} row is kept; {@code null} = kept forever. */
	Integer usageDailyMonths() {
		return this.usageDailyMonths;
	}

	/** Months a {@code serving_minutes} row is kept; {@code null} = kept forever. */
	Integer servingMinutesMonths() {
		return this.servingMinutesMonths;
	}

	/**
	 * Months the outcome feedback ({@code feedback_outcomes} by the prediction's time,
	 * {@code feedback_windows} by window) is kept; {@code null} = kept forever.
	 */
	Integer feedbackMonths() {
		return this.feedbackMonths;
	}

	/** Whether anything is ever deleted. */
	boolean configured() {
		return this.requestLogMonths != null || this.usageDailyMonths != null || this.servingMinutesMonths != null
				|| this.feedbackMonths != null;
	}

	private static Integer months(JsonNode node, String name, Integer fallback) {
		JsonNode value = node.get(name);
		if (value == null || value.isNull()) {
			return fallback;
		}
		if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > MAX_MONTHS) {
			throw new IllegalStateException(FILE_NAME + ": retention." + name + " must be a whole number of months "
					+ "from 1 to " + MAX_MONTHS + " (or absent to keep everything)");
		}
		return value.intValue();
	}

	private static JsonNode read(Path dir) throws IOException {
		PolicyFile file = PolicyFile.read(dir, FILE_NAME);
		switch (file.source()) {
			case FILE -> log.info("Retention policy read from {}", file.path().toAbsolutePath());
			case PACKAGED -> {
				// no message: RedactionPolicy already names the packaged copy it reads
			}
			case ABSENT -> {
				log.warn("No {} in {}: the request log, usage and serving-health rows are kept forever", FILE_NAME,
						dir.toAbsolutePath());
				return null;
			}
		}
		return new YAMLMapper().readTree(file.content());
	}

}
