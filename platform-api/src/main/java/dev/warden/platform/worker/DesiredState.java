package dev.warden.platform.worker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What every worker must load: per model the aspired versions, with a generation that
 * only grows. Sent to registered workers in the heartbeat answer and pushed to the
 * configured ones ({@code PUT /internal/v1/desired-state}); a worker ignores a document
 * older than the one it follows. A model not listed is left to the worker's own version
 * policy.
 *
 * @param generation the generation of this document
 * @param models aspired versions by model name
 */
public record DesiredState(long generation, SortedMap<String, SortedSet<Long>> models) {

	public DesiredState {
		SortedMap<String, SortedSet<Long>> copy = new TreeMap<>();
		models.forEach((name, versions) -> copy.put(name, Collections.unmodifiableSortedSet(new TreeSet<>(versions))));
		models = Collections.unmodifiableSortedMap(copy);
	}

	/** The document as the workers read it: {@code {"generation", "models"}}. */
	public Map<String, Object> toJson() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("generation", this.generation);
		json.put("models", this.models);
		return json;
	}

}
