package dev.warden.platform.model;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.model.ModelArchives.ArchivedVersion;
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
 * version's archive (a zip of the version directory), streamed from the database one
 * chunk at a time, with {@code Content-Length}, {@code ETag} (the SHA-256 in hex) and
 * {@code Digest: sha-256=<base64>}; 404 for a version the store does not have.</li>
 * </ul>
 */
@RestController
class ModelStoreController {

	static final String PATH = "/internal/v1/model-store";

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
		response.setStatus(HttpStatus.OK.value());
		response.setContentType("application/zip");
		response.setContentLengthLong(archived.sizeBytes());
		response.setHeader(HttpHeaders.ETAG, "\"" + archived.sha256() + "\"");
		response.setHeader("Digest",
				"sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(archived.sha256())));
		response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
		try (OutputStream out = response.getOutputStream()) {
			this.archives.copy(archived, out);
		}
	}

	private static ApiException notFound(String model, String version) {
		return new ApiException(HttpStatus.NOT_FOUND, "model_version_not_found",
				"the model store has no version " + version + " of model " + model);
	}

}
