package dev.warden.platform.promotion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import dev.warden.platform.promotion.PromotionPolicy.AccuracyRule;
import dev.warden.platform.promotion.PromotionPolicy.Approvals;
import dev.warden.platform.promotion.PromotionPolicy.ExplainabilityRule;
import dev.warden.platform.promotion.PromotionPolicy.FairnessRule;
import dev.warden.platform.promotion.PromotionPolicy.MetricRule;
import dev.warden.platform.promotion.PromotionPolicy.ModelPolicy;
import dev.warden.platform.promotion.PromotionPolicy.Rules;

/**
 * Reads and validates {@code promotion.yaml}. Everything wrong is refused with a message
 * naming where: an unknown key (a misspelt rule must not silently mean "no rule"), a key
 * given twice, a value of the wrong type, an unknown metric, {@code min} above
 * {@code max}, a negative {@code max_abs} or margin, days below 1, a weight outside 0 to
 * 100, two thresholds on the same metric and attribute. A model entry is the
 * {@code default} entry with the keys it names replaced; within {@code rules}, each rule
 * it names replaces the default's, and {@code false} switches a rule off.
 */
final class PromotionPolicyParser {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private static final Set<String> ROOT_KEYS = Set.of("default", "models");

	private static final Set<String> ENTRY_KEYS = Set.of("require_approval", "max_canary_weight_without_approval",
			"rules");

	private static final Set<String> RULE_KEYS = Set.of("fairness", "explainability_report", "model_card_complete",
			"accuracy_not_worse", "approvals");

	private static final Set<String> FAIRNESS_KEYS = Set.of("dataset", "max_age_days", "metrics");

	private static final Set<String> METRIC_KEYS = Set.of("metric", "attributes", "min", "max", "max_abs",
			"whole_interval");

	private static final Set<String> EXPLAINABILITY_KEYS = Set.of("max_age_days");

	private static final Set<String> ACCURACY_KEYS = Set.of("margin");

	private static final Set<String> APPROVAL_KEYS = Set.of("required", "distinct_from_requester",
			"distinct_from_uploader");

	/** Most approvals a policy may require. */
	static final int MAX_APPROVALS = 10;

	private PromotionPolicyParser() {
	}

	/**
	 * Parses and validates the file's bytes.
	 * @param source {@code file} or {@code packaged}
	 * @throws IllegalArgumentException naming what is wrong and where
	 */
	static PromotionPolicy parse(byte[] yaml, String source) {
		JsonNode root;
		try {
			root = YAML.readTree(yaml);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("not valid YAML: " + ex.getOriginalMessage(), ex);
		}
		if (root == null || root.isMissingNode() || root.isNull()) {
			throw new IllegalArgumentException("the file is empty: it needs a 'default' entry or 'models'");
		}
		requireMapping(root, "the file");
		keys(root, "the file", ROOT_KEYS);
		ModelPolicy defaults = root.has("default") ? entry(root.get("default"), "default", ModelPolicy.BUILT_IN)
				: ModelPolicy.BUILT_IN;
		Map<String, ModelPolicy> models = new LinkedHashMap<>();
		if (root.has("models")) {
			JsonNode entries = root.get("models");
			requireMapping(entries, "models");
			entries.properties().forEach((entry) -> {
				String where = "models." + entry.getKey();
				if (entry.getKey().isBlank()) {
					throw new IllegalArgumentException("models: a model name must not be blank");
				}
				models.put(entry.getKey(), entry(entry.getValue(), where, defaults));
			});
		}
		return new PromotionPolicy(defaults, Collections.unmodifiableMap(models), PromotionPolicy.sha256(yaml), source);
	}

	private static ModelPolicy entry(JsonNode node, String where, ModelPolicy base) {
		requireMapping(node, where);
		keys(node, where, ENTRY_KEYS);
		boolean requireApproval = node.has("require_approval")
				? bool(node.get("require_approval"), where + ".require_approval") : base.requireApproval();
		int maxWeight = node.has("max_canary_weight_without_approval")
				? integer(node.get("max_canary_weight_without_approval"), where + ".max_canary_weight_without_approval",
						0, 100)
				: base.maxCanaryWeightWithoutApproval();
		Rules rules = node.has("rules") ? rules(node.get("rules"), where + ".rules", base.rules()) : base.rules();
		return new ModelPolicy(requireApproval, maxWeight, rules);
	}

