package dev.warden.platform.requestlog;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.warden.platform.RestartablePostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Migration V17 on a database that already holds request-log rows: migrated to V16 first,
 * filled with rows of several months (synthetic dates), then migrated to V17.
 */
class RequestLogPartitionMigrationTests {

	private static final String ROW = "SELECT id, CAST(ROW(id, request_id, occurred_at, tenant_id, api_key_id, model, "
			+ "model_version, method, path, status, latency_micros, request_bytes, response_bytes, error_code, "
			+ "request_payload, response_payload, redactions) AS text) AS content FROM request_log";

	@TempDir
	Path pgDir;

	@Test
	void existingRowsAreMovedIntoTheirMonthsPartitions() {
		try (RestartablePostgres postgres = new RestartablePostgres(this.pgDir);
				HikariDataSource dataSource = dataSource(postgres)) {
			Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target("16").load().migrate();
			JdbcClient jdbc = JdbcClient.create(dataSource);
			UUID tenant = UUID.randomUUID();
			jdbc.sql("INSERT INTO tenants (id, name, plan, data_key) VALUES (:id, 'migrated', 'free', :key)")
				.param("id", tenant)
				.param("key", new byte[] { 1, 2, 3 })
				.update();
			Map<String, String> expected = Map.of("late-2024-12", "request_log_2024_12", "start-2025-01",
					"request_log_2025_01", "mid-2025-01", "request_log_2025_01", "mid-2026-06", "request_log_2026_06");
			insert(jdbc, "late-2024-12", "2024-12-31T23:59:59.999999Z", tenant, new byte[] { 9, 8, 7 }, 3);
			insert(jdbc, "start-2025-01", "2025-01-01T00:00:00Z", null, null, null);
			insert(jdbc, "mid-2025-01", "2025-01-17T12:30:00.123456Z", tenant, new byte[] { 5 }, 0);
			insert(jdbc, "mid-2026-06", "2026-06-15T08:00:00Z", null, null, null);
			Map<Object, String> before = rows(jdbc);
			assertThat(before).hasSize(4);

			Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target("17").load().migrate();

			assertThat(rows(jdbc)).as("every row and every column kept").isEqualTo(before);
			assertThat(jdbc.sql("SELECT relkind::text FROM pg_class WHERE oid = CAST('request_log' AS regclass)")
				.query(String.class)
				.single()).as("partitioned table").isEqualTo("p");
			Map<String, String> partitionOf = jdbc
				.sql("SELECT request_id, CAST(tableoid::regclass AS text) AS part FROM request_log")
				.query((rs, row) -> Map.entry(rs.getString("request_id"), rs.getString("part")))
				.list()
				.stream()
				.collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
			assertThat(partitionOf).isEqualTo(expected);
			YearMonth now = YearMonth.now(ZoneOffset.UTC);
			assertThat(partitions(jdbc))
				.contains("request_log_2024_12", "request_log_2025_01", "request_log_2026_06",
						RequestLogPartitions.name(now), RequestLogPartitions.name(now.plusMonths(1)),
						RequestLogPartitions.DEFAULT_PARTITION)
				.doesNotContain("request_log_2025_02");
			assertThat(
					jdbc.sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'request_log_pkey'")
						.query(String.class)
						.single())
				.isEqualTo("PRIMARY KEY (id, occurred_at)");
			assertThat(jdbc.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'request_log' ORDER BY 1")
				.query(String.class)
				.list()).containsExactly("request_log_pkey", "request_log_request_id_idx",
						"request_log_tenant_time_idx", "request_log_time_idx");
			assertThat(jdbc
				.sql("SELECT conname FROM pg_constraint WHERE conrelid = CAST('request_log' AS regclass) "
						+ "AND contype IN ('c', 'f') ORDER BY 1")
				.query(String.class)
				.list()).containsExactly("request_log_api_key_id_fkey", "request_log_payload_needs_tenant",
						"request_log_redactions_valid", "request_log_sizes_valid", "request_log_status_valid",
						"request_log_tenant_id_fkey");
			assertThat(jdbc.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'request_log_partitioned'")
				.query(Long.class)
				.single()).isZero();
			// a row is still found by id alone, in its partition
			UUID id = jdbc.sql("SELECT id FROM request_log WHERE request_id = 'mid-2025-01'")
				.query(UUID.class)
				.single();
			assertThat(jdbc.sql("SELECT request_id FROM request_log WHERE id = :id")
				.param("id", id)
				.query(String.class)
				.single()).isEqualTo("mid-2025-01");
			// constraints still hold on the partitions
			assertThatThrownBy(() -> insert(jdbc, "bad-status", "2025-01-02T00:00:00Z", null, null, null, 700))
				.isInstanceOf(DataIntegrityViolationException.class);
			assertThatThrownBy(
					() -> insert(jdbc, "unknown-tenant", "2025-01-02T00:00:00Z", UUID.randomUUID(), null, null))
				.isInstanceOf(DataIntegrityViolationException.class);
			assertThatThrownBy(() -> jdbc.sql("INSERT INTO request_log (id, request_id, occurred_at, method, path, "
					+ "status, latency_micros) SELECT id, 'same-key', occurred_at, method, path, status, latency_micros "
					+ "FROM request_log WHERE request_id = 'mid-2026-06'")
				.update()).as("primary key (id, occurred_at)").isInstanceOf(DataIntegrityViolationException.class);
		}
	}

