package dev.warden.platform.usage;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

import dev.warden.platform.quota.RowCounter;
import dev.warden.platform.requestlog.RequestLogEntry;
import dev.warden.platform.usage.internal.UsageKey;
import dev.warden.platform.usage.internal.UsageRepository;
import dev.warden.platform.usage.internal.UsageRow;

/**
 * Usage metering: counts every data-plane request attributable to a tenant (its API key
 * was verified) per tenant, key, model, UTC day and outcome, in memory, and adds the
 * counts to {@code usage_daily} every {@code warden.usage.flush-interval} and at shutdown
 * with one upsert that adds deltas, so that replicas flushing into the same rows sum up
 * correctly.
 *
 * <p>
 * Contract: {@link #record} is called once per logged request, by the request-log filter,
 * after the log row was written and before the answer is sent; it never blocks on the
 * database and never throws for a well-formed entry. Recording is lock-free (a
 * {@link ConcurrentHashMap} of {@link LongAdder}s). A flush drains the adders
 * ({@code sumThenReset}, exact per counter) and writes them in one statement; if the
 * write fails the drained counts are added back and written by the next flush. Reads
 * ({@link #read}) take the flushed rows plus this replica's counts not yet flushed, under
 * a read lock that excludes a flush in progress, so that a count is never seen twice or
 * not at all. Thread-safe.
 */