	private static Rules rules(JsonNode node, String where, Rules base) {
		requireMapping(node, where);
		keys(node, where, RULE_KEYS);
		FairnessRule fairness = base.fairness();
		if (node.has("fairness")) {
			JsonNode value = node.get("fairness");
			fairness = switchedOff(value, where + ".fairness") ? null : fairness(value, where + ".fairness");
		}
		ExplainabilityRule explainability = base.explainabilityReport();
		if (node.has("explainability_report")) {
			JsonNode value = node.get("explainability_report");
			String at = where + ".explainability_report";
			if (switchedOff(value, at)) {
				explainability = null;
			}
			else {
				keys(value, at, EXPLAINABILITY_KEYS);
				explainability = new ExplainabilityRule(days(value, at));
			}
		}
		boolean modelCard = node.has("model_card_complete")
				? bool(node.get("model_card_complete"), where + ".model_card_complete") : base.modelCardComplete();
		AccuracyRule accuracy = base.accuracyNotWorse();
		if (node.has("accuracy_not_worse")) {
			JsonNode value = node.get("accuracy_not_worse");
			String at = where + ".accuracy_not_worse";
			if (switchedOff(value, at)) {
				accuracy = null;
			}
			else {
				keys(value, at, ACCURACY_KEYS);
				double margin = value.has("margin") ? number(value.get("margin"), at + ".margin") : 0.0;
				if (margin < 0 || margin >= 1) {
					throw new IllegalArgumentException(at + ".margin: must be at least 0 and below 1 (an absolute "
							+ "difference of accuracy, e.g. 0.01), not " + margin);
				}
				accuracy = new AccuracyRule(margin);
			}
		}
		Approvals approvals = base.approvals();
		if (node.has("approvals")) {
			approvals = approvals(node.get("approvals"), where + ".approvals");
		}
		return new Rules(fairness, explainability, modelCard, accuracy, approvals);
	}

	/**
	 * {@code false}: the rule is off; {@code true}: on with its defaults (the caller
	 * reads an empty mapping); a mapping: on. Anything else is refused.
	 */
	private static boolean switchedOff(JsonNode value, String where) {
		if (value.isBoolean()) {
			return !value.booleanValue();
		}
		if (!value.isObject()) {
			throw new IllegalArgumentException(
					where + ": must be a mapping (or false to switch the rule off, true for its defaults)");
		}
		return false;
	}

	private static FairnessRule fairness(JsonNode node, String where) {
		keys(node, where, FAIRNESS_KEYS);
		String dataset = null;
		if (node.has("dataset")) {
			JsonNode value = node.get("dataset");
			if (!value.isString() || value.asString().isBlank()) {
				throw new IllegalArgumentException(where + ".dataset: must be the evaluation dataset's name");
			}
			dataset = value.asString();
		}
		List<MetricRule> metrics = new ArrayList<>();
		if (node.has("metrics")) {
			JsonNode list = node.get("metrics");
			if (!list.isArray()) {
				throw new IllegalArgumentException(where + ".metrics: must be a list");
			}
			for (int i = 0; i < list.size(); i++) {
				metrics.add(metric(list.get(i), where + ".metrics[" + i + "]"));
			}
		}
		requireNoOverlap(metrics, where + ".metrics");
		return new FairnessRule(dataset, days(node, where), List.copyOf(metrics));
	}

	private static MetricRule metric(JsonNode node, String where) {
		requireMapping(node, where);
		keys(node, where, METRIC_KEYS);
		JsonNode name = node.path("metric");
		if (!name.isString()) {
			throw new IllegalArgumentException(where + ".metric: required, one of " + FairnessMetric.ids());
		}
		FairnessMetric metric = FairnessMetric.of(name.asString())
			.orElseThrow(() -> new IllegalArgumentException(where + ".metric: unknown metric '" + name.asString()
					+ "', expected one of " + FairnessMetric.ids()));
		List<String> attributes = null;
		if (node.has("attributes")) {
			if (metric.location() == FairnessMetric.Location.OVERALL) {
				throw new IllegalArgumentException(where + ".attributes: " + metric.id()
						+ " is one value for the whole dataset, not per attribute");
			}
			JsonNode list = node.get("attributes");
			if (!list.isArray() || list.isEmpty()) {
				throw new IllegalArgumentException(where + ".attributes: must be a non-empty list of attribute names "
						+ "(e.g. [sex, race], an intersection as sex+race), or absent for every attribute");
			}
			Set<String> names = new LinkedHashSet<>();
			for (JsonNode attribute : list) {
				if (!attribute.isString() || attribute.asString().isBlank()) {
					throw new IllegalArgumentException(where + ".attributes: every attribute must be a name");
				}
				if (!names.add(attributeId(attribute.asString()))) {
					throw new IllegalArgumentException(
							where + ".attributes: '" + attribute.asString() + "' is named twice");
				}
			}
			attributes = List.copyOf(names);
		}
		Double min = node.has("min") ? number(node.get("min"), where + ".min") : null;
		Double max = node.has("max") ? number(node.get("max"), where + ".max") : null;
		Double maxAbs = node.has("max_abs") ? number(node.get("max_abs"), where + ".max_abs") : null;
		if (min == null && max == null && maxAbs == null) {
			throw new IllegalArgumentException(where + ": a threshold is required: min, max or max_abs");
		}
		if (min != null && max != null && min > max) {
			throw new IllegalArgumentException(where + ": min " + min + " is greater than max " + max);
		}
		if (maxAbs != null && maxAbs < 0) {
			throw new IllegalArgumentException(where + ".max_abs: must not be negative, not " + maxAbs);
		}
		boolean wholeInterval = node.has("whole_interval") ? bool(node.get("whole_interval"), where + ".whole_interval")
				: false;
		return new MetricRule(metric.id(), attributes, min, max, maxAbs, wholeInterval);
	}

