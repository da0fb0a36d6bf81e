package dev.warden.platform.promotion;

import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;

import dev.warden.platform.system.ApiException;

/**
 * 409: rules failed without an override. {@code promotion_refused} when a request is made
 * (the request is stored as {@code refused}); {@code promotion_rules_failed} when an
 * approval's evaluation finds a rule failing (the request stays pending). The error JSON
 * carries the failed rules ({@code rules}) and the request's id
 * ({@code promotion_request_id}).
 */
class PromotionRefused extends ApiException {

	static final String REFUSED = "promotion_refused";

	static final String RULES_FAILED = "promotion_rules_failed";

	private final transient List<RuleResult> failed;

	private final UUID requestId;

	PromotionRefused(String code, String message, List<RuleResult> failed, UUID requestId) {
		super(HttpStatus.CONFLICT, code, message);
		this.failed = List.copyOf(failed);
		this.requestId = requestId;
	}

	List<RuleResult> failed() {
		return this.failed;
	}

	UUID requestId() {
		return this.requestId;
	}

	/** "…: fairness.four_fifths_ratio.sex (…); explainability_report (…)". */
	static String describe(List<RuleResult> failed) {
		StringBuilder text = new StringBuilder();
		for (RuleResult rule : failed) {
			if (!text.isEmpty()) {
				text.append("; ");
			}
			text.append(rule.rule()).append(" (").append(rule.message()).append(')');
		}
		return text.toString();
	}

}
