package dev.warden.platform.promotion;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.warden.platform.explainability.ExplainabilityReport;
import dev.warden.platform.fairness.FairnessReport;
import dev.warden.platform.modelcard.ModelCards;
import dev.warden.platform.promotion.PromotionPolicy.AccuracyRule;
import dev.warden.platform.promotion.PromotionPolicy.ExplainabilityRule;
import dev.warden.platform.promotion.PromotionPolicy.FairnessRule;
import dev.warden.platform.promotion.PromotionPolicy.MetricRule;
import dev.warden.platform.promotion.PromotionPolicy.Rules;

/**
 * Evaluates a policy's rules for one version, now, on the version's reports: every rule
 * gives one or more {@link RuleResult}s, in the order of the policy (fairness, its
 * metrics per attribute, explainability, model card, accuracy). Nothing is written.
 * Undefined values, missing intervals the policy asks for, missing reports and checks
 * that cannot be made all fail: a rule passes only on evidence. Thread-safe.
 */
@Component
class PromotionRules {

	static final String FAIRNESS_REPORT = "fairness.report";

	static final String EXPLAINABILITY_REPORT = "explainability_report";

	static final String MODEL_CARD_COMPLETE = "model_card_complete";

	static final String ACCURACY_NOT_WORSE = "accuracy_not_worse";

	private final ReportLookup reports;

	/**
	 * Looked up when a card is checked: the model cards ask every contributor (this
	 * module's among them) for their sections, so a direct dependency would be a cycle.
	 */
	private final ObjectProvider<ModelCards> cards;

	PromotionRules(ReportLookup reports, ObjectProvider<ModelCards> cards) {
		this.reports = reports;
		this.cards = cards;
	}

	/**
	 * The results of every rule of {@code rules} for {@code version} of {@code model}.
	 * @param stableVersion the model's stable version now, or {@code null}
	 */
	List<RuleResult> evaluate(String model, long version, Long stableVersion, Rules rules) {
		Instant now = Instant.now();
		List<RuleResult> results = new ArrayList<>();
		FairnessReport fairnessReport = null;
		if (rules.fairness() != null) {
			fairnessReport = fairness(model, version, rules.fairness(), now, results);
		}
		if (rules.explainabilityReport() != null) {
			results.add(explainability(model, version, rules.explainabilityReport(), now));
		}
		if (rules.modelCardComplete()) {
			results.add(modelCard(model, version));
		}
		if (rules.accuracyNotWorse() != null) {
			FairnessReport candidate = (fairnessReport != null) ? fairnessReport
					: this.reports
						.latestFairness(model, version, (rules.fairness() != null) ? rules.fairness().dataset() : null)
						.orElse(null);
			results.add(accuracy(model, version, stableVersion, candidate, rules.accuracyNotWorse()));
		}
		return List.copyOf(results);
	}

	/**
	 * Adds {@code fairness.report} and, when a usable report exists, one result per
	 * metric and attribute; returns the report used (or {@code null}).
	 */
	private FairnessReport fairness(String model, long version, FairnessRule rule, Instant now,
			List<RuleResult> results) {
		Map<String, Object> threshold = new LinkedHashMap<>();
		if (rule.dataset() != null) {
			threshold.put("dataset", rule.dataset());
		}
		if (rule.maxAgeDays() != null) {
			threshold.put("max_age_days", rule.maxAgeDays());
		}
		Optional<FairnessReport> found = this.reports.latestFairness(model, version, rule.dataset());
		if (found.isEmpty()) {
			results.add(RuleResult.failed(FAIRNESS_REPORT, null, threshold, null,
					"version " + version + " of model " + model + " has no fairness report"
							+ ((rule.dataset() != null) ? " on the evaluation dataset '" + rule.dataset() + "'" : "")
							+ ": run a fairness check first"));
			return null;
		}
		FairnessReport report = found.get();
		String dataset = datasetName(report);
		Map<String, Object> observed = age(report.createdAt(), now);
		observed.put("dataset", dataset);
		String made = "fairness report " + report.id() + " on '" + dataset + "', computed " + report.createdAt();
		if (rule.maxAgeDays() != null && tooOld(report.createdAt(), rule.maxAgeDays(), now)) {
			results.add(RuleResult.failed(FAIRNESS_REPORT, observed, threshold, report.id(),
					"the latest " + made + ", is older than " + rule.maxAgeDays() + " days: run the check again"));
			return null;
		}
		results.add(RuleResult.passed(FAIRNESS_REPORT, observed, threshold, report.id(), made));
		JsonNode content = report.content();
		for (MetricRule metric : rule.metrics()) {
			metric(content, metric, report.id(), results);
		}
		return report;
	}

