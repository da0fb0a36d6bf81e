package dev.warden.console.adminapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * platform-api's request log, as the signed-in user: pages of record metadata (newest
 * first, optionally filtered by tenant, API key, model, version, status and time range)
 * and the break-glass view of one record's decrypted payloads, which platform-api allows
 * to ADMIN and COMPLIANCE with a written justification and audits as
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
	 * @param filters the filters set (each sent as its admin API parameter)
	 */
	public Page<RequestLogRecord> records(RequestLogFilters filters, int page, int size) {
		StringBuilder path = new StringBuilder("/api/admin/request-log?");
		List<Object> values = new ArrayList<>();
		filters.parameters().forEach((name, value) -> {
			path.append(name).append("={").append(name).append("}&");
			values.add(value);
		});
		path.append("page={page}&size={size}");
		values.add(page);
		values.add(size);
		Page<RequestLogRecord> body = this.transport.get(path.toString(), RECORDS, values.toArray());
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
