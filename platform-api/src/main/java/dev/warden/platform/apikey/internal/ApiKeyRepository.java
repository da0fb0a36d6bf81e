package dev.warden.platform.apikey.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.warden.platform.apikey.ApiKey;
import dev.warden.platform.apikey.KeyScopes;
import dev.warden.platform.quota.QuotaOverride;

@Repository
public class ApiKeyRepository {

	private static final String QUOTA_COLUMNS = "quota_requests_per_second, quota_burst, quota_requests_per_month, "
			+ "quota_max_request_bytes, quota_max_rows_per_request";

	private static final String LISTED = "id, tenant_id, prefix, name, created_at, expires_at, last_used_at, status, "
			+ "scope_models, scope_operations, " + QUOTA_COLUMNS;

	private final JdbcClient jdbc;

	private final AtomicLong candidateLookups = new AtomicLong();

	ApiKeyRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public void insert(ApiKey key, String keyId, byte[] hash) {
		this.jdbc
			.sql("INSERT INTO api_keys (id, tenant_id, key_id, key_hash, prefix, name, status, created_at, expires_at, "
					+ "scope_models, scope_operations, " + QUOTA_COLUMNS
					+ ", quota_updated_at) VALUES (:id, :tenantId, "
					+ ":keyId, :hash, :prefix, :name, :status, :createdAt, :expiresAt, CAST(:models AS text[]), "
					+ "CAST(:operations AS text[]), :rps, :burst, :month, :bytes, :rows, "
					+ "CASE WHEN :overridden THEN clock_timestamp() END)")
			.param("rps", key.quota().requestsPerSecond(), java.sql.Types.BIGINT)
			.param("burst", key.quota().burst(), java.sql.Types.BIGINT)
			.param("month", key.quota().requestsPerMonth(), java.sql.Types.BIGINT)
			.param("bytes", key.quota().maxRequestBytes(), java.sql.Types.BIGINT)
			.param("rows", key.quota().maxRowsPerRequest(), java.sql.Types.BIGINT)
			.param("overridden", !key.quota().isEmpty())
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

	public List<ApiKey> findByTenant(UUID tenantId) {
		return findByTenant(tenantId, 0, Integer.MAX_VALUE);
	}

	/** The tenant's keys, oldest first, from {@code offset} on. */
	public List<ApiKey> findByTenant(UUID tenantId, long offset, int limit) {
		return this.jdbc
			.sql("SELECT " + LISTED + " FROM api_keys WHERE tenant_id = :tenantId ORDER BY created_at, name, id "
					+ "OFFSET :offset LIMIT :limit")
			.param("tenantId", tenantId)
			.param("offset", offset)
			.param("limit", limit)
			.query(ApiKeyRepository::map)
			.list();
	}

	/** Keys of the tenant that can be used now: active and not expired. */
	public long countActive(UUID tenantId) {
		return this.jdbc
			.sql("SELECT count(*) FROM api_keys WHERE tenant_id = :tenantId AND status = 'active' "
					+ "AND (expires_at IS NULL OR expires_at > now())")
			.param("tenantId", tenantId)
			.query(Long.class)
			.single();
	}

	public Optional<ApiKey> findById(UUID tenantId, UUID id) {
		return this.jdbc.sql("SELECT " + LISTED + " FROM api_keys WHERE tenant_id = :tenantId AND id = :id")
			.param("tenantId", tenantId)
			.param("id", id)
			.query(ApiKeyRepository::map)
			.optional();
	}

	/** Revokes one active key; false if it was not active. */
	public boolean revoke(UUID id) {
		return this.jdbc
			.sql("UPDATE api_keys SET status = 'revoked', revoked_at = now() WHERE id = :id AND status = 'active'")
			.param("id", id)
			.update() == 1;
	}

	/** Revokes every active key of a tenant; the number revoked. */
	public int revokeAll(UUID tenantId) {
		return this.jdbc
			.sql("UPDATE api_keys SET status = 'revoked', revoked_at = now() "
					+ "WHERE tenant_id = :tenantId AND status = 'active'")
			.param("tenantId", tenantId)
			.update();
	}

	/**
	 * Replaces the key's quota override; its {@code quota_updated_at} becomes the
	 * database's clock.
	 */
	public void updateQuota(UUID id, QuotaOverride quota) {
		this.jdbc
			.sql("UPDATE api_keys SET quota_requests_per_second = :rps, quota_burst = :burst, "
					+ "quota_requests_per_month = :month, quota_max_request_bytes = :bytes, "
					+ "quota_max_rows_per_request = :rows, quota_updated_at = clock_timestamp() WHERE id = :id")
			.param("rps", quota.requestsPerSecond(), java.sql.Types.BIGINT)
			.param("burst", quota.burst(), java.sql.Types.BIGINT)
			.param("month", quota.requestsPerMonth(), java.sql.Types.BIGINT)
			.param("bytes", quota.maxRequestBytes(), java.sql.Types.BIGINT)
			.param("rows", quota.maxRowsPerRequest(), java.sql.Types.BIGINT)
			.param("id", id)
			.update();
	}

	private static final String CANDIDATE = "SELECT k.id, k.key_id, k.tenant_id, k.key_hash, k.status, k.expires_at, "
			+ "k.scope_models, k.scope_operations, k.quota_requests_per_second, k.quota_burst, "
			+ "k.quota_requests_per_month, k.quota_max_request_bytes, k.quota_max_rows_per_request, "
			+ "k.quota_updated_at, t.updated_at AS tenant_updated_at, t.name AS tenant_name, t.plan, "
			+ "t.status AS tenant_status FROM api_keys k JOIN tenants t ON t.id = k.tenant_id ";

	/**
	 * The key with this lookup id, whatever its state (the per-request lookup, used only
	 * while the in-memory {@link KeyIndex} cannot be trusted). Counted in
	 * {@link #candidateLookups()}.
	 */
	public Optional<Candidate> findCandidate(String keyId) {
		this.candidateLookups.incrementAndGet();
		return loadCandidate(keyId);
	}

	/** The key with this lookup id, whatever its state (not counted: index upkeep). */
	public Optional<Candidate> loadCandidate(String keyId) {
		return this.jdbc.sql(CANDIDATE + "WHERE k.key_id = :keyId")
			.param("keyId", keyId)
			.query(ApiKeyRepository::candidate)
			.optional();
	}

	/**
	 * Every key that can pass verification: active keys of tenants that are not deleted
	 * (expiry is compared at request time).
	 */
	public List<Candidate> findUsableCandidates() {
		return this.jdbc.sql(CANDIDATE + "WHERE k.status = 'active' AND t.status <> 'deleted'")
			.query(ApiKeyRepository::candidate)
			.list();
	}

	/** The usable keys (as {@link #findUsableCandidates()}) of one tenant. */
	public List<Candidate> findUsableCandidatesOfTenant(UUID tenantId) {
		return this.jdbc
			.sql(CANDIDATE + "WHERE k.tenant_id = :tenantId AND k.status = 'active' AND t.status <> 'deleted'")
			.param("tenantId", tenantId)
			.query(ApiKeyRepository::candidate)
			.list();
	}

	/**
	 * Number of per-request key lookups ({@link #findCandidate}) issued so far (for tests
	 * and diagnostics).
	 */
	public long candidateLookups() {
		return this.candidateLookups.get();
	}

	private static Candidate candidate(ResultSet rs, int row) throws SQLException {
		return new Candidate(rs.getObject("id", UUID.class), rs.getString("key_id"),
				rs.getObject("tenant_id", UUID.class), rs.getBytes("key_hash"), rs.getString("status"),
				instant(rs, "expires_at"), rs.getString("tenant_name"), rs.getString("plan"),
				rs.getString("tenant_status"), scopes(rs), quota(rs),
				Math.max(micros(instant(rs, "quota_updated_at")), micros(instant(rs, "tenant_updated_at"))));
	}

	/**
	 * Writes the last use of many keys in one statement; a stored value is never moved
	 * back.
	 * @return the number of rows updated
	 */
	public int touchAll(Map<UUID, Instant> lastUses) {
		if (lastUses.isEmpty()) {
			return 0;
		}
		// text arrays cast on the server: the driver binds String[] portably
		String[] ids = new String[lastUses.size()];
		String[] times = new String[ids.length];
		int i = 0;
		for (Map.Entry<UUID, Instant> use : lastUses.entrySet()) {
			ids[i] = use.getKey().toString();
			times[i] = use.getValue().toString();
			i++;
		}
		return this.jdbc
			.sql("UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.used_at) "
					+ "FROM unnest(CAST(:ids AS uuid[]), CAST(:times AS timestamptz[])) AS u(id, used_at) "
					+ "WHERE k.id = u.id")
			.param("ids", ids, java.sql.Types.ARRAY)
			.param("times", times, java.sql.Types.ARRAY)
			.update();
	}

	private static ApiKey map(ResultSet rs, int row) throws SQLException {
		Instant expiresAt = instant(rs, "expires_at");
		String status = rs.getString("status");
		if ("active".equals(status) && expiresAt != null && !Instant.now().isBefore(expiresAt)) {
			status = "expired";
		}
		return new ApiKey(rs.getObject("id", UUID.class), rs.getObject("tenant_id", UUID.class), rs.getString("prefix"),
				rs.getString("name"), instant(rs, "created_at"), expiresAt, instant(rs, "last_used_at"), status,
				scopes(rs), quota(rs));
	}

	private static QuotaOverride quota(ResultSet rs) throws SQLException {
		return new QuotaOverride(rs.getObject("quota_requests_per_second", Long.class),
				rs.getObject("quota_burst", Long.class), rs.getObject("quota_requests_per_month", Long.class),
				rs.getObject("quota_max_request_bytes", Long.class),
				rs.getObject("quota_max_rows_per_request", Long.class));
	}

	private static long micros(Instant instant) {
		return (instant != null) ? ChronoUnit.MICROS.between(Instant.EPOCH, instant) : 0;
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

	/**
	 * What verification needs of a key: {@code keyId} is its lookup id, {@code hash} the
	 * stored SHA-256 of the raw key (the raw key is never held).
	 */
	public record Candidate(UUID id, String keyId, UUID tenantId, byte[] hash, String status, Instant expiresAt,
			String tenantName, String plan, String tenantStatus, KeyScopes scopes, QuotaOverride quota,
			long quotaVersion) {
	}

}
