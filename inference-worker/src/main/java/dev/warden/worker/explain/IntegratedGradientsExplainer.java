package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.explain.ExplanationRequest.NamedBaseline;
import dev.warden.worker.loader.InputColumn;

/**
 * Integrated gradients on a version that exports the explain signatures: for a tabular
 * model in its encoded feature space, summed per raw column; for a text model over its
 * token embeddings, summed per token. The steps start at the model's default (or the
 * request's) and are raised while the completeness delta is over the tolerance (see
 * {@link IntegratedGradients}).
 */
final class IntegratedGradientsExplainer {

	private IntegratedGradientsExplainer() {
	}

	private static IntegratedGradients.Settings settings(ExplanationRequest r, ExplainContract contract) {
		ExplainContract.Steps defaults = contract.integratedGradients() != null ? contract.integratedGradients()
				: new ExplainContract.Steps(Explanations.DEFAULT_STEPS, Explanations.DEFAULT_MAX_STEPS,
						Explanations.DEFAULT_RULE.id());
		int steps = r.steps() != null ? r.steps() : Math.min(defaults.steps(), Explanations.MAX_STEPS);
		if (steps < 1 || steps > Explanations.MAX_STEPS) {
			throw new ExplanationException(
					"parameters.steps: must be an integer from 1 to " + Explanations.MAX_STEPS + ", got " + steps);
		}
		int maxSteps = r.maxSteps() != null ? r.maxSteps()
				: Math.min(Math.max(steps, defaults.maxSteps()), Explanations.MAX_STEPS);
		if (maxSteps < steps || maxSteps > Explanations.MAX_STEPS) {
			throw new ExplanationException("parameters.max_steps: must be an integer from steps (" + steps + ") to "
					+ Explanations.MAX_STEPS + ", got " + maxSteps);
		}
		IntegratedGradients.Rule rule = IntegratedGradients.Rule.of(defaults.integration());
		if (r.integration() != null) {
			rule = IntegratedGradients.Rule.of(r.integration());
			if (rule == null) {
				throw new ExplanationException(
						"parameters.integration: unknown rule '" + r.integration() + "' (trapezoid or gauss_legendre)");
			}
		}
		return new IntegratedGradients.Settings(steps, rule, maxSteps, Explanations.RELATIVE_TOLERANCE,
				Explanations.ABSOLUTE_TOLERANCE);
	}

	private static Map<String, Object> quality(IntegratedGradients.Result result) {
		Map<String, Object> quality = new LinkedHashMap<>();
		quality.put("completeness_delta", result.delta());
		double change = Math.abs(result.valueAtInput() - result.valueAtBaseline());
		quality.put("relative_delta", change == 0 ? null : Math.abs(result.delta()) / change);
		quality.put("tolerance",
				Map.of("relative", Explanations.RELATIVE_TOLERANCE, "absolute", Explanations.ABSOLUTE_TOLERANCE));
		quality.put("within_tolerance", result.withinTolerance());
		quality.put("integration", result.rule().id());
		quality.put("steps", result.steps());
		quality.put("steps_requested", result.requestedSteps());
		quality.put("steps_raised", result.raised());
		if (result.raised() && result.withinTolerance()) {
			quality.put("note", "the completeness delta was over the tolerance at " + result.requestedSteps()
					+ " steps; the steps were raised to " + result.steps());
		}
		else if (!result.withinTolerance()) {
			quality.put("note", "the completeness delta is still over the tolerance at " + result.steps()
					+ " steps (parameters.max_steps caps them)");
		}
		return quality;
	}

