package dev.warden.platform.feedback;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.fairness.FairnessDefaults;
import dev.warden.platform.fairness.GroupFairness;
import dev.warden.platform.fairness.GroupFairness.Counts;
import dev.warden.platform.feedback.internal.FeedbackStore;
import dev.warden.platform.feedback.internal.FeedbackStore.WindowCounts;
import dev.warden.platform.model.ModelGrants;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;

/**
 * The live quality of a model over time, from the counts of outcome feedback: per window
 * (of the predictions' time) the whole population's confusion counts, accuracy, error
 * rate and the other rates of a fairness report, and per sensitive attribute the report's
 * per-group rates and gaps, computed by the fairness engine ({@link GroupFairness}) with
 * the fairness checks' decision and suppression rule.
 */
@Service
class LiveQualityReports {

	/** Longest range one answer covers. */
	static final Duration MAX_RANGE = Duration.ofDays(31);

	/** The range when {@code from} is not given: this long before {@code to}. */
	static final Duration DEFAULT_RANGE = Duration.ofHours(24);

	/** The windows an answer may be asked in, in seconds by name. */
	static final Map<String, Long> WINDOWS = Map.of("1h", 3_600L, "1d", 86_400L);

	/** Largest {@code min_group_size} and {@code min_positives}. */
	static final int MAX_RULE = 1_000_000;

	private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private final FeedbackStore store;

	private final ModelGrants grants;

	private final FairnessDefaults fairness;

	private final Clock clock = Clock.systemUTC();

	LiveQualityReports(FeedbackStore store, ModelGrants grants, FairnessDefaults fairness) {
		this.store = store;
		this.grants = grants;
		this.fairness = fairness;
	}

	/**
	 * @throws ApiException 400 {@code invalid_parameter} naming the parameter, 404 when
	 * neither the catalogue nor any feedback knows the model
	 */
	@Transactional(readOnly = true)
	ObjectNode report(String model, String version, UUID tenantId, String fromParameter, String toParameter,
			String windowParameter, String minGroupSizeParameter, String minPositivesParameter) {
		return report(model, version, tenantId, false, fromParameter, toParameter, windowParameter,
				minGroupSizeParameter, minPositivesParameter);
	}

	/**
	 * @param ownOnly whether the caller is the tenant itself: the model must then be
	 * granted to it or have feedback of its own, so that the answer says nothing of other
	 * tenants' models
	 * @throws ApiException 400 {@code invalid_parameter} naming the parameter, 404 when
	 * the model is unknown (to the caller)
	 */
	@Transactional(readOnly = true)
	ObjectNode report(String model, String version, UUID tenantId, boolean ownOnly, String fromParameter,
			String toParameter, String windowParameter, String minGroupSizeParameter, String minPositivesParameter) {
		if (model == null) {
			throw ApiException.badRequest("invalid_parameter", "model: is required");
		}
		if (!MODEL.matcher(model).matches()) {
			throw ApiException.badRequest("invalid_parameter",
					"model: must be a model name (letters, digits, '.', '_', '-'; at most 64 characters)");
		}
		if (version != null && !VERSION.matcher(version).matches()) {
			throw ApiException.badRequest("invalid_parameter", "version: must be a version number (1 to 18 digits)");
		}
		Instant to = instant("to", toParameter, this.clock.instant());
		Instant from = instant("from", fromParameter, to.minus(DEFAULT_RANGE));
		if (!from.isBefore(to)) {
			throw ApiException.badRequest("invalid_parameter", "from: " + from + " is not before to: " + to);
		}
		if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
			throw ApiException.badRequest("invalid_parameter",
					"from/to: the range is longer than " + MAX_RANGE.toDays() + " days; ask for a shorter range");
		}
		String window = (windowParameter != null) ? windowParameter : "1h";
		if (!WINDOWS.containsKey(window)) {
			throw ApiException.badRequest("invalid_parameter", "window: must be 1h or 1d");
		}
		GroupFairness.Rules defaults = this.fairness.rules();
		int minGroupSize = rule("min_group_size", minGroupSizeParameter, defaults.minGroupSize(), 1);
		int minPositives = rule("min_positives", minPositivesParameter, defaults.minPositives(), 0);
		GroupFairness.Rules rules = new GroupFairness.Rules(minGroupSize, minPositives, defaults.confidenceLevel());
		if (ownOnly) {
			if (this.grants.access(model, tenantId) != ModelGrants.Access.GRANTED
					&& !this.store.hasModel(model, tenantId)) {
				throw ApiException.notFound("model " + model);
			}
		}
		else if (this.grants.access(model, null) == ModelGrants.Access.UNKNOWN && !this.store.hasModel(model)) {
			throw ApiException.notFound("model " + model);
		}
		long seconds = WINDOWS.get(window);
		Instant start = Instant.ofEpochSecond(Math.floorDiv(from.getEpochSecond(), seconds) * seconds);
		long toSeconds = to.getEpochSecond() + ((to.getNano() > 0) ? 1 : 0);
		Instant end = Instant.ofEpochSecond(Math.floorDiv(toSeconds + seconds - 1, seconds) * seconds);
		int count = (int) (Duration.between(start, end).toSeconds() / seconds);

