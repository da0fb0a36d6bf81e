package dev.warden.platform.worker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * What one worker serves and what it is converging to: per model the AVAILABLE versions
 * and the version labels, and (workers that follow the platform's desired state) the
 * aspired versions, those still loading, those that failed with their reasons and the
 * versions in its model store; plus the generation of the desired state it follows. The
 * shape on the wire (worker status endpoint, heartbeat, database) is <pre>
 * {"desired_generation": 17, "models": {"<model>": {"versions": [1], "labels": {"stable": 1},
 *   "aspired": [1], "loading": [], "failed": {"3": "reason"}, "in_store": [1, 2, 3]}}}
 * </pre> (a worker that predates the desired state sends only {@code versions} and
 * {@code labels}).
 *
 * @param models the models by name
 * @param desiredGeneration the generation of the desired state the worker follows, or
 * {@code null} (its own version policy, or not reported)
 * @param followsDesiredState whether the worker reports a desired-state generation at all
 * (it understands {@code PUT /internal/v1/desired-state} and heartbeat answers)
 */
public record WorkerInventory(Map<String, ServedModel> models,
		@JsonProperty("desired_generation") Long desiredGeneration, @JsonIgnore boolean followsDesiredState) {

	public WorkerInventory {
		models = Map.copyOf(models);
	}

	/** An inventory of a worker that does not report a desired state. */
	public WorkerInventory(Map<String, ServedModel> models) {
		this(models, null, false);
	}

	/**
	 * Reads a status answer ({@code {"desired_generation", "models"}}); entries that are
	 * not of the documented shape are skipped.
	 */
	public static WorkerInventory fromStatus(JsonNode status) {
		JsonNode generation = status.path("desired_generation");
		boolean follows = status.has("desired_generation");
		return fromJson(status.path("models"), generation.canConvertToLong() ? generation.asLong() : null, follows);
	}

	/**
	 * Reads the {@code models} part of the wire shape, with the generation reported
	 * beside it ({@code follows}: the worker reported one, even {@code null}).
	 */
	public static WorkerInventory fromJson(JsonNode node, Long desiredGeneration, boolean follows) {
		Map<String, ServedModel> models = new LinkedHashMap<>();
		if (node != null && node.isObject()) {
			for (Map.Entry<String, JsonNode> entry : node.properties()) {
				JsonNode model = entry.getValue();
				Map<String, Long> labels = new TreeMap<>();
				for (Map.Entry<String, JsonNode> label : model.path("labels").properties()) {
					if (label.getValue().canConvertToLong()) {
						labels.put(label.getKey(), label.getValue().asLong());
					}
				}
				Map<Long, String> failed = new TreeMap<>();
				for (Map.Entry<String, JsonNode> failure : model.path("failed").properties()) {
					Long version = version(failure.getKey());
					if (version != null) {
						failed.put(version, failure.getValue().asString(""));
					}
				}
				models.put(entry.getKey(), new ServedModel(versions(model.path("versions")), Map.copyOf(labels),
						versions(model.path("aspired")), versions(model.path("loading")),
						Collections.unmodifiableSortedMap(new TreeMap<>(failed)), versions(model.path("in_store"))));
			}
		}
		return new WorkerInventory(models, desiredGeneration, follows);
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
					Long number = version(version.path("version").asString(""));
					if (number != null) {
						versions.add(number);
					}
				}
			}
			models.put(model.path("name").asString(""), new ServedModel(sorted(versions), Map.of()));
		}
		return new WorkerInventory(models);
	}

	private static SortedSet<Long> versions(JsonNode array) {
		Set<Long> versions = new TreeSet<>();
		for (JsonNode version : array) {
			if (version.canConvertToLong() || version.isString()) {
				Long number = version(version.asString());
				if (number != null) {
					versions.add(number);
				}
			}
		}
		return sorted(versions);
	}

	private static Long version(String text) {
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static SortedSet<Long> sorted(Set<Long> versions) {
		return Collections.unmodifiableSortedSet(new TreeSet<>(versions));
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
	 * One model on one worker.
	 *
	 * @param versions the AVAILABLE versions
	 * @param labels version labels ({@code stable}, {@code canary}, ...)
	 * @param aspired the versions the worker is converging to
	 * @param loading aspired versions not AVAILABLE yet
	 * @param failed aspired versions that failed to load (or that its store lacks), with
	 * the reason
	 * @param inStore the versions in the worker's model store
	 */
	public record ServedModel(SortedSet<Long> versions, Map<String, Long> labels, SortedSet<Long> aspired,
			SortedSet<Long> loading, SortedMap<Long, String> failed,
			@JsonProperty("in_store") SortedSet<Long> inStore) {

		/** A model as a worker that predates the desired state reports it. */
		public ServedModel(SortedSet<Long> versions, Map<String, Long> labels) {
			this(versions, labels, Collections.emptySortedSet(), Collections.emptySortedSet(),
					Collections.emptySortedMap(), Collections.emptySortedSet());
		}

	}

}
