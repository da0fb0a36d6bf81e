package dev.warden.platform.tenant;

import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.crypto.CryptoProperties;
import dev.warden.platform.crypto.KeyEncryptionKeyProvider;
import dev.warden.platform.crypto.KeyEncryptionKeys;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.quota.QuotaPlans;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Tenants and their data keys. A tenant's data key (AES256_GCM Tink keyset) is created with the tenant and
 * stored wrapped by the key-encryption key ({@link KeyEncryptionKeys}); it can be rotated (a new primary key is
 * added, earlier keys stay for reading) and is destroyed when the tenant is deleted (crypto-shredding).
 * Unwrapped tenant AEADs used to encrypt new payloads are cached in memory for
 * {@code warden.crypto.data-key-cache-ttl}; reading a payload back always unwraps the keyset as stored now.
 * Thread-safe.
 */
@Service
public class TenantManagement {

	private final TenantRepository tenants;

	private final AuditTrail audit;

	private final KeyEncryptionKeys keks;

	private final long cacheTtlNanos;

	private final QuotaPlans plans;

	private final ApplicationEventPublisher events;

	private final ConcurrentMap<UUID, CachedAead> aeads = new ConcurrentHashMap<>();

	TenantManagement(TenantRepository tenants, AuditTrail audit, KeyEncryptionKeys keks, CryptoProperties crypto,
			QuotaPlans plans, ApplicationEventPublisher events) {
		this.tenants = tenants;
		this.audit = audit;
		this.keks = keks;
		this.cacheTtlNanos = crypto.dataKeyCacheTtl().toNanos();
		this.plans = plans;
		this.events = events;
	}

