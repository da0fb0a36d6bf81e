package dev.warden.platform.consolestate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.consolestate.internal.ConsoleAuthorizations;
import dev.warden.platform.consolestate.internal.ConsoleSessions;
import dev.warden.platform.consolestate.internal.ConsoleSigningKeys;
import dev.warden.platform.system.ApiException;

/**
 * The console's shared state, for the console replicas only (the token is checked before,
 * by {@code ConsoleStateSecurityConfiguration}); docs/security.md#console-state. Binary
 * values travel as standard base64; timestamps as ISO-8601 instants.
 * <ul>
 * <li>{@code GET /signing-keys}: the keys to publish, after the rotation step.</li>
 * <li>{@code PUT|GET|DELETE /sessions/{sid}}: a session by the hex SHA-256 of its
 * id.</li>
 * <li>{@code PUT|GET|DELETE /authorizations/{id}},
 * {@code GET /authorizations?token_hash=}: an OAuth2 authorization, by id or by the hex
 * SHA-256 of one of its token values.</li>
 * </ul>
 */
@RestController
@RequestMapping(path = "/internal/platform/console", produces = MediaType.APPLICATION_JSON_VALUE)
class ConsoleStateController {

	/** The largest opaque value (session attributes, authorization data), decoded. */
	static final int MAX_VALUE_BYTES = 256 * 1024;

	static final int MAX_TOKEN_HASHES = 16;

	static final int MAX_TEXT_LENGTH = 1000;

	/** How often the console re-reads the signing keys. */
	static final Duration REFRESH_AFTER = Duration.ofSeconds(60);

	private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

	private static final Pattern AUTHORIZATION_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

	private final ConsoleSigningKeys signingKeys;

	private final ConsoleSessions sessions;

	private final ConsoleAuthorizations authorizations;

	ConsoleStateController(ConsoleSigningKeys signingKeys, ConsoleSessions sessions,
			ConsoleAuthorizations authorizations) {
		this.signingKeys = signingKeys;
		this.sessions = sessions;
		this.authorizations = authorizations;
	}

	@GetMapping("/signing-keys")
	Map<String, Object> signingKeys() {
		List<Map<String, Object>> keys = new ArrayList<>();
		for (ConsoleSigningKeys.Key key : this.signingKeys.current()) {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("kid", key.kid());
			json.put("jwk", key.jwk());
			json.put("created_at", key.createdAt().toString());
			json.put("activates_at", key.activatesAt().toString());
			json.put("retires_at", (key.retiresAt() != null) ? key.retiresAt().toString() : null);
			keys.add(json);
		}
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("keys", keys);
		answer.put("rotation", this.signingKeys.settings().rotation().toString());
		// in seconds, as the contract writes it ("PT60S"; Duration.toString() would say
		// "PT1M")
		answer.put("refresh_after", "PT" + REFRESH_AFTER.toSeconds() + "S");
		return answer;
	}

	/** The body of a session PUT, and of a session GET's answer. */
	record SessionBody(String principal, Instant createdAt, Instant lastAccessedAt, Integer maxInactiveSeconds,
			String attributes) {
	}

