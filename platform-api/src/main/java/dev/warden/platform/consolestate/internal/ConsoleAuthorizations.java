package dev.warden.platform.consolestate.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The embedded authorization server's OAuth2 authorizations
 * ({@code console_authorizations}) and the hashes of their token values
 * ({@code console_authorization_tokens}, one authorization per hash). The data is opaque
 * bytes, stored encrypted ({@link ConsoleStateCrypto}). An authorization past its
 * {@code expires_at} (the database's clock) is not returned. Thread-safe.
 */
@Repository
public class ConsoleAuthorizations {

	private final JdbcClient jdbc;

	private final ConsoleStateCrypto crypto;

	ConsoleAuthorizations(JdbcClient jdbc, ConsoleStateCrypto crypto) {
		this.jdbc = jdbc;
		this.crypto = crypto;
	}

	/**
	 * An authorization as the console sends it.
	 *
	 * @param tokenHashes lowercase hex SHA-256 of each of its token values
	 * @param data the console's serialized authorization (plaintext)
	 */
	public record Authorization(String registeredClientId, String principal, List<String> tokenHashes,
			Instant expiresAt, byte[] data) {
	}

	/**
	 * Creates or replaces the authorization {@code id} with its token hashes: hashes it
	 * no longer has are dropped; a hash another authorization held moves to this one.
	 */
	@Transactional
	public void put(String id, Authorization authorization) {
		ConsoleStateCrypto.Sealed sealed = this.crypto.encrypt(authorization.data(), ConsoleStateCrypto.AUTHORIZATION,
				id);
		this.jdbc
			.sql("INSERT INTO console_authorizations (id, registered_client_id, principal, expires_at, data, kek_id) "
					+ "VALUES (:id, :client, :principal, :expires, :data, :kekId) ON CONFLICT (id) DO UPDATE SET "
					+ "registered_client_id = EXCLUDED.registered_client_id, principal = EXCLUDED.principal, "
					+ "expires_at = EXCLUDED.expires_at, data = EXCLUDED.data, kek_id = EXCLUDED.kek_id, "
					+ "updated_at = now()")
			.param("id", id)
			.param("client", authorization.registeredClientId())
			.param("principal", authorization.principal())
			.param("expires", Timestamp.from(authorization.expiresAt()))
			.param("data", sealed.ciphertext())
			.param("kekId", sealed.kekId())
			.update();
		List<String> hashes = authorization.tokenHashes().stream().distinct().sorted().toList();
		if (hashes.isEmpty()) {
			this.jdbc.sql("DELETE FROM console_authorization_tokens WHERE authorization_id = :id")
				.param("id", id)
				.update();
			return;
		}
		this.jdbc
			.sql("DELETE FROM console_authorization_tokens WHERE authorization_id = :id "
					+ "AND token_hash NOT IN (:hashes)")
			.param("id", id)
			.param("hashes", hashes)
			.update();
		for (String hash : hashes) {
			this.jdbc
				.sql("INSERT INTO console_authorization_tokens (token_hash, authorization_id) VALUES (:hash, :id) "
						+ "ON CONFLICT (token_hash) DO UPDATE SET authorization_id = EXCLUDED.authorization_id")
				.param("hash", hash)
				.param("id", id)
				.update();
		}
	}

	/** The data of the authorization {@code id}, unless it is absent or expired. */
	public Optional<byte[]> find(String id) {
		return this.jdbc.sql("SELECT data, kek_id FROM console_authorizations WHERE id = :id AND expires_at > now()")
			.param("id", id)
			.query((rs, row) -> this.crypto.decrypt(rs.getBytes("data"), rs.getString("kek_id"),
					ConsoleStateCrypto.AUTHORIZATION, id))
			.optional();
	}

	/**
	 * The id and data of the authorization that has a token with this hash, unless it is
	 * absent or expired.
	 */
	public Optional<Found> findByTokenHash(String tokenHash) {
		return this.jdbc
			.sql("SELECT a.id, a.data, a.kek_id FROM console_authorization_tokens t "
					+ "JOIN console_authorizations a ON a.id = t.authorization_id "
					+ "WHERE t.token_hash = :hash AND a.expires_at > now()")
			.param("hash", tokenHash)
			.query((rs, row) -> new Found(rs.getString("id"),
					this.crypto.decrypt(rs.getBytes("data"), rs.getString("kek_id"), ConsoleStateCrypto.AUTHORIZATION,
							rs.getString("id"))))
			.optional();
	}

	/** An authorization found by a token hash. */
	public record Found(String id, byte[] data) {
	}

	/** Deletes the authorization {@code id} and its token hashes, if there is one. */
	public void delete(String id) {
		this.jdbc.sql("DELETE FROM console_authorizations WHERE id = :id").param("id", id).update();
	}

	/** Deletes the expired authorizations (their hashes with them); returns how many. */
	public int purgeExpired() {
		return this.jdbc.sql("DELETE FROM console_authorizations WHERE expires_at <= now()").update();
	}

}
