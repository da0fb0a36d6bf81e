package dev.warden.platform.monitoring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

import dev.warden.platform.monitoring.internal.DriftProfile;
import dev.warden.platform.monitoring.internal.DriftStore;
import dev.warden.platform.monitoring.internal.LiveChunk;
import dev.warden.platform.monitoring.internal.PayloadDecoder;

/**
 * Live profiles for data drift: the inputs and answers of successful predict and infer
 * calls, counted per model version, reference profile and chunk in exactly the bins of
 * the version's reference profile, in memory, and added to {@code drift_live_chunks}
 * every {@code warden.monitoring.drift.flush-interval} and at shutdown (additive upserts,
 * so replicas sum up). No request or answer value is kept: the bytes are parsed, counted
 * and dropped; only counts (and categories seen at least k times) are written.
 *
 * <p>
 * Contract: {@link #observe} is called by the request-log filter, on the request thread,
 * once per 2xx predict or infer answer. It only puts a reference to the two byte arrays
 * on a bounded queue (at most {@code queue-capacity} calls and {@code queue-max-bytes}
 * bytes) and returns: no parsing, no lock held across work, no database, no logging. A
 * call that finds the queue full is not observed and is counted as skipped (per chunk, in
 * {@code drift_live_chunks.skipped}, and in
 * {@code warden.monitoring.drift.skipped.requests{reason="queue_full"}}), so the sample
 * sizes stay honest. One background thread parses the queued calls
 * ({@link PayloadDecoder}) and counts them, taking everything queued at once and sleeping
 * 20 ms when nothing was (it is never woken by a request). A version without a reference
 * profile is not counted ({@code reason="no_profile"}); the profile of a version is
 * looked up in the database at most every {@code profile-refresh}. Thread-safe.
 */