@Component
public class UsageMeter implements SmartLifecycle, SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(UsageMeter.class);

	/**
	 * Longest model name kept as is; longer names (never valid) are recorded as
	 * {@link #INVALID_MODEL}.
	 */
	static final int MAX_MODEL_LENGTH = 128;

	static final String INVALID_MODEL = "(invalid)";

	/**
	 * Rows counted here (when the quota step did not count them) stop after this many.
	 */
	private static final long MAX_COUNTED_ROWS = 1_000_000;

	/**
	 * After the web server's graceful stop (phase {@code Integer.MAX_VALUE - 2048}): no
	 * request records any more.
	 */
	private static final int PHASE = 0;

	private final UsageRepository repository;

	private final ConcurrentMap<UsageKey, Counters> pending = new ConcurrentHashMap<>();

	/**
	 * Write: a flush between draining and commit. Read: a reader combining memory and
	 * database.
	 */
	private final ReadWriteLock flushLock = new ReentrantReadWriteLock();

	private final Duration flushInterval;

	private volatile boolean running;

	UsageMeter(UsageRepository repository, UsageProperties properties) {
		this.repository = repository;
		this.flushInterval = properties.flushInterval();
	}

	/**
	 * Runs {@link #flush()} every {@code warden.usage.flush-interval}, the first time
	 * that long after the start.
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(new FixedDelayTask(this::flush, this.flushInterval, this.flushInterval));
	}

	/**
	 * Counts one logged request. Requests without a tenant (401) are not attributable and
	 * are not counted.
	 * @param rows rows of the request as counted by the quota step, or {@code null} when
	 * it did not count them (they are then counted here for a 2xx predict/infer answer)
	 */
	public void record(RequestLogEntry entry, Long rows) {
		if (entry.tenantId() == null || entry.apiKeyId() == null) {
			return;
		}
		int status = entry.status();
		String outcome = (status >= 400) ? ((entry.errorCode() != null) ? entry.errorCode() : "http_" + status) : "";
		UsageKey key = new UsageKey(LocalDate.ofInstant(entry.occurredAt(), ZoneOffset.UTC), entry.tenantId(),
				entry.apiKeyId(), model(entry.model()), outcome);
		Counters counters = this.pending.computeIfAbsent(key, (k) -> new Counters());
		counters.requests.increment();
		if (status >= 500) {
			counters.errors.increment();
		}
		if (status >= 200 && status < 300) {
			long counted = (rows != null && rows >= 0) ? rows : countRows(entry);
			if (counted > 0) {
				counters.rows.add(counted);
			}
		}
		counters.requestBytes.add(entry.requestBytes());
		counters.responseBytes.add(entry.responseBytes());
		counters.latencySum.add(entry.latencyMicros());
		counters.latencyMax.accumulate(entry.latencyMicros());
	}

	private static String model(String model) {
		if (model == null) {
			return "";
		}
		return (model.length() <= MAX_MODEL_LENGTH) ? model : INVALID_MODEL;
	}

	private static long countRows(RequestLogEntry entry) {
		if (!"POST".equals(entry.method()) || entry.requestPayload() == null) {
			return 0;
		}
		String path = entry.path();
		boolean v1 = path.startsWith("/v1/") && path.endsWith(":predict");
		boolean v2 = path.startsWith("/v2/") && path.endsWith("/infer");
		if (!v1 && !v2) {
			return 0;
		}
		return Math.max(0, RowCounter.count(entry.requestPayload(), v2, MAX_COUNTED_ROWS));
	}

	/**
	 * Adds the counts recorded since the last flush to {@code usage_daily} in one
	 * statement.
	 * @return the number of rows written
	 */
	public int flush() {
		this.flushLock.writeLock().lock();
		try {
			List<UsageRow> deltas = drain();
			if (deltas.isEmpty()) {
				return 0;
			}
			try {
				this.repository.add(deltas);
				return deltas.size();
			}
			catch (RuntimeException ex) {
				deltas.forEach(this::restore);
				log.warn("Usage flush of {} rows failed; kept in memory for the next flush: {}", deltas.size(),
						ex.toString());
				return 0;
			}
		}
		finally {
			this.flushLock.writeLock().unlock();
		}
	}

	private List<UsageRow> drain() {
		List<UsageRow> deltas = new ArrayList<>();
		LocalDate stale = LocalDate.now(ZoneOffset.UTC).minusDays(2);
		for (Map.Entry<UsageKey, Counters> entry : this.pending.entrySet()) {
			UsageRow row = entry.getValue().drain(entry.getKey());
			if (!row.isEmpty()) {
				deltas.add(row);
			}
			else if (entry.getKey().day().isBefore(stale)) {
				// no request takes two days: nothing records into this entry any more
				this.pending.remove(entry.getKey(), entry.getValue());
			}
		}
		return deltas;
	}

	private void restore(UsageRow row) {
		Counters counters = this.pending.computeIfAbsent(row.key(), (k) -> new Counters());
		counters.requests.add(row.requests());
		counters.errors.add(row.errors());
		counters.rows.add(row.rows());
		counters.requestBytes.add(row.requestBytes());
		counters.responseBytes.add(row.responseBytes());
		counters.latencySum.add(row.latencyMicrosSum());
		counters.latencyMax.accumulate(row.latencyMicrosMax());
	}

	/**
	 * The tenant's usage between two UTC days (inclusive): flushed rows of every replica
	 * plus the counts of this replica not yet flushed, one row per day, key, model and
	 * outcome.
	 */
	List<UsageRow> read(UUID tenantId, LocalDate from, LocalDate to) {
		return underReadLock(() -> {
			List<UsageRow> rows = new ArrayList<>(this.repository.find(tenantId, from, to));
			for (Map.Entry<UsageKey, Counters> entry : this.pending.entrySet()) {
				UsageKey key = entry.getKey();
				if (key.tenantId().equals(tenantId) && !key.day().isBefore(from) && !key.day().isAfter(to)) {
					UsageRow row = entry.getValue().snapshot(key);
					if (!row.isEmpty()) {
						rows.add(row);
					}
				}
			}
			return rows;
		});
	}

	private <T> T underReadLock(Supplier<T> action) {
		this.flushLock.readLock().lock();
		try {
			return action.get();
		}
		finally {
			this.flushLock.readLock().unlock();
		}
	}

	@Override
	public void start() {
		this.running = true;
	}

	/**
	 * Final flush, after the web server stopped taking requests and before the data
	 * source closes.
	 */
	@Override
	public void stop() {
		this.running = false;
		int written = flush();
		long left = this.pending.values().stream().mapToLong((c) -> c.requests.sum()).sum();
		if (left > 0) {
			log.error("Usage of {} requests could not be written at shutdown and is lost", left);
		}
		else {
			log.debug("Usage flushed at shutdown ({} rows)", written);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private static final class Counters {

		final LongAdder requests = new LongAdder();

		final LongAdder errors = new LongAdder();

		final LongAdder rows = new LongAdder();

		final LongAdder requestBytes = new LongAdder();

		final LongAdder responseBytes = new LongAdder();

		final LongAdder latencySum = new LongAdder();

		final LongAccumulator latencyMax = new LongAccumulator(Math::max, 0);

		UsageRow drain(UsageKey key) {
			return new UsageRow(key, this.requests.sumThenReset(), this.errors.sumThenReset(), this.rows.sumThenReset(),
					this.requestBytes.sumThenReset(), this.responseBytes.sumThenReset(), this.latencySum.sumThenReset(),
					this.latencyMax.getThenReset());
		}

		UsageRow snapshot(UsageKey key) {
			return new UsageRow(key, this.requests.sum(), this.errors.sum(), this.rows.sum(), this.requestBytes.sum(),
					this.responseBytes.sum(), this.latencySum.sum(), this.latencyMax.get());
		}

	}

}
