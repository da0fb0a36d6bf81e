package dev.warden.platform.monitoring.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code serving_minutes}: additive upserts of deltas, and reads aggregated by time step.
 */
@Repository
public class ServingMinutes {

	/**
	 * One statement for any number of rows: the deltas arrive as parallel arrays (a
	 * histogram and the maps as the text of an array and of a JSON object) and are added
	 * to existing rows, so replicas flushing the same rows sum up instead of overwriting
	 * each other. Rows are inserted in primary-key order, so two replicas flushing
	 * overlapping rows lock them in the same order.
	 */
	private static final String ADD = """
			INSERT INTO serving_minutes AS s (minute, tenant_id, model, version, requests, status_1xx, status_2xx,
			    status_3xx, status_4xx, status_5xx, errors, quota_rejections, latency_buckets, latency_micros_sum,
			    latency_micros_max, rows_requests, rows_sum, rows_max)
			SELECT to_timestamp(t.minute * 60), t.tenant_id, t.model, t.version, t.requests, t.s1, t.s2, t.s3, t.s4,
			    t.s5, CAST(t.errors AS jsonb), CAST(t.quota AS jsonb), CAST(t.buckets AS bigint[]), t.lsum, t.lmax,
			    t.rreq, t.rsum, t.rmax
			FROM unnest(?::bigint[], ?::uuid[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[],
			    ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
			    ?::bigint[], ?::bigint[], ?::bigint[])
			    AS t(minute, tenant_id, model, version, requests, s1, s2, s3, s4, s5, errors, quota, buckets, lsum,
			         lmax, rreq, rsum, rmax)
			ORDER BY t.model, t.minute, t.tenant_id, t.version
			ON CONFLICT (model, minute, tenant_id, version) DO UPDATE SET
			    requests = s.requests + EXCLUDED.requests,
			    status_1xx = s.status_1xx + EXCLUDED.status_1xx,
			    status_2xx = s.status_2xx + EXCLUDED.status_2xx,
			    status_3xx = s.status_3xx + EXCLUDED.status_3xx,
			    status_4xx = s.status_4xx + EXCLUDED.status_4xx,
			    status_5xx = s.status_5xx + EXCLUDED.status_5xx,
			    errors = serving_add_counts(s.errors, EXCLUDED.errors),
			    quota_rejections = serving_add_counts(s.quota_rejections, EXCLUDED.quota_rejections),
			    latency_buckets = serving_add_buckets(s.latency_buckets, EXCLUDED.latency_buckets),
			    latency_micros_sum = s.latency_micros_sum + EXCLUDED.latency_micros_sum,
			    latency_micros_max = GREATEST(s.latency_micros_max, EXCLUDED.latency_micros_max),
			    rows_requests = s.rows_requests + EXCLUDED.rows_requests,
			    rows_sum = s.rows_sum + EXCLUDED.rows_sum,
			    rows_max = GREATEST(s.rows_max, EXCLUDED.rows_max),
			    updated_at = now()
			""";

	/** The step a row falls in: whole steps since {@code :from} (seconds). */
	private static final String STEP = "(CAST(extract(epoch FROM minute) AS bigint) - :from) / :step";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JdbcTemplate jdbcTemplate;

	private final JdbcClient jdbc;

	private final TransactionTemplate snapshot;

	ServingMinutes(JdbcTemplate jdbcTemplate, JdbcClient jdbc, PlatformTransactionManager transactions) {
		this.jdbcTemplate = jdbcTemplate;
		this.jdbc = jdbc;
		this.snapshot = new TransactionTemplate(transactions);
		this.snapshot.setReadOnly(true);
		this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
	}

