package dev.warden.platform.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.model.ModelArchives.ArchivedVersion;
import dev.warden.platform.model.internal.S3ArchiveStore.ArchiveUnavailableException;
import dev.warden.platform.model.internal.VerifiedArchiveStream.IntegrityException;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.worker.WorkerCallers;

/**
 * The model store as workers on other machines read it, authenticated like worker
 * heartbeats ({@link WorkerCallers}: the registration token, and a client certificate
 * under mutual TLS); not part of the public or the admin API:
 * <ul>
 * <li>{@code GET /internal/v1/model-store}: every stored version
 * ({@code {"versions":[{"model","version","sha256","size_bytes","created_at"}]}});</li>
 * <li>{@code GET /internal/v1/model-store/{model}/versions/{version}/archive}: the
 * version's archive (a zip of the version directory), streamed from the store its row
 * names (PostgreSQL one chunk at a time, or the S3 bucket's object) with
 * {@code Content-Length}, {@code ETag} (the SHA-256 in hex) and
 * {@code Digest: sha-256=<base64>}, all of the recorded archive; 404 for a version the
 * store does not have, 502 {@code model_store_archive_invalid} for an object that is
 * missing or of another size, 503 {@code model_store_unavailable} when the bucket cannot
 * be read. Bytes that turn out not to be the recorded archive while they are sent
 * (another SHA-256) end the connection before the last byte, so no reader gets a complete
 * answer with other bytes.</li>
 * </ul>
 * Workers never need the bucket's credentials: the gateway reads and streams.
 */
@RestController
class ModelStoreController {

	static final String PATH = "/internal/v1/model-store";

	private static final Logger log = LoggerFactory.getLogger(ModelStoreController.class);

	private final ModelArchives archives;

	private final WorkerCallers callers;

	ModelStoreController(ModelArchives archives, WorkerCallers callers) {
		this.archives = archives;
		this.callers = callers;
	}

	@GetMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> list(HttpServletRequest request) {
		this.callers.authenticate(request);
		List<Map<String, Object>> versions = this.archives.list().stream().map((version) -> {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("model", version.model());
			json.put("version", version.version());
			json.put("sha256", version.sha256());
			json.put("size_bytes", version.sizeBytes());
			json.put("created_at", version.createdAt().toString());
			return json;
		}).toList();
		return Map.of("versions", versions);
	}

	@GetMapping(path = PATH + "/{model}/versions/{version}/archive")
	void archive(@PathVariable String model, @PathVariable String version, HttpServletRequest request,
			HttpServletResponse response) throws IOException {
		this.callers.authenticate(request);
		if (!ModelStoreImport.MODEL_DIR.matcher(model).matches()
				|| !ModelStoreImport.VERSION_DIR.matcher(version).matches()) {
			throw notFound(model, version);
		}
		ArchivedVersion archived = this.archives.find(model, Long.parseLong(version))
			.orElseThrow(() -> notFound(model, version));
		InputStream source;
		try {
			source = this.archives.open(archived);
		}
		catch (ArchiveUnavailableException ex) {
			log.error("Cannot serve the archive of {}/{} from the model store: {}", model, version, ex.getMessage());
			throw ex.invalid()
					? new ApiException(HttpStatus.BAD_GATEWAY, "model_store_archive_invalid",
							"the model store's copy of version " + version + " of model " + model
									+ " is missing or damaged")
					: new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "model_store_unavailable",
							"the model store cannot be read right now; try again later");
		}
		try (InputStream in = source) {
			response.setStatus(HttpStatus.OK.value());
			response.setContentType("application/zip");
			response.setContentLengthLong(archived.sizeBytes());
			response.setHeader(HttpHeaders.ETAG, "\"" + archived.sha256() + "\"");
			response.setHeader("Digest",
					"sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(archived.sha256())));
			response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
			// committed now: whatever fails from here on ends the connection short of the
			// length
			response.flushBuffer();
			OutputStream out = response.getOutputStream();
			byte[] buffer = new byte[64 * 1024];
			for (int n = read(in, buffer, model, version); n >= 0; n = read(in, buffer, model, version)) {
				out.write(buffer, 0, n);
			}
			out.close();
		}
	}

	/**
	 * Reads the next bytes of the archive. A failure of the store (not of the client)
	 * after the answer was committed is rethrown: the container then closes the
	 * connection, one byte short of the announced length.
	 */
	private static int read(InputStream in, byte[] buffer, String model, String version) throws IOException {
		try {
			return in.read(buffer);
		}
		catch (IntegrityException ex) {
			log.error("The model store's archive of {}/{} is not the recorded one (tampered with or damaged; "
					+ "the answer was cut short): {}", model, version, ex.getMessage());
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			log.warn("Reading the archive of {}/{} from the model store failed (the answer was cut short): {}", model,
					version, ex.getMessage());
			throw ex;
		}
	}

	private static ApiException notFound(String model, String version) {
		return new ApiException(HttpStatus.NOT_FOUND, "model_version_not_found",
				"the model store has no version " + version + " of model " + model);
	}

}
