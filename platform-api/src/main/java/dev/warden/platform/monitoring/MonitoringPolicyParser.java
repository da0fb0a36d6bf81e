package dev.warden.platform.monitoring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads and validates {@code monitoring.yaml}. Everything wrong is refused with a message
 * naming where: bad YAML, a key given twice, an unknown key, a value of the wrong type or
 * out of range, a feature named both text and categorical, an alert rule that is
 * incomplete or names keys its kind does not read, two rules of one name.
 */
final class MonitoringPolicyParser {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private static final Set<String> ROOT_KEYS = Set.of("drift", "alerts");

	private static final Set<String> DRIFT_KEYS = Set.of("default", "models");

	private static final Set<String> SETTING_KEYS = Set.of("psi", "js", "ks", "min_samples", "k", "window", "bins",
			"hash_buckets", "text_features", "categorical_features");

	private static final Set<String> ALERTS_KEYS = Set.of("evaluate_every", "rules");

	private static final Set<String> RULE_KEYS = Set.of("name", "model", "kind", "window", "above", "below",
			"min_requests", "attribute", "metric");

	private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

	private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

	private static final Pattern SECONDS = Pattern.compile("([1-9][0-9]{0,5})s");

	private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private static final Pattern FEATURE = Pattern.compile("[A-Za-z_][A-Za-z0-9_./-]{0,127}");

