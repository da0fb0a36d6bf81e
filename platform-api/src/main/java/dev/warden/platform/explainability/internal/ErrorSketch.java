package dev.warden.platform.explainability.internal;

/**
 * Statistics of the absolute completeness (integrated gradients) or efficiency (SHAP)
 * errors of a report's explanations in fixed memory: count, exact maximum and mean, and
 * the 95th percentile from a histogram of log10|error| with 20 bins per decade from 1e-16
 * to 1e6 (zeros counted apart): the percentile is the upper edge of the bin that holds it
 * (at most 12.2% above the true value), capped at the maximum. Not thread-safe.
 */
public final class ErrorSketch {

	private static final int BINS_PER_DECADE = 20;

	private static final int MIN_EXPONENT = -16;

	private static final int BINS = (6 - MIN_EXPONENT) * BINS_PER_DECADE;

	private final long[] bins = new long[BINS];

	private long zeros;

	private long count;

	private double sum;

	private double max;

	public void add(double error) {
		if (Double.isNaN(error)) {
			return;
		}
		double magnitude = Math.abs(error);
		this.count++;
		this.sum += magnitude;
		this.max = Math.max(this.max, magnitude);
		if (magnitude == 0) {
			this.zeros++;
			return;
		}
		int bin = (int) Math.floor((Math.log10(magnitude) - MIN_EXPONENT) * BINS_PER_DECADE);
		this.bins[Math.max(0, Math.min(BINS - 1, bin))]++;
	}

	public long count() {
		return this.count;
	}

	public double max() {
		return this.max;
	}

	public double mean() {
		return (this.count > 0) ? this.sum / this.count : Double.NaN;
	}

	/** The {@code q} quantile (0 < q ≤ 1) as described above. */
	public double quantile(double q) {
		if (this.count == 0) {
			return Double.NaN;
		}
		long rank = (long) Math.ceil(q * this.count);
		long seen = this.zeros;
		if (seen >= rank) {
			return 0;
		}
		for (int i = 0; i < BINS; i++) {
			seen += this.bins[i];
			if (seen >= rank) {
				double upper = Math.pow(10, (double) (i + 1) / BINS_PER_DECADE + MIN_EXPONENT);
				return Math.min(upper, this.max);
			}
		}
		return this.max;
	}

}
