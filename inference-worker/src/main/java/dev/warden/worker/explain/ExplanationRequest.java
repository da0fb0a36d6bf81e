package dev.warden.worker.explain;

import java.util.Map;

import dev.warden.worker.loader.InputColumn;

/**
 * The {@code parameters} of an explain request, typed but not yet checked against the
 * model (that is {@link Explanations}' work, which names the parameter in its errors).
 * Every field is null when the request leaves it out. docs/api.md lists them with their
 * defaults.
 *
 * @param method {@code integrated_gradients}, {@code kernel_shap} or {@code occlusion}
 * @param target {@code probability} or {@code logit}
 * @param output the serving signature's output to explain (KernelSHAP, occlusion)
 * @param targetClass the class (index into the output's last dimension)
 * @param steps integrated gradients: steps asked for
 * @param maxSteps integrated gradients: the most steps the completeness check may raise
 * them to
 * @param integration integrated gradients: {@code trapezoid} or {@code gauss_legendre}
 * @param baseline integrated gradients and occlusion: a named baseline or a row
 * @param background KernelSHAP: the caller's own background rows, decoded like instances
 * @param backgroundSize KernelSHAP: rows taken from the version's reference data
 * @param backgroundSummary KernelSHAP: {@code sample} or {@code kmeans}
 * @param samples KernelSHAP: coalitions drawn when there are too many features to
 * enumerate them
 * @param seed seed of the background sample, the k-means start and the coalition draws
 */
public record ExplanationRequest(String method, String target, String output, Integer targetClass, Integer steps,
		Integer maxSteps, String integration, Baseline baseline, Map<String, InputColumn> background,
		Integer backgroundSize, String backgroundSummary, Integer samples, Long seed) {

	/** Nothing asked for: every default. */
	public static final ExplanationRequest DEFAULTS = new ExplanationRequest(null, null, null, null, null, null, null,
			null, null, null, null, null, null);

	/** A baseline: one the model names, or a row of raw inputs given by the caller. */
	public sealed interface Baseline {

	}

	/** {@code "training"}, {@code "missing"} or {@code "zero"}. */
	public record NamedBaseline(String name) implements Baseline {
	}

	/** A row of the serving signature's inputs, decoded like one instance. */
	public record RowBaseline(Map<String, InputColumn> row) implements Baseline {
	}

}
