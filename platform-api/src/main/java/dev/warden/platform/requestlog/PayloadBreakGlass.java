package dev.warden.platform.requestlog;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.PayloadCrypto.Direction;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.tenant.TenantDataKeys;
import dev.warden.platform.tenant.TenantPayloadKey;

/**
 * Break-glass access to one request-log row's decrypted payloads. Every attempt that
 * names an existing row with a written justification is an audit event
 * ({@code request_log.payload_viewed}: who, when, which row and tenant, the
 * justification, the roles and the outcome), committed in the same transaction as the
 * read and before anything is answered. The payload is decrypted with the row's own
 * tenant key as stored now, with associated data naming the row's tenant and id, so a
 * ciphertext copied from another row or tenant is refused, never shown.
 */
@Service
class PayloadBreakGlass {

	static final int MIN_JUSTIFICATION = 10;

	static final int MAX_JUSTIFICATION = 2000;

	private static final Logger log = LoggerFactory.getLogger(PayloadBreakGlass.class);

	private final JdbcClient jdbc;

	private final TenantDataKeys dataKeys;

	private final AuditTrail audit;

	PayloadBreakGlass(JdbcClient jdbc, TenantDataKeys dataKeys, AuditTrail audit) {
		this.jdbc = jdbc;
		this.dataKeys = dataKeys;
		this.audit = audit;
	}

	/**
	 * Checks the justification before anything is read: 400
	 * {@code justification_required} otherwise.
	 */
	static String requireJustification(String justification) {
		String trimmed = (justification != null) ? justification.strip() : "";
		if (trimmed.length() < MIN_JUSTIFICATION) {
			throw ApiException.badRequest("justification_required", "justification: a written reason of at least "
					+ MIN_JUSTIFICATION + " characters is required to view a request-log payload");
		}
		if (trimmed.length() > MAX_JUSTIFICATION) {
			throw ApiException.badRequest("validation_failed",
					"justification: at most " + MAX_JUSTIFICATION + " characters");
		}
		return trimmed;
	}

	/**
	 * Reads, decrypts and audits. The outcome is returned rather than thrown so that the
	 * audit event commits whatever the outcome.
	 * @throws ApiException 404 when there is no such row (nothing to audit)
	 */
	@Transactional
	View view(UUID recordId, String justification, String actor, List<String> roles) {
		Row row = this.jdbc
			.sql("SELECT id, request_id, tenant_id, request_payload, response_payload FROM request_log WHERE id = :id")
			.param("id", recordId)
			.query((rs, n) -> new Row(rs.getObject("id", UUID.class), rs.getString("request_id"),
					rs.getObject("tenant_id", UUID.class), rs.getBytes("request_payload"),
					rs.getBytes("response_payload")))
			.optional()
			.orElseThrow(() -> ApiException.notFound("request-log record " + recordId));
		View view = decrypt(row);
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("justification", justification);
		details.put("roles", roles);
		details.put("request_id", row.requestId());
		details.put("tenant_id", (row.tenantId() != null) ? row.tenantId().toString() : null);
		details.put("outcome", view.outcome().name().toLowerCase());
		this.audit.append(actor, "request_log.payload_viewed", "request_log", recordId.toString(), details);
		return view;
	}

	private View decrypt(Row row) {
		if (row.tenantId() == null || (row.request() == null && row.response() == null)) {
			return new View(row, Outcome.NO_PAYLOAD, null, null);
		}
		TenantPayloadKey key;
		try {
			key = this.dataKeys.payloadKey(row.tenantId());
		}
		catch (IllegalStateException ex) {
			log.error("Request-log record {}: the data key of tenant {} cannot be unwrapped: {}", row.id(),
					row.tenantId(), ex.getMessage());
			return new View(row, Outcome.KEY_UNAVAILABLE, null, null);
		}
		if (key.destroyed()) {
			return new View(row, Outcome.SHREDDED, null, null);
		}
		try {
			Payload request = open(key, row, row.request(), Direction.REQUEST);
			Payload response = open(key, row, row.response(), Direction.RESPONSE);
			return new View(row, Outcome.DECRYPTED, request, response);
		}
		catch (GeneralSecurityException ex) {
			log.warn("Request-log record {} (tenant {}): a stored payload does not decrypt for this row and tenant; "
					+ "it was altered or copied from another row", row.id(), row.tenantId());
			return new View(row, Outcome.INTEGRITY_FAILED, null, null);
		}
	}

	private static Payload open(TenantPayloadKey key, Row row, byte[] stored, Direction direction)
			throws GeneralSecurityException {
		if (stored == null) {
			return null;
		}
		byte[] plain = PayloadCrypto.decryptPayload(key.aead(), stored, row.tenantId(), row.id(), row.requestId(),
				direction);
		try {
			String text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(plain))
				.toString();
			return new Payload("utf-8", text);
		}
		catch (CharacterCodingException binary) {
			return new Payload("base64", Base64.getEncoder().encodeToString(plain));
		}
	}

	enum Outcome {

		DECRYPTED, NO_PAYLOAD, SHREDDED, INTEGRITY_FAILED, KEY_UNAVAILABLE

	}

	record Row(UUID id, String requestId, UUID tenantId, byte[] request, byte[] response) {
	}

	/** A decrypted payload: UTF-8 text as is, anything else base64. */
	record Payload(String encoding, String content) {
	}

	record View(Row row, Outcome outcome, Payload request, Payload response) {
	}

}
