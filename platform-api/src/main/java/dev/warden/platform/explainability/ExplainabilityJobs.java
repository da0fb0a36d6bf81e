package dev.warden.platform.explainability;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.explainability.internal.CanonicalJson;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Report jobs: queued by an administrator or automatically (actor {@code system}, once
 * per model, version, dataset and parameters), listed, cancelled and retried. Running
 * them is {@link ExplainabilityJobRunner}'s. Every change is audited in its transaction.
 * Thread-safe.
 */
@Service
public class ExplainabilityJobs {

	static final Set<String> STATES = Set.of("queued", "running", "done", "failed", "cancelled");

	/** The kinds of jobs the queue holds ({@code explainability_jobs.kind}). */
	static final Set<String> KINDS = Set.of(ExplanationJobKind.NAME, "fairness", "profile");

	private static final Pattern METHOD = Pattern.compile("[a-z][a-z0-9_]{0,39}");

	private static final long MAX_SAMPLE_SIZE = 100_000_000L;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final String COLUMNS = "id, kind, model, version, dataset_id, parameters::text AS parameters, state, "
			+ "rows_done, rows_total, error, report_id, fairness_report_id, profile_report_id, attempt, created_by, created_at, "
			+ "started_at, " + "finished_at";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final ModelCatalogue catalogue;

	private final ReferenceDatasets datasets;

	private final ExplainabilityProperties.Report defaults;

	private volatile Runnable wakeUp = () -> {
	};

	ExplainabilityJobs(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, ModelCatalogue catalogue,
			ReferenceDatasets datasets, ExplainabilityProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.catalogue = catalogue;
		this.datasets = datasets;
		this.defaults = properties.report();
	}

	/** What runs the queue on this replica, told when a job was queued. */
	void onQueued(Runnable wakeUp) {
		this.wakeUp = wakeUp;
	}

	/**
	 * Queues a report of {@code version} of {@code model} (ADMIN).
	 * @throws ApiException 400 bad parameter, 404 unknown model, version or dataset, 409
	 * the model has no reference dataset
	 */
	public ExplainabilityJob queue(String model, long version, JobRequest request, String actor) {
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
		UUID datasetId = null;
		if (request.datasetId() != null) {
			try {
				datasetId = UUID.fromString(request.datasetId());
			}
			catch (IllegalArgumentException ex) {
				throw ApiException.badRequest("validation_failed",
						"dataset_id: '" + request.datasetId() + "' is not a dataset id (UUID)");
			}
		}
		if (request.method() != null && !METHOD.matcher(request.method()).matches()) {
			throw ApiException.badRequest("validation_failed",
					"method: a method name such as integrated_gradients or kernel_shap ([a-z][a-z0-9_]*)");
		}
		if (request.sampleSize() != null && (request.sampleSize() < 1 || request.sampleSize() > MAX_SAMPLE_SIZE)) {
			throw ApiException.badRequest("validation_failed", "sample_size: must be between 1 and " + MAX_SAMPLE_SIZE);
		}
		if (request.seed() != null && request.seed() < 0) {
			throw ApiException.badRequest("validation_failed", "seed: must be a non-negative integer");
		}
		ReferenceDataset dataset = (datasetId != null) ? this.datasets.get(model, datasetId)
				: this.datasets.newest(model)
					.orElseThrow(() -> new ApiException(HttpStatus.CONFLICT, "no_reference_dataset",
							"model " + model + " has no reference dataset; register one (POST /api/admin/models/"
									+ model + "/reference-datasets) or name one in dataset_id"));
		ObjectNode parameters = parameters(request.method(), request.seed(), request.sampleSize());
		return this.transactions.execute(
				(status) -> insert(ExplanationJobKind.NAME, model, version, dataset.id(), parameters, null, actor));
	}

