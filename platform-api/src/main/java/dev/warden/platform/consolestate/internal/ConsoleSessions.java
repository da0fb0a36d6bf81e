package dev.warden.platform.consolestate.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The console's HTTP sessions ({@code console_sessions}), by {@code sid} (hex SHA-256 of
 * the session id). The attributes are opaque bytes, stored encrypted
 * ({@link ConsoleStateCrypto}); {@code expires_at = last_accessed_at +
 * max_inactive_seconds}, compared with the database's clock. Thread-safe.
 */
@Repository
public class ConsoleSessions {

	private final JdbcClient jdbc;

	private final ConsoleStateCrypto crypto;

	ConsoleSessions(JdbcClient jdbc, ConsoleStateCrypto crypto) {
		this.jdbc = jdbc;
		this.crypto = crypto;
	}

	/**
	 * A session as the console sends and reads it.
	 *
	 * @param principal the signed-in user's name, or {@code null}
	 * @param attributes the console's serialized attribute map (plaintext)
	 */
	public record Session(String principal, Instant createdAt, Instant lastAccessedAt, int maxInactiveSeconds,
			byte[] attributes) {
	}

	/** Creates or replaces the session {@code sid}. */
	public void put(String sid, Session session) {
		ConsoleStateCrypto.Sealed sealed = this.crypto.encrypt(session.attributes(), ConsoleStateCrypto.SESSION, sid);
		this.jdbc
			.sql("INSERT INTO console_sessions (sid, principal, created_at, last_accessed_at, max_inactive_seconds, "
					+ "expires_at, attributes, kek_id) VALUES (:sid, :principal, :created, :accessed, :maxInactive, "
					+ ":expires, :attributes, :kekId) "
					+ "ON CONFLICT (sid) DO UPDATE SET principal = EXCLUDED.principal, "
					+ "created_at = EXCLUDED.created_at, last_accessed_at = EXCLUDED.last_accessed_at, "
					+ "max_inactive_seconds = EXCLUDED.max_inactive_seconds, expires_at = EXCLUDED.expires_at, "
					+ "attributes = EXCLUDED.attributes, kek_id = EXCLUDED.kek_id")
			.param("sid", sid)
			.param("principal", session.principal())
			.param("created", Timestamp.from(session.createdAt()))
			.param("accessed", Timestamp.from(session.lastAccessedAt()))
			.param("maxInactive", session.maxInactiveSeconds())
			.param("expires", Timestamp.from(session.lastAccessedAt().plusSeconds(session.maxInactiveSeconds())))
			.param("attributes", sealed.ciphertext())
			.param("kekId", sealed.kekId())
			.update();
	}

	/** The session {@code sid}, unless it is absent or expired. */
	public Optional<Session> find(String sid) {
		return this.jdbc
			.sql("SELECT principal, created_at, last_accessed_at, max_inactive_seconds, attributes, kek_id "
					+ "FROM console_sessions WHERE sid = :sid AND expires_at > now()")
			.param("sid", sid)
			.query((rs, row) -> new Session(rs.getString("principal"), rs.getTimestamp("created_at").toInstant(),
					rs.getTimestamp("last_accessed_at").toInstant(), rs.getInt("max_inactive_seconds"),
					this.crypto.decrypt(rs.getBytes("attributes"), rs.getString("kek_id"), ConsoleStateCrypto.SESSION,
							sid)))
			.optional();
	}

	/** Deletes the session {@code sid}, if there is one. */
	public void delete(String sid) {
		this.jdbc.sql("DELETE FROM console_sessions WHERE sid = :sid").param("sid", sid).update();
	}

	/** Deletes the expired sessions; returns how many. */
	public int purgeExpired() {
		return this.jdbc.sql("DELETE FROM console_sessions WHERE expires_at <= now()").update();
	}

}
