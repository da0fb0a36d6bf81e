package dev.warden.platform.fairness.internal;

import tools.jackson.databind.node.ObjectNode;

/**
 * The metrics of a fairness check computed from a {@link FairnessTally}.
 */
public final class FairnessAnalysis {

	private FairnessAnalysis() {
	}

	/**
	 * @param tally the counted rows
	 * @param settings how to compute
	 * @return the report's results (docs/governance.md)
	 */
	public static ObjectNode analyse(FairnessTally tally, Settings settings) {
		throw new UnsupportedOperationException("not built yet");
	}

	/**
	 * @param seed the bootstrap's seed
	 * @param resamples bootstrap resamples (0: no bootstrap intervals)
	 * @param confidenceLevel of every interval (0.95)
	 * @param minGroupSize a group with fewer rows is suppressed from disparities (30)
	 * @param minPositives a group with fewer actual positives is suppressed (10)
	 * @param maxIntersectionOrder intersections of up to this many attributes (2..)
	 */
	public record Settings(long seed, int resamples, double confidenceLevel, int minGroupSize, int minPositives,
			int maxIntersectionOrder) {
	}

}
