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
 * @param aspired the versions the policy selects
 */
public record AspiredModel(String name, VersionPolicy policy, SortedMap<Long, Path> inStore, SortedSet<Long> aspired) {

	public AspiredModel {
		inStore = Collections.unmodifiableSortedMap(new TreeMap<>(inStore));
		aspired = Collections.unmodifiableSortedSet(new TreeSet<>(aspired));
	}

	public Path directory(long version) {
		return inStore.get(version);
	}

}