	/**
	 * Queues a job of another module's kind ({@link JobKind}) with parameters that the
	 * caller validated and completed; audited as {@code explainability.job_queued} with
	 * the kind.
	 */
	public ExplainabilityJob submit(String kind, String model, long version, UUID datasetId, ObjectNode parameters,
			String actor) {
		requireKind(kind);
		return this.transactions.execute((status) -> insert(kind, model, version, datasetId, parameters, null, actor));
	}

	/**
	 * Queues the automatic job of another module's kind on a version and dataset with the
	 * given parameters (actor {@code system}), unless such a job was queued before (by
	 * any replica): once per kind, model, version, dataset and parameters.
	 * @return the job, if this call queued it
	 */
	public Optional<ExplainabilityJob> submitAutomatically(String kind, String model, long version, UUID datasetId,
			ObjectNode parameters) {
		requireKind(kind);
		String key = CanonicalJson.sha256(JSON.createObjectNode()
			.put("kind", kind)
			.put("model", model)
			.put("version", version)
			.put("dataset_id", datasetId.toString())
			.set("parameters", parameters));
		return insertOnce(kind, model, version, datasetId, parameters, key);
	}

	private static void requireKind(String kind) {
		if (!KINDS.contains(kind) || ExplanationJobKind.NAME.equals(kind)) {
			throw new IllegalArgumentException("not a job kind of another module: " + kind);
		}
	}

	/**
	 * Queues the automatic report of a version on a dataset with the default parameters,
	 * unless it was queued before (by any replica).
	 * @return the job, if this call queued it
	 */
	Optional<ExplainabilityJob> queueAutomatically(String model, long version, UUID datasetId) {
		ObjectNode parameters = parameters(null, null, null);
		String key = CanonicalJson.sha256(JSON.createObjectNode()
			.put("model", model)
			.put("version", version)
			.put("dataset_id", datasetId.toString())
			.set("parameters", parameters));
		return insertOnce(ExplanationJobKind.NAME, model, version, datasetId, parameters, key);
	}

	private Optional<ExplainabilityJob> insertOnce(String kind, String model, long version, UUID datasetId,
			ObjectNode parameters, String key) {
		try {
			return this.transactions.execute((status) -> {
				boolean queued = this.jdbc.sql("SELECT count(*) FROM explainability_jobs WHERE auto_key = :key")
					.param("key", key)
					.query(Long.class)
					.single() > 0;
				if (queued) {
					return Optional.<ExplainabilityJob>empty();
				}
				return Optional.of(insert(kind, model, version, datasetId, parameters, key, AuditTrail.SYSTEM_ACTOR));
			});
		}
		catch (DuplicateKeyException ex) {
			// another replica queued it at the same moment
			return Optional.empty();
		}
	}

	/** Every parameter of a report, the defaults filling what the request leaves out. */
	private ObjectNode parameters(String method, Long seed, Long sampleSize) {
		ObjectNode parameters = JSON.createObjectNode();
		String defaultMethod = (this.defaults.method() != null && !this.defaults.method().isBlank())
				? this.defaults.method() : null;
		parameters.put("method", (method != null) ? method : defaultMethod);
		parameters.put("seed", (seed != null) ? seed : this.defaults.seed());
		parameters.put("sample_size", (sampleSize != null) ? sampleSize : this.defaults.sampleSize());
		parameters.put("batch_size", this.defaults.batchSize());
		parameters.put("bootstrap_replicates", this.defaults.bootstrapReplicates());
		parameters.put("confidence_level", this.defaults.confidenceLevel());
		parameters.put("histogram_bins", this.defaults.histogramBins());
		parameters.put("histogram_warmup", this.defaults.histogramWarmup());
		parameters.put("top_k", this.defaults.topK());
		parameters.put("pd_rows", this.defaults.pdRows());
		parameters.put("pd_grid_points", this.defaults.pdGridPoints());
		parameters.put("tokens_per_class", this.defaults.tokensPerClass());
		parameters.put("max_tracked_tokens", this.defaults.maxTrackedTokens());
		parameters.put("min_token_count", this.defaults.minTokenCount());
		return parameters;
	}

