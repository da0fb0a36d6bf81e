package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.console.adminapi.ExplainabilityReport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * What the page shows of a report: its identity and digests, the features in the report's
 * order (most important first) with the importance chart, the partial-dependence plots,
 * the quality figures, the top tokens per class for text models, the baseline and the
 * target. Reads the content leniently: a part it does not find is left out, a value of an
 * unexpected type is shown as text.
 *
 * @param report the report as sent
 * @param features the features, most important first
 * @param importance the importance chart, or null without features
 * @param partialDependence one plot per feature with partial dependence
 * @param quality the quality figures
 * @param tokens the top tokens per class (text models), in the report's class order
 * @param baseline the baseline's fields (without its digest)
 * @param baselineSha256 the baseline's digest, or null
 * @param target the target's fields
 */
record ReportView(ExplainabilityReport report, List<Feature> features, ImportanceChart importance,
		List<LinePlot> partialDependence, Quality quality, List<TokenClass> tokens, List<Field> baseline,
		String baselineSha256, List<Field> target) {

	/** At most this many partial-dependence plots, the report's first. */
	static final int MAX_PLOTS = 6;

	static ReportView of(ExplainabilityReport report) {
		JsonNode content = (report.content() != null) ? report.content() : MissingNode.getInstance();
		List<Feature> features = features(content.path("features"));
		List<LinePlot> plots = new ArrayList<>();
		for (JsonNode pd : content.path("partial_dependence").values()) {
			if (plots.size() == MAX_PLOTS) {
				break;
			}
			LinePlot plot = LinePlot.of(String.valueOf(Figures.text(pd.path("feature"))),
					new ArrayList<>(pd.path("grid").values()), new ArrayList<>(pd.path("values").values()));
			if (plot != null) {
				plots.add(plot);
			}
		}
		JsonNode baseline = content.path("baseline");
		JsonNode target = content.path("target");
		List<Field> targetFields = target.isObject() ? fields(target, Set.of())
				: (target.isMissingNode() || target.isNull()) ? List.of()
						: List.of(new Field("target", Figures.exact(target)));
		return new ReportView(report, features, ImportanceChart.of(features), plots,
				Quality.of(content.path("quality")), tokens(content.path("tokens")),
				fields(baselineRow(baseline), Set.of("sha256")), Figures.text(baseline.path("sha256")), targetFields);
	}

	private static List<Feature> features(JsonNode features) {
		List<Feature> result = new ArrayList<>();
		for (JsonNode feature : features.values()) {
			JsonNode interval = feature.path("interval");
			double low = Double.NaN;
			double high = Double.NaN;
			if (interval.isArray() && interval.size() == 2) {
				low = Figures.number(interval.get(0));
				high = Figures.number(interval.get(1));
			}
			List<Field> perClass = new ArrayList<>();
			for (Map.Entry<String, JsonNode> entry : feature.path("per_class").properties()) {
				// a figure, or an object with the class's mean |attribution|
				JsonNode value = entry.getValue().isObject() ? entry.getValue().path("mean_abs_attribution")
						: entry.getValue();
				perClass.add(new Field(entry.getKey(), Figures.text(value)));
			}
			JsonNode confidence = feature.has("confidence") ? feature.path("confidence")
					: feature.path("confidence_level");
			result.add(new Feature(String.valueOf(Figures.text(feature.path("name"))),
					Figures.number(feature.path("mean_abs_attribution")), low, high, Figures.text(confidence), perClass,
					HistogramChart.of(feature.path("histogram"))));
		}
		return result;
	}

	private static List<TokenClass> tokens(JsonNode tokens) {
		List<TokenClass> result = new ArrayList<>();
		if (!tokens.isObject()) {
			return result;
		}
		for (Map.Entry<String, JsonNode> entry : tokens.properties()) {
			List<TokenRow> rows = new ArrayList<>();
			for (JsonNode token : entry.getValue().values()) {
				rows.add(new TokenRow(String.valueOf(Figures.text(token.path("token"))),
						Figures.format(Figures.number(token.path("mean_attribution"))),
						Figures.text(token.path("count"))));
			}
			result.add(new TokenClass(entry.getKey(), rows));
		}
		return result;
	}

	/**
	 * The baseline's column values: the object itself, or its {@code values},
	 * {@code value} or {@code row} when that is an object.
	 */
	static JsonNode baselineRow(JsonNode baseline) {
		if (baseline == null) {
			return null;
		}
		for (String name : List.of("values", "value", "row")) {
			if (baseline.path(name).isObject()) {
				return baseline.path(name);
			}
		}
		return baseline;
	}

	/**
	 * An object's fields as name and text (numbers exactly as sent), leaving out the
	 * given names.
	 */
	static List<Field> fields(JsonNode object, Set<String> leaveOut) {
		List<Field> result = new ArrayList<>();
		if (object == null || !object.isObject()) {
			return result;
		}
		for (Map.Entry<String, JsonNode> entry : object.properties()) {
			if (!leaveOut.contains(entry.getKey())) {
				result.add(new Field(entry.getKey(), Figures.exact(entry.getValue())));
			}
		}
		return result;
	}

	/** Whether the report is of a text model (it has top tokens). */
	public boolean textModel() {
		return !this.tokens.isEmpty();
	}

	/**
	 * A named value shown as text.
	 *
	 * @param name the name
	 * @param value the value as text, or null
	 */
	record Field(String name, String value) {
	}

	/**
	 * One feature's global importance.
	 *
	 * @param name the feature (raw input column)
	 * @param meanAbs mean |attribution| over the explained rows
	 * @param low the interval's lower end, or NaN
	 * @param high its upper end, or NaN
	 * @param confidence the interval's confidence level as sent, or null
	 * @param perClass mean |attribution| per class
	 * @param histogram the distribution of its attributions, or null
	 */
	record Feature(String name, double meanAbs, double low, double high, String confidence, List<Field> perClass,
			HistogramChart histogram) {

		public boolean hasInterval() {
			return Double.isFinite(this.low) && Double.isFinite(this.high);
		}

		public String meanAbsLabel() {
			return Figures.format(this.meanAbs);
		}

		public String intervalLabel() {
			if (!hasInterval()) {
				return null;
			}
			return "[" + Figures.format(this.low) + ", " + Figures.format(this.high) + "]";
		}

	}

	/**
	 * The quality of the explanations a report is made of.
	 *
	 * @param explanations how many explanations
	 * @param modelEvaluations how many model evaluations they took
	 * @param figure {@code completeness delta} (integrated gradients) or
	 * {@code efficiency error} (KernelSHAP), or null
	 * @param statistics the figure's statistics (max, mean, p95) in the report's order
	 */
	record Quality(String explanations, String modelEvaluations, String figure, List<Field> statistics) {

		static Quality of(JsonNode quality) {
			String figure = null;
			JsonNode statistics = null;
			if (quality.has("completeness_delta")) {
				figure = "Completeness delta";
				statistics = quality.path("completeness_delta");
			}
			else if (quality.has("efficiency_error")) {
				figure = "Efficiency error";
				statistics = quality.path("efficiency_error");
			}
			List<Field> values = new ArrayList<>();
			if (statistics != null && statistics.isObject()) {
				for (Map.Entry<String, JsonNode> statistic : statistics.properties()) {
					values.add(new Field(statistic.getKey(), Figures.text(statistic.getValue())));
				}
			}
			else if (statistics != null) {
				values.add(new Field("value", Figures.text(statistics)));
			}
			return new Quality(Figures.text(quality.path("explanations")),
					Figures.text(quality.path("model_evaluations")), figure, values);
		}

		public boolean present() {
			return this.explanations != null || this.modelEvaluations != null || this.figure != null;
		}

	}

	/**
	 * The tokens with the largest mean attribution towards one class.
	 *
	 * @param className the class
	 * @param tokens the tokens, as the report orders them
	 */
	record TokenClass(String className, List<TokenRow> tokens) {
	}

	/**
	 * A token of a class's list.
	 *
	 * @param token the token
	 * @param meanAttribution its mean attribution towards the class
	 * @param count how often it occurred
	 */
	record TokenRow(String token, String meanAttribution, String count) {
	}

}
