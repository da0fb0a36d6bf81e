package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.util.MultiValueMap;

/**
 * The form that requests the promotion of a version: the target ({@code stable}, or
 * {@code canary} with a weight), a comment, and one justification field per rule that
 * failed when the version was last evaluated (the refusal just received, or the version's
 * last refused request); a justification given overrides its rule. Fields keep what was
 * typed when platform-api refuses the request.
 *
 * @param target {@code stable} or {@code canary}
 * @param canaryWeight the canary's weight as typed
 * @param comment the requester's comment
 * @param overrides one per failed rule
 */
record PromotionForm(String target, String canaryWeight, String comment, List<RuleOverride> overrides) {

	static PromotionForm blank(List<PromotionView.Rule> failed) {
		List<RuleOverride> overrides = new ArrayList<>();
		for (PromotionView.Rule rule : failed) {
			overrides.add(new RuleOverride(rule.id(), rule.message(), ""));
		}
		return new PromotionForm("stable", "", "", overrides);
	}

	static PromotionForm submitted(MultiValueMap<String, String> form) {
		List<RuleOverride> overrides = new ArrayList<>();
		for (Map.Entry<String, List<String>> field : form.entrySet()) {
			if (field.getKey().startsWith("override.") && field.getKey().length() > "override.".length()) {
				String value = field.getValue().isEmpty() ? "" : field.getValue().get(0);
				overrides.add(new RuleOverride(field.getKey().substring("override.".length()),
						form.getFirst("message." + field.getKey().substring("override.".length())), value));
			}
		}
		return new PromotionForm(value(form, "target").isBlank() ? "stable" : value(form, "target").trim(),
				value(form, "canary_weight"), value(form, "comment"), overrides);
	}

	/**
	 * The same form with a justification field for each of these failed rules (those it
	 * has keep what was typed).
	 */
	PromotionForm withFailedRules(List<PromotionView.Rule> failed) {
		Map<String, RuleOverride> typed = new LinkedHashMap<>();
		this.overrides.forEach((override) -> typed.put(override.rule(), override));
		List<RuleOverride> overrides = new ArrayList<>();
		for (PromotionView.Rule rule : failed) {
			RuleOverride earlier = typed.remove(rule.id());
			overrides
				.add(new RuleOverride(rule.id(), rule.message(), (earlier != null) ? earlier.justification() : ""));
		}
		overrides.addAll(typed.values());
		return new PromotionForm(this.target, this.canaryWeight, this.comment, overrides);
	}

	/**
	 * The body of {@code POST …/promotion-requests}: the target, the weight of a canary,
	 * the comment, and the overrides with a justification.
	 */
	Map<String, Object> request() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("target", this.target);
		if ("canary".equals(this.target)) {
			if (this.canaryWeight.isBlank()) {
				throw new InvalidForm("A canary needs a weight: the percentage of calls it gets, 1 to 100.");
			}
			body.put("canary_weight", FairnessForms.wholeNumber("Canary weight", this.canaryWeight));
		}
		else if (!"stable".equals(this.target)) {
			throw new InvalidForm("Choose stable or canary as the target.");
		}
		if (!this.comment.isBlank()) {
			body.put("comment", this.comment.strip());
		}
		List<Map<String, String>> overrides = new ArrayList<>();
		for (RuleOverride override : this.overrides) {
			if (!override.justification().isBlank()) {
				overrides.add(Map.of("rule", override.rule(), "justification", override.justification().strip()));
			}
		}
		if (!overrides.isEmpty()) {
			body.put("overrides", overrides);
		}
		return body;
	}

	private static String value(MultiValueMap<String, String> form, String name) {
		String value = form.getFirst(name);
		return (value != null) ? value : "";
	}

	/**
	 * The justification of a failed rule's override.
	 *
	 * @param rule the rule's id
	 * @param message why it failed, or null
	 * @param justification what is typed (an override when not blank)
	 */
	record RuleOverride(String rule, String message, String justification) {

		public String parameter() {
			return "override." + this.rule;
		}

	}

}
