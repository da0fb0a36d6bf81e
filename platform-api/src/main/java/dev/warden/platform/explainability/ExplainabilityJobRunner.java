package dev.warden.platform.explainability;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.explainability.internal.ModelColumn;
import dev.warden.platform.explainability.internal.ReportComputation;
import dev.warden.platform.explainability.internal.WorkerCallException;
import dev.warden.platform.explainability.internal.WorkerModels;
import dev.warden.platform.routing.VersionHolds;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerFleet;

/**
 * Runs report jobs of every kind on this gateway replica ({@link JobKind}: explanation
 * reports, and the kinds of other modules such as fairness checks); claiming, leases,
 * fencing, holds, progress, cancellation and the report's transaction are the same for
 * all, and the computation is the job's kind's. A poller looks at the queue every
 * {@code warden.explainability.jobs.poll-interval} (and at once when a job is queued on
 * this replica): it first queues again the running jobs whose lease expired (their
 * replica died; a job whose cancellation was asked is cancelled instead), then claims
 * queued jobs, oldest first, with {@code SELECT ... FOR UPDATE SKIP LOCKED} while fewer
 * than {@code concurrency} run here (default: one per inference worker known). A claimed
 * job holds a lease and a claim token; its runner renews the lease and records progress
 * at every chunk boundary and at least every {@value #CHECKPOINT_SECONDS} s, and stops at
 * such a checkpoint when the job was cancelled. Every write of a runner is fenced by its
 * claim token, so a runner that lost its lease changes nothing. At shutdown, running jobs
 * are put back in the queue at their next checkpoint.
 * <p>
 * Before it explains anything, a runner holds the job's version loaded
 * ({@link VersionHolds}, holder {@code explainability-job-<id>-<attempt>}, actor
 * {@code system}), which puts the version in the platform's desired state at once, and
 * waits up to {@code warden.explainability.jobs.load-timeout} until a worker reports it
 * AVAILABLE under the desired state that includes the hold
 * ({@link WorkerFleet#availabilityAfterChange}: a report from before the hold may list a
 * version the worker has unloaded since, when the previous job's hold was just released)
 * (the job's phase is {@code loading} meanwhile; its lease is renewed and a cancellation
 * is honoured). A version a worker fails to load fails the job with the worker's reason.
 * The hold is released when the attempt ends, however it ends; holds of attempts that no
 * longer run (their replica died) are released by every poll.
 */
@Component
class ExplainabilityJobRunner implements SmartLifecycle {

	static final int CHECKPOINT_SECONDS = 2;

	/** Stops before the web server and the data source (as the usage meter). */
	private static final int PHASE = Integer.MAX_VALUE - 2048;

	private static final Logger log = LoggerFactory.getLogger(ExplainabilityJobRunner.class);

	/** The start of the holder name of every hold a report job places. */
	static final String HOLDER_PREFIX = "explainability-job-";

	private static final long LOAD_POLL_MILLIS = 200;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final ExplainabilityJobs jobs;

	private final ReferenceDatasets datasets;

	private final Map<String, JobKind> kinds;

	private final WorkerModels workers;

	private final WorkerClient workerClient;

	private final VersionHolds holds;

	private final WorkerFleet fleet;

	private final ExplainabilityProperties.Jobs settings;

	private final String replica;

	private final AtomicInteger active = new AtomicInteger();

	private final AtomicInteger threads = new AtomicInteger();

	private volatile ScheduledExecutorService poller;

	private volatile ExecutorService runners;

	private volatile boolean running;

	ExplainabilityJobRunner(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit,
			ExplainabilityJobs jobs, ReferenceDatasets datasets, List<JobKind> kinds, WorkerModels workers,
			WorkerClient workerClient, VersionHolds holds, WorkerFleet fleet, ExplainabilityProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.jobs = jobs;
		this.datasets = datasets;
		Map<String, JobKind> byName = new LinkedHashMap<>();
		for (JobKind kind : kinds) {
			if (byName.put(kind.name(), kind) != null) {
				throw new IllegalStateException("two job kinds are named " + kind.name());
			}
		}
		this.kinds = Map.copyOf(byName);
		this.workers = workers;
		this.workerClient = workerClient;
		this.holds = holds;
		this.fleet = fleet;
		this.settings = properties.jobs();
		this.replica = replicaName();
	}

