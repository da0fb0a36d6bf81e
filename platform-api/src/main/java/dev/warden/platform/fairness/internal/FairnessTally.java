package dev.warden.platform.fairness.internal;

import java.util.List;

/**
 * Counts a fairness check's rows as they stream past: per combination of the sensitive
 * attributes' groups, the confusion counts. Memory grows with the number of groups, never
 * with the number of rows. Not thread-safe.
 */
public final class FairnessTally {

	public FairnessTally(List<SensitiveAttribute> attributes) {
		throw new UnsupportedOperationException("not built yet");
	}

	/**
	 * @param sensitive the raw cells of the sensitive attributes, in the order of the
	 * attributes
	 * @param actual whether the row's label is the positive label
	 * @param predicted whether the model predicted the positive class
	 */
	public void add(String[] sensitive, boolean actual, boolean predicted) {
		throw new UnsupportedOperationException("not built yet");
	}

	/** Rows counted. */
	public long rows() {
		throw new UnsupportedOperationException("not built yet");
	}

}
