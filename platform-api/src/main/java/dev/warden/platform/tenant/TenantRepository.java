package dev.warden.platform.tenant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class TenantRepository {

	private static final String COLUMNS = "id, name, plan, status, created_at";

	private final JdbcClient jdbc;

	TenantRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(Tenant tenant, byte[] encryptedDataKey) {
		this.jdbc
			.sql("INSERT INTO tenants (id, name, plan, status, data_key, created_at) "
					+ "VALUES (:id, :name, :plan, :status, :dataKey, :createdAt)")
			.param("id", tenant.id())
			.param("name", tenant.name())
			.param("plan", tenant.plan())
			.param("status", tenant.status())
			.param("dataKey", encryptedDataKey)
			.param("createdAt", Timestamp.from(tenant.createdAt()))
			.update();
	}

	/** A live (not deleted) tenant. */
	Optional<Tenant> findById(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE id = :id AND status <> 'deleted'")
			.param("id", id)
			.query(TenantRepository::map)
			.optional();
	}

	Optional<Tenant> findByName(String name) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE name = :name AND status <> 'deleted'")
			.param("name", name)
			.query(TenantRepository::map)
			.optional();
	}

	List<Tenant> findAll() {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE status <> 'deleted' ORDER BY created_at, name")
			.query(TenantRepository::map)
			.list();
	}

	/** Updates name, plan and status of a live tenant; false if there is none. */
	boolean update(Tenant tenant) {
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
	boolean markDeleted(UUID id) {
		return this.jdbc
			.sql("UPDATE tenants SET status = 'deleted', deleted_at = now(), updated_at = now() "
					+ "WHERE id = :id AND status <> 'deleted'")
			.param("id", id)
			.update() == 1;
	}

	/** Locks a live tenant's row for the rest of the transaction, so that concurrent changes serialise. */
	Optional<Tenant> lock(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE id = :id AND status <> 'deleted' FOR UPDATE")
			.param("id", id)
			.query(TenantRepository::map)
			.optional();
	}

	Optional<byte[]> findDataKey(UUID id) {
		return this.jdbc.sql("SELECT data_key FROM tenants WHERE id = :id")
			.param("id", id)
			.query((rs, row) -> rs.getBytes(1))
			.optional();
	}

	private static Tenant map(ResultSet rs, int row) throws SQLException {
		return new Tenant(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("plan"),
				rs.getString("status"), rs.getTimestamp("created_at").toInstant());
	}

}
