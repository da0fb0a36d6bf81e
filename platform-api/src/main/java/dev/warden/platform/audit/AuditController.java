package dev.warden.platform.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.audit.AuditDigests.Digest;
import dev.warden.platform.audit.AuditTrail.AuditEvent;
import dev.warden.platform.crypto.SigningKeys;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * The audit trail over the admin API: events, verification, signed digests, the public
 * key, and login events (sign-ins, failed sign-ins and lock-outs) reported by the
 * console.
 */
@RestController
class AuditController {

	private final AuditTrail trail;

	private final AuditDigests digests;

	private final AuditVerification verification;

	private final UserLogins logins;

	private final SigningKeys keys;

	AuditController(AuditTrail trail, AuditDigests digests, AuditVerification verification, UserLogins logins,
			SigningKeys keys) {
		this.trail = trail;
		this.digests = digests;
		this.verification = verification;
		this.logins = logins;
		this.keys = keys;
	}

	/**
	 * Most recent audit events first (highest {@code seq}), optionally filtered by action
	 * (or its start, {@code model.*}), actor (subject or user name), target and time
	 * range, one page at a time.
	 */
	@GetMapping("/api/admin/audit-events")
	Page<AuditEvent> list(PageRequest page, @RequestParam(name = "action", required = false) String action,
			@RequestParam(name = "actor", required = false) String actor,
			@RequestParam(name = "target_type", required = false) String targetType,
			@RequestParam(name = "target_id", required = false) String targetId,
			@RequestParam(name = "from", required = false) String from,
			@RequestParam(name = "to", required = false) String to) {
		AuditEventSearch filters = AuditEventSearch.of(action, actor, targetType, targetId, from, to);
		return Page.of(this.trail.search(filters, page.offset(), page.fetchSize()), page);
	}

	/**
	 * Walks the chain and the digests; 200 with {@code valid=false} and the first broken
	 * link if broken.
	 */
	@GetMapping("/api/admin/audit/verify")
	AuditChainVerifier.Result verify() {
		return this.verification.verify();
	}

	/** Signs a digest of the chain now (ADMIN). */
	@PostMapping("/api/admin/audit/digests")
	@ResponseStatus(HttpStatus.CREATED)
	Digest createDigest(@AuthenticationPrincipal Jwt user) {
		return this.digests.createNow(user.getSubject());
	}

	/** Most recent digests first, one page at a time. */
	@GetMapping("/api/admin/audit/digests")
	Page<Digest> listDigests(PageRequest page) {
		return Page.of(this.digests.recent(page.offset(), page.fetchSize()), page);
	}

	/** The public keyset (Tink JSON) that verifies digest signatures. */
	@GetMapping(path = "/api/admin/audit/public-key", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<String> publicKey() {
		return ResponseEntity.ok().header("X-Key-Id", this.keys.keyId()).body(this.keys.publicKeysetJson());
	}

	/**
	 * Records that the token's user signed in (called by the console right after a
	 * sign-in, with the user's token). One event per token ({@code jti}); a repeated call
	 * answers 200 with the existing event.
	 */
	@PostMapping(path = "/api/admin/audit/events/login", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<AuditEvent> login(@AuthenticationPrincipal Jwt user, @Valid @RequestBody LoginReport report) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("token_id", user.getId());
		details.put("issuer", (user.getIssuer() != null) ? user.getIssuer().toString() : null);
		details.put("token_issued_at", (user.getIssuedAt() != null) ? user.getIssuedAt().toString() : null);
		Instant authTime = authTime(user.getClaims().get("auth_time"));
		if (authTime != null) {
			details.put("auth_time", authTime.toString());
		}
		details.put("user_client_address", report.clientAddress());
		details.put("user_agent", report.userAgent());
		UserLogins.Recorded recorded = this.logins.record(user.getSubject(), user.getId(), details);
		return ResponseEntity.status(recorded.created() ? HttpStatus.CREATED : HttpStatus.OK).body(recorded.event());
	}

	/**
	 * {@code auth_time} as a provider sends it: a JSON number of seconds since the epoch
	 * (OpenID Connect Core 2; Keycloak, Entra ID), which Spring leaves a number, or an
	 * instant already converted; {@code null} when absent or out of range.
	 */
	static Instant authTime(Object claim) {
		if (claim instanceof Instant instant) {
			return instant;
		}
		if (claim instanceof Number number) {
			double seconds = number.doubleValue();
			if (Double.isFinite(seconds) && seconds >= 0 && seconds <= 253402300799L) {
				return Instant.ofEpochSecond(number.longValue());
			}
		}
		return null;
	}

	/**
	 * Records a failed sign-in at the console's embedded authorization server, or the
	 * lock-out it caused (called by the console with its own client-credentials token,
	 * scope {@code warden.audit.sign-in}; nobody is signed in when a sign-in fails). One
	 * event per call; the actor is the reporting client (the token's {@code sub}), the
	 * target the user name as entered, or the client address for an address lock-out.
	 */
	@PostMapping(path = "/api/admin/audit/events/login-failures", consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	AuditEvent loginFailure(@AuthenticationPrincipal Jwt reporter, @Valid @RequestBody LoginFailureReport report) {
		return this.logins.recordFailure(reporter.getSubject(), report);
	}

	/**
	 * What the console saw of the user's browser (the admin API itself only sees the
	 * console).
	 *
	 * @param clientAddress the browser's address as seen by the console
	 * @param userAgent the browser's User-Agent
	 */
	record LoginReport(@Size(max = 100) String clientAddress, @Size(max = 512) String userAgent) {
	}

	/**
	 * A failed sign-in or a lock-out, as the console saw it.
	 *
	 * @param outcome {@code failed} (a wrong password or a name that is no user),
	 * {@code user_locked_out} (the name's failure budget is used up),
	 * {@code client_address_locked_out} (the address's budget is used up)
	 * @param username the name as entered (may be empty)
	 * @param knownUser whether the name is a user of the identity provider
	 * ({@code failed} only)
	 * @param retryAfterSeconds how long sign-in stays refused (lock-outs only)
	 * @param clientAddress the browser's address as seen by the console (required for an
	 * address lock-out)
	 * @param userAgent the browser's User-Agent
	 */
	record LoginFailureReport(
			@NotNull @Pattern(regexp = "failed|user_locked_out|client_address_locked_out") String outcome,
			@NotNull @Size(max = 256) String username, Boolean knownUser, @PositiveOrZero Long retryAfterSeconds,
			@Size(max = 100) String clientAddress, @Size(max = 512) String userAgent) {
	}

}
