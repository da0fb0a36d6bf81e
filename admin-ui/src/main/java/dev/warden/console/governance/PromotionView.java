package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * What the promotion pages show of a promotion request: the version and target, who asked
 * and why, its state, the rule-by-rule results of the policy (passed, failed or
 * overridden, the observed value and interval, the threshold, the report it was read
 * from, the message, and an override's justification), the approvals, and whatever else
 * the request carries, as it came.
 *
 * @param id the request's id
 * @param model the model
 * @param version the version to promote
 * @param target {@code stable} or {@code canary}
 * @param canaryWeight the canary's weight in percent, or null
 * @param comment the requester's comment
 * @param state {@code pending}, {@code approved}, {@code rejected}, {@code refused},
 * {@code withdrawn} or {@code superseded}
 * @param requestedBy who asked
 * @param requestedAt when
 * @param overridden whether any rule is overridden
 * @param rules the rule results, in the policy's order
 * @param approvals who approved, when and why
 * @param approvalsRequired how many approvals the policy asks for, or null
 * @param decidedBy who approved it last, rejected or withdrew it, or null
 * @param decidedAt when, or null
 * @param decisionComment the comment of that decision, or null
 * @param other the request's other fields (when it was evaluated and applied, the
 * policy's digest, …)
 */
record PromotionView(String id, String model, String version, String target, String canaryWeight, String comment,
		String state, String requestedBy, String requestedAt, boolean overridden, List<Rule> rules,
		List<Approval> approvals, String approvalsRequired, String decidedBy, String decidedAt, String decisionComment,
		JsonTable other) {

	private static final Set<String> SHOWN = Set.of("id", "model", "version", "target", "canary_weight", "comment",
			"state", "requested_by", "requested_at", "created_by", "created_at", "overridden", "rules", "rule_results",
			"overrides", "approvals", "approvals_required", "decided_by", "decided_at", "decision_comment");

	static PromotionView of(JsonNode request) {
		Map<String, String> justifications = new HashMap<>();
		for (JsonNode override : Values.list(request.path("overrides"))) {
			String rule = Values.text(Values.first(override, "rule", "id"));
			if (rule != null) {
				justifications.put(rule, Values.text(override.path("justification")));
			}
		}
		List<Rule> rules = new ArrayList<>();
		for (JsonNode rule : Values.list(Values.first(request, "rules", "rule_results"))) {
			rules.add(Rule.of(rule, justifications));
		}
		List<Approval> approvals = new ArrayList<>();
		for (JsonNode approval : Values.list(request.path("approvals"))) {
			approvals.add(new Approval(Values.text(Values.first(approval, "by", "approved_by", "actor", "approver")),
					Values.text(Values.first(approval, "at", "approved_at", "created_at")),
					Values.text(approval.path("comment"))));
		}
		boolean overridden = request.path("overridden").asBoolean(false) || !justifications.isEmpty()
				|| rules.stream().anyMatch(Rule::overridden);
		return new PromotionView(Values.text(request.path("id")), Values.text(request.path("model")),
				Values.text(request.path("version")), Values.text(request.path("target")),
				Values.text(request.path("canary_weight")), Values.text(request.path("comment")),
				Values.text(request.path("state")), Values.text(Values.first(request, "requested_by", "created_by")),
				Values.text(Values.first(request, "requested_at", "created_at")), overridden, rules, approvals,
				Values.text(request.path("approvals_required")), Values.text(request.path("decided_by")),
				Values.text(request.path("decided_at")), Values.text(request.path("decision_comment")),
				JsonTable.of(request, SHOWN));
	}

	/** Whether the request waits for a decision. */
	public boolean pending() {
		return "pending".equalsIgnoreCase(this.state);
	}

	/** The failed rules (not overridden). */
	public List<Rule> failedRules() {
		return this.rules.stream().filter(Rule::failed).toList();
	}

	/** {@code stable} or {@code canary at 20%}. */
	public String targetText() {
		if ("canary".equalsIgnoreCase(this.target) && this.canaryWeight != null) {
			return "canary at " + this.canaryWeight + "%";
		}
		return this.target;
	}

	/**
	 * One rule's result.
	 *
	 * @param id the rule ({@code fairness.four_fifths_ratio.sex}, …)
	 * @param status {@code passed}, {@code failed} or {@code overridden}
	 * @param observed the observed value with its interval, as text, or null
	 * @param threshold what the policy asks, as text, or null
	 * @param reportId the report it was read from, or null
	 * @param reportKind {@code fairness}, {@code explainability} or another kind, or null
	 * @param message what the evaluation says
	 * @param justification the override's justification, or null
	 */
	record Rule(String id, String status, String observed, String threshold, String reportId, String reportKind,
			String message, String justification) {

		private static final Set<String> METRIC_FIELDS = Set.of("value", "ci_low", "ci_high", "group", "reason",
				"resamples_used");

		static Rule of(JsonNode rule, Map<String, String> justifications) {
			String id = Values.text(Values.first(rule, "id", "rule", "name"));
			String justification = Values.text(Values.first(rule.path("override"), "justification"));
			if (justification == null) {
				justification = Values.text(rule.path("justification"));
			}
			if (justification == null && id != null) {
				justification = justifications.get(id);
			}
			String reportKind = null;
			String reportId;
			JsonNode source = Values.first(rule, "report", "source_report", "source");
			if (source.isObject()) {
				reportId = Values.text(Values.first(source, "id", "report_id"));
				reportKind = Values.text(Values.first(source, "kind", "type"));
			}
			else {
				reportId = Values.text(Values.first(rule, "report_id", "source_report_id", "fairness_report_id",
						"explainability_report_id", "report", "source_report"));
			}
			if (reportKind == null && rule.has("fairness_report_id")) {
				reportKind = "fairness";
			}
			if (reportKind == null && rule.has("explainability_report_id")) {
				reportKind = "explainability";
			}
			if (reportKind == null && id != null) {
				reportKind = id.startsWith("fairness") || id.startsWith("accuracy") ? "fairness"
						: id.startsWith("explainability") ? "explainability" : null;
			}
			return new Rule(id, Values.text(rule.path("status")), observed(rule), threshold(rule), reportId, reportKind,
					Values.text(rule.path("message")), justification);
		}

		/**
		 * What the rule found: a metric of the worst group ({@code group: value [low,
		 * high]}), a report's age, the missing fields of a card, a comparison with the
		 * stable version, or a bare value; every field shown.
		 */
		private static String observed(JsonNode rule) {
			JsonNode observed = Values.first(rule, "observed", "value", "observed_value");
			if (observed.isObject()) {
				List<String> parts = new ArrayList<>();
				String group = Values.text(observed.path("group"));
				Metric metric = Metric.of(observed);
				if (metric.defined() || metric.reason() != null) {
					parts.add(((group != null) ? group + ": " : "") + metric.label());
				}
				else if (group != null) {
					parts.add(group);
				}
				for (Map.Entry<String, JsonNode> field : observed.properties()) {
					if (METRIC_FIELDS.contains(field.getKey()) || Values.blank(field.getValue())) {
						continue;
					}
					parts.add(switch (field.getKey()) {
						case "age_days" ->
							String.format(java.util.Locale.ROOT, "%.1f days old", Values.number(field.getValue()));
						case "missing" -> "missing: "
								+ String.join(", ", Values.list(field.getValue()).stream().map(Values::text).toList());
						default -> field.getKey().replace('_', ' ') + " " + Values.text(field.getValue());
					});
				}
				return parts.isEmpty() ? null : String.join("; ", parts);
			}
			double low = Values.number(Values.first(rule, "ci_low", "interval_low"));
			double high = Values.number(Values.first(rule, "ci_high", "interval_high"));
			JsonNode interval = rule.path("interval");
			if (interval.isArray() && interval.size() == 2) {
				low = Values.number(interval.get(0));
				high = Values.number(interval.get(1));
			}
			Metric metric = new Metric(Values.number(observed), low, high, null);
			if (metric.defined()) {
				return metric.label();
			}
			return (observed.isString() || observed.isBoolean()) ? Values.text(observed) : null;
		}

		/**
		 * The threshold: {@code ≥ 0.8}, {@code ≤ 0.1}, {@code |x| ≤ 0.1}, with "whole
		 * interval".
		 */
		private static String threshold(JsonNode rule) {
			JsonNode threshold = Values.first(rule, "threshold", "limit");
			if (!threshold.isObject()) {
				return Values.text(threshold);
			}
			List<String> parts = new ArrayList<>();
			if (threshold.has("min") && !threshold.path("min").isNull()) {
				parts.add("≥ " + Values.text(threshold.path("min")));
			}
			if (threshold.has("max") && !threshold.path("max").isNull()) {
				parts.add("≤ " + Values.text(threshold.path("max")));
			}
			if (threshold.has("max_abs") && !threshold.path("max_abs").isNull()) {
				parts.add("|value| ≤ " + Values.text(threshold.path("max_abs")));
			}
			if (threshold.has("margin") && !threshold.path("margin").isNull()) {
				parts.add("margin " + Values.text(threshold.path("margin")));
			}
			if (threshold.has("max_age_days") && !threshold.path("max_age_days").isNull()) {
				parts.add("at most " + Values.text(threshold.path("max_age_days")) + " days old");
			}
			if (threshold.hasNonNull("dataset")) {
				parts.add("dataset " + Values.text(threshold.path("dataset")));
			}
			if (threshold.path("whole_interval").asBoolean(false)) {
				parts.add("whole interval");
			}
			return parts.isEmpty() ? Values.text(threshold) : String.join(", ", parts);
		}

		private String normalStatus() {
			return (this.status != null) ? this.status.toLowerCase(Locale.ROOT) : "";
		}

		public boolean failed() {
			return normalStatus().equals("failed");
		}

		public boolean overridden() {
			return normalStatus().equals("overridden");
		}

	}

	/**
	 * An approval.
	 *
	 * @param by who approved
	 * @param at when
	 * @param comment why
	 */
	record Approval(String by, String at, String comment) {
	}

}
