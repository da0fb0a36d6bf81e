package dev.warden.worker.source;

import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the source wants served of one model.
 *
 * @param name the model
 * @param policy its version policy
 * @param inStore every version in the store, with its directory
 * @param aspired the versions to serve: those the platform names (as far as they are in
 * the store) when it names the model, else those the policy selects
 * @param missing versions the platform names that are not in the store (empty when the
 * platform does not name the model)
 * @param byPlatform true when {@code aspired} comes from the platform's desired state,
 * false when from the policy
 */
public record AspiredModel(String name, VersionPolicy policy, SortedMap<Long, Path> inStore, SortedSet<Long> aspired,
		SortedSet<Long> missing, boolean byPlatform) {

	public AspiredModel {
		inStore = Collections.unmodifiableSortedMap(new TreeMap<>(inStore));
		aspired = Collections.unmodifiableSortedSet(new TreeSet<>(aspired));
		missing = Collections.unmodifiableSortedSet(new TreeSet<>(missing));
	}

	/** A model whose aspired versions come from its policy. */
	public AspiredModel(String name, VersionPolicy policy, SortedMap<Long, Path> inStore, SortedSet<Long> aspired) {
		this(name, policy, inStore, aspired, new TreeSet<>(), false);
	}

	public Path directory(long version) {
		return inStore.get(version);
	}

	/** Where the aspired versions come from, for log lines. */
	public String origin() {
		return byPlatform ? "the platform's desired state" : "policy " + policy;
	}

}
