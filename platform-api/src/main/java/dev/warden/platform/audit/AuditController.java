package dev.warden.platform.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.validation.Valid;
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
 * The audit trail over the admin API: events, verification, signed digests, the public key, and login events
 * reported by the console.
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

	/** Most recent audit events first (highest {@code seq}), optionally for one target, one page at a time. */
	@GetMapping("/api/admin/audit-events")
	Page<AuditEvent> list(PageRequest page, @RequestParam(name = "target_type", required = false) String targetType,
			@RequestParam(name = "target_id", required = false) String targetId) {
		return Page.of(this.trail.recent(page.offset(), page.fetchSize(), targetType, targetId), page);
	}

	/** Walks the chain and the digests; 200 with {@code valid=false} and the first broken link if broken. */
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
	 * Records that the token's user signed in (called by the console right after a sign-in, with the user's
	 * token). One event per token ({@code jti}); a repeated call answers 200 with the existing event.
	 */
	@PostMapping(path = "/api/admin/audit/events/login", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<AuditEvent> login(@AuthenticationPrincipal Jwt user, @Valid @RequestBody LoginReport report) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("token_id", user.getId());
		details.put("issuer", (user.getIssuer() != null) ? user.getIssuer().toString() : null);
		details.put("token_issued_at", (user.getIssuedAt() != null) ? user.getIssuedAt().toString() : null);
		Object authTime = user.getClaims().get("auth_time");
		if (authTime instanceof Instant instant) {
			details.put("auth_time", instant.toString());
		}
		details.put("user_client_address", report.clientAddress());
		details.put("user_agent", report.userAgent());
		UserLogins.Recorded recorded = this.logins.record(user.getSubject(), user.getId(), details);
		return ResponseEntity.status(recorded.created() ? HttpStatus.CREATED : HttpStatus.OK).body(recorded.event());
	}

	/**
	 * What the console saw of the user's browser (the admin API itself only sees the console).
	 * @param clientAddress the browser's address as seen by the console
	 * @param userAgent the browser's User-Agent
	 */
	record LoginReport(@Size(max = 100) String clientAddress, @Size(max = 512) String userAgent) {
	}

}
