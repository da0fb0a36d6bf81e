package dev.warden.worker.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.Loader;
import dev.warden.worker.loader.ServableLoadException;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.ServableId;
import dev.warden.worker.system.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
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

	private final Loader<LoadedServable> loader;

	private final Path store;

	ValidationController(Loader<LoadedServable> loader, ModelStoreProperties store) {
		this.loader = loader;
		this.store = store.path().toAbsolutePath().normalize();
	}

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
		if (!Files.isRegularFile(dir.resolve("saved_model.pb"), LinkOption.NOFOLLOW_LINKS)) {
			throw invalidSavedModel("no saved_model.pb in the directory");
		}
		String name = (request.model() != null && MODEL_NAME.matcher(request.model()).matches()) ? request.model()
				: "upload";
		ServableId id = new ServableId(name, 0);
		Map<String, Object> signatureDefs;
		LoadedServable servable;
		try {
			servable = this.loader.load(id, dir);
		}
		catch (ServableLoadException ex) {
			String reason = reason(ex, id, dir);
			log.info("Upload of {} ({}) is not a loadable SavedModel: {}", name, request.path(), reason);
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
