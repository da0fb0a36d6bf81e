package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * One explanation of the interactive form as the page shows it: the prediction, what was
 * explained and how, f(x), f(baseline) (or the background's expectation), the quality
 * figure, and the attributions as bars (tabular) or as highlighted text with a token
 * table (text). Fields the console does not know are listed as they came, as text.
 *
 * <p>
 * Reads both the admin API's shape ({@code value_at_input}, {@code value_at_baseline},
 * {@code attributions: [{"feature", "attribution"}]}, {@code tokens: [{"token", "start",
 * "end", "attribution", "shared_bucket"?}]}, {@code completeness_delta} or
 * {@code efficiency_error}) and the worker's ({@code f_x}, {@code f_baseline} or
 * {@code expected_value}, token attributions in {@code attributions}, the quality figures
 * inside {@code quality}); attributions may also be an object of column to value.
 *
 * @param prediction the prediction for the row, as text
 * @param method the method
 * @param target what output and class was explained
 * @param fx the explained output for the row
 * @param referenceLabel what {@code reference} is: f(baseline) or the background's
 * expectation
 * @param reference its value
 * @param modelEvaluations how many model evaluations the explanation took
 * @param qualityLabel {@code Completeness delta} or {@code Efficiency error}, or null
 * @param quality the figure as text
 * @param bars the attributions per input column as bars, or null
 * @param highlighted the text with its tokens highlighted, or null
 * @param tokens the tokens by |attribution|, largest first
 * @param details the other fields of the explanation
 */