	private void metric(JsonNode content, MetricRule rule, UUID reportId, List<RuleResult> results) {
		FairnessMetric metric = FairnessMetric.of(rule.metric()).orElseThrow();
		if (metric.location() == FairnessMetric.Location.OVERALL) {
			List<Value> values = new ArrayList<>();
			if (content.has(metric.id())) {
				values.add(new Value(null, content.get(metric.id())));
			}
			results.add(judge("fairness." + metric.id(), metric.id() + " over the dataset", rule, values, reportId));
			return;
		}
		Map<String, JsonNode> attributes = attributes(content);
		List<String> wanted = (rule.attributes() != null) ? rule.attributes() : List.copyOf(attributes.keySet());
		if (wanted.isEmpty()) {
			results.add(RuleResult.failed("fairness." + metric.id(), null, rule.threshold(), reportId,
					"the report has no sensitive attribute to check " + metric.id() + " on"));
			return;
		}
		for (String attribute : wanted) {
			String id = "fairness." + metric.id() + "." + attribute;
			JsonNode node = attributes.get(attribute);
			if (node == null) {
				results.add(RuleResult.failed(id, null, rule.threshold(), reportId,
						"the report has no attribute '" + attribute + "' (it has " + attributes.keySet() + ")"));
				continue;
			}
			results.add(judge(id, metric.id() + " for " + attribute, rule, values(node, metric), reportId));
		}
	}

	/** The report's attributes by id (columns joined by {@code +}), in its order. */
	private static Map<String, JsonNode> attributes(JsonNode content) {
		Map<String, JsonNode> byId = new LinkedHashMap<>();
		for (JsonNode attribute : content.path("attributes")) {
			List<String> columns = new ArrayList<>();
			attribute.path("columns").forEach((column) -> columns.add(column.asString()));
			String id = !columns.isEmpty() ? String.join("+", columns)
					: PromotionPolicyParser.attributeId(attribute.path("name").asString(""));
			byId.put(id, attribute);
		}
		return byId;
	}

	private static List<Value> values(JsonNode attribute, FairnessMetric metric) {
		List<Value> values = new ArrayList<>();
		switch (metric.location()) {
			case FOUR_FIFTHS -> attribute.path("four_fifths").forEach((entry) -> {
				if (entry.has("ratio")) {
					values.add(new Value(entry.path("group").asString(null), entry.get("ratio")));
				}
			});
			case AGAINST_REFERENCE -> attribute.path("against_reference").forEach((entry) -> {
				if (entry.has(metric.id())) {
					values.add(new Value(entry.path("group").asString(null), entry.get(metric.id())));
				}
			});
			case BETWEEN_GROUPS -> {
				JsonNode value = attribute.path("between_groups").get(metric.id());
				if (value != null) {
					values.add(new Value(null, value));
				}
			}
			case OVERALL -> {
				// not per attribute
			}
		}
		return values;
	}

	/**
	 * One result from every value of a metric (one per group, or one): it passes when
	 * every value (and, with {@code whole_interval}, its interval) is inside the
	 * thresholds; the observed value shown is the worst one.
	 */
	private static RuleResult judge(String id, String what, MetricRule rule, List<Value> values, UUID reportId) {
		if (values.isEmpty()) {
			return RuleResult.failed(id, null, rule.threshold(), reportId,
					"the report gives no " + what + " (every group but one suppressed?)");
		}
		Value worst = null;
		double worstMargin = Double.POSITIVE_INFINITY;
		List<String> problems = new ArrayList<>();
		for (Value value : values) {
			Judgement judgement = judge(rule, value);
			if (judgement.problem() != null) {
				problems.add(judgement.problem());
			}
			if (worst == null || judgement.margin() < worstMargin) {
				worst = value;
				worstMargin = judgement.margin();
			}
		}
		Map<String, Object> observed = observed(worst);
		if (!problems.isEmpty()) {
			return RuleResult.failed(id, observed, rule.threshold(), reportId,
					what + ": " + String.join("; ", problems));
		}
		return RuleResult.passed(id, observed, rule.threshold(), reportId,
				what + ": " + describe(worst) + " is within " + describe(rule));
	}