	private static HikariDataSource dataSource(RestartablePostgres postgres) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(postgres.jdbcUrl());
		config.setUsername("postgres");
		config.setMaximumPoolSize(2);
		return new HikariDataSource(config);
	}

	@Test
	void theLogReferencesTenantsAndKeysWithoutForeignKeysFromV25() {
		try (RestartablePostgres postgres = new RestartablePostgres(this.pgDir);
				HikariDataSource dataSource = dataSource(postgres)) {
			Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target("24").load().migrate();
			JdbcClient jdbc = JdbcClient.create(dataSource);
			UUID tenant = UUID.randomUUID();
			jdbc.sql("INSERT INTO tenants (id, name, plan, data_key) VALUES (:id, 'kept', 'free', :key)")
				.param("id", tenant)
				.param("key", new byte[] { 1, 2, 3 })
				.update();
			insert(jdbc, "before-v25", "2026-06-15T08:00:00Z", tenant, new byte[] { 4 }, 0);
			assertThatThrownBy(
					() -> insert(jdbc, "unknown-tenant-v24", "2026-06-15T08:00:00Z", UUID.randomUUID(), null, null))
				.isInstanceOf(DataIntegrityViolationException.class);

			Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target("25").load().migrate();
			assertThat(jdbc
				.sql("SELECT conname FROM pg_constraint WHERE conrelid = CAST('request_log' AS regclass) "
						+ "AND contype IN ('c', 'f') ORDER BY 1")
				.query(String.class)
				.list()).containsExactly("request_log_payload_needs_tenant", "request_log_redactions_valid",
						"request_log_sizes_valid", "request_log_status_valid");
			assertThat(jdbc
				.sql("SELECT count(*) FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
						+ "WHERE c.contype = 'f' AND r.relname LIKE 'request_log%'")
				.query(Long.class)
				.single()).as("no partition keeps a foreign key either").isZero();
			assertThat(jdbc.sql("SELECT tenant_id FROM request_log WHERE request_id = 'before-v25'")
				.query(UUID.class)
				.single()).isEqualTo(tenant);
			// the check constraints still hold
			assertThatThrownBy(() -> insert(jdbc, "bad-status-v25", "2026-06-15T08:00:00Z", null, null, null, 700))
				.isInstanceOf(DataIntegrityViolationException.class);
		}
	}

	private static void insert(JdbcClient jdbc, String requestId, String occurredAt, UUID tenant, byte[] payload,
			Integer redactions) {
		insert(jdbc, requestId, occurredAt, tenant, payload, redactions, 200);
	}

	private static void insert(JdbcClient jdbc, String requestId, String occurredAt, UUID tenant, byte[] payload,
			Integer redactions, int status) {
		jdbc.sql("INSERT INTO request_log (id, request_id, occurred_at, tenant_id, model, model_version, method, path, "
				+ "status, latency_micros, request_bytes, response_bytes, error_code, request_payload, response_payload, "
				+ "redactions) VALUES (:id, :requestId, :at, :tenant, 'income', '1', 'POST', '/v1/models/income:predict', "
				+ ":status, 1234, 10, 20, NULL, :payload, :payload, :redactions)")
			.param("id", UUID.randomUUID())
			.param("requestId", requestId)
			.param("at", Timestamp.from(Instant.parse(occurredAt)))
			.param("tenant", tenant)
			.param("status", status)
			.param("payload", payload)
			.param("redactions", redactions)
			.update();
	}

	private static Map<Object, String> rows(JdbcClient jdbc) {
		return jdbc.sql(ROW)
			.query((rs, row) -> Map.entry(rs.getObject("id"), rs.getString("content")))
			.list()
			.stream()
			.collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
	}

	private static List<String> partitions(JdbcClient jdbc) {
		return jdbc
			.sql("SELECT CAST(inhrelid::regclass AS text) FROM pg_inherits "
					+ "WHERE inhparent = CAST('request_log' AS regclass)")
			.query(String.class)
			.list();
	}

}
