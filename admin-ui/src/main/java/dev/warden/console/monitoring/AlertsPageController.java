package dev.warden.console.monitoring;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Alert;
import dev.warden.console.adminapi.Page;

import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The open alerts (the first page the admin API answers, newest opened first): rule,
 * model and version, the value against its threshold, since when, and the evidence.
 */
@Controller
class AlertsPageController {

	private final AdminApiClient adminApi;

	AlertsPageController(AdminApiClient adminApi) {
		this.adminApi = adminApi;
	}

	@GetMapping("/alerts")
	String alerts(ModelMap page) {
		try {
			Page<Alert> alerts = this.adminApi.openAlerts();
			page.addAttribute("alerts", alerts.content());
			page.addAttribute("moreAlerts", alerts.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("alertsError", ex.getMessage());
		}
		return "monitoring/alerts";
	}

}
