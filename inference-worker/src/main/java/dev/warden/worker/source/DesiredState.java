package dev.warden.worker.source;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the platform says this worker must load: per model, the aspired versions, with a
 * generation that only grows, so that an older document arriving late (another gateway
 * replica, a delayed answer) never undoes a newer one.
 *
 * @param generation the platform's generation of this document (positive)
 * @param models aspired versions by model name; a model not listed is left to the
 * worker's own version policy
 */
public record DesiredState(long generation, SortedMap<String, SortedSet<Long>> models) {

	public DesiredState {
		if (generation < 1) {
			throw new IllegalArgumentException("the generation of a desired state must be positive");
		}
		SortedMap<String, SortedSet<Long>> copy = new TreeMap<>();
		for (Map.Entry<String, SortedSet<Long>> entry : models.entrySet()) {
			copy.put(entry.getKey(), Collections.unmodifiableSortedSet(new TreeSet<>(entry.getValue())));
		}
		models = Collections.unmodifiableSortedMap(copy);
	}

	/**
	 * The versions the platform aspires for {@code model}, or {@code null} if it does not
	 * name the model.
	 */
	public SortedSet<Long> versionsOf(String model) {
		return models.get(model);
	}

}
