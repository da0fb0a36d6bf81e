package dev.warden.platform.tenant.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.warden.platform.tenant.Tenant;

@Repository
public class TenantRepository {

	private static final String COLUMNS = "id, name, plan, status, created_at";

	private final JdbcClient jdbc;

	TenantRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public void insert(Tenant tenant, byte[] encryptedDataKey, String kekId) {
		this.jdbc
			.sql("INSERT INTO tenants (id, name, plan, status, data_key, kek_id, created_at) "
					+ "VALUES (:id, :name, :plan, :status, :dataKey, :kekId, :createdAt)")
			.param("kekId", kekId)
			.param("id", tenant.id())
			.param("name", tenant.name())
			.param("plan", tenant.plan())
			.param("status", tenant.status())
			.param("dataKey", encryptedDataKey)
			.param("createdAt", Timestamp.from(tenant.createdAt()))
			.update();
	}

	/** A live (not deleted) tenant. */
	public Optional<Tenant> findById(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE id = :id AND status <> 'deleted'")
			.param("id", id)
			.query(TenantRepository::map)
			.optional();
	}

	public Optional<Tenant> findByName(String name) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE name = :name AND status <> 'deleted'")
			.param("name", name)
			.query(TenantRepository::map)
			.optional();
	}

	/** Live tenants, oldest first, from {@code offset} on. */
	public List<Tenant> findAll(long offset, int limit) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM tenants WHERE status <> 'deleted' ORDER BY created_at, name, id "
					+ "OFFSET :offset LIMIT :limit")
			.param("offset", offset)
			.param("limit", limit)
			.query(TenantRepository::map)
			.list();
	}

	/** Updates name, plan and status of a live tenant; false if there is none. */
	public boolean update(Tenant tenant) {
		return this.jdbc
			.sql("UPDATE tenants SET name = :name, plan = :plan, status = :status, updated_at = now() "
					+ "WHERE id = :id AND status <> 'deleted'")
			.param("id", tenant.id())
			.param("name", tenant.name())
			.param("plan", tenant.plan())
			.param("status", tenant.status())
			.update() == 1;
	}

	/** Turns a live tenant into a tombstone; false if there is none. */
	public boolean markDeleted(UUID id) {
		return this.jdbc
			.sql("UPDATE tenants SET status = 'deleted', deleted_at = now(), updated_at = now() "
					+ "WHERE id = :id AND status <> 'deleted'")
			.param("id", id)
			.update() == 1;
	}

	/**
	 * Locks a live tenant's row for the rest of the transaction, so that concurrent
	 * changes serialise.
	 */
	public Optional<Tenant> lock(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE id = :id AND status <> 'deleted' FOR UPDATE")
			.param("id", id)
			.query(TenantRepository::map)
			.optional();
	}

	/**
	 * The wrapped data key of any tenant, deleted ones included ({@code wrapped} is null
	 * once destroyed).
	 */
	public Optional<StoredDataKey> findDataKey(UUID id) {
		return this.jdbc.sql("SELECT " + KEY_COLUMNS + " FROM tenants WHERE id = :id")
			.param("id", id)
			.query(TenantRepository::mapKey)
			.optional();
	}

	/**
	 * The wrapped data keys of all tenants whose key is not destroyed, in a stable order.
	 */
	public List<StoredDataKey> findLiveDataKeys() {
		return this.jdbc.sql("SELECT " + KEY_COLUMNS + " FROM tenants WHERE data_key IS NOT NULL ORDER BY id")
			.query(TenantRepository::mapKey)
			.list();
	}

	/** Locks the row of a tenant whose key is not destroyed and reads its key. */
	public Optional<StoredDataKey> lockDataKey(UUID id) {
		return this.jdbc
			.sql("SELECT " + KEY_COLUMNS + " FROM tenants WHERE id = :id AND data_key IS NOT NULL FOR UPDATE")
			.param("id", id)
			.query(TenantRepository::mapKey)
			.optional();
	}

	/**
	 * Replaces the wrapped data key (rotation sets {@code data_key_rotated_at}, a re-wrap
	 * does not).
	 */
	public void updateDataKey(UUID id, byte[] wrapped, String kekId, boolean rotated) {
		this.jdbc
			.sql("UPDATE tenants SET data_key = :dataKey, kek_id = :kekId, updated_at = now()"
					+ (rotated ? ", data_key_rotated_at = now()" : "") + " WHERE id = :id AND data_key IS NOT NULL")
			.param("id", id)
			.param("dataKey", wrapped)
			.param("kekId", kekId)
			.update();
	}

	/** Crypto-shredding: removes the wrapped data key of a deleted tenant for good. */
	public boolean destroyDataKey(UUID id) {
		return this.jdbc
			.sql("UPDATE tenants SET data_key = NULL, data_key_destroyed_at = now() "
					+ "WHERE id = :id AND status = 'deleted' AND data_key IS NOT NULL")
			.param("id", id)
			.update() == 1;
	}

	private static final String KEY_COLUMNS = "id, status, data_key, kek_id, data_key_rotated_at, data_key_destroyed_at";

	private static StoredDataKey mapKey(ResultSet rs, int row) throws SQLException {
		Timestamp rotated = rs.getTimestamp("data_key_rotated_at");
		Timestamp destroyed = rs.getTimestamp("data_key_destroyed_at");
		return new StoredDataKey(rs.getObject("id", UUID.class), rs.getString("status"), rs.getBytes("data_key"),
				rs.getString("kek_id"), (rotated != null) ? rotated.toInstant() : null,
				(destroyed != null) ? destroyed.toInstant() : null);
	}

	/** A tenant's wrapped data key as stored. */
	public record StoredDataKey(UUID tenantId, String status, byte[] wrapped, String kekId, Instant rotatedAt,
			Instant destroyedAt) {

		public boolean destroyed() {
			return this.wrapped == null;
		}

	}

	private static Tenant map(ResultSet rs, int row) throws SQLException {
		return new Tenant(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("plan"),
				rs.getString("status"), rs.getTimestamp("created_at").toInstant());
	}

}
