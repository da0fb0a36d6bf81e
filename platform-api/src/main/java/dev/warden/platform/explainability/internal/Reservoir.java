package dev.warden.platform.explainability.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A uniform random sample of at most {@code capacity} rows of a stream (Vitter's
 * algorithm R), with a seeded generator: the same rows in the same order give the same
 * sample. Not thread-safe.
 */
public final class Reservoir {

	private final int capacity;

	private final SplittableRandom random;

	private final List<String[]> rows = new ArrayList<>();

	private long seen;

	public Reservoir(int capacity, long seed) {
		this.capacity = capacity;
		this.random = new SplittableRandom(seed);
	}

	public void offer(String[] row) {
		this.seen++;
		if (this.rows.size() < this.capacity) {
			this.rows.add(row);
			return;
		}
		long slot = this.random.nextLong(this.seen);
		if (slot < this.capacity) {
			this.rows.set((int) slot, row);
		}
	}

	/** The sample, in reservoir order. */
	public List<String[]> rows() {
		return List.copyOf(this.rows);
	}

}
