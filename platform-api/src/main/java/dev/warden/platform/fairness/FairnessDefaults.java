package dev.warden.platform.fairness;

import org.springframework.stereotype.Component;

/**
 * The defaults of a fairness check's decision and comparison ({@code warden.fairness.*}),
 * for other modules that compute the same metrics on other counts (the live quality of
 * outcome feedback), so that a live number and a fairness report's number mean the same.
 */
@Component
public class FairnessDefaults {

	private final FairnessProperties properties;

	FairnessDefaults(FairnessProperties properties) {
		this.properties = properties;
	}

	/**
	 * The decision threshold: a row is predicted positive when the positive class's
	 * probability is at least this ({@code warden.fairness.threshold}).
	 */
	public double threshold() {
		return this.properties.threshold();
	}

	/**
	 * The index of the positive class in the model's probabilities
	 * ({@code warden.fairness.positive-class}).
	 */
	public int positiveClass() {
		return this.properties.positiveClass();
	}

	/**
	 * The suppression rule and interval level ({@code warden.fairness.min-group-size},
	 * {@code min-positives}, {@code confidence-level}).
	 */
	public GroupFairness.Rules rules() {
		return new GroupFairness.Rules(this.properties.minGroupSize(), this.properties.minPositives(),
				this.properties.confidenceLevel());
	}

}
