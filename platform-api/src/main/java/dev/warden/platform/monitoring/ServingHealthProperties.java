package dev.warden.platform.monitoring;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Serving-health settings ({@code warden.monitoring.serving.*}), see
 * {@code docs/configuration.md}.
 *
 * @param flushInterval how often each replica adds the serving health it counted in
 * memory to {@code serving_minutes}, and how long after the start it first does
 * (WARDEN_MONITORING_SERVING_FLUSH_INTERVAL); it flushes once more at shutdown
 */
@ConfigurationProperties("warden.monitoring.serving")
record ServingHealthProperties(@DefaultValue("10s") Duration flushInterval) {

	ServingHealthProperties {
		if (flushInterval.isNegative() || flushInterval.isZero()) {
			throw new IllegalArgumentException("warden.monitoring.serving.flush-interval must be positive");
		}
	}

}
