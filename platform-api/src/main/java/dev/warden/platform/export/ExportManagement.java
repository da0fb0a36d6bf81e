package dev.warden.platform.export;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.crypto.SigningKeys;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.DatabaseTimeouts;

/**
 * Runs compliance exports. An export has three steps, in this order:
 * <ol>
 * <li>{@link #start}: validates the request, records the export ({@code exports}, status
 * running) and audits {@code export.started}, in one transaction; the caller now knows
 * the export id (sent as {@code X-Export-Id} before the body).</li>
 * <li>{@link #write}: streams the rows from a server-side cursor in one read-only,
 * repeatable-read transaction (one snapshot, which also gives the audit chain head)
 * straight into the output, hashing the bytes as they go.</li>
 * <li>after the last byte, still inside {@link #write}: builds the manifest, signs it,
 * stores it and audits {@code export.completed}, in one transaction; or, on failure,
 * marks the export failed and audits {@code export.failed}.</li>
 * </ol>
 * Thread-safe; at most {@link ExportProperties#maxConcurrent()} exports run at once.
 */
@Service
class ExportManagement {

	private static final Logger log = LoggerFactory.getLogger(ExportManagement.class);

	private static final int OUTPUT_BUFFER_BYTES = 64 * 1024;

	private final JdbcClient jdbc;

	private final NamedParameterJdbcTemplate cursor;

	private final TransactionTemplate writeTransaction;

	private final TransactionTemplate snapshotTransaction;

	private final AuditTrail audit;

	private final SigningKeys signingKeys;

	private final ExportProperties properties;

	private final Semaphore running;

	private final DataSource dataSource;

	private final DatabaseTimeouts timeouts;

	ExportManagement(JdbcClient jdbc, DataSource dataSource, PlatformTransactionManager transactions, AuditTrail audit,
			SigningKeys signingKeys, ExportProperties properties, DatabaseTimeouts timeouts) {
		this.jdbc = jdbc;
		this.dataSource = dataSource;
		this.timeouts = timeouts;
		JdbcTemplate streaming = new JdbcTemplate(dataSource);
		streaming.setFetchSize(properties.fetchSize());
		this.cursor = new NamedParameterJdbcTemplate(streaming);
		this.writeTransaction = new TransactionTemplate(transactions);
		this.snapshotTransaction = new TransactionTemplate(transactions);
		// PostgreSQL only uses a cursor (fetch size honoured) outside autocommit: a
		// transaction is required
		this.snapshotTransaction.setReadOnly(true);
		this.snapshotTransaction.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.audit = audit;
		this.signingKeys = signingKeys;
		this.properties = properties;
		this.running = new Semaphore(properties.maxConcurrent());
	}

