package dev.warden.platform.model;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The model catalogue's synchronisation from the workers ({@code warden.catalogue.*}).
 *
 * @param initialDelay first sync after start (WARDEN_CATALOGUE_INITIAL_DELAY)
 * @param syncInterval time between syncs (WARDEN_CATALOGUE_SYNC_INTERVAL)
 */
@ConfigurationProperties("warden.catalogue")
record CatalogueProperties(@DefaultValue("0s") Duration initialDelay, @DefaultValue("10s") Duration syncInterval) {

	CatalogueProperties {
		if (initialDelay.isNegative() || syncInterval.isNegative() || syncInterval.isZero()) {
			throw new IllegalArgumentException(
					"warden.catalogue.sync-interval must be positive and initial-delay not negative");
		}
	}

}
