package dev.warden.platform.requestlog;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Request-log settings ({@code warden.request-log.*}), see {@code docs/configuration.md}.
 *
 * @param enabled {@code false} releases data-plane answers without writing any record:
 * for benchmarks only (announced in the log and the audit trail at every start)
 * @param failOpen default of the fail-open switch when no administrator has set it
 * (stored setting wins)
 * @param queueCapacity records that may wait for the writer; beyond it a request is
 * answered 503 at once
 * @param maxBatchSize most records committed in one transaction
 * @param writerThreads threads (each with its own connection) committing batches
 * @param commitDelay how long a writer that took a batch may wait for more records while
 * other data-plane requests are still being processed (0 = commit at once); a lone
 * request never waits
 * @param spillCapacity fail-open only: records kept in memory while the database is
 * unavailable
 * @param spillRetryInterval how often the spilled records are retried
 * @param settingsRefreshInterval how often the stored fail-open switch is re-read (bound
 * on how late another replica's change is applied)
 * @param connectionTimeout how long a batch waits for a connection before it counts as
 * failed
 * @param writeTimeout how long a request waits for its record's commit before it is
 * answered as failed
 */
@ConfigurationProperties("warden.request-log")
record RequestLogProperties(@DefaultValue("true") boolean enabled, @DefaultValue("false") boolean failOpen,
		@DefaultValue("10000") int queueCapacity, @DefaultValue("1000") int maxBatchSize,
		@DefaultValue("2") int writerThreads, @DefaultValue("5ms") Duration commitDelay,
		@DefaultValue("4") int commitSiblings, @DefaultValue("100000") int spillCapacity,
		@DefaultValue("1s") Duration spillRetryInterval, @DefaultValue("2s") Duration settingsRefreshInterval,
		@DefaultValue("1s") Duration connectionTimeout, @DefaultValue("10s") Duration writeTimeout) {

	RequestLogProperties {
		if (queueCapacity < 1 || maxBatchSize < 1 || writerThreads < 1 || spillCapacity < 0) {
			throw new IllegalArgumentException(
					"warden.request-log: queue-capacity, max-batch-size and writer-threads must be >= 1, "
							+ "spill-capacity >= 0");
		}
		if (commitSiblings < 1) {
			throw new IllegalArgumentException("warden.request-log.commit-siblings must be >= 1");
		}
		if (commitDelay.isNegative() || commitDelay.compareTo(Duration.ofMillis(100)) > 0) {
			throw new IllegalArgumentException(
					"warden.request-log.commit-delay must be between 0 and 100ms, was " + commitDelay);
		}
	}

}
