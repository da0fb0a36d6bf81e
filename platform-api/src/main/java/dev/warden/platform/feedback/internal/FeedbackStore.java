package dev.warden.platform.feedback.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.warden.platform.fairness.GroupFairness.Counts;

/**
 * The tables of outcome feedback: {@code feedback_outcomes} (one row per request id that
 * got feedback, its outcome and attributes encrypted by the caller) and
 * {@code feedback_windows} (additive confusion counts per model, hour, tenant, version,
 * attribute and group). The caller runs {@link #insert} and {@link #add} in one
 * transaction.
 */
@Repository
public class FeedbackStore {

	private static final String INSERT = """
			INSERT INTO feedback_outcomes (tenant_id, model, request_id, version, predicted_at, api_key_id, row_count,
			    outcome, attributes)
			SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::uuid[], ?::int[],
			    ?::bytea[], ?::bytea[])
			ORDER BY 3
			ON CONFLICT (tenant_id, model, request_id) DO NOTHING
			RETURNING tenant_id, model, request_id""";

	private static final String ADD = """
			INSERT INTO feedback_windows AS w (model, window_start, tenant_id, version, attribute, group_value,
			    tp, fp, tn, fn)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (model, window_start, tenant_id, version, attribute, group_value) DO UPDATE SET
			    tp = w.tp + EXCLUDED.tp, fp = w.fp + EXCLUDED.fp, tn = w.tn + EXCLUDED.tn, fn = w.fn + EXCLUDED.fn,
			    updated_at = now()""";

	private final JdbcTemplate jdbcTemplate;

	private final JdbcClient jdbc;

	FeedbackStore(JdbcTemplate jdbcTemplate, JdbcClient jdbc) {
		this.jdbcTemplate = jdbcTemplate;
		this.jdbc = jdbc;
	}

