package dev.warden.console.governance;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a promotion request's rule results read: every kind of observation the rules make,
 * every kind of threshold, overrides and their justifications.
 */
class PromotionViewTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void eachKindOfObservationReads() {
		PromotionView request = PromotionView.of(JSON.readTree(
				"""
						{"id":"p","model":"m","version":3,"target":"canary","canary_weight":20,"state":"pending",
						 "requested_by":"admin","overrides":[{"rule":"fairness.four_fifths_ratio.sex","justification":"given"}],
						 "rules":[
						  {"rule":"fairness.four_fifths_ratio.sex","status":"overridden","observed":{"group":"Female","value":0.5,"ci_low":0.4,"ci_high":0.6},
						   "threshold":{"min":0.8,"whole_interval":true},"report_id":"f"},
						  {"rule":"fairness.equalized_odds_difference.sex","status":"failed","observed":{"group":"sex","value":null,"reason":"no positives"},
						   "threshold":{"max_abs":0.1},"override":{"justification":"in the rule"}},
						  {"rule":"explainability_report","status":"passed","observed":{"created_at":"t","age_days":2.25},"threshold":{"max_age_days":30}},
						  {"rule":"model_card_complete","status":"failed","observed":{"missing":["considerations.users","model_details.licenses"]}},
						  {"rule":"accuracy_not_worse","status":"passed","observed":{"value":0.8,"stable_version":2,"stable_value":0.81},
						   "threshold":{"min":0.8,"margin":0.01}}]}"""));

		assertThat(request.targetText()).isEqualTo("canary at 20%");
		assertThat(request.overridden()).isTrue();
		assertThat(request.rules()).extracting(PromotionView.Rule::observed)
			.containsExactly("Female: 0.500 [0.400, 0.600]", "sex: undefined (no positives)",
					"created at t; 2.3 days old", "missing: considerations.users, model_details.licenses",
					"0.800; stable version 2; stable value 0.81");
		assertThat(request.rules()).extracting(PromotionView.Rule::threshold)
			.containsExactly("≥ 0.8, whole interval", "|value| ≤ 0.1", "at most 30 days old", null,
					"≥ 0.8, margin 0.01");
		assertThat(request.rules()).extracting(PromotionView.Rule::justification)
			.containsExactly("given", "in the rule", null, null, null);
		assertThat(request.rules()).extracting(PromotionView.Rule::reportKind)
			.containsExactly("fairness", "fairness", "explainability", null, "fairness");
		assertThat(request.failedRules()).extracting(PromotionView.Rule::id)
			.containsExactly("fairness.equalized_odds_difference.sex", "model_card_complete");
	}

}
