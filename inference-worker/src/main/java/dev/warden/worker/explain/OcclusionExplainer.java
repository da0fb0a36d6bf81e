package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;

/**
 * Occlusion through the serving signature: per raw column, the drop when it alone takes
 * the baseline's value; per token of a text, the drop when the token is removed from the
 * caller's text (see {@link Occlusion}, {@link TextOcclusion}).
 */
final class OcclusionExplainer {

	private OcclusionExplainer() {
	}

	static List<Map<String, Object>> tabular(ExplanationCall call, Map<String, InputColumn> instances) {
		ExplainableVersion version = call.version();
		TabularSlots slots = version.slots();
		TabularSlots.Coder coder = slots.coder();
		OutputTarget target = OutputTarget.resolve(call, instances);
		Baselines.Baseline baseline = Baselines.tabular(call);
		double[] b = coder.encode(baseline.row(), 0);
		int width = slots.width();
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < Rows.count(instances); i++) {
			double[] x = coder.encode(instances, i);
			Meter meter = new Meter();
			ServingModel model = new ServingModel(call.servable(), version.serving().key(), coder,
					new ServingModel.Target(target.output(), target.classIndex(i)), call.rowsPerCall(width), meter);
			Occlusion.Result result = Occlusion.explain(model, x, b, Occlusion.singletons(width),
					call.rowsPerCall(width));
			Map<String, Object> json = call.header();
			json.put("target", target.json(i));
			json.put("baseline", baseline.json());
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			List<Object> attributions = new ArrayList<>();
			for (int s = 0; s < width; s++) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("feature", slots.names().get(s));
				entry.put("value", coder.value(s, x[s]));
				entry.put("baseline", coder.value(s, b[s]));
				entry.put("attribution", result.effects()[s]);
				attributions.add(entry);
			}
			json.put("attributions", attributions);
			json.put("model_evaluations", meter.evaluations());
			json.put("model_calls", meter.calls());
			json.put("quality", quality(result));
			explanations.add(json);
		}
		return explanations;
	}

	private static Map<String, Object> quality(Occlusion.Result result) {
		Map<String, Object> quality = new LinkedHashMap<>();
		quality.put("additivity_gap", result.additivityGap());
		quality.put("note", "occlusion effects need not add up to f(x) - f(baseline); the gap measures how much "
				+ "the features interact");
		return quality;
	}

	static List<Map<String, Object>> text(ExplanationCall call, Map<String, InputColumn> instances) {
		ExplainContract contract = call.version().contract();
		OutputTarget target = OutputTarget.resolve(call, instances);
		String[] texts = TextAttributions.texts(instances, contract);
		TextAttributions.EncodedTexts encoded = TextAttributions.encode(call, instances, contract);
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < texts.length; i++) {
			TextAttributions.EncodedText text = encoded.text(i);
			List<TextTokens.Span> spans = TextTokens.locate(texts[i], text.tokens(), contract.text().maxChars(),
					contract.text().maxTokens());
			if (spans == null) {
				throw new ExplanationException("instances[" + i + "]: the worker could not find the model's tokens "
						+ "in the text, so it cannot remove them one at a time; integrated_gradients explains it");
			}
			int tokens = spans.size();
			Meter meter = new Meter();
			TextOcclusion model = new TextOcclusion(call.servable(), call.version().serving(), contract.text().input(),
					texts[i], spans, new ServingModel.Target(target.output(), target.classIndex(i)),
					call.properties().maxCallElements(), meter);
			double[] all = new double[tokens];
			Arrays.fill(all, 1);
			Occlusion.Result result = Occlusion.explain(model, all, new double[tokens], Occlusion.singletons(tokens),
					model.rowsPerCall());
			Map<String, Object> json = call.header();
			json.put("target", target.json(i));
			Map<String, Object> baseline = new LinkedHashMap<>();
			baseline.put("name", "tokens removed");
			baseline.put("description", "each token's characters are replaced by spaces in the original text and "
					+ "the text is predicted again (removal, not masking: a mean-pooled model averages over the "
					+ "tokens that remain); f_baseline is the text with every token removed");
			json.put("baseline", baseline);
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			TextAttributions.put(json, texts[i], text, result.effects(), contract);
			json.put("model_evaluations", meter.evaluations());
			json.put("model_calls", meter.calls() + 1);
			json.put("quality", quality(result));
			explanations.add(json);
		}
		return explanations;
	}

}
