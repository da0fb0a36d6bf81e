package dev.warden.platform.tenant;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.quota.QuotaPlans;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.tenant.internal.TenantRepository;

/**
 * Tenants: create, change, suspend, reactivate, delete, each audited in the same
 * transaction. A tenant gets its data key when it is created and loses it when it is
 * deleted; everything else about data keys is {@link TenantDataKeys}. Thread-safe.
 */
@Service
public class TenantManagement {

	private final TenantRepository tenants;

	private final AuditTrail audit;

	private final TenantDataKeys dataKeys;

	private final QuotaPlans plans;

	private final ApplicationEventPublisher events;

	TenantManagement(TenantRepository tenants, AuditTrail audit, TenantDataKeys dataKeys, QuotaPlans plans,
			ApplicationEventPublisher events) {
		this.tenants = tenants;
		this.audit = audit;
		this.dataKeys = dataKeys;
		this.plans = plans;
		this.events = events;
	}

	/**
	 * Creates a tenant with a fresh data key and records the audit event in the same
	 * transaction.
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
		TenantDataKeys.WrappedDataKey dataKey = this.dataKeys.create(tenant.id());
		try {
			this.tenants.insert(tenant, dataKey.wrapped(), dataKey.kekId());
		}
		catch (DuplicateKeyException ex) {
			throw ApiException.conflict("a tenant named '" + trimmed + "' already exists");
		}
		this.audit.append(actor, "tenant.created", "tenant", tenant.id().toString(),
				Map.of("name", tenant.name(), "plan", tenant.plan()));
		return tenant;
	}

	/**
	 * Changes the name and/or plan of a tenant (a {@code null} field is left as it is)
	 * and audits the change with a before/after summary. A request that changes nothing
	 * is answered with the tenant and not audited.
	 * @throws ApiException 404 unknown or deleted tenant, 400 unknown plan, 409 duplicate
	 * name
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
		this.events.publishEvent(new TenantChanged(id));
		this.audit.append(actor, "tenant.updated", "tenant", id.toString(), changes(before, after));
		return after;
	}

	/**
	 * Suspends a tenant: its keys are refused with 403 {@code tenant_suspended} from the
	 * next request on this replica, and on every other within 1 s (each replica's
	 * in-memory index of API keys is notified, see {@code apikey.internal.KeyIndex}).
	 * Idempotent; only a change is audited.
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
	 * Deletes a tenant: the row stays as a tombstone (status {@code deleted}, hidden from
	 * the admin API) so that request-log metadata and audit events still refer to it; all
	 * its keys are revoked in the same transaction (via {@link TenantDeleted}); its name
	 * becomes free. Its data keyset is destroyed in the same transaction
	 * (crypto-shredding: {@code data_key} set to NULL, {@code data_key_destroyed_at}
	 * recorded), so its encrypted request-log payloads can never be decrypted again;
	 * their metadata stays.
	 * @throws ApiException 404 unknown or already deleted tenant
	 */
	@Transactional
	public void delete(UUID id, String actor) {
		Tenant before = this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
		this.tenants.markDeleted(id);
		boolean destroyed = this.dataKeys.destroy(id);
		this.events.publishEvent(new TenantDeleted(id, actor));
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("name", before.name());
		details.put("plan", before.plan());
		details.put("before", Map.of("status", before.status()));
		details.put("after", Map.of("status", "deleted"));
		details.put("data_key", destroyed ? "destroyed" : "already destroyed");
		this.audit.append(actor, "tenant.deleted", "tenant", id.toString(), details);
	}

	private Tenant changeStatus(UUID id, String status, String action, String actor) {
		Tenant before = this.tenants.lock(id).orElseThrow(() -> ApiException.notFound("tenant " + id));
		if (before.status().equals(status)) {
			return before;
		}
		Tenant after = new Tenant(before.id(), before.name(), before.plan(), status, before.createdAt());
		this.tenants.update(after);
		this.events.publishEvent(new TenantChanged(id));
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
	 * The live tenant, its row locked until the caller's transaction ends: serialises a
	 * change that depends on a count of the tenant's children (the cap on its active
	 * keys) with other such changes and with its deletion.
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

}
