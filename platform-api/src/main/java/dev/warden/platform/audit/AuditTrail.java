package dev.warden.platform.audit;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.internal.AuditCanonical;
import dev.warden.platform.audit.internal.AuditCanonical.EventContent;

/**
 * Append-only, hash-chained audit trail.
 * <p>
 * Contract of {@link #append}: it must be called inside the transaction of the write it
 * records (propagation MANDATORY), so that the event and the change commit or roll back
 * together. It locks the chain's head row ({@code audit_chain_head},
 * {@code SELECT ... FOR UPDATE}) and holds that lock until the caller's transaction ends:
 * appends from any number of transactions and replicas are serialised into one linear
 * chain, and a transaction that rolls back leaves the head as it was. Keep the remaining
 * work of an auditing transaction short, and append last, after the transaction's other
 * row locks are taken. The request context (roles, client address, user agent, request
 * id) is captured from the current thread; outside a request the event is a system event
 * and a blank actor is recorded as {@value #SYSTEM_ACTOR}.
 */
@Service
public class AuditTrail {

	/** The actor of events no user caused (start-up, scheduled jobs). */
	public static final String SYSTEM_ACTOR = "system";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The columns {@link #content(ResultSet)} reads, and the hash. */
	static final String COLUMNS = "id, seq, occurred_at, actor, actor_roles, action, target_type, target_id, "
			+ "details::text AS details, client_address, user_agent, request_id, prev_hash, actor_name, actor_issuer, "
			+ "hash";

	private final JdbcClient jdbc;

	AuditTrail(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Appends an event to the chain in the caller's transaction; role, client address,
	 * user agent and request id come from the current request, and so do the user name
	 * and issuer recorded next to the actor when the actor is the caller's token subject.
	 * @param actor who did it (the access token's {@code sub}); blank or {@code null} =
	 * {@value #SYSTEM_ACTOR}
	 * @param details free-form JSON-serialisable summary, conventionally with
	 * {@code before}/{@code after}
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public AuditEvent append(String actor, String action, String targetType, String targetId, Map<String, ?> details) {
		return append(actor, action, targetType, targetId, details, AuditContext.current());
	}

	AuditEvent append(String actor, String action, String targetType, String targetId, Map<String, ?> details,
			AuditContext context) {
		String who = (actor == null || actor.isBlank()) ? SYSTEM_ACTOR : actor;
		Map<String, ?> copy = (details != null) ? Collections.unmodifiableMap(new LinkedHashMap<>(details)) : Map.of();
		String detailsJson = JSON.writeValueAsString(copy);
		Head head = lockHead();
		if (head.hash() == null) {
			head = seal(head.seq());
		}
		long seq = head.seq() + 1;
		EventContent content = new EventContent(UUID.randomUUID(), seq, Instant.now().truncatedTo(ChronoUnit.MICROS),
				who, context.roles(), action, targetType, targetId, detailsJson, context.clientAddress(),
				context.userAgent(), context.requestId(), head.hash(), context.userNameOf(who), context.issuerOf(who));
		String hash = AuditCanonical.hash(content);
		this.jdbc
			.sql("INSERT INTO audit_events (id, seq, occurred_at, actor, actor_roles, action, target_type, target_id, "
					+ "details, client_address, user_agent, request_id, prev_hash, actor_name, actor_issuer, hash) "
					+ "VALUES (:id, :seq, :occurredAt, :actor, CAST(:roles AS text[]), :action, :targetType, "
					+ ":targetId, CAST(:details AS jsonb), :clientAddress, :userAgent, :requestId, :prevHash, "
					+ ":actorName, :actorIssuer, :hash)")
			.param("id", content.id())
			.param("seq", seq)
			.param("occurredAt", Timestamp.from(content.occurredAt()))
			.param("actor", who)
			.param("roles", rolesLiteral(content.roles()))
			.param("action", action)
			.param("targetType", targetType)
			.param("targetId", targetId)
			.param("details", detailsJson)
			.param("clientAddress", content.clientAddress())
			.param("userAgent", content.userAgent())
			.param("requestId", content.requestId())
			.param("prevHash", content.prevHash())
			.param("actorName", content.actorName())
			.param("actorIssuer", content.actorIssuer())
			.param("hash", hash)
			.update();
		this.jdbc.sql("UPDATE audit_chain_head SET seq = :seq, hash = :hash")
			.param("seq", seq)
			.param("hash", hash)
			.update();
		return new AuditEvent(content.id(), seq, content.occurredAt(), who, content.actorName(), content.actorIssuer(),
				content.roles(), action, targetType, targetId, copy, content.clientAddress(), content.userAgent(),
				content.requestId(), content.prevHash(), hash);
	}

	@Transactional(readOnly = true)
	public List<AuditEvent> recent(int limit, String targetType, String targetId) {
		return recent(0, limit, targetType, targetId);
	}

	/**
	 * As {@link #recent(int, String, String)}, skipping the {@code offset} most recent
	 * ones.
	 */
	public List<AuditEvent> recent(long offset, int limit, String targetType, String targetId) {
		return search(AuditEventSearch.of(null, null, targetType, targetId, null, null), offset, limit);
	}

	/**
	 * The events the filters select, most recent first, skipping the {@code offset} most
	 * recent of them.
	 */
	List<AuditEvent> search(AuditEventSearch filters, long offset, int limit) {
		return this.jdbc
			.sql("SELECT " + COLUMNS + " FROM audit_events " + filters.where() + " ORDER BY seq DESC "
					+ "OFFSET :offset LIMIT :limit")
			.params(filters.parameters())
			.param("offset", offset)
			.param("limit", limit)
			.query((rs, row) -> event(rs))
			.list();
	}

	/**
	 * Locks the head of the chain until the current transaction ends and returns it. Also
	 * used by the digests, so that a digest and the events it covers are consistent.
	 */
	Head lockHead() {
		return this.jdbc.sql("SELECT seq, hash FROM audit_chain_head WHERE id FOR UPDATE")
			.query((rs, row) -> new Head(rs.getLong("seq"), rs.getString("hash")))
			.optional()
			.orElseThrow(() -> new IllegalStateException("audit_chain_head has no row; the schema is damaged"));
	}

	/**
	 * Seals the events written before the chain existed (hash NULL): computes their
	 * hashes in sequence order. Runs under the head lock, in the caller's transaction.
	 */
	Head seal(long upTo) {
		String prev = AuditCanonical.GENESIS_HASH;
		List<EventContent> events = this.jdbc
			.sql("SELECT " + COLUMNS + " FROM audit_events WHERE seq <= :upTo ORDER BY seq")
			.param("upTo", upTo)
			.query((rs, row) -> content(rs))
			.list();
		for (EventContent event : events) {
			EventContent chained = event.withPrevHash(prev);
			String hash = AuditCanonical.hash(chained);
			this.jdbc.sql("UPDATE audit_events SET prev_hash = :prev, hash = :hash WHERE id = :id")
				.param("prev", prev)
				.param("hash", hash)
				.param("id", event.id())
				.update();
			prev = hash;
		}
		this.jdbc.sql("UPDATE audit_chain_head SET hash = :hash").param("hash", prev).update();
		return new Head(upTo, prev);
	}

	/** Reads the hashed content of the row at the result set's cursor. */
	static EventContent content(ResultSet rs) throws SQLException {
		return new EventContent(rs.getObject("id", UUID.class), rs.getLong("seq"),
				rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
				roles(rs.getArray("actor_roles")), rs.getString("action"), rs.getString("target_type"),
				rs.getString("target_id"), rs.getString("details"), rs.getString("client_address"),
				rs.getString("user_agent"), rs.getString("request_id"), rs.getString("prev_hash"),
				rs.getString("actor_name"), rs.getString("actor_issuer"));
	}

	private static AuditEvent event(ResultSet rs) throws SQLException {
		EventContent c = content(rs);
		return new AuditEvent(c.id(), c.seq(), c.occurredAt(), c.actor(), c.actorName(), c.actorIssuer(), c.roles(),
				c.action(), c.targetType(), c.targetId(), parse(c.detailsJson()), c.clientAddress(), c.userAgent(),
				c.requestId(), c.prevHash(), rs.getString("hash"));
	}

	static List<String> roles(Array array) throws SQLException {
		if (array == null) {
			return List.of();
		}
		return Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
	}

	/** A PostgreSQL text[] literal; role names are quoted, so any character is safe. */
	private static String rolesLiteral(List<String> roles) {
		StringBuilder out = new StringBuilder("{");
		for (int i = 0; i < roles.size(); i++) {
			if (i > 0) {
				out.append(',');
			}
			out.append('"').append(roles.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
		}
		return out.append('}').toString();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> parse(String json) {
		return JSON.readValue(json, Map.class);
	}

	/**
	 * The head of the chain: the last sequence number and its hash ({@code null} = not
	 * sealed yet).
	 */
	record Head(long seq, String hash) {
	}

	/**
	 * One audit event; {@code details} is free-form JSON. {@code hash} is the SHA-256 of
	 * the event's canonical content, which includes {@code prev_hash}, the hash of the
	 * event before it. {@code actor} is the token's subject; {@code actorName} and
	 * {@code actorIssuer} the user name and issuer of that token ({@code null} when not
	 * known).
	 */
	public record AuditEvent(UUID id, long seq, Instant occurredAt, String actor, String actorName, String actorIssuer,
			List<String> roles, String action, String targetType, String targetId, Map<String, ?> details,
			String clientAddress, String userAgent, String requestId, String prevHash, String hash) {
	}

}
