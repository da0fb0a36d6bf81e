package dev.warden.console.dashboard;

import java.util.List;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ApiKey;
import dev.warden.console.adminapi.Model;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.Tenant;

import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The dashboard. Each section is loaded on its own, so one failing call to platform-api
 * shows a message in its section while the others still render. Each list is the first
 * page the admin API answers; a section says when there is more.
 */
@Controller
class DashboardController {

	private final AdminApiClient adminApi;

	DashboardController(AdminApiClient adminApi) {
		this.adminApi = adminApi;
	}

	@GetMapping("/")
	String dashboard(ModelMap page) {
		try {
			Page<Tenant> tenants = this.adminApi.tenants();
			page.addAttribute("tenants", tenants.content().stream().map(this::withKeys).toList());
			page.addAttribute("moreTenants", tenants.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("tenantsError", ex.getMessage());
		}
		try {
			Page<Model> models = this.adminApi.models();
			page.addAttribute("models", models.content());
			page.addAttribute("moreModels", models.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("modelsError", ex.getMessage());
		}
		return "dashboard/dashboard";
	}

	private TenantRow withKeys(Tenant tenant) {
		try {
			Page<ApiKey> keys = this.adminApi.keys(tenant.id());
			return new TenantRow(tenant, keys.content(), keys.hasMore(), null);
		}
		catch (AdminApiException ex) {
			return new TenantRow(tenant, List.of(), false, ex.getMessage());
		}
	}

	/**
	 * A tenant with its API keys.
	 *
	 * @param tenant the tenant
	 * @param keys its keys (metadata only), the first page
	 * @param moreKeys whether it has more keys than shown
	 * @param keysError why the keys could not be loaded, or null
	 */
	record TenantRow(Tenant tenant, List<ApiKey> keys, boolean moreKeys, String keysError) {
	}

}
