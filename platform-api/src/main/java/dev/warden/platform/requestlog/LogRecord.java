package dev.warden.platform.requestlog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One {@code request_log} row ready to be written: payloads already encrypted (or {@code null}). Also holds the
 * SQL that writes rows, so that the group-commit writer and the one-row-per-transaction baseline of the benchmark
 * write exactly the same thing.
 */
record LogRecord(UUID id, String requestId, Instant occurredAt, UUID tenantId, UUID apiKeyId, String model,
		String modelVersion, String method, String path, int status, long latencyMicros, long requestBytes,
		long responseBytes, String errorCode, byte[] requestPayload, byte[] responsePayload) {

	static final String INSERT = "INSERT INTO request_log (id, request_id, occurred_at, tenant_id, api_key_id, model, "
			+ "model_version, method, path, status, latency_micros, request_bytes, response_bytes, error_code, "
			+ "request_payload, response_payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	/**
	 * Adds the records to one JDBC batch and executes it on the caller's connection; committing is the caller's
	 * business. With {@code reWriteBatchedInserts=true} the driver sends multi-row INSERTs.
	 */
	static void insert(Connection connection, List<LogRecord> records) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
			for (LogRecord record : records) {
				record.bind(statement);
				if (records.size() > 1) {
					statement.addBatch();
				}
			}
			if (records.size() > 1) {
				statement.executeBatch();
			}
			else if (records.size() == 1) {
				statement.executeUpdate();
			}
		}
	}

	private void bind(PreparedStatement statement) throws SQLException {
		statement.setObject(1, this.id);
		statement.setString(2, this.requestId);
		statement.setTimestamp(3, Timestamp.from(this.occurredAt));
		statement.setObject(4, this.tenantId, Types.OTHER);
		statement.setObject(5, this.apiKeyId, Types.OTHER);
		statement.setString(6, this.model);
		statement.setString(7, this.modelVersion);
		statement.setString(8, this.method);
		statement.setString(9, this.path);
		statement.setInt(10, this.status);
		statement.setLong(11, this.latencyMicros);
		statement.setLong(12, this.requestBytes);
		statement.setLong(13, this.responseBytes);
		statement.setString(14, this.errorCode);
		statement.setBytes(15, this.requestPayload);
		statement.setBytes(16, this.responsePayload);
	}

}
