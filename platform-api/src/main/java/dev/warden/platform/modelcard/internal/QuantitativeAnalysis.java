package dev.warden.platform.modelcard.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A card's {@code quantitative_analysis}, computed whenever the card is read from the
 * version's latest fairness report and latest explainability report (never stored with
 * the card, so it always shows the newest evidence):
 * <ul>
 * <li>from the fairness report: the overall accuracy, precision, true and false positive
 * rates and selection rate with their intervals (no slice); each group's selection rate
 * and true positive rate (slice {@code sex=Female}; an intersection
 * {@code sex=Female × race=Black}); per attribute the demographic parity and equalized
 * odds differences; and every four-fifths ratio the report flags (below 0.8), marked
 * {@code flagged};</li>
 * <li>from the explainability report: the {@value #TOP_FEATURES} features with the
 * largest mean |attribution|, with their bootstrap intervals.</li>
 * </ul>
 * Every metric names its source: the report's kind and id and the JSON pointer of the
 * number in the report's content. A metric the report leaves undefined (a {@code null}
 * value with a reason) is listed under {@code undefined_metrics}, never as a number;
 * groups the report suppressed (too few rows or positives) under
 * {@code suppressed_groups}. Thread-safe: stateless.
 */
public final class QuantitativeAnalysis {

	/** How many features of the explainability report become metrics. */
	public static final int TOP_FEATURES = 5;

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	/** The overall metrics taken from a fairness report: its key, the card's type. */
	private static final List<String[]> OVERALL = List.of(new String[] { "accuracy", "accuracy" },
			new String[] { "precision", "precision" }, new String[] { "tpr", "true_positive_rate" },
			new String[] { "fpr", "false_positive_rate" }, new String[] { "selection_rate", "selection_rate" });

	/** The per-group metrics taken from a fairness report. */
	private static final List<String[]> PER_GROUP = List.of(new String[] { "selection_rate", "selection_rate" },
			new String[] { "tpr", "true_positive_rate" });

	/**
	 * The disparities between all groups of an attribute taken from a fairness report.
	 */
	private static final List<String> BETWEEN = List.of("demographic_parity_difference", "equalized_odds_difference");

	private QuantitativeAnalysis() {
	}

	/**
	 * The section.
	 * @param fairness the latest fairness report, or {@code null}
	 * @param explanation the latest explainability report, or {@code null}
	 */
	public static ObjectNode of(SourceReport fairness, SourceReport explanation) {
		ObjectNode section = NODES.objectNode();
		ArrayNode metrics = section.putArray("performance_metrics");
		ArrayNode undefined = NODES.arrayNode();
		ArrayNode suppressed = NODES.arrayNode();
		if (fairness != null) {
			fairnessMetrics(fairness, metrics, undefined, suppressed);
		}
		if (explanation != null) {
			explanationMetrics(explanation, metrics);
		}
		ObjectNode graphics = section.putObject("graphics");
		graphics.put("description", "The card embeds no images. The charts are in the PDFs of the reports named in "
				+ "sources (per-group rates with their intervals; global importance and partial dependence).");
		graphics.putArray("collection");
		section.set("undefined_metrics", undefined);
		section.set("suppressed_groups", suppressed);
		ObjectNode sources = section.putObject("sources");
		sources.set("fairness_report", (fairness != null) ? fairness.describe() : NODES.nullNode());
		sources.set("explainability_report", (explanation != null) ? explanation.describe() : NODES.nullNode());
		if (fairness == null) {
			section.put("note", "no fairness report yet: run a fairness check of this version to fill in the "
					+ "performance and per-group metrics");
		}
		return section;
	}

	private static void fairnessMetrics(SourceReport report, ArrayNode metrics, ArrayNode undefined,
			ArrayNode suppressed) {
		JsonNode content = report.content();
		for (String[] metric : OVERALL) {
			add(metrics, undefined, report, metric[1], null, content.path("overall").path("metrics").path(metric[0]),
					"/overall/metrics/" + metric[0]);
		}
		JsonNode attributes = content.path("attributes");
		for (int a = 0; a < attributes.size(); a++) {
			JsonNode attribute = attributes.get(a);
			String pointer = "/attributes/" + a;
			JsonNode groups = attribute.path("groups");
			for (int g = 0; g < groups.size(); g++) {
				JsonNode group = groups.get(g);
				if (group.path("suppressed").asBoolean(false)) {
					continue;
				}
				String slice = slice(attribute, group.path("group").asString(""));
				for (String[] metric : PER_GROUP) {
					add(metrics, undefined, report, metric[1], slice, group.path("metrics").path(metric[0]),
							pointer + "/groups/" + g + "/metrics/" + metric[0]);
				}
			}
			for (String between : BETWEEN) {
				add(metrics, undefined, report, between, attribute.path("name").asString("") + " (all groups)",
						attribute.path("between_groups").path(between), pointer + "/between_groups/" + between);
			}
			JsonNode fourFifths = attribute.path("four_fifths");
			for (int i = 0; i < fourFifths.size(); i++) {
				JsonNode entry = fourFifths.get(i);
				if (!entry.path("below_four_fifths").asBoolean(false)) {
					continue;
				}
				ObjectNode metric = add(metrics, undefined, report, "four_fifths_ratio",
						slice(attribute, entry.path("group").asString("")), entry.path("ratio"),
						pointer + "/four_fifths/" + i + "/ratio");
				if (metric != null) {
					metric.put("flagged", true);
					metric.put("flag", "below 0.8: the group's selection rate is less than four fifths of that of "
							+ slice(attribute, entry.path("highest_rate_group").asString("?")));
				}
			}
			JsonNode hidden = attribute.path("suppressed");
			for (int i = 0; i < hidden.size(); i++) {
				JsonNode entry = hidden.get(i);
				ObjectNode item = suppressed.addObject();
				item.put("slice", slice(attribute, entry.path("group").asString("")));
				item.set("n", entry.path("n").isNumber() ? entry.get("n") : NODES.nullNode());
				item.put("reason", entry.path("reason").asString(""));
				item.set("source", source(report, pointer + "/suppressed/" + i));
			}
		}
	}