	/**
	 * Validates and records an export. The caller must call {@link #write} next (which
	 * releases the export's slot), or {@link #abandon} if it cannot.
	 * @throws ApiException 404 unknown tenant, 400 PDF too large, 429 too many exports
	 * running
	 */
	Export start(ExportRequest request) {
		if (!this.running.tryAcquire()) {
			throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "too_many_exports",
					this.properties.maxConcurrent() + " exports are already running; retry when one has finished");
		}
		try {
			if (request.tenantId() != null && !tenantExists(request.tenantId())) {
				throw ApiException.notFound("tenant " + request.tenantId());
			}
			if (request.format() == ExportFormat.PDF) {
				long rows = count(request);
				if (rows > this.properties.pdfMaxRows()) {
					throw ApiException.badRequest("export_too_large_for_pdf", "the export has " + rows
							+ " rows; PDF exports are limited to " + this.properties.pdfMaxRows()
							+ " rows (warden.exports.pdf-max-rows): use format=csv or format=ndjson, or a shorter range");
				}
			}
			Export export = new Export(UUID.randomUUID(), request, Instant.now().truncatedTo(ChronoUnit.MICROS));
			this.writeTransaction.executeWithoutResult((status) -> {
				this.jdbc
					.sql("INSERT INTO exports (id, export_type, format, tenant_id, range_from, range_to, "
							+ "requested_by, requested_at, status) VALUES (:id, :type, :format, :tenant, :from, :to, "
							+ ":actor, :requestedAt, 'running')")
					.param("id", export.id())
					.param("type", request.type().label())
					.param("format", request.format().label())
					.param("tenant", request.tenantId())
					.param("from", Timestamp.from(request.from()))
					.param("to", Timestamp.from(request.to()))
					.param("actor", request.actor())
					.param("requestedAt", Timestamp.from(export.requestedAt()))
					.update();
				this.audit.append(request.actor(), "export.started", "export", export.id().toString(),
						request.describe());
			});
			return export;
		}
		catch (RuntimeException ex) {
			this.running.release();
			throw ex;
		}
	}

	/** Releases a started export that will not be written, and records it as failed. */
	void abandon(Export export, String reason) {
		try {
			fail(export, reason, 0);
		}
		finally {
			this.running.release();
		}
	}

	/**
	 * Streams the export into {@code out} (not closed), then stores the signed manifest.
	 * If anything fails, the export is recorded as failed (it has no manifest) and the
	 * exception is rethrown.
	 * @return the signed manifest
	 */
	Map<String, Object> write(Export export, OutputStream out) throws IOException {
		Counter counter = new Counter();
		try {
			HashingStream hashing = new HashingStream(out);
			BufferedOutputStream buffered = new BufferedOutputStream(hashing, OUTPUT_BUFFER_BYTES);
			ExportRequest request = export.request();
			ExportFormat.RowWriter writer = request.format().open(buffered, request.type(), title(export));
			int occurredAt = occurredAtColumn(request.type());
			Snapshot snapshot = this.snapshotTransaction.execute((status) -> {
				allowLongStatements();
				AuditChainHead head = auditChainHead();
				this.cursor.query(request.type().sql(), parameters(request), (java.sql.ResultSet rs) -> {
					Object[] values = request.type().read(rs);
					try {
						writer.row(values);
					}
					catch (IOException ex) {
						throw new ExportStreamException(ex);
					}
					counter.seen((String) values[occurredAt]);
				});
				return new Snapshot(head);
			});
			writer.finish();
			buffered.flush();
			Map<String, Object> manifest = complete(export, counter, hashing, snapshot);
			log.info("Export {} ({} {}) completed: {} rows, {} bytes", export.id(), request.type().label(),
					request.format().label(), counter.rows, hashing.bytes);
			return manifest;
		}
		catch (ExportStreamException ex) {
			fail(export, describe(ex.getCause()), counter.rows);
			throw ex.getCause();
		}
		catch (IOException | RuntimeException ex) {
			fail(export, describe(ex), counter.rows);
			throw ex;
		}
		finally {
			this.running.release();
		}
	}

	/** The stored manifest of a completed export. */
	String manifest(UUID id) {
		List<Map<String, Object>> rows = this.jdbc.sql("SELECT status, manifest, failure FROM exports WHERE id = :id")
			.param("id", id)
			.query()
			.listOfRows();
		if (rows.isEmpty()) {
			throw ApiException.notFound("export " + id);
		}
		Map<String, Object> export = rows.get(0);
		return switch ((String) export.get("status")) {
			case "completed" -> (String) export.get("manifest");
			case "running" -> throw new ApiException(HttpStatus.CONFLICT, "export_running",
					"export " + id + " is still being written; its manifest is stored after the last byte");
			default -> throw new ApiException(HttpStatus.CONFLICT, "export_failed",
					"export " + id + " failed (" + export.get("failure") + "); it has no manifest, request it again");
		};
	}

	/**
	 * The most recent exports, newest first, skipping the {@code offset} most recent
	 * ones.
	 */
	List<ExportSummary> recent(long offset, int limit) {
		return this.jdbc
			.sql("SELECT id, export_type, format, tenant_id, range_from, range_to, requested_by, requested_at, status, "
					+ "completed_at, row_count, sha256 FROM exports ORDER BY requested_at DESC, id "
					+ "OFFSET :offset LIMIT :limit")
			.param("offset", offset)
			.param("limit", limit)
			.query((rs, n) -> new ExportSummary(rs.getObject("id", UUID.class), rs.getString("export_type"),
					rs.getString("format"), rs.getObject("tenant_id", UUID.class),
					rs.getTimestamp("range_from").toInstant(), rs.getTimestamp("range_to").toInstant(),
					rs.getString("requested_by"), rs.getTimestamp("requested_at").toInstant(), rs.getString("status"),
					(rs.getTimestamp("completed_at") != null) ? rs.getTimestamp("completed_at").toInstant() : null,
					(Long) rs.getObject("row_count"), rs.getString("sha256")))
			.list();
	}

	/**
	 * The head of the audit hash chain in the export's snapshot (read inside the snapshot
	 * transaction), recorded in the manifest so that the export can be placed against the
	 * chain: the sequence number and hash of the last event. {@code null} when the trail
	 * is empty; the hash is {@code null} while events written before the chain existed
	 * are not sealed yet (the next append seals them).
	 */
	private AuditChainHead auditChainHead() {
		return this.jdbc.sql("SELECT seq, hash FROM audit_chain_head WHERE seq > 0")
			.query((rs, n) -> new AuditChainHead(rs.getLong("seq"), rs.getString("hash")))
			.optional()
			.orElse(null);
	}

	private Map<String, Object> complete(Export export, Counter counter, HashingStream hashing, Snapshot snapshot) {
		ExportRequest request = export.request();
		Instant completedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
		String sha256 = HexFormat.of().formatHex(hashing.digest.digest());
		Map<String, Object> manifest = new LinkedHashMap<>();
		manifest.put("manifest_version", 1);
		manifest.put("export_id", export.id().toString());
		manifest.put("export_type", request.type().label());
		manifest.put("format", request.format().label());
		manifest.put("tenant_id", (request.tenantId() != null) ? request.tenantId().toString() : null);
		manifest.put("from", request.from().toString());
		manifest.put("to", request.to().toString());
		manifest.put("requested_by", request.actor());
		manifest.put("requested_at", export.requestedAt().toString());
		manifest.put("completed_at", completedAt.toString());
		manifest.put("file_name", export.fileName());
		manifest.put("columns", columns(request.type()));
		manifest.put("row_count", counter.rows);
		manifest.put("first_occurred_at", counter.first);
		manifest.put("last_occurred_at", counter.last);
		manifest.put("size_bytes", hashing.bytes);
		manifest.put("sha256", sha256);
		AuditChainHead head = snapshot.auditChainHead();
		manifest.put("audit_chain_head",
				(head != null) ? Map.of("sequence", head.sequence(), "hash", head.hash()) : null);
		manifest.put("signature_algorithm", "ED25519");
		manifest.put("key_id", this.signingKeys.keyId());
		manifest.put(Manifests.SIGNATURE,
				Base64.getEncoder().encodeToString(this.signingKeys.sign(Manifests.signedBytes(manifest))));
		String text = Manifests.canonical(manifest);
		this.writeTransaction.executeWithoutResult((status) -> {
			this.jdbc
				.sql("UPDATE exports SET status = 'completed', completed_at = :completedAt, row_count = :rows, "
						+ "sha256 = :sha256, manifest = :manifest WHERE id = :id")
				.param("completedAt", Timestamp.from(completedAt))
				.param("rows", counter.rows)
				.param("sha256", sha256)
				.param("manifest", text)
				.param("id", export.id())
				.update();
			Map<String, Object> details = request.describe();
			details.put("row_count", counter.rows);
			details.put("size_bytes", hashing.bytes);
			details.put("sha256", sha256);
			this.audit.append(request.actor(), "export.completed", "export", export.id().toString(), details);
		});
		return manifest;
	}

	private void fail(Export export, String reason, long rows) {
		try {
			this.writeTransaction.executeWithoutResult((status) -> {
				this.jdbc
					.sql("UPDATE exports SET status = 'failed', completed_at = now(), failure = :reason "
							+ "WHERE id = :id AND status = 'running'")
					.param("reason", reason)
					.param("id", export.id())
					.update();
				Map<String, Object> details = export.request().describe();
				details.put("rows_written", rows);
				details.put("reason", reason);
				this.audit.append(export.request().actor(), "export.failed", "export", export.id().toString(), details);
			});
		}
		catch (RuntimeException ex) {
			log.error("Export {} failed ({}) and could not be recorded as failed", export.id(), reason, ex);
		}
	}

	private boolean tenantExists(UUID tenantId) {
		return this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = :id)")
			.param("id", tenantId)
			.query(Boolean.class)
			.single();
	}

	private long count(ExportRequest request) {
		return this.snapshotTransaction.execute((status) -> {
			allowLongStatements();
			return this.cursor.queryForObject(request.type().countSql(), parameters(request), Long.class);
		});
	}

	/**
	 * An export's cursor may take long to produce its first rows (a large range is sorted
	 * first): the snapshot transaction's connection gets
	 * {@code warden.database.long-socket-timeout} instead of the pool's socket timeout.
	 */
	private void allowLongStatements() {
		try {
			this.timeouts.allowLongStatements(DataSourceUtils.getConnection(this.dataSource));
		}
		catch (SQLException ex) {
			throw new DataAccessResourceFailureException("could not set the export's socket timeout", ex);
		}
	}

	private static MapSqlParameterSource parameters(ExportRequest request) {
		return new MapSqlParameterSource().addValue("from", request.from().atOffset(ZoneOffset.UTC))
			.addValue("to", request.to().atOffset(ZoneOffset.UTC))
			.addValue("tenant", (request.tenantId() != null) ? request.tenantId().toString() : null, Types.VARCHAR);
	}

	private static int occurredAtColumn(ExportType type) {
		List<ExportType.Column> columns = type.columns();
		for (int i = 0; i < columns.size(); i++) {
			if (columns.get(i).name().equals("occurred_at")) {
				return i;
			}
		}
		throw new IllegalStateException(type + " has no occurred_at column");
	}

	private static String columns(ExportType type) {
		return String.join(",", type.columns().stream().map(ExportType.Column::name).toList());
	}

	private static String title(Export export) {
		ExportRequest request = export.request();
		return "Warden " + request.type().title() + " export " + export.id() + " - "
				+ ((request.tenantId() != null) ? "tenant " + request.tenantId() : "all tenants") + ", from "
				+ request.from() + " to " + request.to() + " (exclusive), requested by " + request.actor();
	}

	private static String describe(Throwable ex) {
		String message = ex.getMessage();
		return ex.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	/** A started export. */
	record Export(UUID id, ExportRequest request, Instant requestedAt) {

		String fileName() {
			return "warden-" + this.request.type().label() + "-" + this.id + "." + this.request.format().label();
		}

	}

	/** One row of the export history. */
	record ExportSummary(UUID id, String exportType, String format, UUID tenantId, Instant from, Instant to,
			String requestedBy, Instant requestedAt, String status, Instant completedAt, Long rowCount, String sha256) {
	}

	/** The head of the audit hash chain: the last event's sequence number and hash. */
	record AuditChainHead(long sequence, String hash) {
	}

	private record Snapshot(AuditChainHead auditChainHead) {
	}

	private static final class Counter {

		long rows;

		String first;

		String last;

		void seen(String occurredAt) {
			if (this.rows++ == 0) {
				this.first = occurredAt;
			}
			this.last = occurredAt;
		}

	}

	/** Carries a write failure (client gone) out of the row callback. */
	private static final class ExportStreamException extends RuntimeException {

		ExportStreamException(IOException cause) {
			super(cause);
		}

		@Override
		public synchronized IOException getCause() {
			return (IOException) super.getCause();
		}

	}

	/** Counts and hashes every byte on its way to the client. */
	private static final class HashingStream extends FilterOutputStream {

		final MessageDigest digest;

		long bytes;

		HashingStream(OutputStream out) {
			super(out);
			try {
				this.digest = MessageDigest.getInstance("SHA-256");
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

		@Override
		public void write(int b) throws IOException {
			this.out.write(b);
			this.digest.update((byte) b);
			this.bytes++;
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			this.out.write(bytes, offset, length);
			this.digest.update(bytes, offset, length);
			this.bytes += length;
		}

	}

}
