package dev.warden.platform.routing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Model routing ({@code warden.routing.*}).
 *
 * @param refreshInterval how often every replica reloads canaries, pins and holds (and
 * the desired state derived from them) from the database
 * (WARDEN_ROUTING_REFRESH_INTERVAL): the bound on how late another replica's change is
 * seen
 */
@ConfigurationProperties("warden.routing")
record RoutingProperties(@DefaultValue("500ms") Duration refreshInterval) {

	RoutingProperties {
		if (refreshInterval.isNegative() || refreshInterval.isZero()) {
			throw new IllegalArgumentException("warden.routing.refresh-interval must be positive");
		}
	}

}
