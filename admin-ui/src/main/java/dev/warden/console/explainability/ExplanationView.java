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

	/** Names of the fields that mean f(baseline), in the order they are looked for. */
	private static final List<Map.Entry<String, String>> REFERENCES = List.of(Map.entry("f_baseline", "f(baseline)"),
			Map.entry("f_background", "E[f(background)]"), Map.entry("background_expectation", "E[f(background)]"),
			Map.entry("expected_value", "E[f(background)]"));

	private static final Set<String> KNOWN = Set.of("method", "target", "attributions", "tokens", "f_x", "f_baseline",
			"f_background", "background_expectation", "expected_value", "model_evaluations", "completeness_delta",
			"efficiency_error");

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
		String referenceLabel = "f(baseline)";
		String reference = null;
		for (Map.Entry<String, String> candidate : REFERENCES) {
			if (explanation.has(candidate.getKey())) {
				referenceLabel = candidate.getValue();
				reference = Figures.text(explanation.path(candidate.getKey()));
				break;
			}
		}
		String qualityLabel = null;
		String quality = null;
		if (explanation.has("completeness_delta")) {
			qualityLabel = "Completeness delta";
			quality = Figures.text(explanation.path("completeness_delta"));
		}
		else if (explanation.has("efficiency_error")) {
			qualityLabel = "Efficiency error";
			quality = Figures.text(explanation.path("efficiency_error"));
		}
		List<HighlightedText.Token> tokens = tokens(explanation.path("tokens"));
		HighlightedText highlighted = (text != null && !tokens.isEmpty()) ? HighlightedText.of(text, tokens) : null;
		List<TokenRow> tokenRows = tokens.stream()
			.sorted(Comparator
				.comparingDouble(
						(HighlightedText.Token t) -> Double.isFinite(t.attribution()) ? Math.abs(t.attribution()) : 0)
				.reversed())
			.map((t) -> new TokenRow(t.token(), t.start(), t.end(), Figures.format(t.attribution()),
					(t.attribution() < 0) ? "negative" : "positive", t.sharedBucket()))
			.toList();
		List<ReportView.Field> details = new ArrayList<>();
		for (Map.Entry<String, JsonNode> field : explanation.properties()) {
			if (!KNOWN.contains(field.getKey())) {
				details.add(new ReportView.Field(field.getKey(), Figures.exact(field.getValue())));
			}
		}
		JsonNode target = explanation.path("target");
		List<ReportView.Field> targetFields = target.isObject() ? ReportView.fields(target, Set.of())
				: (target.isMissingNode() || target.isNull()) ? List.of()
						: List.of(new ReportView.Field("output", Figures.text(target)));
		return new ExplanationView(Figures.text(prediction), Figures.text(explanation.path("method")), targetFields,
				Figures.text(explanation.path("f_x")), referenceLabel, reference,
				Figures.text(explanation.path("model_evaluations")), qualityLabel, quality,
				AttributionChart.of(attributions(explanation.path("attributions"))), highlighted, tokenRows, details);
	}

	/**
	 * {@code {"<column>": x, …}}, or a list of {@code {"feature"|"name", "attribution"}}.
	 */
	private static List<AttributionChart.Attribution> attributions(JsonNode attributions) {
		List<AttributionChart.Attribution> result = new ArrayList<>();
		if (attributions.isObject()) {
			for (Map.Entry<String, JsonNode> entry : attributions.properties()) {
				result.add(new AttributionChart.Attribution(entry.getKey(), Figures.number(entry.getValue())));
			}
		}
		else if (attributions.isArray()) {
			for (JsonNode item : attributions.values()) {
				JsonNode name = item.has("feature") ? item.path("feature") : item.path("name");
				result.add(new AttributionChart.Attribution(String.valueOf(Figures.text(name)),
						Figures.number(item.path("attribution"))));
			}
		}
		return result;
	}

	private static List<HighlightedText.Token> tokens(JsonNode tokens) {
		List<HighlightedText.Token> result = new ArrayList<>();
		for (JsonNode token : tokens.values()) {
			if (!token.path("start").canConvertToInt() || !token.path("end").canConvertToInt()) {
				continue;
			}
			result.add(new HighlightedText.Token(String.valueOf(Figures.text(token.path("token"))),
					token.path("start").asInt(), token.path("end").asInt(), Figures.number(token.path("attribution")),
					token.path("shared_bucket").asBoolean(false)));
		}
		return result;
	}

	/**
	 * A token in the token table.
	 *
	 * @param token the token
	 * @param start its start offset
	 * @param end its end offset
	 * @param attribution its attribution as text
	 * @param sign {@code positive} or {@code negative}
	 * @param sharedBucket whether it shares its hash bucket
	 */
	record TokenRow(String token, int start, int end, String attribution, String sign, boolean sharedBucket) {
	}

}
