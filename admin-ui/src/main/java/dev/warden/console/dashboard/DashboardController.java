package dev.warden.console.dashboard;

import java.util.List;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ApiKey;
import dev.warden.console.adminapi.Tenant;

import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The dashboard. Each section is loaded on its own, so one failing call to platform-api shows a message in its
 * section while the others still render.
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
			page.addAttribute("tenants", this.adminApi.tenants().stream().map(this::withKeys).toList());
		}
		catch (AdminApiException ex) {
			page.addAttribute("tenantsError", ex.getMessage());
		}
		try {
			page.addAttribute("models", this.adminApi.models());
		}
		catch (AdminApiException ex) {
			page.addAttribute("modelsError", ex.getMessage());
		}
		return "dashboard/dashboard";
	}

	private TenantRow withKeys(Tenant tenant) {
		try {
			return new TenantRow(tenant, this.adminApi.keys(tenant.id()), null);
		}
		catch (AdminApiException ex) {
			return new TenantRow(tenant, List.of(), ex.getMessage());
		}
	}

	/**
	 * A tenant with its API keys.
	 *
	 * @param tenant the tenant
	 * @param keys its keys (metadata only)
	 * @param keysError why the keys could not be loaded, or null
	 */
	record TenantRow(Tenant tenant, List<ApiKey> keys, String keysError) {
	}

}
