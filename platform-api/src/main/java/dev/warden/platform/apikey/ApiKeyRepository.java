package dev.warden.platform.apikey;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ApiKeyRepository {

	private static final String LISTED = "id, tenant_id, prefix, name, created_at, expires_at, last_used_at, status, "
			+ "scope_models, scope_operations";

	private final JdbcClient jdbc;

	ApiKeyRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(ApiKey key, String keyId, byte[] hash) {
		this.jdbc
			.sql("INSERT INTO api_keys (id, tenant_id, key_id, key_hash, prefix, name, status, created_at, expires_at, "
					+ "scope_models, scope_operations) VALUES (:id, :tenantId, :keyId, :hash, :prefix, :name, :status, "
					+ ":createdAt, :expiresAt, CAST(:models AS text[]), CAST(:operations AS text[]))")
			.param("models", (key.scopes().models() != null) ? key.scopes().models().toArray(String[]::new) : null,
					java.sql.Types.ARRAY)
			.param("operations", key.scopes().operations().toArray(String[]::new), java.sql.Types.ARRAY)
			.param("id", key.id())
			.param("tenantId", key.tenantId())
			.param("keyId", keyId)
			.param("hash", hash)
			.param("prefix", key.prefix())
			.param("name", key.name())
			.param("status", key.status())
			.param("createdAt", Timestamp.from(key.createdAt()))
			.param("expiresAt", (key.expiresAt() != null) ? Timestamp.from(key.expiresAt()) : null)
			.update();
	}

	List<ApiKey> findByTenant(UUID tenantId) {
		return this.jdbc.sql("SELECT " + LISTED + " FROM api_keys WHERE tenant_id = :tenantId ORDER BY created_at, name")
			.param("tenantId", tenantId)
			.query(ApiKeyRepository::map)
			.list();
	}

	Optional<ApiKey> findById(UUID tenantId, UUID id) {
		return this.jdbc.sql("SELECT " + LISTED + " FROM api_keys WHERE tenant_id = :tenantId AND id = :id")
			.param("tenantId", tenantId)
			.param("id", id)
			.query(ApiKeyRepository::map)
			.optional();
	}

	/** Revokes one active key; false if it was not active. */
	boolean revoke(UUID id) {
		return this.jdbc
			.sql("UPDATE api_keys SET status = 'revoked', revoked_at = now() WHERE id = :id AND status = 'active'")
			.param("id", id)
			.update() == 1;
	}

	/** Revokes every active key of a tenant; the number revoked. */
	int revokeAll(UUID tenantId) {
		return this.jdbc
			.sql("UPDATE api_keys SET status = 'revoked', revoked_at = now() "
					+ "WHERE tenant_id = :tenantId AND status = 'active'")
			.param("tenantId", tenantId)
			.update();
	}

	Optional<Candidate> findCandidate(String keyId) {
		return this.jdbc
			.sql("SELECT k.id, k.tenant_id, k.key_hash, k.status, k.expires_at, k.scope_models, k.scope_operations, "
					+ "t.name AS tenant_name, t.plan, "
					+ "t.status AS tenant_status FROM api_keys k JOIN tenants t ON t.id = k.tenant_id "
					+ "WHERE k.key_id = :keyId")
			.param("keyId", keyId)
			.query((rs, row) -> new Candidate(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
					rs.getBytes("key_hash"), rs.getString("status"), instant(rs, "expires_at"),
					rs.getString("tenant_name"), rs.getString("plan"), rs.getString("tenant_status"), scopes(rs)))
			.optional();
	}

	void touch(UUID id, Instant when) {
		this.jdbc.sql("UPDATE api_keys SET last_used_at = :when WHERE id = :id")
			.param("when", Timestamp.from(when))
			.param("id", id)
			.update();
	}

	private static ApiKey map(ResultSet rs, int row) throws SQLException {
		Instant expiresAt = instant(rs, "expires_at");
		String status = rs.getString("status");
		if ("active".equals(status) && expiresAt != null && !Instant.now().isBefore(expiresAt)) {
			status = "expired";
		}
		return new ApiKey(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
				rs.getString("prefix"), rs.getString("name"), instant(rs, "created_at"), expiresAt,
				instant(rs, "last_used_at"), status, scopes(rs));
	}

	private static KeyScopes scopes(ResultSet rs) throws SQLException {
		return new KeyScopes(strings(rs.getArray("scope_models")), strings(rs.getArray("scope_operations")));
	}

	private static List<String> strings(Array array) throws SQLException {
		return (array != null) ? List.of((String[]) array.getArray()) : null;
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp timestamp = rs.getTimestamp(column);
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	record Candidate(UUID id, UUID tenantId, byte[] hash, String status, Instant expiresAt, String tenantName,
			String plan, String tenantStatus, KeyScopes scopes) {
	}

}
