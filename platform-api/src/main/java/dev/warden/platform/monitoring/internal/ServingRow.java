package dev.warden.platform.monitoring.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * The counts of one {@code serving_minutes} row, or the delta to add to it. Mutable: a
 * delta that could not be written is merged with the next one ({@link #add}). Not
 * thread-safe; used by one flush at a time.
 */
public final class ServingRow {

	private final ServingKey key;

	long requests;

	final long[] statusClasses = new long[5];

	final Map<String, Long> errors = new TreeMap<>();

	final Map<String, Long> quotaRejections = new TreeMap<>();

	final long[] latencyBuckets = new long[LatencyHistogram.BUCKETS];

	long latencyMicrosSum;

	long latencyMicrosMax;

	long rowsRequests;

	long rowsSum;

	long rowsMax;

	public ServingRow(ServingKey key) {
		this.key = key;
	}

	public ServingKey key() {
		return this.key;
	}

	public long requests() {
		return this.requests;
	}

	/** Answers by status class: index 0 for 1xx … 4 for 5xx. */
	public long[] statusClasses() {
		return this.statusClasses;
	}

	/** Error code → answers with it. */
	public Map<String, Long> errors() {
		return this.errors;
	}

	/** Quota limit → calls it refused. */
	public Map<String, Long> quotaRejections() {
		return this.quotaRejections;
	}

	/** Counts per bucket of {@link LatencyHistogram}. */
	public long[] latencyBuckets() {
		return this.latencyBuckets;
	}

	public long latencyMicrosSum() {
		return this.latencyMicrosSum;
	}

	public long latencyMicrosMax() {
		return this.latencyMicrosMax;
	}

	/** Requests whose rows were counted. */
	public long rowsRequests() {
		return this.rowsRequests;
	}

	public long rowsSum() {
		return this.rowsSum;
	}

	public long rowsMax() {
		return this.rowsMax;
	}

	/** Whether nothing was counted (every counter is zero). */
	public boolean isEmpty() {
		if (this.requests != 0 || this.latencyMicrosSum != 0 || this.latencyMicrosMax != 0 || this.rowsRequests != 0
				|| this.rowsSum != 0 || this.rowsMax != 0 || !this.errors.isEmpty()
				|| !this.quotaRejections.isEmpty()) {
			return false;
		}
		for (long count : this.statusClasses) {
			if (count != 0) {
				return false;
			}
		}
		for (long count : this.latencyBuckets) {
			if (count != 0) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Adds another row's counts to this one (the same key, or an aggregate over keys):
	 * sums, maxima, histograms bucket by bucket, maps key by key.
	 * @return this row
	 */
	public ServingRow add(ServingRow other) {
		this.requests += other.requests;
		for (int i = 0; i < this.statusClasses.length; i++) {
			this.statusClasses[i] += other.statusClasses[i];
		}
		other.errors.forEach((code, count) -> this.errors.merge(code, count, Long::sum));
		other.quotaRejections.forEach((limit, count) -> this.quotaRejections.merge(limit, count, Long::sum));
		for (int i = 0; i < this.latencyBuckets.length; i++) {
			this.latencyBuckets[i] += other.latencyBuckets[i];
		}
		this.latencyMicrosSum += other.latencyMicrosSum;
		this.latencyMicrosMax = Math.max(this.latencyMicrosMax, other.latencyMicrosMax);
		this.rowsRequests += other.rowsRequests;
		this.rowsSum += other.rowsSum;
		this.rowsMax = Math.max(this.rowsMax, other.rowsMax);
		return this;
	}

}
