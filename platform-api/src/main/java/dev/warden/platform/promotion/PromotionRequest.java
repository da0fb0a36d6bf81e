package dev.warden.platform.promotion;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A promotion request as the admin API shows it.
 *
 * @param id its id
 * @param model the model
 * @param version the version to promote
 * @param target {@code stable} or {@code canary}
 * @param canaryWeight the canary's percent of calls naming no version ({@code null} for
 * stable)
 * @param state {@code pending}, {@code approved} (and applied), {@code rejected},
 * {@code refused}, {@code withdrawn} or {@code superseded}
 * @param comment the requester's comment, or {@code null}
 * @param rules the latest evaluation, rule by rule ({@link RuleResult})
 * @param overrides the overrides the requester gave: {@code rule}, {@code justification},
 * {@code by}, {@code at}
 * @param overridden whether a failed rule was let through by an override
 * @param policySha256 the SHA-256 of {@code promotion.yaml} when the rules were last
 * evaluated
 * @param evaluatedAt when they were
 * @param requestedBy who asked
 * @param requestedAt when
 * @param approvals who approved, with their comments, in order
 * @param approvalsRequired how many approvals the policy in force now asks for this model
 * @param decidedBy who approved it last, rejected or withdrew it, or applied the request
 * that superseded it
 * @param decidedAt when
 * @param decisionComment the comment of that decision
 * @param appliedAt when the routing was changed (approved requests)
 * @param supersededBy the request applied instead of this one
 */
record PromotionRequest(UUID id, String model, long version, String target, Integer canaryWeight, String state,
		String comment, JsonNode rules, JsonNode overrides, boolean overridden, String policySha256,
		Instant evaluatedAt, String requestedBy, Instant requestedAt, List<Approval> approvals, int approvalsRequired,
		String decidedBy, Instant decidedAt, String decisionComment, Instant appliedAt, UUID supersededBy) {

	/**
	 * An approval.
	 *
	 * @param approvedBy the administrator
	 * @param comment their comment, or {@code null}
	 * @param approvedAt when
	 */
	record Approval(String approvedBy, String comment, Instant approvedAt) {
	}

}