	/**
	 * How far inside the thresholds a value is (negative: outside), and why it fails, if
	 * it does.
	 */
	private static Judgement judge(MetricRule rule, Value value) {
		JsonNode number = value.metric().path("value");
		if (!number.isNumber()) {
			String reason = value.metric().path("reason").asString("no value");
			return new Judgement(Double.NEGATIVE_INFINITY, label(value) + "undefined (" + reason + ")");
		}
		double low = number.asDouble();
		double high = low;
		if (rule.wholeInterval()) {
			JsonNode ciLow = value.metric().path("ci_low");
			JsonNode ciHigh = value.metric().path("ci_high");
			if (!ciLow.isNumber() || !ciHigh.isNumber()) {
				return new Judgement(Double.NEGATIVE_INFINITY, label(value) + format(low)
						+ " has no confidence interval, and the policy asks for the whole interval");
			}
			low = ciLow.asDouble();
			high = ciHigh.asDouble();
		}
		double margin = Double.POSITIVE_INFINITY;
		List<String> outside = new ArrayList<>();
		if (rule.min() != null) {
			margin = Math.min(margin, low - rule.min());
			if (low < rule.min()) {
				outside.add("below the minimum " + format(rule.min()));
			}
		}
		if (rule.max() != null) {
			margin = Math.min(margin, rule.max() - high);
			if (high > rule.max()) {
				outside.add("above the maximum " + format(rule.max()));
			}
		}
		if (rule.maxAbs() != null) {
			double largest = Math.max(Math.abs(low), Math.abs(high));
			margin = Math.min(margin, rule.maxAbs() - largest);
			if (largest > rule.maxAbs()) {
				outside.add("beyond ±" + format(rule.maxAbs()));
			}
		}
		if (outside.isEmpty()) {
			return new Judgement(margin, null);
		}
		return new Judgement(margin, describe(value) + (rule.wholeInterval() ? " (its interval) " : " ") + "is "
				+ String.join(" and ", outside));
	}

	private static Map<String, Object> observed(Value value) {
		Map<String, Object> observed = new LinkedHashMap<>();
		if (value.group() != null) {
			observed.put("group", value.group());
		}
		JsonNode number = value.metric().path("value");
		if (number.isNumber()) {
			observed.put("value", number.asDouble());
		}
		else {
			observed.put("reason", value.metric().path("reason").asString("no value"));
		}
		if (value.metric().path("ci_low").isNumber()) {
			observed.put("ci_low", value.metric().get("ci_low").asDouble());
		}
		if (value.metric().path("ci_high").isNumber()) {
			observed.put("ci_high", value.metric().get("ci_high").asDouble());
		}
		return observed;
	}

	private static String label(Value value) {
		return (value.group() != null) ? value.group() + ": " : "";
	}

	private static String describe(Value value) {
		JsonNode metric = value.metric();
		String text = label(value)
				+ (metric.path("value").isNumber() ? format(metric.get("value").asDouble()) : "undefined");
		if (metric.path("ci_low").isNumber() && metric.path("ci_high").isNumber()) {
			text += " [" + format(metric.get("ci_low").asDouble()) + ", " + format(metric.get("ci_high").asDouble())
					+ "]";
		}
		return text;
	}

	private static String describe(MetricRule rule) {
		List<String> parts = new ArrayList<>();
		if (rule.min() != null) {
			parts.add("min " + format(rule.min()));
		}
		if (rule.max() != null) {
			parts.add("max " + format(rule.max()));
		}
		if (rule.maxAbs() != null) {
			parts.add("±" + format(rule.maxAbs()));
		}
		return String.join(", ", parts) + (rule.wholeInterval() ? " (whole interval)" : "");
	}

	private RuleResult explainability(String model, long version, ExplainabilityRule rule, Instant now) {
		Map<String, Object> threshold = new LinkedHashMap<>();
		if (rule.maxAgeDays() != null) {
			threshold.put("max_age_days", rule.maxAgeDays());
		}
		Optional<ExplainabilityReport> found = this.reports.latestExplainability(model, version);
		if (found.isEmpty()) {
			return RuleResult.failed(EXPLAINABILITY_REPORT, null, threshold, null,
					"version " + version + " of model " + model + " has no explainability report: queue one first");
		}
		ExplainabilityReport report = found.get();
		Map<String, Object> observed = age(report.createdAt(), now);
		String made = "explainability report " + report.id() + ", computed " + report.createdAt();
		if (rule.maxAgeDays() != null && tooOld(report.createdAt(), rule.maxAgeDays(), now)) {
			return RuleResult.failed(EXPLAINABILITY_REPORT, observed, threshold, report.id(),
					"the latest " + made + ", is older than " + rule.maxAgeDays() + " days: queue a new report");
		}
		return RuleResult.passed(EXPLAINABILITY_REPORT, observed, threshold, report.id(), made);
	}

