package dev.warden.platform.apikey;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

/**
 * API keys: creation (the raw key is returned once), listing and verification. Verification looks the row up
 * by the key's lookup id and compares SHA-256 hashes in constant time. Thread-safe.
 */
@Service
public class ApiKeyManagement {

	/** How often {@code last_used_at} is written at most per key, to keep writes off the hot path. */
	private static final Duration TOUCH_INTERVAL = Duration.ofSeconds(60);

	private final ApiKeyRepository keys;

	private final TenantManagement tenants;

	private final AuditTrail audit;

	private final ConcurrentMap<UUID, Instant> lastTouched = new ConcurrentHashMap<>();

	ApiKeyManagement(ApiKeyRepository keys, TenantManagement tenants, AuditTrail audit) {
		this.keys = keys;
		this.tenants = tenants;
		this.audit = audit;
	}

	/** Creates a key for the tenant; 404 {@code ApiException} if the tenant does not exist. */
	@Transactional
	public CreatedApiKey create(UUID tenantId, String name, String actor) {
		Tenant tenant = this.tenants.get(tenantId);
		String keyId = ApiKeyFormat.newKeyId();
		String raw = ApiKeyFormat.newRawKey(keyId);
		ApiKey key = new ApiKey(UUID.randomUUID(), tenant.id(), ApiKeyFormat.displayPrefix(keyId), name.strip(),
				Instant.now().truncatedTo(ChronoUnit.MICROS), null, null, "active");
		this.keys.insert(key, keyId, ApiKeyFormat.hash(raw));
		this.audit.append(actor, "api_key.created", "api_key", key.id().toString(),
				Map.of("tenant_id", tenant.id().toString(), "prefix", key.prefix(), "name", key.name()));
		return new CreatedApiKey(key, raw);
	}

	@Transactional(readOnly = true)
	public List<ApiKey> list(UUID tenantId) {
		this.tenants.get(tenantId);
		return this.keys.findByTenant(tenantId);
	}

	/**
	 * Verifies a raw key from a request.
	 * @return the caller, or empty when the key is malformed, unknown, revoked, expired or its tenant is not
	 * active
	 */
	public Optional<VerifiedKey> verify(String raw) {
		String keyId = ApiKeyFormat.keyIdOf(raw);
		if (keyId == null) {
			return Optional.empty();
		}
		Optional<ApiKeyRepository.Candidate> found = this.keys.findCandidate(keyId);
		if (found.isEmpty()) {
			return Optional.empty();
		}
		ApiKeyRepository.Candidate candidate = found.get();
		Instant now = Instant.now();
		if (!ApiKeyFormat.matches(raw, candidate.hash()) || !"active".equals(candidate.status())
				|| !"active".equals(candidate.tenantStatus())
				|| (candidate.expiresAt() != null && !now.isBefore(candidate.expiresAt()))) {
			return Optional.empty();
		}
		touch(candidate.id(), now);
		return Optional.of(new VerifiedKey(candidate.id(), candidate.tenantId(), candidate.tenantName(),
				candidate.plan()));
	}

	private void touch(UUID id, Instant now) {
		Instant previous = this.lastTouched.get(id);
		if (previous == null || previous.plus(TOUCH_INTERVAL).isBefore(now)) {
			this.lastTouched.put(id, now);
			this.keys.touch(id, now.truncatedTo(ChronoUnit.MICROS));
		}
	}

	/** A newly created key with its raw value, which is shown only once. */
	public record CreatedApiKey(ApiKey key, String rawKey) {
	}

}
