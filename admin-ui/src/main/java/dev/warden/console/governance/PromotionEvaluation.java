package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * What the promotion policy says about a version now (platform-api's dry run, nothing
 * stored): whether the model's changes need approval, how far a canary may go without,
 * how many approvals a request needs, the current stable version, and every rule's
 * result.
 *
 * @param policySha256 the SHA-256 of the policy in force
 * @param requireApproval whether stable changes and canary increases need a request
 * @param maxCanaryWeight the canary weight (percent) that may be set directly
 * @param approvalsRequired how many approvals a request needs
 * @param stableVersion the current stable version, or null
 * @param rules the rule results, in the policy's order
 */
record PromotionEvaluation(String policySha256, String requireApproval, String maxCanaryWeight,
		String approvalsRequired, String stableVersion, List<PromotionView.Rule> rules) {

	static PromotionEvaluation of(JsonNode evaluation) {
		List<PromotionView.Rule> rules = new ArrayList<>();
		for (JsonNode rule : Values.list(evaluation.path("rules"))) {
			rules.add(PromotionView.Rule.of(rule, Map.of()));
		}
		return new PromotionEvaluation(Values.text(evaluation.path("policy_sha256")),
				Values.text(evaluation.path("require_approval")),
				Values.text(evaluation.path("max_canary_weight_without_approval")),
				Values.text(evaluation.path("approvals_required")), Values.text(evaluation.path("stable_version")),
				rules);
	}

	/** The rules that fail now: a request must override or fix each. */
	List<PromotionView.Rule> failedRules() {
		return this.rules.stream().filter(PromotionView.Rule::failed).toList();
	}

}
