package dev.warden.platform.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.multipart.MultipartFile;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.model.ModelCatalogue.CatalogueVersion;
import dev.warden.platform.model.internal.SavedModelArchive;
import dev.warden.platform.model.internal.SavedModelArchive.Extracted;
import dev.warden.platform.model.internal.VersionArchive;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;

/**
 * Uploads of model versions. An upload is validated completely before anything is kept:
 * <ol>
 * <li>name and size; the archive is copied into a staging directory
 * {@code <store>/.incoming-<uuid>} (same file system as the store, ignored by the
 * workers' store polling) while its SHA-256 is computed;</li>
 * <li>it is unpacked there by {@link SavedModelArchive} (format by magic bytes, unsafe
 * entries refused, limits);</li>
 * <li>a worker loads it, warms it up and returns its signature defs
 * ({@code POST /internal/v1/validate}): the version's archive as the model store keeps it
 * ({@link VersionArchive}, written next to the staged files) is streamed to it with its
 * SHA-256, so any worker validates it, on this machine or another, without a directory
 * shared with this gateway; the worker refuses (422, passed on with its message) what it
 * cannot load, including a signature whose declared input shapes exceed its bound, named
 * by input and shape;</li>
 * <li>under a per-model PostgreSQL advisory lock, the next version number (max of the
 * catalogue, the model store in the database and the directory + 1) is taken, the
 * directory is renamed atomically to {@code <store>/<model>/<n>}, and the version's
 * archive in the database's model store ({@link ModelArchives}, whose primary key refuses
 * a number taken twice), the version row and the audit event
 * {@code model_version.uploaded} are written in one transaction.</li>
 * </ol>
 * Any failure deletes the staging directory (and the renamed directory if the transaction
 * does not commit), so a rejected upload leaves no directory, no row and no audit event.
 * Thread-safe.
 */
@Service
public class ModelManagement {

	/** Model names accepted for uploads (a subset of what the workers serve). */
	static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

	static final String STAGING_PREFIX = ".incoming-";

	private static final Pattern VERSION_DIR = Pattern.compile("[0-9]{1,18}");

