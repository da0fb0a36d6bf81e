package dev.warden.platform.explainability.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mean attribution of the tokens of one class's explanations, with a bound on the
 * distinct tokens tracked: when more than {@code maxTracked} are held, the half seen
 * least often (ties: the smaller |sum|, then the later in Unicode order) is dropped. A
 * dropped token that comes back starts afresh, so the counts and means of rare tokens are
 * approximate: they cover their occurrences since they were last admitted. Tokens seen
 * often enough to matter are never dropped while there are fewer than
 * {@code maxTracked / 2} tokens more frequent than them. Deterministic for a given order
 * of input. Not thread-safe.
 */
public final class TokenTally {

	private final int maxTracked;

	private final Map<String, double[]> tallies = new HashMap<>();

	public TokenTally(int maxTracked) {
		if (maxTracked < 2) {
			throw new IllegalArgumentException("maxTracked must be at least 2");
		}
		this.maxTracked = maxTracked;
	}

	public void add(String token, double attribution) {
		double[] tally = this.tallies.computeIfAbsent(token, (t) -> new double[2]);
		tally[0]++;
		tally[1] += attribution;
		if (this.tallies.size() > this.maxTracked) {
			prune();
		}
	}

	private void prune() {
		List<Map.Entry<String, double[]>> entries = new ArrayList<>(this.tallies.entrySet());
		entries.sort(FREQUENT_FIRST);
		for (int i = this.maxTracked / 2; i < entries.size(); i++) {
			this.tallies.remove(entries.get(i).getKey());
		}
	}

	private static final Comparator<Map.Entry<String, double[]>> FREQUENT_FIRST = Comparator
		.comparingDouble((Map.Entry<String, double[]> e) -> -e.getValue()[0])
		.thenComparingDouble((e) -> -Math.abs(e.getValue()[1]))
		.thenComparing(Map.Entry::getKey);

	/**
	 * The {@code n} tokens with the largest mean attribution among those counted at least
	 * {@code minCount} times (ties: the more frequent, then Unicode order).
	 */
	public List<Entry> top(int n, int minCount) {
		List<Entry> entries = new ArrayList<>();
		this.tallies.forEach((token, tally) -> {
			if (tally[0] >= minCount) {
				entries.add(new Entry(token, tally[1] / tally[0], (long) tally[0]));
			}
		});
		entries.sort(Comparator.comparingDouble((Entry e) -> -e.meanAttribution())
			.thenComparingLong((e) -> -e.count())
			.thenComparing(Entry::token));
		return List.copyOf(entries.subList(0, Math.min(n, entries.size())));
	}

	public int tracked() {
		return this.tallies.size();
	}

	/** A token's mean attribution over its counted occurrences. */
	public record Entry(String token, double meanAttribution, long count) {
	}

}
