package dev.warden.platform.promotion;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The result of one rule for one version, as stored with the request
 * ({@code promotion_requests.rule_results}), audited ({@code promotion.evaluated}) and
 * shown by the admin API.
 *
 * @param rule the rule's id: {@code fairness.report},
 * {@code fairness.<metric>.<attribute>} (an intersection's attribute is its columns
 * joined by {@code +}, e.g. {@code sex+race}), {@code fairness.theil_index},
 * {@code explainability_report}, {@code model_card_complete}, {@code accuracy_not_worse}
 * @param status {@code passed}, {@code failed} or {@code overridden} (failed, with a
 * justified override)
 * @param observed what was found: {@code value}, {@code ci_low}, {@code ci_high} and the
 * {@code group} it belongs to (the worst group of the attribute), or the age of a report;
 * {@code null} when there is nothing to show
 * @param threshold what the policy asks ({@code min}, {@code max}, {@code max_abs},
 * {@code whole_interval}, {@code max_age_days}, {@code margin}), or {@code null}
 * @param reportId the fairness or explainability report the rule read, or {@code null}
 * @param message one sentence saying what was checked and found
 * @param override the override ({@code justification}, {@code by}, {@code at}) when
 * {@code status} is {@code overridden}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RuleResult(String rule, String status, Map<String, Object> observed, Map<String, Object> threshold,
		UUID reportId, String message, Map<String, Object> override) {

	static final String PASSED = "passed";

	static final String FAILED = "failed";

	static final String OVERRIDDEN = "overridden";

	static RuleResult passed(String rule, Map<String, Object> observed, Map<String, Object> threshold, UUID reportId,
			String message) {
		return new RuleResult(rule, PASSED, observed, threshold, reportId, message, null);
	}

	static RuleResult failed(String rule, Map<String, Object> observed, Map<String, Object> threshold, UUID reportId,
			String message) {
		return new RuleResult(rule, FAILED, observed, threshold, reportId, message, null);
	}

	boolean isFailed() {
		return FAILED.equals(this.status);
	}

	RuleResult overriddenBy(Map<String, Object> override) {
		return new RuleResult(this.rule, OVERRIDDEN, this.observed, this.threshold, this.reportId, this.message,
				override);
	}

}
