package dev.warden.platform.apikey;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.warden.platform.apikey.internal.ApiKeyFormat;
import dev.warden.platform.apikey.internal.ApiKeyRepository;
import dev.warden.platform.apikey.internal.KeyIndex;
import dev.warden.platform.apikey.internal.LastUseRecorder;
import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.quota.QuotaManagement;
import dev.warden.platform.quota.QuotaOverride;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantChanged;
import dev.warden.platform.tenant.TenantDeleted;
import dev.warden.platform.tenant.TenantManagement;

/**
 * API keys: creation (the raw key is returned once), listing and verification.
 * Verification looks the key up by its lookup id in the in-memory {@link KeyIndex} (or,
 * while the index cannot be trusted, in the database) and compares SHA-256 hashes in
 * constant time. Thread-safe.
 */
@Service
public class ApiKeyManagement implements SchedulingConfigurer {

	/** Same rule as the model store's model names. */
	private static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

	private final ApiKeyRepository keys;

	private final TenantManagement tenants;

	private final AuditTrail audit;

	private final QuotaManagement quotas;

	private final LastUseRecorder lastUses;

	private static final Logger log = LoggerFactory.getLogger(ApiKeyManagement.class);

	private final ApiKeyProperties properties;

	private final KeyIndex index;

	ApiKeyManagement(ApiKeyRepository keys, TenantManagement tenants, AuditTrail audit, QuotaManagement quotas,
			LastUseRecorder lastUses, ApiKeyProperties properties, KeyIndex index) {
		this.keys = keys;
		this.index = index;
		this.tenants = tenants;
		this.audit = audit;
		this.quotas = quotas;
		this.lastUses = lastUses;
		this.properties = properties;
	}

	/**
	 * Writes the recorded last uses every {@code warden.keys.last-used-flush-interval},
	 * the first time that long after the start.
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		Duration interval = this.properties.lastUsedFlushInterval();
		tasks.addFixedDelayTask(new FixedDelayTask(this.lastUses::flush, interval, interval));
	}

	/** Creates an unrestricted key (every granted model, every operation, no expiry). */
	@Transactional
	public CreatedApiKey create(UUID tenantId, String name, String actor) {
		return create(tenantId, name, KeyScopes.ALL, null, actor);
	}

	/**
	 * Creates a key for the tenant with the given scopes and optional expiry, and audits
	 * it.
	 * @throws ApiException 404 if the tenant does not exist, 400 for unknown operations,
	 * malformed model names or an expiry that is not in the future
	 */
	@Transactional
	public CreatedApiKey create(UUID tenantId, String name, KeyScopes scopes, Instant expiresAt, String actor) {
		return create(tenantId, name, scopes, expiresAt, QuotaOverride.NONE, actor);
	}

	/**
	 * Creates a key for the tenant with the given scopes, optional expiry and quota
	 * override, and audits it. The tenant's row is locked for the transaction, so that
	 * concurrent creations cannot together exceed the cap on active keys
	 * ({@code warden.keys.max-active-per-tenant}).
	 * @throws ApiException 404 if the tenant does not exist, 400 for unknown operations,
	 * malformed model names, an expiry that is not in the future, or a quota override
	 * that is invalid or looser than the tenant's plan; 409 {@code key_limit_reached}
	 * when the tenant has as many active keys as allowed
	 */
	@Transactional
	public CreatedApiKey create(UUID tenantId, String name, KeyScopes scopes, Instant expiresAt, QuotaOverride quota,
			String actor) {
		Tenant tenant = this.tenants.lock(tenantId);
		validate(scopes, expiresAt);
		quota.requireStricterThan(this.quotas.plan(tenant.plan()));
		long active = this.keys.countActive(tenantId);
		if (active >= this.properties.maxActivePerTenant()) {
			throw new ApiException(HttpStatus.CONFLICT, "key_limit_reached",
					"tenant " + tenantId + " has " + active
							+ " active API keys, the most allowed (warden.keys.max-active-per-tenant = "
							+ this.properties.maxActivePerTenant() + "); revoke one first");
		}
		String keyId = ApiKeyFormat.newKeyId();
		String raw = ApiKeyFormat.newRawKey(keyId);
		ApiKey key = new ApiKey(UUID.randomUUID(), tenant.id(), ApiKeyFormat.displayPrefix(keyId), name.strip(),
				Instant.now().truncatedTo(ChronoUnit.MICROS),
				(expiresAt != null) ? expiresAt.truncatedTo(ChronoUnit.MICROS) : null, null, "active", scopes, quota);
		this.keys.insert(key, keyId, ApiKeyFormat.hash(raw));
		afterCommit(() -> this.index.reloadKey(keyId));
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("tenant_id", tenant.id().toString());
		details.put("prefix", key.prefix());
		details.put("name", key.name());
		details.put("models", (scopes.models() != null) ? scopes.models() : "all");
		details.put("operations", scopes.operations());
		details.put("expires_at", (key.expiresAt() != null) ? key.expiresAt().toString() : "never");
		details.put("quota", quota.isEmpty() ? "plan" : quota.fields());
		this.audit.append(actor, "api_key.created", "api_key", key.id().toString(), details);
		return new CreatedApiKey(key, raw);
	}