	private static String replicaName() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "unknown-host";
		}
		String process = ManagementFactory.getRuntimeMXBean().getName();
		return host + "/" + process.substring(0, Math.min(process.length(), 40)) + "/"
				+ UUID.randomUUID().toString().substring(0, 8);
	}

	@Override
	public void start() {
		this.running = true;
		if (!this.settings.enabled()) {
			log.info("Explainability report jobs are not run on this replica "
					+ "(warden.explainability.jobs.enabled=false)");
			return;
		}
		this.poller = Executors.newSingleThreadScheduledExecutor(named("explainability-jobs-poller"));
		this.runners = Executors.newCachedThreadPool(named("explainability-job"));
		this.poller.scheduleWithFixedDelay(this::poll, this.settings.pollInterval().toMillis(),
				this.settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
		this.jobs.onQueued(this::wake);
	}

	private ThreadFactory named(String prefix) {
		return (task) -> {
			Thread thread = new Thread(task, prefix + "-" + this.threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/** Looks at the queue now (after a job was queued or a runner finished). */
	void wake() {
		ScheduledExecutorService poller = this.poller;
		if (this.running && poller != null) {
			try {
				poller.execute(this::poll);
			}
			catch (RuntimeException ex) {
				// shutting down
			}
		}
	}

	private void poll() {
		if (!this.running) {
			return;
		}
		try {
			requeueExpired();
			releaseStaleHolds();
			while (this.running && this.active.get() < concurrency()) {
				Optional<Claim> claim = claim();
				if (claim.isEmpty()) {
					break;
				}
				this.active.incrementAndGet();
				try {
					this.runners.execute(() -> {
						try {
							run(claim.get());
						}
						finally {
							this.active.decrementAndGet();
							wake();
						}
					});
				}
				catch (RuntimeException ex) {
					this.active.decrementAndGet();
					release(claim.get());
					throw ex;
				}
			}
		}
		catch (RuntimeException ex) {
			log.warn("Explainability job queue could not be polled: {}", ex.getMessage());
		}
	}

	/** Jobs this replica runs at once. */
	int concurrency() {
		return (this.settings.concurrency() > 0) ? this.settings.concurrency()
				: Math.max(1, this.workerClient.workerCount());
	}

	private String lease() {
		return this.settings.leaseTimeout().toMillis() + " milliseconds";
	}

	private void requeueExpired() {
		List<Map<String, Object>> expired = this.transactions.execute((status) -> {
			List<Map<String, Object>> rows = this.jdbc
				.sql("UPDATE explainability_jobs SET "
						+ "state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END, "
						+ "attempt = CASE WHEN cancel_requested THEN attempt ELSE attempt + 1 END, "
						+ "finished_at = CASE WHEN cancel_requested THEN now() END, "
						+ "error = CASE WHEN cancel_requested THEN 'cancelled; its runner stopped answering' END, "
						+ "started_at = CASE WHEN cancel_requested THEN started_at END, "
						+ "rows_done = CASE WHEN cancel_requested THEN rows_done ELSE 0 END, "
						+ "runner = NULL, claim_token = NULL, lease_expires_at = NULL, cancel_requested = false "
						+ "WHERE id IN (SELECT id FROM explainability_jobs WHERE state = 'running' "
						+ "AND lease_expires_at < now() FOR UPDATE SKIP LOCKED) "
						+ "RETURNING id::text AS id, kind, model, version, state, attempt")
				.query()
				.listOfRows();
			for (Map<String, Object> row : rows) {
				Map<String, Object> details = new LinkedHashMap<>(row);
				details.remove("id");
				this.audit.append(AuditTrail.SYSTEM_ACTOR, "explainability.job_lease_expired", "explainability_job",
						(String) row.get("id"), details);
			}
			return rows;
		});
		for (Map<String, Object> row : expired) {
			log.warn("Explainability job {} ({}/{}) lost its runner (lease expired): now {}", row.get("id"),
					row.get("model"), row.get("version"), row.get("state"));
		}
	}

	private Optional<Claim> claim() {
		UUID token = UUID.randomUUID();
		String runner = this.replica + "/" + Thread.currentThread().getName();
		return this.transactions.execute((status) -> this.jdbc
			.sql("UPDATE explainability_jobs SET state = 'running', runner = :runner, claim_token = :token, "
					+ "lease_expires_at = now() + CAST(:lease AS interval), started_at = now(), rows_done = 0, "
					+ "rows_total = NULL, error = NULL WHERE id = (SELECT id FROM explainability_jobs "
					+ "WHERE state = 'queued' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
					+ "RETURNING id, attempt")
			.param("runner", runner.substring(0, Math.min(runner.length(), 200)))
			.param("token", token)
			.param("lease", lease())
			.query((rs, row) -> new Claim(rs.getObject("id", UUID.class), token, rs.getInt("attempt")))
			.optional());
	}

	/** Puts a claimed job back in the queue (shutdown), unless its lease was lost. */
	private void release(Claim claim) {
		try {
			this.jdbc
				.sql("UPDATE explainability_jobs SET state = 'queued', runner = NULL, claim_token = NULL, "
						+ "lease_expires_at = NULL, started_at = NULL, rows_done = 0, rows_total = NULL "
						+ "WHERE id = :id AND claim_token = :token AND state = 'running'")
				.param("id", claim.id())
				.param("token", claim.token())
				.update();
		}
		catch (RuntimeException ex) {
			log.warn("Explainability job {} could not be put back in the queue ({}); it will be after its lease "
					+ "expires", claim.id(), ex.getMessage());
		}
	}

	private void run(Claim claim) {
		ExplainabilityJob job = this.jobs.find(claim.id()).orElse(null);
		if (job == null) {
			return;
		}
		long started = System.nanoTime();
		HeldVersion held = new HeldVersion(job, claim);
		try {
			Outcome outcome = compute(job, claim, held);
			long millis = Math.max(1, (System.nanoTime() - started) / 1_000_000);
			if (outcome.cancelled()) {
				log.info("{} {} ({}/{}) cancelled after {} rows", label(job), job.id(), job.model(), job.version(),
						outcome.rows());
			}
			else {
				log.info("{} {} ({}/{}) done: {} rows {} in {} ms ({} rows/s)", label(job), job.id(), job.model(),
						job.version(), outcome.rows(),
						ExplanationJobKind.NAME.equals(job.kind()) ? "explained" : "processed", millis,
						String.format(java.util.Locale.ROOT, "%.1f", outcome.rows() * 1000.0 / millis));
			}
		}
		catch (LeaseLostException ex) {
			log.warn("Explainability job {} lost its lease; another runner has it now", job.id());
		}
		catch (ShutdownException ex) {
			// the hold first: once queued again, another runner may claim the same
			// attempt
			held.release();
			release(claim);
			log.info("Explainability job {} put back in the queue at shutdown", job.id());
		}
		catch (RuntimeException ex) {
			String reason = reason(job, ex);
			if (ex instanceof WorkerCallException || ex instanceof WorkerClient.WorkerUnavailableException
					|| ex instanceof IllegalStateException) {
				log.warn("{} {} ({}/{}) failed: {}", label(job), job.id(), job.model(), job.version(), reason);
			}
			else {
				log.error("{} {} ({}/{}) failed", label(job), job.id(), job.model(), job.version(), ex);
			}
			fenced(claim,
					"UPDATE explainability_jobs SET state = 'failed', error = :error, finished_at = now(), "
							+ "lease_expires_at = NULL WHERE id = :id AND claim_token = :token AND state = 'running'",
					Map.of("error", reason));
		}
		finally {
			held.release();
		}
	}

	/**
	 * How the log names a job: "Explainability job" (an explanation report, as before
	 * there were other kinds), else the kind's ("Fairness job").
	 */
	private static String label(ExplainabilityJob job) {
		if (ExplanationJobKind.NAME.equals(job.kind())) {
			return "Explainability job";
		}
		return Character.toUpperCase(job.kind().charAt(0)) + job.kind().substring(1) + " job";
	}

	private static String reason(ExplainabilityJob job, RuntimeException ex) {
		if (ex instanceof WorkerClient.NoWorkerAvailableException) {
			return "no inference worker serves version " + job.version() + " of model " + job.model()
					+ " (it may have been unloaded); retry the job once it is loaded";
		}
		if (ex instanceof WorkerClient.WorkerUnavailableException) {
			return "the inference worker could not be reached: " + ex.getMessage();
		}
		if (ex instanceof WorkerCallException || ex instanceof IllegalStateException) {
			return ex.getMessage();
		}
		return "internal error: " + ex.getClass().getSimpleName()
				+ ((ex.getMessage() != null) ? ": " + ex.getMessage() : "");
	}

	private Outcome compute(ExplainabilityJob job, Claim claim, HeldVersion held) {
		String model = job.model();
		long version = Long.parseLong(job.version());
		Checkpoints checkpoints = new Checkpoints(claim);
		JobKind kind = this.kinds.get(job.kind());
		if (kind == null) {
			throw new IllegalStateException("no runner computes jobs of kind '" + job.kind() + "' on this replica");
		}
		if (!held.placeAndAwaitLoaded(checkpoints)) {
			fenced(claim,
					"UPDATE explainability_jobs SET state = 'cancelled', error = 'cancelled while its version was "
							+ "loading', finished_at = now(), lease_expires_at = NULL WHERE id = :id "
							+ "AND claim_token = :token AND state = 'running'",
					Map.of());
			return new Outcome(true, 0);
		}
		ReferenceDataset dataset = this.datasets.find(job.datasetId())
			.orElseThrow(() -> new IllegalStateException(
					"the reference dataset " + job.datasetId() + " was deleted; queue a new job with another dataset"));
		String requestId = "explain-job-" + job.id().toString().substring(0, 8) + "-" + claim.attempt();
		WorkerModels.Metadata metadata = this.workers.metadata(model, version, requestId);
		List<ModelColumn> columns = ReferenceDatasets.modelColumns(dataset);
		List<ModelColumn> inputs;
		try {
			inputs = ModelColumn.fromSignatureDefs(metadata.signatureDefs());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("version " + version + " of model " + model
					+ " cannot take the reference data: " + ex.getMessage());
		}
		if (!inputs.equals(columns)) {
			throw new IllegalStateException("the inputs of version " + version + " of model " + model + " ("
					+ describe(inputs) + ") differ from the columns of reference dataset " + dataset.name() + " ("
					+ describe(columns) + ")");
		}
		RunningJob running = new RunningJob(job, dataset, metadata, columns, requestId,
				this.datasets.rows(dataset.id()), this.workers,
				(total) -> fenced(claim,
						"UPDATE explainability_jobs SET rows_total = :total WHERE id = :id "
								+ "AND claim_token = :token AND state = 'running'",
						Map.of("total", total)),
				checkpoints);
		JobResult result = kind.run(running);
		if (result.cancelled()) {
			fenced(claim,
					"UPDATE explainability_jobs SET state = 'cancelled', error = 'cancelled while running', "
							+ "rows_done = :rows, finished_at = now(), lease_expires_at = NULL WHERE id = :id "
							+ "AND claim_token = :token AND state = 'running'",
					Map.of("rows", result.rows()));
			return new Outcome(true, result.rows());
		}
		// each kind's report is in its own table, referenced by a column of its own
		String reportColumn = ExplanationJobKind.NAME.equals(job.kind()) ? "report_id" : job.kind() + "_report_id";
		this.transactions.executeWithoutResult((status) -> {
			Boolean ours = this.jdbc
				.sql("SELECT claim_token = :token AND state = 'running' FROM explainability_jobs WHERE id = :id "
						+ "FOR UPDATE")
				.param("token", claim.token())
				.param("id", claim.id())
				.query(Boolean.class)
				.optional()
				.orElse(false);
			if (!Boolean.TRUE.equals(ours)) {
				throw new LeaseLostException();
			}
			UUID report = result.writer().write();
			this.jdbc
				.sql("UPDATE explainability_jobs SET state = 'done', " + reportColumn + " = :report, "
						+ "rows_done = :rows, finished_at = now(), lease_expires_at = NULL WHERE id = :id")
				.param("report", report)
				.param("rows", result.rows())
				.param("id", claim.id())
				.update();
		});
		return new Outcome(false, result.rows());
	}

	private static String describe(List<ModelColumn> columns) {
		return columns.stream().map((c) -> c.name() + " " + c.dtype()).toList().toString();
	}

	/**
	 * Runs a fenced update; throws {@link LeaseLostException} when it changed nothing.
	 */
	private void fenced(Claim claim, String sql, Map<String, Object> parameters) {
		int updated = this.jdbc.sql(sql)
			.params(parameters)
			.param("id", claim.id())
			.param("token", claim.token())
			.update();
		if (updated == 0) {
			throw new LeaseLostException();
		}
	}

	static String holder(UUID job, int attempt) {
		return HOLDER_PREFIX + job + "-" + attempt;
	}

	/**
	 * Releases the holds of job attempts that are not running (any more): their runner
	 * died, or could not release its hold. A hold is kept only while its job is running
	 * the attempt that placed it.
	 */
	private void releaseStaleHolds() {
		for (VersionHolds.Hold hold : this.holds.heldBy(HOLDER_PREFIX)) {
			if (!stale(hold.holder())) {
				continue;
			}
			try {
				this.holds.release(hold.model(), hold.version(), hold.holder(), AuditTrail.SYSTEM_ACTOR);
				log.info("Released the hold {} on version {} of model {}: its job attempt no longer runs",
						hold.holder(), hold.version(), hold.model());
			}
			catch (ApiException ex) {
				// released meanwhile (by its runner or another replica)
			}
		}
	}

	private boolean stale(String holder) {
		String rest = holder.substring(HOLDER_PREFIX.length());
		int dash = rest.lastIndexOf('-');
		UUID id;
		int attempt;
		try {
			id = UUID.fromString(rest.substring(0, dash));
			attempt = Integer.parseInt(rest.substring(dash + 1));
		}
		catch (RuntimeException ex) {
			// not a name this runner gives: leave it alone
			return false;
		}
		return this.jdbc
			.sql("SELECT count(*) FROM explainability_jobs WHERE id = :id AND state = 'running' AND attempt = :attempt")
			.param("id", id)
			.param("attempt", attempt)
			.query(Long.class)
			.single() == 0;
	}

	@Override
	public void stop() {
		this.running = false;
		ScheduledExecutorService poller = this.poller;
		ExecutorService runners = this.runners;
		if (poller != null) {
			poller.shutdownNow();
		}
		if (runners != null) {
			runners.shutdown();
			try {
				if (!runners.awaitTermination(10, TimeUnit.SECONDS)) {
					log.warn("Explainability jobs still running at shutdown; they are queued again when their lease "
							+ "expires");
					runners.shutdownNow();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
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

	/** Progress, lease and cancellation at the computation's checkpoints. */
	private final class Checkpoints implements ReportComputation.Checkpoint {

		private final Claim claim;

		private long last = System.nanoTime();

		Checkpoints(Claim claim) {
			this.claim = claim;
		}

		@Override
		public boolean proceed(long rowsExplained, boolean chunkBoundary) {
			if (!ExplainabilityJobRunner.this.running) {
				throw new ShutdownException();
			}
			long now = System.nanoTime();
			if (!chunkBoundary && now - this.last < TimeUnit.SECONDS.toNanos(CHECKPOINT_SECONDS)) {
				return true;
			}
			this.last = now;
			Boolean cancel = ExplainabilityJobRunner.this.jdbc
				.sql("UPDATE explainability_jobs SET rows_done = :rows, lease_expires_at = now() + CAST(:lease AS "
						+ "interval) WHERE id = :id AND claim_token = :token AND state = 'running' "
						+ "RETURNING cancel_requested")
				.param("rows", rowsExplained)
				.param("lease", lease())
				.param("id", this.claim.id())
				.param("token", this.claim.token())
				.query(Boolean.class)
				.optional()
				.orElseThrow(LeaseLostException::new);
			return !cancel;
		}

	}

	/**
	 * The hold a job attempt places on its version, and the wait until a worker serves
	 * it. Released once, however the attempt ends.
	 */
	private final class HeldVersion {

		private final ExplainabilityJob job;

		private final String holder;

		private boolean placed;

		HeldVersion(ExplainabilityJob job, Claim claim) {
			this.job = job;
			this.holder = holder(job.id(), claim.attempt());
		}

		/**
		 * Holds the version loaded and waits until a worker reports it AVAILABLE.
		 * @return {@code false} when the job was cancelled meanwhile
		 * @throws IllegalStateException the version cannot be held, failed to load or was
		 * not loaded in time (the job's reason)
		 */
		boolean placeAndAwaitLoaded(Checkpoints checkpoints) {
			String model = this.job.model();
			long version = Long.parseLong(this.job.version());
			try {
				ExplainabilityJobRunner.this.holds.hold(model, version, this.holder,
						ExplanationJobKind.NAME.equals(this.job.kind())
								? "explainability report job " + this.job.id() + " explains this version"
								: this.job.kind() + " job " + this.job.id() + " runs on this version",
						AuditTrail.SYSTEM_ACTOR);
				this.placed = true;
			}
			catch (ApiException ex) {
				throw new IllegalStateException(
						"version " + version + " of model " + model + " could not be held loaded: " + ex.getMessage());
			}
			Duration timeout = ExplainabilityJobRunner.this.settings.loadTimeout();
			long deadline = System.nanoTime() + timeout.toNanos();
			WorkerFleet.Availability availability = ExplainabilityJobRunner.this.fleet.availabilityAfterChange(model,
					version);
			if (availability != WorkerFleet.Availability.AVAILABLE) {
				log.info("Explainability job {} waits for a worker to load version {} of model {} ({})", this.job.id(),
						version, model, availability);
			}
			while (availability != WorkerFleet.Availability.AVAILABLE) {
				if (availability == WorkerFleet.Availability.UNKNOWN) {
					// the workers do not say what they serve (or none is healthy): try,
					// as
					// the gateway's routing does; the worker's answer decides
					return true;
				}
				Optional<String> failure = ExplainabilityJobRunner.this.fleet.failure(model, version);
				if (failure.isPresent()) {
					throw new IllegalStateException(
							"version " + version + " of model " + model + " failed to load: " + failure.get());
				}
				if (System.nanoTime() - deadline > 0) {
					throw new IllegalStateException("no inference worker loaded version " + version + " of model "
							+ model + " within " + timeout.toSeconds()
							+ " s (warden.explainability.jobs.load-timeout; the workers are "
							+ availability.name().toLowerCase(java.util.Locale.ROOT) + "); retry the job");
				}
				if (!checkpoints.proceed(0, false)) {
					return false;
				}
				try {
					Thread.sleep(LOAD_POLL_MILLIS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new ShutdownException();
				}
				availability = ExplainabilityJobRunner.this.fleet.availabilityAfterChange(model, version);
			}
			return true;
		}

		void release() {
			if (!this.placed) {
				return;
			}
			this.placed = false;
			try {
				ExplainabilityJobRunner.this.holds.release(this.job.model(), Long.parseLong(this.job.version()),
						this.holder, AuditTrail.SYSTEM_ACTOR);
			}
			catch (ApiException ex) {
				// released meanwhile (a sweep saw the attempt end first)
			}
			catch (RuntimeException ex) {
				log.warn("The hold {} could not be released now ({}); the next poll releases it", this.holder,
						ex.getMessage());
			}
		}

	}

	/** How a computation ended: done or cancelled, after how many rows. */
	private record Outcome(boolean cancelled, long rows) {
	}

	/** A claimed job: its id, the claim token that fences its writes, its attempt. */
	private record Claim(UUID id, UUID token, int attempt) {
	}

	/** The job's lease was lost: another runner may have it. */
	private static final class LeaseLostException extends RuntimeException {

		LeaseLostException() {
			super("lease lost");
		}

	}

	/** The replica is shutting down. */
	private static final class ShutdownException extends RuntimeException {

		ShutdownException() {
			super("shutting down");
		}

	}

}
