package dev.warden.platform.requestlog;

import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.util.UUID;

import com.google.crypto.tink.Aead;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.PayloadCrypto.Direction;
import dev.warden.platform.tenant.DataKeyDestroyedException;
import dev.warden.platform.tenant.TenantManagement;

/**
 * Writes one {@code request_log} row per request and returns only after it is committed (auto-commit, one
 * INSERT per request). Thread-safe. Grouping concurrent requests into one commit (group commit) is the planned
 * optimisation; the contract stays: when {@link #write} returns, the row is durable; when it throws, it is not.
 */
@Component
public class RequestLogWriter {

	private final JdbcClient jdbc;

	private final TenantManagement tenants;

	RequestLogWriter(JdbcClient jdbc, TenantManagement tenants) {
		this.jdbc = jdbc;
		this.tenants = tenants;
	}

	public void write(RequestLogEntry entry) {
		UUID id = UUID.randomUUID();
		byte[] request = null;
		byte[] response = null;
		if (entry.tenantId() != null) {
			try {
				Aead aead = this.tenants.aead(entry.tenantId());
				request = encrypt(aead, entry.requestPayload(), entry.tenantId(), id, entry.requestId(), Direction.REQUEST);
				response = encrypt(aead, entry.responsePayload(), entry.tenantId(), id, entry.requestId(),
						Direction.RESPONSE);
			}
			catch (DataKeyDestroyedException shredded) {
				// the tenant was deleted while this request ran: keep the metadata, there is no key for payloads
			}
		}
		this.jdbc
			.sql("INSERT INTO request_log (id, request_id, occurred_at, tenant_id, api_key_id, model, model_version, "
					+ "method, path, status, latency_micros, request_bytes, response_bytes, error_code, "
					+ "request_payload, response_payload) VALUES (:id, :requestId, :occurredAt, :tenantId, :apiKeyId, "
					+ ":model, :modelVersion, :method, :path, :status, :latency, :requestBytes, :responseBytes, "
					+ ":errorCode, :requestPayload, :responsePayload)")
			.param("id", id)
			.param("requestId", entry.requestId())
			.param("occurredAt", Timestamp.from(entry.occurredAt()))
			.param("tenantId", entry.tenantId())
			.param("apiKeyId", entry.apiKeyId())
			.param("model", entry.model())
			.param("modelVersion", entry.modelVersion())
			.param("method", entry.method())
			.param("path", entry.path())
			.param("status", entry.status())
			.param("latency", entry.latencyMicros())
			.param("requestBytes", entry.requestBytes())
			.param("responseBytes", entry.responseBytes())
			.param("errorCode", entry.errorCode())
			.param("requestPayload", request)
			.param("responsePayload", response)
			.update();
	}

	private static byte[] encrypt(Aead aead, byte[] plaintext, UUID tenantId, UUID recordId, String requestId,
			Direction direction) {
		if (plaintext == null || plaintext.length == 0) {
			return null;
		}
		try {
			return PayloadCrypto.encryptPayload(aead, plaintext, tenantId, recordId, requestId, direction);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("payload encryption failed", ex);
		}
	}

}
