package dev.warden.platform.requestlog.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.warden.platform.requestlog.RequestLogUnavailableException;

/**
 * Group commit for {@code request_log} rows. Contract:
 * <ul>
 * <li>{@link #submit} is called by any number of request threads; it never blocks. The
 * returned future completes with {@link Outcome#COMMITTED} once the record's transaction
 * has committed (durably, when the database has {@code synchronous_commit} on), with
 * {@link Outcome#SPILLED} when the write failed, fail-open is on and the record is kept
 * in the in-memory spill, or exceptionally ({@link RequestLogUnavailableException})
 * otherwise. When the bounded queue is full the future is already completed (spilled or
 * failed) on return.</li>
 * <li>Each writer thread takes the first waiting record as soon as there is one (no
 * timer), plus every record queued behind it, up to {@code maxBatchSize}, and writes them
 * in one transaction: up to {@link LogRecord#STATEMENT_ROWS} records as one multi-row
 * INSERT in auto-commit mode (one round trip), more as several in an explicit
 * transaction. Batches form from the records that arrive while the previous commit waits
 * for its WAL flush.</li>
 * <li>With a commit delay ({@code gatherNanos} &gt; 0) the thread that took the first
 * record keeps gathering for up to that long, but only while {@code arriving} says that
 * other requests are still on their way to the log (in flight and not yet submitted), and
 * only until the batch is full or no record has come for a fifth of the delay: a lone
 * request is committed at once, and under load each commit carries more rows, so that the
 * database pays one commit (and one WAL flush) for many of them. Writers take their
 * batches in turn: while one commits, the next gathers.</li>
 * <li>A failed batch whose error says the database is unreachable fails all its records.
 * Any other failure is retried record by record, each in its own transaction, so that one
 * rejected row does not fail its neighbours.</li>
 * <li>Spilled records are retried every {@code spillRetryInterval} by the first writer
 * thread; a record the database rejects (not unreachable) on that retry is dropped and
 * counted. Whatever is in the spill is lost if the process dies.</li>
 * </ul>
 * After {@link #close} returns, every submitted future is complete.
 */
