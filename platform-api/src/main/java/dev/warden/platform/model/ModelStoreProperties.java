package dev.warden.platform.model;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The model store shared with the inference workers, and the limits of model uploads
 * ({@code warden.models.*}).
 *
 * @param store the directory store, {@code <store>/<model>/<version>/saved_model.pb}
 * (WARDEN_MODEL_STORE): uploads are staged and written here (the validating worker is
 * sent the version's archive and needs no access to it); a worker on the same machine
 * serves from the same data directory, workers on other machines copy the versions from
 * the model store in PostgreSQL ({@link ModelArchives})
 * @param upload limits applied to {@code POST /api/admin/models/{model}/versions}
 * @param importInterval how often the versions of the directory store that the database's
 * model store lacks are imported into it (also once at start;
 * WARDEN_MODEL_STORE_IMPORT_INTERVAL)
 */
@ConfigurationProperties("warden.models")
public record ModelStoreProperties(@DefaultValue("data/models") Path store, @DefaultValue Upload upload,
		@DefaultValue("30s") Duration importInterval) {

	public ModelStoreProperties {
		if (importInterval.isNegative() || importInterval.isZero()) {
			throw new IllegalArgumentException("warden.models.import-interval must be positive");
		}
	}

	/**
	 * @param maxBytes largest accepted archive (WARDEN_MODEL_UPLOAD_MAX_BYTES); larger
	 * uploads get 413
	 * @param maxUncompressedBytes largest total of the bytes an archive unpacks to (zip
	 * bombs)
	 * @param maxEntries most entries (files and directories) an archive may have
	 */
	public record Upload(@DefaultValue("256MB") DataSize maxBytes, @DefaultValue("1GB") DataSize maxUncompressedBytes,
			@DefaultValue("10000") int maxEntries) {

		public Upload {
			if (maxBytes.toBytes() <= 0 || maxUncompressedBytes.toBytes() <= 0 || maxEntries <= 0) {
				throw new IllegalArgumentException("warden.models.upload limits must be positive");
			}
		}

	}

}
