package dev.warden.worker.explain;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds on the work one explain request may cause.
 *
 * @param maxInstances most instances in one explain request (each is explained on its
 * own; the request holds a request thread meanwhile)
 * @param maxCallElements most input elements in one TensorFlow call an explanation makes
 * (rows × features; for text, points × tokens × embedding width, or characters / 4): the
 * many evaluations of one explanation are cut into calls of this size. The default,
 * 1,048,576, is 4 MiB of floats per input tensor
 * @param maxTextChars longest text (in characters) a text model explains; a longer one is
 * a 400 naming the instance. Occlusion re-predicts the text once per token, so its cost
 * grows with the square of the length
 * @param kernelShapExactFeatures KernelSHAP enumerates every coalition up to this many
 * features and samples beyond. The default, 11, is where enumeration (2^11 − 2 = 2,046
 * coalitions) costs no more than the default sample of 2,048; at 14 features (income)
 * enumeration evaluates 8 times as many rows (see docs/explainability.md)
 */
@ConfigurationProperties("warden.worker.explain")
public record ExplainProperties(@DefaultValue("16") int maxInstances, @DefaultValue("1048576") int maxCallElements,
		@DefaultValue("20000") int maxTextChars, @DefaultValue("11") int kernelShapExactFeatures) {

	public ExplainProperties {
		if (maxInstances < 1 || maxCallElements < 1024 || maxTextChars < 1 || kernelShapExactFeatures < 1
				|| kernelShapExactFeatures > 20) {
			throw new IllegalArgumentException("warden.worker.explain: max-instances >= 1, max-call-elements >= 1024, "
					+ "max-text-chars >= 1 and kernel-shap-exact-features in [1, 20] are required");
		}
	}

	/** The defaults, for code that runs without Spring (benchmarks). */
	public static ExplainProperties defaults() {
		return new ExplainProperties(16, 1 << 20, 20_000, 11);
	}

}
