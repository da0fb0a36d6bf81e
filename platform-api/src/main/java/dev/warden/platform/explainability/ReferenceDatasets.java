package dev.warden.platform.explainability;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.google.crypto.tink.Aead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.crypto.KeyEncryptionKeyProvider;
import dev.warden.platform.crypto.KeyEncryptionKeys;
import dev.warden.platform.explainability.internal.CsvIngest;
import dev.warden.platform.explainability.internal.DatasetCrypto;
import dev.warden.platform.explainability.internal.ModelColumn;
import dev.warden.platform.explainability.internal.RowChunks;
import dev.warden.platform.explainability.internal.ShippedDatasets;
import dev.warden.platform.explainability.internal.WorkerCallException;
import dev.warden.platform.explainability.internal.WorkerModels;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.worker.WorkerClient;

/**
 * Reference datasets: registered from a CSV upload (streamed: validated, cut into chunks
 * of {@code warden.explainability.reference-data.chunk-rows} rows and encrypted as it
 * arrives, in one transaction with its audit event) or from a dataset shipped with the
 * worker; listed, read, and deleted by destroying their key and chunks
 * (crypto-shredding). The columns are validated against the serving signature of the
 * version a worker serves as the model's latest. Thread-safe.
 */
@Service
public class ReferenceDatasets {

	private static final Logger log = LoggerFactory.getLogger(ReferenceDatasets.class);

	static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String COLUMNS = "id, model, name, source, columns::text AS columns, row_count, chunk_count, "
			+ "sha256, data_key, kek_id, created_at, created_by, evaluation::text AS evaluation";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final KeyEncryptionKeys keks;

	private final ModelCatalogue catalogue;

	private final WorkerModels workers;

	private final ExplainabilityProperties.ReferenceData settings;

	private final ObjectProvider<EvaluationSpecCheck> specChecks;

	ReferenceDatasets(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, KeyEncryptionKeys keks,
			ModelCatalogue catalogue, WorkerModels workers, ExplainabilityProperties properties,
			ObjectProvider<EvaluationSpecCheck> specChecks) {
		this.specChecks = specChecks;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.keks = keks;
		this.catalogue = catalogue;
		this.workers = workers;
		this.settings = properties.referenceData();
	}

	/**
	 * Registers an uploaded CSV as a reference dataset of {@code model}.
	 * @param declaredLength the request's {@code Content-Length}, or -1
	 * @throws ApiException 400 (bad name, bad CSV), 404 (unknown model), 409 (name taken,
	 * model not served), 413 (too large), 422 (signature a CSV cannot feed), 503 (no
	 * worker)
	 */
	public ReferenceDataset upload(String model, String name, InputStream body, long declaredLength, String actor,
			String requestId) {
		return upload(model, name, null, body, declaredLength, actor, requestId);
	}

	/**
	 * Registers an uploaded CSV as a reference dataset of {@code model}; with an
	 * evaluation spec, as an evaluation dataset (the header must then also name the label
	 * and the sensitive columns).
	 * @param evaluation the evaluation spec (validated by the caller), or {@code null}
	 * @param declaredLength the request's {@code Content-Length}, or -1
	 * @throws ApiException 400 (bad name, bad CSV), 404 (unknown model), 409 (name taken,
	 * model not served), 413 (too large), 422 (signature a CSV cannot feed), 503 (no
	 * worker)
	 */
	public ReferenceDataset upload(String model, String name, EvaluationSpec evaluation, InputStream body,
			long declaredLength, String actor, String requestId) {
		requireModel(model);
		if (name == null || !NAME.matcher(name).matches()) {
			throw ApiException.badRequest("invalid_name",
					"name: a dataset name of 1 to 100 letters, digits, '.', '_' or '-' (starting with a letter or "
							+ "digit) is required, e.g. ?name=validation-2026");
		}
		long maxBytes = this.settings.maxBytes().toBytes();
		if (declaredLength > maxBytes) {
			throw tooLarge(maxBytes);
		}
		check(evaluation);
		List<ModelColumn> columns = signature(model, requestId);
		return store(model, name, "upload", columns, evaluation, body, null, actor);
	}