	private ExplainabilityJob insert(String kind, String model, long version, UUID datasetId, ObjectNode parameters,
			String autoKey, String actor) {
		UUID id = UUID.randomUUID();
		this.jdbc
			.sql("INSERT INTO explainability_jobs (id, kind, model, version, dataset_id, parameters, state, auto_key, "
					+ "created_by, created_at) VALUES (:id, :kind, :model, :version, :dataset, "
					+ "CAST(:parameters AS jsonb), 'queued', :key, :actor, :at)")
			.param("id", id)
			.param("kind", kind)
			.param("model", model)
			.param("version", version)
			.param("dataset", datasetId)
			.param("parameters", JSON.writeValueAsString(parameters))
			.param("key", autoKey)
			.param("actor", actor)
			.param("at", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)))
			.update();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("kind", kind);
		details.put("model", model);
		details.put("version", version);
		details.put("dataset_id", datasetId.toString());
		details.put("parameters", parameters);
		this.audit.append(actor, "explainability.job_queued", "explainability_job", id.toString(), details);
		afterCommit();
		return find(id).orElseThrow();
	}

	private void afterCommit() {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					ExplainabilityJobs.this.wakeUp.run();
				}
			});
		}
		else {
			this.wakeUp.run();
		}
	}

	/** One page of jobs, newest first, optionally of one model, version or state. */
	public Page<ExplainabilityJob> list(String model, Long version, String state, PageRequest page) {
		return list(null, model, version, state, page);
	}

	/**
	 * One page of jobs, newest first, optionally of one kind, model, version or state.
	 */
	public Page<ExplainabilityJob> list(String kind, String model, Long version, String state, PageRequest page) {
		if (kind != null && !KINDS.contains(kind)) {
			throw ApiException.badRequest("invalid_parameter",
					"kind: '" + kind + "' is not one of " + new TreeSet<>(KINDS));
		}
		if (state != null && !STATES.contains(state)) {
			throw ApiException.badRequest("invalid_parameter",
					"state: '" + state + "' is not one of " + new TreeSet<>(STATES));
		}
		if (version != null && model == null) {
			throw ApiException.badRequest("invalid_parameter", "version: filter by model too (model=...)");
		}
		return Page.of(this.jdbc
			.sql("SELECT " + COLUMNS
					+ " FROM explainability_jobs WHERE (CAST(:model AS text) IS NULL OR model = :model) "
					+ "AND (CAST(:kind AS text) IS NULL OR kind = :kind) "
					+ "AND (CAST(:version AS bigint) IS NULL OR version = :version) "
					+ "AND (CAST(:state AS text) IS NULL OR state = :state) "
					+ "ORDER BY created_at DESC, id OFFSET :offset LIMIT :limit")
			.param("model", model)
			.param("kind", kind)
			.param("version", version)
			.param("state", state)
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query((rs, row) -> job(rs))
			.list(), page);
	}

	/**
	 * @throws ApiException 404 unknown job
	 */
	public ExplainabilityJob get(UUID id) {
		return find(id).orElseThrow(() -> ApiException.notFound("explainability job " + id));
	}

	/** A job, if it exists. */
	public Optional<ExplainabilityJob> find(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM explainability_jobs WHERE id = :id")
			.param("id", id)
			.query((rs, row) -> job(rs))
			.optional();
	}

	/**
	 * Cancels a job: a queued one at once, a running one at its next chunk boundary (the
	 * answer then still says {@code running}).
	 * @throws ApiException 404 unknown job, 409 the job has ended
	 */
	public ExplainabilityJob cancel(UUID id, String actor) {
		return this.transactions.execute((status) -> {
			ExplainabilityJob job = lock(id);
			Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
			if (job.state().equals("queued")) {
				this.jdbc
					.sql("UPDATE explainability_jobs SET state = 'cancelled', finished_at = :at, "
							+ "error = 'cancelled before it started' WHERE id = :id")
					.param("at", Timestamp.from(now))
					.param("id", id)
					.update();
			}
			else if (job.state().equals("running")) {
				this.jdbc.sql("UPDATE explainability_jobs SET cancel_requested = true WHERE id = :id")
					.param("id", id)
					.update();
			}
			else {
				throw ApiException.conflict(
						"job " + id + " is " + job.state() + "; only a queued or running job " + "can be cancelled");
			}
			this.audit.append(actor, "explainability.job_cancelled", "explainability_job", id.toString(),
					Map.of("kind", job.kind(), "model", job.model(), "version", Long.parseLong(job.version()),
							"state_before", job.state()));
			return find(id).orElseThrow();
		});
	}

	/**
	 * Queues a failed or cancelled job again as a new attempt, with the same parameters.
	 * @throws ApiException 404 unknown job, 409 the job is queued, running or done
	 */
	public ExplainabilityJob retry(UUID id, String actor) {
		return this.transactions.execute((status) -> {
			ExplainabilityJob job = lock(id);
			if (!job.state().equals("failed") && !job.state().equals("cancelled")) {
				throw ApiException.conflict(
						"job " + id + " is " + job.state() + "; only a failed or cancelled job " + "can be retried");
			}
			this.jdbc.sql("UPDATE explainability_jobs SET state = 'queued', attempt = attempt + 1, rows_done = 0, "
					+ "rows_total = NULL, error = NULL, cancel_requested = false, started_at = NULL, "
					+ "finished_at = NULL, runner = NULL, claim_token = NULL, lease_expires_at = NULL WHERE id = :id")
				.param("id", id)
				.update();
			this.audit.append(actor, "explainability.job_retried", "explainability_job", id.toString(),
					Map.of("kind", job.kind(), "model", job.model(), "version", Long.parseLong(job.version()),
							"attempt", job.attempt() + 1, "previous_error", String.valueOf(job.error())));
			afterCommit();
			return find(id).orElseThrow();
		});
	}

	private ExplainabilityJob lock(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM explainability_jobs WHERE id = :id FOR UPDATE")
			.param("id", id)
			.query((rs, row) -> job(rs))
			.optional()
			.orElseThrow(() -> ApiException.notFound("explainability job " + id));
	}

	static ExplainabilityJob job(ResultSet rs) throws SQLException {
		long total = rs.getLong("rows_total");
		Long rowsTotal = rs.wasNull() ? null : total;
		String state = rs.getString("state");
		String kind = rs.getString("kind");
		// a runner sets rows_total once its version is loaded and it starts computing
		String computing = ExplanationJobKind.NAME.equals(kind) ? "explaining" : "computing";
		String phase = "running".equals(state) ? ((rowsTotal == null) ? "loading" : computing) : null;
		return new ExplainabilityJob(rs.getObject("id", UUID.class), kind, rs.getString("model"),
				Long.toString(rs.getLong("version")), rs.getObject("dataset_id", UUID.class), state, phase,
				rs.getLong("rows_done"), rowsTotal, rs.getString("error"), rs.getObject("report_id", UUID.class),
				rs.getObject("fairness_report_id", UUID.class), rs.getObject("profile_report_id", UUID.class),
				rs.getInt("attempt"), JSON.readTree(rs.getString("parameters")), rs.getString("created_by"),
				instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp at = rs.getTimestamp(column);
		return (at != null) ? at.toInstant() : null;
	}

	/**
	 * The body of {@code POST /api/admin/models/{m}/versions/{v}/explainability-reports};
	 * every field is optional.
	 *
	 * @param datasetId the reference dataset (default: the model's newest)
	 * @param method the attribution method the worker should use (default: the worker's)
	 * @param seed the seed (default {@code warden.explainability.report.seed})
	 * @param sampleSize rows to explain (default
	 * {@code warden.explainability.report.sample-size})
	 */
	public record JobRequest(String datasetId, String method, Long seed, Long sampleSize) {

		static final JobRequest DEFAULTS = new JobRequest(null, null, null, null);

	}

}
