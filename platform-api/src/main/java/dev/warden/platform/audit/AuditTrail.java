package dev.warden.platform.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Append-only audit trail. {@link #append} must be called inside the transaction of the write it records
 * (propagation MANDATORY), so that the event and the change commit or roll back together.
 */
@Service
public class AuditTrail {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JdbcClient jdbc;

	AuditTrail(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Transactional(propagation = Propagation.MANDATORY)
	public AuditEvent append(String actor, String action, String targetType, String targetId,
			Map<String, ?> details) {
		AuditEvent event = new AuditEvent(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MICROS), actor,
				action, targetType, targetId, (details != null) ? Map.copyOf(details) : Map.of());
		this.jdbc
			.sql("INSERT INTO audit_events (id, occurred_at, actor, action, target_type, target_id, details) "
					+ "VALUES (:id, :occurredAt, :actor, :action, :targetType, :targetId, CAST(:details AS jsonb))")
			.param("id", event.id())
			.param("occurredAt", java.sql.Timestamp.from(event.occurredAt()))
			.param("actor", actor)
			.param("action", action)
			.param("targetType", targetType)
			.param("targetId", targetId)
			.param("details", JSON.writeValueAsString(event.details()))
			.update();
		return event;
	}

	@Transactional(readOnly = true)
	public List<AuditEvent> recent(int limit, String targetType, String targetId) {
		return this.jdbc
			.sql("SELECT id, occurred_at, actor, action, target_type, target_id, details::text AS details "
					+ "FROM audit_events WHERE (CAST(:targetType AS text) IS NULL OR target_type = :targetType) "
					+ "AND (CAST(:targetId AS text) IS NULL OR target_id = :targetId) "
					+ "ORDER BY occurred_at DESC, id LIMIT :limit")
			.param("targetType", targetType)
			.param("targetId", targetId)
			.param("limit", limit)
			.query((rs, row) -> new AuditEvent(rs.getObject("id", UUID.class),
					rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"), rs.getString("action"),
					rs.getString("target_type"), rs.getString("target_id"), parse(rs.getString("details"))))
			.list();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> parse(String json) {
		return JSON.readValue(json, Map.class);
	}

	/** One audit event; {@code details} is free-form JSON. */
	public record AuditEvent(UUID id, Instant occurredAt, String actor, String action, String targetType,
			String targetId, Map<String, ?> details) {
	}

}