	private static void explanationMetrics(SourceReport report, ArrayNode metrics) {
		JsonNode features = report.content().path("features");
		for (int i = 0; i < Math.min(TOP_FEATURES, features.size()); i++) {
			JsonNode feature = features.get(i);
			JsonNode value = feature.path("mean_abs_attribution");
			if (!value.isNumber()) {
				continue;
			}
			ObjectNode metric = metrics.addObject();
			metric.put("type", "mean_abs_attribution");
			metric.put("feature", feature.path("name").asString(""));
			metric.put("value", value.doubleValue());
			JsonNode interval = feature.path("interval");
			if (interval.path(0).isNumber() && interval.path(1).isNumber()) {
				ObjectNode ci = metric.putObject("confidence_interval");
				ci.put("lower_bound", interval.get(0).doubleValue());
				ci.put("upper_bound", interval.get(1).doubleValue());
			}
			metric.set("source", source(report, "/features/" + i + "/mean_abs_attribution"));
		}
	}

	/**
	 * Adds a metric object of the fairness contract ({@code {"value", "ci_low",
	 * "ci_high"}} or {@code {"value": null, "reason"}}) as a performance metric, or as an
	 * undefined one; answers the metric, or {@code null} when it was undefined or absent.
	 */
	private static ObjectNode add(ArrayNode metrics, ArrayNode undefined, SourceReport report, String type,
			String slice, JsonNode value, String pointer) {
		if (value.isMissingNode()) {
			return null;
		}
		JsonNode number = value.isNumber() ? value : value.path("value");
		if (!number.isNumber() || !Double.isFinite(number.doubleValue())) {
			ObjectNode item = undefined.addObject();
			item.put("type", type);
			item.put("slice", slice);
			item.put("reason", value.path("reason").asString("the report gives no value"));
			item.set("source", source(report, pointer));
			return null;
		}
		ObjectNode metric = metrics.addObject();
		metric.put("type", type);
		metric.put("value", number.doubleValue());
		if (slice != null) {
			metric.put("slice", slice);
		}
		if (value.path("ci_low").isNumber() && value.path("ci_high").isNumber()) {
			ObjectNode ci = metric.putObject("confidence_interval");
			ci.put("lower_bound", value.get("ci_low").doubleValue());
			ci.put("upper_bound", value.get("ci_high").doubleValue());
		}
		metric.set("source", source(report, pointer));
		return metric;
	}

	/**
	 * The slice of a group: {@code column=value}; for an intersection (group labels
	 * joined with {@code " × "}) each column with its value, joined the same way.
	 */
	static String slice(JsonNode attribute, String group) {
		JsonNode columns = attribute.path("columns");
		String[] parts = group.split(" × ", -1);
		if (columns.size() > 0 && parts.length == columns.size()) {
			StringBuilder slice = new StringBuilder();
			for (int i = 0; i < parts.length; i++) {
				slice.append((i > 0) ? " × " : "").append(columns.get(i).asString("?")).append('=').append(parts[i]);
			}
			return slice.toString();
		}
		return attribute.path("name").asString("?") + "=" + group;
	}

	private static ObjectNode source(SourceReport report, String pointer) {
		ObjectNode source = NODES.objectNode();
		source.put("report", report.kind());
		source.put("id", report.id().toString());
		source.put("path", pointer);
		return source;
	}

	/**
	 * A report a card's numbers come from.
	 *
	 * @param kind {@code fairness} or {@code explainability}
	 * @param id the report's id
	 * @param createdAt when it was written
	 * @param contentSha256 its digest
	 * @param details what else the card says about it (method, dataset, threshold)
	 * @param content the report's content
	 */
	public record SourceReport(String kind, UUID id, Instant createdAt, String contentSha256, ObjectNode details,
			JsonNode content) {

		ObjectNode describe() {
			ObjectNode described = NODES.objectNode();
			described.put("id", this.id.toString());
			described.put("created_at", this.createdAt.toString());
			described.put("content_sha256", this.contentSha256);
			if (this.details != null) {
				described.setAll(this.details);
			}
			return described;
		}

	}

}
