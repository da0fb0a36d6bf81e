package dev.warden.platform.explainability.internal;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Bootstrap intervals of per-feature means over a stream of rows, in memory independent
 * of the number of rows: the Poisson bootstrap. Each row gets, for each of B replicates,
 * a weight drawn from Poisson(1) by a generator seeded with the report's seed (so the
 * same rows in the same order give the same intervals); replicate b's mean of feature f
 * is {@code Σ w_b·x_f / Σ w_b}. The interval is the percentile interval of the B
 * replicate means (type-7 quantiles at (1 − level)/2 and (1 + level)/2). Memory: B × F
 * sums. Not thread-safe.
 */
public final class PoissonBootstrap {

	private static final double EXP_MINUS_ONE = Math.exp(-1);

	private final SplittableRandom random;

	private final double[] weights;

	private final double[][] sums;

	private final int[] drawn;

	public PoissonBootstrap(int replicates, int features, long seed) {
		if (replicates < 2) {
			throw new IllegalArgumentException("at least 2 bootstrap replicates are needed");
		}
		this.random = new SplittableRandom(seed);
		this.weights = new double[replicates];
		this.sums = new double[replicates][features];
		this.drawn = new int[replicates];
	}

	/** Adds one row: {@code values[f]} for every feature. */
	public void add(double[] values) {
		for (int b = 0; b < this.drawn.length; b++) {
			int w = poisson();
			if (w == 0) {
				continue;
			}
			this.weights[b] += w;
			double[] sum = this.sums[b];
			for (int f = 0; f < values.length; f++) {
				sum[f] += w * values[f];
			}
		}
	}

	/** Knuth's method for Poisson(1): about two uniform draws on average. */
	private int poisson() {
		int k = 0;
		double p = this.random.nextDouble();
		while (p > EXP_MINUS_ONE) {
			k++;
			p *= this.random.nextDouble();
		}
		return k;
	}

	public int replicates() {
		return this.drawn.length;
	}

	/**
	 * {@code [lo, hi]} of feature {@code f} at confidence {@code level}; {@code NaN}s
	 * when no replicate drew a row.
	 */
	public double[] interval(int f, double level) {
		double[] means = new double[this.drawn.length];
		int n = 0;
		for (int b = 0; b < this.drawn.length; b++) {
			if (this.weights[b] > 0) {
				means[n++] = this.sums[b][f] / this.weights[b];
			}
		}
		if (n == 0) {
			return new double[] { Double.NaN, Double.NaN };
		}
		double[] sorted = Arrays.copyOf(means, n);
		Arrays.sort(sorted);
		return new double[] { Quantiles.type7(sorted, (1 - level) / 2), Quantiles.type7(sorted, (1 + level) / 2) };
	}

}
