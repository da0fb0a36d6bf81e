package dev.warden.platform.usage.internal;

/** Counts of one {@code usage_daily} row, or the delta of one row to add to it. */
public record UsageRow(UsageKey key, long requests, long errors, long rows, long requestBytes, long responseBytes,
		long latencyMicrosSum, long latencyMicrosMax) {

	public boolean isEmpty() {
		return this.requests == 0 && this.errors == 0 && this.rows == 0 && this.requestBytes == 0
				&& this.responseBytes == 0 && this.latencyMicrosSum == 0 && this.latencyMicrosMax == 0;
	}

}
