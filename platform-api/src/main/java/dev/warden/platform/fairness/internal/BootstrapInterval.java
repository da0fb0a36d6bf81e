package dev.warden.platform.fairness.internal;

import java.util.Arrays;

/**
 * A bootstrap percentile interval: the (1 − level)/2 and (1 + level)/2 quantiles of the
 * resampled values, each interpolated linearly between the two nearest order statistics
 * (the usual "type 7" quantile).
 *
 * @param low the lower bound
 * @param high the upper bound
 * @param used how many resamples had the metric defined
 */
public record BootstrapInterval(double low, double high, int used) {

	/**
	 * @param values the resampled values (the first {@code count} are used; the array is
	 * sorted in place)
	 * @param count how many are filled
	 * @param confidenceLevel e.g. 0.95
	 * @return the interval, {@code null} when {@code count} is 0
	 */
	public static BootstrapInterval percentile(double[] values, int count, double confidenceLevel) {
		if (count == 0) {
			return null;
		}
		Arrays.sort(values, 0, count);
		double alpha = (1 - confidenceLevel) / 2;
		return new BootstrapInterval(quantile(values, count, alpha), quantile(values, count, 1 - alpha), count);
	}

	static double quantile(double[] sorted, int count, double q) {
		double h = (count - 1) * q;
		int below = (int) Math.floor(h);
		if (below >= count - 1) {
			return sorted[count - 1];
		}
		double value = sorted[below] + (h - below) * (sorted[below + 1] - sorted[below]);
		return (value == 0) ? 0.0 : value;
	}

}
