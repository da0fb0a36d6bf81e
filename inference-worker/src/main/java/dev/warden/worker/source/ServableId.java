package dev.warden.worker.source;

/** One version of one model, as TF Serving names it. */
public record ServableId(String name, long version) implements Comparable<ServableId> {

	@Override
	public int compareTo(ServableId other) {
		int byName = name.compareTo(other.name);
		return byName != 0 ? byName : Long.compare(version, other.version);
	}

	@Override
	public String toString() {
		return name + "/" + version;
	}

}