	/**
	 * Inserts the rows whose request id has no feedback yet, in request-id order (so that
	 * two calls reporting the same request ids wait for each other instead of
	 * deadlocking).
	 * @return for each row, whether it was inserted ({@code false}: the request id
	 * already had feedback)
	 */
	public boolean[] insert(List<OutcomeRow> rows) {
		if (rows.isEmpty()) {
			return new boolean[0];
		}
		int n = rows.size();
		Object[][] columns = new Object[9][];
		columns[0] = new UUID[n];
		columns[1] = new String[n];
		columns[2] = new String[n];
		columns[3] = new String[n];
		columns[4] = new Timestamp[n];
		columns[5] = new UUID[n];
		columns[6] = new Integer[n];
		columns[7] = new byte[n][];
		columns[8] = new byte[n][];
		for (int i = 0; i < n; i++) {
			OutcomeRow row = rows.get(i);
			columns[0][i] = row.tenantId();
			columns[1][i] = row.model();
			columns[2][i] = row.requestId();
			columns[3][i] = row.version();
			columns[4][i] = Timestamp.from(row.predictedAt());
			columns[5][i] = row.apiKeyId();
			columns[6][i] = row.rowCount();
			columns[7][i] = row.outcome();
			columns[8][i] = row.attributes();
		}
		String[] types = { "uuid", "text", "text", "text", "timestamptz", "uuid", "int4", "bytea", "bytea" };
		Set<String> inserted = new HashSet<>();
		this.jdbcTemplate.execute((Connection connection) -> {
			PreparedStatement statement = connection.prepareStatement(INSERT);
			for (int c = 0; c < columns.length; c++) {
				statement.setArray(c + 1, connection.createArrayOf(types[c], columns[c]));
			}
			return statement;
		}, (PreparedStatement statement) -> {
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					inserted.add(result.getObject(1) + "/" + result.getString(2) + "/" + result.getString(3));
				}
			}
			return null;
		});
		boolean[] stored = new boolean[n];
		for (int i = 0; i < n; i++) {
			OutcomeRow row = rows.get(i);
			stored[i] = inserted.contains(row.tenantId() + "/" + row.model() + "/" + row.requestId());
		}
		return stored;
	}

	/**
	 * Adds counts to their windows, in primary-key order (so that concurrent callers lock
	 * rows in the same order).
	 */
	public void add(Map<WindowKey, Counts> deltas) {
		if (deltas.isEmpty()) {
			return;
		}
		List<Map.Entry<WindowKey, Counts>> sorted = new ArrayList<>(new TreeMap<>(deltas).entrySet());
		this.jdbcTemplate.batchUpdate(ADD, new BatchPreparedStatementSetter() {
			@Override
			public void setValues(PreparedStatement statement, int i) throws SQLException {
				WindowKey key = sorted.get(i).getKey();
				Counts counts = sorted.get(i).getValue();
				statement.setString(1, key.model());
				statement.setTimestamp(2, Timestamp.from(key.windowStart()));
				statement.setObject(3, key.tenantId());
				statement.setString(4, key.version());
				statement.setString(5, key.attribute());
				statement.setString(6, key.group());
				statement.setLong(7, counts.tp());
				statement.setLong(8, counts.fp());
				statement.setLong(9, counts.tn());
				statement.setLong(10, counts.fn());
			}

			@Override
			public int getBatchSize() {
				return sorted.size();
			}
		});
	}

	/**
	 * The counts of a model in {@code [from, to)} by hour, attribute and group, summed
	 * over tenants and versions unless one is named.
	 */
	public List<WindowCounts> windows(String model, String version, UUID tenantId, Instant from, Instant to) {
		StringBuilder sql = new StringBuilder("""
				SELECT window_start, attribute, group_value, sum(tp) AS tp, sum(fp) AS fp, sum(tn) AS tn,
				       sum(fn) AS fn
				FROM feedback_windows
				WHERE model = :model AND window_start >= :from AND window_start < :to""");
		if (version != null) {
			sql.append(" AND version = :version");
		}
		if (tenantId != null) {
			sql.append(" AND tenant_id = :tenant");
		}
		sql.append(" GROUP BY window_start, attribute, group_value ORDER BY window_start, attribute, group_value");
		JdbcClient.StatementSpec statement = this.jdbc.sql(sql.toString())
			.param("model", model)
			.param("from", Timestamp.from(from))
			.param("to", Timestamp.from(to));
		if (version != null) {
			statement = statement.param("version", version);
		}
		if (tenantId != null) {
			statement = statement.param("tenant", tenantId);
		}
		return statement
			.query((rs, n) -> new WindowCounts(rs.getTimestamp("window_start").toInstant(), rs.getString("attribute"),
					rs.getString("group_value"),
					new Counts(rs.getLong("tp"), rs.getLong("fp"), rs.getLong("tn"), rs.getLong("fn"))))
			.list();
	}

	/**
	 * The versions of {@code model} with feedback counts in {@code [from, to)}, ascending
	 * as text.
	 */
	public List<String> versions(String model, Instant from, Instant to) {
		return this.jdbc
			.sql("SELECT DISTINCT version FROM feedback_windows WHERE model = :model AND window_start >= :from "
					+ "AND window_start < :to ORDER BY version")
			.param("model", model)
			.param("from", Timestamp.from(from))
			.param("to", Timestamp.from(to))
			.query(String.class)
			.list();
	}

	/** Whether any feedback counts name the model. */
	public boolean hasModel(String model) {
		return Boolean.TRUE.equals(this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM feedback_windows WHERE model = :model)")
			.param("model", model)
			.query(Boolean.class)
			.single());
	}

	/** Whether the tenant's feedback counts name the model. */
	public boolean hasModel(String model, UUID tenantId) {
		return Boolean.TRUE.equals(this.jdbc
			.sql("SELECT EXISTS (SELECT 1 FROM feedback_windows WHERE model = :model AND tenant_id = :tenant)")
			.param("model", model)
			.param("tenant", tenantId)
			.query(Boolean.class)
			.single());
	}

	/**
	 * Deletes a tenant's counts (in the caller's transaction).
	 * @return rows deleted
	 */
	public int deleteWindowsOf(UUID tenantId) {
		return this.jdbc.sql("DELETE FROM feedback_windows WHERE tenant_id = :tenant")
			.param("tenant", tenantId)
			.update();
	}

	/**
	 * One request id's feedback as stored.
	 *
	 * @param outcome the encrypted predicted classes and labels
	 * @param attributes the encrypted attributes, or {@code null}
	 */
	public record OutcomeRow(UUID tenantId, String model, String requestId, String version, Instant predictedAt,
			UUID apiKeyId, int rowCount, byte[] outcome, byte[] attributes) {
	}

	/**
	 * A row of {@code feedback_windows}; the overall counts have attribute and group
	 * {@code ""}.
	 */
	public record WindowKey(String model, Instant windowStart, UUID tenantId, String version, String attribute,
			String group) implements Comparable<WindowKey> {

		private static final Comparator<WindowKey> ORDER = Comparator.comparing(WindowKey::model)
			.thenComparing(WindowKey::windowStart)
			.thenComparing(WindowKey::tenantId)
			.thenComparing(WindowKey::version)
			.thenComparing(WindowKey::attribute)
			.thenComparing(WindowKey::group);

		@Override
		public int compareTo(WindowKey other) {
			return ORDER.compare(this, other);
		}

	}

	/** Summed counts of one hour, attribute and group. */
	public record WindowCounts(Instant windowStart, String attribute, String group, Counts counts) {
	}

}
