package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.manager.ServableManager;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/models}: every model and the state of its versions (Warden extension,
 * read by platform-api): a version that failed to load carries its {@code error}, a
 * loaded one with caveats (signatures not warmed up or not servable) its
 * {@code warnings}.
 */
@RestController
class ModelsController {

	private final ServableManager<?> manager;

	ModelsController(ServableManager<?> manager) {
		this.manager = manager;
	}

	@GetMapping("/v1/models")
	Map<String, Object> models() {
		List<Object> models = new ArrayList<>();
		manager.models().forEach((name, statuses) -> {
			Map<String, Object> model = new LinkedHashMap<>();
			model.put("name", name);
			model.put("versions", statuses.stream().map(status -> {
				Map<String, Object> version = new LinkedHashMap<>();
				version.put("version", Long.toString(status.version()));
				version.put("state", status.state().name());
				if (status.failed()) {
					version.put("error", status.error());
				}
				if (!status.warnings().isEmpty()) {
					version.put("warnings", status.warnings());
				}
				return version;
			}).toList());
			models.add(model);
		});
		return Map.of("models", models);
	}

}
