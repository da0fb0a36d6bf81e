package dev.warden.platform.requestlog;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.CronTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.scheduling.support.CronTrigger;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.system.DatabaseTimeouts;

/**
 * The monthly partitions of {@code request_log} and its retention.
 * <p>
 * {@code request_log} is partitioned by range of {@code occurred_at}: partition
 * {@code request_log_YYYY_MM} holds the month in UTC, {@code request_log_default} catches
 * rows whose month has no partition. At start-up and daily
 * ({@code warden.request-log.partitions.cron}) the partitions of the current month and of
 * {@code warden.request-log.partitions.months-ahead} months after it are created when
 * missing; rows already in the default partition for such a month are moved into it. The
 * daily run then applies the retention of {@code policies/logging.yaml}: every partition
 * whose whole range ends before the first day of the month {@code request_log_months}
 * months ago is dropped, rows of the default partition older than that are deleted, and
 * {@code usage_daily} rows older than {@code usage_daily_months}, {@code serving_minutes}
 * rows older than {@code serving_minutes_months} and outcome feedback
 * ({@code feedback_outcomes} by the prediction's time, {@code feedback_windows}) older
 * than {@code feedback_months} are deleted, each change audited in the same transaction.
 * Replicas run this at the same moment: a transaction-scoped advisory lock serialises
 * them and every step is idempotent, so the second finds nothing to do.
 * <p>
 * Gauges: {@code warden.request.log.partition.default.rows} (rows found in the default
 * partition at the last check; should be 0) and
 * {@code warden.request.log.partition.months.ahead} (consecutive months after the current
 * one that have a partition; should be {@code months-ahead}).
 */
