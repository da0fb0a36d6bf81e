package dev.warden.platform.requestlog;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.warden.platform.audit.AuditTrail;

/**
 * The fail-open switch of the request log. The value stored in
 * {@code request_log_settings} (set by an administrator, shared by all replicas) wins
 * over {@code warden.request-log.fail-open}. Reading it never touches the database: the
 * value is cached and re-read every {@code warden.request-log.settings-refresh-interval};
 * while the database is unreachable the last value read stays in force.
 */
@Service
class RequestLogSettings implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(RequestLogSettings.class);

	private final JdbcClient jdbc;

	private final AuditTrail audit;

	private final boolean configured;

	private final Duration refreshInterval;

	private volatile Current current;

	RequestLogSettings(JdbcClient jdbc, AuditTrail audit, RequestLogProperties properties) {
		this.jdbc = jdbc;
		this.audit = audit;
		this.configured = properties.failOpen();
		this.refreshInterval = properties.settingsRefreshInterval();
		this.current = new Current(this.configured, "configuration", null, null);
		refresh();
	}

	/**
	 * Re-reads the stored switch every {@code settings-refresh-interval} (read once
	 * already at construction).
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(new FixedDelayTask(this::refresh, this.refreshInterval, this.refreshInterval));
	}

	/** The switch in force on this replica (no database access). */
	boolean failOpen() {
		return this.current.failOpen();
	}

	Current current() {
		return this.current;
	}

	void refresh() {
		try {
			this.current = stored().orElseGet(() -> new Current(this.configured, "configuration", null, null));
		}
		catch (DataAccessException ex) {
			log.debug("Request-log settings not refreshed (database unavailable); keeping fail_open={}",
					this.current.failOpen());
		}
	}

	private Optional<Current> stored() {
		return this.jdbc.sql("SELECT fail_open, updated_at, updated_by FROM request_log_settings")
			.query((rs, row) -> new Current(rs.getBoolean("fail_open"), "stored",
					rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by")))
			.optional();
	}

	/**
	 * Stores the switch for every replica and audits the change in the same transaction;
	 * setting the value already stored changes nothing.
	 */
	@Transactional
	Current setFailOpen(boolean failOpen, String actor) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		Optional<Current> stored = this.jdbc
			.sql("SELECT fail_open, updated_at, updated_by FROM request_log_settings FOR UPDATE")
			.query((rs, row) -> new Current(rs.getBoolean("fail_open"), "stored",
					rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by")))
			.optional();
		if (stored.isPresent() && stored.get().failOpen() == failOpen) {
			// nothing changes: no write, no audit event (as everywhere in the admin API)
			return stored.get();
		}
		boolean before = stored.map(Current::failOpen).orElse(this.configured);
		this.jdbc
			.sql("INSERT INTO request_log_settings (id, fail_open, updated_at, updated_by) "
					+ "VALUES (true, :failOpen, :now, :actor) ON CONFLICT (id) DO UPDATE "
					+ "SET fail_open = EXCLUDED.fail_open, updated_at = EXCLUDED.updated_at, "
					+ "updated_by = EXCLUDED.updated_by")
			.param("failOpen", failOpen)
			.param("now", Timestamp.from(now))
			.param("actor", actor)
			.update();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("fail_open", failOpen);
		details.put("previous_fail_open", before);
		this.audit.append(actor, "request_log.settings_changed", "settings", "request-log", details);
		Current after = new Current(failOpen, "stored", now, actor);
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				RequestLogSettings.this.current = after;
			}
		});
		log.warn("Request log fail-open set to {} by {} (was {})", failOpen, actor, before);
		return after;
	}

	/**
	 * The switch and where it comes from: {@code stored} (an administrator set it) or
	 * {@code configuration}.
	 */
	record Current(boolean failOpen, String source, Instant updatedAt, String updatedBy) {
	}

}
