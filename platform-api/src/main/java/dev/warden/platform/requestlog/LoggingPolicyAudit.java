package dev.warden.platform.requestlog;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.system.PolicyFile;
import dev.warden.platform.system.WardenProperties;

/**
 * Puts changes of the request-log policy ({@code policies/logging.yaml}: redaction and
 * retention) on record. The policy is read at start-up; when a gateway starts with a
 * policy whose SHA-256 differs from the last one recorded, it appends
 * {@code request_log.policy_applied} (actor {@code system}; details: file, source,
 * sha256, previous_sha256, request_log_months, usage_daily_months,
 * serving_minutes_months) — once per change, however many replicas start with it (the
 * check and the append run under one advisory lock). A start with an unchanged policy
 * writes nothing.
 */
@Component
class LoggingPolicyAudit {

	static final String ACTION = "request_log.policy_applied";

	private static final Logger log = LoggerFactory.getLogger(LoggingPolicyAudit.class);

	private static final String FILE_NAME = "logging.yaml";

	private final Path policiesDir;

	private final RetentionPolicy retention;

	private final AuditTrail audit;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	LoggingPolicyAudit(WardenProperties warden, RetentionPolicy retention, AuditTrail audit, JdbcClient jdbc,
			TransactionTemplate transactions) {
		this.policiesDir = warden.policiesDir();
		this.retention = retention;
		this.audit = audit;
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	@EventListener(ApplicationReadyEvent.class)
	void recordIfChanged() {
		try {
			Policy policy = read();
			this.transactions.executeWithoutResult((status) -> {
				this.jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('warden:logging-policy'))").query().singleRow();
				String previous = this.jdbc
					.sql("SELECT details->>'sha256' FROM audit_events WHERE action = :action "
							+ "ORDER BY seq DESC LIMIT 1")
					.param("action", ACTION)
					.query(String.class)
					.optional()
					.orElse(null);
				if (policy.sha256().equals(previous)) {
					return;
				}
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("file", FILE_NAME);
				details.put("source", policy.source());
				details.put("sha256", policy.sha256());
				details.put("previous_sha256", previous);
				details.put("request_log_months", this.retention.requestLogMonths());
				details.put("usage_daily_months", this.retention.usageDailyMonths());
				details.put("serving_minutes_months", this.retention.servingMinutesMonths());
				details.put("feedback_months", this.retention.feedbackMonths());
				this.audit.append("system", ACTION, "policy", FILE_NAME, details);
			});
		}
		catch (RuntimeException | IOException ex) {
			// the database may be down at start: the next start records the policy
			log.warn("Could not record the request-log policy in the audit trail: {}", ex.toString());
		}
	}

	private Policy read() throws IOException {
		PolicyFile file = PolicyFile.read(this.policiesDir, FILE_NAME);
		return new Policy(file.source().name().toLowerCase(Locale.ROOT),
				sha256((file.content() != null) ? file.content() : new byte[0]));
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Policy(String source, String sha256) {
	}

}
