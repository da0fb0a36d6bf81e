package dev.warden.platform.requestlog;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;

/**
 * {@code warden.request-log.enabled=false} exists only to measure what the request log
 * costs (the gateway benchmark's "log off" run): answers are then released without any
 * record. A gateway started that way says so in its log at every start and appends an
 * audit event ({@code request_log.disabled}, actor {@code system}), so the gap in the
 * request log is itself on record.
 */
@Component
class RequestLogDisabledNotice {

	private static final Logger log = LoggerFactory.getLogger(RequestLogDisabledNotice.class);

	private final boolean enabled;

	private final AuditTrail audit;

	private final TransactionTemplate transactions;

	RequestLogDisabledNotice(RequestLogProperties properties, AuditTrail audit, TransactionTemplate transactions) {
		this.enabled = properties.enabled();
		this.audit = audit;
		this.transactions = transactions;
	}

	@EventListener(ApplicationReadyEvent.class)
	void announce() {
		if (this.enabled) {
			return;
		}
		log.warn("warden.request-log.enabled=false: data-plane requests are NOT logged. Use this only to benchmark "
				+ "the request log's cost; it is recorded in the audit trail.");
		this.transactions.executeWithoutResult((status) -> this.audit.append("system", "request_log.disabled",
				"settings", "request-log", Map.of("enabled", false)));
	}

}
