package dev.warden.console.tenants;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.QuotaPlanClient;

/**
 * The quota plans page ({@code /quota-plans}, every console role): the plans in force as
 * platform-api applies them from {@code policies/quotas.yaml}, with their limits, the
 * default plan, the version and the file's SHA-256. A tenant's usage against its plan is
 * on the tenant's page. The plans are changed by editing the file (reloaded without a
 * restart, audited as {@code quota.plans.reloaded}), not here.
 */
@Controller
class QuotaPlansController {

	private final QuotaPlanClient plans;

	QuotaPlansController(QuotaPlanClient plans) {
		this.plans = plans;
	}

	@GetMapping("/quota-plans")
	String plans(ModelMap page) {
		try {
			JsonNode answer = this.plans.plans();
			List<Plan> plans = new ArrayList<>();
			for (JsonNode plan : answer.path("plans")) {
				plans.add(new Plan(plan.path("name").asString(), plan.path("requests_per_second").asLong(),
						plan.path("burst").asLong(), plan.path("requests_per_month").asLong(),
						plan.path("max_request_bytes").asLong(), plan.path("max_rows_per_request").asLong(),
						plan.path("explain_cost").asLong(), plan.path("max_rows_per_explanation").asLong(),
						plan.path("name").asString().equals(answer.path("default_plan").asString())));
			}
			page.addAttribute("plans", plans);
			page.addAttribute("sha256", answer.path("sha256").asString());
			page.addAttribute("version", answer.path("version").asLong());
		}
		catch (AdminApiException ex) {
			page.addAttribute("plansError", ex.getMessage());
		}
		return "tenants/quota-plans";
	}

	/**
	 * One plan as the page shows it; 0 for a monthly or row limit means none.
	 *
	 * @param name the plan's name
	 * @param requestsPerSecond sustained rate
	 * @param burst bucket size
	 * @param requestsPerMonth monthly quota, 0 = none
	 * @param maxRequestBytes largest request body
	 * @param maxRowsPerRequest most rows in one predict request, 0 = no limit
	 * @param explainCost requests of quota one explanation costs
	 * @param maxRowsPerExplanation most rows in one explanation request, 0 = as predict
	 * @param isDefault whether new tenants get it when none is named
	 */
	record Plan(String name, long requestsPerSecond, long burst, long requestsPerMonth, long maxRequestBytes,
			long maxRowsPerRequest, long explainCost, long maxRowsPerExplanation, boolean isDefault) {

	}

}
