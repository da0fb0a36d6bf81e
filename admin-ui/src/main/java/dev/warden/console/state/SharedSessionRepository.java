package dev.warden.console.state;

import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.session.MapSession;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;

/**
 * HTTP sessions (Spring Session) kept by platform-api, so that every replica serves the
 * same signed-in user and a restart signs nobody out. platform-api never sees a session
 * id: the key is its SHA-256 ({@code sid}). Attributes are Java-serialized one by one and
 * then as a map; an attribute that cannot be serialized is left out (one WARN per name),
 * one that cannot be read back is dropped.
 *
 * <p>
 * A session whose attributes did not change is written only when its last access moved by
 * at least {@link #TOUCH_INTERVAL} (so platform-api may expire it up to that much earlier
 * than the configured timeout says), not on every request.
 */
final class SharedSessionRepository implements SessionRepository<SharedSessionRepository.SharedSession> {

	static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(SharedSessionRepository.class);

	private final ConsoleStateClient client;

	private final Duration maxInactive;

	private final Clock clock;

	private final Set<String> warnedAttributes = ConcurrentHashMap.newKeySet();

	SharedSessionRepository(ConsoleStateClient client, Duration maxInactive, Clock clock) {
		this.client = client;
		this.maxInactive = maxInactive;
		this.clock = clock;
	}

	@Override
	public SharedSession createSession() {
		MapSession session = new MapSession();
		Instant now = this.clock.instant();
		session.setCreationTime(now);
		session.setLastAccessedTime(now);
		session.setMaxInactiveInterval(this.maxInactive);
		return new SharedSession(session, null, null);
	}

	@Override
	public void save(SharedSession session) {
		if (session.gone) {
			return;
		}
		String id = session.getId();
		boolean renamed = session.storedId != null && !session.storedId.equals(id);
		boolean touched = session.storedLastAccessed == null
				|| Duration.between(session.storedLastAccessed, session.getLastAccessedTime())
					.compareTo(TOUCH_INTERVAL) >= 0;
		if (!session.changed && !renamed && !touched) {
			return;
		}
		LinkedHashMap<String, byte[]> attributes;
		String principal = principal(session);
		Instant lastAccessed = session.getLastAccessedTime();
		if (session.storedId == null) {
			attributes = new LinkedHashMap<>();
			session.getAttributeNames().forEach((name) -> serializeInto(attributes, name, session.getAttribute(name)));
		}
		else {
			// merged into what is stored now: another request (on this replica or
			// another)
			// may have changed other attributes meanwhile; a session that is no longer
			// stored was signed out or expired elsewhere and is not brought back
			ConsoleStateClient.StoredSession stored = this.client.session(Hashes.sha256Hex(session.storedId))
				.orElse(null);
			if (stored == null) {
				session.gone = true;
				return;
			}
			attributes = readAttributes(stored.attributes());
			session.removedNames.forEach(attributes::remove);
			session.changedNames.forEach((name) -> serializeInto(attributes, name, session.getAttribute(name)));
			if (!session.changedNames.contains(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY)
					&& !session.removedNames
						.contains(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY)) {
				principal = stored.principal();
			}
			if (stored.lastAccessedAt().isAfter(lastAccessed)) {
				lastAccessed = stored.lastAccessedAt();
			}
		}
		this.client.putSession(Hashes.sha256Hex(id),
				new ConsoleStateClient.StoredSession(principal, session.getCreationTime(), lastAccessed,
						session.getMaxInactiveInterval().toSeconds(), serialize(attributes)));
		if (renamed) {
			this.client.deleteSession(Hashes.sha256Hex(session.storedId));
		}
		session.storedId = id;
		session.storedLastAccessed = session.getLastAccessedTime();
		session.changed = false;
		session.changedNames.clear();
		session.removedNames.clear();
	}

	@Override
	public SharedSession findById(String id) {
		ConsoleStateClient.StoredSession stored = this.client.session(Hashes.sha256Hex(id)).orElse(null);
		if (stored == null) {
			return null;
		}
		MapSession session = new MapSession(id);
		session.setCreationTime(stored.createdAt());
		session.setLastAccessedTime(stored.lastAccessedAt());
		session.setMaxInactiveInterval(Duration.ofSeconds(stored.maxInactiveSeconds()));
		if (session.isExpired()) {
			this.client.deleteSession(Hashes.sha256Hex(id));
			return null;
		}
		deserialize(stored.attributes()).forEach(session::setAttribute);
		return new SharedSession(session, id, stored.lastAccessedAt());
	}

	@Override
	public void deleteById(String id) {
		this.client.deleteSession(Hashes.sha256Hex(id));
	}

