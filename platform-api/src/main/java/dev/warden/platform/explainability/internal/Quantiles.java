package dev.warden.platform.explainability.internal;

/** Quantiles of sorted samples. */
public final class Quantiles {

	private Quantiles() {
	}

	/**
	 * The type-7 quantile (linear interpolation between order statistics, R's default) of
	 * ascending {@code sorted} at probability {@code p} in [0, 1].
	 */
	public static double type7(double[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		double h = (sorted.length - 1) * p;
		int lo = (int) Math.floor(h);
		int hi = Math.min(lo + 1, sorted.length - 1);
		return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
	}

}
