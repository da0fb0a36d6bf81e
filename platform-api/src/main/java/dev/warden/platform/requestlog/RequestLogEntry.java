package dev.warden.platform.requestlog;

import java.time.Instant;
import java.util.UUID;

/**
 * One data-plane request to log. Payloads are plaintext here; the writer encrypts them
 * with the tenant's key and drops them when the tenant is unknown.
 */
public record RequestLogEntry(String requestId, Instant occurredAt, UUID tenantId, UUID apiKeyId, String model,
		String modelVersion, String method, String path, int status, long latencyMicros, long requestBytes,
		long responseBytes, String errorCode, byte[] requestPayload, byte[] responsePayload) {
}
