package dev.warden.platform.worker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;

/**
 * What one worker serves: per model, the versions that are AVAILABLE and the version
 * labels. The shape on the wire (worker status endpoint, heartbeat, database) is
 * {@code {"<model>": {"versions": [1, 2], "labels": {"stable": 1}}}}.
 *
 * @param models the served models by name
 */
public record WorkerInventory(Map<String, ServedModel> models) {

	public WorkerInventory {
		models = Map.copyOf(models);
	}

	/** Reads the wire shape; entries that are not of that shape are skipped. */
	public static WorkerInventory fromJson(JsonNode node) {
		Map<String, ServedModel> models = new LinkedHashMap<>();
		if (node != null && node.isObject()) {
			for (Map.Entry<String, JsonNode> entry : node.properties()) {
				Set<Long> versions = new TreeSet<>();
				for (JsonNode version : entry.getValue().path("versions")) {
					if (version.canConvertToLong() || version.isString()) {
						try {
							versions.add(Long.parseLong(version.asString()));
						}
						catch (NumberFormatException ex) {
							// not a version number: skipped
						}
					}
				}
				Map<String, Long> labels = new TreeMap<>();
				for (Map.Entry<String, JsonNode> label : entry.getValue().path("labels").properties()) {
					if (label.getValue().canConvertToLong()) {
						labels.put(label.getKey(), label.getValue().asLong());
					}
				}
				models.put(entry.getKey(), new ServedModel(sorted(versions), Map.copyOf(labels)));
			}
		}
		return new WorkerInventory(models);
	}

	/**
	 * Reads TF Serving's {@code GET /v1/models} listing of the worker: the AVAILABLE
	 * versions, no labels.
	 */
	public static WorkerInventory fromListing(JsonNode listing) {
		Map<String, ServedModel> models = new LinkedHashMap<>();
		for (JsonNode model : listing.path("models")) {
			Set<Long> versions = new TreeSet<>();
			for (JsonNode version : model.path("versions")) {
				if ("AVAILABLE".equals(version.path("state").asString(""))) {
					try {
						versions.add(Long.parseLong(version.path("version").asString("")));
					}
					catch (NumberFormatException ex) {
						// not a version number: skipped
					}
				}
			}
			models.put(model.path("name").asString(""), new ServedModel(sorted(versions), Map.of()));
		}
		return new WorkerInventory(models);
	}

	private static Set<Long> sorted(Set<Long> versions) {
		return java.util.Collections.unmodifiableSortedSet(new TreeSet<>(versions));
	}

	public boolean serves(String model) {
		ServedModel served = this.models.get(model);
		return served != null && !served.versions().isEmpty();
	}

	public boolean serves(String model, long version) {
		ServedModel served = this.models.get(model);
		return served != null && served.versions().contains(version);
	}

	public boolean servesLabel(String model, String label) {
		ServedModel served = this.models.get(model);
		return served != null && served.labels().containsKey(label);
	}

	/**
	 * One served model.
	 *
	 * @param versions the AVAILABLE versions
	 * @param labels version labels ({@code stable}, {@code canary}, ...)
	 */
	public record ServedModel(Set<Long> versions, Map<String, Long> labels) {
	}

}
