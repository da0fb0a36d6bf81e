package dev.warden.platform.usage.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code usage_daily}: additive upserts of deltas, and reads by tenant and day range. */
@Repository
public class UsageRepository {

	/**
	 * One statement for any number of rows: the deltas arrive as parallel arrays and are
	 * added to existing rows, so replicas flushing the same rows sum up instead of
	 * overwriting each other.
	 */
	private static final String ADD = """
			INSERT INTO usage_daily AS u (day, tenant_id, api_key_id, model, outcome, requests, errors, rows,
			    request_bytes, response_bytes, latency_micros_sum, latency_micros_max)
			SELECT * FROM unnest(?::date[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
			    ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
			ON CONFLICT (tenant_id, day, api_key_id, model, outcome) DO UPDATE SET
			    requests = u.requests + EXCLUDED.requests,
			    errors = u.errors + EXCLUDED.errors,
			    rows = u.rows + EXCLUDED.rows,
			    request_bytes = u.request_bytes + EXCLUDED.request_bytes,
			    response_bytes = u.response_bytes + EXCLUDED.response_bytes,
			    latency_micros_sum = u.latency_micros_sum + EXCLUDED.latency_micros_sum,
			    latency_micros_max = GREATEST(u.latency_micros_max, EXCLUDED.latency_micros_max),
			    updated_at = now()
			""";

	private final JdbcTemplate jdbcTemplate;

	private final JdbcClient jdbc;

	UsageRepository(JdbcTemplate jdbcTemplate, JdbcClient jdbc) {
		this.jdbcTemplate = jdbcTemplate;
		this.jdbc = jdbc;
	}

	/** Adds the deltas (each key at most once) in one statement and one transaction. */
	public void add(List<UsageRow> deltas) {
		int n = deltas.size();
		Date[] days = new Date[n];
		UUID[] tenants = new UUID[n];
		UUID[] keys = new UUID[n];
		String[] models = new String[n];
		String[] outcomes = new String[n];
		Long[][] counts = new Long[7][n];
		for (int i = 0; i < n; i++) {
			UsageRow row = deltas.get(i);
			UsageKey key = row.key();
			days[i] = Date.valueOf(key.day());
			tenants[i] = key.tenantId();
			keys[i] = key.apiKeyId();
			models[i] = key.model();
			outcomes[i] = key.outcome();
			counts[0][i] = row.requests();
			counts[1][i] = row.errors();
			counts[2][i] = row.rows();
			counts[3][i] = row.requestBytes();
			counts[4][i] = row.responseBytes();
			counts[5][i] = row.latencyMicrosSum();
			counts[6][i] = row.latencyMicrosMax();
		}
		this.jdbcTemplate.execute((Connection connection) -> {
			PreparedStatement statement = connection.prepareStatement(ADD);
			int p = 1;
			statement.setArray(p++, array(connection, "date", days));
			statement.setArray(p++, array(connection, "uuid", tenants));
			statement.setArray(p++, array(connection, "uuid", keys));
			statement.setArray(p++, array(connection, "text", models));
			statement.setArray(p++, array(connection, "text", outcomes));
			for (Long[] column : counts) {
				statement.setArray(p++, array(connection, "bigint", column));
			}
			return statement;
		}, PreparedStatement::executeUpdate);
	}

	private static Array array(Connection connection, String type, Object[] values) throws SQLException {
		return connection.createArrayOf(type, values);
	}

	/** The tenant's rows between two days, inclusive. */
	public List<UsageRow> find(UUID tenantId, LocalDate from, LocalDate to) {
		return this.jdbc
			.sql("SELECT day, api_key_id, model, outcome, requests, errors, rows, request_bytes, response_bytes, "
					+ "latency_micros_sum, latency_micros_max FROM usage_daily WHERE tenant_id = :tenant "
					+ "AND day BETWEEN :from AND :to")
			.param("tenant", tenantId)
			.param("from", Date.valueOf(from))
			.param("to", Date.valueOf(to))
			.query((rs, i) -> new UsageRow(
					new UsageKey(rs.getDate("day").toLocalDate(), tenantId, rs.getObject("api_key_id", UUID.class),
							rs.getString("model"), rs.getString("outcome")),
					rs.getLong("requests"), rs.getLong("errors"), rs.getLong("rows"), rs.getLong("request_bytes"),
					rs.getLong("response_bytes"), rs.getLong("latency_micros_sum"), rs.getLong("latency_micros_max")))
			.list();
	}

}