	@PutMapping(path = "/sessions/{sid}", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Void> putSession(@PathVariable String sid, @RequestBody SessionBody body) {
		checkHash("sid", sid);
		required("created_at", body.createdAt());
		required("last_accessed_at", body.lastAccessedAt());
		required("max_inactive_seconds", body.maxInactiveSeconds());
		if (body.maxInactiveSeconds() < 1) {
			throw ApiException.badRequest("validation_failed", "max_inactive_seconds: must be at least 1");
		}
		text("principal", body.principal(), false);
		byte[] attributes = opaque("attributes", body.attributes());
		this.sessions.put(sid, new ConsoleSessions.Session(body.principal(), body.createdAt(), body.lastAccessedAt(),
				body.maxInactiveSeconds(), attributes));
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/sessions/{sid}")
	Map<String, Object> getSession(@PathVariable String sid) {
		checkHash("sid", sid);
		ConsoleSessions.Session session = this.sessions.find(sid).orElseThrow(() -> ApiException.notFound("session"));
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("principal", session.principal());
		answer.put("created_at", session.createdAt().toString());
		answer.put("last_accessed_at", session.lastAccessedAt().toString());
		answer.put("max_inactive_seconds", session.maxInactiveSeconds());
		answer.put("attributes", Base64.getEncoder().encodeToString(session.attributes()));
		return answer;
	}

	@DeleteMapping("/sessions/{sid}")
	ResponseEntity<Void> deleteSession(@PathVariable String sid) {
		checkHash("sid", sid);
		this.sessions.delete(sid);
		return ResponseEntity.noContent().build();
	}

	/** The body of an authorization PUT. */
	record AuthorizationBody(String registeredClientId, String principal, List<String> tokenHashes, Instant expiresAt,
			String data) {
	}

	@PutMapping(path = "/authorizations/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Void> putAuthorization(@PathVariable String id, @RequestBody AuthorizationBody body) {
		checkId(id);
		text("registered_client_id", body.registeredClientId(), true);
		text("principal", body.principal(), true);
		required("expires_at", body.expiresAt());
		List<String> hashes = (body.tokenHashes() != null) ? body.tokenHashes() : List.of();
		if (hashes.size() > MAX_TOKEN_HASHES) {
			throw ApiException.badRequest("validation_failed", "token_hashes: at most " + MAX_TOKEN_HASHES + " hashes");
		}
		for (int i = 0; i < hashes.size(); i++) {
			if (hashes.get(i) == null || !HASH.matcher(hashes.get(i)).matches()) {
				throw ApiException.badRequest("validation_failed",
						"token_hashes[" + i + "]: must be a lowercase hex SHA-256 (64 characters 0-9a-f)");
			}
		}
		byte[] data = opaque("data", body.data());
		this.authorizations.put(id, new ConsoleAuthorizations.Authorization(body.registeredClientId(), body.principal(),
				hashes, body.expiresAt(), data));
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/authorizations/{id}")
	Map<String, Object> getAuthorization(@PathVariable String id) {
		checkId(id);
		byte[] data = this.authorizations.find(id).orElseThrow(() -> ApiException.notFound("authorization"));
		return authorization(id, data);
	}

	@GetMapping("/authorizations")
	Map<String, Object> findAuthorization(@RequestParam("token_hash") String tokenHash) {
		checkHash("token_hash", tokenHash);
		ConsoleAuthorizations.Found found = this.authorizations.findByTokenHash(tokenHash)
			.orElseThrow(() -> ApiException.notFound("authorization"));
		return authorization(found.id(), found.data());
	}

	@DeleteMapping("/authorizations/{id}")
	ResponseEntity<Void> deleteAuthorization(@PathVariable String id) {
		checkId(id);
		this.authorizations.delete(id);
		return ResponseEntity.noContent().build();
	}

	private static Map<String, Object> authorization(String id, byte[] data) {
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("id", id);
		answer.put("data", Base64.getEncoder().encodeToString(data));
		return answer;
	}

	private static void checkHash(String name, String value) {
		if (value == null || !HASH.matcher(value).matches()) {
			throw ApiException.badRequest("invalid_parameter",
					name + ": must be a lowercase hex SHA-256 (64 characters 0-9a-f)");
		}
	}

	private static void checkId(String id) {
		if (id == null || !AUTHORIZATION_ID.matcher(id).matches()) {
			throw ApiException.badRequest("invalid_parameter", "id: must be 1 to 100 characters A-Z a-z 0-9 . _ -");
		}
	}

	private static void required(String name, Object value) {
		if (value == null) {
			throw ApiException.badRequest("validation_failed", name + ": is required");
		}
	}

	private static void text(String name, String value, boolean required) {
		if (value == null) {
			if (required) {
				throw ApiException.badRequest("validation_failed", name + ": is required");
			}
			return;
		}
		if ((required && value.isBlank()) || value.length() > MAX_TEXT_LENGTH) {
			throw ApiException.badRequest("validation_failed",
					name + ": must be 1 to " + MAX_TEXT_LENGTH + " characters");
		}
	}

	/**
	 * Decodes an opaque value (standard base64); 413 above {@link #MAX_VALUE_BYTES}
	 * decoded.
	 */
	private static byte[] opaque(String name, String base64) {
		required(name, base64);
		byte[] decoded;
		try {
			decoded = Base64.getDecoder().decode(base64);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("validation_failed", name + ": is not standard base64");
		}
		if (decoded.length > MAX_VALUE_BYTES) {
			throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
					name + ": at most " + MAX_VALUE_BYTES + " bytes (decoded)");
		}
		return decoded;
	}

}
