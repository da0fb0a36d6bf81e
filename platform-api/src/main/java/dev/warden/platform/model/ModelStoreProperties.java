package dev.warden.platform.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

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
 * @param archiveStore where the archives of new versions are written
 * (WARDEN_MODEL_ARCHIVE_STORE): {@code postgresql} (the default) or {@code s3}; a version
 * is always read from the store its row names
 * @param s3 the bucket of the {@code s3} archive store (also needed to read versions
 * stored there after switching back to {@code postgresql})
 */
@ConfigurationProperties("warden.models")
public record ModelStoreProperties(@DefaultValue("data/models") Path store, @DefaultValue Upload upload,
		@DefaultValue("30s") Duration importInterval, @DefaultValue("postgresql") ArchiveStore archiveStore,
		@DefaultValue S3 s3) {

	public ModelStoreProperties {
		if (importInterval.isNegative() || importInterval.isZero()) {
			throw new IllegalArgumentException("warden.models.import-interval must be positive");
		}
		if (archiveStore == ArchiveStore.S3 && !s3.configured()) {
			throw new IllegalArgumentException(
					"warden.models.archive-store=s3 needs warden.models.s3.bucket (WARDEN_MODEL_S3_BUCKET)");
		}
	}

	/** Where the bytes of a version's archive live. */
	public enum ArchiveStore {

		/** In {@code model_store_chunks}, beside the version's row. */
		POSTGRESQL,

		/** One object in the bucket of {@code warden.models.s3}. */
		S3;

		/** The value of {@code model_store_archives.archive_store}. */
		public String column() {
			return name().toLowerCase(Locale.ROOT);
		}

		/** The store a row's {@code archive_store} names. */
		public static ArchiveStore ofColumn(String column) {
			return valueOf(column.toUpperCase(Locale.ROOT));
		}

	}

	/**
	 * An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...). Credentials are never
	 * logged ({@link #toString()} leaves the secret out).
	 *
	 * @param endpoint the service's URL (WARDEN_MODEL_S3_ENDPOINT); empty: AWS S3 of the
	 * region
	 * @param region the signing region (WARDEN_MODEL_S3_REGION); empty: the SDK's region
	 * chain ({@code AWS_REGION}, profile, instance metadata), or {@code us-east-1} with
	 * an endpoint
	 * @param bucket the bucket (WARDEN_MODEL_S3_BUCKET); empty: no S3 store
	 * @param prefix the key prefix of the archives (WARDEN_MODEL_S3_PREFIX), keys are
	 * {@code <prefix>/<model>/<version>/<sha256>.zip}
	 * @param pathStyle path-style URLs ({@code <endpoint>/<bucket>/<key>}) instead of
	 * virtual hosts (WARDEN_MODEL_S3_PATH_STYLE); most S3-compatible servers need it
	 * @param accessKeyId the access key (WARDEN_MODEL_S3_ACCESS_KEY_ID); empty: the SDK's
	 * default credentials chain (environment, profile, web identity, container or
	 * instance role)
	 * @param secretAccessKey its secret (WARDEN_MODEL_S3_SECRET_ACCESS_KEY)
	 * @param createBucket create the bucket at start when it does not exist
	 * (WARDEN_MODEL_S3_CREATE_BUCKET); otherwise a missing bucket fails the start
	 * @param connectTimeout bound of opening a connection
	 * (WARDEN_MODEL_S3_CONNECT_TIMEOUT)
	 * @param readTimeout bound of each wait for the service's answer or the next bytes
	 * (WARDEN_MODEL_S3_READ_TIMEOUT)
	 */
	public record S3(@DefaultValue("") String endpoint, @DefaultValue("") String region,
			@DefaultValue("") String bucket, @DefaultValue("models") String prefix,
			@DefaultValue("false") boolean pathStyle, @DefaultValue("") String accessKeyId,
			@DefaultValue("") String secretAccessKey, @DefaultValue("false") boolean createBucket,
			@DefaultValue("5s") Duration connectTimeout, @DefaultValue("30s") Duration readTimeout) {

		public S3 {
			if (accessKeyId.isBlank() != secretAccessKey.isBlank()) {
				throw new IllegalArgumentException("warden.models.s3.access-key-id and secret-access-key "
						+ "go together (or leave both empty for the SDK's default credentials chain)");
			}
			if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative()
					|| readTimeout.isZero()) {
				throw new IllegalArgumentException("warden.models.s3 timeouts must be positive");
			}
		}

		/** Whether a bucket is set. */
		public boolean configured() {
			return !this.bucket.isBlank();
		}

		/** The prefix without leading or trailing slashes; empty for none. */
		public String normalizedPrefix() {
			String trimmed = this.prefix.strip();
			int start = 0;
			int end = trimmed.length();
			while (start < end && trimmed.charAt(start) == '/') {
				start++;
			}
			while (end > start && trimmed.charAt(end - 1) == '/') {
				end--;
			}
			return trimmed.substring(start, end);
		}

		@Override
		public String toString() {
			return "S3[endpoint=" + this.endpoint + ", region=" + this.region + ", bucket=" + this.bucket + ", prefix="
					+ this.prefix + ", pathStyle=" + this.pathStyle + ", accessKeyId=" + this.accessKeyId
					+ ", secretAccessKey=" + (this.secretAccessKey.isEmpty() ? "" : "(hidden)") + ", createBucket="
					+ this.createBucket + ", connectTimeout=" + this.connectTimeout + ", readTimeout="
					+ this.readTimeout + "]";
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
