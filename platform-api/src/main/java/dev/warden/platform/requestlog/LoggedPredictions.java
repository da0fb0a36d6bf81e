package dev.warden.platform.requestlog;

import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.PayloadCrypto.Direction;
import dev.warden.platform.tenant.TenantDataKeys;
import dev.warden.platform.tenant.TenantPayloadKey;

/**
 * A tenant's own logged predictions, read back by request id for a computation inside the
 * platform that the tenant asked for (its outcome feedback): the 2xx answers of its
 * {@code :predict}, {@code :classify}, {@code :regress} and {@code /infer} calls of one
 * model, with the answer decrypted under the tenant's data key as stored now. Unlike
 * {@link PayloadBreakGlass} no human sees anything: the caller must never hand the
 * decrypted answer to anyone (it takes what it needs and drops it). Only rows of the
 * given tenant and model are ever read, so another tenant's request id is found exactly
 * like an unknown one: not at all. Thread-safe.
 */
@Service
public class LoggedPredictions {

	/** Most request ids one call may look up. */
	public static final int MAX_REQUEST_IDS = 1_000;

	private static final Logger log = LoggerFactory.getLogger(LoggedPredictions.class);

	private final JdbcClient jdbc;

	private final TenantDataKeys dataKeys;

	LoggedPredictions(JdbcClient jdbc, TenantDataKeys dataKeys) {
		this.jdbc = jdbc;
		this.dataKeys = dataKeys;
	}

	/**
	 * The tenant's logged 2xx predictions of the model whose request id is one of
	 * {@code requestIds} (a request id the tenant used for several predictions gives
	 * several entries), each with its answer decrypted when it can be.
	 * @throws IllegalArgumentException for more than {@link #MAX_REQUEST_IDS} ids
	 */
	public List<LoggedPrediction> find(UUID tenantId, String model, Collection<String> requestIds) {
		if (requestIds.size() > MAX_REQUEST_IDS) {
			throw new IllegalArgumentException("at most " + MAX_REQUEST_IDS + " request ids per look-up");
		}
		if (requestIds.isEmpty()) {
			return List.of();
		}
		List<Row> rows = this.jdbc.sql("""
				SELECT id, request_id, occurred_at, model_version, path, response_payload
				FROM request_log
				WHERE request_id = ANY(CAST(:ids AS text[])) AND tenant_id = :tenant AND model = :model
				  AND method = 'POST' AND status BETWEEN 200 AND 299
				  AND (path LIKE '/v1/models/%:predict' OR path LIKE '/v1/models/%:classify'
				       OR path LIKE '/v1/models/%:regress' OR path LIKE '/v2/models/%/infer')
				ORDER BY occurred_at, id""")
			.param("ids", requestIds.toArray(String[]::new), java.sql.Types.ARRAY)
			.param("tenant", tenantId)
			.param("model", model)
			.query((rs, n) -> new Row(rs.getObject("id", UUID.class), rs.getString("request_id"),
					rs.getTimestamp("occurred_at").toInstant(), rs.getString("model_version"), rs.getString("path"),
					rs.getBytes("response_payload")))
			.list();
		if (rows.isEmpty()) {
			return List.of();
		}
		TenantPayloadKey key;
		try {
			key = this.dataKeys.payloadKey(tenantId);
		}
		catch (IllegalStateException ex) {
			log.error("Logged predictions of tenant {}: its data key cannot be unwrapped: {}", tenantId,
					ex.getMessage());
			key = null;
		}
		List<LoggedPrediction> found = new ArrayList<>(rows.size());
		for (Row row : rows) {
			found.add(open(tenantId, key, row));
		}
		return found;
	}

	private static LoggedPrediction open(UUID tenantId, TenantPayloadKey key, Row row) {
		if (row.response() == null) {
			return row.prediction(Answer.NOT_STORED, null);
		}
		if (key == null) {
			return row.prediction(Answer.KEY_UNAVAILABLE, null);
		}
		if (key.destroyed()) {
			return row.prediction(Answer.SHREDDED, null);
		}
		try {
			return row.prediction(Answer.DECRYPTED, PayloadCrypto.decryptPayload(key.aead(), row.response(), tenantId,
					row.id(), row.requestId(), Direction.RESPONSE));
		}
		catch (GeneralSecurityException ex) {
			log.warn("Request-log record {} (tenant {}): the stored answer does not decrypt for this row and tenant",
					row.id(), tenantId);
			return row.prediction(Answer.INTEGRITY_FAILED, null);
		}
	}

	/** What became of a logged prediction's answer. */
	public enum Answer {

		/** Decrypted: {@link LoggedPrediction#answer()} holds it. */
		DECRYPTED,
		/** No answer was stored with the row (empty, or logged without payloads). */
		NOT_STORED,
		/** The tenant's data key was destroyed (crypto-shredding). */
		SHREDDED,
		/** The stored answer does not decrypt for its row and tenant. */
		INTEGRITY_FAILED,
		/** The tenant's data key cannot be unwrapped now. */
		KEY_UNAVAILABLE

	}

	/**
	 * One logged prediction.
	 *
	 * @param requestId its request id
	 * @param recordId its {@code request_log.id}
	 * @param occurredAt when the prediction arrived
	 * @param modelVersion the version that answered ({@code X-Model-Version}), or
	 * {@code null}
	 * @param path the canonical path called
	 * @param outcome whether the answer could be read
	 * @param answer the decrypted answer as logged (after redaction), or {@code null}
	 */
	public record LoggedPrediction(String requestId, UUID recordId, Instant occurredAt, String modelVersion,
			String path, Answer outcome, byte[] answer) {

		/** Whether the call used the Open Inference Protocol ({@code /v2/.../infer}). */
		public boolean openInference() {
			return this.path.startsWith("/v2/");
		}

	}

	private record Row(UUID id, String requestId, Instant occurredAt, String modelVersion, String path,
			byte[] response) {

		LoggedPrediction prediction(Answer outcome, byte[] answer) {
			return new LoggedPrediction(this.requestId, this.id, this.occurredAt, this.modelVersion, this.path, outcome,
					answer);
		}

	}

}
