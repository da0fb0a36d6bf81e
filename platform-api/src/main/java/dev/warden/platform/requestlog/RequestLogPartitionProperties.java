package dev.warden.platform.requestlog;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Monthly partitions of the request log ({@code warden.request-log.partitions.*}), see
 * {@code docs/configuration.md}. How long rows are kept is policy ({@code retention} in
 * {@code policies/logging.yaml}), not configuration.
 *
 * @param monthsAhead months after the current one whose partitions are created in advance
 * @param cron when the daily maintenance runs (partitions ahead, then retention), UTC;
 * {@code -} = never (start-up still creates the partitions ahead)
 * @param lockTimeout longest wait for the table locks that creating or dropping a
 * partition takes; the run is abandoned (and retried at the next run) rather than holding
 * up request-log writes behind it
 */
@ConfigurationProperties("warden.request-log.partitions")
record RequestLogPartitionProperties(@DefaultValue("3") int monthsAhead, @DefaultValue("0 30 3 * * *") String cron,
		@DefaultValue("5s") Duration lockTimeout) {

	RequestLogPartitionProperties {
		if (monthsAhead < 1 || monthsAhead > 24) {
			throw new IllegalArgumentException("warden.request-log.partitions.months-ahead must be from 1 to 24");
		}
		if (lockTimeout.isNegative() || lockTimeout.isZero()) {
			throw new IllegalArgumentException("warden.request-log.partitions.lock-timeout must be positive");
		}
	}

}