	/** Adds the deltas (each key at most once) in one statement and one transaction. */
	public void add(List<ServingRow> deltas) {
		List<ServingRow> rows = new ArrayList<>(deltas);
		rows.sort(Comparator.comparing((ServingRow r) -> r.key().model())
			.thenComparingLong((r) -> r.key().minute())
			.thenComparing((r) -> r.key().tenantId())
			.thenComparing((r) -> r.key().version()));
		int n = rows.size();
		Long[] minutes = new Long[n];
		UUID[] tenants = new UUID[n];
		String[] models = new String[n];
		String[] versions = new String[n];
		Long[][] counts = new Long[6][n];
		String[] errors = new String[n];
		String[] quota = new String[n];
		String[] buckets = new String[n];
		Long[][] tail = new Long[5][n];
		for (int i = 0; i < n; i++) {
			ServingRow row = rows.get(i);
			ServingKey key = row.key();
			minutes[i] = key.minute();
			tenants[i] = key.tenantId();
			models[i] = key.model();
			versions[i] = key.version();
			counts[0][i] = row.requests;
			for (int c = 0; c < 5; c++) {
				counts[c + 1][i] = row.statusClasses[c];
			}
			errors[i] = JSON.writeValueAsString(row.errors);
			quota[i] = JSON.writeValueAsString(row.quotaRejections);
			buckets[i] = arrayText(row.latencyBuckets);
			tail[0][i] = row.latencyMicrosSum;
			tail[1][i] = row.latencyMicrosMax;
			tail[2][i] = row.rowsRequests;
			tail[3][i] = row.rowsSum;
			tail[4][i] = row.rowsMax;
		}
		this.jdbcTemplate.execute((Connection connection) -> {
			PreparedStatement statement = connection.prepareStatement(ADD);
			int p = 1;
			statement.setArray(p++, array(connection, "bigint", minutes));
			statement.setArray(p++, array(connection, "uuid", tenants));
			statement.setArray(p++, array(connection, "text", models));
			statement.setArray(p++, array(connection, "text", versions));
			for (Long[] column : counts) {
				statement.setArray(p++, array(connection, "bigint", column));
			}
			statement.setArray(p++, array(connection, "text", errors));
			statement.setArray(p++, array(connection, "text", quota));
			statement.setArray(p++, array(connection, "text", buckets));
			for (Long[] column : tail) {
				statement.setArray(p++, array(connection, "bigint", column));
			}
			return statement;
		}, PreparedStatement::executeUpdate);
	}

	private static String arrayText(long[] values) {
		StringBuilder text = new StringBuilder(values.length * 2 + 2).append('{');
		for (int i = 0; i < values.length; i++) {
			text.append((i > 0) ? "," : "").append(values[i]);
		}
		return text.append('}').toString();
	}

	private static Array array(Connection connection, String type, Object[] values) throws SQLException {
		return connection.createArrayOf(type, values);
	}