	/**
	 * Registers a dataset shipped with the worker ({@link ShippedDatasets}) as a
	 * reference dataset of {@code model}, named like the shipped dataset, with the
	 * dataset's built-in evaluation spec if it has one ({@link EvaluationSpec#shipped}).
	 * @throws ApiException 400 (unknown shipped dataset), 404 (unknown model), 409 (name
	 * taken, model not served), 422 (the dataset does not fit the model's signature)
	 */
	public ReferenceDataset importShipped(String model, String dataset, String actor, String requestId) {
		return importShipped(model, dataset, EvaluationSpec.shipped(dataset).orElse(null), actor, requestId);
	}

	/**
	 * Registers a dataset shipped with the worker ({@link ShippedDatasets}) as a
	 * reference dataset of {@code model}, named like the shipped dataset.
	 * @param evaluation the evaluation spec (validated by the caller), or {@code null}
	 * for a plain reference dataset
	 * @throws ApiException 400 (unknown shipped dataset), 404 (unknown model), 409 (name
	 * taken, model not served), 422 (the dataset does not fit the model's signature or
	 * the evaluation spec)
	 */
	public ReferenceDataset importShipped(String model, String dataset, EvaluationSpec evaluation, String actor,
			String requestId) {
		requireModel(model);
		Map<String, Function<Map<String, String>, String>> derived = ShippedDatasets.derived(dataset)
			.orElseThrow(() -> ApiException.badRequest("unknown_dataset",
					"dataset: '" + dataset + "' is not a shipped dataset; use one of " + ShippedDatasets.names()));
		check(evaluation);
		List<ModelColumn> columns = signature(model, requestId);
		byte[] csv;
		try {
			csv = this.workers.shippedDataset(dataset, requestId);
		}
		catch (WorkerClient.WorkerUnavailableException ex) {
			throw workerUnavailable();
		}
		catch (WorkerCallException ex) {
			throw new ApiException(HttpStatus.BAD_GATEWAY, "worker_error", ex.getMessage());
		}
		try {
			return store(model, dataset, "shipped", columns, evaluation, new ByteArrayInputStream(csv), derived, actor);
		}
		catch (ApiException ex) {
			if (ex.status() == HttpStatus.BAD_REQUEST) {
				// the shipped data is fixed: it does not fit this model's inputs
				throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "dataset_does_not_fit", "the shipped dataset '"
						+ dataset + "' does not fit the inputs of model " + model + ": " + ex.getMessage());
			}
			throw ex;
		}
	}

	private ReferenceDataset store(String model, String name, String source, List<ModelColumn> columns,
			EvaluationSpec evaluation, InputStream body, Map<String, Function<Map<String, String>, String>> derived,
			String actor) {
		UUID id = UUID.randomUUID();
		KeyEncryptionKeyProvider kek = this.keks.current();
		byte[] wrapped = DatasetCrypto.newWrappedKey(kek.aead(), id);
		Aead aead;
		try {
			aead = DatasetCrypto.open(wrapped, kek.aead(), id);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("a new reference dataset key could not be opened", ex);
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		String columnsJson = JSON.writeValueAsString(columns.stream().map(this::column).toList());
		List<CsvIngest.ExtraColumn> extras = extraColumns(evaluation);
		int width = columns.size() + extras.size();
		ReferenceCheck references = new ReferenceCheck(evaluation, columns.size());
		try {
			return this.transactions.execute((status) -> {
				if (liveName(model, name)) {
					throw nameTaken(model, name);
				}
				this.jdbc
					.sql("INSERT INTO reference_datasets (id, model, name, source, columns, row_count, chunk_count, "
							+ "sha256, data_key, kek_id, created_at, created_by, evaluation) VALUES (:id, :model, :name, "
							+ ":source, CAST(:columns AS jsonb), 0, 0, '', :key, :kek, :at, :actor, "
							+ "CAST(:evaluation AS jsonb))")
					.param("id", id)
					.param("model", model)
					.param("name", name)
					.param("source", source)
					.param("columns", columnsJson)
					.param("key", wrapped)
					.param("kek", kek.id())
					.param("at", Timestamp.from(now))
					.param("actor", actor)
					.param("evaluation", (evaluation != null) ? evaluation.toJson() : null)
					.update();
				CsvIngest.Ingested ingested = CsvIngest.ingest(body, this.settings.maxBytes().toBytes(),
						this.settings.maxRecordChars(), columns, extras, derived, this.settings.chunkRows(),
						(chunkNo, rows) -> {
							references.see(rows);
							this.jdbc
								.sql("INSERT INTO reference_dataset_chunks (dataset_id, chunk_no, row_count, "
										+ "ciphertext) VALUES (:id, :no, :rows, :ciphertext)")
								.param("id", id)
								.param("no", chunkNo)
								.param("rows", rows.size())
								.param("ciphertext",
										DatasetCrypto.encryptChunk(aead, RowChunks.encode(rows, width), id, chunkNo))
								.update();
						});
				references.requireSeen();
				this.jdbc
					.sql("UPDATE reference_datasets SET row_count = :rows, chunk_count = :chunks, sha256 = :sha "
							+ "WHERE id = :id")
					.param("rows", ingested.rows())
					.param("chunks", ingested.chunks())
					.param("sha", ingested.sha256())
					.param("id", id)
					.update();
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("model", model);
				details.put("name", name);
				details.put("source", source);
				details.put("rows", ingested.rows());
				details.put("bytes", ingested.bytes());
				details.put("sha256", ingested.sha256());
				details.put("columns", columns.stream().map(ModelColumn::name).toList());
				if (evaluation != null) {
					details.put("evaluation", JSON.readTree(evaluation.toJson()));
				}
				this.audit.append(actor, "explainability.dataset_registered", "reference_dataset", id.toString(),
						details);
				log.info("{} registered reference dataset {} of {} ({}, {} rows, sha256 {})", actor, name, model,
						source, ingested.rows(), ingested.sha256());
				return find(id).orElseThrow();
			});
		}
		catch (DuplicateKeyException ex) {
			throw nameTaken(model, name);
		}
	}

	/**
	 * Asks the modules that compute with evaluation specs ({@link EvaluationSpecCheck})
	 * whether they can use this one.
	 * @throws ApiException 400 {@code invalid_evaluation} with the first reason
	 */
	private void check(EvaluationSpec evaluation) {
		if (evaluation == null) {
			return;
		}
		this.specChecks.orderedStream()
			.map((check) -> check.problem(evaluation))
			.filter(java.util.Objects::nonNull)
			.findFirst()
			.ifPresent((problem) -> {
				throw ApiException.badRequest("invalid_evaluation", problem);
			});
	}

	/**
	 * The stored columns after the model's of an evaluation dataset: the label (every
	 * cell non-empty), then the sensitive columns (a banded one holds numbers or empty
	 * cells).
	 */
	private static List<CsvIngest.ExtraColumn> extraColumns(EvaluationSpec evaluation) {
		if (evaluation == null) {
			return List.of();
		}
		List<CsvIngest.ExtraColumn> extras = new ArrayList<>();
		extras.add(new CsvIngest.ExtraColumn(evaluation.label(),
				(cell) -> cell.isBlank() ? "the label is empty; every row of an evaluation dataset needs one" : null));
		for (EvaluationSpec.Attribute attribute : evaluation.sensitive()) {
			if (attribute.bands() == null) {
				extras.add(new CsvIngest.ExtraColumn(attribute.name(), (cell) -> null));
			}
			else {
				extras.add(new CsvIngest.ExtraColumn(attribute.name(), ReferenceDatasets::bandedProblem));
			}
		}
		return extras;
	}

	/** Why a cell of a banded attribute is neither empty nor a finite number. */
	private static String bandedProblem(String cell) {
		if (cell.isBlank()) {
			return null;
		}
		String shown = (cell.length() > 40) ? cell.substring(0, 40) + "..." : cell;
		try {
			return Double.isFinite(Double.parseDouble(cell.strip())) ? null
					: "'" + shown + "' is not a finite number (the column is cut into bands)";
		}
		catch (NumberFormatException ex) {
			return "'" + shown + "' is not a number (the column is cut into bands)";
		}
	}

	/**
	 * Whether the declared reference group of each sensitive column that is not banded
	 * occurs in the data: a reference no row has is a typo, refused with the upload.
	 */
	private static final class ReferenceCheck {

		private final List<EvaluationSpec.Attribute> attributes = new ArrayList<>();

		private final List<Integer> positions = new ArrayList<>();

		private final boolean[] seen;

		ReferenceCheck(EvaluationSpec evaluation, int modelColumns) {
			if (evaluation != null) {
				for (int i = 0; i < evaluation.sensitive().size(); i++) {
					EvaluationSpec.Attribute attribute = evaluation.sensitive().get(i);
					if (attribute.reference() != null && attribute.bands() == null) {
						this.attributes.add(attribute);
						// after the model's columns and the label
						this.positions.add(modelColumns + 1 + i);
					}
				}
			}
			this.seen = new boolean[this.attributes.size()];
		}

		void see(List<String[]> rows) {
			for (int a = 0; a < this.seen.length; a++) {
				if (this.seen[a]) {
					continue;
				}
				String reference = this.attributes.get(a).reference();
				int position = this.positions.get(a);
				for (String[] row : rows) {
					if (row[position].trim().equals(reference.trim())) {
						this.seen[a] = true;
						break;
					}
				}
			}
		}

		void requireSeen() {
			for (int a = 0; a < this.seen.length; a++) {
				if (!this.seen[a]) {
					EvaluationSpec.Attribute attribute = this.attributes.get(a);
					throw ApiException.badRequest("invalid_evaluation",
							"the reference group '" + attribute.reference() + "' of sensitive column '"
									+ attribute.name() + "' is in no row; it must be a value of the column");
				}
			}
		}

	}

	private Map<String, String> column(ModelColumn column) {
		Map<String, String> json = new LinkedHashMap<>();
		json.put("name", column.name());
		json.put("dtype", column.dtype());
		return json;
	}

	private boolean liveName(String model, String name) {
		return this.jdbc
			.sql("SELECT count(*) FROM reference_datasets WHERE model = :model AND name = :name AND deleted_at IS NULL")
			.param("model", model)
			.param("name", name)
			.query(Long.class)
			.single() > 0;
	}

	private static ApiException nameTaken(String model, String name) {
		return new ApiException(HttpStatus.CONFLICT, "conflict",
				"model " + model + " already has a reference dataset named '" + name + "'");
	}

	private static ApiException tooLarge(long maxBytes) {
		return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
				"the CSV is larger than the limit of " + maxBytes + " bytes");
	}

	private static ApiException workerUnavailable() {
		return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "worker_unavailable",
				"no inference worker is reachable; nothing was stored, try again later");
	}

	void requireModel(String model) {
		if (model == null || this.catalogue.model(model).isEmpty()) {
			throw ApiException.notFound("model " + model);
		}
	}

	/** The columns of the version a worker serves as the model's latest. */
	private List<ModelColumn> signature(String model, String requestId) {
		WorkerModels.Metadata metadata;
		try {
			metadata = this.workers.metadata(model, null, requestId);
		}
		catch (WorkerClient.NoWorkerAvailableException ex) {
			throw notServed(model);
		}
		catch (WorkerClient.WorkerUnavailableException ex) {
			throw workerUnavailable();
		}
		catch (WorkerCallException ex) {
			if (ex.status() == 404) {
				throw notServed(model);
			}
			throw new ApiException(HttpStatus.BAD_GATEWAY, "worker_error", ex.getMessage());
		}
		try {
			return ModelColumn.fromSignatureDefs(metadata.signatureDefs());
		}
		catch (IllegalArgumentException ex) {
			throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "unsupported_signature",
					"model " + model + " cannot take reference data from a CSV: " + ex.getMessage());
		}
	}

	private static ApiException notServed(String model) {
		return new ApiException(HttpStatus.CONFLICT, "model_not_served", "no worker serves a version of model " + model
				+ "; its serving signature is needed to validate the dataset");
	}

	/** One page of the model's datasets (not deleted), newest first. */
	public Page<ReferenceDataset> list(String model, PageRequest page) {
		requireModel(model);
		return Page.of(this.jdbc
			.sql("SELECT " + COLUMNS + " FROM reference_datasets WHERE model = :model AND deleted_at IS NULL "
					+ "ORDER BY created_at DESC, id OFFSET :offset LIMIT :limit")
			.param("model", model)
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query((rs, row) -> dataset(rs))
			.list(), page);
	}

	/**
	 * A dataset of the model.
	 * @throws ApiException 404 unknown, deleted or of another model
	 */
	public ReferenceDataset get(String model, UUID id) {
		return find(id).filter((d) -> d.model().equals(model))
			.orElseThrow(() -> ApiException.notFound("reference dataset " + id + " of model " + model));
	}

	/** A dataset that is not deleted. */
	Optional<ReferenceDataset> find(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM reference_datasets WHERE id = :id AND deleted_at IS NULL")
			.param("id", id)
			.query((rs, row) -> dataset(rs))
			.optional();
	}

	/** The model's most recently registered dataset that is not deleted. */
	public Optional<ReferenceDataset> newest(String model) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM reference_datasets WHERE model = :model AND deleted_at IS NULL "
					+ "ORDER BY created_at DESC, id LIMIT 1")
			.param("model", model)
			.query((rs, row) -> dataset(rs))
			.optional();
	}

	/**
	 * The model's most recently registered evaluation dataset (one with an evaluation
	 * spec) that is not deleted.
	 */
	public Optional<ReferenceDataset> newestEvaluation(String model) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM reference_datasets WHERE model = :model AND deleted_at IS NULL "
					+ "AND evaluation IS NOT NULL ORDER BY created_at DESC, id LIMIT 1")
			.param("model", model)
			.query((rs, row) -> dataset(rs))
			.optional();
	}

	/** Whether the model ever had a dataset, deleted ones included. */
	boolean everHad(String model) {
		return this.jdbc.sql("SELECT count(*) FROM reference_datasets WHERE model = :model")
			.param("model", model)
			.query(Long.class)
			.single() > 0;
	}

	/**
	 * Deletes a dataset: its keyset and chunks are destroyed in one transaction with the
	 * audit event; the row stays, without key, so that reports keep its digest.
	 * @throws ApiException 404 unknown, already deleted or of another model
	 */
	public void delete(String model, UUID id, String actor) {
		this.transactions.executeWithoutResult((status) -> {
			ReferenceDataset dataset = this.jdbc
				.sql("SELECT " + COLUMNS + " FROM reference_datasets WHERE id = :id AND model = :model "
						+ "AND deleted_at IS NULL FOR UPDATE")
				.param("id", id)
				.param("model", model)
				.query((rs, row) -> dataset(rs))
				.optional()
				.orElseThrow(() -> ApiException.notFound("reference dataset " + id + " of model " + model));
			int chunks = this.jdbc.sql("DELETE FROM reference_dataset_chunks WHERE dataset_id = :id")
				.param("id", id)
				.update();
			this.jdbc
				.sql("UPDATE reference_datasets SET data_key = NULL, deleted_at = :at, deleted_by = :actor "
						+ "WHERE id = :id")
				.param("at", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)))
				.param("actor", actor)
				.param("id", id)
				.update();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("model", model);
			details.put("name", dataset.name());
			details.put("sha256", dataset.sha256());
			details.put("rows", dataset.rowCount());
			details.put("chunks_destroyed", chunks);
			this.audit.append(actor, "explainability.dataset_deleted", "reference_dataset", id.toString(), details);
		});
	}

	/**
	 * A dataset's rows for a report job: chunk by chunk, each read and decrypted when it
	 * is needed.
	 * @throws IllegalStateException when the dataset was deleted or its key cannot be
	 * opened
	 */
	StoredRows rows(UUID id) {
		record Key(byte[] wrapped, String kekId, int chunks) {
		}
		Key key = this.jdbc
			.sql("SELECT data_key, kek_id, chunk_count FROM reference_datasets WHERE id = :id AND deleted_at IS NULL")
			.param("id", id)
			.query((rs, row) -> new Key(rs.getBytes("data_key"), rs.getString("kek_id"), rs.getInt("chunk_count")))
			.optional()
			.orElseThrow(() -> new IllegalStateException("the reference dataset " + id + " was deleted"));
		Aead aead;
		try {
			aead = DatasetCrypto.open(key.wrapped(), this.keks.unwrapping(key.kekId()), id);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(
					"the key of reference dataset " + id + " cannot be opened: " + ex.getMessage(), ex);
		}
		return new StoredRows(id, key.chunks(), aead);
	}

	/** Iterates over a dataset's chunks, reading one at a time. */
	final class StoredRows implements Iterator<List<String[]>> {

		private final UUID id;

		private final int chunks;

		private final Aead aead;

		private int next;

		StoredRows(UUID id, int chunks, Aead aead) {
			this.id = id;
			this.chunks = chunks;
			this.aead = aead;
		}

		@Override
		public boolean hasNext() {
			return this.next < this.chunks;
		}

		@Override
		public List<String[]> next() {
			if (!hasNext()) {
				throw new NoSuchElementException();
			}
			int chunkNo = this.next++;
			byte[] ciphertext = ReferenceDatasets.this.jdbc
				.sql("SELECT ciphertext FROM reference_dataset_chunks WHERE dataset_id = :id AND chunk_no = :no")
				.param("id", this.id)
				.param("no", chunkNo)
				.query((rs, row) -> rs.getBytes(1))
				.optional()
				.orElseThrow(() -> new IllegalStateException(
						"chunk " + chunkNo + " of reference dataset " + this.id + " is missing (was it deleted?)"));
			try {
				return RowChunks.decode(DatasetCrypto.decryptChunk(this.aead, ciphertext, this.id, chunkNo));
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException(
						"chunk " + chunkNo + " of reference dataset " + this.id + " failed its integrity check", ex);
			}
		}

	}

	private static ReferenceDataset dataset(ResultSet rs) throws SQLException {
		List<ReferenceDataset.Column> columns = new ArrayList<>();
		List<Map<String, String>> stored = JSON.readValue(rs.getString("columns"),
				new TypeReference<List<Map<String, String>>>() {
				});
		stored.forEach((c) -> columns.add(new ReferenceDataset.Column(c.get("name"), c.get("dtype"))));
		return new ReferenceDataset(rs.getObject("id", UUID.class), rs.getString("model"), rs.getString("name"),
				rs.getString("source"), List.copyOf(columns), rs.getLong("row_count"), rs.getString("sha256"),
				rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"),
				EvaluationSpec.fromStored(rs.getString("evaluation")));
	}

	/** The columns of a stored dataset as the model's columns. */
	static List<ModelColumn> modelColumns(ReferenceDataset dataset) {
		return dataset.columns().stream().map((c) -> new ModelColumn(c.name(), c.dtype())).toList();
	}

}
