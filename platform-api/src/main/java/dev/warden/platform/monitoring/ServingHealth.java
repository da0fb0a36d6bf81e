package dev.warden.platform.monitoring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

import dev.warden.platform.model.ModelGrants;
import dev.warden.platform.monitoring.internal.ServingCounters;
import dev.warden.platform.monitoring.internal.ServingKey;
import dev.warden.platform.monitoring.internal.ServingMinutes;
import dev.warden.platform.monitoring.internal.ServingRow;
import dev.warden.platform.system.MetricLabels;
import dev.warden.platform.system.MetricsProperties;

/**
 * Serving health: every data-plane answer to a verified tenant for a model, counted per
 * UTC minute, tenant, model and answering version in memory and added to
 * {@code serving_minutes} every {@code warden.monitoring.serving.flush-interval} and at
 * shutdown with one upsert that adds deltas, so that replicas flushing into the same rows
 * sum up.
 *
 * <p>
 * Contract: {@link #record} is called once per data-plane request, by the request-log
 * filter (the one place that observes every answer, after its request-log row was
 * written), before the answer is released; it never blocks on the database, takes no lock
 * held across I/O and never throws for well-formed arguments. Its cost: the counters of
 * {@link ServingCounters}, for a request whose rows were counted one cached summary, and
 * for a 404 one lookup in the model grants' in-memory snapshot. A flush that fails keeps
 * what it drained in memory, merged by key, and writes it with the next flush; beyond
 * {@value #MAX_PENDING_ROWS} rows the oldest minutes are dropped and their requests
 * counted in {@code warden.monitoring.serving.dropped.requests{reason="backlog"}}.
 * Thread-safe.
 */
