package dev.warden.console.adminapi;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;

/**
 * platform-api's compliance exports, as the signed-in user (ADMIN or COMPLIANCE): a
 * signed export of the audit trail or of request-log metadata, streamed; its signed
 * manifest; the installation's public signing keyset; and the list of earlier exports.
 */
@Component
public class ExportClient {

	private static final ParameterizedTypeReference<Page<ComplianceExport>> EXPORTS = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	ExportClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * Streams an export to the reader; platform-api checks the parameters before the
	 * first byte (a 400 names the bad one).
	 * @param type {@code audit} or {@code request-log}
	 * @param format {@code csv}, {@code ndjson} or {@code pdf}
	 * @param tenant a tenant id, or {@code all}
	 * @param from the start of the range, inclusive (an ISO-8601 instant or date)
	 * @param to the end of the range, exclusive
	 */
	public void export(String type, String format, String tenant, String from, String to, Download reader) {
		this.transport.download("/api/admin/exports/{type}?format={f}&tenant={t}&from={from}&to={to}", reader, type,
				format, tenant, from, to);
	}

	/** Streams an export's signed manifest (JSON) to the reader. */
	public void manifest(String id, Download reader) {
		this.transport.download("/api/admin/exports/{id}/manifest", reader, id);
	}

	/** Streams the installation's public signing keyset (Tink JSON) to the reader. */
	public void publicKey(Download reader) {
		this.transport.download("/api/admin/audit/public-key", reader);
	}

	/** One page of earlier exports, newest first. */
	public Page<ComplianceExport> exports(int page, int size) {
		Page<ComplianceExport> body = this.transport.get("/api/admin/exports?page={p}&size={s}", EXPORTS, page, size);
		if (body == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return body;
	}

}
