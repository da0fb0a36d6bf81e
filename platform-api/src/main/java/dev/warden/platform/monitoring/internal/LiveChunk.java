package dev.warden.platform.monitoring.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * The live counts of one model version, reference profile and chunk on one replica
 * between two flushes: the count vector in the profile's layout, requests, samples (rows)
 * and skipped requests, and per categorical input at most {@link #MAX_NEW_CATEGORIES}
 * values the reference does not have, with their counts (all of them are also in the
 * input's {@code other} count). Not thread-safe: guarded by its owner.
 */
public final class LiveChunk {

	/** Values not in the reference kept by name per input and chunk in memory. */
	public static final int MAX_NEW_CATEGORIES = 64;

	private final Key key;

	private final long[] counts;

	private long requests;

	private long samples;

	private long skipped;

	private final Map<String, Map<String, Long>> newCategories = new HashMap<>();

	public LiveChunk(Key key, int size) {
		this.key = key;
		this.counts = new long[size];
	}

	/** Counts the rows of one decoded call into the profile's bins. */
	public void add(DriftProfile profile, PayloadDecoder.Decoded call) {
		for (DriftFeature feature : profile.features()) {
			List<JsonNode> values = call.inputs().get(feature.name());
			for (int i = 0; i < call.rows(); i++) {
				String unknown = feature.count((values != null) ? values.get(i) : null, this.counts);
				if (unknown != null) {
					Map<String, Long> seen = this.newCategories.computeIfAbsent(feature.name(), (f) -> new HashMap<>());
					if (seen.size() < MAX_NEW_CATEGORIES || seen.containsKey(unknown)) {
						seen.merge(unknown, 1L, Long::sum);
					}
				}
			}
		}
		for (int i = 0; i < call.rows(); i++) {
			profile.prediction().count(call.classIds().get(i), call.probabilities().get(i), this.counts);
		}
		this.requests++;
		this.samples += call.rows();
	}

	public void skipped(long requests) {
		this.skipped += requests;
	}

	/** Adds another chunk of the same key (a flush that failed before). */
	public void add(LiveChunk other) {
		for (int i = 0; i < this.counts.length; i++) {
			this.counts[i] += other.counts[i];
		}
		this.requests += other.requests;
		this.samples += other.samples;
		this.skipped += other.skipped;
		other.newCategories.forEach((feature, values) -> values
			.forEach((value, count) -> this.newCategories.computeIfAbsent(feature, (f) -> new HashMap<>())
				.merge(value, count, Long::sum)));
	}

	public Key key() {
		return this.key;
	}

	public long[] counts() {
		return this.counts;
	}

	public long requests() {
		return this.requests;
	}

	public long samples() {
		return this.samples;
	}

	public long skippedRequests() {
		return this.skipped;
	}

	/**
	 * The values not in the reference seen at least {@code k} times in this chunk, by
	 * input; the others stay only in their input's {@code other} count.
	 */
	public Map<String, Map<String, Long>> newCategories(int k) {
		Map<String, Map<String, Long>> kept = new LinkedHashMap<>();
		this.newCategories.forEach((feature, values) -> values.forEach((value, count) -> {
			if (count >= k) {
				kept.computeIfAbsent(feature, (f) -> new LinkedHashMap<>()).put(value, count);
			}
		}));
		return kept;
	}

	/**
	 * What a chunk is counted under.
	 *
	 * @param chunk the chunk's first instant, in seconds since the epoch
	 */
	public record Key(String model, long version, UUID profileId, long chunk) {
	}

}
