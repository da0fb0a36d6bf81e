package dev.warden.worker.explain;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SignatureSpec;

/**
 * A version's {@value ExplainContract#GRADIENTS_SIGNATURE} signature as the integrated
 * gradients explainer needs it: for a tabular model a {@link GradientModel} on encoded
 * feature rows, for a text model a {@link PathIntegrand} on the token embeddings of one
 * text (the baseline is every embedding at zero). Many points go into one call, in calls
 * of at most {@code maxCallElements} input elements, straight to the loaded servable.
 */
final class GradientsSignature {

	private final LoadedServable servable;

	private final SignatureSpec spec;

	private final boolean logit;

	private final int targetClass;

	private final int maxCallElements;

	private final Meter meter;

	/**
	 * @param logit differentiate the target class's logit (else its probability)
	 */
	GradientsSignature(LoadedServable servable, ExplainContract contract, boolean logit, int targetClass,
			int maxCallElements, Meter meter) {
		this.servable = servable;
		this.spec = servable.signatures().get(contract.gradientsSignature());
		this.logit = logit;
		this.targetClass = targetClass;
		this.maxCallElements = maxCallElements;
		this.meter = meter;
	}

	/** Tabular: rows of encoded features, {@code width} wide. */
	GradientModel tabular(int width) {
		int rowsPerCall = Math.max(1, maxCallElements / Math.max(1, width));
		return rows -> {
			double[] values = new double[rows.length];
			double[][] gradients = new double[rows.length][];
			for (int from = 0; from < rows.length; from += rowsPerCall) {
				int to = Math.min(rows.length, from + rowsPerCall);
				int n = to - from;
				float[] features = new float[n * width];
				for (int r = 0; r < n; r++) {
					double[] row = rows[from + r];
					for (int i = 0; i < width; i++) {
						features[r * width + i] = (float) row[i];
					}
				}
				Map<String, InputColumn> inputs = new LinkedHashMap<>();
				inputs.put(ExplainContract.FEATURES, new InputColumn(spec.inputs().get(ExplainContract.FEATURES),
						new long[] { n, width }, features));
				inputs.put(ExplainContract.TARGET_CLASS, targets(n));
				Evaluated evaluated = call(inputs, n);
				for (int r = 0; r < n; r++) {
					values[from + r] = evaluated.values()[r];
					gradients[from + r] = Arrays.copyOfRange(evaluated.gradients(), r * width, (r + 1) * width);
				}
			}
			return new GradientModel.ValuesAndGradients(values, gradients);
		};
	}

	/**
	 * Tabular, values only: the target output of rows of encoded features, {@code width}
	 * wide, for the model-agnostic explainers when the version can evaluate encoded rows
	 * (the gradients the signature computes as well are not read).
	 */
	BatchModel values(int width) {
		GradientModel model = tabular(width);
		return rows -> model.evaluate(rows).values();
	}

	/**
	 * Text: the path from all-zero token embeddings to {@code embeddings} ({@code tokens}
	 * rows of {@code dim}, flattened). Each point is one text of {@code tokens} tokens.
	 */
	PathIntegrand text(float[] embeddings, int tokens, int dim) {
		int width = tokens * dim;
		int pointsPerCall = Math.max(1, maxCallElements / Math.max(1, width));
		return (alphas, weights) -> {
			double[] values = new double[alphas.length];
			double[] sum = new double[width];
			for (int from = 0; from < alphas.length; from += pointsPerCall) {
				int to = Math.min(alphas.length, from + pointsPerCall);
				int n = to - from;
				float[] points = new float[n * width];
				long[] rows = new long[n * tokens];
				for (int k = 0; k < n; k++) {
					float alpha = (float) alphas[from + k];
					for (int i = 0; i < width; i++) {
						points[k * width + i] = alpha * embeddings[i];
					}
					Arrays.fill(rows, k * tokens, (k + 1) * tokens, k);
				}
				Map<String, InputColumn> inputs = new LinkedHashMap<>();
				inputs.put(ExplainContract.TOKEN_EMBEDDINGS,
						new InputColumn(spec.inputs().get(ExplainContract.TOKEN_EMBEDDINGS),
								new long[] { (long) n * tokens, dim }, points));
				inputs.put(ExplainContract.TOKEN_ROWS, new InputColumn(spec.inputs().get(ExplainContract.TOKEN_ROWS),
						new long[] { (long) n * tokens }, rows));
				inputs.put(ExplainContract.TARGET_CLASS, targets(n));
				Evaluated evaluated = call(inputs, n);
				for (int k = 0; k < n; k++) {
					values[from + k] = evaluated.values()[k];
					double w = weights[from + k];
					for (int i = 0; i < width; i++) {
						sum[i] += w * evaluated.gradients()[k * width + i];
					}
				}
			}
			return new PathIntegrand.PathSums(values, sum);
		};
	}

	private InputColumn targets(int n) {
		long[] classes = new long[n];
		Arrays.fill(classes, targetClass);
		return new InputColumn(spec.inputs().get(ExplainContract.TARGET_CLASS), new long[] { n }, classes);
	}

	private Evaluated call(Map<String, InputColumn> inputs, int points) {
		Evaluated evaluated = servable.call(spec.key(), inputs, result -> {
			Outputs.Values outputs = Outputs.read(result,
					logit ? ExplainContract.LOGITS : ExplainContract.PROBABILITIES);
			Outputs.Values gradients = Outputs.read(result,
					logit ? ExplainContract.LOGIT_GRADIENTS : ExplainContract.PROBABILITY_GRADIENTS);
			return new Evaluated(outputs.column(targetClass, points), gradients.flat());
		});
		meter.called(points);
		return evaluated;
	}

	private record Evaluated(double[] values, double[] gradients) {
	}

}