	/**
	 * Revokes a key of the tenant and audits it: the key is refused (401) on this replica
	 * from the next request on (its index is updated after the commit), on the others
	 * within {@code warden.keys.index-max-lag} (1 s; see {@link KeyIndex}). Revoking a
	 * revoked key is a no-op.
	 * @throws ApiException 404 if the tenant or the key (of this tenant) does not exist
	 */
	@Transactional
	public ApiKey revoke(UUID tenantId, UUID keyId, String actor) {
		this.tenants.get(tenantId);
		ApiKey key = this.keys.findById(tenantId, keyId).orElseThrow(() -> ApiException.notFound("API key " + keyId));
		if (this.keys.revoke(keyId)) {
			afterCommit(() -> this.index.reloadKey(lookupId(key)));
			this.audit.append(actor, "api_key.revoked", "api_key", keyId.toString(),
					Map.of("tenant_id", tenantId.toString(), "prefix", key.prefix(), "name", key.name(), "before",
							Map.of("status", key.status()), "after", Map.of("status", "revoked")));
		}
		return this.keys.findById(tenantId, keyId).orElseThrow();
	}

	/**
	 * Replaces the key's quota override (an empty override removes it) and audits the
	 * change with both values. The override must be stricter than the tenant's plan in
	 * force now; on every replica the key's buckets take the new limits on its next
	 * request.
	 * @throws ApiException 404 if the tenant or the key (of this tenant) does not exist,
	 * 409 if the key is revoked, 400 naming the field of an invalid or looser override
	 */
	@Transactional
	public ApiKey updateQuota(UUID tenantId, UUID keyId, QuotaOverride quota, String actor) {
		Tenant tenant = this.tenants.get(tenantId);
		ApiKey key = this.keys.findById(tenantId, keyId).orElseThrow(() -> ApiException.notFound("API key " + keyId));
		if ("revoked".equals(key.status())) {
			throw ApiException.conflict("API key " + keyId + " is revoked");
		}
		quota.requireStricterThan(this.quotas.plan(tenant.plan()));
		if (quota.equals(key.quota())) {
			return key;
		}
		this.keys.updateQuota(keyId, quota);
		afterCommit(() -> this.index.reloadKey(lookupId(key)));
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("tenant_id", tenantId.toString());
		details.put("prefix", key.prefix());
		details.put("plan", tenant.plan());
		details.put("before", key.quota().isEmpty() ? "plan" : key.quota().fields());
		details.put("after", quota.isEmpty() ? "plan" : quota.fields());
		this.audit.append(actor, "api_key.quota_updated", "api_key", keyId.toString(), details);
		return this.keys.findById(tenantId, keyId).orElseThrow();
	}

	/**
	 * Revokes every key of a tenant that is being deleted, in the deleting transaction.
	 */
	@EventListener
	void on(TenantDeleted event) {
		this.keys.revokeAll(event.tenantId());
		afterCommit(() -> this.index.reloadTenant(event.tenantId()));
	}

	/**
	 * A tenant's name, plan or status changed: this replica's index takes it after the
	 * commit (the others through the database's notification).
	 */
	@EventListener
	void on(TenantChanged event) {
		afterCommit(() -> this.index.reloadTenant(event.tenantId()));
	}