record ExplanationView(String prediction, String method, List<ReportView.Field> target, String fx,
		String referenceLabel, String reference, String modelEvaluations, String qualityLabel, String quality,
		AttributionChart bars, HighlightedText highlighted, List<TokenRow> tokens, List<ReportView.Field> details) {

	private static final String BACKGROUND = "E[f(background)]";

	private static final List<String> OUTPUTS = List.of("f_x", "value_at_input");

	/**
	 * Fields that mean f(baseline) or E[f(background)], in the order they are looked for.
	 */
	private static final List<String> REFERENCES = List.of("f_baseline", "value_at_baseline", "expected_value",
			"f_background", "background_expectation");

	/** Quality figures, in the order they are looked for, with their labels. */
	private static final List<Map.Entry<String, String>> QUALITY = List.of(
			Map.entry("completeness_delta", "Completeness delta"), Map.entry("efficiency_error", "Efficiency error"),
			Map.entry("efficiency_residual", "Efficiency residual"));

	private static final Set<String> KNOWN = Set.of("method", "target", "attributions", "tokens", "f_x",
			"value_at_input", "f_baseline", "value_at_baseline", "expected_value", "f_background",
			"background_expectation", "model_evaluations", "completeness_delta", "efficiency_error",
			"efficiency_residual");

	/**
	 * The explanations of an answer {@code {"predictions": […], "explanations": […]}},
	 * the i-th paired with the i-th prediction.
	 * @param text the explained text, to place the tokens in; null for tabular rows
	 */
	static List<ExplanationView> of(JsonNode answer, String text) {
		List<ExplanationView> result = new ArrayList<>();
		List<JsonNode> predictions = new ArrayList<>(answer.path("predictions").values());
		List<JsonNode> explanations = new ArrayList<>(answer.path("explanations").values());
		for (int i = 0; i < explanations.size(); i++) {
			JsonNode prediction = (i < predictions.size()) ? predictions.get(i) : null;
			result.add(of(explanations.get(i), prediction, text));
		}
		return result;
	}

	private static ExplanationView of(JsonNode explanation, JsonNode prediction, String text) {
		String method = Figures.text(explanation.path("method"));
		String referenceName = firstPresent(explanation, REFERENCES);
		String referenceLabel = ("kernel_shap".equals(method) || (referenceName != null
				&& !referenceName.equals("f_baseline") && !referenceName.equals("value_at_baseline"))) ? BACKGROUND
						: "f(baseline)";
		String outputName = firstPresent(explanation, OUTPUTS);
		// a quality figure at the top level, else inside "quality"
		String qualityLabel = null;
		String quality = null;
		JsonNode qualityObject = explanation.path("quality");
		for (JsonNode scope : List.of(explanation, qualityObject)) {
			for (Map.Entry<String, String> figure : QUALITY) {
				if (qualityLabel == null && present(scope.path(figure.getKey()))) {
					qualityLabel = figure.getValue();
					quality = Figures.text(scope.path(figure.getKey()));
				}
			}
		}
		List<HighlightedText.Token> tokens = tokens(explanation);
		HighlightedText highlighted = (text != null && !tokens.isEmpty()) ? HighlightedText.of(text, tokens) : null;
		List<TokenRow> tokenRows = tokens.stream()
			.sorted(Comparator.comparingDouble((HighlightedText.Token t) -> magnitude(t.attribution())).reversed())
			.map((t) -> new TokenRow(t.token(), (t.start() >= 0) ? t.start() + "–" + t.end() : "unknown",
					Figures.format(t.attribution()), (t.attribution() < 0) ? "negative" : "positive", t.sharedBucket()))
			.toList();
		List<ReportView.Field> details = new ArrayList<>();
		for (Map.Entry<String, JsonNode> field : explanation.properties()) {
			if (field.getKey().equals("quality") && field.getValue().isObject()) {
				for (Map.Entry<String, JsonNode> part : field.getValue().properties()) {
					details.add(new ReportView.Field("quality." + part.getKey(), Figures.exact(part.getValue())));
				}
			}
			else if (!KNOWN.contains(field.getKey()) && present(field.getValue())) {
				details.add(new ReportView.Field(field.getKey(), Figures.exact(field.getValue())));
			}
		}
		JsonNode target = explanation.path("target");
		List<ReportView.Field> targetFields = target.isObject() ? ReportView.fields(target, Set.of())
				: present(target) ? List.of(new ReportView.Field("output", Figures.text(target))) : List.of();
		return new ExplanationView(Figures.text(prediction), method, targetFields,
				(outputName != null) ? Figures.text(explanation.path(outputName)) : null, referenceLabel,
				(referenceName != null) ? Figures.text(explanation.path(referenceName)) : null,
				Figures.text(explanation.path("model_evaluations")), qualityLabel, quality,
				tokens.isEmpty() ? AttributionChart.of(attributions(explanation)) : null, highlighted, tokenRows,
				details);
	}

	private static boolean present(JsonNode node) {
		return node != null && !node.isMissingNode() && !node.isNull();
	}

	private static String firstPresent(JsonNode object, List<String> names) {
		return names.stream().filter((name) -> present(object.path(name))).findFirst().orElse(null);
	}

	private static double magnitude(double value) {
		return Double.isFinite(value) ? Math.abs(value) : 0;
	}

	/**
	 * Column attributions: {@code {"<column>": x, …}}, or a list of
	 * {@code {"feature"|"name", "attribution"}} (token entries left out).
	 */
	private static List<AttributionChart.Attribution> attributions(JsonNode explanation) {
		JsonNode attributions = explanation.path("attributions");
		List<AttributionChart.Attribution> result = new ArrayList<>();
		if (attributions.isObject()) {
			for (Map.Entry<String, JsonNode> entry : attributions.properties()) {
				result.add(new AttributionChart.Attribution(entry.getKey(), Figures.number(entry.getValue())));
			}
		}
		else if (attributions.isArray()) {
			for (JsonNode item : attributions.values()) {
				if (item.has("token")) {
					continue;
				}
				JsonNode name = item.has("feature") ? item.path("feature") : item.path("name");
				result.add(new AttributionChart.Attribution(String.valueOf(Figures.text(name)),
						Figures.number(item.path("attribution"))));
			}
		}
		return result;
	}

	/**
	 * Token attributions from {@code tokens}, or from {@code attributions} entries that
	 * have a {@code token}; a token without offsets gets start and end -1.
	 */
	private static List<HighlightedText.Token> tokens(JsonNode explanation) {
		List<HighlightedText.Token> result = new ArrayList<>();
		List<JsonNode> items = new ArrayList<>(explanation.path("tokens").values());
		if (items.isEmpty()) {
			explanation.path("attributions").values().stream().filter((item) -> item.has("token")).forEach(items::add);
		}
		for (JsonNode token : items) {
			boolean placed = token.path("start").canConvertToInt() && token.path("end").canConvertToInt();
			result.add(new HighlightedText.Token(String.valueOf(Figures.text(token.path("token"))),
					placed ? token.path("start").asInt() : -1, placed ? token.path("end").asInt() : -1,
					Figures.number(token.path("attribution")), token.path("shared_bucket").asBoolean(false)));
		}
		return result;
	}

	/**
	 * A token in the token table.
	 *
	 * @param token the token
	 * @param offsets {@code start–end} in the text, or {@code unknown}
	 * @param attribution its attribution as text
	 * @param sign {@code positive} or {@code negative}
	 * @param sharedBucket whether it shares its hash bucket
	 */
	record TokenRow(String token, String offsets, String attribution, String sign, boolean sharedBucket) {
	}

}
