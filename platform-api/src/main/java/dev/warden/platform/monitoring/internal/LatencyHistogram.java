package dev.warden.platform.monitoring.internal;

import java.util.Arrays;

/**
 * The fixed latency histogram of serving health: 43 buckets of latency in microseconds,
 * log-spaced by a factor of √2 so that a percentile read from it is at most 41 % above
 * the true value. Bucket {@code k} for {@code k < 41} holds the latencies above the bound
 * of bucket {@code k - 1} up to {@code round(50 × 2^(k/2))} µs (50 µs, 71 µs, 100 µs, …,
 * 52.4 s); bucket 41 holds the latencies up to 60 s and bucket 42 everything longer.
 * Histograms with these bounds are merged by adding their counts bucket by bucket, which
 * is how replicas and minutes are combined. The bounds are part of the stored data
 * ({@code serving_minutes.latency_buckets}): changing them needs a migration.
 */
public final class LatencyHistogram {

	/** Number of buckets, the overflow bucket included. */
	public static final int BUCKETS = 43;

	/**
	 * Upper bounds (inclusive, µs) of the buckets but the last, which has none:
	 * {@code round(50 × 2^(k/2))} for {@code k} = 0 … 40, then 60 s.
	 */
	private static final long[] BOUNDS = { 50, 71, 100, 141, 200, 283, 400, 566, 800, 1131, 1600, 2263, 3200, 4525,
			6400, 9051, 12800, 18102, 25600, 36204, 51200, 72408, 102400, 144815, 204800, 289631, 409600, 579262,
			819200, 1158524, 1638400, 2317048, 3276800, 4634095, 6553600, 9268190, 13107200, 18536380, 26214400,
			37072760, 52428800, 60000000 };

	private LatencyHistogram() {
	}

	/** The bucket of a latency: a binary search over the 42 bounds, no allocation. */
	public static int bucket(long micros) {
		int index = Arrays.binarySearch(BOUNDS, Math.max(0, micros));
		return (index >= 0) ? index : -index - 1;
	}

	/**
	 * The inclusive upper bound of a bucket in µs, {@link Long#MAX_VALUE} for the last.
	 */
	public static long upperBound(int bucket) {
		return (bucket < BOUNDS.length) ? BOUNDS[bucket] : Long.MAX_VALUE;
	}

	/** The exclusive lower bound of a bucket in µs ({@code -1} for the first). */
	public static long lowerBound(int bucket) {
		return (bucket == 0) ? -1 : BOUNDS[bucket - 1];
	}

	/** The bounds of the buckets but the last, in µs (a copy). */
	public static long[] bounds() {
		return BOUNDS.clone();
	}

	/**
	 * The {@code quantile} (0 &lt; q ≤ 1) of the latencies counted in {@code counts} by
	 * nearest rank: the upper bound of the bucket that holds the ⌈q × n⌉-th smallest
	 * latency, or {@code max}, the largest latency counted, when that lies in the same
	 * bucket (it is the tighter bound, and the only one for the overflow bucket). So the
	 * answer is at least the true value and at most the bound of its bucket.
	 * @return the latency in µs, or {@code null} when nothing was counted
	 */
	public static Long quantile(long[] counts, double quantile, long max) {
		long total = 0;
		for (long count : counts) {
			total += count;
		}
		if (total == 0) {
			return null;
		}
		long rank = Math.max(1, (long) Math.ceil(quantile * total));
		long seen = 0;
		for (int k = 0; k < counts.length; k++) {
			seen += counts[k];
			if (seen >= rank) {
				if (max > lowerBound(k) && max <= upperBound(k)) {
					// the largest latency is in this bucket: a tighter bound
					return max;
				}
				return (k < BOUNDS.length) ? BOUNDS[k] : Math.max(max, BOUNDS[BOUNDS.length - 1]);
			}
		}
		return max;
	}

}