	/**
	 * Runs {@code update} of the index after the current transaction commits (at once
	 * without one). A failure is logged: the change's notification, or the next full
	 * reload, brings the index up to date.
	 */
	private static void afterCommit(Runnable update) {
		Runnable guarded = () -> {
			try {
				update.run();
			}
			catch (RuntimeException ex) {
				log.warn("Could not update the in-memory API key index after a change; the change's notification "
						+ "will: {}", ex.toString());
			}
		};
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					guarded.run();
				}
			});
		}
		else {
			guarded.run();
		}
	}

	private static String lookupId(ApiKey key) {
		return key.prefix().substring(ApiKeyFormat.PREFIX.length());
	}

	/**
	 * One key of the tenant.
	 * @throws ApiException 404 if the tenant or the key (of this tenant) does not exist
	 */
	@Transactional(readOnly = true)
	public ApiKey get(UUID tenantId, UUID keyId) {
		this.tenants.get(tenantId);
		return this.keys.findById(tenantId, keyId).orElseThrow(() -> ApiException.notFound("API key " + keyId));
	}

	/** Every key of the tenant, revoked and expired ones included, oldest first. */
	@Transactional(readOnly = true)
	public List<ApiKey> list(UUID tenantId) {
		this.tenants.get(tenantId);
		return this.keys.findByTenant(tenantId);
	}

	/** One page of the tenant's keys, revoked and expired ones included, oldest first. */
	@Transactional(readOnly = true)
	public Page<ApiKey> list(UUID tenantId, PageRequest page) {
		this.tenants.get(tenantId);
		return Page.of(this.keys.findByTenant(tenantId, page.offset(), page.fetchSize()), page);
	}

	/**
	 * Verifies a raw key from a request.
	 * @return the caller, or empty when the key is malformed, unknown, revoked, expired
	 * or its tenant is not active
	 */
	public Optional<VerifiedKey> verify(String raw) {
		KeyVerification verification = check(raw);
		return (verification.outcome() == KeyVerification.Outcome.VALID) ? Optional.of(verification.key())
				: Optional.empty();
	}

	/**
	 * Checks a raw key from a request. The key is looked up in the in-memory
	 * {@link KeyIndex} while it is current (no database statement; a lookup id it does
	 * not hold is refused without asking the database), otherwise in the database (one
	 * indexed lookup), so that revocation and suspension apply on every replica within
	 * {@code warden.keys.index-max-lag}. Expiry is compared with the clock here. The hash
	 * comparison is constant-time. A valid key's use is recorded in memory
	 * ({@link LastUseRecorder}), not written per request.
	 */
	public KeyVerification check(String raw) {
		String keyId = ApiKeyFormat.keyIdOf(raw);
		if (keyId == null) {
			return KeyVerification.INVALID;
		}
		// a key the index holds is verified from memory; a miss (a key created on another
		// replica a moment ago, a revoked or an unknown key) is looked up as before the
		// index existed, so a new key works on every replica at once
		Optional<ApiKeyRepository.Candidate> found = this.index.current()
				? this.index.find(keyId).or(() -> this.keys.findCandidate(keyId)) : this.keys.findCandidate(keyId);
		if (found.isEmpty()) {
			return KeyVerification.INVALID;
		}
		ApiKeyRepository.Candidate candidate = found.get();
		Instant now = Instant.now();
		if (!ApiKeyFormat.matches(raw, candidate.hash()) || !"active".equals(candidate.status())
				|| (candidate.expiresAt() != null && !now.isBefore(candidate.expiresAt()))) {
			return KeyVerification.INVALID;
		}
		VerifiedKey key = new VerifiedKey(candidate.id(), candidate.tenantId(), candidate.tenantName(),
				candidate.plan(), candidate.scopes(), candidate.quota(), candidate.quotaVersion());
		return switch (candidate.tenantStatus()) {
			case "active" -> {
				this.lastUses.record(candidate.id(), now);
				yield new KeyVerification(KeyVerification.Outcome.VALID, key);
			}
			case "suspended" -> new KeyVerification(KeyVerification.Outcome.TENANT_SUSPENDED, key);
			default -> KeyVerification.INVALID;
		};
	}

	private static void validate(KeyScopes scopes, Instant expiresAt) {
		if (scopes.models() != null) {
			if (scopes.models().isEmpty()) {
				throw ApiException.badRequest("validation_failed",
						"models: must list at least one model, or be omitted for every granted model");
			}
			for (String model : scopes.models()) {
				if (model == null || !MODEL_NAME.matcher(model).matches()) {
					throw ApiException.badRequest("validation_failed", "models: '" + model
							+ "' is not a model name (lower-case letters, digits, '_' and '-', at most 64)");
				}
			}
		}
		if (scopes.operations().isEmpty()) {
			throw ApiException.badRequest("validation_failed",
					"operations: must list at least one of " + KeyScopes.OPERATIONS + ", or be omitted for all");
		}
		for (String operation : scopes.operations()) {
			if (!KeyScopes.OPERATIONS.contains(operation)) {
				throw ApiException.badRequest("validation_failed",
						"operations: unknown operation '" + operation + "', expected one of " + KeyScopes.OPERATIONS);
			}
		}
		if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
			throw ApiException.badRequest("validation_failed", "expires_at: must be in the future");
		}
	}

	/** A newly created key with its raw value, which is shown only once. */
	public record CreatedApiKey(ApiKey key, String rawKey) {
	}

}
