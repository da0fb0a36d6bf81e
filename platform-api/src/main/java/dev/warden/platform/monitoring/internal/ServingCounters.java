package dev.warden.platform.monitoring.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The in-memory side of serving health: counters per UTC minute, tenant, model and
 * answering version, filled by request threads and drained by the flush.
 *
 * <p>
 * <b>Recording</b> ({@link #record}) costs a look at the current minute's window (a slot
 * of a ring of {@value #RING} minutes), three {@link ConcurrentHashMap#get} calls (tenant
 * → model → version, with the caller's own key objects) and a few lock-free adds
 * ({@link LongAdder}s, one {@link AtomicLongArray} slot of the latency histogram, a
 * compare-and-set only for a new maximum). Nothing is allocated per request once the key
 * has been seen in that minute: the first request of a key in a minute creates its
 * counters, the first request of a minute its window. No lock is taken on that path; a
 * new minute's window is made under a short lock that the flush only holds to swap
 * windows, never across I/O.
 *
 * <p>
 * <b>Bounds.</b> A window holds at most {@value #MAX_KEYS_PER_MINUTE} keys; a request of
 * a further key is not counted (and counted in {@link #droppedOverKeyBound()}). One key's
 * counters keep at most {@value #MAX_CODES} distinct error codes (and quota limits);
 * further ones are counted as {@value #OTHER_CODE}.
 *
 * <p>
 * <b>Draining</b> ({@link #drain}) reads and resets every counter ({@code sumThenReset},
 * {@code getAndSet(0)}: each counter exact; a maximum is raised before the histogram is
 * counted, so once the deltas are added up a row's maximum is at least every latency in
 * its histogram). Windows older than the previous minute leave the ring at a drain and
 * are drained by every drain of the next minute, so a request that picked its window just
 * before it left is still counted; a request that arrives later than that for an old
 * minute (it took minutes) gets a fresh window for its minute, whose counts are added to
 * the same row. A row's counters may disagree by the requests that were being recorded
 * during a drain; the next drain carries the rest.
 */
public final class ServingCounters {

	/** Keys (tenant, model, version) one minute holds at most on one replica. */
	public static final int MAX_KEYS_PER_MINUTE = 10_000;

	/** Distinct error codes, and quota limits, one key's counters keep per minute. */
	public static final int MAX_CODES = 32;

	/** What error codes (or limits) past {@link #MAX_CODES} are counted as. */
	public static final String OTHER_CODE = "other";

	/** Minutes in the ring (a power of two). */
	private static final int RING = 16;

	/**
	 * How long a window that left the ring is still drained: a request thread that took
	 * the window just before would have to stall this long between finding it and
	 * counting into it for its counts to be lost.
	 */
	private static final long RETIRED_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final AtomicReferenceArray<Window> ring = new AtomicReferenceArray<>(RING);

	/** Guards changes of the ring's slots and {@link #offRing}. */
	private final Object ringLock = new Object();

	/**
	 * Windows that left the ring without a drain (replaced by a newer minute), or were
	 * made outside it for a request of a very old minute: drained at the next drain.
	 */
	private final List<Window> offRing = new ArrayList<>();

	/**
	 * Windows that left the ring: drained at every drain for {@link #RETIRED_NANOS} more,
	 * then dropped.
	 */
	private final List<Window> retired = new ArrayList<>();

	private final Object drainLock = new Object();

	private final LongAdder droppedOverKeyBound = new LongAdder();

	/**
	 * Counts one request.
	 * @param minute the UTC minute it arrived in (minutes since the epoch)
	 * @param version the version that answered, {@code ""} for none
	 * @param errorCode the answer's error code, or {@code null}
	 * @param quotaLimit the quota limit that refused it, or {@code null}
	 * @param rows its rows as counted by the row-limit check, or a negative number when
	 * they were not counted
	 * @return whether it was counted ({@code false} past {@link #MAX_KEYS_PER_MINUTE})
	 */
	public boolean record(long minute, UUID tenantId, String model, String version, int status, String errorCode,
			long latencyMicros, String quotaLimit, long rows) {
		Cell cell = window(minute).cell(tenantId, model, version);
		if (cell == null) {
			this.droppedOverKeyBound.increment();
			return false;
		}
		cell.requests.increment();
		int statusClass = status / 100;
		if (statusClass >= 1 && statusClass <= 5) {
			cell.statusClasses[statusClass - 1].increment();
		}
		if (errorCode != null) {
			Cell.count(cell.errors, errorCode);
		}
		if (quotaLimit != null) {
			Cell.count(cell.quotaRejections, quotaLimit);
		}
		long latency = Math.max(0, latencyMicros);
		Cell.max(cell.latencyMax, latency);
		cell.latencySum.add(latency);
		cell.latency.incrementAndGet(LatencyHistogram.bucket(latency));
		if (rows >= 0) {
			Cell.max(cell.rowsMax, rows);
			cell.rowsSum.add(rows);
			cell.rowsRequests.increment();
		}
		return true;
	}

	/**
	 * Requests not counted because their minute already held {@link #MAX_KEYS_PER_MINUTE}
	 * keys.
	 */
	public long droppedOverKeyBound() {
		return this.droppedOverKeyBound.sum();
	}

	private Window window(long minute) {
		int slot = (int) (minute & (RING - 1));
		Window window = this.ring.get(slot);
		if (window != null && window.minute == minute) {
			return window;
		}
		return newWindow(minute, slot);
	}

	private Window newWindow(long minute, int slot) {
		synchronized (this.ringLock) {
			Window window = this.ring.get(slot);
			if (window != null && window.minute == minute) {
				return window;
			}
			Window created = new Window(minute);
			if (window == null || window.minute < minute) {
				if (window != null) {
					this.offRing.add(window);
				}
				this.ring.set(slot, created);
			}
			else {
				// the slot holds a later minute: this request arrived RING or more
				// minutes
				// ago
				this.offRing.add(created);
			}
			return created;
		}
	}

	/**
	 * Reads and resets every counter: one row per key and window with counts (keys with
	 * nothing new are left out; a key appears twice when its minute got a fresh window
	 * beside one that left the ring, and the caller adds them up). One drain at a time.
	 * @param currentMinute the current UTC minute; windows before the previous minute
	 * leave the ring, and so do windows after the next one (the clock was set back)
	 */
	public List<ServingRow> drain(long currentMinute) {
		synchronized (this.drainLock) {
			long now = System.nanoTime();
			List<Window> windows = new ArrayList<>(this.retired);
			this.retired.removeIf((window) -> now - window.retiredAt > RETIRED_NANOS);
			synchronized (this.ringLock) {
				for (int slot = 0; slot < RING; slot++) {
					Window window = this.ring.get(slot);
					if (window == null) {
						continue;
					}
					windows.add(window);
					if (window.minute < currentMinute - 1 || window.minute > currentMinute + 1) {
						this.ring.set(slot, null);
						window.retiredAt = now;
						this.retired.add(window);
					}
				}
				for (Window window : this.offRing) {
					windows.add(window);
					window.retiredAt = now;
					this.retired.add(window);
				}
				this.offRing.clear();
			}
			List<ServingRow> rows = new ArrayList<>();
			for (Window window : windows) {
				window.drain(rows);
			}
			return rows;
		}
	}

	/** One minute's counters: tenant → model → version → counters. */
	private static final class Window {

		final long minute;

		final ConcurrentHashMap<UUID, ConcurrentHashMap<String, ConcurrentHashMap<String, Cell>>> tenants = new ConcurrentHashMap<>();

		final AtomicInteger keys = new AtomicInteger();

		/**
		 * When the window left the ring ({@link System#nanoTime()}); drain thread only.
		 */
		long retiredAt;

		Window(long minute) {
			this.minute = minute;
		}

		/** The key's counters, made on first use; {@code null} past the bound. */
		Cell cell(UUID tenantId, String model, String version) {
			ConcurrentHashMap<String, ConcurrentHashMap<String, Cell>> models = this.tenants.get(tenantId);
			if (models == null) {
				models = this.tenants.computeIfAbsent(tenantId, (t) -> new ConcurrentHashMap<>());
			}
			ConcurrentHashMap<String, Cell> versions = models.get(model);
			if (versions == null) {
				versions = models.computeIfAbsent(model, (m) -> new ConcurrentHashMap<>());
			}
			Cell cell = versions.get(version);
			return (cell != null) ? cell : newCell(versions, version);
		}

		private Cell newCell(ConcurrentHashMap<String, Cell> versions, String version) {
			// reserve a place first so that concurrent callers never make more than the
			// bound
			if (this.keys.incrementAndGet() > MAX_KEYS_PER_MINUTE) {
				this.keys.decrementAndGet();
				return versions.get(version);
			}
			Cell created = new Cell();
			Cell existing = versions.putIfAbsent(version, created);
			if (existing != null) {
				this.keys.decrementAndGet();
				return existing;
			}
			return created;
		}

		void drain(List<ServingRow> rows) {
			this.tenants
				.forEach((tenant, models) -> models.forEach((model, versions) -> versions.forEach((version, cell) -> {
					ServingRow row = cell.drain(new ServingKey(this.minute, tenant, model, version));
					if (!row.isEmpty()) {
						rows.add(row);
					}
				})));
		}

	}

	/** The counters of one key in one minute. */
	private static final class Cell {

		final LongAdder requests = new LongAdder();

		final LongAdder[] statusClasses = { new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
				new LongAdder() };

		final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>(4);

		final ConcurrentHashMap<String, LongAdder> quotaRejections = new ConcurrentHashMap<>(4);

		final AtomicLongArray latency = new AtomicLongArray(LatencyHistogram.BUCKETS);

		final LongAdder latencySum = new LongAdder();

		final AtomicLong latencyMax = new AtomicLong();

		final LongAdder rowsRequests = new LongAdder();

		final LongAdder rowsSum = new LongAdder();

		final AtomicLong rowsMax = new AtomicLong();

		/**
		 * Raises a maximum; usually a single read, since few values are a new maximum. An
		 * update is never lost to a drain's {@code getAndSet(0)}: it lands before or
		 * after it.
		 */
		static void max(AtomicLong max, long value) {
			long current = max.get();
			while (value > current && !max.compareAndSet(current, value)) {
				current = max.get();
			}
		}

		static void count(ConcurrentHashMap<String, LongAdder> counts, String code) {
			LongAdder count = counts.get(code);
			if (count == null) {
				String kept = (counts.size() < MAX_CODES) ? code : OTHER_CODE;
				count = counts.computeIfAbsent(kept, (c) -> new LongAdder());
			}
			count.increment();
		}

		ServingRow drain(ServingKey key) {
			ServingRow row = new ServingRow(key);
			row.requests = this.requests.sumThenReset();
			for (int i = 0; i < this.statusClasses.length; i++) {
				row.statusClasses[i] = this.statusClasses[i].sumThenReset();
			}
			drain(this.errors, row.errors);
			drain(this.quotaRejections, row.quotaRejections);
			for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
				row.latencyBuckets[i] = this.latency.getAndSet(i, 0);
			}
			row.latencyMicrosSum = this.latencySum.sumThenReset();
			row.latencyMicrosMax = this.latencyMax.getAndSet(0);
			row.rowsRequests = this.rowsRequests.sumThenReset();
			row.rowsSum = this.rowsSum.sumThenReset();
			row.rowsMax = this.rowsMax.getAndSet(0);
			return row;
		}

		private static void drain(ConcurrentHashMap<String, LongAdder> counts, Map<String, Long> into) {
			counts.forEach((code, count) -> {
				long n = count.sumThenReset();
				if (n != 0) {
					into.put(code, n);
				}
			});
		}

	}

}
