package dev.warden.platform.tenant;

import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.google.crypto.tink.Aead;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.crypto.MasterKey;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.quota.QuotaPlans;
import dev.warden.platform.system.ApiException;

/**
 * Tenants and their data keys. A tenant's data key (AES256_GCM Tink keyset) is created with the tenant and
 * stored encrypted under the master key; decrypted tenant AEADs are cached in memory. Thread-safe.
 */
@Service
public class TenantManagement {

	private final TenantRepository tenants;

	private final AuditTrail audit;

	private final MasterKey masterKey;

	private final QuotaPlans plans;

	private final ConcurrentMap<UUID, Aead> aeads = new ConcurrentHashMap<>();

	TenantManagement(TenantRepository tenants, AuditTrail audit, MasterKey masterKey, QuotaPlans plans) {
		this.tenants = tenants;
		this.audit = audit;
		this.masterKey = masterKey;
		this.plans = plans;
	}

	/**
	 * Creates a tenant with a fresh data key and records the audit event in the same transaction.
	 * @throws ApiException 400 for an unknown plan, 409 for a duplicate name
	 */
	@Transactional
	public Tenant create(String name, String plan, String actor) {
		String effectivePlan = (plan == null || plan.isBlank()) ? this.plans.defaultPlan() : plan;
		if (this.plans.find(effectivePlan).isEmpty()) {
			throw ApiException.badRequest("validation_failed",
					"plan: unknown plan '" + effectivePlan + "', expected one of " + this.plans.names());
		}
		String trimmed = name.strip();
		if (this.tenants.findByName(trimmed).isPresent()) {
			throw ApiException.conflict("a tenant named '" + trimmed + "' already exists");
		}
		Tenant tenant = new Tenant(UUID.randomUUID(), trimmed, effectivePlan, "active",
				Instant.now().truncatedTo(ChronoUnit.MICROS));
		byte[] dataKey;
		try {
			dataKey = PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(), this.masterKey.aead(), tenant.id());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("could not create the tenant data key", ex);
		}
		try {
			this.tenants.insert(tenant, dataKey);
		}
		catch (DuplicateKeyException ex) {
			throw ApiException.conflict("a tenant named '" + trimmed + "' already exists");
		}
		this.audit.append(actor, "tenant.created", "tenant", tenant.id().toString(),
				Map.of("name", tenant.name(), "plan", tenant.plan()));
		return tenant;
	}

	@Transactional(readOnly = true)
	public List<Tenant> list() {
		return this.tenants.findAll();
	}

	@Transactional(readOnly = true)
	public Optional<Tenant> find(UUID id) {
		return this.tenants.findById(id);
	}

	@Transactional(readOnly = true)
	public Optional<Tenant> findByName(String name) {
		return this.tenants.findByName(name);
	}

	/** The tenant or a 404 {@link ApiException}. */
	public Tenant get(UUID id) {
		return find(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
	}

	/** The tenant's payload AEAD (cached after the first decryption of its data key). */
	public Aead aead(UUID tenantId) {
		return this.aeads.computeIfAbsent(tenantId, (id) -> {
			byte[] encrypted = this.tenants.findDataKey(id)
				.orElseThrow(() -> new IllegalStateException("no data key for tenant " + id));
			try {
				return PayloadCrypto.tenantAead(encrypted, this.masterKey.aead(), id);
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("the data key of tenant " + id
						+ " cannot be decrypted with this master key", ex);
			}
		});
	}

}
