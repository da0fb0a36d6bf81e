package dev.warden.platform.requestlog.internal;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids of {@code request_log} rows: version 7 UUIDs (RFC 9562), whose first 48 bits are
 * the row's {@code occurred_at} in Unix milliseconds and the remaining 74 bits random.
 * Rows written one after another get ids that sort by time, so an insert lands at the
 * right edge of the primary key's index ({@code (id, occurred_at)}) instead of on a
 * random leaf page: fewer pages touched (and written in full to the WAL after each
 * checkpoint) per logged request as the month's partition grows. The random bits come
 * from the thread's {@link ThreadLocalRandom}: a row id is an identifier, not a secret
 * (every read of the log is authorised by role and tenant), and 74 random bits per
 * millisecond make a collision negligible.
 */
public final class LogIds {

	private LogIds() {
	}

	/** A new id for a row that occurred at {@code occurredAt}. */
	public static UUID next(Instant occurredAt) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long millis = occurredAt.toEpochMilli() & 0xFFFF_FFFF_FFFFL;
		long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
		long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
		return new UUID(high, low);
	}

	/** The Unix milliseconds a version 7 id was made for. */
	public static long millisOf(UUID id) {
		if (id.version() != 7) {
			throw new IllegalArgumentException("not a version 7 UUID: " + id);
		}
		return id.getMostSignificantBits() >>> 16;
	}

}
