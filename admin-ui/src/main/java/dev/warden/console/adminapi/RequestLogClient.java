package dev.warden.console.adminapi;

import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * platform-api's request log, as the signed-in user: pages of record metadata (newest
 * first, optionally of one tenant: the only filter the admin API offers) and the
 * break-glass view of one record's decrypted payloads, which platform-api allows to ADMIN
 * and COMPLIANCE with a written justification and audits as
 * {@code request_log.payload_viewed}.
 */
@Component
public class RequestLogClient {

	private static final ParameterizedTypeReference<Page<RequestLogRecord>> RECORDS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<RequestLogPayload> PAYLOAD = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	RequestLogClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * One page of record metadata, newest first.
	 * @param tenantId the tenant, or null for every tenant
	 */
	public Page<RequestLogRecord> records(String tenantId, int page, int size) {
		Page<RequestLogRecord> body = (tenantId == null)
				? this.transport.get("/api/admin/request-log?page={p}&size={s}", RECORDS, page, size) : this.transport
					.get("/api/admin/request-log?tenant_id={t}&page={p}&size={s}", RECORDS, tenantId, page, size);
		if (body == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return body;
	}

	/**
	 * Break-glass: the decrypted payloads of one record. platform-api checks the
	 * justification (400 {@code justification_required} under 10 characters) and audits
	 * the call whatever its outcome.
	 */
	public RequestLogPayload payload(String id, String justification) {
		RequestLogPayload payload = this.transport.send(HttpMethod.POST, "/api/admin/request-log/{id}/payload",
				Map.of("justification", justification), PAYLOAD, id);
		if (payload == null) {
			throw new AdminApiException("platform-api sent an empty answer.", null);
		}
		return payload;
	}

}