@Component
public class DataDrift implements SmartLifecycle, SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(DataDrift.class);

	/** How long the parser sleeps when it found nothing queued. */
	static final long PARSE_INTERVAL_MILLIS = 20;

	/** Chunks kept in memory while flushes fail; beyond, the oldest are dropped. */
	static final int MAX_PENDING_CHUNKS = 10_000;

	/** Before serving health's (0): stop observing, count what is queued, flush. */
	private static final int PHASE = 0;

	private final DriftStore store;

	private final MonitoringPolicies policies;

	private final DriftProperties properties;

	private final long chunkSeconds;

	private final long maxBytes;

	private final ArrayBlockingQueue<Sample> queue;

	private final AtomicLong queuedBytes = new AtomicLong();

	private final AtomicLong accepted = new AtomicLong();

	private final AtomicLong processed = new AtomicLong();

	private final Map<SkipKey, LongAdder> skips = new ConcurrentHashMap<>();

	private final Map<VersionKey, CachedProfile> profiles = new ConcurrentHashMap<>();

	/** Guards {@link #live}: the parser thread counts into it, a flush swaps it. */
	private final ReentrantLock liveLock = new ReentrantLock();

	private Map<LiveChunk.Key, LiveChunk> live = new HashMap<>();

	/** Chunks drained but not written (a flush failed); guarded by the flush lock. */
	private final Map<LiveChunk.Key, LiveChunk> pending = new HashMap<>();

	private final ReentrantLock flushLock = new ReentrantLock();

	private final Counter skippedFull;

	private final Counter skippedNoProfile;

	private final Counter skippedUnreadable;

	private final Counter observed;

	private final Counter flushFailures;

	private final Counter droppedBacklog;

	private final AtomicInteger pendingChunks = new AtomicInteger();

	private volatile boolean running;

	private volatile Thread parser;

	DataDrift(DriftStore store, MonitoringPolicies policies, DriftProperties properties, MeterRegistry meters) {
		this.store = store;
		this.policies = policies;
		this.properties = properties;
		this.chunkSeconds = properties.chunk().getSeconds();
		this.maxBytes = properties.queueMaxBytes().toBytes();
		this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
		String skipped = "warden.monitoring.drift.skipped.requests";
		String skippedHelp = "2xx predict/infer calls not counted in the live drift profiles: queue_full = the "
				+ "observation queue was full, no_profile = the version has no reference profile, unreadable = "
				+ "request or answer could not be read";
		this.skippedFull = Counter.builder(skipped)
			.description(skippedHelp)
			.tag("reason", "queue_full")
			.register(meters);
		this.skippedNoProfile = Counter.builder(skipped)
			.description(skippedHelp)
			.tag("reason", "no_profile")
			.register(meters);
		this.skippedUnreadable = Counter.builder(skipped)
			.description(skippedHelp)
			.tag("reason", "unreadable")
			.register(meters);
		this.observed = Counter.builder("warden.monitoring.drift.observed.requests")
			.description("calls counted in the live drift profiles")
			.register(meters);
		this.flushFailures = Counter.builder("warden.monitoring.drift.flush.failures")
			.description("drift flushes that failed; what they held is kept for the next flush")
			.register(meters);
		this.droppedBacklog = Counter.builder("warden.monitoring.drift.dropped.chunks")
			.description("live drift chunks dropped because flushes failed for longer than the memory bound")
			.register(meters);
		Gauge.builder("warden.monitoring.drift.queue.calls", this.queue, ArrayBlockingQueue::size)
			.description("calls waiting to be parsed for the live drift profiles")
			.register(meters);
		Gauge.builder("warden.monitoring.drift.pending.chunks", this.pendingChunks, AtomicInteger::get)
			.description("live drift chunks held in memory because a flush failed")
			.register(meters);
	}

	/**
	 * Queues a 2xx predict ({@code openInference} false) or infer ({@code true}) call for
	 * counting, or counts it as skipped when the queue is full. The arrays are not copied
	 * and must not be changed afterwards.
	 * @param model the model in the path
	 * @param version the version that answered ({@code X-Model-Version})
	 * @param epochSecond when the request arrived
	 */
	public void observe(String model, String version, long epochSecond, boolean openInference, byte[] request,
			byte[] response) {
		if (!this.properties.enabled() || model == null || request == null || response == null) {
			return;
		}
		long versionNumber = versionNumber(version);
		if (versionNumber < 0) {
			return;
		}
		long chunk = Math.floorDiv(epochSecond, this.chunkSeconds) * this.chunkSeconds;
		long bytes = (long) request.length + response.length;
		if (this.queuedBytes.addAndGet(bytes) > this.maxBytes
				|| !this.queue.offer(new Sample(model, versionNumber, chunk, openInference, request, response))) {
			this.queuedBytes.addAndGet(-bytes);
			this.skips.computeIfAbsent(new SkipKey(model, versionNumber, chunk), (k) -> new LongAdder()).increment();
			this.skippedFull.increment();
			return;
		}
		this.accepted.incrementAndGet();
	}

	private static long versionNumber(String version) {
		if (version == null || version.isEmpty() || version.length() > 18) {
			return -1;
		}
		long value = 0;
		for (int i = 0; i < version.length(); i++) {
			char c = version.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return value;
	}

	/**
	 * The parser thread's loop: takes everything queued, counts it, and sleeps
	 * {@link #PARSE_INTERVAL_MILLIS} when nothing was queued. It never waits on the queue
	 * itself, so {@link #observe} never has a waiting thread to wake: the request
	 * thread's offer costs no system call (a wake-up per request cost more than the
	 * parsing on a busy gateway), and a call is counted at most that interval later.
	 */
	private void parse() {
		List<Sample> taken = new ArrayList<>();
		while (this.running || !this.queue.isEmpty()) {
			this.queue.drainTo(taken);
			if (taken.isEmpty()) {
				try {
					Thread.sleep(PARSE_INTERVAL_MILLIS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				continue;
			}
			for (Sample sample : taken) {
				count(sample);
			}
			taken.clear();
		}
	}

	private void count(Sample sample) {
		try {
			this.queuedBytes.addAndGet(-((long) sample.request.length + sample.response.length));
			Optional<DriftProfile> found = profile(sample.model, sample.version);
			if (found.isEmpty()) {
				this.skippedNoProfile.increment();
				return;
			}
			DriftProfile profile = found.get();
			PayloadDecoder.Decoded call = PayloadDecoder.decode(sample.openInference, sample.request, sample.response,
					(profile.features().size() == 1) ? profile.features().get(0).name() : null);
			if (call == null) {
				this.skippedUnreadable.increment();
				return;
			}
			LiveChunk.Key key = new LiveChunk.Key(sample.model, sample.version, profile.id(), sample.chunk);
			this.liveLock.lock();
			try {
				this.live.computeIfAbsent(key, (k) -> new LiveChunk(k, profile.size())).add(profile, call);
			}
			finally {
				this.liveLock.unlock();
			}
			this.observed.increment();
		}
		catch (RuntimeException ex) {
			// never the values: they are tenants' data
			this.skippedUnreadable.increment();
			log.debug("A call to {}/{} could not be counted for drift: {}", sample.model, sample.version,
					ex.getClass().getName());
		}
		finally {
			this.processed.incrementAndGet();
		}
	}

	/**
	 * The version's newest reference profile, looked up at most every profile-refresh.
	 */
	Optional<DriftProfile> profile(String model, long version) {
		VersionKey key = new VersionKey(model, version);
		long now = System.nanoTime();
		CachedProfile cached = this.profiles.get(key);
		if (cached != null && now - cached.loadedAt < this.properties.profileRefresh().toNanos()) {
			return cached.profile;
		}
		Optional<DriftProfile> profile;
		try {
			profile = this.store.newestProfile(model, version).map(DriftStore.StoredProfile::profile);
		}
		catch (RuntimeException ex) {
			log.warn("The reference profile of {}/{} could not be read: {}", model, version, ex.toString());
			profile = (cached != null) ? cached.profile : Optional.empty();
		}
		this.profiles.put(key, new CachedProfile(profile, now));
		return profile;
	}

	/** Forgets the cached profile of a version (a new one was stored on this replica). */
	void profileChanged(String model, long version) {
		this.profiles.remove(new VersionKey(model, version));
	}

	/**
	 * Whether every call queued so far has been counted (for tests and the shutdown).
	 */
	boolean idle() {
		return this.processed.get() == this.accepted.get();
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		Duration interval = this.properties.flushInterval();
		tasks.addFixedDelayTask(new FixedDelayTask(this::scheduledFlush, interval, interval));
	}

	private void scheduledFlush() {
		try {
			flush();
		}
		catch (RuntimeException ex) {
			log.warn("Drift flush failed: {}", ex.toString());
		}
	}

	/**
	 * Adds the live counts since the last flush (and what failed flushes kept) to
	 * {@code drift_live_chunks} in one statement.
	 * @return the chunks written
	 */
	public int flush() {
		this.flushLock.lock();
		try {
			Map<LiveChunk.Key, LiveChunk> drained;
			this.liveLock.lock();
			try {
				drained = this.live;
				this.live = new HashMap<>();
			}
			finally {
				this.liveLock.unlock();
			}
			for (LiveChunk chunk : drained.values()) {
				merge(chunk);
			}
			for (Map.Entry<SkipKey, LongAdder> skip : this.skips.entrySet()) {
				long count = skip.getValue().sumThenReset();
				if (count == 0) {
					this.skips.remove(skip.getKey(), skip.getValue());
					continue;
				}
				SkipKey key = skip.getKey();
				Optional<DriftProfile> profile = profile(key.model, key.version);
				if (profile.isPresent()) {
					LiveChunk chunk = new LiveChunk(
							new LiveChunk.Key(key.model, key.version, profile.get().id(), key.chunk),
							profile.get().size());
					chunk.skipped(count);
					merge(chunk);
				}
			}
			if (this.pending.isEmpty()) {
				return 0;
			}
			List<LiveChunk> chunks = new ArrayList<>(this.pending.values());
			try {
				MonitoringPolicy policy = this.policies.current();
				this.store.add(chunks, (model) -> policy.drift(model).k());
				this.pending.clear();
				return chunks.size();
			}
			catch (RuntimeException ex) {
				this.flushFailures.increment();
				trimBacklog();
				log.warn("Drift flush of {} chunks failed; kept in memory for the next flush: {}", chunks.size(),
						ex.toString());
				return 0;
			}
		}
		finally {
			this.pendingChunks.set(this.pending.size());
			this.flushLock.unlock();
		}
	}

	private void merge(LiveChunk chunk) {
		LiveChunk kept = this.pending.putIfAbsent(chunk.key(), chunk);
		if (kept != null) {
			kept.add(chunk);
		}
	}

	private void trimBacklog() {
		int excess = this.pending.size() - MAX_PENDING_CHUNKS;
		if (excess <= 0) {
			return;
		}
		List<LiveChunk.Key> oldest = new ArrayList<>(this.pending.keySet());
		oldest.sort(Comparator.comparingLong(LiveChunk.Key::chunk));
		for (LiveChunk.Key key : oldest.subList(0, excess)) {
			this.pending.remove(key);
		}
		this.droppedBacklog.increment(excess);
	}

	@Override
	public void start() {
		this.running = true;
		Thread thread = new Thread(this::parse, "monitoring-drift");
		thread.setDaemon(true);
		this.parser = thread;
		thread.start();
	}

	/**
	 * After the web server stopped taking requests: counts what is queued, then flushes.
	 */
	@Override
	public void stop() {
		this.running = false;
		Thread thread = this.parser;
		if (thread != null) {
			try {
				thread.join(5_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		flush();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/** One observed call waiting to be parsed. */
	private record Sample(String model, long version, long chunk, boolean openInference, byte[] request,
			byte[] response) {
	}

	private record SkipKey(String model, long version, long chunk) {
	}

	private record VersionKey(String model, long version) {
	}

	private record CachedProfile(Optional<DriftProfile> profile, long loadedAt) {
	}

}
