package dev.warden.platform.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail.AuditEvent;
import dev.warden.platform.system.ApiException;

/**
 * Login events. Users sign in at the identity provider (the console's embedded
 * authorization server by default), which platform-api never sees; the console reports
 * each sign-in with the user's fresh access token, and the event is keyed by the token's
 * id ({@code jti}) so that a token yields at most one login event. Failed sign-ins and
 * lock-outs have no user token: the console reports them with its own (scope
 * {@code warden.audit.sign-in}), one event per report.
 */
@Service
class UserLogins {

	static final String ACTION = "user.login";

	static final String FAILED_ACTION = "user.login_failed";

	static final String USER_LOCKED_OUT_ACTION = "user.login_locked_out";

	static final String ADDRESS_LOCKED_OUT_ACTION = "client_address.login_locked_out";

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

	/**
	 * Appends one event for a failed sign-in or a lock-out reported by {@code reporter}.
	 * @throws ApiException 400 for an address lock-out without an address
	 */
	@Transactional
	AuditEvent recordFailure(String reporter, AuditController.LoginFailureReport report) {
		Map<String, Object> details = new LinkedHashMap<>();
		switch (report.outcome()) {
			case "failed" -> {
				details.put("known_user", report.knownUser());
				details.put("user_client_address", report.clientAddress());
				details.put("user_agent", report.userAgent());
				return this.trail.append(reporter, FAILED_ACTION, "user", report.username(), details);
			}
			case "user_locked_out" -> {
				details.put("retry_after_seconds", report.retryAfterSeconds());
				details.put("user_client_address", report.clientAddress());
				details.put("user_agent", report.userAgent());
				return this.trail.append(reporter, USER_LOCKED_OUT_ACTION, "user", report.username(), details);
			}
			default -> {
				if (report.clientAddress() == null || report.clientAddress().isBlank()) {
					throw ApiException.badRequest("validation_failed",
							"client_address: is required for outcome client_address_locked_out");
				}
				details.put("retry_after_seconds", report.retryAfterSeconds());
				details.put("username", report.username());
				details.put("user_agent", report.userAgent());
				return this.trail.append(reporter, ADDRESS_LOCKED_OUT_ACTION, "client_address", report.clientAddress(),
						details);
			}
		}
	}

	record Recorded(AuditEvent event, boolean created) {
	}

}
