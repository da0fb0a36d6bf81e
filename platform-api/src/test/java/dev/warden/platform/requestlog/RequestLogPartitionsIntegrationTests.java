package dev.warden.platform.requestlog;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.requestlog.RequestLogPartitions.Partition;
import dev.warden.platform.requestlog.RequestLogPartitions.RetentionResult;
import dev.warden.platform.requestlog.internal.LogRecord;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Monthly partitions and retention of the request log in the running application, with
 * synthetic dates: rows are written with the writer's own INSERT and COPY, retention runs
 * with a fixed "now" (the packaged policy keeps 13 months) and through the admin API.
 */
class RequestLogPartitionsIntegrationTests {

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	static TestIssuer issuer;

	static WardenTestApp app;

	static RequestLogPartitions partitions;

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, Map.of("warden.request-log.partitions.lock-timeout", "1s"));
		issuer = warden.issuer();
		app = warden.app();
		partitions = app.bean(RequestLogPartitions.class);
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	@Test
	void partitionsAheadAreCreatedAtStartUp() {
		YearMonth now = YearMonth.now(ZoneOffset.UTC);
		assertThat(names()).contains(RequestLogPartitions.name(now), RequestLogPartitions.name(now.plusMonths(1)),
				RequestLogPartitions.name(now.plusMonths(2)), RequestLogPartitions.name(now.plusMonths(3)),
				RequestLogPartitions.DEFAULT_PARTITION);
		assertThat(partitions.check(Instant.now()).monthsAhead()).isGreaterThanOrEqualTo(3);
		assertThat(app.bean(MeterRegistry.class).get("warden.request.log.partition.months.ahead").gauge().value())
			.isGreaterThanOrEqualTo(3.0);
		assertThat(partitions.createAhead(Instant.now())).as("idempotent").isEmpty();
	}

	@Test
	void rowsLandInTheirMonthsPartitionAndRetentionDropsExactlyTheExpiredMonths() throws Exception {
		assertThat(partitions.createAhead(Instant.parse("2021-01-10T00:00:00Z"))).containsExactly("request_log_2021_01",
				"request_log_2021_02", "request_log_2021_03", "request_log_2021_04");
		assertThat(partitions.createAhead(Instant.parse("2021-01-31T23:00:00Z"))).as("idempotent").isEmpty();
		write(false, record("p-jan-last", "2021-01-31T23:59:59.999999Z"),
				record("p-feb-first", "2021-02-01T00:00:00Z"));
		write(true, record("p-mar", "2021-03-15T10:00:00Z"), record("p-apr", "2021-04-30T12:00:00Z"));
		write(false, record("p-2020-stray", "2020-06-15T00:00:00Z"));
		assertThat(partitionOf("p-jan-last")).isEqualTo("request_log_2021_01");
		assertThat(partitionOf("p-feb-first")).isEqualTo("request_log_2021_02");
		assertThat(partitionOf("p-mar")).as("COPY").isEqualTo("request_log_2021_03");
		assertThat(partitionOf("p-apr")).isEqualTo("request_log_2021_04");
		assertThat(partitionOf("p-2020-stray")).as("no partition for 2020-06").isEqualTo("request_log_default");

		Tenant tenant = app.bean(TenantManagement.class).create("retention-usage", "free", "test");
		UUID key = app.bean(ApiKeyManagement.class).create(tenant.id(), "k", "test").key().id();
		usage(tenant.id(), key, LocalDate.parse("2021-01-31"));
		usage(tenant.id(), key, LocalDate.parse("2021-02-01"));
		servingMinute(tenant.id(), "2021-01-31T23:59:00Z");
		servingMinute(tenant.id(), "2021-02-01T00:00:00Z");
		feedback(tenant.id(), "p-jan-last", "2021-01-31T23:59:59Z");
		feedback(tenant.id(), "p-feb-first", "2021-02-01T00:00:00Z");
		long feedbackAudits = audits("feedback.rows_deleted");
		long partitionAudits = audits("request_log.partitions_dropped");
		long usageAudits = audits("usage_daily.rows_deleted");
		long servingAudits = audits("serving_minutes.rows_deleted");

		// 13 months before 2022-03 is 2021-02: everything before 2021-02-01 goes
		Instant now = Instant.parse("2022-03-10T08:00:00Z");
		RetentionResult result = partitions.applyRetention(now, "system");
		assertThat(result.requestLogMonths()).isEqualTo(13);
		assertThat(result.requestLogCutoff()).isEqualTo(Instant.parse("2021-02-01T00:00:00Z"));
		assertThat(result.droppedPartitions()).extracting(Partition::name).containsExactly("request_log_2021_01");
		assertThat(result.droppedPartitions().get(0).from()).isEqualTo(Instant.parse("2021-01-01T00:00:00Z"));
		assertThat(result.droppedPartitions().get(0).to()).isEqualTo(Instant.parse("2021-02-01T00:00:00Z"));
		assertThat(result.defaultRowsDeleted()).isEqualTo(1);
		assertThat(result.usageDailyRowsDeleted()).isEqualTo(1);
		assertThat(result.servingMinutesMonths()).isEqualTo(13);
		assertThat(result.servingMinutesCutoff()).isEqualTo(Instant.parse("2021-02-01T00:00:00Z"));
		assertThat(result.servingMinutesRowsDeleted()).isEqualTo(1);
		assertThat(result.feedbackMonths()).isEqualTo(13);
		assertThat(result.feedbackCutoff()).isEqualTo(Instant.parse("2021-02-01T00:00:00Z"));
		assertThat(result.feedbackOutcomesDeleted()).isEqualTo(1);
		assertThat(result.feedbackWindowsDeleted()).isEqualTo(1);
		assertThat(app.jdbc()
			.sql("SELECT request_id FROM feedback_outcomes WHERE tenant_id = :t")
			.param("t", tenant.id())
			.query(String.class)
			.list()).containsExactly("p-feb-first");
		assertThat(app.jdbc()
			.sql("SELECT window_start FROM feedback_windows WHERE tenant_id = :t")
			.param("t", tenant.id())
			.query((rs, i) -> rs.getTimestamp("window_start").toInstant())
			.list()).containsExactly(Instant.parse("2021-02-01T00:00:00Z"));
		assertThat(audits("feedback.rows_deleted")).isEqualTo(feedbackAudits + 1);
		assertThat(names()).doesNotContain("request_log_2021_01")
			.contains("request_log_2021_02", "request_log_2021_03", "request_log_2021_04");
		assertThat(count("SELECT count(*) FROM request_log WHERE request_id IN ('p-jan-last', 'p-2020-stray')"))
			.isZero();
		assertThat(count("SELECT count(*) FROM request_log WHERE request_id IN ('p-feb-first', 'p-mar', 'p-apr')"))
			.isEqualTo(3);
		assertThat(app.jdbc()
			.sql("SELECT day FROM usage_daily WHERE tenant_id = :t")
			.param("t", tenant.id())
			.query(LocalDate.class)
			.list()).containsExactly(LocalDate.parse("2021-02-01"));

		assertThat(app.jdbc()
			.sql("SELECT minute FROM serving_minutes WHERE tenant_id = :t")
			.param("t", tenant.id())
			.query((rs, i) -> rs.getTimestamp("minute").toInstant())
			.list()).containsExactly(Instant.parse("2021-02-01T00:00:00Z"));

		assertThat(audits("request_log.partitions_dropped")).isEqualTo(partitionAudits + 1);
		assertThat(audits("usage_daily.rows_deleted")).isEqualTo(usageAudits + 1);
		assertThat(audits("serving_minutes.rows_deleted")).isEqualTo(servingAudits + 1);
		JsonNode serving = Json.read(app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'serving_minutes.rows_deleted' "
					+ "AND actor = 'system' AND target_id = 'serving_minutes' ORDER BY seq DESC LIMIT 1")
			.query(String.class)
			.single());
		assertThat(serving.get("retention_months").asInt()).isEqualTo(13);
		assertThat(serving.get("cutoff").asString()).isEqualTo("2021-02-01T00:00:00Z");
		assertThat(serving.get("rows_deleted").asLong()).isEqualTo(1);
		JsonNode details = Json.read(app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'request_log.partitions_dropped' "
					+ "AND actor = 'system' ORDER BY seq DESC LIMIT 1")
			.query(String.class)
			.single());
		assertThat(details.get("retention_months").asInt()).isEqualTo(13);
		assertThat(details.get("cutoff").asString()).isEqualTo("2021-02-01T00:00:00Z");
		assertThat(details.get("default_rows_deleted").asLong()).isEqualTo(1);
		assertThat(details.get("partitions")).hasSize(1);
		assertThat(details.get("partitions").get(0).get("name").asString()).isEqualTo("request_log_2021_01");
		assertThat(details.get("partitions").get(0).get("from").asString()).isEqualTo("2021-01-01T00:00:00Z");
		assertThat(details.get("partitions").get(0).get("to").asString()).isEqualTo("2021-02-01T00:00:00Z");

		// again: nothing left to remove, nothing audited
		RetentionResult again = partitions.applyRetention(now, "system");
		assertThat(again.droppedPartitions()).isEmpty();
		assertThat(again.defaultRowsDeleted()).isZero();
		assertThat(again.usageDailyRowsDeleted()).isZero();
		assertThat(again.servingMinutesRowsDeleted()).isZero();
		assertThat(again.feedbackOutcomesDeleted()).isZero();
		assertThat(audits("feedback.rows_deleted")).isEqualTo(feedbackAudits + 1);
		assertThat(audits("request_log.partitions_dropped")).isEqualTo(partitionAudits + 1);
		assertThat(audits("usage_daily.rows_deleted")).isEqualTo(usageAudits + 1);
		assertThat(audits("serving_minutes.rows_deleted")).isEqualTo(servingAudits + 1);

		// one month later 2021-02 expires too
		assertThat(partitions.applyRetention(Instant.parse("2022-04-01T00:00:00Z"), "system").droppedPartitions())
			.extracting(Partition::name)
			.containsExactly("request_log_2021_02");
	}

	@Test
	void aRowFarInTheFutureLandsInTheDefaultPartitionAndMovesWhenItsMonthIsCreated() throws Exception {
		LogRecord future = record("p-future", "2090-01-15T00:00:00Z");
		write(false, future);
		assertThat(partitionOf("p-future")).isEqualTo("request_log_default");
		assertThat(app.jdbc()
			.sql("SELECT request_id FROM request_log WHERE id = :id")
			.param("id", future.id())
			.query(String.class)
			.single()).isEqualTo("p-future");
		RequestLogPartitions.Check check = partitions.check(Instant.now());
		assertThat(check.defaultRows()).isGreaterThanOrEqualTo(1);
		assertThat(check.defaultMonths()).contains("2090-01");
		assertThat(app.bean(MeterRegistry.class).get("warden.request.log.partition.default.rows").gauge().value())
			.isGreaterThanOrEqualTo(1.0);

		assertThat(partitions.createMonth(YearMonth.of(2090, 1))).isTrue();
		assertThat(partitionOf("p-future")).isEqualTo("request_log_2090_01");
		assertThat(app.jdbc()
			.sql("SELECT request_id FROM request_log WHERE id = :id")
			.param("id", future.id())
			.query(String.class)
			.single()).isEqualTo("p-future");
		assertThat(partitions.check(Instant.now()).defaultMonths()).doesNotContain("2090-01");
		assertThat(app.jdbc()
			.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'request_log_2090_01' ORDER BY 1")
			.query(String.class)
			.list()).as("the moved partition has the parent's indexes").hasSize(4);
		// later rows of that month go straight into it
		write(true, record("p-future-2", "2090-01-20T00:00:00Z"));
		assertThat(partitionOf("p-future-2")).isEqualTo("request_log_2090_01");
		assertThat(partitions.createMonth(YearMonth.of(2090, 1))).as("idempotent").isFalse();
	}

	@Test
	void adminAppliesRetentionThroughTheApiAndIsAudited() {
		assertThat(partitions.createMonth(YearMonth.of(2023, 5))).isTrue();
		HttpResponse<String> denied = Http.postJson(app.url("/api/admin/request-log/retention:apply"), "",
				"Authorization", "Bearer " + issuer.token("carol", "COMPLIANCE"));
		assertThat(denied.statusCode()).isEqualTo(403);
		assertThat(names()).contains("request_log_2023_05");

		HttpResponse<String> listed = Http.get(app.url("/api/admin/request-log/partitions"), "Authorization",
				"Bearer " + issuer.token("carol", "COMPLIANCE"));
		assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
		assertThat(listed.body()).contains("\"request_log_2023_05\"", "\"request_log_default\"");

		HttpResponse<String> applied = Http.postJson(app.url("/api/admin/request-log/retention:apply"), "",
				"Authorization", "Bearer " + issuer.token("alice", "ADMIN"));
		assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
		JsonNode body = Json.read(applied.body());
		assertThat(body.get("request_log_months").asInt()).isEqualTo(13);
		assertThat(body.get("serving_minutes_months").asInt()).isEqualTo(13);
		assertThat(body.has("serving_minutes_cutoff")).isTrue();
		assertThat(body.has("serving_minutes_rows_deleted")).isTrue();
		assertThat(body.get("dropped_partitions").valueStream().map((p) -> p.get("name").asString()).toList())
			.contains("request_log_2023_05");
		assertThat(names()).doesNotContain("request_log_2023_05")
			.contains(RequestLogPartitions.name(YearMonth.now(ZoneOffset.UTC)));
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'request_log.partitions_dropped' AND actor = 'alice' "
					+ "AND details::text LIKE '%request_log_2023_05%'")
			.query(Long.class)
			.single()).isEqualTo(1);
	}

	@Test
	void retentionGivesUpWithA503WhileTheTableIsLockedAndChangesNothing() throws Exception {
		assertThat(partitions.createMonth(YearMonth.of(2023, 8))).isTrue();
		long audits = audits("request_log.partitions_dropped");
		try (Connection reader = app.bean(DataSource.class).getConnection()) {
			reader.setAutoCommit(false);
			reader.createStatement().execute("LOCK TABLE request_log IN ACCESS SHARE MODE");
			HttpResponse<String> busy = Http.postJson(app.url("/api/admin/request-log/retention:apply"), "",
					"Authorization", "Bearer " + issuer.token("alice", "ADMIN"));
			assertThat(busy.statusCode()).as(busy.body()).isEqualTo(503);
			assertThat(Json.read(busy.body()).get("error").get("code").asString()).isEqualTo("request_log_busy");
			reader.rollback();
		}
		assertThat(names()).contains("request_log_2023_08");
		assertThat(audits("request_log.partitions_dropped")).isEqualTo(audits);
		HttpResponse<String> applied = Http.postJson(app.url("/api/admin/request-log/retention:apply"), "",
				"Authorization", "Bearer " + issuer.token("alice", "ADMIN"));
		assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
		assertThat(names()).doesNotContain("request_log_2023_08");
	}

	private static LogRecord record(String requestId, String occurredAt) {
		return new LogRecord(UUID.randomUUID(), requestId, Instant.parse(occurredAt), null, null, "income", "1", "POST",
				"/v1/models/income:predict", 200, 1234, 0, 0, null, null, null, null);
	}

	private static void write(boolean copy, LogRecord... records) throws Exception {
		try (Connection connection = app.bean(DataSource.class).getConnection()) {
			connection.setAutoCommit(false);
			if (copy) {
				LogRecord.copy(connection, List.of(records));
			}
			else {
				LogRecord.insert(connection, List.of(records));
			}
			connection.commit();
		}
	}

	private static void usage(UUID tenant, UUID key, LocalDate day) {
		app.jdbc()
			.sql("INSERT INTO usage_daily (day, tenant_id, api_key_id, model, outcome, requests, errors, rows, "
					+ "request_bytes, response_bytes, latency_micros_sum, latency_micros_max) "
					+ "VALUES (:day, :tenant, :key, 'income', '', 1, 0, 1, 10, 20, 5, 5)")
			.param("day", day)
			.param("tenant", tenant)
			.param("key", key)
			.update();
	}

	/** A serving-health row as the flush writes it (one request, one bucket counted). */
	private static void servingMinute(UUID tenant, String minute) {
		app.jdbc()
			.sql("INSERT INTO serving_minutes (minute, tenant_id, model, version, requests, status_1xx, status_2xx, "
					+ "status_3xx, status_4xx, status_5xx, errors, quota_rejections, latency_buckets, "
					+ "latency_micros_sum, latency_micros_max, rows_requests, rows_sum, rows_max) VALUES (:minute, "
					+ ":tenant, 'income', '1', 1, 0, 1, 0, 0, 0, '{}', '{}', array_fill(0::bigint, ARRAY[43]), 5, 5, "
					+ "1, 1, 1)")
			.param("minute", java.sql.Timestamp.from(Instant.parse(minute)))
			.param("tenant", tenant)
			.update();
	}

	private static void feedback(UUID tenant, String requestId, String predictedAt) {
		java.sql.Timestamp at = java.sql.Timestamp.from(Instant.parse(predictedAt));
		app.jdbc()
			.sql("INSERT INTO feedback_outcomes (tenant_id, model, request_id, version, predicted_at, api_key_id, "
					+ "row_count, outcome) VALUES (:tenant, 'income', :r, '1', :at, :tenant, 1, '\\x00')")
			.param("tenant", tenant)
			.param("r", requestId)
			.param("at", at)
			.update();
		app.jdbc()
			.sql("INSERT INTO feedback_windows (model, window_start, tenant_id, version, attribute, group_value, tp, "
					+ "fp, tn, fn) VALUES ('income', date_trunc('hour', CAST(:at AS timestamptz)), :tenant, '1', '', '', "
					+ "1, 0, 0, 0)")
			.param("tenant", tenant)
			.param("at", at)
			.update();
	}

	private static String partitionOf(String requestId) {
		return app.jdbc()
			.sql("SELECT CAST(tableoid::regclass AS text) FROM request_log WHERE request_id = :r")
			.param("r", requestId)
			.query(String.class)
			.single();
	}

	private static List<String> names() {
		return partitions.list().stream().map(Partition::name).toList();
	}

	private static long audits(String action) {
		return count("SELECT count(*) FROM audit_events WHERE action = '" + action + "'");
	}

	private static long count(String sql) {
		return app.jdbc().sql(sql).query(Long.class).single();
	}

}
