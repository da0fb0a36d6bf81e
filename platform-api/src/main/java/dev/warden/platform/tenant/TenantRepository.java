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

	Optional<Tenant> findById(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE id = :id")
			.param("id", id)
			.query(TenantRepository::map)
			.optional();
	}

	Optional<Tenant> findByName(String name) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants WHERE name = :name")
			.param("name", name)
			.query(TenantRepository::map)
			.optional();
	}

	List<Tenant> findAll() {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM tenants ORDER BY created_at, name")
			.query(TenantRepository::map)
			.list();
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
