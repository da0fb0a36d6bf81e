package dev.warden.console.adminapi;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * platform-api's tenant admin API, as the signed-in user: the tenants page by page, one
 * tenant, its usage against its plan, and (ADMIN) creating a tenant, changing its plan,
 * suspending, reactivating and deleting it. platform-api audits every change and refuses
 * a change by a user without the {@code ADMIN} role with 403.
 */
@Component
public class TenantClient {

	private static final ParameterizedTypeReference<Page<Tenant>> TENANTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Tenant> TENANT = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	TenantClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * One page of the live tenants, oldest first.
	 * @param page the page number, from 0
	 * @param size the page size (1 to platform-api's maximum, 500 by default)
	 */
	public Page<Tenant> list(int page, int size) {
		Page<Tenant> result = this.transport.get("/api/admin/tenants?page={page}&size={size}", TENANTS, page, size);
		if (result == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return result;
	}

	/** One tenant; an unknown or deleted tenant is a 404, a malformed id a 400. */
	public Tenant get(String id) {
		return tenant(this.transport.get("/api/admin/tenants/{id}", TENANT, id));
	}

	/**
	 * The tenant's usage this month and what is left of its plan's quotas, as
	 * platform-api sends it ({@code tenant}, {@code from}, {@code to}, {@code totals},
	 * {@code usage}, {@code quota}).
	 */
	public JsonNode usage(String id) {
		JsonNode usage = this.transport.get("/api/admin/tenants/{id}/usage", TREE, id);
		if (usage == null || !usage.isObject()) {
			throw new AdminApiException("platform-api sent an empty usage answer.", null);
		}
		return usage;
	}

	/**
	 * Creates a tenant.
	 * @param plan the plan, or null or blank for platform-api's default plan
	 */
	public Tenant create(String name, String plan) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", name);
		if (plan != null && !plan.isBlank()) {
			body.put("plan", plan);
		}
		return tenant(this.transport.send(HttpMethod.POST, "/api/admin/tenants", body, TENANT));
	}

	/** Changes the tenant's plan (the name stays). */
	public Tenant changePlan(String id, String plan) {
		return tenant(
				this.transport.send(HttpMethod.PATCH, "/api/admin/tenants/{id}", Map.of("plan", plan), TENANT, id));
	}

	/** Suspends the tenant: its keys are refused with 403 until it is reactivated. */
	public Tenant suspend(String id) {
		return tenant(this.transport.send(HttpMethod.POST, "/api/admin/tenants/{id}:suspend", null, TENANT, id));
	}

	/** Reactivates a suspended tenant. */
	public Tenant reactivate(String id) {
		return tenant(this.transport.send(HttpMethod.POST, "/api/admin/tenants/{id}:reactivate", null, TENANT, id));
	}

	/**
	 * Deletes the tenant: its keys are revoked and its data key destroyed, so its
	 * encrypted payloads can never be read again.
	 */
	public void delete(String id) {
		this.transport.send(HttpMethod.DELETE, "/api/admin/tenants/{id}", null, TREE, id);
	}

	private static Tenant tenant(Tenant tenant) {
		if (tenant == null) {
			throw new AdminApiException("platform-api sent an empty answer where a tenant was expected.", null);
		}
		return tenant;
	}

}
