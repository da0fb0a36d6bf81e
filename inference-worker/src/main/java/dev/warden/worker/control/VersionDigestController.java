package dev.warden.worker.control;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.manager.ServableHandle;
import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.ServableNotFoundException;
import dev.warden.worker.manager.ServableRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /internal/v1/models/{m}/versions/{v}/digest}: the SHA-256 of the files of a
 * loaded version, computed when it was loaded
 * ({@link dev.warden.worker.loader.ModelDigest}), for platform-api's explainability
 * reports: {@code {"model", "version", "model_sha256"}}. Kept out of TF Serving's
 * metadata answer, which clients compare field by field. A version that is not AVAILABLE
 * here is 404 {@code model_not_found}.
 */
@RestController
class VersionDigestController {

	private final ServableManager<LoadedServable> manager;

	VersionDigestController(ServableManager<LoadedServable> manager) {
		this.manager = manager;
	}

	@GetMapping("/internal/v1/models/{model}/versions/{version}/digest")
	Map<String, Object> digest(@PathVariable String model, @PathVariable String version) {
		if (!version.matches("[0-9]{1,18}")) {
			throw new ServableNotFoundException(
					"Could not find version '" + version + "' of model " + model + ": a version is a positive integer");
		}
		try (ServableHandle<LoadedServable> handle = this.manager
			.handle(ServableRequest.version(model, Long.parseLong(version)))) {
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("model", model);
			body.put("version", Long.toString(handle.version()));
			body.put("model_sha256", handle.servable().filesSha256());
			return body;
		}
	}

}
