package dev.warden.platform.fairness.internal;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The Wilson score interval of a proportion k / n:
 * {@code (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)}, with z the two-sided
 * standard normal quantile of the confidence level. Unlike the Wald interval it stays
 * inside [0, 1] and is not empty at k = 0 or k = n.
 *
 * @param low the lower bound
 * @param high the upper bound
 */
public record WilsonInterval(double low, double high) {

	private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

	/**
	 * The two-sided standard normal quantile of a confidence level: Φ⁻¹(1 − (1 −
	 * level)/2), 1.959963984540054 for 0.95.
	 */
	public static double z(double confidenceLevel) {
		if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
			throw new IllegalArgumentException(
					"the confidence level must be between 0 and 1 (exclusive), not " + confidenceLevel);
		}
		return STANDARD_NORMAL.inverseSurvivalProbability((1 - confidenceLevel) / 2);
	}

	/**
	 * @param successes k
	 * @param trials n (at least 1)
	 * @param z the quantile ({@link #z(double)})
	 */
	public static WilsonInterval of(long successes, long trials, double z) {
		if (trials < 1 || successes < 0 || successes > trials) {
			throw new IllegalArgumentException("a Wilson interval needs 0 <= k <= n and n >= 1");
		}
		double n = trials;
		double p = successes / n;
		double z2 = z * z;
		double denominator = 1 + z2 / n;
		double centre = (p + z2 / (2 * n)) / denominator;
		double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
		double low = (successes == 0) ? 0 : Math.max(0, centre - half);
		double high = (successes == trials) ? 1 : Math.min(1, centre + half);
		return new WilsonInterval(low, high);
	}

}
