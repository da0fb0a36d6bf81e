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
 * out of range, a feature named both text and categorical. The top-level {@code alerts}
 * section is reserved for alert rules and not read by this version (it must be a mapping
 * or a list when present).
 */
final class MonitoringPolicyParser {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private static final Set<String> ROOT_KEYS = Set.of("drift", "alerts");

	private static final Set<String> DRIFT_KEYS = Set.of("default", "models");

	private static final Set<String> SETTING_KEYS = Set.of("psi", "js", "ks", "min_samples", "k", "window", "bins",
			"hash_buckets", "text_features", "categorical_features");

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
			return new MonitoringPolicy(MonitoringPolicy.sha256(yaml), source, DriftSettings.DEFAULTS, Map.of());
		}
		requireObject(root, "the file");
		unknownKeys(root, ROOT_KEYS, "the top level");
		JsonNode alerts = root.get("alerts");
		if (alerts != null && !alerts.isNull() && !alerts.isObject() && !alerts.isArray()) {
			throw new IllegalArgumentException("alerts: must be a mapping or a list (reserved for alert rules)");
		}
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
		return new MonitoringPolicy(MonitoringPolicy.sha256(yaml), source, defaults, models);
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
