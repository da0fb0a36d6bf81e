package dev.warden.platform.monitoring;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Data-drift settings ({@code warden.monitoring.drift.*}), see
 * {@code docs/configuration.md}; the thresholds are in {@code policies/monitoring.yaml}.
 *
 * @param enabled whether 2xx predict and infer calls are observed at all
 * (WARDEN_MONITORING_DRIFT_ENABLED)
 * @param flushInterval how often each replica adds its live counts to
 * {@code drift_live_chunks} (WARDEN_MONITORING_DRIFT_FLUSH_INTERVAL); also at shutdown
 * @param chunk the length of a live chunk: whole seconds that divide a minute (1s … 60s;
 * every replica must use the same) (WARDEN_MONITORING_DRIFT_CHUNK)
 * @param queueCapacity calls waiting to be parsed at most; a call that finds the queue
 * full is skipped and counted (WARDEN_MONITORING_DRIFT_QUEUE_CAPACITY)
 * @param queueMaxBytes request and answer bytes waiting to be parsed at most, likewise
 * (WARDEN_MONITORING_DRIFT_QUEUE_MAX_BYTES)
 * @param policyReloadInterval how often {@code monitoring.yaml} is re-read
 * (WARDEN_MONITORING_DRIFT_POLICY_RELOAD_INTERVAL)
 * @param profileRefresh how long a replica keeps a version's reference profile (or its
 * absence) before it looks again (WARDEN_MONITORING_DRIFT_PROFILE_REFRESH)
 * @param autoQueue whether a version's reference profile job is queued when it first
 * becomes available (WARDEN_MONITORING_DRIFT_AUTO_QUEUE)
 * @param batchSize rows per prediction call of the profile job
 */
@ConfigurationProperties("warden.monitoring.drift")
record DriftProperties(@DefaultValue("true") boolean enabled, @DefaultValue("10s") Duration flushInterval,
		@DefaultValue("60s") Duration chunk, @DefaultValue("1024") int queueCapacity,
		@DefaultValue("64MB") DataSize queueMaxBytes, @DefaultValue("1s") Duration policyReloadInterval,
		@DefaultValue("30s") Duration profileRefresh, @DefaultValue("true") boolean autoQueue,
		@DefaultValue("256") int batchSize) {

	DriftProperties {
		if (flushInterval.isNegative() || flushInterval.isZero()) {
			throw new IllegalArgumentException("warden.monitoring.drift.flush-interval must be positive");
		}
		long seconds = chunk.getSeconds();
		if (chunk.getNano() != 0 || seconds < 1 || seconds > 60 || 60 % seconds != 0) {
			throw new IllegalArgumentException(
					"warden.monitoring.drift.chunk must be whole seconds that divide a minute (1s, 2s, ..., 30s, 60s)");
		}
		if (queueCapacity < 1 || queueCapacity > 1_000_000) {
			throw new IllegalArgumentException("warden.monitoring.drift.queue-capacity must be 1 to 1,000,000");
		}
		if (queueMaxBytes.toBytes() < 1) {
			throw new IllegalArgumentException("warden.monitoring.drift.queue-max-bytes must be positive");
		}
		if (policyReloadInterval.isNegative() || policyReloadInterval.isZero() || profileRefresh.isNegative()) {
			throw new IllegalArgumentException(
					"warden.monitoring.drift.policy-reload-interval must be positive, profile-refresh not negative");
		}
		if (batchSize < 1 || batchSize > 10_000) {
			throw new IllegalArgumentException("warden.monitoring.drift.batch-size must be 1 to 10,000");
		}
	}

}
