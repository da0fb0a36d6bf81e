package dev.warden.worker.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.Loader;
import dev.warden.worker.loader.ServableLoadException;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.ServableId;
import dev.warden.worker.storesync.StoreSyncProperties;
import dev.warden.worker.storesync.VersionArchiveUnpacker;
import dev.warden.worker.system.ApiException;
import dev.warden.worker.system.RequestLimitProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /internal/v1/validate {"path": "<dir relative to the model store>",
 * "model": "<name>"}}: loads the SavedModel in that directory with the worker's own
 * {@link Loader} of SavedModels (warm-up call included), answers its signature defs in TF
 * Serving's metadata shape and closes it again. It is never served from here: serving
 * starts when platform-api has moved the directory to {@code <model>/<version>}.
 *
 * <p>
 * The path is resolved against the model store with symbolic links followed, and refused
 * (400) unless it names a directory strictly inside the store that contains no symbolic
 * link. A SavedModel that TensorFlow cannot load, whose signatures cannot be read or
 * whose warm-up call fails is answered 422 with TensorFlow's reason, without machine
 * paths; so is one whose signature declares inputs beyond the loader's bound (the reason
 * names the input and its declared shape, and nothing was allocated for it).
 */
@RestController
class ValidationController {

	private static final Logger log = LoggerFactory.getLogger(ValidationController.class);

	private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private static final int MAX_REASON_LENGTH = 600;

	/** The prefix of the temporary directories of the archive form. */
	static final String TEMP_PREFIX = ".validate-";

	/** Age after which a temporary directory is taken for one a stopped worker left. */
	private static final Duration STALE = Duration.ofHours(1);

	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

	private final Loader<LoadedServable> loader;

	private final Path store;

	private final long maxArchiveBytes;

	private final StoreSyncProperties unpackLimits;

	ValidationController(Loader<LoadedServable> loader, ModelStoreProperties store, RequestLimitProperties limits,
			StoreSyncProperties unpackLimits) {
		this.loader = loader;
		this.store = store.path().toAbsolutePath().normalize();
		this.maxArchiveBytes = limits.maxValidationBytes().toBytes();
		this.unpackLimits = unpackLimits;
		deleteStaleTemporaryDirectories();
	}

	/**
	 * The archive form: the version's zip as the body, its SHA-256 in
	 * {@code X-Archive-Sha256}.
	 */
	@PostMapping(path = "/internal/v1/validate", consumes = "application/zip",
			produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> validateArchive(@RequestHeader(name = "X-Archive-Sha256", required = false) String sha256,
			@RequestParam(name = "model", required = false) String model, HttpServletRequest request,
			HttpServletResponse response) throws IOException {
		String expected = (sha256 != null) ? sha256.strip().toLowerCase(Locale.ROOT) : "";
		if (!SHA256.matcher(expected).matches()) {
			throw ApiException.invalidArgument(
					"X-Archive-Sha256 is required: the SHA-256 of the archive in the body, 64 hexadecimal digits");
		}
		String name = validName(model);
		Files.createDirectories(this.store);
		Path temporary = Files.createDirectory(this.store.resolve(TEMP_PREFIX + UUID.randomUUID()));
		try {
			Path archive = temporary.resolve("archive.zip");
			String actual = receive(request, response, archive);
			if (!actual.equals(expected)) {
				log.info("Upload of {}: archive refused, SHA-256 {} instead of the announced {}", name, actual,
						expected);
				throw new ApiException(HttpStatus.BAD_REQUEST, "sha256_mismatch", "the archive's SHA-256 is " + actual
						+ ", not the " + expected + " announced in X-Archive-Sha256; nothing was validated");
			}
			Path dir = Files.createDirectory(temporary.resolve("model"));
			try {
				VersionArchiveUnpacker.unpack(archive, dir, this.unpackLimits.syncMaxBytes().toBytes(),
						this.unpackLimits.syncMaxEntries());
			}
			catch (VersionArchiveUnpacker.RefusedArchiveException ex) {
				log.info("Upload of {}: archive refused: {}", name, ex.getMessage());
				throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_archive",
						"the version archive is refused: " + ex.getMessage());
			}
			Files.delete(archive);
			return validate(name, dir, "archive " + expected);
		}
		finally {
			deleteQuietly(temporary);
		}
	}