	private static String principal(Session session) {
		Object context = session.getAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY);
		if (context instanceof SecurityContext securityContext) {
			Authentication authentication = securityContext.getAuthentication();
			return (authentication != null) ? authentication.getName() : null;
		}
		return null;
	}

	private void serializeInto(Map<String, byte[]> attributes, String name, Object value) {
		if (value == null) {
			attributes.remove(name);
			return;
		}
		try {
			if (!(value instanceof Serializable serializable)) {
				throw new IOException(value.getClass().getName() + " is not serializable");
			}
			attributes.put(name, JavaSerialization.serialize(serializable));
		}
		catch (IOException ex) {
			attributes.remove(name);
			if (this.warnedAttributes.add(name)) {
				logger.warn("Session attribute " + name + " is not kept across replicas: " + ex);
			}
		}
	}

	private static byte[] serialize(LinkedHashMap<String, byte[]> attributes) {
		try {
			return JavaSerialization.serialize(attributes);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The stored attributes, each still serialized. */
	@SuppressWarnings("unchecked")
	private LinkedHashMap<String, byte[]> readAttributes(byte[] data) {
		try {
			return new LinkedHashMap<>((Map<String, byte[]>) JavaSerialization.deserialize(data));
		}
		catch (IOException | ClassNotFoundException | ClassCastException ex) {
			logger.warn("A session stored in platform-api could not be read (" + ex + "); its attributes are dropped");
			return new LinkedHashMap<>();
		}
	}

	private Map<String, Object> deserialize(byte[] data) {
		Map<String, Object> attributes = new HashMap<>();
		readAttributes(data).forEach((name, value) -> {
			try {
				attributes.put(name, JavaSerialization.deserialize(value));
			}
			catch (IOException | ClassNotFoundException ex) {
				if (this.warnedAttributes.add(name)) {
					logger.warn("Session attribute " + name + " could not be read back (" + ex + "); dropped");
				}
			}
		});
		return attributes;
	}

	/**
	 * A {@link MapSession} that knows whether it changed since it was read, and under
	 * which id it was stored (session fixation protection changes the id at sign-in).
	 */
	static final class SharedSession implements Session {

		private final MapSession delegate;

		private String storedId;

		private Instant storedLastAccessed;

		private boolean changed;

		/** Signed out or expired elsewhere: not written again. */
		private boolean gone;

		private final Set<String> changedNames = new HashSet<>();

		private final Set<String> removedNames = new HashSet<>();

		SharedSession(MapSession delegate, String storedId, Instant storedLastAccessed) {
			this.delegate = delegate;
			this.storedId = storedId;
			this.storedLastAccessed = storedLastAccessed;
			this.changed = storedId == null;
		}

		@Override
		public String getId() {
			return this.delegate.getId();
		}

		@Override
		public String changeSessionId() {
			this.changed = true;
			return this.delegate.changeSessionId();
		}

		@Override
		public <T> T getAttribute(String attributeName) {
			return this.delegate.getAttribute(attributeName);
		}

		@Override
		public Set<String> getAttributeNames() {
			return this.delegate.getAttributeNames();
		}

		@Override
		public void setAttribute(String attributeName, Object attributeValue) {
			this.changed = true;
			if (attributeValue == null) {
				this.changedNames.remove(attributeName);
				this.removedNames.add(attributeName);
			}
			else {
				this.removedNames.remove(attributeName);
				this.changedNames.add(attributeName);
			}
			this.delegate.setAttribute(attributeName, attributeValue);
		}

		@Override
		public void removeAttribute(String attributeName) {
			if (this.delegate.getAttribute(attributeName) != null) {
				this.changed = true;
				this.changedNames.remove(attributeName);
				this.removedNames.add(attributeName);
			}
			this.delegate.removeAttribute(attributeName);
		}

		@Override
		public Instant getCreationTime() {
			return this.delegate.getCreationTime();
		}

		@Override
		public void setLastAccessedTime(Instant lastAccessedTime) {
			this.delegate.setLastAccessedTime(lastAccessedTime);
		}

		@Override
		public Instant getLastAccessedTime() {
			return this.delegate.getLastAccessedTime();
		}

		@Override
		public void setMaxInactiveInterval(Duration interval) {
			if (!interval.equals(this.delegate.getMaxInactiveInterval())) {
				this.changed = true;
			}
			this.delegate.setMaxInactiveInterval(interval);
		}

		@Override
		public Duration getMaxInactiveInterval() {
			return this.delegate.getMaxInactiveInterval();
		}

		@Override
		public boolean isExpired() {
			return this.delegate.isExpired();
		}

	}

}
