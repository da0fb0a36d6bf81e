package dev.warden.platform.requestlog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.MultilineText;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Request-log metadata for admins and compliance officers. Payloads are only shown
 * through the audited break-glass call {@code POST /api/admin/request-log/{id}/payload}
 * with a written justification.
 */
@RestController
@RequestMapping(path = "/api/admin/request-log", produces = MediaType.APPLICATION_JSON_VALUE)
class RequestLogController {

	private final JdbcClient jdbc;

	private final PayloadBreakGlass breakGlass;

	RequestLogController(JdbcClient jdbc, PayloadBreakGlass breakGlass) {
		this.jdbc = jdbc;
		this.breakGlass = breakGlass;
	}

	/**
	 * Break-glass (ADMIN or COMPLIANCE): the decrypted payloads of one record, given a
	 * written justification of at least 10 characters. Audited as
	 * {@code request_log.payload_viewed} whatever the outcome. 400
	 * {@code justification_required}, 404 unknown record, 410 {@code payload_shredded}
	 * (tenant deleted, key destroyed), 422 {@code payload_integrity_failed} (the
	 * ciphertext does not belong to this record and tenant), 503
	 * {@code data_key_unavailable} (the key-encryption key that wrapped the tenant's
	 * keyset is not configured).
	 */
	@PostMapping(path = "/{id}/payload", consumes = MediaType.APPLICATION_JSON_VALUE)
	PayloadResponse payload(@PathVariable UUID id, @RequestBody(required = false) BreakGlassRequest request,
			Authentication user) {
		String justification = PayloadBreakGlass
			.requireJustification((request != null) ? request.justification() : null);
		List<String> roles = user.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter((authority) -> authority.startsWith("ROLE_"))
			.map((authority) -> authority.substring(5))
			.sorted()
			.toList();
		PayloadBreakGlass.View view = this.breakGlass.view(id, justification, user.getName(), roles);
		switch (view.outcome()) {
			case SHREDDED -> throw new ApiException(HttpStatus.GONE, "payload_shredded", "the payloads of record " + id
					+ " can no longer be decrypted: its tenant was deleted and its data key destroyed");
			case INTEGRITY_FAILED -> throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
					"payload_integrity_failed", "the stored payload of record " + id
							+ " does not decrypt for this record and tenant (altered or copied from another record)");
			case KEY_UNAVAILABLE -> throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "data_key_unavailable",
					"the tenant's data key cannot be unwrapped with the configured key-encryption key; see the "
							+ "server log");
			default -> {
			}
		}
		PayloadBreakGlass.Row row = view.row();
		return new PayloadResponse(row.id(), row.requestId(), row.tenantId(), view.request(), view.response());
	}

	/**
	 * Metadata of the most recent records first, one page at a time, optionally filtered
	 * (all filters combine with AND) by tenant, API key, model, model version, status
	 * (one status or a class such as {@code 4xx}) and time range [{@code from},
	 * {@code to}). Not audited (a read of metadata, like every list). 400
	 * {@code invalid_parameter} naming the parameter for a bad value.
	 */
	@GetMapping
	Page<RequestLogRecord> list(@RequestParam(name = "tenant_id", required = false) UUID tenantId,
			@RequestParam(name = "api_key_id", required = false) UUID apiKeyId,
			@RequestParam(name = "model", required = false) String model,
			@RequestParam(name = "version", required = false) String version,
			@RequestParam(name = "status", required = false) String status,
			@RequestParam(name = "from", required = false) String from,
			@RequestParam(name = "to", required = false) String to, PageRequest page) {
		RequestLogSearch search = RequestLogSearch.of(tenantId, apiKeyId, model, version, status, from, to);
		return Page.of(this.jdbc
			.sql("SELECT id, request_id, occurred_at, tenant_id, api_key_id, model, model_version, method, path, "
					+ "status, latency_micros, request_bytes, response_bytes, error_code, "
					+ "request_payload IS NOT NULL AS has_request_payload, "
					+ "response_payload IS NOT NULL AS has_response_payload FROM request_log WHERE " + search.where()
					+ " ORDER BY occurred_at DESC, id OFFSET :offset LIMIT :limit")
			.params(search.parameters())
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query(RequestLogController::map)
			.list(), page);
	}

	private static RequestLogRecord map(ResultSet rs, int row) throws SQLException {
		return new RequestLogRecord(rs.getObject("id", UUID.class), rs.getString("request_id"),
				rs.getTimestamp("occurred_at").toInstant(), rs.getObject("tenant_id", UUID.class),
				rs.getObject("api_key_id", UUID.class), rs.getString("model"), rs.getString("model_version"),
				rs.getString("method"), rs.getString("path"), rs.getInt("status"), rs.getLong("latency_micros"),
				rs.getLong("request_bytes"), rs.getLong("response_bytes"), rs.getString("error_code"),
				rs.getBoolean("has_request_payload"), rs.getBoolean("has_response_payload"));
	}

	/** The justification is free text and may span lines. */
	record BreakGlassRequest(@MultilineText String justification) {
	}

	record PayloadResponse(UUID id, String requestId, UUID tenantId, PayloadBreakGlass.Payload requestPayload,
			PayloadBreakGlass.Payload responsePayload) {
	}

	record RequestLogRecord(UUID id, String requestId, Instant occurredAt, UUID tenantId, UUID apiKeyId, String model,
			String modelVersion, String method, String path, int status, long latencyMicros, long requestBytes,
			long responseBytes, String errorCode, boolean hasRequestPayload, boolean hasResponsePayload) {
	}

}
