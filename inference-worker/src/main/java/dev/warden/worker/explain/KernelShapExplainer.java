package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;

/**
 * KernelSHAP on a tabular version: the background (the version's reference rows or the
 * caller's, sampled or summarised), then per instance the Shapley values of the raw
 * columns (see {@link KernelShap}), evaluated through the explain signatures in the
 * encoded space when the version has them and through the serving signature otherwise.
 */
final class KernelShapExplainer {

	private KernelShapExplainer() {
	}

	static List<Map<String, Object>> explain(ExplanationCall call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		ExplainableVersion version = call.version();
		TabularSlots slots = version.slots();
		TabularSlots.Coder coder = slots.coder();
		ExplainContract contract = version.contract();
		// a version that exports the explain signatures evaluates the same rows in its
		// encoded space: the same outputs, without parsing strings for every row
		boolean encoded = contract != null && contract.kind() == ExplainContract.Kind.TABULAR
				&& (r.output() == null || r.output().equals(contract.probabilityOutput()))
				&& slots.width() == contract.columns().size();
		if ("logit".equals(r.target()) && !encoded) {
			throw new ExplanationException("parameters.target: 'logit' needs the explain signatures, and then the "
					+ "probability output; kernel_shap explains an output of the serving signature here");
		}
		OutputTarget target = encoded ? null : OutputTarget.resolve(call, instances);
		boolean logit = encoded && Targets.logit(r);
		int contractClass = encoded ? Targets.contractClass(r, contract) : -1;
		Map<String, Object> backgroundJson = new LinkedHashMap<>();
		Map<String, InputColumn> poolColumns;
		if (r.background() != null) {
			poolColumns = r.background();
			backgroundJson.put("source", "request");
		}
		else if (version.backgroundPool() != null) {
			poolColumns = version.backgroundPool();
			backgroundJson.put("source", "reference");
			backgroundJson.put("file", ExplainContract.BACKGROUND_FILE);
			if (contract != null && contract.background() != null) {
				backgroundJson.put("file_sha256", contract.background().sha256());
			}
		}
		else {
			throw new ExplanationException("parameters.background: kernel_shap needs background rows and "
					+ version.backgroundProblem() + "; send parameters.background, an array of rows like instances");
		}
		double[][] pool = coder.encodeAll(poolColumns);
		int size = r.backgroundSize() != null ? r.backgroundSize() : Explanations.DEFAULT_BACKGROUND_SIZE;
		if (size < 1 || size > Explanations.MAX_BACKGROUND_SIZE) {
			throw new ExplanationException("parameters.background_size: must be an integer from 1 to "
					+ Explanations.MAX_BACKGROUND_SIZE + ", got " + size);
		}
		String summary = r.backgroundSummary() != null ? r.backgroundSummary() : "sample";
		long seed = r.seed() != null ? r.seed() : 0L;
		Background background = switch (summary) {
			case "sample" -> Background.sample(pool, size, seed);
			case "kmeans" -> Background.kmeans(pool, coder, size, seed);
			default -> throw new ExplanationException(
					"parameters.background_summary: unknown summary '" + summary + "' (sample or kmeans)");
		};
		int samples = r.samples() != null ? r.samples() : Explanations.DEFAULT_SAMPLES;
		if (samples < 2 || samples > Explanations.MAX_SAMPLES) {
			throw new ExplanationException("parameters.samples: must be an integer from 2 to "
					+ Explanations.MAX_SAMPLES + ", got " + samples);
		}
		backgroundJson.put("pool_rows", pool.length);
		backgroundJson.put("summary", background.summary());
		backgroundJson.put("rows", background.rows().length);
		backgroundJson.put("seed", seed);
		backgroundJson.put("sha256", backgroundHash(background, coder, slots));
		int width = slots.width();
		int n = Rows.count(instances);

		// the rows the model reads: coded raw rows, or (encoded) the encode signature's
		// features of the instances and the background rows, from one call
		double[][] inputs = new double[n][];
		double[][] backgroundRows = background.rows();
		int[][] groups = Occlusion.singletons(width);
		int rowWidth = width;
		Meter shared = new Meter();
		if (encoded) {
			Map<String, InputColumn> batch = Rows
				.concat(List.of(instances, Rows.select(poolColumns, background.indices())));
			Outputs.Values features = call.servable()
				.call(contract.encodeSignature(), batch, result -> Outputs.read(result, ExplainContract.FEATURES));
			shared.called(batch.values().iterator().next().rows());
			rowWidth = features.perRow();
			double[][] all = new double[n + background.indices().length][];
			for (int k = 0; k < all.length; k++) {
				all[k] = Arrays.copyOfRange(features.flat(), k * rowWidth, (k + 1) * rowWidth);
			}
			inputs = Arrays.copyOfRange(all, 0, n);
			backgroundRows = Arrays.copyOfRange(all, n, all.length);
			groups = contract.columns().stream().map(ExplainContract.Column::features).toArray(int[][]::new);
		}
		else {
			for (int i = 0; i < n; i++) {
				inputs[i] = coder.encode(instances, i);
			}
		}
		int rowsPerCall = call.rowsPerCall(rowWidth);
		KernelShap.Settings settings = new KernelShap.Settings(call.properties().kernelShapExactFeatures(), samples,
				seed, rowsPerCall);
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			double[] raw = coder.encode(instances, i);
			Meter meter = new Meter();
			BatchModel model = encoded
					? new GradientsSignature(call.servable(), contract, logit, contractClass,
							call.properties().maxCallElements(), meter)
						.values(rowWidth)
					: new ServingModel(call.servable(), version.serving().key(), coder,
							new ServingModel.Target(target.output(), target.classIndex(i)), rowsPerCall, meter);
			KernelShap.Result result;
			try {
				result = KernelShap.explain(model, inputs[i], backgroundRows, background.weights(), groups, settings);
			}
			catch (KernelShap.SingularSystemException ex) {
				throw new ExplanationException("parameters.samples: " + ex.getMessage());
			}
			Map<String, Object> json = call.header();
			Map<String, Object> targetJson = encoded ? Targets.contractTarget(contract, logit, contractClass, r)
					: target.json(i);
			if (encoded) {
				targetJson.put("output",
						logit ? "logits (" + contract.gradientsSignature() + ")" : contract.probabilityOutput());
			}
			json.put("target", targetJson);
			json.put("evaluated_through", encoded ? contract.encodeSignature() + " + " + contract.gradientsSignature()
					: version.serving().key());
			json.put("background", backgroundJson);
			json.put("f_x", result.valueAtInput());
			json.put("expected_value", result.expectedValue());
			List<Object> attributions = new ArrayList<>();
			for (int s = 0; s < width; s++) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("feature", slots.names().get(s));
				entry.put("value", coder.value(s, raw[s]));
				entry.put("attribution", result.values()[s]);
				if (result.standardErrors() != null) {
					entry.put("standard_error", result.standardErrors()[s]);
				}
				attributions.add(entry);
			}
			json.put("attributions", attributions);
			// the encoding call is shared by the request's instances; it is counted in
			// each
			json.put("model_evaluations", meter.evaluations() + shared.evaluations());
			json.put("model_calls", meter.calls() + shared.calls());
			Map<String, Object> quality = new LinkedHashMap<>();
			quality.put("exact", result.exact());
			quality.put("features", width);
			quality.put("coalitions", result.coalitions());
			if (!result.exact()) {
				quality.put("samples", samples + samples % 2);
				quality.put("seed", seed);
				quality.put("max_standard_error", result.standardErrors() == null ? null : result.maxStandardError());
			}
			quality.put("efficiency_residual", result.efficiencyResidual());
			json.put("quality", quality);
			explanations.add(json);
		}
		return explanations;
	}

	private static String backgroundHash(Background background, TabularSlots.Coder coder, TabularSlots slots) {
		List<Object> rows = new ArrayList<>();
		for (int b = 0; b < background.rows().length; b++) {
			Map<String, Object> row = new LinkedHashMap<>();
			for (int s = 0; s < slots.width(); s++) {
				row.put(slots.names().get(s), coder.value(s, background.rows()[b][s]));
			}
			rows.add(Map.of("values", row, "weight", background.weights()[b]));
		}
		return Explanations.sha256(rows);
	}

}
