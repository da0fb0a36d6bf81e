package dev.warden.platform.routing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Model routing and the desired state derived from it ({@code warden.routing.*}).
 *
 * @param refreshInterval how often every replica reloads canaries, pins and holds, and
 * derives the desired state from them (WARDEN_ROUTING_REFRESH_INTERVAL): the bound on how
 * late another replica's change is seen
 * @param latestVersions how many of the newest versions of a model with no stable version
 * the workers load (WARDEN_ROUTING_LATEST_VERSIONS); versions that failed to load are
 * skipped
 */
@ConfigurationProperties("warden.routing")
record RoutingProperties(@DefaultValue("500ms") Duration refreshInterval, @DefaultValue("1") int latestVersions) {

	RoutingProperties {
		if (refreshInterval.isNegative() || refreshInterval.isZero()) {
			throw new IllegalArgumentException("warden.routing.refresh-interval must be positive");
		}
		if (latestVersions < 1) {
			throw new IllegalArgumentException("warden.routing.latest-versions must be at least 1");
		}
	}

}
