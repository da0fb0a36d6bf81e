package dev.warden.platform.tenant;

import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;

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
import dev.warden.platform.system.ApiException;
import dev.warden.platform.tenant.internal.TenantRepository;

/**
 * Tenants' data keys. A tenant's data key (AES256_GCM Tink keyset) is created with the
 * tenant and stored wrapped by the key-encryption key ({@link KeyEncryptionKeys}); it can
 * be rotated (a new primary key is added, earlier keys stay for reading) and is destroyed
 * when the tenant is deleted (crypto-shredding). Unwrapped tenant AEADs used to encrypt
 * new payloads are cached in memory for {@code warden.crypto.data-key-cache-ttl}; reading
 * a payload back always unwraps the keyset as stored now. Thread-safe.
 */
@Service
public class TenantDataKeys {

	private final TenantRepository tenants;

	private final AuditTrail audit;

	private final KeyEncryptionKeys keks;

	private final long cacheTtlNanos;

	private final ConcurrentMap<UUID, CachedAead> aeads = new ConcurrentHashMap<>();

	TenantDataKeys(TenantRepository tenants, AuditTrail audit, KeyEncryptionKeys keks, CryptoProperties crypto) {
		this.tenants = tenants;
		this.audit = audit;
		this.keks = keks;
		this.cacheTtlNanos = crypto.dataKeyCacheTtl().toNanos();
	}

	/**
	 * A fresh data keyset for a new tenant, wrapped by the current key-encryption key
	 * (stored by the caller).
	 */
	WrappedDataKey create(UUID tenantId) {
		KeyEncryptionKeyProvider kek = this.keks.current();
		try {
			return new WrappedDataKey(PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(), kek.aead(), tenantId),
					kek.id());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("could not create the tenant data key", ex);
		}
	}

	/**
	 * Destroys a tenant's data keyset in the caller's transaction ({@code data_key} set
	 * to NULL, {@code data_key_destroyed_at} recorded): its encrypted payloads can never
	 * be decrypted again.
	 * @return whether there was a keyset to destroy ({@code false}: already destroyed)
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	boolean destroy(UUID tenantId) {
		boolean destroyed = this.tenants.destroyDataKey(tenantId);
		evictAfterCommit(tenantId);
		return destroyed;
	}

	/**
	 * Rotates a live tenant's data key: a new AES256_GCM key becomes the primary of its
	 * keyset, so new payloads are encrypted with it while older payloads stay readable
	 * with the earlier keys. The keyset is re-wrapped by the current key-encryption key.
	 * Audited in the same transaction.
	 * @throws ApiException 404 unknown or deleted tenant
	 */
	@Transactional
	DataKeyInfo rotate(UUID id, String actor) {
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

	/**
	 * Key ids and key-encryption key of a live tenant's data keyset (no key material).
	 */
	@Transactional(readOnly = true)
	DataKeyInfo info(UUID id) {
		this.tenants.findById(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
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
	 * Re-wraps every tenant keyset that is not destroyed with the current key-encryption
	 * key (after a KEK rotation, or to move from the local key to a KMS key). Keysets are
	 * unwrapped with the KEK named by their {@code kek_id}; the keys inside do not
	 * change, so every payload stays readable. One transaction, audited.
	 * @return the number of keysets re-wrapped
	 */
	@Transactional
	int rewrapAll(String actor) {
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
				throw new IllegalStateException(
						"the data key of tenant " + stored.tenantId() + " could not be re-wrapped: " + ex.getMessage(),
						ex);
			}
			count++;
		}
		this.audit.append(actor, "crypto.data_keys_rewrapped", "kek", kek.id(), Map.of("keysets", count));
		return count;
	}

	/**
	 * The tenant's payload AEAD for encrypting new payloads, cached for
	 * {@code warden.crypto.data-key-cache-ttl} (so a rotation made on another replica is
	 * used here within that time; a rotation or deletion on this replica takes effect at
	 * once).
	 * @throws DataKeyDestroyedException when the tenant was deleted and its keyset
	 * destroyed
	 * @throws IllegalStateException when the tenant does not exist or its keyset cannot
	 * be unwrapped
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
	 * The tenant's payload key as stored now (never cached): for reading payloads back,
	 * where a rotation by another replica or a destruction must be seen at once.
	 * @throws IllegalStateException when the tenant does not exist or its keyset cannot
	 * be unwrapped
	 */
	public TenantPayloadKey payloadKey(UUID tenantId) {
		TenantRepository.StoredDataKey stored = this.tenants.findDataKey(tenantId)
			.orElseThrow(() -> new IllegalStateException("no tenant " + tenantId));
		if (stored.destroyed()) {
			return new TenantPayloadKey(tenantId, null, stored.destroyedAt());
		}
		try {
			return new TenantPayloadKey(tenantId, unwrap(stored).getPrimitive(RegistryConfiguration.get(), Aead.class),
					null);
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
	 * Drops unwrapped keysets older than the cache TTL, so that key material of a tenant
	 * deleted on another replica does not stay in this replica's memory beyond the TTL
	 * plus this interval.
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
					TenantDataKeys.this.aeads.remove(id);
				}
			});
		}
	}

	private record CachedAead(Aead aead, long loadedAt) {
	}

	/**
	 * A new tenant's data keyset as stored: wrapped, and the id of the key-encryption key
	 * that wrapped it.
	 */
	record WrappedDataKey(byte[] wrapped, String kekId) {
	}

}
