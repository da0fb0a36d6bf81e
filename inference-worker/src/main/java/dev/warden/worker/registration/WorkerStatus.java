package dev.warden.worker.registration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.VersionState;
import dev.warden.worker.manager.VersionStatus;

import org.springframework.stereotype.Component;

/**
 * What this worker serves now, in the shape the platform reads: {@code {"<model>":
 * {"versions": [2, 1], "labels": {"stable": 1}}}}; only AVAILABLE versions are listed,
 * and a model with none is left out.
 */
@Component
class WorkerStatus {

	private final ServableManager<?> manager;

	WorkerStatus(ServableManager<?> manager) {
		this.manager = manager;
	}

	Map<String, Object> models() {
		Map<String, Object> models = new LinkedHashMap<>();
		this.manager.models().forEach((name, statuses) -> {
			List<Long> available = statuses.stream()
				.filter((status) -> status.state() == VersionState.AVAILABLE)
				.map(VersionStatus::version)
				.toList();
			if (!available.isEmpty()) {
				Map<String, Object> model = new LinkedHashMap<>();
				model.put("versions", available);
				model.put("labels", this.manager.labels(name));
				models.put(name, model);
			}
		});
		return models;
	}

}
