package dev.warden.platform.promotion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;

import dev.warden.platform.promotion.PromotionPolicy.ModelPolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code promotion.yaml} as {@link PromotionPolicyParser} reads it: the shipped file, how
 * a model entry inherits from the default, and every refusal with its message.
 */
class PromotionPolicyParserTests {

	private static PromotionPolicy parse(String yaml) {
		return PromotionPolicyParser.parse(yaml.getBytes(StandardCharsets.UTF_8), "file");
	}

	@Test
	void theShippedPolicyAsksForApprovalAndHoldsIncomeToFourFifthsAndEqualizedOdds() throws IOException {
		byte[] shipped;
		try (InputStream in = new ClassPathResource("policies/promotion.yaml").getInputStream()) {
			shipped = in.readAllBytes();
		}
		PromotionPolicy policy = PromotionPolicyParser.parse(shipped, "packaged");
		assertThat(policy.sha256()).isEqualTo(PromotionPolicy.sha256(shipped));
		ModelPolicy spam = policy.forModel("spam");
		assertThat(spam.requireApproval()).isTrue();
		assertThat(spam.maxCanaryWeightWithoutApproval()).isEqualTo(10);
		assertThat(spam.rules().fairness()).isNull();
		assertThat(spam.rules().modelCardComplete()).isTrue();
		assertThat(spam.rules().explainabilityReport().maxAgeDays()).isEqualTo(90);
		assertThat(spam.rules().accuracyNotWorse().margin()).isEqualTo(0.01);
		assertThat(spam.rules().approvals()).isEqualTo(new PromotionPolicy.Approvals(1, true, true));
		ModelPolicy income = policy.forModel("income");
		assertThat(income.rules().fairness().dataset()).isEqualTo("adult_validation");
		assertThat(income.rules().fairness().metrics()).extracting(PromotionPolicy.MetricRule::describe)
			.map(Object::toString)
			.containsExactly("{metric=four_fifths_ratio, attributes=[sex, race], min=0.8, whole_interval=false}",
					"{metric=equalized_odds_difference, attributes=[sex], max_abs=0.1, whole_interval=false}");
		// everything else is the default's
		assertThat(income.rules().modelCardComplete()).isTrue();
		assertThat(income.rules().accuracyNotWorse()).isEqualTo(spam.rules().accuracyNotWorse());
	}

	@Test
	void aModelEntryReplacesOnlyWhatItNamesAndFalseSwitchesARuleOff() {
		PromotionPolicy policy = parse("""
				default:
				  max_canary_weight_without_approval: 5
				  rules:
				    explainability_report: true
				    accuracy_not_worse: {margin: 0.02}
				    approvals: {required: 2, distinct_from_uploader: false}
				models:
				  quiet:
				    require_approval: false
				    rules:
				      explainability_report: false
				  strict:
				    max_canary_weight_without_approval: 0
				    rules:
				      approvals: {required: 3}
				""");
		ModelPolicy other = policy.forModel("other");
		assertThat(other.requireApproval()).isTrue();
		assertThat(other.maxCanaryWeightWithoutApproval()).isEqualTo(5);
		assertThat(other.rules().explainabilityReport().maxAgeDays()).isNull();
		assertThat(other.rules().approvals()).isEqualTo(new PromotionPolicy.Approvals(2, true, false));
		ModelPolicy quiet = policy.forModel("quiet");
		assertThat(quiet.requireApproval()).isFalse();
		assertThat(quiet.maxCanaryWeightWithoutApproval()).isEqualTo(5);
		assertThat(quiet.rules().explainabilityReport()).isNull();
		assertThat(quiet.rules().accuracyNotWorse().margin()).isEqualTo(0.02);
		ModelPolicy strict = policy.forModel("strict");
		assertThat(strict.maxCanaryWeightWithoutApproval()).isZero();
		// an approvals mapping is whole: what it leaves out takes the built-in defaults
		assertThat(strict.rules().approvals()).isEqualTo(new PromotionPolicy.Approvals(3, true, true));
		assertThat(strict.rules().explainabilityReport()).isNotNull();
	}

	@Test
	void withoutADefaultEntryTheBuiltInDefaultsApply() {
		PromotionPolicy policy = parse("models:\n  m:\n    require_approval: false\n");
		assertThat(policy.defaults()).isEqualTo(ModelPolicy.BUILT_IN);
		assertThat(policy.forModel("m").requireApproval()).isFalse();
		assertThat(PromotionPolicy.builtIn().forModel("any")).isEqualTo(ModelPolicy.BUILT_IN);
		assertThat(PromotionPolicy.builtIn().source()).isEqualTo("built-in");
	}

