package dev.warden.platform.apikey;

import java.time.Instant;
import java.util.UUID;

import dev.warden.platform.apikey.internal.LastUseRecorder;
import dev.warden.platform.quota.QuotaOverride;

/**
 * An API key as listed by the admin API (no secret, no hash). {@code status} is
 * {@code active}, {@code revoked} or {@code expired} (an active key whose expiry has
 * passed). {@code quota} is the key's override of its tenant's plan
 * ({@link QuotaOverride#NONE} for none). {@code lastUsedAt} is written in batches (see
 * {@link LastUseRecorder}), so it can be a few seconds behind.
 */
public record ApiKey(UUID id, UUID tenantId, String prefix, String name, Instant createdAt, Instant expiresAt,
		Instant lastUsedAt, String status, KeyScopes scopes, QuotaOverride quota) {
}
