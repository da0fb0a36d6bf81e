package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The metadata of one request-log record as {@code GET /api/admin/request-log} lists it;
 * never a payload (those come only from the audited break-glass call).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RequestLogRecord(String id, @JsonProperty("request_id") String requestId,
		@JsonProperty("occurred_at") String occurredAt, @JsonProperty("tenant_id") String tenantId,
		@JsonProperty("api_key_id") String apiKeyId, String model, @JsonProperty("model_version") String modelVersion,
		String method, String path, int status, @JsonProperty("latency_micros") long latencyMicros,
		@JsonProperty("request_bytes") long requestBytes, @JsonProperty("response_bytes") long responseBytes,
		@JsonProperty("error_code") String errorCode, @JsonProperty("has_request_payload") boolean hasRequestPayload,
		@JsonProperty("has_response_payload") boolean hasResponsePayload) {

	/** Whether a payload (request or response) is stored for the record. */
	public boolean hasPayload() {
		return this.hasRequestPayload || this.hasResponsePayload;
	}

}