	/** Whether any row names the model. */
	public boolean hasModel(String model) {
		return this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM serving_minutes WHERE model = :model)")
			.param("model", model)
			.query(Boolean.class)
			.single();
	}

	/**
	 * The model's rows in {@code [from, to)} (optionally of one version and one tenant)
	 * added up per step of {@code stepSeconds} from {@code from}: step index → the sum
	 * (its key is that of the step's first minute, with no tenant). Read in one
	 * repeatable-read transaction, so that a flush committing meanwhile is seen by all
	 * three statements or by none.
	 * @param model the model, or {@code null} for every model
	 * @param version the version, or {@code null} for all (and for none)
	 * @param tenantId the tenant, or {@code null} for all
	 */
	public SortedMap<Integer, ServingRow> sumBySteps(String model, String version, UUID tenantId, Instant from,
			Instant to, long stepSeconds) {
		StringBuilder where = new StringBuilder(" FROM serving_minutes WHERE minute >= :fromTime AND minute < :toTime");
		if (model != null) {
			where.append(" AND model = :model");
		}
		if (version != null) {
			where.append(" AND version = :version");
		}
		if (tenantId != null) {
			where.append(" AND tenant_id = :tenant");
		}
		Map<String, Object> parameters = new TreeMap<>();
		if (model != null) {
			parameters.put("model", model);
		}
		parameters.put("fromTime", java.sql.Timestamp.from(from));
		parameters.put("toTime", java.sql.Timestamp.from(to));
		parameters.put("from", from.getEpochSecond());
		parameters.put("step", stepSeconds);
		if (version != null) {
			parameters.put("version", version);
		}
		if (tenantId != null) {
			parameters.put("tenant", tenantId);
		}
		long fromMinute = Math.floorDiv(from.getEpochSecond(), 60);
		SortedMap<Integer, ServingRow> steps = new TreeMap<>();
		this.snapshot.executeWithoutResult((status) -> {
			this.jdbc
				.sql("SELECT " + STEP + " AS i, sum(requests) AS requests, sum(status_1xx) AS s1, "
						+ "sum(status_2xx) AS s2, sum(status_3xx) AS s3, sum(status_4xx) AS s4, sum(status_5xx) AS s5, "
						+ "sum(latency_micros_sum) AS lsum, max(latency_micros_max) AS lmax, "
						+ "sum(rows_requests) AS rreq, sum(rows_sum) AS rsum, max(rows_max) AS rmax" + where
						+ " GROUP BY 1")
				.params(parameters)
				.query((rs) -> {
					int i = rs.getInt("i");
					ServingRow row = step(steps, i, fromMinute, stepSeconds);
					row.requests += rs.getLong("requests");
					for (int c = 0; c < 5; c++) {
						row.statusClasses[c] += rs.getLong("s" + (c + 1));
					}
					row.latencyMicrosSum += rs.getLong("lsum");
					row.latencyMicrosMax = Math.max(row.latencyMicrosMax, rs.getLong("lmax"));
					row.rowsRequests += rs.getLong("rreq");
					row.rowsSum += rs.getLong("rsum");
					row.rowsMax = Math.max(row.rowsMax, rs.getLong("rmax"));
				});
			this.jdbc
				.sql("SELECT s.i, b.k - 1 AS bucket, sum(b.n) AS n FROM (SELECT " + STEP + " AS i, latency_buckets"
						+ where + ") AS s, unnest(s.latency_buckets) WITH ORDINALITY AS b(n, k) WHERE b.n > 0 "
						+ "GROUP BY 1, 2")
				.params(parameters)
				.query((rs) -> {
					int bucket = rs.getInt("bucket");
					if (bucket >= 0 && bucket < LatencyHistogram.BUCKETS) {
						step(steps, rs.getInt("i"), fromMinute, stepSeconds).latencyBuckets[bucket] += rs.getLong("n");
					}
				});
			this.jdbc.sql("SELECT s.i, m.kind, m.code, sum(m.n) AS n FROM (SELECT " + STEP
					+ " AS i, errors, quota_rejections" + where
					+ " AND (errors <> '{}' OR quota_rejections <> '{}')) AS s, LATERAL ("
					+ "SELECT 'error' AS kind, key AS code, CAST(value AS bigint) AS n FROM jsonb_each_text(s.errors) "
					+ "UNION ALL SELECT 'quota', key, CAST(value AS bigint) FROM jsonb_each_text(s.quota_rejections)"
					+ ") AS m GROUP BY 1, 2, 3")
				.params(parameters)
				.query((rs) -> {
					ServingRow row = step(steps, rs.getInt("i"), fromMinute, stepSeconds);
					Map<String, Long> into = "error".equals(rs.getString("kind")) ? row.errors : row.quotaRejections;
					into.merge(rs.getString("code"), rs.getLong("n"), Long::sum);
				});
		});
		return steps;
	}

	private static ServingRow step(SortedMap<Integer, ServingRow> steps, int index, long fromMinute, long stepSeconds) {
		return steps.computeIfAbsent(index,
				(i) -> new ServingRow(new ServingKey(fromMinute + i * (stepSeconds / 60), null, "", "")));
	}

}
