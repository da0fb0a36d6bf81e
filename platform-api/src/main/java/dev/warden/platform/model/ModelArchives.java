package dev.warden.platform.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.warden.platform.model.ModelStoreProperties.ArchiveStore;
import dev.warden.platform.model.internal.S3ArchiveStore;
import dev.warden.platform.model.internal.S3ArchiveStore.ArchiveUnavailableException;
import dev.warden.platform.model.internal.VerifiedArchiveStream;
import dev.warden.platform.model.internal.VersionArchive;

/**
 * The model store: the archive of each model version (a deterministic zip of its
 * directory, {@link VersionArchive}), written once and never changed, with its row in
 * {@code model_store_archives} (sha256, size, source) in PostgreSQL whichever store holds
 * its bytes, so numbering and the primary key's refusal of a number taken twice are the
 * same for both. The bytes go to the store {@code warden.models.archive-store} names:
 * <ul>
 * <li>{@code postgresql} (the default): {@code model_store_chunks}, chunks of
 * {@value #CHUNK_BYTES} bytes;</li>
 * <li>{@code s3}: one object in the bucket of {@code warden.models.s3}
 * ({@link S3ArchiveStore}, key {@code <prefix>/<model>/<version>/<sha256>.zip}), uploaded
 * before the row is inserted in the caller's transaction and deleted again (best effort,
 * logged) if that transaction rolls back.</li>
 * </ul>
 * A version is read from the store its row names ({@code archive_store}), so versions
 * stored before a deployment switched stores are still served. Workers on other machines
 * list and download them through {@code ModelStoreController}; storing and serving hold
 * one chunk or buffer in memory at a time, and what is served is checked against the
 * recorded size and SHA-256 ({@link VerifiedArchiveStream}). With the S3 store configured
 * the bucket is checked at start (a start fails on a bucket it cannot reach).
 * Thread-safe; the writes run in the caller's transaction when there is one.
 */
@Service
public class ModelArchives implements DisposableBean {

	/** Bytes per stored chunk (1 MiB, the bound of the chunks table). */
	static final int CHUNK_BYTES = 1024 * 1024;

	private static final Logger log = LoggerFactory.getLogger(ModelArchives.class);

	private static final String COLUMNS = "model, version, sha256, size_bytes, created_at, archive_store, object_key";

	private final JdbcClient jdbc;

	private final ArchiveStore writeTo;

	/** The bucket, null when none is configured. */
	private final S3ArchiveStore s3;

	ModelArchives(JdbcClient jdbc, ModelStoreProperties properties) {
		this.jdbc = jdbc;
		this.writeTo = properties.archiveStore();
		ModelStoreProperties.S3 bucket = properties.s3();
		this.s3 = bucket.configured() ? new S3ArchiveStore(
				S3ArchiveStore.client(bucket.endpoint(), bucket.region(), bucket.pathStyle(), bucket.accessKeyId(),
						bucket.secretAccessKey(), bucket.connectTimeout(), bucket.readTimeout()),
				bucket.bucket().strip(), bucket.normalizedPrefix()) : null;
		if (this.writeTo == ArchiveStore.S3) {
			try {
				this.s3.checkBucket(bucket.createBucket());
			}
			catch (RuntimeException ex) {
				this.s3.close();
				throw new ModelStoreUnavailableException(ex.getMessage(), ex);
			}
			log.info("Model store: the archives of new versions are stored in bucket {} (key prefix '{}'){}",
					this.s3.bucket(), bucket.normalizedPrefix(),
					bucket.endpoint().isBlank() ? "" : " at " + bucket.endpoint());
		}
	}

	@Override
	public void destroy() {
		if (this.s3 != null) {
			this.s3.close();
		}
	}

	/**
	 * Builds the archive of {@code versionDir} in {@code scratchDir} (deleted again) and
	 * stores it as {@code model/version}. Fails on a version that is already stored (the
	 * primary key): the caller's transaction must not commit then.
	 */
	ArchivedVersion store(String model, long version, Path versionDir, Path scratchDir, String source) {
		Path zip = scratchDir.resolve("archive-" + model + "-" + version + ".zip");
		try {
			return store(model, version, zip, VersionArchive.write(versionDir, zip), source);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			try {
				Files.deleteIfExists(zip);
			}
			catch (IOException ignored) {
				// in a directory the caller deletes
			}
		}
	}