	private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})([mhd])");

	static final Duration MAX_WINDOW = Duration.ofDays(31);

	private MonitoringPolicyParser() {
	}

	/**
	 * @param source {@code file} or {@code packaged}
	 * @throws IllegalArgumentException naming what is wrong and where
	 */
	static MonitoringPolicy parse(byte[] yaml, String source) {
		JsonNode root;
		try {
			root = YAML.readTree(yaml);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("not valid YAML: " + ex.getOriginalMessage(), ex);
		}
		if (root == null || root.isMissingNode() || root.isNull()) {
			return new MonitoringPolicy(MonitoringPolicy.sha256(yaml), source, DriftSettings.DEFAULTS, Map.of(),
					AlertPolicy.NONE);
		}
		requireObject(root, "the file");
		unknownKeys(root, ROOT_KEYS, "the top level");
		AlertPolicy alerts = alerts(root.get("alerts"));
		JsonNode drift = root.get("drift");
		DriftSettings defaults = DriftSettings.DEFAULTS;
		Map<String, DriftSettings> models = new LinkedHashMap<>();
		if (drift != null && !drift.isNull()) {
			requireObject(drift, "drift");
			unknownKeys(drift, DRIFT_KEYS, "drift");
			if (drift.has("default")) {
				defaults = settings(drift.get("default"), DriftSettings.DEFAULTS, "drift.default");
			}
			JsonNode entries = drift.get("models");
			if (entries != null && !entries.isNull()) {
				requireObject(entries, "drift.models");
				for (Map.Entry<String, JsonNode> entry : entries.properties()) {
					if (!MODEL.matcher(entry.getKey()).matches()) {
						throw new IllegalArgumentException(
								"drift.models: '" + entry.getKey() + "' is not a model name");
					}
					models.put(entry.getKey(), settings(entry.getValue(), defaults, "drift.models." + entry.getKey()));
				}
			}
		}
		return new MonitoringPolicy(MonitoringPolicy.sha256(yaml), source, defaults, models, alerts);
	}

	private static AlertPolicy alerts(JsonNode node) {
		if (node == null || node.isNull()) {
			return AlertPolicy.NONE;
		}
		requireObject(node, "alerts");
		unknownKeys(node, ALERTS_KEYS, "alerts");
		Duration every = AlertPolicy.DEFAULT_EVALUATE_EVERY;
		if (node.has("evaluate_every")) {
			JsonNode value = node.get("evaluate_every");
			every = null;
			if (value.isString()) {
				Matcher seconds = SECONDS.matcher(value.asString());
				every = seconds.matches() ? Duration.ofSeconds(Long.parseLong(seconds.group(1)))
						: parseDuration(value.asString());
			}
			if (every == null || every.compareTo(AlertPolicy.MIN_EVALUATE_EVERY) < 0
					|| every.compareTo(Duration.ofDays(1)) > 0) {
				throw new IllegalArgumentException("alerts.evaluate_every: must be a duration like 30s, 1m or 1h "
						+ "(whole seconds, minutes, hours or days; at least 10s, at most 1d)");
			}
		}
		List<AlertRule> rules = new ArrayList<>();
		JsonNode list = node.get("rules");
		if (list != null && !list.isNull()) {
			if (!list.isArray()) {
				throw new IllegalArgumentException("alerts.rules: must be a list of rules");
			}
			Set<String> names = new HashSet<>();
			int i = 0;
			for (JsonNode entry : list) {
				AlertRule rule = rule(entry, "alerts.rules[" + i + "]");
				if (!names.add(rule.name())) {
					throw new IllegalArgumentException(
							"alerts.rules[" + i + "].name: '" + rule.name() + "' is the name of an earlier rule");
				}
				rules.add(rule);
				i++;
			}
		}
		return new AlertPolicy(every, rules);
	}

	private static AlertRule rule(JsonNode node, String where) {
		requireObject(node, where);
		unknownKeys(node, RULE_KEYS, where);
		String name = text(node, "name", where);
		if (!RULE_NAME.matcher(name).matches()) {
			throw new IllegalArgumentException(where + ".name: must be lower-case letters, digits and '-' (at most 64, "
					+ "starting with a letter or digit)");
		}
		where = where + " (" + name + ")";
		String model = text(node, "model", where);
		if (!"*".equals(model) && !MODEL.matcher(model).matches()) {
			throw new IllegalArgumentException(where + ".model: must be a model name or *");
		}
		String kind = text(node, "kind", where);
		if (!AlertRule.KINDS.contains(kind)) {
			throw new IllegalArgumentException(where + ".kind: must be one of " + AlertRule.KINDS);
		}
		Set<String> allowed = switch (kind) {
			case AlertRule.ERROR_RATE, AlertRule.P99_LATENCY -> Set.of("window", "above", "min_requests");
			case AlertRule.DRIFT -> Set.of("window");
			case AlertRule.ACCURACY_DROP -> Set.of("window", "below");
			default -> Set.of("window", "above", "below", "attribute", "metric");
		};
		for (String key : node.propertyNames()) {
			if (!Set.of("name", "model", "kind").contains(key) && !allowed.contains(key)) {
				throw new IllegalArgumentException(where + "." + key + ": a " + kind + " rule does not read it; it "
						+ "reads " + new java.util.TreeSet<>(allowed));
			}
		}
		Duration window = switch (kind) {
			case AlertRule.ERROR_RATE, AlertRule.P99_LATENCY -> Duration.ofMinutes(5);
			case AlertRule.DRIFT -> null;
			default -> Duration.ofDays(1);
		};
		if (node.has("window")) {
			JsonNode value = node.get("window");
			window = value.isString() ? parseDuration(value.asString()) : null;
			boolean hours = AlertRule.ACCURACY_DROP.equals(kind) || AlertRule.FAIRNESS.equals(kind);
			Duration max = Duration.ofDays(30);
			if (window == null || window.compareTo(max) > 0 || (hours && window.toMinutes() % 60 != 0)) {
				throw new IllegalArgumentException(where + ".window: must be a duration like 5m, 1h or 1d (whole "
						+ (hours ? "hours or days" : "minutes, hours or days") + "; at most 30 days)");
			}
		}
		Double above = null;
		Double below = null;
		long minRequests = AlertRule.DEFAULT_MIN_REQUESTS;
		String attribute = null;
		String metric = null;
		switch (kind) {
			case AlertRule.ERROR_RATE -> {
				above = required(node, "above", 0, 1, where);
				minRequests = integer(node, "min_requests", minRequests, 1, 1_000_000_000L, where);
			}
			case AlertRule.P99_LATENCY -> {
				above = required(node, "above", 0, 3_600_000, where);
				minRequests = integer(node, "min_requests", minRequests, 1, 1_000_000_000L, where);
			}
			case AlertRule.ACCURACY_DROP -> below = required(node, "below", 0, 1, where);
			case AlertRule.FAIRNESS -> {
				attribute = text(node, "attribute", where);
				if (!ATTRIBUTE.matcher(attribute).matches()) {
					throw new IllegalArgumentException(where + ".attribute: is not an attribute name");
				}
				metric = text(node, "metric", where);
				if (!AlertRule.FAIRNESS_METRICS.contains(metric)) {
					throw new IllegalArgumentException(where + ".metric: must be one of " + AlertRule.FAIRNESS_METRICS);
				}
				if (node.has("above") == node.has("below")) {
					throw new IllegalArgumentException(where + ": needs exactly one of above and below");
				}
				if (node.has("above")) {
					above = required(node, "above", -1_000_000, 1_000_000, where);
				}
				else {
					below = required(node, "below", -1_000_000, 1_000_000, where);
				}
			}
			default -> {
				// drift: the drift policy's thresholds decide
			}
		}
		return new AlertRule(name, model, kind, window, above, below, minRequests, attribute, metric);
	}

	private static String text(JsonNode node, String key, String where) {
		JsonNode value = node.get(key);
		if (value == null || !value.isString() || value.asString().isEmpty()) {
			throw new IllegalArgumentException(where + "." + key + ": is required (a string)");
		}
		return value.asString();
	}

	private static double required(JsonNode node, String key, double min, double max, String where) {
		if (!node.has(key)) {
			throw new IllegalArgumentException(where + "." + key + ": is required");
		}
		return number(node, key, 0, min, false, max, where);
	}

	private static DriftSettings settings(JsonNode node, DriftSettings base, String where) {
		if (node == null || node.isNull()) {
			return base;
		}
		requireObject(node, where);
		unknownKeys(node, SETTING_KEYS, where);
		double psi = number(node, "psi", base.psi(), 0, false, 100, where);
		double js = number(node, "js", base.js(), 0, false, 1, where);
		double ks = number(node, "ks", base.ks(), 0, false, 1, where);
		long minSamples = (long) integer(node, "min_samples", base.minSamples(), 1, 1_000_000_000L, where);
		int k = (int) integer(node, "k", base.k(), 1, 1_000_000, where);
		int bins = (int) integer(node, "bins", base.bins(), 2, 100, where);
		int hashBuckets = (int) integer(node, "hash_buckets", base.hashBuckets(), 2, 4096, where);
		Duration window = base.window();
		if (node.has("window")) {
			JsonNode value = node.get("window");
			window = value.isString() ? parseDuration(value.asString()) : null;
			if (window == null || window.compareTo(MAX_WINDOW) > 0) {
				throw new IllegalArgumentException(where + ".window: must be a duration like 30m, 1h or 1d (whole "
						+ "minutes, hours or days; at most 31 days)");
			}
		}
		List<String> text = features(node, "text_features", base.textFeatures(), where);
		List<String> categorical = features(node, "categorical_features", base.categoricalFeatures(), where);
		Set<String> both = new HashSet<>(text);
		both.retainAll(categorical);
		if (!both.isEmpty()) {
			throw new IllegalArgumentException(
					where + ": " + both.iterator().next() + " is in both text_features and categorical_features");
		}
		return new DriftSettings(psi, js, ks, minSamples, k, window, bins, hashBuckets, text, categorical);
	}

	/** {@code 30m}, {@code 1h}, {@code 1d}, or {@code null}. */
	static Duration parseDuration(String text) {
		Matcher m = DURATION.matcher(text);
		if (!m.matches()) {
			return null;
		}
		long amount = Long.parseLong(m.group(1));
		return switch (m.group(2)) {
			case "m" -> Duration.ofMinutes(amount);
			case "h" -> Duration.ofHours(amount);
			default -> Duration.ofDays(amount);
		};
	}

	/** A whole number of minutes as {@code 30m}, {@code 1h}, {@code 1d}. */
	static String formatDuration(Duration duration) {
		long minutes = duration.toMinutes();
		if (minutes % 1440 == 0) {
			return (minutes / 1440) + "d";
		}
		if (minutes % 60 == 0) {
			return (minutes / 60) + "h";
		}
		return minutes + "m";
	}

	private static double number(JsonNode node, String key, double fallback, double min, boolean minInclusive,
			double max, String where) {
		if (!node.has(key)) {
			return fallback;
		}
		JsonNode value = node.get(key);
		if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
			throw new IllegalArgumentException(where + "." + key + ": must be a number");
		}
		double d = value.asDouble();
		if ((minInclusive ? d < min : d <= min) || d > max) {
			throw new IllegalArgumentException(where + "." + key + ": must be above " + min + " and at most " + max);
		}
		return d;
	}

	private static long integer(JsonNode node, String key, long fallback, long min, long max, String where) {
		if (!node.has(key)) {
			return fallback;
		}
		JsonNode value = node.get(key);
		if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
			throw new IllegalArgumentException(
					where + "." + key + ": must be a whole number from " + min + " to " + max);
		}
		return value.asLong();
	}

	private static List<String> features(JsonNode node, String key, List<String> fallback, String where) {
		if (!node.has(key)) {
			return fallback;
		}
		JsonNode value = node.get(key);
		if (!value.isArray()) {
			throw new IllegalArgumentException(where + "." + key + ": must be a list of input names");
		}
		List<String> names = new ArrayList<>();
		for (JsonNode name : value) {
			if (!name.isString() || !FEATURE.matcher(name.asString()).matches()) {
				throw new IllegalArgumentException(where + "." + key + ": " + name + " is not an input name");
			}
			names.add(name.asString());
		}
		return names;
	}

	private static void requireObject(JsonNode node, String where) {
		if (!node.isObject()) {
			throw new IllegalArgumentException(where + ": must be a mapping");
		}
	}

	private static void unknownKeys(JsonNode node, Set<String> known, String where) {
		for (String key : node.propertyNames()) {
			if (!known.contains(key)) {
				throw new IllegalArgumentException(
						where + ": unknown key '" + key + "'; expected one of " + new java.util.TreeSet<>(known));
			}
		}
	}

}
