package dev.warden.platform.quota;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/admin/quota-plans} (ADMIN or COMPLIANCE, as every admin read): the
 * quota plans in force, as this replica applies them from {@code policies/quotas.yaml},
 * with the default plan, the version and the file's SHA-256 recorded in
 * {@code quota_plan_versions}. What a console offers when a tenant is created or moved to
 * another plan, and what an auditor compares with the file.
 */
@RestController
@Tag(name = "Quota plans", description = "The quota plans in force (policies/quotas.yaml). docs/api.md#quota-plans")
class QuotaPlanController {

	private final QuotaPlans plans;

	QuotaPlanController(QuotaPlans plans) {
		this.plans = plans;
	}

	@GetMapping(path = "/api/admin/quota-plans", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The quota plans in force",
			description = "default_plan, version (microseconds since the epoch at which this content was first "
					+ "recorded), sha256 of quotas.yaml, and every plan with its limits, sorted by name.")
	Map<String, Object> plans() {
		QuotaPlans.Snapshot snapshot = this.plans.snapshot();
		List<Map<String, Object>> plans = new ArrayList<>();
		snapshot.plans().keySet().stream().sorted().forEach((name) -> {
			Map<String, Object> plan = new LinkedHashMap<>();
			plan.put("name", name);
			plan.putAll(QuotaPlans.Snapshot.describe(snapshot.plans().get(name)));
			plans.add(plan);
		});
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("default_plan", snapshot.defaultPlan());
		answer.put("version", snapshot.version());
		answer.put("sha256", snapshot.sha256());
		answer.put("plans", plans);
		return answer;
	}

}
