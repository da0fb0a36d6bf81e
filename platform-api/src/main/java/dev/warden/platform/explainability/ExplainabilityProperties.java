package dev.warden.platform.explainability;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of explainability reports ({@code warden.explainability.*}); see
 * docs/configuration.md and docs/explainability.md.
 *
 * @param referenceData reference dataset uploads and storage
 * @param jobs the report job runners
 * @param report what a report computes, unless a job names its own value
 */
@ConfigurationProperties("warden.explainability")
record ExplainabilityProperties(@DefaultValue ReferenceData referenceData, @DefaultValue Jobs jobs,
		@DefaultValue Report report) {

	/**
	 * @param maxBytes largest CSV upload
	 * (WARDEN_EXPLAINABILITY_REFERENCE_DATA_MAX_BYTES); larger ones get 413
	 * @param maxRecordChars longest CSV record, in characters
	 * @param chunkRows rows per encrypted chunk (also the unit of a job's progress)
	 * @param registerShipped whether the shipped validation split is registered for the
	 * reference models {@code income} and {@code spam} when they have no reference
	 * dataset
	 */
	record ReferenceData(@DefaultValue("256MB") DataSize maxBytes, @DefaultValue("1048576") int maxRecordChars,
			@DefaultValue("1000") int chunkRows, @DefaultValue("true") boolean registerShipped) {

		ReferenceData {
			if (maxBytes.toBytes() < 1 || maxRecordChars < 1 || chunkRows < 1) {
				throw new IllegalArgumentException("warden.explainability.reference-data limits must be positive");
			}
		}

	}

	/**
	 * @param enabled whether this replica runs report jobs (jobs are still queued when
	 * false)
	 * @param concurrency jobs this replica runs at once; 0 = one per inference worker
	 * known (at least one)
	 * @param pollInterval how often the queue is looked at
	 * @param leaseTimeout a running job whose runner has not renewed its lease for this
	 * long is queued again (its replica is taken to have died)
	 * @param autoQueue whether a job is queued when a version first becomes AVAILABLE
	 * @param loadTimeout how long a claimed job waits for a worker to report its version
	 * AVAILABLE (the job holds the version loaded meanwhile); then it fails
	 */
	record Jobs(@DefaultValue("true") boolean enabled, @DefaultValue("0") int concurrency,
			@DefaultValue("2s") Duration pollInterval, @DefaultValue("2m") Duration leaseTimeout,
			@DefaultValue("true") boolean autoQueue, @DefaultValue("2m") Duration loadTimeout) {

		Jobs {
			if (concurrency < 0 || pollInterval.isNegative() || pollInterval.isZero()
					|| leaseTimeout.compareTo(Duration.ofSeconds(5)) < 0 || loadTimeout.isNegative()
					|| loadTimeout.isZero()) {
				throw new IllegalArgumentException("warden.explainability.jobs: concurrency >= 0, poll-interval > 0, "
						+ "lease-timeout >= 5s, load-timeout > 0");
			}
		}

	}

	/**
	 * Defaults of a job's parameters (each job stores the values it used).
	 *
	 * @param method the attribution method when a job names none ({@code null}: the
	 * worker's choice for the version)
	 * @param seed the seed when a job names none
	 * @param sampleSize rows explained when a job names no {@code sample_size}
	 * @param batchSize rows per explanation call to the worker
	 * @param bootstrapReplicates replicates of the Poisson bootstrap
	 * @param confidenceLevel of the bootstrap intervals
	 * @param histogramBins bins of each feature's attribution histogram
	 * @param histogramWarmup explanations the bins are fitted to
	 * @param topK features with a partial-dependence curve
	 * @param pdRows rows of the partial-dependence sample
	 * @param pdGridPoints values per partial-dependence curve
	 * @param tokensPerClass tokens reported per class (text models)
	 * @param maxTrackedTokens distinct tokens tracked per class
	 * @param minTokenCount occurrences a reported token needs
	 */
	record Report(String method, @DefaultValue("42") long seed, @DefaultValue("1000") long sampleSize,
			@DefaultValue("10") int batchSize, @DefaultValue("200") int bootstrapReplicates,
			@DefaultValue("0.95") double confidenceLevel, @DefaultValue("20") int histogramBins,
			@DefaultValue("1000") int histogramWarmup, @DefaultValue("3") int topK, @DefaultValue("200") int pdRows,
			@DefaultValue("10") int pdGridPoints, @DefaultValue("50") int tokensPerClass,
			@DefaultValue("20000") int maxTrackedTokens, @DefaultValue("3") int minTokenCount) {

		Report {
			if (sampleSize < 1 || batchSize < 1 || bootstrapReplicates < 2 || !(confidenceLevel > 0)
					|| !(confidenceLevel < 1) || histogramBins < 1 || histogramWarmup < 1 || topK < 0 || pdRows < 1
					|| pdGridPoints < 1 || tokensPerClass < 1 || maxTrackedTokens < 2 || minTokenCount < 1) {
				throw new IllegalArgumentException("warden.explainability.report: a setting is out of range");
			}
			// empty (the environment variable's unset value) = no method: the worker
			// chooses
			if (method != null && method.isBlank()) {
				method = null;
			}
		}

	}

}