	static List<Map<String, Object>> tabular(ExplanationCall call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		ExplainContract contract = call.version().contract();
		IntegratedGradients.Settings settings = settings(r, contract);
		boolean logit = Targets.logit(r);
		int targetClass = Targets.contractClass(r, contract);
		Baselines.Baseline baseline = Baselines.tabular(call);
		int n = Rows.count(instances);
		Map<String, InputColumn> batch = Baselines.joined(instances, baseline);
		Outputs.Values encoded = call.servable()
			.call(contract.encodeSignature(), batch, result -> Outputs.read(result, ExplainContract.FEATURES));
		int width = encoded.perRow();
		double[] b = Arrays.copyOfRange(encoded.flat(), n * width, (n + 1) * width);
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			double[] x = Arrays.copyOfRange(encoded.flat(), i * width, (i + 1) * width);
			Meter meter = new Meter();
			GradientsSignature gradients = new GradientsSignature(call.servable(), contract, logit, targetClass,
					call.properties().maxCallElements(), meter);
			IntegratedGradients.Result result = IntegratedGradients
				.explain(PathIntegrand.along(gradients.tabular(width), x, b, call.rowsPerCall(width)), x, b, settings);
			Map<String, Object> json = call.header();
			json.put("target", Targets.contractTarget(contract, logit, targetClass, r));
			json.put("baseline", baseline.json());
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			List<Object> attributions = new ArrayList<>();
			for (ExplainContract.Column column : contract.columns()) {
				double sum = 0;
				Map<String, Object> parts = new LinkedHashMap<>();
				for (int f : column.features()) {
					sum += result.attributions()[f];
					if (column.features().length > 1 && x[f] != b[f]) {
						parts.put(contract.features().get(f), result.attributions()[f]);
					}
				}
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("feature", column.name());
				entry.put("value", Rows.value(instances.get(column.name()), i));
				entry.put("baseline", Rows.value(baseline.row().get(column.name()), 0));
				entry.put("attribution", sum);
				if (!parts.isEmpty()) {
					entry.put("parts", parts);
				}
				attributions.add(entry);
			}
			json.put("attributions", attributions);
			// the encoding call is shared by the request's instances; it is counted in
			// each
			json.put("model_evaluations", result.evaluations());
			json.put("model_calls", meter.calls() + 1);
			json.put("quality", quality(result));
			explanations.add(json);
		}
		return explanations;
	}

	static List<Map<String, Object>> text(ExplanationCall call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		ExplainContract contract = call.version().contract();
		if (r.baseline() != null && !(r.baseline() instanceof NamedBaseline named && named.name().equals("zero"))) {
			throw new ExplanationException("parameters.baseline: a text model's integrated gradients start from "
					+ "'zero' (every token embedding 0), the only baseline it takes");
		}
		IntegratedGradients.Settings settings = settings(r, contract);
		boolean logit = Targets.logit(r);
		int targetClass = Targets.contractClass(r, contract);
		String[] texts = TextAttributions.texts(instances, contract);
		TextAttributions.EncodedTexts encoded = TextAttributions.encode(call, instances, contract);
		int dim = contract.text().embeddingDim();
		Map<String, Object> baseline = new LinkedHashMap<>();
		baseline.put("name", "zero");
		baseline.put("description", "every token embedding 0; for a mean-pooled model such as spam the same output "
				+ "as a text without tokens");
		baseline.put("sha256", Explanations.sha256(Map.of("name", "zero", "embedding_dim", dim)));
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < texts.length; i++) {
			TextAttributions.EncodedText text = encoded.text(i);
			Meter meter = new Meter();
			GradientsSignature gradients = new GradientsSignature(call.servable(), contract, logit, targetClass,
					call.properties().maxCallElements(), meter);
			double[] x = new double[text.embeddings().length];
			for (int k = 0; k < x.length; k++) {
				x[k] = text.embeddings()[k];
			}
			IntegratedGradients.Result result = IntegratedGradients.explain(
					gradients.text(text.embeddings(), text.tokens().size(), dim), x, new double[x.length], settings);
			double[] perToken = new double[text.tokens().size()];
			for (int t = 0; t < perToken.length; t++) {
				for (int d = 0; d < dim; d++) {
					perToken[t] += result.attributions()[t * dim + d];
				}
			}
			Map<String, Object> json = call.header();
			json.put("target", Targets.contractTarget(contract, logit, targetClass, r));
			json.put("baseline", baseline);
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			TextAttributions.put(json, texts[i], text, perToken, contract);
			json.put("model_evaluations", result.evaluations());
			json.put("model_calls", meter.calls() + 1);
			json.put("quality", quality(result));
			explanations.add(json);
		}
		return explanations;
	}

}