	/**
	 * Creates a tenant with a fresh data key and records the audit event in the same transaction.
	 * @throws ApiException 400 for an unknown plan, 409 for a duplicate name
	 */
	@Transactional
	public Tenant create(String name, String plan, String actor) {
		String effectivePlan = (plan == null || plan.isBlank()) ? this.plans.defaultPlan() : plan;
		requireKnownPlan(effectivePlan);
		String trimmed = name.strip();
		if (this.tenants.findByName(trimmed).isPresent()) {
			throw ApiException.conflict("a tenant named '" + trimmed + "' already exists");
		}
		Tenant tenant = new Tenant(UUID.randomUUID(), trimmed, effectivePlan, "active",
				Instant.now().truncatedTo(ChronoUnit.MICROS));
		KeyEncryptionKeyProvider kek = this.keks.current();
		byte[] dataKey;
		try {
			dataKey = PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(), kek.aead(), tenant.id());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("could not create the tenant data key", ex);
		}
		try {
			this.tenants.insert(tenant, dataKey, kek.id());
		}
		catch (DuplicateKeyException ex) {
			throw ApiException.conflict("a tenant named '" + trimmed + "' already exists");
		}
		this.audit.append(actor, "tenant.created", "tenant", tenant.id().toString(),
				Map.of("name", tenant.name(), "plan", tenant.plan()));
		return tenant;
	}

	/**
	 * Changes the name and/or plan of a tenant (a {@code null} field is left as it is) and audits the change
	 * with a before/after summary. A request that changes nothing is answered with the tenant and not audited.
	 * @throws ApiException 404 unknown or deleted tenant, 400 unknown plan, 409 duplicate name
	 */
	@Transactional
	public Tenant update(UUID id, String name, String plan, String actor) {
		Tenant before = this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
		String newName = (name != null) ? name.strip() : before.name();
		String newPlan = (plan != null) ? plan : before.plan();
		requireKnownPlan(newPlan);
		Tenant after = new Tenant(before.id(), newName, newPlan, before.status(), before.createdAt());
		if (after.equals(before)) {
			return before;
		}
		if (!newName.equals(before.name()) && this.tenants.findByName(newName).isPresent()) {
			throw ApiException.conflict("a tenant named '" + newName + "' already exists");
		}
		try {
			this.tenants.update(after);
		}
		catch (DuplicateKeyException ex) {
			throw ApiException.conflict("a tenant named '" + newName + "' already exists");
		}
		this.audit.append(actor, "tenant.updated", "tenant", id.toString(), changes(before, after));
		return after;
	}

	/**
	 * Suspends a tenant: its keys are refused with 403 {@code tenant_suspended} from the next request on, on
	 * every replica (keys are verified against the database per request). Idempotent; only a change is audited.
	 */
	@Transactional
	public Tenant suspend(UUID id, String actor) {
		return changeStatus(id, "suspended", "tenant.suspended", actor);
	}

	/** Makes a suspended tenant active again. Idempotent; only a change is audited. */
	@Transactional
	public Tenant reactivate(UUID id, String actor) {
		return changeStatus(id, "active", "tenant.reactivated", actor);
	}

	/**
	 * Deletes a tenant: the row stays as a tombstone (status {@code deleted}, hidden from the admin API) so that
	 * request-log metadata and audit events still refer to it; all its keys are revoked in the same transaction
	 * (via {@link TenantDeleted}); its name becomes free. Its data keyset is destroyed in the same transaction
	 * (crypto-shredding: {@code data_key} set to NULL, {@code data_key_destroyed_at} recorded), so its encrypted
	 * request-log payloads can never be decrypted again; their metadata stays.
	 * @throws ApiException 404 unknown or already deleted tenant
	 */
	@Transactional
	public void delete(UUID id, String actor) {
		Tenant before = this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
		this.tenants.markDeleted(id);
		boolean destroyed = this.tenants.destroyDataKey(id);
		this.events.publishEvent(new TenantDeleted(id, actor));
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("name", before.name());
		details.put("plan", before.plan());
		details.put("before", Map.of("status", before.status()));
		details.put("after", Map.of("status", "deleted"));
		details.put("data_key", destroyed ? "destroyed" : "already destroyed");
		this.audit.append(actor, "tenant.deleted", "tenant", id.toString(), details);
		evictAfterCommit(id);
	}

	/**
	 * Rotates a live tenant's data key: a new AES256_GCM key becomes the primary of its keyset, so new payloads
	 * are encrypted with it while older payloads stay readable with the earlier keys. The keyset is re-wrapped by
	 * the current key-encryption key. Audited in the same transaction.
	 * @throws ApiException 404 unknown or deleted tenant
	 */
	@Transactional
	public DataKeyInfo rotateDataKey(UUID id, String actor) {
		this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
		TenantRepository.StoredDataKey stored = this.tenants.lockDataKey(id)
			.orElseThrow(() -> ApiException.notFound("tenant " + id));
		KeyEncryptionKeyProvider kek = this.keks.current();
		KeysetHandle rotated;
		try {
			KeysetHandle keyset = unwrap(stored);
			rotated = PayloadCrypto.rotate(keyset);
			this.tenants.updateDataKey(id, PayloadCrypto.encryptDataKey(rotated, kek.aead(), id), kek.id(), true);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("the data key of tenant " + id + " could not be rotated", ex);
		}
		DataKeyInfo info = info(id, kek.id(), rotated, Instant.now().truncatedTo(ChronoUnit.MICROS));
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("primary_key_id", info.primaryKeyId());
		details.put("key_ids", info.keyIds());
		details.put("kek_id", kek.id());
		this.audit.append(actor, "tenant.data_key_rotated", "tenant", id.toString(), details);
		evictAfterCommit(id);
		return info;
	}

	/** Key ids and key-encryption key of a live tenant's data keyset (no key material). */
	@Transactional(readOnly = true)
	public DataKeyInfo dataKeyInfo(UUID id) {
		get(id);
		TenantRepository.StoredDataKey stored = this.tenants.findDataKey(id)
			.filter((key) -> !key.destroyed())
			.orElseThrow(() -> ApiException.notFound("tenant " + id));
		try {
			return info(id, stored.kekId(), unwrap(stored), stored.rotatedAt());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("the data key of tenant " + id + " cannot be unwrapped", ex);
		}
	}

	/**
	 * Re-wraps every tenant keyset that is not destroyed with the current key-encryption key (after a KEK rotation,
	 * or to move from the local key to a KMS key). Keysets are unwrapped with the KEK named by their
	 * {@code kek_id}; the keys inside do not change, so every payload stays readable. One transaction, audited.
	 * @return the number of keysets re-wrapped
	 */
	@Transactional
	public int rewrapDataKeys(String actor) {
		KeyEncryptionKeyProvider kek = this.keks.current();
		int count = 0;
		for (TenantRepository.StoredDataKey listed : this.tenants.findLiveDataKeys()) {
			TenantRepository.StoredDataKey stored = this.tenants.lockDataKey(listed.tenantId()).orElse(null);
			if (stored == null) {
				continue;
			}
			try {
				KeysetHandle keyset = unwrap(stored);
				this.tenants.updateDataKey(stored.tenantId(),
						PayloadCrypto.encryptDataKey(keyset, kek.aead(), stored.tenantId()), kek.id(), false);
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("the data key of tenant " + stored.tenantId()
						+ " could not be re-wrapped: " + ex.getMessage(), ex);
			}
			count++;
		}
		this.audit.append(actor, "crypto.data_keys_rewrapped", "kek", kek.id(), Map.of("keysets", count));
		return count;
	}

	private Tenant changeStatus(UUID id, String status, String action, String actor) {
		Tenant before = this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
		if (before.status().equals(status)) {
			return before;
		}
		Tenant after = new Tenant(before.id(), before.name(), before.plan(), status, before.createdAt());
		this.tenants.update(after);
		this.audit.append(actor, action, "tenant", id.toString(), changes(before, after));
		return after;
	}

	private static Map<String, Object> changes(Tenant before, Tenant after) {
		Map<String, Object> was = new LinkedHashMap<>();
		Map<String, Object> now = new LinkedHashMap<>();
		if (!before.name().equals(after.name())) {
			was.put("name", before.name());
			now.put("name", after.name());
		}
		if (!before.plan().equals(after.plan())) {
			was.put("plan", before.plan());
			now.put("plan", after.plan());
		}
		if (!before.status().equals(after.status())) {
			was.put("status", before.status());
			now.put("status", after.status());
		}
		return Map.of("before", was, "after", now);
	}

	private void requireKnownPlan(String plan) {
		if (this.plans.find(plan).isEmpty()) {
			throw ApiException.badRequest("validation_failed",
					"plan: unknown plan '" + plan + "', expected one of " + this.plans.names());
		}
	}

	/** One page of the live tenants, oldest first. */
	@Transactional(readOnly = true)
	public Page<Tenant> list(PageRequest page) {
		return Page.of(this.tenants.findAll(page.offset(), page.fetchSize()), page);
	}

	@Transactional(readOnly = true)
	public Optional<Tenant> find(UUID id) {
		return this.tenants.findById(id);
	}

	@Transactional(readOnly = true)
	public Optional<Tenant> findByName(String name) {
		return this.tenants.findByName(name);
	}

	/**
	 * The live tenant, its row locked until the caller's transaction ends: serialises a change that depends on a
	 * count of the tenant's children (the cap on its active keys) with other such changes and with its deletion.
	 * @throws ApiException 404 unknown or deleted tenant
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public Tenant lock(UUID id) {
		return this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
	}

	/** The tenant or a 404 {@link ApiException}. */
	public Tenant get(UUID id) {
		return find(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
	}

	/**
	 * The tenant's payload AEAD for encrypting new payloads, cached for {@code warden.crypto.data-key-cache-ttl}
	 * (so a rotation made on another replica is used here within that time; a rotation or deletion on this
	 * replica takes effect at once).
	 * @throws DataKeyDestroyedException when the tenant was deleted and its keyset destroyed
	 * @throws IllegalStateException when the tenant does not exist or its keyset cannot be unwrapped
	 */
	public Aead aead(UUID tenantId) {
		long now = System.nanoTime();
		CachedAead cached = this.aeads.get(tenantId);
		if (cached != null && now - cached.loadedAt() < this.cacheTtlNanos) {
			return cached.aead();
		}
		TenantPayloadKey key = payloadKey(tenantId);
		if (key.destroyed()) {
			this.aeads.remove(tenantId);
			throw new DataKeyDestroyedException(tenantId);
		}
		this.aeads.put(tenantId, new CachedAead(key.aead(), now));
		return key.aead();
	}

	/**
	 * The tenant's payload key as stored now (never cached): for reading payloads back, where a rotation by
	 * another replica or a destruction must be seen at once.
	 * @throws IllegalStateException when the tenant does not exist or its keyset cannot be unwrapped
	 */
	public TenantPayloadKey payloadKey(UUID tenantId) {
		TenantRepository.StoredDataKey stored = this.tenants.findDataKey(tenantId)
			.orElseThrow(() -> new IllegalStateException("no tenant " + tenantId));
		if (stored.destroyed()) {
			return new TenantPayloadKey(tenantId, null, stored.destroyedAt());
		}
		try {
			return new TenantPayloadKey(tenantId,
					unwrap(stored).getPrimitive(RegistryConfiguration.get(), Aead.class), null);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("the data key of tenant " + tenantId
					+ " cannot be unwrapped with the configured key-encryption key: " + ex.getMessage(), ex);
		}
	}

	private KeysetHandle unwrap(TenantRepository.StoredDataKey stored) throws GeneralSecurityException {
		return PayloadCrypto.tenantKeyset(stored.wrapped(), this.keks.unwrapping(stored.kekId()), stored.tenantId());
	}

	private static DataKeyInfo info(UUID id, String kekId, KeysetHandle keyset, Instant rotatedAt) {
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < keyset.size(); i++) {
			ids.add(Integer.toUnsignedLong(keyset.getAt(i).getId()));
		}
		return new DataKeyInfo(id, kekId, Integer.toUnsignedLong(keyset.getPrimary().getId()), List.copyOf(ids),
				rotatedAt);
	}

	/**
	 * Drops unwrapped keysets older than the cache TTL, so that key material of a tenant deleted on another
	 * replica does not stay in this replica's memory beyond the TTL plus this interval.
	 */
	@Scheduled(fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
	void evictExpiredKeys() {
		long now = System.nanoTime();
		this.aeads.entrySet().removeIf((entry) -> now - entry.getValue().loadedAt() >= this.cacheTtlNanos);
	}

	private void evictAfterCommit(UUID id) {
		this.aeads.remove(id);
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCompletion(int status) {
					TenantManagement.this.aeads.remove(id);
				}
			});
		}
	}

	private record CachedAead(Aead aead, long loadedAt) {
	}

}
