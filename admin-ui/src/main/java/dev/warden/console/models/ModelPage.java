package dev.warden.console.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.CatalogModel;
import dev.warden.console.adminapi.CatalogVersion;
import dev.warden.console.adminapi.ModelAdminClient;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.Routing;
import dev.warden.console.adminapi.RoutingClient;
import dev.warden.console.adminapi.Tenant;
import dev.warden.console.adminapi.TenantClient;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.ui.ModelMap;
import org.springframework.web.server.ResponseStatusException;

/**
 * What the model page shows: the model with its versions and grants (an unknown model is
 * the 404 page), its routing, and the tenants by name (for the grants and the pins). Each
 * part that cannot be read says so in its section; the rest of the page still renders.
 */
final class ModelPage {

	static final String VIEW = "models/model";

	/** The tenants read for names: the first page at platform-api's maximum size. */
	static final int TENANTS_PAGE_SIZE = 500;

	private ModelPage() {
	}

	static void load(ModelAdminClient models, RoutingClient routingClient, TenantClient tenantClient, String name,
			Authentication user, ModelMap page) {
		page.addAttribute("modelName", name);
		page.addAttribute("canManage", isAdmin(user));
		CatalogModel model;
		try {
			model = models.get(name);
		}
		catch (AdminApiException ex) {
			if (ex.status() == 404 || ex.status() == 400) {
				throw new ResponseStatusException(HttpStatus.NOT_FOUND);
			}
			page.addAttribute("modelError", ex.getMessage());
			model = null;
		}
		page.addAttribute("model", model);
		Routing routing = null;
		try {
			routing = routingClient.routing(name);
		}
		catch (AdminApiException ex) {
			page.addAttribute("routingError", ex.getMessage());
		}
		page.addAttribute("routing", routing);
		Map<String, String> tenantNames = new LinkedHashMap<>();
		try {
			Page<Tenant> listed = tenantClient.list(0, TENANTS_PAGE_SIZE);
			listed.content().forEach((tenant) -> tenantNames.put(tenant.id(), tenant.name()));
			page.addAttribute("tenantsIncomplete", listed.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("tenantsError", ex.getMessage());
		}
		page.addAttribute("tenantNames", tenantNames);
		if (model != null && model.grants() != null && !model.grants().all()) {
			page.addAttribute("grantedNames",
					model.grants().tenants().stream().map((id) -> tenantNames.getOrDefault(id, id)).toList());
		}
		List<PinRow> pins = new ArrayList<>();
		if (routing != null) {
			routing.pins()
				.forEach((pin) -> pins.add(new PinRow(pin.subjectType(), pin.subjectId(),
						"tenant".equals(pin.subjectType()) ? tenantNames.get(pin.subjectId()) : null, pin.version())));
		}
		page.addAttribute("pins", pins);
		page.addAttribute("canaryDefault", canaryDefault(model, routing));
		if (!page.containsAttribute("errors")) {
			page.addAttribute("errors", Map.of());
		}
	}

	static boolean isAdmin(Authentication user) {
		return user != null
				&& user.getAuthorities().stream().map(GrantedAuthority::getAuthority).anyMatch("ROLE_ADMIN"::equals);
	}

	/**
	 * The version the canary form offers first: the canary if there is one, else the
	 * newest version that is not the stable one.
	 */
	private static String canaryDefault(CatalogModel model, Routing routing) {
		if (routing != null && routing.canary() != null) {
			return String.valueOf(routing.canary().version());
		}
		if (model == null) {
			return null;
		}
		String result = null;
		for (CatalogVersion version : model.versions()) {
			if (routing == null || routing.stableVersion() == null
					|| !String.valueOf(routing.stableVersion()).equals(version.number())) {
				result = version.number();
			}
		}
		return result;
	}

	/**
	 * A pin as the page shows it.
	 *
	 * @param subjectType {@code tenant} or {@code api_key}
	 * @param subjectId the tenant's or key's id
	 * @param tenantName the tenant's name, or null (a key, or a tenant not among those
	 * read)
	 * @param version the version
	 */
	record PinRow(String subjectType, String subjectId, String tenantName, long version) {

		/** What the pin concerns, in words. */
		public String label() {
			if ("tenant".equals(this.subjectType)) {
				return "tenant " + ((this.tenantName != null) ? this.tenantName : this.subjectId);
			}
			return "API key " + this.subjectId;
		}

	}

}
