package dev.warden.platform.tenant;

import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.google.crypto.tink.Aead;

import org.springframework.context.ApplicationEventPublisher;
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

	private final ApplicationEventPublisher events;

	private final ConcurrentMap<UUID, Aead> aeads = new ConcurrentHashMap<>();

	TenantManagement(TenantRepository tenants, AuditTrail audit, MasterKey masterKey, QuotaPlans plans,
			ApplicationEventPublisher events) {
		this.tenants = tenants;
		this.audit = audit;
		this.masterKey = masterKey;
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
	 * (via {@link TenantDeleted}); its name becomes free. The encrypted data key is kept for now (crypto-shredding
	 * of the payloads is a separate step).
	 * @throws ApiException 404 unknown or already deleted tenant
	 */
	@Transactional
	public void delete(UUID id, String actor) {
		Tenant before = this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
		this.tenants.markDeleted(id);
		this.events.publishEvent(new TenantDeleted(id, actor));
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("name", before.name());
		details.put("plan", before.plan());
		details.put("before", Map.of("status", before.status()));
		details.put("after", Map.of("status", "deleted"));
		this.audit.append(actor, "tenant.deleted", "tenant", id.toString(), details);
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