public final class GroupCommitWriter implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

	/** How a record's write ended. */
	public enum Outcome {

		COMMITTED, SPILLED

	}

	private record Pending(LogRecord record, CompletableFuture<Outcome> done) {
	}

	private final DataSource dataSource;

	private final int maxBatchSize;

	private final int spillCapacity;

	private final long spillRetryNanos;

	private final BooleanSupplier failOpen;

	private final BlockingQueue<Pending> queue;

	private final ArrayDeque<LogRecord> spill = new ArrayDeque<>();

	private final List<Thread> threads = new ArrayList<>();

	private final AtomicBoolean available = new AtomicBoolean(true);

	private volatile boolean running = true;

	private long nextSpillAttempt;

	private final DistributionSummary batchSize;

	private final Timer commitTimer;

	private final Counter committed;

	private final Counter spilled;

	private final Counter failed;

	private final Counter queueFull;

	private final Counter dropped;

	/**
	 * How a batch is written on a connection. A batch of at most
	 * {@link LogRecord#STATEMENT_ROWS} records must be written by one statement: the
	 * writer runs it in auto-commit mode, as its own transaction. Larger batches run
	 * inside a transaction the writer commits.
	 */
	@FunctionalInterface
	public interface BatchWrite {

		void write(Connection connection, List<LogRecord> records) throws SQLException;

	}

	private final BatchWrite batchWrite;

	private final long gatherNanos;

	private final IntSupplier arriving;

	/** Held by the writer thread that is taking (and gathering) its batch. */
	private final ReentrantLock taking = new ReentrantLock();

	public GroupCommitWriter(DataSource dataSource, int queueCapacity, int maxBatchSize, int writerThreads,
			int spillCapacity, long spillRetryMillis, BooleanSupplier failOpen, MeterRegistry meters) {
		this(dataSource, queueCapacity, maxBatchSize, writerThreads, spillCapacity, spillRetryMillis, failOpen, meters,
				LogRecord::insert, 0, () -> 0);
	}

	public GroupCommitWriter(DataSource dataSource, int queueCapacity, int maxBatchSize, int writerThreads,
			int spillCapacity, long spillRetryMillis, BooleanSupplier failOpen, MeterRegistry meters,
			BatchWrite batchWrite) {
		this(dataSource, queueCapacity, maxBatchSize, writerThreads, spillCapacity, spillRetryMillis, failOpen, meters,
				batchWrite, 0, () -> 0);
	}

	/**
	 * @param gatherNanos commit delay: how long the thread that took a batch's first
	 * record may wait for more while {@code arriving} is positive (0 = never wait)
	 * @param arriving how many requests are in flight that have not submitted their
	 * record yet
	 */
	public GroupCommitWriter(DataSource dataSource, int queueCapacity, int maxBatchSize, int writerThreads,
			int spillCapacity, long spillRetryMillis, BooleanSupplier failOpen, MeterRegistry meters,
			BatchWrite batchWrite, long gatherNanos, IntSupplier arriving) {
		this.batchWrite = batchWrite;
		this.gatherNanos = Math.max(0, gatherNanos);
		this.arriving = arriving;
		this.dataSource = dataSource;
		this.maxBatchSize = maxBatchSize;
		this.spillCapacity = spillCapacity;
		this.spillRetryNanos = TimeUnit.MILLISECONDS.toNanos(spillRetryMillis);
		this.failOpen = failOpen;
		this.queue = new ArrayBlockingQueue<>(queueCapacity);
		Gauge.builder("warden.request.log.queue.depth", this.queue, BlockingQueue::size)
			.description("records waiting for the request-log writer")
			.register(meters);
		Gauge.builder("warden.request.log.spill.depth", this, GroupCommitWriter::spillSize)
			.description("records kept in memory (fail-open) until the database is back")
			.register(meters);
		this.batchSize = DistributionSummary.builder("warden.request.log.batch.size")
			.description("records committed per transaction")
			.baseUnit("records")
			.publishPercentiles(0.5, 0.99)
			// histogram buckets too, so that replicas can be aggregated (one bucket per
			// power of two up to the largest batch)
			.serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)
			.register(meters);
		this.commitTimer = Timer.builder("warden.request.log.commit")
			.description("time to write and commit one batch")
			.publishPercentiles(0.5, 0.99)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(meters);
		this.committed = outcome(meters, "committed");
		this.spilled = outcome(meters, "spilled");
		this.failed = outcome(meters, "failed");
		this.queueFull = outcome(meters, "queue_full");
		this.dropped = outcome(meters, "dropped");
		for (int i = 0; i < writerThreads; i++) {
			boolean drainsSpill = (i == 0);
			Thread thread = new Thread(() -> run(drainsSpill), "request-log-writer-" + i);
			thread.setDaemon(true);
			this.threads.add(thread);
		}
		this.threads.forEach(Thread::start);
	}

	private static Counter outcome(MeterRegistry meters, String outcome) {
		return Counter.builder("warden.request.log.records")
			.description("request-log records by outcome")
			.tag("outcome", outcome)
			.register(meters);
	}

	/** Queues the record; see the class contract. Never blocks. */
	public CompletableFuture<Outcome> submit(LogRecord record) {
		CompletableFuture<Outcome> done = new CompletableFuture<>();
		Pending pending = new Pending(record, done);
		if (!this.running) {
			fail(pending, new IllegalStateException("the request log is shutting down"));
		}
		else if (!this.queue.offer(pending)) {
			this.queueFull.increment();
			fail(pending, new IllegalStateException("request-log queue full; the database does not keep up"));
		}
		return done;
	}

	public int spillSize() {
		synchronized (this.spill) {
			return this.spill.size();
		}
	}

	private void run(boolean drainsSpill) {
		List<Pending> batch = new ArrayList<>(this.maxBatchSize);
		while (this.running || !this.queue.isEmpty()) {
			try {
				long waitNanos = (drainsSpill && spillSize() > 0) ? this.spillRetryNanos
						: TimeUnit.MILLISECONDS.toNanos(200);
				if (this.taking.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
					try {
						take(batch, waitNanos);
					}
					finally {
						this.taking.unlock();
					}
				}
				if (!batch.isEmpty()) {
					write(batch);
					batch.clear();
				}
				if (drainsSpill) {
					retrySpill();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				if (!batch.isEmpty()) {
					// interrupted while gathering: what was taken is still written
					write(batch);
					batch.clear();
				}
				break;
			}
			catch (Throwable ex) {
				// never let the writer die with futures pending (the JDBC driver may
				// throw an Error on a lost
				// connection, e.g. an AssertionError with -ea)
				log.error("Request-log writer error", ex);
				batch.stream().filter((pending) -> !pending.done().isDone()).forEach((pending) -> fail(pending, ex));
				batch.clear();
			}
		}
	}

	/**
	 * Takes the first waiting record (waiting up to {@code waitNanos} for one) and what
	 * is queued behind it, then, with a commit delay, gathers more while other requests
	 * are still on their way.
	 */
	private void take(List<Pending> batch, long waitNanos) throws InterruptedException {
		Pending first = this.queue.poll(waitNanos, TimeUnit.NANOSECONDS);
		if (first == null) {
			return;
		}
		batch.add(first);
		this.queue.drainTo(batch, this.maxBatchSize - 1);
		if (this.gatherNanos == 0) {
			return;
		}
		long deadline = System.nanoTime() + this.gatherNanos;
		// rows that stop coming end the gathering early: at most a fifth of the delay
		// between two of them
		long gap = Math.max(1, this.gatherNanos / 5);
		while (batch.size() < this.maxBatchSize && this.running && this.arriving.getAsInt() > 0) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				break;
			}
			Pending next = this.queue.poll(Math.min(left, gap), TimeUnit.NANOSECONDS);
			if (next == null) {
				break;
			}
			batch.add(next);
			this.queue.drainTo(batch, this.maxBatchSize - batch.size());
		}
	}

	private void write(List<Pending> batch) {
		List<LogRecord> records = new ArrayList<>(batch.size());
		batch.forEach((pending) -> records.add(pending.record()));
		try {
			commit(records);
			batch.forEach((pending) -> pending.done().complete(Outcome.COMMITTED));
			return;
		}
		catch (SQLException | RuntimeException | Error ex) {
			if (unavailable(ex) || batch.size() == 1) {
				batch.forEach((pending) -> fail(pending, ex));
				return;
			}
			log.warn("Request-log batch of {} rejected ({}); writing its records one by one", batch.size(),
					ex.getMessage());
		}
		for (int i = 0; i < batch.size(); i++) {
			Pending pending = batch.get(i);
			try {
				commit(List.of(pending.record()));
				pending.done().complete(Outcome.COMMITTED);
			}
			catch (SQLException | RuntimeException | Error ex) {
				fail(pending, ex);
				if (unavailable(ex)) {
					batch.subList(i + 1, batch.size()).forEach((rest) -> fail(rest, ex));
					return;
				}
			}
		}
	}

	/**
	 * One transaction; throws when it did not commit (or when it is unknown whether it
	 * did). A batch that one statement writes runs in auto-commit mode: the statement is
	 * its own transaction, committed (with its WAL flushed, {@code synchronous_commit}
	 * on) before the database answers it, so the batch costs one round trip instead of
	 * two (the statement, then COMMIT). A larger one runs in an explicit transaction.
	 */
	private void commit(List<LogRecord> records) throws SQLException {
		long start = System.nanoTime();
		try (Connection connection = this.dataSource.getConnection()) {
			boolean oneStatement = records.size() <= LogRecord.STATEMENT_ROWS;
			connection.setAutoCommit(oneStatement);
			try {
				this.batchWrite.write(connection, records);
				if (!oneStatement) {
					connection.commit();
				}
			}
			catch (SQLException | RuntimeException | Error ex) {
				try {
					if (!oneStatement) {
						connection.rollback();
					}
				}
				catch (SQLException | RuntimeException | Error rollback) {
					ex.addSuppressed(rollback);
				}
				throw ex;
			}
		}
		catch (SQLException | RuntimeException | Error ex) {
			if (unavailable(ex) && this.available.compareAndSet(true, false)) {
				log.warn("Request log: database unavailable ({}); data-plane answers are {} until it is back",
						ex.getMessage(), this.failOpen.getAsBoolean() ? "released and their records spilled (fail-open)"
								: "503 log_unavailable (fail closed)");
			}
			throw ex;
		}
		this.commitTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
		this.batchSize.record(records.size());
		this.committed.increment(records.size());
		if (this.available.compareAndSet(false, true)) {
			log.info("Request log: database available again");
		}
	}

	private void fail(Pending pending, Throwable cause) {
		if (this.failOpen.getAsBoolean() && spill(pending.record())) {
			this.spilled.increment();
			pending.done().complete(Outcome.SPILLED);
		}
		else {
			this.failed.increment();
			pending.done().completeExceptionally(new RequestLogUnavailableException(cause));
		}
	}

	private boolean spill(LogRecord record) {
		synchronized (this.spill) {
			if (this.spill.size() >= this.spillCapacity) {
				return false;
			}
			this.spill.addLast(record);
			return true;
		}
	}

	/**
	 * Writes up to one batch of spilled records when the retry interval has passed. Only
	 * this (the first writer) thread removes records, and only from the head, so the
	 * records stay counted in the spill until written.
	 */
	private void retrySpill() {
		long now = System.nanoTime();
		if (now - this.nextSpillAttempt < 0) {
			return;
		}
		List<LogRecord> records = new ArrayList<>(this.maxBatchSize);
		synchronized (this.spill) {
			for (LogRecord record : this.spill) {
				if (records.size() == this.maxBatchSize) {
					break;
				}
				records.add(record);
			}
		}
		if (records.isEmpty()) {
			return;
		}
		try {
			commit(records);
			removeFromSpill(records.size());
			log.info("Request log: {} spilled records written ({} left)", records.size(), spillSize());
			return;
		}
		catch (SQLException | RuntimeException | Error ex) {
			if (unavailable(ex)) {
				this.nextSpillAttempt = System.nanoTime() + this.spillRetryNanos;
				return;
			}
		}
		for (LogRecord record : records) {
			try {
				commit(List.of(record));
			}
			catch (SQLException | RuntimeException | Error ex) {
				if (unavailable(ex)) {
					this.nextSpillAttempt = System.nanoTime() + this.spillRetryNanos;
					return;
				}
				this.dropped.increment();
				log.error("Request log: spilled record of request {} rejected by the database and dropped: {}",
						record.requestId(), ex.getMessage());
			}
			removeFromSpill(1);
		}
	}

	private void removeFromSpill(int count) {
		synchronized (this.spill) {
			for (int i = 0; i < count; i++) {
				this.spill.pollFirst();
			}
		}
	}

	/**
	 * Whether the error means the database cannot be reached (connection refused or lost,
	 * pool timeout, server shutting down or out of resources) rather than that it
	 * rejected these rows.
	 */
	public static boolean unavailable(Throwable error) {
		for (Throwable t = error; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
			if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
					|| t instanceof SQLNonTransientConnectionException) {
				return true;
			}
			if (t instanceof SQLException sql) {
				SQLException next = sql.getNextException();
				if (unavailableState(sql.getSQLState()) || (next != null && unavailableState(next.getSQLState()))) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean unavailableState(String state) {
		return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P"));
	}

	/**
	 * Stops taking records, lets the writers commit what is queued, then fails anything
	 * left.
	 */
	@Override
	public void close() {
		this.running = false;
		for (Thread thread : this.threads) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(10));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		List<Pending> left = new ArrayList<>();
		this.queue.drainTo(left);
		left.forEach((pending) -> pending.done()
			.completeExceptionally(new RequestLogUnavailableException(new IllegalStateException("shut down"))));
		for (int attempt = 0; attempt < 100 && spillSize() > 0; attempt++) {
			int before = spillSize();
			this.nextSpillAttempt = System.nanoTime();
			retrySpill();
			if (spillSize() >= before) {
				break;
			}
		}
		int spilled = spillSize();
		if (spilled > 0) {
			log.error("Request log: {} spilled records could not be written before shutdown and are lost", spilled);
		}
	}

}