	/**
	 * Streams the body into {@code file} up to the limit; returns its SHA-256 (hex).
	 */
	private String receive(HttpServletRequest request, HttpServletResponse response, Path file) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		long size = 0;
		try (InputStream in = request.getInputStream();
				OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
			byte[] buffer = new byte[64 * 1024];
			int n;
			while ((n = in.read(buffer)) >= 0) {
				size += n;
				if (size > this.maxArchiveBytes) {
					// the rest of the body is not read: the connection cannot be reused
					response.setHeader(HttpHeaders.CONNECTION, "close");
					throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
							"the version archive exceeds the limit of " + this.maxArchiveBytes
									+ " bytes (warden.worker.max-validation-bytes)");
				}
				digest.update(buffer, 0, n);
				out.write(buffer, 0, n);
			}
		}
		if (size == 0) {
			throw ApiException.invalidArgument("the body is empty: send the version archive");
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	/** Removes {@code .validate-*} directories a stopped worker left behind. */
	private void deleteStaleTemporaryDirectories() {
		if (!Files.isDirectory(this.store)) {
			return;
		}
		FileTime before = FileTime.from(Instant.now().minus(STALE));
		try (DirectoryStream<Path> temporary = Files.newDirectoryStream(this.store, TEMP_PREFIX + "*")) {
			for (Path dir : temporary) {
				if (Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0) {
					deleteQuietly(dir);
				}
			}
		}
		catch (IOException ex) {
			log.debug("Could not look for left-over validation directories in {}: {}", this.store, ex.getMessage());
		}
	}

	private static void deleteQuietly(Path path) {
		try {
			FileSystemUtils.deleteRecursively(path);
		}
		catch (IOException ex) {
			log.warn("Could not delete {}: {}", path, ex.getMessage());
		}
	}

	private static String validName(String model) {
		return (model != null && MODEL_NAME.matcher(model).matches()) ? model : "upload";
	}

	/** The path form: a directory of this worker's model store. */
	@PostMapping(path = "/internal/v1/validate", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> validate(@RequestBody ValidateRequest request) {
		Path dir;
		try {
			dir = resolveInsideStore(request.path());
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.invalidArgument(ex.getMessage());
		}
		return validate(validName(request.model()), dir, request.path());
	}

	/**
	 * Loads, warms up and closes the SavedModel in {@code dir}; answers its signature
	 * defs.
	 */
	private Map<String, Object> validate(String name, Path dir, String describedAs) {
		if (!Files.isRegularFile(dir.resolve("saved_model.pb"), LinkOption.NOFOLLOW_LINKS)) {
			throw invalidSavedModel("no saved_model.pb in the directory");
		}
		ServableId id = new ServableId(name, 0);
		Map<String, Object> signatureDefs;
		LoadedServable servable;
		try {
			servable = this.loader.load(id, dir);
		}
		catch (ServableLoadException ex) {
			String reason = reason(ex, id, dir);
			log.info("Upload of {} ({}) is not a loadable SavedModel: {}", name, describedAs, reason);
			throw invalidSavedModel(reason);
		}
		try {
			signatureDefs = new LinkedHashMap<>(servable.signatureDefs());
		}
		finally {
			this.loader.unload(servable);
		}
		Map<String, Object> spec = new LinkedHashMap<>();
		spec.put("name", name);
		spec.put("signature_name", "");
		spec.put("version", "");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("model_spec", spec);
		body.put("metadata", Map.of("signature_def", Map.of("signature_def", signatureDefs)));
		return body;
	}

	private static ApiException invalidSavedModel(String reason) {
		return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_saved_model", reason);
	}

	/**
	 * Resolves {@code relative} inside the store; throws IllegalArgumentException with a
	 * client-safe message.
	 */
	Path resolveInsideStore(String relative) {
		if (relative == null || relative.isBlank()) {
			throw new IllegalArgumentException("'path' is required: a directory relative to the model store");
		}
		if (relative.indexOf('\0') >= 0 || relative.indexOf('\\') >= 0) {
			throw new IllegalArgumentException("'path' contains a NUL or backslash character");
		}
		Path path;
		try {
			path = Path.of(relative);
		}
		catch (InvalidPathException ex) {
			throw new IllegalArgumentException("'path' is not a valid path");
		}
		if (path.isAbsolute() || relative.startsWith("/")) {
			throw new IllegalArgumentException("'path' must be relative to the model store");
		}
		for (Path segment : path) {
			if (segment.toString().equals("..")) {
				throw new IllegalArgumentException("'path' must not contain '..'");
			}
		}
		Path realStore;
		Path real;
		try {
			realStore = this.store.toRealPath();
			Path candidate = realStore.resolve(path).normalize();
			if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
				throw new IllegalArgumentException("'path' does not exist in the model store");
			}
			real = candidate.toRealPath();
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("'path' cannot be resolved in the model store");
		}
		if (!real.startsWith(realStore) || real.equals(realStore)) {
			throw new IllegalArgumentException("'path' resolves outside the model store");
		}
		if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
			throw new IllegalArgumentException("'path' is not a directory");
		}
		try (Stream<Path> files = Files.walk(real)) {
			if (files.anyMatch(Files::isSymbolicLink)) {
				throw new IllegalArgumentException("the directory contains symbolic links");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return real;
	}

	/**
	 * TensorFlow's reason, made readable: the first line, without machine paths or our
	 * internal id.
	 */
	private String reason(ServableLoadException ex, ServableId id, Path dir) {
		String message = ex.getMessage();
		String prefix;
		Throwable cause = ex.getCause();
		if (message.startsWith("cannot load SavedModel")) {
			prefix = "TensorFlow cannot load the SavedModel: ";
		}
		else if (message.startsWith("cannot read signatures")) {
			prefix = "the signatures of the SavedModel cannot be read: ";
		}
		else if (message.startsWith("warm-up call")) {
			prefix = "the warm-up call with neutral inputs failed: ";
		}
		else {
			prefix = "";
			cause = null;
		}
		String detail = (cause != null && cause.getMessage() != null) ? cause.getMessage() : message;
		detail = detail.replace(dir.toString(), "<upload>")
			.replace(this.store.toString(), "<store>")
			.replace(id.toString(), "the upload");
		String firstLine = detail.strip().lines().findFirst().orElse("").strip();
		String reason = prefix + (firstLine.isEmpty() ? "unknown error" : firstLine);
		return (reason.length() > MAX_REASON_LENGTH) ? reason.substring(0, MAX_REASON_LENGTH) + "…" : reason;
	}

	/**
	 * @param path the SavedModel directory relative to the model store; @param model its
	 * name, for logs
	 */
	record ValidateRequest(String model, String path) {
	}

}
