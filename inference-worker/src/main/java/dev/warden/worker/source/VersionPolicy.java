package dev.warden.worker.source;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which of the versions in the model store should be served, after TF Serving's
 * {@code ServableVersionPolicy}: {@code latest} (the N highest), {@code all}, or
 * {@code specific} (the listed versions that exist).
 *
 * @param kind the policy
 * @param latest N for {@link Kind#LATEST}
 * @param versions the versions for {@link Kind#SPECIFIC}
 */
public record VersionPolicy(Kind kind, int latest, SortedSet<Long> versions) {

	public VersionPolicy {
		if (kind == Kind.LATEST && latest < 1) {
			throw new IllegalArgumentException("version policy latest needs at least 1 version, got " + latest);
		}
		if (kind == Kind.SPECIFIC && (versions == null || versions.isEmpty())) {
			throw new IllegalArgumentException("version policy specific needs at least one version");
		}
		versions = Collections.unmodifiableSortedSet(versions == null ? new TreeSet<>() : new TreeSet<>(versions));
	}

	public static VersionPolicy latest(int count) {
		return new VersionPolicy(Kind.LATEST, count, null);
	}

	public static VersionPolicy all() {
		return new VersionPolicy(Kind.ALL, 0, null);
	}

	public static VersionPolicy specific(Collection<Long> versions) {
		return new VersionPolicy(Kind.SPECIFIC, 0, versions == null ? null : new TreeSet<>(versions));
	}

	/** The aspired versions among those in the store. */
	public SortedSet<Long> select(Collection<Long> inStore) {
		TreeSet<Long> sorted = new TreeSet<>(inStore);
		return switch (kind) {
			case ALL -> sorted;
			case SPECIFIC -> {
				sorted.retainAll(versions);
				yield sorted;
			}
			case LATEST -> {
				TreeSet<Long> newest = new TreeSet<>();
				for (Long version : sorted.descendingSet()) {
					if (newest.size() == latest) {
						break;
					}
					newest.add(version);
				}
				yield newest;
			}
		};
	}

	@Override
	public String toString() {
		return switch (kind) {
			case LATEST -> "latest(" + latest + ")";
			case ALL -> "all";
			case SPECIFIC -> "specific" + versions;
		};
	}

	public enum Kind {

		/** The N highest versions in the store. */
		LATEST,
		/** Every version in the store. */
		ALL,
		/** The listed versions, as far as they are in the store. */
		SPECIFIC

	}

}
