package dev.warden.platform.explainability.internal;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * One row's explanation as reports use it, whatever the worker's exact field names
 * ({@link WorkerExplainer} reads them).
 *
 * @param method the attribution method the worker used ({@code null} if it did not say)
 * @param target what was explained (the worker's {@code target}, or {@code null})
 * @param targetClass the class whose output was explained, when the target names one
 * @param attributions attribution per raw input column, in the worker's order (a text
 * column's attribution is the sum of its tokens' when the worker gives only tokens)
 * @param tokens token attributions per text column (empty for tabular models); the key is
 * {@code ""} when the worker did not name the column
 * @param valueAtInput f(x), or {@code null}
 * @param valueAtBaseline f(baseline) (or E[f(background)]), or {@code null}
 * @param modelEvaluations model rows the explanation took, 0 when not given
 * @param completenessDelta integrated gradients' Σ attributions − (f(x) − f(baseline)),
 * or {@code null}
 * @param efficiencyError SHAP's Σ φ − (f(x) − E[f]), or {@code null}
 * @param baseline the baseline or background the worker reports, or {@code null}
 */
public record Explanation(String method, JsonNode target, Integer targetClass, Map<String, Double> attributions,
		Map<String, List<TokenAttribution>> tokens, Double valueAtInput, Double valueAtBaseline, long modelEvaluations,
		Double completenessDelta, Double efficiencyError, JsonNode baseline) {

	/** The completeness or efficiency error, whichever the explanation carries. */
	public Double qualityError() {
		return (this.completenessDelta != null) ? this.completenessDelta : this.efficiencyError;
	}

}
