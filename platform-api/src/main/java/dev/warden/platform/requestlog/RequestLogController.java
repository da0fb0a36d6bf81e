package dev.warden.platform.requestlog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Request-log metadata for admins and compliance officers; payloads are never returned here. */
@RestController
@RequestMapping("/api/admin/request-log")
class RequestLogController {

	private final JdbcClient jdbc;

	RequestLogController(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@GetMapping
	List<RequestLogRecord> list(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
		return this.jdbc
			.sql("SELECT id, request_id, occurred_at, tenant_id, api_key_id, model, model_version, method, path, "
					+ "status, latency_micros, request_bytes, response_bytes, error_code, "
					+ "request_payload IS NOT NULL AS has_request_payload, "
					+ "response_payload IS NOT NULL AS has_response_payload FROM request_log "
					+ "WHERE (CAST(:tenantId AS uuid) IS NULL OR tenant_id = :tenantId) "
					+ "ORDER BY occurred_at DESC LIMIT :limit")
			.param("tenantId", tenantId)
			.param("limit", limit)
			.query(RequestLogController::map)
			.list();
	}

	private static RequestLogRecord map(ResultSet rs, int row) throws SQLException {
		return new RequestLogRecord(rs.getObject("id", UUID.class), rs.getString("request_id"),
				rs.getTimestamp("occurred_at").toInstant(), rs.getObject("tenant_id", UUID.class),
				rs.getObject("api_key_id", UUID.class), rs.getString("model"), rs.getString("model_version"),
				rs.getString("method"), rs.getString("path"), rs.getInt("status"), rs.getLong("latency_micros"),
				rs.getLong("request_bytes"), rs.getLong("response_bytes"), rs.getString("error_code"),
				rs.getBoolean("has_request_payload"), rs.getBoolean("has_response_payload"));
	}

	record RequestLogRecord(UUID id, String requestId, Instant occurredAt, UUID tenantId, UUID apiKeyId,
			String model, String modelVersion, String method, String path, int status, long latencyMicros,
			long requestBytes, long responseBytes, String errorCode, boolean hasRequestPayload,
			boolean hasResponsePayload) {
	}

}