	/**
	 * Two thresholds on the same metric must name different attributes (each rule id is
	 * evaluated once).
	 */
	private static void requireNoOverlap(List<MetricRule> metrics, String where) {
		Map<String, Set<String>> named = new HashMap<>();
		Set<String> everyAttribute = new LinkedHashSet<>();
		for (MetricRule metric : metrics) {
			Set<String> seen = named.computeIfAbsent(metric.metric(), (m) -> new LinkedHashSet<>());
			boolean all = metric.attributes() == null;
			if ((all && !seen.isEmpty()) || everyAttribute.contains(metric.metric())) {
				throw new IllegalArgumentException(where + ": " + metric.metric()
						+ " has more than one threshold for the same attributes (an entry without 'attributes' "
						+ "covers every attribute)");
			}
			if (all) {
				everyAttribute.add(metric.metric());
				seen.add("*");
				continue;
			}
			for (String attribute : metric.attributes()) {
				if (!seen.add(attribute)) {
					throw new IllegalArgumentException(
							where + ": " + metric.metric() + " has more than one threshold for " + attribute);
				}
			}
		}
	}

	private static Approvals approvals(JsonNode node, String where) {
		if (!node.isObject()) {
			throw new IllegalArgumentException(where + ": must be a mapping (approvals cannot be switched off; "
					+ "set distinct_from_requester or distinct_from_uploader to false instead)");
		}
		keys(node, where, APPROVAL_KEYS);
		int required = node.has("required") ? integer(node.get("required"), where + ".required", 1, MAX_APPROVALS)
				: Approvals.DEFAULT.required();
		boolean requester = node.has("distinct_from_requester")
				? bool(node.get("distinct_from_requester"), where + ".distinct_from_requester") : true;
		boolean uploader = node.has("distinct_from_uploader")
				? bool(node.get("distinct_from_uploader"), where + ".distinct_from_uploader") : true;
		return new Approvals(required, requester, uploader);
	}

	/** {@code max_age_days} of a mapping, or {@code null} when absent. */
	private static Integer days(JsonNode node, String where) {
		if (!node.has("max_age_days")) {
			return null;
		}
		JsonNode value = node.get("max_age_days");
		if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1) {
			throw new IllegalArgumentException(
					where + ".max_age_days: must be a whole number of days, at least 1, not '" + text(value) + "'");
		}
		return value.asInt();
	}

	/** The id an attribute has in rule ids: its columns joined by {@code +}. */
	static String attributeId(String name) {
		return name.replace(" × ", "+").replace("×", "+").replace(" + ", "+").strip();
	}

	private static void requireMapping(JsonNode node, String where) {
		if (node == null || !node.isObject()) {
			throw new IllegalArgumentException(where + ": must be a mapping");
		}
	}

	private static void keys(JsonNode node, String where, Set<String> allowed) {
		if (!node.isObject()) {
			return;
		}
		for (String key : node.propertyNames()) {
			if (!allowed.contains(key)) {
				throw new IllegalArgumentException(
						where + ": unknown key '" + key + "', expected one of " + new java.util.TreeSet<>(allowed));
			}
		}
	}

	private static boolean bool(JsonNode value, String where) {
		if (!value.isBoolean()) {
			throw new IllegalArgumentException(where + ": must be true or false, not '" + text(value) + "'");
		}
		return value.booleanValue();
	}

	private static int integer(JsonNode value, String where, int min, int max) {
		if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
			throw new IllegalArgumentException(
					where + ": must be a whole number from " + min + " to " + max + ", not '" + text(value) + "'");
		}
		return value.asInt();
	}

	private static double number(JsonNode value, String where) {
		if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
			throw new IllegalArgumentException(where + ": must be a number, not '" + text(value) + "'");
		}
		return value.asDouble();
	}

	private static String text(JsonNode value) {
		return value.isString() ? value.asString() : value.toString();
	}

}
