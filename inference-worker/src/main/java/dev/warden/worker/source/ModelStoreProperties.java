package dev.warden.worker.source;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The model store the worker serves from.
 *
 * @param path root directory, laid out as
 * {@code <path>/<model>/<integer version>/saved_model.pb}
 * @param pollInterval how often the store is scanned for new or removed versions
 */
@ConfigurationProperties("warden.worker.model-store")
public record ModelStoreProperties(@DefaultValue("data/models") Path path, @DefaultValue("5s") Duration pollInterval) {

	public ModelStoreProperties {
		if (pollInterval.isNegative() || pollInterval.isZero()) {
			throw new IllegalArgumentException("warden.worker.model-store.poll-interval must be positive");
		}
	}

}