	private static final Logger log = LoggerFactory.getLogger(ModelManagement.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ModelStoreProperties properties;

	private final WorkerClient worker;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final ModelCatalogue catalogue;

	private final ModelGrants grants;

	private final ApplicationEventPublisher events;

	private final ModelArchives archives;

	ModelManagement(ModelStoreProperties properties, WorkerClient worker, JdbcClient jdbc,
			TransactionTemplate transactions, AuditTrail audit, ModelCatalogue catalogue, ModelGrants grants,
			ApplicationEventPublisher events, ModelArchives archives) {
		this.archives = archives;
		this.events = events;
		this.grants = grants;
		this.properties = properties;
		this.worker = worker;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.catalogue = catalogue;
	}

	/**
	 * Validates and stores a new version of {@code model}.
	 * @param actor the uploader (the access token's {@code sub})
	 * @throws ApiException 400 (bad name, empty, not an archive, unsafe or malformed
	 * archive), 413 (over a size limit), 422 (not a loadable SavedModel), 502/503 (no
	 * worker could validate it)
	 */
	public UploadedVersion upload(String model, MultipartFile file, String actor, String requestId) {
		requireValidName(model);
		long maxBytes = this.properties.upload().maxBytes().toBytes();
		if (file == null || file.isEmpty()) {
			throw ApiException.badRequest("empty_file", "the uploaded file is empty");
		}
		if (file.getSize() > maxBytes) {
			throw tooLarge(maxBytes);
		}
		Path store = this.properties.store().toAbsolutePath().normalize();
		Path staging = store.resolve(STAGING_PREFIX + UUID.randomUUID());
		try {
			Files.createDirectories(store);
			Files.createDirectory(staging);
			Path archive = staging.resolve("upload");
			Received received = receive(file, archive, maxBytes);
			Path unpacked = Files.createDirectory(staging.resolve("model"));
			Extracted extracted = SavedModelArchive.extract(archive, unpacked, new SavedModelArchive.Limits(
					this.properties.upload().maxUncompressedBytes().toBytes(), this.properties.upload().maxEntries()));
			Files.delete(archive);
			// one archive of the staged version: sent to the validating worker, then kept
			// in
			// the model store (the same files, so the same bytes and SHA-256)
			Path zip = staging.resolve("version.zip");
			VersionArchive.Built built = VersionArchive.write(extracted.modelRoot(), zip);
			JsonNode signatureDefs = validateInWorker(model, zip, built, requestId);
			long version = commit(model, store, zip, built, extracted, received, signatureDefs, actor);
			// a new model (granted to all by default) is callable at once on this
			// instance
			this.grants.scheduledRefresh();
			log.info("{} uploaded {}/{} ({} bytes, {}, sha256 {})", actor, model, version, received.size(),
					extracted.format().label(), received.sha256());
			// the versions the workers must load are derived again (a model with no
			// stable
			// version serves its newest)
			this.events.publishEvent(new ModelVersionAdded(model, version));
			requestReload(model, requestId);
			CatalogueVersion stored = this.catalogue.version(model, version)
				.orElseThrow(
						() -> new IllegalStateException("uploaded version " + model + "/" + version + " vanished"));
			return UploadedVersion.of(model, stored);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			deleteQuietly(staging);
		}
	}

	static void requireValidName(String model) {
		if (model == null || !MODEL_NAME.matcher(model).matches()) {
			throw ApiException.badRequest("invalid_model_name",
					"model name must match [a-z0-9][a-z0-9_-]{0,63} (lower case letters, digits, '_' and '-')");
		}
	}

	private static Received receive(MultipartFile file, Path archive, long maxBytes) throws IOException {
		MessageDigest sha256;
		try {
			sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		long size = 0;
		try (InputStream in = new DigestInputStream(file.getInputStream(), sha256);
				OutputStream out = Files.newOutputStream(archive, StandardOpenOption.CREATE_NEW)) {
			byte[] buffer = new byte[64 * 1024];
			int n;
			while ((n = in.read(buffer)) >= 0) {
				size += n;
				if (size > maxBytes) {
					throw tooLarge(maxBytes);
				}
				out.write(buffer, 0, n);
			}
		}
		if (size == 0) {
			throw ApiException.badRequest("empty_file", "the uploaded file is empty");
		}
		return new Received(HexFormat.of().formatHex(sha256.digest()), size);
	}

	/**
	 * Sends the staged SavedModel's archive to a worker, which loads it; returns its
	 * {@code signature_def} map. The archive lies in the staging directory (deleted with
	 * it) and is streamed from there; it is kept for the model store.
	 */
	private JsonNode validateInWorker(String model, Path archive, VersionArchive.Built built, String requestId) {
		WorkerResponse response;
		try {
			response = this.worker.exchange("POST",
					"/internal/v1/validate?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8), archive,
					"application/zip", Map.of("X-Archive-Sha256", built.sha256()), requestId);
		}
		catch (WorkerClient.WorkerUnavailableException ex) {
			log.warn("Upload of {} could not be validated: {}", model, ex.getMessage());
			throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "worker_unavailable",
					"no inference worker is reachable to validate the model; nothing was stored, try again later");
		}
		String path = "archive of " + built.size() + " bytes, sha256 " + built.sha256();
		JsonNode body = parse(response.body());
		if (response.status() == 422) {
			String reason = body.path("error").path("message").asString("the SavedModel cannot be loaded");
			throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_saved_model", reason);
		}
		if (response.status() == 413) {
			log.warn("Worker refused the archive of {} ({}) as too large: raise its warden.worker.max-validation-bytes",
					model, path);
			throw new ApiException(HttpStatus.BAD_GATEWAY, "worker_error",
					"the inference worker refused the version's archive (" + built.size()
							+ " bytes) as larger than its warden.worker.max-validation-bytes; nothing was stored");
		}
		if (response.status() != 200) {
			log.warn("Worker answered {} to validate {} ({}): {}", response.status(), model, path,
					new String(response.body(), StandardCharsets.UTF_8));
			throw new ApiException(HttpStatus.BAD_GATEWAY, "worker_error",
					"the inference worker could not validate the model (HTTP " + response.status()
							+ "); nothing was stored");
		}
		JsonNode defs = body.path("metadata").path("signature_def").path("signature_def");
		if (!defs.isObject()) {
			throw new ApiException(HttpStatus.BAD_GATEWAY, "worker_error",
					"the inference worker returned no signature defs; nothing was stored");
		}
		return defs;
	}

	private static JsonNode parse(byte[] body) {
		try {
			return JSON.readTree(body);
		}
		catch (RuntimeException ex) {
			return JSON.createObjectNode();
		}
	}

	/**
	 * Numbers, moves and records the version atomically with respect to other uploads of
	 * the same model: the advisory lock is held until the transaction ends. If the
	 * transaction does not commit, the moved directory is deleted again.
	 */
	private long commit(String model, Path store, Path zip, VersionArchive.Built built, Extracted extracted,
			Received received, JsonNode signatureDefs, String actor) {
		Path modelDir = store.resolve(model);
		Path[] moved = { null };
		boolean[] createdModelDir = { false };
		try {
			Long version = this.transactions.execute((status) -> {
				this.jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('warden.model_versions'), hashtext(:name))")
					.param("name", model)
					.query((rs) -> {
					});
				Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
				Timestamp at = Timestamp.from(now);
				this.jdbc
					.sql("INSERT INTO models (id, name, created_at, discovered_at) VALUES (:id, :name, :at, :at) "
							+ "ON CONFLICT (name) DO NOTHING")
					.param("id", UUID.randomUUID())
					.param("name", model)
					.param("at", at)
					.update();
				long inDatabase = this.jdbc
					.sql("SELECT COALESCE(MAX(v.version), 0) FROM model_versions v "
							+ "JOIN models m ON m.id = v.model_id WHERE m.name = :name")
					.param("name", model)
					.query(Long.class)
					.single();
				long next = Math.max(Math.max(inDatabase, this.archives.maxVersion(model)), maxVersionOnDisk(modelDir))
						+ 1;
				Path target = modelDir.resolve(Long.toString(next));
				try {
					if (!Files.isDirectory(modelDir, LinkOption.NOFOLLOW_LINKS)) {
						Files.createDirectories(modelDir);
						createdModelDir[0] = true;
					}
					if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
						throw ApiException.conflict(
								"version directory " + model + "/" + next + " appeared while uploading; try again");
					}
					Files.move(extracted.modelRoot(), target, StandardCopyOption.ATOMIC_MOVE);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
				moved[0] = target;
				// the archive workers on other machines fetch; its primary key (model,
				// version) refuses a number another gateway stored meanwhile
				ModelArchives.ArchivedVersion archived;
				try {
					archived = this.archives.store(model, next, zip, built, "upload");
				}
				catch (DuplicateKeyException ex) {
					throw ApiException
						.conflict("version " + model + "/" + next + " is already in the model store; try again");
				}
				this.jdbc.sql("INSERT INTO model_versions (id, model_id, version, state, signature_defs, created_at, "
						+ "discovered_at, updated_at, sha256, size_bytes, uploaded_by, uploaded_at, archive_format) "
						+ "SELECT :id, m.id, :version, 'UPLOADED', CAST(:defs AS jsonb), :at, :at, :at, :sha256, :size, "
						+ ":actor, :at, :format FROM models m WHERE m.name = :name "
				// the worker may report the new directory before this commits: keep its
				// state, add ours
						+ "ON CONFLICT (model_id, version) DO UPDATE SET signature_defs = EXCLUDED.signature_defs, "
						+ "sha256 = EXCLUDED.sha256, size_bytes = EXCLUDED.size_bytes, uploaded_by = EXCLUDED.uploaded_by, "
						+ "uploaded_at = EXCLUDED.uploaded_at, archive_format = EXCLUDED.archive_format, "
						+ "updated_at = EXCLUDED.updated_at")
					.param("id", UUID.randomUUID())
					.param("version", next)
					.param("defs", JSON.writeValueAsString(signatureDefs))
					.param("at", at)
					.param("sha256", received.sha256())
					.param("size", received.size())
					.param("actor", actor)
					.param("format", extracted.format().label())
					.param("name", model)
					.update();
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("model", model);
				details.put("version", next);
				details.put("sha256", received.sha256());
				details.put("size_bytes", received.size());
				details.put("archive_format", extracted.format().label());
				details.put("wrapped_in_directory", extracted.wrapped());
				details.put("store_archive_sha256", archived.sha256());
				details.put("signatures", List.copyOf(signatureDefs.propertyNames()));
				this.audit.append(actor, "model_version.uploaded", "model_version", model + "/" + next, details);
				return next;
			});
			return version;
		}
		catch (RuntimeException ex) {
			if (moved[0] != null) {
				deleteQuietly(moved[0]);
			}
			if (createdModelDir[0]) {
				try {
					Files.deleteIfExists(modelDir);
				}
				catch (IOException ignored) {
					// not empty: another version arrived meanwhile; leave it
				}
			}
			throw ex;
		}
	}

