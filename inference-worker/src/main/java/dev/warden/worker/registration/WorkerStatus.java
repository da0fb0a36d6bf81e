package dev.warden.worker.registration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.VersionState;
import dev.warden.worker.manager.VersionStatus;
import dev.warden.worker.source.AspiredModel;
import dev.warden.worker.source.PlatformDesiredState;

import org.springframework.stereotype.Component;

/**
 * What this worker serves now, in the shape the platform reads: <pre>
 * {"income": {"versions": [1], "labels": {"stable": 1}, "aspired": [1], "loading": [],
 *             "failed": {}, "in_store": [1, 2]}}
 * </pre> {@code versions} are the AVAILABLE versions; {@code aspired} what the worker is
 * converging to (the platform's versions, or its policy's); {@code loading} the aspired
 * versions not AVAILABLE yet; {@code failed} the aspired versions that failed to load,
 * and those the platform named that are not in the store, each with its reason;
 * {@code in_store} every version in the model store. A model with none of these is left
 * out. {@link #desiredGeneration()} is the generation of the platform's desired state in
 * force ({@code null} while the worker follows its own policy).
 */
@Component
class WorkerStatus {

	private final ServableManager<?> manager;

	private final PlatformDesiredState desired;

	WorkerStatus(ServableManager<?> manager, PlatformDesiredState desired) {
		this.manager = manager;
		this.desired = desired;
	}

	Long desiredGeneration() {
		return this.desired.generation();
	}

	Map<String, Object> models() {
		Map<String, List<VersionStatus>> statuses = new TreeMap<>(this.manager.models());
		Map<String, AspiredModel> aspired = this.manager.aspiredModels();
		TreeSet<String> names = new TreeSet<>(statuses.keySet());
		names.addAll(aspired.keySet());
		Map<String, Object> models = new LinkedHashMap<>();
		for (String name : names) {
			List<VersionStatus> versions = statuses.getOrDefault(name, List.of());
			AspiredModel wanted = aspired.get(name);
			List<Long> available = versions.stream()
				.filter((status) -> status.state() == VersionState.AVAILABLE)
				.map(VersionStatus::version)
				.toList();
			SortedSet<Long> aspiredVersions = (wanted != null) ? wanted.aspired() : new TreeSet<>();
			List<Long> loading = new ArrayList<>();
			Map<String, String> failed = new TreeMap<>();
			for (Long version : aspiredVersions) {
				VersionStatus status = versions.stream()
					.filter((candidate) -> candidate.version() == version)
					.findFirst()
					.orElse(null);
				if (status != null && status.failed()) {
					failed.put(Long.toString(version), status.error());
				}
				else if (status == null || status.state() != VersionState.AVAILABLE) {
					loading.add(version);
				}
			}
			if (wanted != null) {
				wanted.missing()
					.forEach((version) -> failed.put(Long.toString(version),
							"version " + version + " of model " + name + " is not in the model store"));
			}
			List<Long> inStore = (wanted != null) ? List.copyOf(wanted.inStore().keySet()) : List.of();
			if (available.isEmpty() && aspiredVersions.isEmpty() && failed.isEmpty() && inStore.isEmpty()) {
				continue;
			}
			Map<String, Object> model = new LinkedHashMap<>();
			model.put("versions", available);
			model.put("labels", this.manager.labels(name));
			model.put("aspired", List.copyOf(aspiredVersions));
			model.put("loading", loading);
			model.put("failed", failed);
			model.put("in_store", inStore);
			models.put(name, model);
		}
		return models;
	}

}
