package dev.warden.platform.apikey;

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

	private final JdbcClient jdbc;

	ApiKeyRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(ApiKey key, String keyId, byte[] hash) {
		this.jdbc
			.sql("INSERT INTO api_keys (id, tenant_id, key_id, key_hash, prefix, name, status, created_at, expires_at) "
					+ "VALUES (:id, :tenantId, :keyId, :hash, :prefix, :name, :status, :createdAt, :expiresAt)")
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
		return this.jdbc.sql("SELECT id, tenant_id, prefix, name, created_at, expires_at, last_used_at, status "
				+ "FROM api_keys WHERE tenant_id = :tenantId ORDER BY created_at, name")
			.param("tenantId", tenantId)
			.query(ApiKeyRepository::map)
			.list();
	}

	Optional<Candidate> findCandidate(String keyId) {
		return this.jdbc
			.sql("SELECT k.id, k.tenant_id, k.key_hash, k.status, k.expires_at, t.name AS tenant_name, t.plan, "
					+ "t.status AS tenant_status FROM api_keys k JOIN tenants t ON t.id = k.tenant_id "
					+ "WHERE k.key_id = :keyId")
			.param("keyId", keyId)
			.query((rs, row) -> new Candidate(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
					rs.getBytes("key_hash"), rs.getString("status"), instant(rs, "expires_at"),
					rs.getString("tenant_name"), rs.getString("plan"), rs.getString("tenant_status")))
			.optional();
	}

	void touch(UUID id, Instant when) {
		this.jdbc.sql("UPDATE api_keys SET last_used_at = :when WHERE id = :id")
			.param("when", Timestamp.from(when))
			.param("id", id)
			.update();
	}

	private static ApiKey map(ResultSet rs, int row) throws SQLException {
		return new ApiKey(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class),
				rs.getString("prefix"), rs.getString("name"), instant(rs, "created_at"), instant(rs, "expires_at"),
				instant(rs, "last_used_at"), rs.getString("status"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp timestamp = rs.getTimestamp(column);
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	record Candidate(UUID id, UUID tenantId, byte[] hash, String status, Instant expiresAt, String tenantName,
			String plan, String tenantStatus) {
	}

}
