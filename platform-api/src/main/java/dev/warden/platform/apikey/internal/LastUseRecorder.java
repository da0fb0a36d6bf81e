package dev.warden.platform.apikey.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Keeps {@code api_keys.last_used_at} current without a database write per request: each
 * verified request records its time in memory (per key, the latest), and every
 * {@code warden.keys.last-used-flush-interval} (scheduled by {@code ApiKeyManagement})
 * and on shutdown the recorded times are written in one batched {@code UPDATE} (never
 * moving a stored value back, so replicas flushing out of order are harmless). A flush
 * that fails puts its times back for the next one. {@link #record} is lock-free and never
 * touches the database. Thread-safe.
 */
@Component
public class LastUseRecorder {

	private static final Logger log = LoggerFactory.getLogger(LastUseRecorder.class);

	private final ApiKeyRepository keys;

	private final ConcurrentMap<UUID, Instant> pending = new ConcurrentHashMap<>();

	private final AtomicLong statements = new AtomicLong();

	LastUseRecorder(ApiKeyRepository keys) {
		this.keys = keys;
	}

	/** Records that the key was used at {@code when}. */
	public void record(UUID keyId, Instant when) {
		this.pending.merge(keyId, when, (a, b) -> a.isAfter(b) ? a : b);
	}

	/**
	 * Writes the recorded times in one statement (none when nothing was recorded).
	 * @return the number of keys written
	 */
	public int flush() {
		if (this.pending.isEmpty()) {
			return 0;
		}
		Map<UUID, Instant> batch = new HashMap<>();
		for (UUID id : this.pending.keySet()) {
			// remove-then-write: a use recorded meanwhile lands in the next flush
			Instant when = this.pending.remove(id);
			if (when != null) {
				batch.put(id, when.truncatedTo(ChronoUnit.MICROS));
			}
		}
		try {
			this.statements.incrementAndGet();
			return this.keys.touchAll(batch);
		}
		catch (RuntimeException ex) {
			batch.forEach(this::record);
			log.warn("Could not write the last use of {} API keys; retrying with the next flush: {}", batch.size(),
					ex.toString());
			return 0;
		}
	}

	/** Number of flush statements issued so far (for tests and diagnostics). */
	public long statements() {
		return this.statements.get();
	}

	@PreDestroy
	public void flushOnShutdown() {
		flush();
	}

}