@Service
class RequestLogPartitions implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(RequestLogPartitions.class);

	static final String DEFAULT_PARTITION = "request_log_default";

	/**
	 * Rows of the default partition counted at most (the count is a warning, not an
	 * inventory).
	 */
	private static final long DEFAULT_COUNT_CAP = 1_000_000;

	private static final String PARTITIONS = """
			SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default,
			       CAST(b[1] AS timestamptz) AS range_from, CAST(b[2] AS timestamptz) AS range_to
			FROM pg_inherits i
			JOIN pg_class c ON c.oid = i.inhrelid
			LEFT JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
			     'FROM \\(''([^'']*)''\\) TO \\(''([^'']*)''\\)') AS b ON true
			WHERE i.inhparent = CAST('request_log' AS regclass)
			ORDER BY range_from NULLS LAST, name""";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final RetentionPolicy policy;

	private final RequestLogPartitionProperties properties;

	private final Clock clock;

	private final AtomicLong defaultRows = new AtomicLong();

	private final AtomicLong monthsAhead = new AtomicLong();

	private final Counter failures;

	private final DataSource dataSource;

	private final DatabaseTimeouts timeouts;

	@Autowired
	RequestLogPartitions(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, RetentionPolicy policy,
			RequestLogPartitionProperties properties, MeterRegistry meters, DataSource dataSource,
			DatabaseTimeouts timeouts) {
		this(jdbc, transactions, audit, policy, properties, meters, dataSource, timeouts, Clock.systemUTC());
	}

	RequestLogPartitions(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, RetentionPolicy policy,
			RequestLogPartitionProperties properties, MeterRegistry meters, DataSource dataSource,
			DatabaseTimeouts timeouts, Clock clock) {
		this.jdbc = jdbc;
		this.dataSource = dataSource;
		this.timeouts = timeouts;
		this.transactions = transactions;
		this.audit = audit;
		this.policy = policy;
		this.properties = properties;
		this.clock = clock;
		Gauge.builder("warden.request.log.partition.default.rows", this.defaultRows, AtomicLong::get)
			.description("Rows found in request_log_default at the last check (rows whose month had no partition)")
			.register(meters);
		Gauge.builder("warden.request.log.partition.months.ahead", this.monthsAhead, AtomicLong::get)
			.description("Consecutive months after the current one that have a request_log partition")
			.register(meters);
		this.failures = Counter.builder("warden.request.log.partition.maintenance.failures")
			.description("Partition maintenance or retention runs that failed (retried at the next run)")
			.register(meters);
	}

	/**
	 * At start-up: the partitions ahead (a failure is logged and counted, it does not
	 * stop the start).
	 */
	@EventListener(ApplicationReadyEvent.class)
	void atStartup() {
		try {
			createAhead(this.clock.instant());
			check(this.clock.instant());
		}
		catch (DataAccessException | TransactionException ex) {
			this.failures.increment();
			log.warn("Request-log partitions ahead not created at start-up (retried at the next daily run): {}",
					ex.getMessage());
		}
	}

	/**
	 * Runs {@link #daily()} at {@code warden.request-log.partitions.cron} (UTC); never
	 * when it is {@code -}.
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		String cron = this.properties.cron();
		if (!ScheduledTaskRegistrar.CRON_DISABLED.equals(cron)) {
			tasks.addCronTask(new CronTask(this::daily, new CronTrigger(cron, ZoneOffset.UTC)));
		}
	}

	/**
	 * Daily: the partitions ahead, then the retention of the policy, then the check of
	 * the default partition.
	 */
	void daily() {
		Instant now = this.clock.instant();
		try {
			createAhead(now);
			if (this.policy.configured()) {
				applyRetention(now, AuditTrail.SYSTEM_ACTOR);
			}
			check(now);
		}
		catch (DataAccessException | TransactionException ex) {
			this.failures.increment();
			log.warn("Request-log partition maintenance failed (retried at the next run): {}", ex.getMessage());
		}
	}

	/**
	 * The partitions of {@code request_log}, oldest first, the default partition last.
	 */
	List<Partition> list() {
		return this.jdbc.sql(PARTITIONS)
			.query((rs, row) -> new Partition(rs.getString("name"), rs.getBoolean("is_default"),
					instant(rs.getTimestamp("range_from")), instant(rs.getTimestamp("range_to"))))
			.list();
	}

	/**
	 * Creates the partitions of the month of {@code now} and of the {@code months-ahead}
	 * months after it that do not exist yet.
	 * @return the names of the partitions created
	 */
	List<String> createAhead(Instant now) {
		YearMonth current = YearMonth.from(now.atZone(ZoneOffset.UTC));
		List<String> created = new ArrayList<>();
		for (int i = 0; i <= this.properties.monthsAhead(); i++) {
			if (createMonth(current.plusMonths(i))) {
				created.add(name(current.plusMonths(i)));
			}
		}
		if (!created.isEmpty()) {
			log.info("Request-log partitions created: {}", created);
		}
		return created;
	}

	/**
	 * Creates the partition of one month unless it exists; rows of that month already in
	 * the default partition are moved into it in the same transaction.
	 * @return whether the partition was created
	 */
	boolean createMonth(YearMonth month) {
		String name = name(month);
		if (list().stream().anyMatch((p) -> p.name().equals(name))) {
			return false;
		}
		Boolean created = this.transactions.execute((status) -> {
			lock();
			List<Partition> partitions = list();
			if (partitions.stream().anyMatch((p) -> p.name().equals(name))) {
				return false; // another replica was first
			}
			Instant from = start(month);
			Instant to = start(month.plusMonths(1));
			String bounds = "FOR VALUES FROM ('" + from + "') TO ('" + to + "')";
			boolean hasDefault = partitions.stream().anyMatch(Partition::isDefault);
			long stray = hasDefault ? this.jdbc
				.sql("SELECT count(*) FROM " + DEFAULT_PARTITION + " WHERE occurred_at >= :from AND occurred_at < :to")
				.param("from", Timestamp.from(from))
				.param("to", Timestamp.from(to))
				.query(Long.class)
				.single() : 0;
			if (stray == 0) {
				this.jdbc.sql("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF request_log " + bounds).update();
				return true;
			}
			// the default partition holds rows of this month: a new partition over them
			// would be refused, so the
			// rows are moved into a table that is then attached as the month's partition
			this.jdbc.sql("CREATE TABLE " + name + " (LIKE request_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
				.update();
			this.jdbc
				.sql("WITH moved AS (DELETE FROM " + DEFAULT_PARTITION
						+ " WHERE occurred_at >= :from AND occurred_at < :to RETURNING *) INSERT INTO " + name
						+ " SELECT * FROM moved")
				.param("from", Timestamp.from(from))
				.param("to", Timestamp.from(to))
				.update();
			this.jdbc.sql("ALTER TABLE request_log ATTACH PARTITION " + name + " " + bounds).update();
			log.info("Request-log partition {} created; {} rows moved into it from {}", name, stray, DEFAULT_PARTITION);
			return true;
		});
		return Boolean.TRUE.equals(created);
	}

	/**
	 * Applies the retention of the policy as of {@code now}: drops the request-log
	 * partitions whose whole range is older than the first day of the month
	 * {@code request_log_months} before {@code now} (UTC), deletes the rows of the
	 * default partition older than that, deletes the {@code usage_daily} rows older than
	 * the first day of the month {@code usage_daily_months} before {@code now}, and the
	 * {@code serving_minutes} rows older than the first instant of the month
	 * {@code serving_minutes_months} before {@code now} (and the
	 * {@code drift_live_chunks} rows of chunks before the same instant), and the outcome
	 * feedback older than the first instant of the month {@code feedback_months} before
	 * {@code now}. One transaction, audited ({@code request_log.partitions_dropped},
	 * {@code request_log.default_rows_deleted}, {@code usage_daily.rows_deleted},
	 * {@code serving_minutes.rows_deleted}, {@code drift_live_chunks.rows_deleted},
	 * {@code feedback.rows_deleted}) by {@code actor}; nothing to remove = no change and
	 * no audit event.
	 */
	RetentionResult applyRetention(Instant now, String actor) {
		Integer logMonths = this.policy.requestLogMonths();
		Integer usageMonths = this.policy.usageDailyMonths();
		Integer servingMonths = this.policy.servingMinutesMonths();
		Integer feedbackMonths = this.policy.feedbackMonths();
		YearMonth current = YearMonth.from(now.atZone(ZoneOffset.UTC));
		Instant logCutoff = (logMonths != null) ? start(current.minusMonths(logMonths)) : null;
		LocalDate usageCutoff = (usageMonths != null) ? current.minusMonths(usageMonths).atDay(1) : null;
		Instant servingCutoff = (servingMonths != null) ? start(current.minusMonths(servingMonths)) : null;
		Instant feedbackCutoff = (feedbackMonths != null) ? start(current.minusMonths(feedbackMonths)) : null;
		return this.transactions.execute((status) -> {
			lock();
			List<Partition> dropped = new ArrayList<>();
			long defaultDeleted = 0;
			if (logCutoff != null) {
				List<Partition> partitions = list();
				for (Partition partition : partitions) {
					if (!partition.isDefault() && partition.to() != null && !partition.to().isAfter(logCutoff)) {
						this.jdbc.sql("DROP TABLE " + partition.name()).update();
						dropped.add(partition);
					}
				}
				if (partitions.stream().anyMatch(Partition::isDefault)) {
					defaultDeleted = this.jdbc.sql("DELETE FROM " + DEFAULT_PARTITION + " WHERE occurred_at < :cutoff")
						.param("cutoff", Timestamp.from(logCutoff))
						.update();
				}
			}
			long usageDeleted = 0;
			if (usageCutoff != null) {
				usageDeleted = this.jdbc.sql("DELETE FROM usage_daily WHERE day < :cutoff")
					.param("cutoff", usageCutoff)
					.update();
			}
			long servingDeleted = 0;
			long driftDeleted = 0;
			if (servingCutoff != null) {
				servingDeleted = this.jdbc.sql("DELETE FROM serving_minutes WHERE minute < :cutoff")
					.param("cutoff", Timestamp.from(servingCutoff))
					.update();
				// the live drift profiles are monitoring aggregates too: the same
				// retention
				driftDeleted = this.jdbc.sql("DELETE FROM drift_live_chunks WHERE chunk < :cutoff")
					.param("cutoff", Timestamp.from(servingCutoff))
					.update();
			}
			long feedbackOutcomesDeleted = 0;
			long feedbackWindowsDeleted = 0;
			if (feedbackCutoff != null) {
				feedbackOutcomesDeleted = this.jdbc.sql("DELETE FROM feedback_outcomes WHERE predicted_at < :cutoff")
					.param("cutoff", Timestamp.from(feedbackCutoff))
					.update();
				feedbackWindowsDeleted = this.jdbc.sql("DELETE FROM feedback_windows WHERE window_start < :cutoff")
					.param("cutoff", Timestamp.from(feedbackCutoff))
					.update();
			}
			if (!dropped.isEmpty()) {
				Map<String, Object> details = retentionDetails(logMonths, logCutoff);
				details.put("partitions", dropped.stream().map(RequestLogPartitions::describe).toList());
				details.put("default_rows_deleted", defaultDeleted);
				this.audit.append(actor, "request_log.partitions_dropped", "table", "request_log", details);
			}
			else if (defaultDeleted > 0) {
				Map<String, Object> details = retentionDetails(logMonths, logCutoff);
				details.put("default_rows_deleted", defaultDeleted);
				this.audit.append(actor, "request_log.default_rows_deleted", "table", "request_log", details);
			}
			if (usageDeleted > 0) {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("retention_months", usageMonths);
				details.put("cutoff_day", usageCutoff.toString());
				details.put("rows_deleted", usageDeleted);
				this.audit.append(actor, "usage_daily.rows_deleted", "table", "usage_daily", details);
			}
			if (servingDeleted > 0) {
				Map<String, Object> details = retentionDetails(servingMonths, servingCutoff);
				details.put("rows_deleted", servingDeleted);
				this.audit.append(actor, "serving_minutes.rows_deleted", "table", "serving_minutes", details);
			}
			if (driftDeleted > 0) {
				Map<String, Object> details = retentionDetails(servingMonths, servingCutoff);
				details.put("rows_deleted", driftDeleted);
				this.audit.append(actor, "drift_live_chunks.rows_deleted", "table", "drift_live_chunks", details);
			}
			if (feedbackOutcomesDeleted > 0 || feedbackWindowsDeleted > 0) {
				Map<String, Object> details = retentionDetails(feedbackMonths, feedbackCutoff);
				details.put("outcomes_deleted", feedbackOutcomesDeleted);
				details.put("windows_deleted", feedbackWindowsDeleted);
				this.audit.append(actor, "feedback.rows_deleted", "table", "feedback_outcomes", details);
			}
			if (!dropped.isEmpty() || defaultDeleted > 0 || usageDeleted > 0 || servingDeleted > 0 || driftDeleted > 0
					|| feedbackOutcomesDeleted > 0 || feedbackWindowsDeleted > 0) {
				log.warn(
						"Retention applied by {}: request-log partitions dropped {}, {} rows deleted from {}, "
								+ "{} usage_daily rows deleted, {} serving_minutes rows deleted, {} drift_live_chunks "
								+ "rows deleted, {} feedback_outcomes and {} feedback_windows rows deleted",
						actor, dropped.stream().map(Partition::name).toList(), defaultDeleted, DEFAULT_PARTITION,
						usageDeleted, servingDeleted, driftDeleted, feedbackOutcomesDeleted, feedbackWindowsDeleted);
			}
			return new RetentionResult(logMonths, logCutoff, dropped, defaultDeleted, usageMonths, usageCutoff,
					usageDeleted, servingMonths, servingCutoff, servingDeleted, feedbackMonths, feedbackCutoff,
					feedbackOutcomesDeleted, feedbackWindowsDeleted);
		});
	}

	/**
	 * Counts the rows of the default partition and the months ahead that have a
	 * partition, sets the gauges and logs a warning when the default partition holds
	 * rows.
	 */
	Check check(Instant now) {
		List<Partition> partitions = list();
		long rows = 0;
		Set<String> months = new TreeSet<>();
		if (partitions.stream().anyMatch(Partition::isDefault)) {
			rows = this.jdbc
				.sql("SELECT count(*) FROM (SELECT 1 FROM " + DEFAULT_PARTITION + " LIMIT " + DEFAULT_COUNT_CAP
						+ ") AS d")
				.query(Long.class)
				.single();
			if (rows > 0) {
				months.addAll(this.jdbc
					.sql("SELECT DISTINCT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') FROM (SELECT occurred_at "
							+ "FROM " + DEFAULT_PARTITION + " LIMIT " + DEFAULT_COUNT_CAP + ") AS d")
					.query(String.class)
					.list());
			}
		}
		YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
		Set<String> names = new TreeSet<>(partitions.stream().map(Partition::name).toList());
		int ahead = 0;
		while (ahead < 1200 && names.contains(name(month.plusMonths(ahead + 1)))) {
			ahead++;
		}
		this.defaultRows.set(rows);
		this.monthsAhead.set(ahead);
		if (rows > 0) {
			log.warn("{} rows are in {} (months without a partition: {}); they are moved into their month's "
					+ "partition when it is created, see docs/operations.md", rows, DEFAULT_PARTITION, months);
		}
		return new Check(rows, ahead, List.copyOf(months));
	}

	private void lock() {
		// waiting for another replica's maintenance (the advisory lock), DDL and
		// retention deletes may take longer than the pool's socket timeout; lock waits
		// are bounded by lock_timeout below
		try {
			this.timeouts.allowLongStatements(DataSourceUtils.getConnection(this.dataSource));
		}
		catch (SQLException ex) {
			throw new DataAccessResourceFailureException("could not set the maintenance socket timeout", ex);
		}
		this.jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('warden.request_log_partitions'))) AS l")
			.query(Integer.class)
			.single();
		// DDL on a partition takes locks that request-log writes wait behind: give up
		// rather than queue for long
		this.jdbc.sql("SELECT set_config('lock_timeout', :timeout, true)")
			.param("timeout", this.properties.lockTimeout().toMillis() + "ms")
			.query(String.class)
			.single();
	}

	static String name(YearMonth month) {
		return String.format("request_log_%04d_%02d", month.getYear(), month.getMonthValue());
	}

	private static Instant start(YearMonth month) {
		return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
	}

	private static Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	private static Map<String, String> describe(Partition partition) {
		Map<String, String> description = new LinkedHashMap<>();
		description.put("name", partition.name());
		description.put("from", partition.from().toString());
		description.put("to", partition.to().toString());
		return description;
	}

	private static Map<String, Object> retentionDetails(Integer months, Instant cutoff) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("retention_months", months);
		details.put("cutoff", cutoff.toString());
		return details;
	}

	/**
	 * One partition; {@code from}/{@code to} are {@code null} for the default partition.
	 */
	record Partition(String name, boolean isDefault, Instant from, Instant to) {
	}

	/** What one retention run removed. */
	record RetentionResult(Integer requestLogMonths, Instant requestLogCutoff, List<Partition> droppedPartitions,
			long defaultRowsDeleted, Integer usageDailyMonths, LocalDate usageDailyCutoff, long usageDailyRowsDeleted,
			Integer servingMinutesMonths, Instant servingMinutesCutoff, long servingMinutesRowsDeleted,
			Integer feedbackMonths, Instant feedbackCutoff, long feedbackOutcomesDeleted, long feedbackWindowsDeleted) {
	}

	/** The state of the default partition and of the partitions ahead. */
	record Check(long defaultRows, int monthsAhead, List<String> defaultMonths) {
	}

}
