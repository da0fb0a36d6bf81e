package dev.warden.platform.model;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Model grants ({@code warden.grants.*}).
 *
 * @param refreshInterval how often every replica reloads the grants into memory
 * (WARDEN_GRANTS_REFRESH_INTERVAL): the bound on how late another replica's change is
 * seen
 */
@ConfigurationProperties("warden.grants")
record GrantsProperties(@DefaultValue("500ms") Duration refreshInterval) {

	GrantsProperties {
		if (refreshInterval.isNegative() || refreshInterval.isZero()) {
			throw new IllegalArgumentException("warden.grants.refresh-interval must be positive");
		}
	}

}
