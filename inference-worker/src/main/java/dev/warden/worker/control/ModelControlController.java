package dev.warden.worker.control;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.VersionStatus;
import dev.warden.worker.serving.ModelStatusJson;
import dev.warden.worker.source.LifecycleProperties;
import dev.warden.worker.system.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's internal control API, for platform-api (the worker listens on loopback and
 * has no authentication of its own): {@code POST /internal/v1/models/{m}:reload}
 * reconciles the store at once (after an upload) and answers when the new versions are
 * loaded; labels can be read, set and removed.
 */
@RestController
class ModelControlController {

	private static final String RELOAD_VERB = ":reload";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ServableManager<?> manager;

	private final LifecycleProperties lifecycle;

	ModelControlController(ServableManager<?> manager, LifecycleProperties lifecycle) {
		this.manager = manager;
		this.lifecycle = lifecycle;
	}

	@PostMapping("/internal/v1/models/{target}")
	Map<String, Object> reload(@PathVariable String target) throws HttpRequestMethodNotSupportedException {
		if (!target.endsWith(RELOAD_VERB) || target.length() == RELOAD_VERB.length()) {
			throw new HttpRequestMethodNotSupportedException("POST", List.of());
		}
		String model = target.substring(0, target.length() - RELOAD_VERB.length());
		List<VersionStatus> statuses = manager.reload(model, lifecycle.reloadTimeout());
		Map<String, Object> body = new LinkedHashMap<>(ModelStatusJson.of(statuses));
		body.put("labels", labelsJson(model));
		return body;
	}

	@GetMapping("/internal/v1/models/{model}/labels")
	Map<String, Object> labels(@PathVariable String model) {
		manager.status(model);
		return Map.of("labels", labelsJson(model));
	}

	@PutMapping(path = "/internal/v1/models/{model}/labels/{label}",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	Map<String, Object> setLabel(@PathVariable String model, @PathVariable String label, @RequestBody byte[] body) {
		long version = versionOf(body);
		try {
			manager.setLabel(model, label, version);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.invalidArgument(ex.getMessage());
		}
		catch (IllegalStateException ex) {
			throw new ApiException(HttpStatus.CONFLICT, "failed_precondition", ex.getMessage());
		}
		return Map.of("labels", labelsJson(model));
	}

	@DeleteMapping("/internal/v1/models/{model}/labels/{label}")
	ResponseEntity<Void> removeLabel(@PathVariable String model, @PathVariable String label) {
		if (!manager.removeLabel(model, label)) {
			throw ApiException.modelNotFound("Unknown label '" + label + "' for model " + model);
		}
		return ResponseEntity.noContent().build();
	}

	private Map<String, String> labelsJson(String model) {
		Map<String, String> labels = new LinkedHashMap<>();
		manager.labels(model).forEach((label, version) -> labels.put(label, Long.toString(version)));
		return labels;
	}

	/** {@code {"version": 2}} or {@code {"version": "2"}}. */
	private static long versionOf(byte[] body) {
		JsonNode json;
		try {
			json = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			throw ApiException.invalidArgument("request body is not valid JSON");
		}
		JsonNode version = json == null || !json.isObject() ? null : json.get("version");
		if (version != null && version.isIntegralNumber() && version.canConvertToLong() && version.longValue() > 0) {
			return version.longValue();
		}
		if (version != null && version.isString() && version.stringValue().matches("[1-9][0-9]{0,17}")) {
			return Long.parseLong(version.stringValue());
		}
		throw ApiException.invalidArgument("body must be {\"version\": <positive integer>}");
	}

}
