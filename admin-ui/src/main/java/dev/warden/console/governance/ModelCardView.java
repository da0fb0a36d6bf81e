package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * What the model card page shows of a composed card (or of one stored revision's
 * sections): the Model Card Toolkit's sections with their known fields laid out and any
 * other field shown as it came, the quantitative analysis with intervals and each
 * metric's source report, the completeness with the missing fields named, the governance
 * section with every contributor's overrides set apart, and the revision the card is at.
 *
 * @param revision the revision the card is at (the one an edit is based on), or null
 * @param revisionBy who wrote that revision, or null
 * @param revisionAt when, or null
 * @param revisionComment why, or null
 * @param details the model details
 * @param parameters the model parameters
 * @param metrics the quantitative analysis' performance metrics
 * @param quantitativeOther the rest of the quantitative analysis (graphics, sources, …)
 * @param considerations the considerations
 * @param provenance where the version comes from (upload, uploader, digests of its
 * files), as the platform records it
 * @param governance one entry per contributor section, in the card's order
 * @param overrides how many overrides the card records (its {@code overrides} list, else
 * those of the governance sections)
 * @param completeness whether the card is complete and what is missing, or null when the
 * card does not say (a stored revision)
 */
record ModelCardView(String revision, String revisionBy, String revisionAt, String revisionComment, Section details,
		Section parameters, List<PerformanceMetric> metrics, JsonTable quantitativeOther, Section considerations,
		JsonTable provenance, List<GovernanceSection> governance, int overrides, Completeness completeness) {

	static ModelCardView of(JsonNode card) {
		JsonNode revision = card.path("revision");
		String number = revision.isObject() ? Values.text(Values.first(revision, "revision", "number"))
				: Values.text(revision);
		JsonNode about = revision.isObject() ? revision : card;
		JsonNode details = card.path("model_details");
		Section detailsSection = new Section(
				List.of(text("Name", details.path("name")), text("Overview", details.path("overview")),
						text("Documentation", details.path("documentation")),
						text("Version", details.path("version").path("name")),
						text("Date", details.path("version").path("date")),
						text("Changes from the previous version", details.path("version").path("diff"))),
				List.of(entries("Owners", details.path("owners"), "name", "contact"),
						entries("Licences", details.path("licenses"), "identifier", "custom_text"),
						entries("References", details.path("references"), "reference"),
						entries("Citations", details.path("citations"), "style", "citation")),
				JsonTable.of(details, Set.of("name", "overview", "documentation", "version", "owners", "licenses",
						"references", "citations")));
		JsonNode parameters = card.path("model_parameters");
		List<List<String>> data = new ArrayList<>();
		for (JsonNode entry : Values.list(parameters.path("data"))) {
			List<String> attributes = new ArrayList<>();
			Values.list(entry.path("sensitive").path("sensitive_attributes"))
				.forEach((attribute) -> attributes.add(Values.text(attribute)));
			data.add(cells(Values.text(entry.path("name")), Values.text(entry.path("link")),
					attributes.isEmpty() ? null : String.join(", ", attributes),
					Values.text(entry.path("description"))));
		}
		Section parametersSection = new Section(
				List.of(text("Architecture", parameters.path("model_architecture")),
						text("Input format", parameters.path("input_format")),
						text("Output format", parameters.path("output_format"))),
				List.of(new Entries("Data", List.of("name", "link", "sensitive attributes", "description"), data)),
				JsonTable.of(parameters, Set.of("model_architecture", "input_format", "output_format", "data")));
		JsonNode considerations = card.path("considerations");
		Section considerationsSection = new Section(List.of(),
				List.of(entries("Intended users", considerations.path("users"), "description"),
						entries("Use cases", considerations.path("use_cases"), "description"),
						entries("Limitations", considerations.path("limitations"), "description"),
						entries("Trade-offs", considerations.path("tradeoffs"), "description"),
						entries("Ethical considerations", considerations.path("ethical_considerations"), "name",
								"mitigation_strategy")),
				JsonTable.of(considerations,
						Set.of("users", "use_cases", "limitations", "tradeoffs", "ethical_considerations")));
		JsonNode quantitative = card.path("quantitative_analysis");
		List<PerformanceMetric> metrics = new ArrayList<>();
		for (JsonNode metric : Values.list(quantitative.path("performance_metrics"))) {
			metrics.add(PerformanceMetric.of(metric));
		}
		List<GovernanceSection> governance = new ArrayList<>();
		for (Map.Entry<String, JsonNode> section : card.path("governance").properties()) {
			governance.add(GovernanceSection.of(section.getKey(), section.getValue()));
		}
		JsonNode completeness = card.path("completeness");
		int overrides = card.path("overrides").isArray() ? card.path("overrides").size()
				: governance.stream().mapToInt((section) -> section.overrides().size()).sum();
		return new ModelCardView(number, Values.text(Values.first(about, "created_by", "revision_created_by")),
				Values.text(Values.first(about, "created_at", "revision_created_at")),
				Values.text(Values.first(about, "comment", "revision_comment")), detailsSection, parametersSection,
				metrics, JsonTable.of(quantitative, Set.of("performance_metrics")), considerationsSection,
				JsonTable.of(card.path("provenance"), Set.of()), governance, overrides,
				completeness.isObject() ? Completeness.of(completeness) : null);
	}

	private static Field text(String label, JsonNode value) {
		return new Field(label, Values.blank(value) ? null : Values.text(value));
	}

	private static Entries entries(String label, JsonNode array, String... fields) {
		List<List<String>> rows = new ArrayList<>();
		for (JsonNode entry : Values.list(array)) {
			if (entry.isObject()) {
				List<String> cells = new ArrayList<>();
				for (String field : fields) {
					cells.add(Values.text(entry.path(field)));
				}
				rows.add(cells);
			}
			else {
				rows.add(cells(Values.text(entry)));
			}
		}
		return new Entries(label, List.of(fields).stream().map((field) -> field.replace('_', ' ')).toList(), rows);
	}

	private static List<String> cells(String... values) {
		List<String> cells = new ArrayList<>();
		for (String value : values) {
			cells.add(value);
		}
		return cells;
	}

	/**
	 * A section of the card.
	 *
	 * @param texts its text fields (a null value is shown as not given)
	 * @param lists its repeated fields
	 * @param other its fields the console has no layout for
	 */
	record Section(List<Field> texts, List<Entries> lists, JsonTable other) {
	}

	/**
	 * A text field.
	 *
	 * @param label what it is
	 * @param value its text, or null when not given
	 */
	record Field(String label, String value) {
	}

	/**
	 * A repeated field: one row per entry.
	 *
	 * @param label what it is
	 * @param columns the entries' fields
	 * @param rows the entries, a cell per column
	 */
	record Entries(String label, List<String> columns, List<List<String>> rows) {

		/** Whether each entry is one text (shown as a list rather than a table). */
		public boolean single() {
			return this.columns.size() == 1;
		}

	}

	/**
	 * A metric of the quantitative analysis.
	 *
	 * @param type what is measured ({@code accuracy}, {@code selection_rate}, …)
	 * @param slice the group it is measured on ({@code sex=Female}), or null for all rows
	 * @param value the value as text
	 * @param interval the confidence interval as text, or null
	 * @param sourceKind where it comes from ({@code fairness}, {@code explainability}),
	 * or null
	 * @param sourceReport the id of the report it comes from, or null
	 * @param sourcePath where in the report's content the number is (a JSON pointer), or
	 * null
	 * @param flag what the card flags about it (e.g. a four-fifths ratio below 0.8), or
	 * null when it is not flagged
	 */
	record PerformanceMetric(String type, String slice, String value, String interval, String sourceKind,
			String sourceReport, String sourcePath, String flag) {

		static PerformanceMetric of(JsonNode metric) {
			JsonNode interval = metric.path("confidence_interval");
			String low = Values.text(interval.path("lower_bound"));
			String high = Values.text(interval.path("upper_bound"));
			JsonNode source = Values.first(metric, "source", "source_report");
			String kind = null;
			String report = null;
			if (source.isObject()) {
				kind = Values.text(Values.first(source, "report", "kind", "type"));
				report = Values.text(Values.first(source, "id", "report_id"));
			}
			else if (!source.isMissingNode()) {
				report = Values.text(source);
			}
			if (report == null) {
				report = Values.text(Values.first(metric, "source_report_id", "report_id"));
			}
			if (kind == null) {
				kind = Values.text(Values.first(metric, "source_kind", "source_type"));
			}
			String slice = Values.text(metric.path("slice"));
			if (slice == null && metric.hasNonNull("feature")) {
				slice = "feature=" + Values.text(metric.path("feature"));
			}
			String flag = null;
			if (metric.path("flagged").asBoolean(false)) {
				flag = metric.hasNonNull("flag") ? Values.text(metric.path("flag")) : "flagged";
			}
			String shownInterval = (low != null && high != null)
					? "[" + number(interval.path("lower_bound")) + ", " + number(interval.path("upper_bound")) + "]"
					: null;
			return new PerformanceMetric(Values.text(metric.path("type")), slice, number(metric.path("value")),
					shownInterval, kind, report, source.isObject() ? Values.text(source.path("path")) : null, flag);
		}

		private static String number(JsonNode value) {
			double number = Values.number(value);
			return Double.isFinite(number) ? Values.format(number) : Values.text(value);
		}

		/** Whether the source is a fairness report. */
		public boolean fromFairness() {
			return this.sourceKind != null && this.sourceKind.toLowerCase(java.util.Locale.ROOT).contains("fairness");
		}

		/** Whether the source is an explainability report. */
		public boolean fromExplainability() {
			return this.sourceKind != null && this.sourceKind.toLowerCase(java.util.Locale.ROOT).contains("explain");
		}

	}

	/**
	 * What one contributor says about the version (for example the promotion history).
	 *
	 * @param name the section's key
	 * @param overrides its overrides: every one is shown set apart, whatever the
	 * contributor calls its fields
	 * @param rest everything else it says
	 */
	record GovernanceSection(String name, List<List<JsonTable.Pair>> overrides, JsonTable rest) {

		static GovernanceSection of(String name, JsonNode section) {
			List<List<JsonTable.Pair>> overrides = new ArrayList<>();
			for (JsonNode override : Values.list(section.path("overrides"))) {
				List<JsonTable.Pair> fields = new ArrayList<>();
				if (override.isObject()) {
					for (Map.Entry<String, JsonNode> field : override.properties()) {
						if (!Values.blank(field.getValue())) {
							fields.add(new JsonTable.Pair(field.getKey().replace('_', ' '),
									Values.text(field.getValue())));
						}
					}
				}
				else {
					fields.add(new JsonTable.Pair("override", Values.text(override)));
				}
				overrides.add(fields);
			}
			JsonTable rest = section.isObject() ? JsonTable.of(section, Set.of("overrides"))
					: new JsonTable(List.of(new JsonTable.Pair(name, Values.text(section))), List.of());
			return new GovernanceSection(name.replace('_', ' '), overrides, rest);
		}

	}

	/**
	 * How complete the card is.
	 *
	 * @param complete whether every required field is filled
	 * @param missing the missing fields (paths such as
	 * {@code considerations.limitations}, each with a reason when the card gives one)
	 */
	record Completeness(boolean complete, List<Field> missing) {

		static Completeness of(JsonNode completeness) {
			List<Field> missing = new ArrayList<>();
			for (JsonNode entry : Values.list(completeness.path("missing"))) {
				if (entry.isObject()) {
					missing.add(new Field(Values.text(Values.first(entry, "path", "field", "section")),
							Values.text(Values.first(entry, "reason", "message"))));
				}
				else {
					missing.add(new Field(Values.text(entry), null));
				}
			}
			JsonNode complete = completeness.path("complete");
			return new Completeness(complete.isBoolean() ? complete.asBoolean() : missing.isEmpty(), missing);
		}

	}

}