	/** The highest integer-named directory under {@code <store>/<model>}, 0 if none. */
	static long maxVersionOnDisk(Path modelDir) {
		if (!Files.isDirectory(modelDir)) {
			return 0;
		}
		long max = 0;
		try (DirectoryStream<Path> children = Files.newDirectoryStream(modelDir)) {
			for (Path child : children) {
				String name = child.getFileName().toString();
				if (VERSION_DIR.matcher(name).matches()) {
					max = Math.max(max, Long.parseLong(name));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return max;
	}

	/**
	 * Best effort: the worker's store polling picks the version up anyway within its poll
	 * interval.
	 */
	private void requestReload(String model, String requestId) {
		String path = "/internal/v1/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + ":reload";
		try {
			WorkerResponse response = this.worker.exchangeAll("POST", path, null, null, requestId);
			if (response.status() / 100 != 2) {
				log.debug("Worker answered {} to POST {}; its store polling will pick the version up",
						response.status(), path);
			}
		}
		catch (RuntimeException ex) {
			log.debug("Worker reload request for {} failed: {}", model, ex.getMessage());
		}
	}

	private static ApiException tooLarge(long maxBytes) {
		return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
				"the uploaded file is larger than the limit of " + maxBytes + " bytes");
	}

	private static void deleteQuietly(Path path) {
		try {
			FileSystemUtils.deleteRecursively(path);
		}
		catch (IOException ex) {
			log.warn("Could not delete {}: {}", path, ex.getMessage());
		}
	}

	private record Received(String sha256, long size) {
	}

	/** The answer to an upload: the model's name and the stored version. */
	public record UploadedVersion(String name, String version, String state, JsonNode signatureDefs, String sha256,
			Long sizeBytes, String uploadedBy, Instant uploadedAt) {

		static UploadedVersion of(String name, CatalogueVersion version) {
			return new UploadedVersion(name, version.version(), version.state(), version.signatureDefs(),
					version.sha256(), version.sizeBytes(), version.uploadedBy(), version.uploadedAt());
		}

	}

}
