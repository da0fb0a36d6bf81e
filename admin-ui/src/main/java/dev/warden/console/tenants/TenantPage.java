package dev.warden.console.tenants;

import java.util.ArrayList;
import java.util.List;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ApiKeyClient;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.QuotaPlanClient;
import dev.warden.console.adminapi.Tenant;
import dev.warden.console.adminapi.TenantClient;
import dev.warden.console.adminapi.TenantKey;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.ui.ModelMap;
import org.springframework.web.server.ResponseStatusException;

/**
 * What the tenant page is made of, loaded section by section: the tenant (whose 404 makes
 * the page a 404), its usage and one page of its keys; a section whose call fails says
 * why and the rest still renders.
 */
final class TenantPage {

	static final String VIEW = "tenants/tenant";

	static final int KEYS_PAGE_SIZE = 50;

	private TenantPage() {
	}

	/** Adds the tenant to the page; platform-api's 404 or 400 is the console's 404. */
	static Tenant tenant(TenantClient tenants, String id, ModelMap page) {
		page.addAttribute("tenantId", id);
		try {
			Tenant tenant = tenants.get(id);
			page.addAttribute("tenant", tenant);
			return tenant;
		}
		catch (AdminApiException ex) {
			if (ex.status() == 404 || ex.status() == 400) {
				throw new ResponseStatusException(HttpStatus.NOT_FOUND);
			}
			page.addAttribute("tenantError", ex.getMessage());
			return null;
		}
	}

	static void load(TenantClient tenants, ApiKeyClient keys, List<String> plans, String id, int keysPage,
			Authentication user, ModelMap page) {
		boolean admin = isAdmin(user);
		page.addAttribute("canManage", admin);
		Tenant tenant = tenant(tenants, id, page);
		page.addAttribute("plans", plans(plans, tenant));
		try {
			page.addAttribute("usage", UsageView.of(tenants.usage(id)));
		}
		catch (AdminApiException ex) {
			page.addAttribute("usageError", ex.getMessage());
		}
		int number = Math.max(0, keysPage);
		page.addAttribute("keysPage", number);
		try {
			Page<TenantKey> listed = keys.list(id, number, KEYS_PAGE_SIZE);
			page.addAttribute("keys", listed.content());
			page.addAttribute("keysNextPage", listed.nextPage());
		}
		catch (AdminApiException ex) {
			page.addAttribute("keysError", ex.getMessage());
		}
		if (admin && !page.containsAttribute("keyForm")) {
			page.addAttribute("keyForm", KeyForm.blank());
		}
		page.addAttribute("operations", KeyForm.OPERATIONS);
	}

	/**
	 * The names of the plans in force, from platform-api; none when it cannot say (the
	 * forms then offer the tenant's own plan and platform-api's default).
	 */
	static List<String> planNames(QuotaPlanClient plans) {
		try {
			return plans.names();
		}
		catch (AdminApiException ex) {
			return List.of();
		}
	}

	/** The plans offered: those in force, and the tenant's own when it is another. */
	static List<String> plans(List<String> configured, Tenant tenant) {
		List<String> plans = new ArrayList<>();
		for (String plan : configured) {
			if (plan != null && !plan.isBlank() && !plans.contains(plan.trim())) {
				plans.add(plan.trim());
			}
		}
		if (tenant != null && tenant.plan() != null && !plans.contains(tenant.plan())) {
			plans.add(tenant.plan());
		}
		return plans;
	}

	static boolean isAdmin(Authentication user) {
		return user != null
				&& user.getAuthorities().stream().map(GrantedAuthority::getAuthority).anyMatch("ROLE_ADMIN"::equals);
	}

}
