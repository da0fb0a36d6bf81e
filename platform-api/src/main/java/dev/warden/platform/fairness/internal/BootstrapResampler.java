package dev.warden.platform.fairness.internal;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.apache.commons.statistics.distribution.BinomialDistribution;

/**
 * Resamples a group's rows with replacement from its confusion counts alone: drawing n
 * rows with replacement from a group of n rows is a multinomial draw of n over its four
 * cells (TP, FP, TN, FN) with the observed proportions, sampled as successive binomials
 * (Commons Statistics' binomial sampler on a seeded Commons RNG XoRoShiRo128++
 * generator). The same seed, stream and sequence of calls give the same draws. Not
 * thread-safe.
 */
public final class BootstrapResampler {

	private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

	private final UniformRandomProvider random;

	/**
	 * @param seed the report's seed
	 * @param stream names an independent sequence for one part of the report (an
	 * attribute or intersection), so that each part's draws depend only on the seed and
	 * its own counts
	 */
	public BootstrapResampler(long seed, String stream) {
		long mixed = seed + GOLDEN_GAMMA * (stream.hashCode() + 1L);
		this.random = RandomSource.XO_RO_SHI_RO_128_PP.create(mixed);
	}

	/** n rows drawn with replacement from the group's n rows, as counts. */
	public GroupCounts resample(GroupCounts observed) {
		long[] cells = { observed.tp(), observed.fp(), observed.tn(), observed.fn() };
		long[] drawn = new long[4];
		long trials = observed.n();
		long remaining = trials;
		for (int i = 0; i < 4 && trials > 0; i++) {
			if (cells[i] == 0) {
				continue;
			}
			long x = (cells[i] == remaining) ? trials : binomial(trials, cells[i] / (double) remaining);
			drawn[i] = x;
			trials -= x;
			remaining -= cells[i];
		}
		return new GroupCounts(drawn[0], drawn[1], drawn[2], drawn[3]);
	}

	/** A draw of Binomial(trials, p). */
	long binomial(long trials, double p) {
		if (trials == 0 || p <= 0) {
			return 0;
		}
		if (p >= 1) {
			return trials;
		}
		if (trials > Integer.MAX_VALUE) {
			throw new IllegalStateException("a group of " + trials + " rows is too large to resample");
		}
		return BinomialDistribution.of((int) trials, p).createSampler(this.random).sample();
	}

}
