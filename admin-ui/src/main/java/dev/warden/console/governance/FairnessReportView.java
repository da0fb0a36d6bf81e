package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.warden.console.adminapi.FairnessReport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * What the fairness page shows of a report: the header (model and dataset with their
 * digests, label, threshold, seed, software version, settings, content digest), the
 * overall figures, per attribute and per intersection the groups with their rates and
 * Wilson intervals (drawn as a {@link RateChart} with the four-fifths line), the
 * disparities against the reference group and between groups with their bootstrap
 * intervals, the four-fifths ratios, the suppressed groups with their size and reason,
 * and the definitions with their sign conventions. Reads the content leniently: a part it
 * does not find is left out.
 *
 * @param report the report as sent (header fields)
 * @param header the content's header: model, dataset, label, threshold, software version
 * @param settings the settings of the check (seed, resamples, confidence level, …)
 * @param overall the figures over all rows
 * @param theilIndex the Theil index of the whole population
 * @param attributes the attributes, then the intersections, in the report's order
 * @param definitions the metrics' definitions
 */
record FairnessReportView(FairnessReport report, List<Field> header, List<Field> settings, Overall overall,
		Metric theilIndex, List<Attribute> attributes, List<Definition> definitions) {

	/** The per-group metrics shown in the groups table, in this order. */
	static final List<String> GROUP_METRICS = List.of("base_rate", "selection_rate", "tpr", "fpr", "fnr", "precision",
			"accuracy");

	/** The disparities against the reference, in this order. */
	static final List<String> AGAINST_REFERENCE = List.of("statistical_parity_difference", "disparate_impact_ratio",
			"equal_opportunity_difference", "average_odds_difference", "predictive_parity_difference");

	/** The between-group figures, in this order. */
	static final List<String> BETWEEN_GROUPS = List.of("demographic_parity_difference", "demographic_parity_ratio",
			"equalized_odds_difference", "equalized_odds_ratio");

	static FairnessReportView of(FairnessReport report) {
		JsonNode content = (report.content() != null) ? report.content() : MissingNode.getInstance();
		List<Field> header = new ArrayList<>();
		add(header, "Model",
				join(Values.text(content.path("model")), Values.text(content.path("version")), " version "));
		JsonNode dataset = content.path("dataset");
		add(header, "Dataset", Values.text(dataset.path("name")));
		add(header, "Dataset id", Values.text(Values.first(dataset, "id")));
		add(header, "Rows", Values.text(dataset.path("rows")));
		add(header, "Label", Values.text(content.path("label")));
		add(header, "Positive label", Values.text(content.path("positive_label")));
		add(header, "Positive class", Values.text(content.path("positive_class")));
		add(header, "Threshold", Values.text(content.path("threshold")));
		add(header, "Software version", Values.text(content.path("software_version")));
		List<Field> settings = new ArrayList<>();
		for (Map.Entry<String, JsonNode> setting : content.path("settings").properties()) {
			add(settings, setting.getKey(), Values.text(setting.getValue()));
		}
		List<Attribute> attributes = new ArrayList<>();
		for (JsonNode attribute : Values.list(content.path("attributes"))) {
			attributes.add(Attribute.of(attribute));
		}
		List<Definition> definitions = new ArrayList<>();
		for (JsonNode definition : Values.list(content.path("definitions"))) {
			definitions.add(new Definition(Values.text(definition.path("metric")),
					Values.text(definition.path("formula")), Values.text(definition.path("sign")),
					Values.text(definition.path("convention_of")), Values.text(definition.path("reference")),
					Values.text(definition.path("interval")), Values.text(definition.path("note"))));
		}
		return new FairnessReportView(report, header, settings, Overall.of(content.path("overall")),
				Metric.of(content.path("theil_index")), attributes, definitions);
	}

	/** The model files' digest: the content's, else the report row's. */
	public String modelSha256() {
		String content = (this.report.content() != null) ? Values.text(this.report.content().path("model_sha256"))
				: null;
		return (content != null) ? content : this.report.modelSha256();
	}

	/** The dataset's digest: the content's, else the report row's. */
	public String datasetSha256() {
		String content = (this.report.content() != null)
				? Values.text(this.report.content().path("dataset").path("sha256")) : null;
		return (content != null) ? content : this.report.datasetSha256();
	}

	/** The seed: the settings', else the report row's. */
	public String seed() {
		String content = (this.report.content() != null)
				? Values.text(this.report.content().path("settings").path("seed")) : null;
		return (content != null) ? content : this.report.seed();
	}

	/** Whether any attribute has a group below four fifths of the highest rate. */
	public boolean anyBelowFourFifths() {
		return this.attributes.stream().anyMatch((attribute) -> !attribute.belowFourFifths().isEmpty());
	}

	private static void add(List<Field> fields, String name, String value) {
		if (value != null) {
			fields.add(new Field(name, value));
		}
	}

	private static String join(String a, String b, String between) {
		if (a == null) {
			return b;
		}
		return (b == null) ? a : a + between + b;
	}

	/** A metric's name for people: {@code selection_rate} reads "selection rate". */
	static String readable(String metric) {
		return switch (metric) {
			case "tpr" -> "TPR";
			case "fpr" -> "FPR";
			case "fnr" -> "FNR";
			default -> metric.replace('_', ' ');
		};
	}

	/**
	 * A named value shown as text.
	 *
	 * @param name the name
	 * @param value the value as text
	 */
	record Field(String name, String value) {
	}

	/**
	 * A metric with its name.
	 *
	 * @param name the metric's key in the report
	 * @param metric its value and interval
	 */
	record NamedMetric(String name, Metric metric) {

		public String label() {
			return readable(this.name);
		}

	}

	/**
	 * The figures over all rows.
	 *
	 * @param n rows
	 * @param positives actual positives
	 * @param predictedPositives predicted positives
	 * @param confusion tp, fp, tn, fn
	 * @param metrics the overall rates with their intervals
	 */
	record Overall(String n, String positives, String predictedPositives, List<Field> confusion,
			List<NamedMetric> metrics) {

		static Overall of(JsonNode overall) {
			List<Field> confusion = new ArrayList<>();
			for (Map.Entry<String, JsonNode> cell : overall.path("confusion").properties()) {
				confusion.add(new Field(cell.getKey(), Values.text(cell.getValue())));
			}
			List<NamedMetric> metrics = new ArrayList<>();
			for (Map.Entry<String, JsonNode> metric : overall.path("metrics").properties()) {
				metrics.add(new NamedMetric(metric.getKey(), Metric.of(metric.getValue())));
			}
			return new Overall(Values.text(overall.path("n")), Values.text(overall.path("positives")),
					Values.text(overall.path("predicted_positives")), confusion, metrics);
		}

		public boolean present() {
			return this.n != null || !this.metrics.isEmpty();
		}

	}

	/**
	 * One attribute or intersection of attributes.
	 *
	 * @param name its name ({@code sex}, or {@code sex × race} for an intersection)
	 * @param columns the dataset columns it is made of
	 * @param reference the reference group
	 * @param referenceSource {@code declared} or {@code largest_group}
	 * @param groups its groups, suppressed ones included (flagged)
	 * @param chart the rate chart of its groups
	 * @param againstReference per group, the disparities against the reference
	 * @param betweenGroups the figures over the groups that are not suppressed
	 * @param fourFifths per group, its selection rate over the highest
	 * @param suppressed the groups left out of every disparity, with their size and
	 * reason
	 */
	record Attribute(String name, List<String> columns, String reference, String referenceSource, List<Group> groups,
			RateChart chart, List<Disparity> againstReference, List<NamedMetric> betweenGroups,
			List<FourFifths> fourFifths, List<Suppressed> suppressed) {

		static Attribute of(JsonNode attribute) {
			List<String> columns = new ArrayList<>();
			Values.list(attribute.path("columns")).forEach((column) -> columns.add(Values.text(column)));
			List<Group> groups = new ArrayList<>();
			for (JsonNode group : Values.list(attribute.path("groups"))) {
				groups.add(Group.of(group));
			}
			List<Disparity> against = new ArrayList<>();
			for (JsonNode row : Values.list(attribute.path("against_reference"))) {
				List<NamedMetric> metrics = new ArrayList<>();
				for (String metric : AGAINST_REFERENCE) {
					metrics.add(new NamedMetric(metric, Metric.of(row.path(metric))));
				}
				against.add(new Disparity(Values.text(row.path("group")), metrics));
			}
			List<NamedMetric> between = new ArrayList<>();
			JsonNode betweenGroups = attribute.path("between_groups");
			for (String metric : BETWEEN_GROUPS) {
				if (betweenGroups.has(metric)) {
					between.add(new NamedMetric(metric, Metric.of(betweenGroups.path(metric))));
				}
			}
			List<FourFifths> fourFifths = new ArrayList<>();
			String highestGroup = null;
			for (JsonNode row : Values.list(attribute.path("four_fifths"))) {
				FourFifths entry = new FourFifths(Values.text(row.path("group")), Metric.of(row.path("ratio")),
						Values.text(row.path("highest_rate_group")), row.path("below_four_fifths").asBoolean(false));
				fourFifths.add(entry);
				if (highestGroup == null) {
					highestGroup = entry.highestRateGroup();
				}
			}
			List<Suppressed> suppressed = new ArrayList<>();
			for (JsonNode row : Values.list(attribute.path("suppressed"))) {
				suppressed.add(new Suppressed(Values.text(row.path("group")), Values.text(row.path("n")),
						Values.text(row.path("positives")),
						Values.text(Values.first(row, "reason", "suppressed_reason"))));
			}
			if (suppressed.isEmpty()) {
				// a report that flags suppressed groups only on the groups
				for (Group group : groups) {
					if (group.suppressed()) {
						suppressed.add(new Suppressed(group.name(), group.n(), group.positives(), group.reason()));
					}
				}
			}
			double highestRate = Double.NaN;
			for (Group group : groups) {
				if (group.name() != null && group.name().equals(highestGroup) && group.selectionRate().defined()) {
					highestRate = group.selectionRate().value();
				}
			}
			return new Attribute(Values.text(attribute.path("name")), columns, Values.text(attribute.path("reference")),
					Values.text(attribute.path("reference_source")), groups,
					RateChart.of(groups, highestRate, Double.isFinite(highestRate) ? highestGroup : null), against,
					between, fourFifths, suppressed);
		}

		/** Whether this is an intersection of several attributes. */
		public boolean intersection() {
			return this.columns.size() > 1;
		}

		/** Whether the reference is the largest group rather than a declared one. */
		public boolean largestGroupReference() {
			return "largest_group".equals(this.referenceSource);
		}

		/** The groups whose four-fifths ratio is below 0.8. */
		public List<String> belowFourFifths() {
			return this.fourFifths.stream().filter(FourFifths::below).map(FourFifths::group).toList();
		}

		/** The rate columns of the groups table. */
		public List<String> groupHeadings() {
			return GROUP_METRICS.stream().map(FairnessReportView::readable).toList();
		}

		/** The column headings of the against-reference table. */
		public List<String> againstReferenceHeadings() {
			return AGAINST_REFERENCE.stream().map(FairnessReportView::readable).toList();
		}

	}

	/**
	 * One group of an attribute.
	 *
	 * @param name the group ({@code Female}, {@code 25 to <60}, {@code Female × White})
	 * @param n rows
	 * @param positives actual positives
	 * @param predictedPositives predicted positives
	 * @param suppressed whether it is left out of the disparities
	 * @param reason why it is suppressed, or null
	 * @param metrics its rates with Wilson intervals, in {@link #GROUP_METRICS} order
	 */
	record Group(String name, String n, String positives, String predictedPositives, boolean suppressed, String reason,
			List<NamedMetric> metrics) {

		static Group of(JsonNode group) {
			List<NamedMetric> metrics = new ArrayList<>();
			for (String metric : GROUP_METRICS) {
				metrics.add(new NamedMetric(metric, Metric.of(group.path("metrics").path(metric))));
			}
			return new Group(Values.text(group.path("group")), Values.text(group.path("n")),
					Values.text(group.path("positives")), Values.text(group.path("predicted_positives")),
					group.path("suppressed").asBoolean(false),
					Values.text(Values.first(group, "suppressed_reason", "reason")), metrics);
		}

		Metric metric(String name) {
			return this.metrics.stream()
				.filter((metric) -> metric.name().equals(name))
				.map(NamedMetric::metric)
				.findFirst()
				.orElse(Metric.ABSENT);
		}

		public Metric selectionRate() {
			return metric("selection_rate");
		}

		public Metric tpr() {
			return metric("tpr");
		}

	}

	/**
	 * A group's disparities against the reference.
	 *
	 * @param group the group
	 * @param metrics in {@link #AGAINST_REFERENCE} order
	 */
	record Disparity(String group, List<NamedMetric> metrics) {
	}

	/**
	 * A group's selection rate over the highest group's.
	 *
	 * @param group the group
	 * @param ratio the ratio with its interval
	 * @param highestRateGroup the group with the highest selection rate
	 * @param below whether the ratio is below 0.8
	 */
	record FourFifths(String group, Metric ratio, String highestRateGroup, boolean below) {
	}

	/**
	 * A group left out of the disparities.
	 *
	 * @param group the group
	 * @param n its rows
	 * @param positives its actual positives
	 * @param reason why, e.g. {@code n = 12 < 30}
	 */
	record Suppressed(String group, String n, String positives, String reason) {
	}

	/**
	 * A metric's definition as the report states it.
	 *
	 * @param metric the metric
	 * @param formula its formula
	 * @param sign how to read its sign
	 * @param conventionOf whose convention it follows (AIF360, Fairlearn, 29 CFR
	 * 1607.4(D))
	 * @param reference what it is compared with (the reference group, the highest-rate
	 * group, all groups), or null
	 * @param interval how its interval is computed, or null
	 * @param note anything else the report says about it
	 */
	record Definition(String metric, String formula, String sign, String conventionOf, String reference,
			String interval, String note) {
	}

}