@Component
public class ServingHealth implements SmartLifecycle, SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(ServingHealth.class);

	/**
	 * Rows kept in memory while flushes fail (about 0.5 KiB each): at the default flush
	 * interval, minutes of traffic of thousands of tenant, model and version keys.
	 */
	static final int MAX_PENDING_ROWS = 50_000;

	/**
	 * After the web server's graceful stop (phase {@code Integer.MAX_VALUE - 2048}): no
	 * request records any more.
	 */
	private static final int PHASE = 0;

	private final ServingMinutes repository;

	private final ModelGrants grants;

	private final Duration flushInterval;

	private final Clock clock;

	private final ServingCounters counters = new ServingCounters();

	/** Deltas drained but not written yet (a flush failed); guarded by the flush lock. */
	private final Map<ServingKey, ServingRow> pending = new HashMap<>();

	private final ReentrantLock flushLock = new ReentrantLock();

	private final AtomicInteger pendingRows = new AtomicInteger();

	private final Counter rowsUpserted;

	private final Counter flushFailures;

	private final Counter droppedBacklog;

	private final MeterRegistry meters;

	private final MetricLabels rowModels;

	private final ConcurrentHashMap<String, DistributionSummary> rowSummaries = new ConcurrentHashMap<>();

	private volatile boolean running;

	@Autowired
	ServingHealth(ServingMinutes repository, ModelGrants grants, ServingHealthProperties properties,
			MeterRegistry meters, MetricsProperties metrics) {
		this(repository, grants, properties, meters, metrics, Clock.systemUTC());
	}

	ServingHealth(ServingMinutes repository, ModelGrants grants, ServingHealthProperties properties,
			MeterRegistry meters, MetricsProperties metrics, Clock clock) {
		this.repository = repository;
		this.grants = grants;
		this.flushInterval = properties.flushInterval();
		this.clock = clock;
		this.meters = meters;
		this.rowModels = metrics.labels();
		this.rowsUpserted = Counter.builder("warden.monitoring.serving.flush.rows")
			.description("serving_minutes rows written (inserted or added to) by this replica's flushes")
			.register(meters);
		this.flushFailures = Counter.builder("warden.monitoring.serving.flush.failures")
			.description("serving-health flushes that failed; what they held is kept for the next flush")
			.register(meters);
		this.droppedBacklog = Counter.builder("warden.monitoring.serving.dropped.requests")
			.description("requests not counted in serving health: backlog = flushes failed for longer than the "
					+ "memory bound, keys = more tenant/model/version keys in one minute than the bound")
			.tag("reason", "backlog")
			.register(meters);
		FunctionCounter
			.builder("warden.monitoring.serving.dropped.requests", this.counters, ServingCounters::droppedOverKeyBound)
			.description("requests not counted in serving health: backlog = flushes failed for longer than the "
					+ "memory bound, keys = more tenant/model/version keys in one minute than the bound")
			.tag("reason", "keys")
			.register(meters);
		Gauge.builder("warden.monitoring.serving.pending.rows", this.pendingRows, AtomicInteger::get)
			.description("serving_minutes rows held in memory because a flush failed")
			.register(meters);
	}

	/**
	 * Runs {@link #flush()} every {@code warden.monitoring.serving.flush-interval}, the
	 * first time that long after the start.
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(new FixedDelayTask(this::scheduledFlush, this.flushInterval, this.flushInterval));
	}

	private void scheduledFlush() {
		try {
			flush();
		}
		catch (RuntimeException ex) {
			log.warn("Serving-health flush failed: {}", ex.toString());
		}
	}

	/**
	 * Counts one data-plane answer. Answers without a verified tenant (401, paths refused
	 * before the key is read) or without a model in the path (listings, health,
	 * {@code /v1/usage}) are not counted, nor a 404 for a model the catalogue does not
	 * know (a made-up name must not become rows).
	 * @param tenantId the verified key's tenant, or {@code null}
	 * @param model the model named in the path, or {@code null}
	 * @param version the version that answered ({@code X-Model-Version}), or {@code null}
	 * @param occurredAt when the request arrived (its minute is the row's)
	 * @param status the status sent
	 * @param errorCode the error code the request log records for the answer, or
	 * {@code null}
	 * @param latencyMicros the latency the request log records
	 * @param quotaLimit the quota limit that refused the call ({@code rate},
	 * {@code key_monthly}, {@code monthly}, {@code rows}, {@code bytes}), or {@code null}
	 * @param rows the request's rows as counted by the row-limit check, or {@code null}
	 * when they were not counted; not counted for a call refused for its rows (the count
	 * stops past the limit)
	 */
	public void record(UUID tenantId, String model, String version, Instant occurredAt, int status, String errorCode,
			long latencyMicros, String quotaLimit, Long rows) {
		if (tenantId == null || model == null) {
			return;
		}
		if (status == 404 && this.grants.access(model, null) == ModelGrants.Access.UNKNOWN) {
			return;
		}
		long counted = (rows != null && rows >= 0 && !"rows".equals(quotaLimit)) ? rows : -1;
		boolean recorded = this.counters.record(Math.floorDiv(occurredAt.getEpochSecond(), 60), tenantId, model,
				validVersion(version) ? version : "", status, errorCode, latencyMicros, quotaLimit, counted);
		if (recorded && counted >= 0) {
			rowSummary(model).record(counted);
		}
	}

	/**
	 * Whether an {@code X-Model-Version} is a version number (1 to 18 digits): anything
	 * else is recorded as no version.
	 */
	private static boolean validVersion(String version) {
		if (version == null || version.isEmpty() || version.length() > 18) {
			return false;
		}
		for (int i = 0; i < version.length(); i++) {
			char c = version.charAt(i);
			if (c < '0' || c > '9') {
				return false;
			}
		}
		return true;
	}

	/**
	 * The rows summary of a model: a set lookup for the label bound, a map lookup for the
	 * meter (one per label value: at most {@code warden.metrics.max-label-values} and
	 * {@value MetricLabels#OTHER}).
	 */
	private DistributionSummary rowSummary(String model) {
		String label = this.rowModels.of(model);
		DistributionSummary summary = this.rowSummaries.get(label);
		if (summary == null) {
			summary = this.rowSummaries.computeIfAbsent(label, (m) -> DistributionSummary
				.builder("warden.monitoring.serving.request.rows")
				.description(
						"rows (instances) per predict/infer/explain request, as counted by the " + "row-limit check")
				.baseUnit("rows")
				.tag("model", m)
				.register(this.meters));
		}
		return summary;
	}

	/**
	 * Adds the counts recorded since the last flush (and what earlier failed flushes
	 * kept) to {@code serving_minutes} in one statement.
	 * @return the number of rows written
	 */
	public int flush() {
		this.flushLock.lock();
		try {
			long currentMinute = Math.floorDiv(this.clock.instant().getEpochSecond(), 60);
			for (ServingRow row : this.counters.drain(currentMinute)) {
				ServingRow kept = this.pending.putIfAbsent(row.key(), row);
				if (kept != null) {
					kept.add(row);
				}
			}
			if (this.pending.isEmpty()) {
				return 0;
			}
			List<ServingRow> rows = new ArrayList<>(this.pending.values());
			try {
				this.repository.add(rows);
				this.pending.clear();
				this.rowsUpserted.increment(rows.size());
				return rows.size();
			}
			catch (RuntimeException ex) {
				this.flushFailures.increment();
				long dropped = trimBacklog();
				log.warn("Serving-health flush of {} rows failed; kept in memory for the next flush{}: {}", rows.size(),
						(dropped > 0) ? " (" + dropped + " requests of the oldest minutes dropped over the bound)" : "",
						ex.toString());
				return 0;
			}
		}
		finally {
			this.pendingRows.set(this.pending.size());
			this.flushLock.unlock();
		}
	}

	/**
	 * Drops the rows of the oldest minutes until at most {@link #MAX_PENDING_ROWS} are
	 * kept.
	 * @return the requests dropped
	 */
	private long trimBacklog() {
		int excess = this.pending.size() - MAX_PENDING_ROWS;
		if (excess <= 0) {
			return 0;
		}
		List<ServingKey> oldest = new ArrayList<>(this.pending.keySet());
		oldest.sort(Comparator.comparingLong(ServingKey::minute));
		long requests = 0;
		for (ServingKey key : oldest.subList(0, excess)) {
			requests += this.pending.remove(key).requests();
		}
		this.droppedBacklog.increment(requests);
		return requests;
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
		this.flushLock.lock();
		try {
			long left = this.pending.values().stream().mapToLong(ServingRow::requests).sum();
			if (left > 0) {
				log.error("Serving health of {} requests could not be written at shutdown and is lost", left);
			}
			else {
				log.debug("Serving health flushed at shutdown ({} rows)", written);
			}
		}
		finally {
			this.flushLock.unlock();
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

}
