package dev.warden.platform.apikey;

import java.time.Instant;
import java.util.UUID;

/**
 * An API key as listed by the admin API (no secret, no hash). {@code status} is {@code active},
 * {@code revoked} or {@code expired} (an active key whose expiry has passed).
 */
public record ApiKey(UUID id, UUID tenantId, String prefix, String name, Instant createdAt, Instant expiresAt,
		Instant lastUsedAt, String status, KeyScopes scopes) {
}
