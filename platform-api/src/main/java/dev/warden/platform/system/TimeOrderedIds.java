package dev.warden.platform.system;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Version 7 UUIDs (RFC 9562): the first 48 bits are a Unix millisecond, the remaining 74
 * bits random. Ids made one after another sort by time, so that an index on them grows at
 * its right edge instead of on a random leaf page: fewer pages touched (and written in
 * full to the WAL after each checkpoint) per insert as a table grows. Used for the ids of
 * {@code request_log} rows (the row's {@code occurred_at}) and for the request ids the
 * gateway makes ({@code request_log.request_id} is indexed too). The random bits come
 * from the thread's {@link ThreadLocalRandom}, not the one {@code SecureRandom} that
 * {@link UUID#randomUUID()} shares between all threads: these ids are identifiers, not
 * secrets (every read of the log is authorised by role and tenant), and 74 random bits
 * per millisecond make a collision negligible.
 */
public final class TimeOrderedIds {

	private TimeOrderedIds() {
	}

	/** A new id for something that happened now. */
	public static UUID next() {
		return next(Instant.now());
	}

	/** A new id for something (a row) that happened at {@code occurredAt}. */
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