	/**
	 * Asks the model cards which sections the version's card lacks. A card that cannot be
	 * checked fails the rule (it is not evidence of a complete card).
	 */
	private RuleResult modelCard(String model, long version) {
		List<String> missing;
		try {
			missing = this.cards.getObject().missingSections(model, version);
		}
		catch (RuntimeException ex) {
			return RuleResult.failed(MODEL_CARD_COMPLETE, null, null, null,
					"the model card of version " + version + " could not be checked: " + ex.getMessage());
		}
		if (missing.isEmpty()) {
			return RuleResult.passed(MODEL_CARD_COMPLETE, null, null, null,
					"the model card of version " + version + " is complete");
		}
		return RuleResult.failed(MODEL_CARD_COMPLETE, Map.of("missing", List.copyOf(missing)), null, null,
				"the model card of version " + version + " lacks " + String.join(", ", missing));
	}

	private RuleResult accuracy(String model, long version, Long stableVersion, FairnessReport candidate,
			AccuracyRule rule) {
		Map<String, Object> threshold = new LinkedHashMap<>();
		threshold.put("margin", rule.margin());
		if (stableVersion == null) {
			return RuleResult.passed(ACCURACY_NOT_WORSE, null, threshold, null,
					"model " + model + " has no stable version: there is no accuracy to compare with");
		}
		if (stableVersion == version) {
			return RuleResult.passed(ACCURACY_NOT_WORSE, null, threshold, null,
					"version " + version + " is the stable version itself");
		}
		if (candidate == null) {
			return RuleResult.failed(ACCURACY_NOT_WORSE, null, threshold, null, "version " + version
					+ " has no evaluation (fairness report) to compare with stable version " + stableVersion);
		}
		String dataset = datasetName(candidate);
		Optional<FairnessReport> stableReport = this.reports.latestFairnessOn(model, stableVersion,
				candidate.datasetId());
		if (stableReport.isEmpty()) {
			return RuleResult.failed(ACCURACY_NOT_WORSE, null, threshold, candidate.id(), "stable version "
					+ stableVersion + " has no report on '" + dataset + "' to compare with: run its fairness check");
		}
		JsonNode mine = accuracyOf(candidate);
		JsonNode theirs = accuracyOf(stableReport.get());
		if (!mine.isNumber() || !theirs.isNumber()) {
			return RuleResult.failed(ACCURACY_NOT_WORSE, null, threshold, candidate.id(),
					"the accuracy on '" + dataset + "' is undefined in "
							+ (mine.isNumber() ? "stable version " + stableVersion + "'s report" : "this report"));
		}
		double floor = theirs.asDouble() - rule.margin();
		Map<String, Object> observed = new LinkedHashMap<>();
		observed.put("value", mine.asDouble());
		observed.put("stable_version", stableVersion);
		observed.put("stable_value", theirs.asDouble());
		observed.put("stable_report_id", stableReport.get().id().toString());
		observed.put("dataset", dataset);
		threshold.put("min", floor);
		String comparison = "accuracy on '" + dataset + "' " + format(mine.asDouble()) + ", stable version "
				+ stableVersion + " " + format(theirs.asDouble()) + " (margin " + format(rule.margin()) + ")";
		if (mine.asDouble() < floor) {
			return RuleResult.failed(ACCURACY_NOT_WORSE, observed, threshold, candidate.id(),
					comparison + ": worse by more than the margin");
		}
		return RuleResult.passed(ACCURACY_NOT_WORSE, observed, threshold, candidate.id(), comparison);
	}

	private static JsonNode accuracyOf(FairnessReport report) {
		return report.content().path("overall").path("metrics").path("accuracy").path("value");
	}

	private String datasetName(FairnessReport report) {
		return this.reports.datasetName(report);
	}

	private static Map<String, Object> age(Instant createdAt, Instant now) {
		Map<String, Object> observed = new LinkedHashMap<>();
		observed.put("created_at", createdAt.toString());
		observed.put("age_days", Duration.between(createdAt, now).toHours() / 24.0);
		return observed;
	}

	private static boolean tooOld(Instant createdAt, int maxAgeDays, Instant now) {
		return createdAt.isBefore(now.minus(Duration.ofDays(maxAgeDays)));
	}

	static String format(double value) {
		return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
	}

	private record Value(String group, JsonNode metric) {
	}

	private record Judgement(double margin, String problem) {
	}

}
