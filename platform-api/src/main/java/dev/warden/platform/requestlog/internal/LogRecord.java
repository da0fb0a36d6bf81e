package dev.warden.platform.requestlog.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.postgresql.PGConnection;

/**
 * One {@code request_log} row ready to be written: payloads already encrypted (or
 * {@code null}). Also holds the SQL that writes rows, so that the group-commit writer and
 * the one-row-per-transaction baseline of the benchmark write exactly the same thing.
 */
public record LogRecord(UUID id, String requestId, Instant occurredAt, UUID tenantId, UUID apiKeyId, String model,
		String modelVersion, String method, String path, int status, long latencyMicros, long requestBytes,
		long responseBytes, String errorCode, byte[] requestPayload, byte[] responsePayload, Integer redactions) {

	private static final String COLUMNS = "INSERT INTO request_log (id, request_id, occurred_at, tenant_id, api_key_id, "
			+ "model, model_version, method, path, status, latency_micros, request_bytes, response_bytes, error_code, "
			+ "request_payload, response_payload, redactions) VALUES ";

	private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	private static final int PARAMETERS_PER_ROW = 17;

	/**
	 * Most rows one INSERT statement of {@link #insert} carries: a batch of up to this
	 * many records is written by one statement, which, on a connection in auto-commit
	 * mode, is its own transaction (committed when the statement returns: one round trip
	 * to the database). Also bounds the distinct statement texts (one per row count) that
	 * the driver and the server keep prepared per connection.
	 */
	public static final int STATEMENT_ROWS = 128;

	/** The INSERT text for each row count, made when first needed (index = rows). */
	private static final String[] STATEMENTS = new String[STATEMENT_ROWS + 1];

	/**
	 * Writes the records with one multi-row INSERT per {@link #STATEMENT_ROWS} records,
	 * so that a batch of at most that many rows is a single statement; committing (or
	 * running in auto-commit mode) is the caller's business.
	 */
	public static void insert(Connection connection, List<LogRecord> records) throws SQLException {
		for (int from = 0; from < records.size(); from += STATEMENT_ROWS) {
			List<LogRecord> rows = records.subList(from, Math.min(records.size(), from + STATEMENT_ROWS));
			try (PreparedStatement statement = connection.prepareStatement(statement(rows.size()))) {
				int offset = 0;
				for (LogRecord record : rows) {
					record.bind(statement, offset);
					offset += PARAMETERS_PER_ROW;
				}
				statement.executeUpdate();
			}
		}
	}

	private static String statement(int rows) {
		String sql = STATEMENTS[rows];
		if (sql == null) {
			// a race only makes the same string twice
			StringBuilder text = new StringBuilder(COLUMNS.length() + rows * (ROW.length() + 2)).append(COLUMNS)
				.append(ROW);
			for (int i = 1; i < rows; i++) {
				text.append(", ").append(ROW);
			}
			sql = text.toString();
			STATEMENTS[rows] = sql;
		}
		return sql;
	}

	public static final String COPY = "COPY request_log (id, request_id, occurred_at, tenant_id, api_key_id, model, "
			+ "model_version, method, path, status, latency_micros, request_bytes, response_bytes, error_code, "
			+ "request_payload, response_payload, redactions) FROM STDIN (FORMAT binary)";

	/**
	 * 2000-01-01T00:00:00Z, the epoch of PostgreSQL's binary timestamps, in microseconds
	 * since 1970.
	 */
	private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

	/**
	 * Writes the records with one {@code COPY ... FROM STDIN (FORMAT binary)} on the
	 * caller's connection (an alternative to {@link #insert}, compared with it by the
	 * benchmark); committing is the caller's business.
	 */
	public static void copy(Connection connection, List<LogRecord> records) throws SQLException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.size() * 768);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.write("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1));
			out.writeInt(0);
			out.writeInt(0);
			for (LogRecord record : records) {
				record.write(out);
			}
			out.writeShort(-1);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			connection.unwrap(PGConnection.class)
				.getCopyAPI()
				.copyIn(COPY, new ByteArrayInputStream(bytes.toByteArray()));
		}
		catch (IOException ex) {
			throw new SQLException("COPY into request_log failed", "08006", ex);
		}
	}

	private void write(DataOutputStream out) throws IOException {
		out.writeShort(17);
		uuid(out, this.id);
		text(out, this.requestId);
		long micros = Math.addExact(Math.multiplyExact(this.occurredAt.getEpochSecond(), 1_000_000L),
				this.occurredAt.getNano() / 1000);
		out.writeInt(8);
		out.writeLong(micros - POSTGRES_EPOCH_MICROS);
		uuid(out, this.tenantId);
		uuid(out, this.apiKeyId);
		text(out, this.model);
		text(out, this.modelVersion);
		text(out, this.method);
		text(out, this.path);
		out.writeInt(4);
		out.writeInt(this.status);
		out.writeInt(8);
		out.writeLong(this.latencyMicros);
		out.writeInt(8);
		out.writeLong(this.requestBytes);
		out.writeInt(8);
		out.writeLong(this.responseBytes);
		text(out, this.errorCode);
		bytes(out, this.requestPayload);
		bytes(out, this.responsePayload);
		if (this.redactions == null) {
			out.writeInt(-1);
		}
		else {
			out.writeInt(4);
			out.writeInt(this.redactions);
		}
	}

	private static void uuid(DataOutputStream out, UUID value) throws IOException {
		if (value == null) {
			out.writeInt(-1);
			return;
		}
		out.writeInt(16);
		out.writeLong(value.getMostSignificantBits());
		out.writeLong(value.getLeastSignificantBits());
	}

	private static void text(DataOutputStream out, String value) throws IOException {
		bytes(out, (value != null) ? value.getBytes(StandardCharsets.UTF_8) : null);
	}

	private static void bytes(DataOutputStream out, byte[] value) throws IOException {
		if (value == null) {
			out.writeInt(-1);
			return;
		}
		out.writeInt(value.length);
		out.write(value);
	}

	/**
	 * Binds this record's values to parameters {@code offset + 1} to {@code offset + 17}.
	 */
	private void bind(PreparedStatement statement, int offset) throws SQLException {
		statement.setObject(offset + 1, this.id);
		statement.setString(offset + 2, this.requestId);
		statement.setTimestamp(offset + 3, Timestamp.from(this.occurredAt));
		statement.setObject(offset + 4, this.tenantId, Types.OTHER);
		statement.setObject(offset + 5, this.apiKeyId, Types.OTHER);
		statement.setString(offset + 6, this.model);
		statement.setString(offset + 7, this.modelVersion);
		statement.setString(offset + 8, this.method);
		statement.setString(offset + 9, this.path);
		statement.setInt(offset + 10, this.status);
		statement.setLong(offset + 11, this.latencyMicros);
		statement.setLong(offset + 12, this.requestBytes);
		statement.setLong(offset + 13, this.responseBytes);
		statement.setString(offset + 14, this.errorCode);
		statement.setBytes(offset + 15, this.requestPayload);
		statement.setBytes(offset + 16, this.responsePayload);
		statement.setObject(offset + 17, this.redactions, Types.INTEGER);
	}

}
