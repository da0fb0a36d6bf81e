package dev.warden.console.audit;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.AuditEvent;
import dev.warden.console.adminapi.Page;

import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Recent audit events (the first page the admin API answers) and, on every load, a
 * verification of the whole chain by platform-api. The two are loaded on their own, so
 * one failing shows a message while the other still renders.
 */
@Controller
class AuditPageController {

	private final AdminApiClient adminApi;

	AuditPageController(AdminApiClient adminApi) {
		this.adminApi = adminApi;
	}

	@GetMapping("/audit")
	String audit(ModelMap page) {
		try {
			page.addAttribute("verification", this.adminApi.verifyAudit());
		}
		catch (AdminApiException ex) {
			page.addAttribute("verificationError", ex.getMessage());
		}
		try {
			Page<AuditEvent> events = this.adminApi.auditEvents();
			page.addAttribute("events", events.content());
			page.addAttribute("moreEvents", events.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("eventsError", ex.getMessage());
		}
		return "audit/audit";
	}

}
