package dev.warden.platform.explainability.internal;

/**
 * A histogram with fixed, equal-width bins over [lo, hi), plus counts of the values below
 * lo and at or above hi. Not thread-safe.
 */
public final class FixedHistogram {

	private final double lo;

	private final double hi;

	private final long[] counts;

	private long below;

	private long above;

	public FixedHistogram(double lo, double hi, int bins) {
		if (!(hi > lo) || bins < 1) {
			throw new IllegalArgumentException("a histogram needs lo < hi and at least one bin");
		}
		this.lo = lo;
		this.hi = hi;
		this.counts = new long[bins];
	}

	/**
	 * Bins for values seen in {@code sample}: from its minimum to just above its maximum,
	 * widened to a non-empty range when all values are equal.
	 */
	public static FixedHistogram fitting(double min, double max, int bins) {
		if (!Double.isFinite(min) || !Double.isFinite(max)) {
			return new FixedHistogram(-1, 1, bins);
		}
		double width = max - min;
		if (width <= 0) {
			double pad = Math.max(Math.abs(min) * 0.01, 1e-12);
			return new FixedHistogram(min - pad, max + pad, bins);
		}
		// max falls inside the last bin rather than on the open upper edge
		return new FixedHistogram(min, max + width * 1e-9 + Double.MIN_NORMAL, bins);
	}

	public void add(double value) {
		if (Double.isNaN(value)) {
			return;
		}
		if (value < this.lo) {
			this.below++;
		}
		else if (value >= this.hi) {
			this.above++;
		}
		else {
			int bin = (int) ((value - this.lo) / (this.hi - this.lo) * this.counts.length);
			this.counts[Math.min(bin, this.counts.length - 1)]++;
		}
	}

	/** The bins + 1 edges, from lo to hi. */
	public double[] edges() {
		double[] edges = new double[this.counts.length + 1];
		for (int i = 0; i < edges.length; i++) {
			edges[i] = this.lo + (this.hi - this.lo) * i / this.counts.length;
		}
		edges[edges.length - 1] = this.hi;
		return edges;
	}

	public long[] counts() {
		return this.counts.clone();
	}

	public long below() {
		return this.below;
	}

	public long above() {
		return this.above;
	}

}
