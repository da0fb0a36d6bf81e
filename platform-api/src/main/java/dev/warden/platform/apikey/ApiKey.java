package dev.warden.platform.apikey;

import java.time.Instant;
import java.util.UUID;

/** An API key as listed by the admin API (no secret, no hash). */
public record ApiKey(UUID id, UUID tenantId, String prefix, String name, Instant createdAt, Instant expiresAt,
		Instant lastUsedAt, String status) {
}
