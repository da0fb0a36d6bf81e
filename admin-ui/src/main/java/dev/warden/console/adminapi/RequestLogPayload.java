package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The decrypted payloads of one request-log record, as the break-glass call {@code POST
 * /api/admin/request-log/{id}/payload} answers them; each payload is null when none was
 * stored. Shown once and never kept by the console.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RequestLogPayload(String id, @JsonProperty("request_id") String requestId,
		@JsonProperty("tenant_id") String tenantId, @JsonProperty("request_payload") Content requestPayload,
		@JsonProperty("response_payload") Content responsePayload) {

	/**
	 * One payload: {@code encoding} {@code utf-8} (the text as sent) or {@code base64}
	 * (bytes that are not UTF-8 text).
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record Content(String encoding, String content) {

		public boolean base64() {
			return "base64".equals(this.encoding);
		}

	}

}
