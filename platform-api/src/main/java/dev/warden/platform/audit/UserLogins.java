package dev.warden.platform.audit;

import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail.AuditEvent;

/**
 * Login events. Users sign in at the identity provider (the console's embedded authorization server by default),
 * which platform-api never sees; the console reports each sign-in with the user's fresh access token, and the
 * event is keyed by the token's id ({@code jti}) so that a token yields at most one login event.
 */
@Service
class UserLogins {

	static final String ACTION = "user.login";

	private final AuditTrail trail;

	UserLogins(AuditTrail trail) {
		this.trail = trail;
	}

	@Transactional
	Recorded record(String subject, String tokenId, Map<String, ?> details) {
		if (tokenId != null) {
			// under the chain lock, so two concurrent reports of one token give one event
			this.trail.lockHead();
			Optional<AuditEvent> existing = this.trail.recent(1000, "user", subject)
				.stream()
				.filter((event) -> ACTION.equals(event.action()) && tokenId.equals(event.details().get("token_id")))
				.findFirst();
			if (existing.isPresent()) {
				return new Recorded(existing.get(), false);
			}
		}
		return new Recorded(this.trail.append(subject, ACTION, "user", subject, details), true);
	}

	record Recorded(AuditEvent event, boolean created) {
	}

}
