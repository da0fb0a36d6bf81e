package dev.warden.platform.fairness;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of fairness checks ({@code warden.fairness.*}): whether a check is queued
 * automatically, and the defaults of a check's parameters (each job stores the values it
 * used); see docs/configuration.md and docs/governance.md#fairness-checks.
 *
 * @param autoQueue whether a check is queued when a version first becomes AVAILABLE and
 * its model has an evaluation dataset (on the newest, with these defaults)
 * @param threshold decision threshold: a row is predicted positive when the positive
 * class's probability is at least this
 * @param positiveClass the index of the positive class in the model's probabilities
 * @param seed the bootstrap's seed
 * @param resamples bootstrap resamples per interval (0: no bootstrap intervals)
 * @param confidenceLevel of every interval
 * @param minGroupSize a group with fewer rows is suppressed from the disparities
 * @param minPositives a group with fewer actual positives is suppressed
 * @param maxIntersectionOrder intersections of up to this many sensitive attributes (1:
 * none)
 * @param batchSize rows per prediction call to the worker
 */
@ConfigurationProperties("warden.fairness")
record FairnessProperties(@DefaultValue("true") boolean autoQueue, @DefaultValue("0.5") double threshold,
		@DefaultValue("1") int positiveClass, @DefaultValue("42") long seed, @DefaultValue("1000") int resamples,
		@DefaultValue("0.95") double confidenceLevel, @DefaultValue("30") int minGroupSize,
		@DefaultValue("10") int minPositives, @DefaultValue("2") int maxIntersectionOrder,
		@DefaultValue("256") int batchSize) {

	FairnessProperties {
		String problem = FairnessChecks.problem(threshold, positiveClass, seed, resamples, confidenceLevel,
				minGroupSize, minPositives, maxIntersectionOrder, batchSize);
		if (problem != null) {
			throw new IllegalArgumentException("warden.fairness: " + problem);
		}
	}

}
