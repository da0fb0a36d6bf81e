package dev.warden.platform.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.warden.platform.model.internal.VersionArchive;

/**
 * The model store in PostgreSQL: the archive of each model version (a deterministic zip
 * of its directory, {@link VersionArchive}) in the tables {@code model_store_archives}
 * and {@code model_store_chunks} (chunks of {@value #CHUNK_BYTES} bytes), written once
 * and never changed. Workers on other machines list and download them
 * ({@code ModelStoreController}); storing and serving hold one chunk in memory at a time.
 * Thread-safe; the writes run in the caller's transaction when there is one.
 */
@Service
public class ModelArchives {

	/** Bytes per stored chunk (1 MiB, the bound of the chunks table). */
	static final int CHUNK_BYTES = 1024 * 1024;

	private final JdbcClient jdbc;

	ModelArchives(JdbcClient jdbc) {
		this.jdbc = jdbc;
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
	 * {@code model/version}; the caller keeps and deletes the file. Fails like
	 * {@link #store(String, long, Path, Path, String)} on a version already stored.
	 */
	ArchivedVersion store(String model, long version, Path zip, VersionArchive.Built built, String source) {
		int chunks = (int) Math.max(1, (built.size() + CHUNK_BYTES - 1) / CHUNK_BYTES);
		Instant now = Instant.now();
		this.jdbc
			.sql("INSERT INTO model_store_archives (model, version, sha256, size_bytes, chunks, source, created_at) "
					+ "VALUES (:model, :version, :sha256, :size, :chunks, :source, :at)")
			.param("model", model)
			.param("version", version)
			.param("sha256", built.sha256())
			.param("size", built.size())
			.param("chunks", chunks)
			.param("source", source)
			.param("at", Timestamp.from(now))
			.update();
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
		return new ArchivedVersion(model, version, built.sha256(), built.size(), now);
	}

	/** Every stored version, by model and version. */
	public List<ArchivedVersion> list() {
		return this.jdbc
			.sql("SELECT model, version, sha256, size_bytes, created_at FROM model_store_archives "
					+ "ORDER BY model, version")
			.query((rs, row) -> new ArchivedVersion(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
					rs.getTimestamp(5).toInstant()))
			.list();
	}

	/** One stored version. */
	public Optional<ArchivedVersion> find(String model, long version) {
		return this.jdbc
			.sql("SELECT model, version, sha256, size_bytes, created_at FROM model_store_archives "
					+ "WHERE model = :model AND version = :version")
			.param("model", model)
			.param("version", version)
			.query((rs, row) -> new ArchivedVersion(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
					rs.getTimestamp(5).toInstant()))
			.optional();
	}

	/** The highest stored version of {@code model}, 0 if none. */
	long maxVersion(String model) {
		return this.jdbc.sql("SELECT COALESCE(MAX(version), 0) FROM model_store_archives WHERE model = :model")
			.param("model", model)
			.query(Long.class)
			.single();
	}

	/**
	 * Writes the archive's bytes to {@code out}, one chunk (one short query) at a time.
	 * @throws IllegalStateException if a chunk is missing (never for a committed version)
	 */
	public void copy(ArchivedVersion version, OutputStream out) throws IOException {
		long written = 0;
		for (int seq = 0; written < version.sizeBytes(); seq++) {
			byte[] chunk = this.jdbc
				.sql("SELECT data FROM model_store_chunks WHERE model = :model AND version = :version AND seq = :seq")
				.param("model", version.model())
				.param("version", version.version())
				.param("seq", seq)
				.query((rs, row) -> rs.getBytes(1))
				.optional()
				.orElseThrow(() -> new IllegalStateException(
						"chunk missing in the model store: " + version.model() + "/" + version.version()));
			out.write(chunk);
			written += chunk.length;
		}
	}

	/**
	 * A version in the model store.
	 *
	 * @param sha256 of the archive (lower-case hex)
	 * @param sizeBytes the archive's size
	 */
	public record ArchivedVersion(String model, long version, String sha256, long sizeBytes, Instant createdAt) {
	}

}