	@ParameterizedTest(name = "{1}")
	@CsvSource(delimiter = '|',
			textBlock = """
					''                                                                              | the file is empty
					'default: [1, 2]'                                                               | default: must be a mapping
					'default: {require_aproval: true}'                                              | default: unknown key 'require_aproval', expected one of [max_canary_weight_without_approval, require_approval, rules]
					'defaults: {}'                                                                  | the file: unknown key 'defaults'
					'default: {require_approval: yes please}'                                       | default.require_approval: must be true or false, not 'yes please'
					'default: {max_canary_weight_without_approval: 101}'                            | default.max_canary_weight_without_approval: must be a whole number from 0 to 100, not '101'
					'default: {max_canary_weight_without_approval: 2.5}'                            | must be a whole number from 0 to 100, not '2.5'
					'default: {rules: {fairnes: {}}}'                                               | default.rules: unknown key 'fairnes'
					'default: {rules: {fairness: {metrics: [{metric: accuracy, min: 0.8}]}}}'       | default.rules.fairness.metrics[0].metric: unknown metric 'accuracy', expected one of [four_fifths_ratio,
					'default: {rules: {fairness: {metrics: [{metric: theil_index}]}}}'              | default.rules.fairness.metrics[0]: a threshold is required: min, max or max_abs
					'default: {rules: {fairness: {metrics: [{metric: demographic_parity_ratio, min: 0.9, max: 0.8}]}}}' | default.rules.fairness.metrics[0]: min 0.9 is greater than max 0.8
					'default: {rules: {fairness: {metrics: [{metric: average_odds_difference, max_abs: -0.1}]}}}'      | default.rules.fairness.metrics[0].max_abs: must not be negative, not -0.1
					'default: {rules: {fairness: {metrics: [{metric: theil_index, max: 0.2, attributes: [sex]}]}}}'    | theil_index is one value for the whole dataset, not per attribute
					'default: {rules: {fairness: {metrics: [{metric: four_fifths_ratio, min: 0.8, attributes: []}]}}}' | default.rules.fairness.metrics[0].attributes: must be a non-empty list
					'default: {rules: {fairness: {metrics: [{metric: four_fifths_ratio, min: 0.8, colour: red}]}}}'    | default.rules.fairness.metrics[0]: unknown key 'colour'
					'default: {rules: {fairness: {metrics: [{metric: four_fifths_ratio, min: 0.8}, {metric: four_fifths_ratio, min: 0.7, attributes: [sex]}]}}}' | four_fifths_ratio has more than one threshold for the same attributes
					'default: {rules: {fairness: {metrics: [{metric: four_fifths_ratio, min: 0.8, attributes: [sex]}, {metric: four_fifths_ratio, min: 0.7, attributes: [race, sex]}]}}}' | four_fifths_ratio has more than one threshold for sex
					'default: {rules: {fairness: {max_age_days: -3}}}'                              | default.rules.fairness.max_age_days: must be a whole number of days, at least 1, not '-3'
					'default: {rules: {fairness: {max_age_days: 0}}}'                               | at least 1, not '0'
					'default: {rules: {fairness: {dataset: ""}}}'                                   | default.rules.fairness.dataset: must be the evaluation dataset's name
					'default: {rules: {fairness: 12}}'                                              | default.rules.fairness: must be a mapping (or false to switch the rule off
					'default: {rules: {explainability_report: {max_age_days: -1}}}'                 | default.rules.explainability_report.max_age_days: must be a whole number of days, at least 1
					'default: {rules: {accuracy_not_worse: {margin: -0.01}}}'                       | default.rules.accuracy_not_worse.margin: must be at least 0 and below 1
					'default: {rules: {accuracy_not_worse: {margin: 0.01, by: 2}}}'                 | default.rules.accuracy_not_worse: unknown key 'by'
					'default: {rules: {approvals: false}}'                                          | default.rules.approvals: must be a mapping (approvals cannot be switched off
					'default: {rules: {approvals: {required: 0}}}'                                  | default.rules.approvals.required: must be a whole number from 1 to 10, not '0'
					'default: {rules: {model_card_complete: 1}}'                                    | default.rules.model_card_complete: must be true or false, not '1'
					'models: {m: {rules: {fairness: {metrics: [{metric: four_fifths_ratio, min: x}]}}}}' | models.m.rules.fairness.metrics[0].min: must be a number, not 'x'
					'models: [m]'                                                                   | models: must be a mapping
					'default: {require_approval: true}\ndefault: {require_approval: false}'          | not valid YAML: Duplicate Object property
					'default: {rules: {fairness: {metrics: [{metric: four_fifths_ratio, min: 0.8, attributes: [sex, sex]}]}}}' | .attributes: 'sex' is named twice
					""")
	void anInvalidPolicyIsRefusedNamingWhatAndWhere(String yaml, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> parse(yaml.replace("\\n", "\n")))
			.withMessageContaining(message);
	}

}