	/**
	 * Stores an archive already built ({@link VersionArchive#write}) as
	 * {@code model/version} in the configured store; the caller keeps and deletes the
	 * file. Fails like {@link #store(String, long, Path, Path, String)} on a version
	 * already stored.
	 */
	ArchivedVersion store(String model, long version, Path zip, VersionArchive.Built built, String source) {
		Instant now = Instant.now();
		if (this.writeTo == ArchiveStore.S3) {
			String key = storeObject(model, version, zip, built, source, now);
			return new ArchivedVersion(model, version, built.sha256(), built.size(), now, ArchiveStore.S3, key);
		}
		int chunks = (int) Math.max(1, (built.size() + CHUNK_BYTES - 1) / CHUNK_BYTES);
		insertRow(model, version, built, chunks, source, now, ArchiveStore.POSTGRESQL, null);
		try (InputStream in = Files.newInputStream(zip)) {
			for (int seq = 0; seq < chunks; seq++) {
				byte[] chunk = in.readNBytes(CHUNK_BYTES);
				this.jdbc
					.sql("INSERT INTO model_store_chunks (model, version, seq, data) "
							+ "VALUES (:model, :version, :seq, :data)")
					.param("model", model)
					.param("version", version)
					.param("seq", seq)
					.param("data", chunk)
					.update();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new ArchivedVersion(model, version, built.sha256(), built.size(), now, ArchiveStore.POSTGRESQL, null);
	}

	private void insertRow(String model, long version, VersionArchive.Built built, int chunks, String source,
			Instant at, ArchiveStore store, String objectKey) {
		this.jdbc
			.sql("INSERT INTO model_store_archives (model, version, sha256, size_bytes, chunks, source, created_at, "
					+ "archive_store, object_key) "
					+ "VALUES (:model, :version, :sha256, :size, :chunks, :source, :at, :store, :key)")
			.param("model", model)
			.param("version", version)
			.param("sha256", built.sha256())
			.param("size", built.size())
			.param("chunks", chunks)
			.param("source", source)
			.param("at", Timestamp.from(at))
			.param("store", store.column())
			.param("key", objectKey, Types.VARCHAR)
			.update();
	}

	/**
	 * Uploads the archive to the bucket, then inserts its row, so a committed row always
	 * has its object; returns the key. The object is deleted again if the row does not
	 * commit: when the caller's transaction rolls back, or at once when the insert fails
	 * outside a transaction. An object already under the key (the same content: keys are
	 * content-addressed) is neither uploaded again nor deleted.
	 */
	private String storeObject(String model, long version, Path zip, VersionArchive.Built built, String source,
			Instant at) {
		String key = this.s3.key(model, version, built.sha256());
		boolean uploaded = !this.s3.exists(key);
		if (uploaded) {
			this.s3.put(key, zip, built.size(), built.sha256());
		}
		boolean untilCompletion = uploaded && TransactionSynchronizationManager.isSynchronizationActive();
		if (untilCompletion) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCompletion(int status) {
					if (status == STATUS_ROLLED_BACK) {
						deleteObject(key, model, version);
					}
				}
			});
		}
		try {
			insertRow(model, version, built, 0, source, at, ArchiveStore.S3, key);
		}
		catch (RuntimeException ex) {
			if (uploaded && !untilCompletion) {
				deleteObject(key, model, version);
			}
			throw ex;
		}
		return key;
	}

	private void deleteObject(String key, String model, long version) {
		try {
			this.s3.delete(key);
			log.info("Deleted object {} of bucket {}: the version {}/{} it was uploaded for was not recorded", key,
					this.s3.bucket(), model, version);
		}
		catch (RuntimeException ex) {
			log.warn("Could not delete object {} of bucket {} (uploaded for {}/{}, which was not recorded): {}", key,
					this.s3.bucket(), model, version, ex.getMessage());
		}
	}

	/** Every stored version, by model and version. */
	public List<ArchivedVersion> list() {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM model_store_archives ORDER BY model, version")
			.query(ModelArchives::archivedVersion)
			.list();
	}

	/** One stored version. */
	public Optional<ArchivedVersion> find(String model, long version) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM model_store_archives WHERE model = :model AND version = :version")
			.param("model", model)
			.param("version", version)
			.query(ModelArchives::archivedVersion)
			.optional();
	}

	private static ArchivedVersion archivedVersion(ResultSet rs, int row) throws SQLException {
		return new ArchivedVersion(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
				rs.getTimestamp(5).toInstant(), ArchiveStore.ofColumn(rs.getString(6)), rs.getString(7));
	}

	/** The highest stored version of {@code model}, 0 if none. */
	long maxVersion(String model) {
		return this.jdbc.sql("SELECT COALESCE(MAX(version), 0) FROM model_store_archives WHERE model = :model")
			.param("model", model)
			.query(Long.class)
			.single();
	}

	/**
	 * Opens the archive's bytes from the store its row names, checked against the
	 * recorded size and SHA-256 as they are read: the stream's last byte comes only after
	 * the whole archive matched ({@link VerifiedArchiveStream}; otherwise an
	 * {@link VerifiedArchiveStream.IntegrityException}). From PostgreSQL one chunk (one
	 * short query) at a time; from S3 as the object's stream.
	 * @throws ArchiveUnavailableException if the bytes cannot be had (an object missing
	 * or of another length, the bucket unreachable or not configured)
	 */
	public InputStream open(ArchivedVersion version) throws ArchiveUnavailableException {
		String what = version.model() + "/" + version.version();
		InputStream source;
		if (version.archiveStore() == ArchiveStore.S3) {
			if (this.s3 == null) {
				throw new ArchiveUnavailableException(false, "version " + what + " is stored in S3 (object "
						+ version.objectKey() + ") and warden.models.s3.bucket is not set");
			}
			source = this.s3.open(version.objectKey(), version.sizeBytes());
		}
		else {
			source = new ChunkStream(version);
		}
		return new VerifiedArchiveStream(source, version.sizeBytes(), version.sha256(), what);
	}

	/**
	 * The chunks of a version in PostgreSQL, read one at a time; ends early at a missing
	 * chunk (never for a committed version), which {@link VerifiedArchiveStream} reports.
	 */
	private final class ChunkStream extends InputStream {

		private final ArchivedVersion version;

		private byte[] chunk = new byte[0];

		private int position;

		private int seq;

		private boolean ended;

		ChunkStream(ArchivedVersion version) {
			this.version = version;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			int n = read(one, 0, 1);
			return (n < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (length == 0) {
				return 0;
			}
			if (this.position == this.chunk.length && !next()) {
				return -1;
			}
			int n = Math.min(length, this.chunk.length - this.position);
			System.arraycopy(this.chunk, this.position, buffer, offset, n);
			this.position += n;
			return n;
		}

		private boolean next() {
			while (!this.ended) {
				Optional<byte[]> found = ModelArchives.this.jdbc.sql(
						"SELECT data FROM model_store_chunks WHERE model = :model AND version = :version AND seq = :seq")
					.param("model", this.version.model())
					.param("version", this.version.version())
					.param("seq", this.seq++)
					.query((rs, row) -> rs.getBytes(1))
					.optional();
				if (found.isEmpty()) {
					this.ended = true;
					return false;
				}
				this.chunk = found.get();
				this.position = 0;
				if (this.chunk.length > 0) {
					return true;
				}
			}
			return false;
		}

	}

	/**
	 * A version in the model store.
	 *
	 * @param sha256 of the archive (lower-case hex)
	 * @param sizeBytes the archive's size
	 * @param archiveStore where its bytes are
	 * @param objectKey its key in the bucket ({@code s3}), else null
	 */
	public record ArchivedVersion(String model, long version, String sha256, long sizeBytes, Instant createdAt,
			ArchiveStore archiveStore, String objectKey) {
	}

	/**
	 * The bucket of the S3 archive store cannot be used at start; reported as one line by
	 * {@code ModelStoreFailureAnalyzer}.
	 */
	static final class ModelStoreUnavailableException extends RuntimeException {

		ModelStoreUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
