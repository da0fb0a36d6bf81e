package dev.warden.platform.monitoring.internal;

/**
 * The drift statistics between a reference and a live distribution given as counts in the
 * same bins (docs/monitoring.md#the-statistics). With r and c the reference's and the
 * live proportions per bin:
 * <ul>
 * <li>PSI = Σ (cᵢ − rᵢ) ln(cᵢ / rᵢ), natural log, every proportion first floored at
 * {@link #PSI_EPSILON} (an empty bin would make it infinite; no renormalisation
 * after);</li>
 * <li>Jensen–Shannon distance = √(½ Σ rᵢ log₂(rᵢ/mᵢ) + ½ Σ cᵢ log₂(cᵢ/mᵢ)) with m = (r +
 * c)/2 and 0 log 0 = 0: base 2, so it lies in [0, 1]; no smoothing;</li>
 * <li>binned Kolmogorov–Smirnov D = max over the bins' upper edges of |R − C|, R and C
 * the cumulative proportions of the ordered bins: the two-sample KS statistic evaluated
 * only at the bin edges, so at most the KS statistic of the raw values.</li>
 * </ul>
 */
public final class DriftStatistics {

	/** The floor of a proportion in PSI (Evidently's, per GOVERNANCE notes). */
	public static final double PSI_EPSILON = 1e-4;

	private DriftStatistics() {
	}

	/** The sum of the counts. */
	public static long total(long[] counts) {
		long n = 0;
		for (long c : counts) {
			n += c;
		}
		return n;
	}

	/**
	 * Population stability index; {@code NaN} when either side has no counts.
	 */
	public static double psi(long[] reference, long[] live) {
		check(reference, live);
		long nr = total(reference);
		long nc = total(live);
		if (nr == 0 || nc == 0) {
			return Double.NaN;
		}
		double psi = 0;
		for (int i = 0; i < reference.length; i++) {
			double r = Math.max((double) reference[i] / nr, PSI_EPSILON);
			double c = Math.max((double) live[i] / nc, PSI_EPSILON);
			psi += (c - r) * Math.log(c / r);
		}
		return psi;
	}

	/**
	 * Jensen–Shannon distance, log base 2, in [0, 1]; {@code NaN} when either side has no
	 * counts.
	 */
	public static double jensenShannon(long[] reference, long[] live) {
		check(reference, live);
		long nr = total(reference);
		long nc = total(live);
		if (nr == 0 || nc == 0) {
			return Double.NaN;
		}
		double divergence = 0;
		for (int i = 0; i < reference.length; i++) {
			double r = (double) reference[i] / nr;
			double c = (double) live[i] / nc;
			double m = (r + c) / 2;
			if (r > 0) {
				divergence += 0.5 * r * log2(r / m);
			}
			if (c > 0) {
				divergence += 0.5 * c * log2(c / m);
			}
		}
		// rounding can leave a tiny negative or a value just above 1
		return Math.sqrt(Math.min(1, Math.max(0, divergence)));
	}

	/**
	 * Binned two-sample Kolmogorov–Smirnov statistic over ordered bins; {@code NaN} when
	 * either side has no counts.
	 */
	public static double kolmogorovSmirnov(long[] reference, long[] live) {
		check(reference, live);
		long nr = total(reference);
		long nc = total(live);
		if (nr == 0 || nc == 0) {
			return Double.NaN;
		}
		long cr = 0;
		long cc = 0;
		double d = 0;
		for (int i = 0; i < reference.length; i++) {
			cr += reference[i];
			cc += live[i];
			d = Math.max(d, Math.abs((double) cr / nr - (double) cc / nc));
		}
		return d;
	}

	/**
	 * The asymptotic p-value of the two-sample KS test for a statistic {@code d} of
	 * samples of {@code n} and {@code m} values: Q(λ) = 2 Σⱼ (−1)ʲ⁻¹ e^(−2j²λ²) with λ =
	 * (√nₑ + 0.12 + 0.11/√nₑ)·d and nₑ = n·m/(n + m) (Stephens' approximation). For a
	 * binned statistic (at most the raw one) it is at least the raw data's p-value.
	 * {@code NaN} when a sample is empty.
	 */
	public static double kolmogorovSmirnovPValue(double d, long n, long m) {
		if (Double.isNaN(d) || n <= 0 || m <= 0) {
			return Double.NaN;
		}
		double root = Math.sqrt((double) n * m / (n + m));
		return kolmogorovQ((root + 0.12 + 0.11 / root) * d);
	}

	/** The Kolmogorov distribution's upper tail Q(λ) = P(K > λ). */
	static double kolmogorovQ(double lambda) {
		if (lambda < 0.2) {
			// the series converges slowly here, and Q is 1 to 12 decimals
			return 1;
		}
		double sum = 0;
		for (int j = 1; j <= 100; j++) {
			double term = 2 * ((j % 2 == 1) ? 1 : -1) * Math.exp(-2.0 * j * j * lambda * lambda);
			sum += term;
			if (Math.abs(term) < 1e-12) {
				break;
			}
		}
		return Math.min(1, Math.max(0, sum));
	}

	private static double log2(double x) {
		return Math.log(x) / Math.log(2);
	}

	private static void check(long[] reference, long[] live) {
		if (reference.length != live.length || reference.length == 0) {
			throw new IllegalArgumentException(
					"bins differ: " + reference.length + " reference and " + live.length + " live counts");
		}
	}

}