		List<Window> windows = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			windows.add(new Window(start.plusSeconds(i * seconds), start.plusSeconds((i + 1) * seconds)));
		}
		Window total = new Window(start, end);
		for (WindowCounts counts : this.store.windows(model, version, tenantId, start, end)) {
			int i = (int) ((counts.windowStart().getEpochSecond() - start.getEpochSecond()) / seconds);
			windows.get(i).add(counts);
			total.add(counts);
		}

		ObjectNode report = NODES.objectNode();
		report.put("model", model);
		report.put("version", version);
		report.put("tenant_id", (tenantId != null) ? tenantId.toString() : null);
		report.put("from", start.toString());
		report.put("to", end.toString());
		report.put("window", window);
		ObjectNode decision = report.putObject("decision");
		decision.put("positive_class", this.fairness.positiveClass());
		decision.put("threshold", this.fairness.threshold());
		decision.put("min_group_size", rules.minGroupSize());
		decision.put("min_positives", rules.minPositives());
		decision.put("confidence_level", rules.confidenceLevel());
		report.set("totals", total.json(rules));
		ArrayNode series = report.putArray("windows");
		for (Window each : windows) {
			series.add(each.json(rules));
		}
		report.set("definitions", GroupFairness.definitions());
		return report;
	}

	private static int rule(String name, String value, int fallback, int min) {
		if (value == null) {
			return fallback;
		}
		try {
			int parsed = Integer.parseInt(value);
			if (parsed >= min && parsed <= MAX_RULE) {
				return parsed;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw ApiException.badRequest("invalid_parameter",
				name + ": must be a whole number from " + min + " to " + MAX_RULE);
	}

	private static Instant instant(String name, String value, Instant fallback) {
		return (value == null) ? fallback : InputRules.instantParameter(name, value);
	}

	/** The counts of one window: overall and by attribute and group. */
	private static final class Window {

		private final Instant start;

		private final Instant end;

		private Counts overall = Counts.EMPTY;

		private final Map<String, Map<String, Counts>> attributes = new TreeMap<>();

		Window(Instant start, Instant end) {
			this.start = start;
			this.end = end;
		}

		void add(WindowCounts counts) {
			if (counts.attribute().isEmpty()) {
				this.overall = this.overall.plus(counts.counts());
			}
			else {
				this.attributes.computeIfAbsent(counts.attribute(), (a) -> new TreeMap<>())
					.merge(counts.group(), counts.counts(), Counts::plus);
			}
		}

		ObjectNode json(GroupFairness.Rules rules) {
			ObjectNode node = NODES.objectNode();
			node.put("start", this.start.toString());
			node.put("end", this.end.toString());
			node.put("n", this.overall.n());
			node.put("sufficient", this.overall.n() >= rules.minGroupSize());
			ArrayNode attributes = NODES.arrayNode();
			if (this.overall.n() == 0) {
				node.putNull("overall");
				node.set("attributes", attributes);
				return node;
			}
			ObjectNode overall = GroupFairness.overall(this.overall, rules.confidenceLevel());
			withErrorRate(overall);
			node.set("overall", overall);
			for (Map.Entry<String, Map<String, Counts>> attribute : this.attributes.entrySet()) {
				ObjectNode entry;
				try {
					entry = GroupFairness.attribute(attribute.getKey(), attribute.getValue(), rules);
					for (JsonNode group : entry.path("groups")) {
						withErrorRate((ObjectNode) group);
					}
				}
				catch (IllegalArgumentException ex) {
					entry = NODES.objectNode();
					entry.put("name", attribute.getKey());
					entry.put("error", ex.getMessage() + "; report fewer, coarser groups");
				}
				attributes.add(entry);
			}
			node.set("attributes", attributes);
			return node;
		}

		/**
		 * Adds {@code error_rate} = (FP + FN) / n = 1 − accuracy to a node's
		 * {@code metrics}, with the complement of accuracy's Wilson interval (the same
		 * interval of the complementary proportion).
		 */
		private static void withErrorRate(ObjectNode node) {
			if (!(node.get("metrics") instanceof ObjectNode metrics)) {
				return;
			}
			JsonNode accuracy = metrics.path("accuracy");
			ObjectNode error = metrics.putObject("error_rate");
			long n = node.path("n").asLong();
			if (accuracy.path("value").isNumber() && n > 0) {
				JsonNode confusion = node.path("confusion");
				error.put("value", (confusion.path("fp").asLong() + confusion.path("fn").asLong()) / (double) n);
				if (accuracy.path("ci_low").isNumber()) {
					error.put("ci_low", 1 - accuracy.path("ci_high").asDouble());
					error.put("ci_high", 1 - accuracy.path("ci_low").asDouble());
				}
			}
			else {
				error.putNull("value");
				error.put("reason", accuracy.path("reason").asString("no rows"));
			}
		}

	}

}
