package dev.warden.platform.fairness.internal;

import java.util.List;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code definitions} of a fairness report: per metric its formula, sign convention,
 * whose convention it follows, its reference and its interval, so that a reader can set
 * the numbers beside another tool's.
 */
final class FairnessDefinitions {

	private static final String REFERENCE = "the attribute's reference group: the declared one (for an intersection, "
			+ "the combination of the declared ones), else the largest group that is not suppressed";

	private static final String COMPARED = "the groups that are not suppressed";

	private static final String WILSON = "Wilson score interval";

	private static final String BOOTSTRAP = "stratified bootstrap percentile interval (each group resampled within "
			+ "itself)";

	private static final List<Definition> ALL = List.of(
			new Definition("base_rate", "(TP + FN) / n", "none: a proportion in [0, 1]", "AIF360 (base_rate)", null,
					WILSON, null),
			new Definition("selection_rate", "s = (TP + FP) / n", "none: a proportion in [0, 1]",
					"AIF360, Fairlearn (selection_rate)", null, WILSON, null),
			new Definition("accuracy", "(TP + TN) / n", "none: a proportion in [0, 1]", "AIF360, Fairlearn", null,
					WILSON, null),
			new Definition("tpr", "TP / (TP + FN)", "none: a proportion in [0, 1]; undefined without actual positives",
					"AIF360, Fairlearn", null, WILSON, null),
			new Definition("fpr", "FP / (FP + TN)", "none: a proportion in [0, 1]; undefined without actual negatives",
					"AIF360, Fairlearn", null, WILSON, null),
			new Definition("fnr", "FN / (TP + FN)", "none: a proportion in [0, 1]; undefined without actual positives",
					"AIF360, Fairlearn", null, WILSON, null),
			new Definition("precision", "TP / (TP + FP)",
					"none: a proportion in [0, 1]; undefined without predicted positives", "AIF360", null, WILSON,
					null),
			new Definition("statistical_parity_difference", "s_g − s_ref",
					"negative: the group is selected less than the reference", "AIF360", REFERENCE, BOOTSTRAP,
					"SageMaker Clarify's DPPL is s_a − s_d (advantaged minus disadvantaged facet): the opposite sign"),
			new Definition("disparate_impact_ratio", "s_g / s_ref",
					"below 1: the group is selected less than the reference; undefined when s_ref = 0",
					"AIF360, SageMaker Clarify (DI = s_d / s_a)", REFERENCE, BOOTSTRAP, null),
			new Definition("equal_opportunity_difference", "TPR_g − TPR_ref",
					"negative: the group's actual positives are predicted positive less often than the reference's",
					"AIF360", REFERENCE, BOOTSTRAP, null),
			new Definition("average_odds_difference", "½ [(FPR_g − FPR_ref) + (TPR_g − TPR_ref)]",
					"negative: the group gets positive predictions less often, averaged over actual positives and "
							+ "negatives",
					"AIF360", REFERENCE, BOOTSTRAP, null),
			new Definition("predictive_parity_difference", "precision_g − precision_ref",
					"negative: a positive prediction for the group is right less often than for the reference",
					"the group-minus-reference sign of AIF360's differences", REFERENCE, BOOTSTRAP, null),
			new Definition("demographic_parity_difference", "max_g s_g − min_g s_g", "never negative; 0 is parity",
					"Fairlearn", COMPARED, BOOTSTRAP, null),
			new Definition("demographic_parity_ratio", "min_g s_g / max_g s_g",
					"in [0, 1]; 1 is parity; undefined when every selection rate is 0", "Fairlearn", COMPARED,
					BOOTSTRAP, null),
			new Definition("equalized_odds_difference", "max(max_g TPR_g − min_g TPR_g, max_g FPR_g − min_g FPR_g)",
					"never negative; 0 is parity", "Fairlearn", COMPARED, BOOTSTRAP, null),
			new Definition("equalized_odds_ratio", "min(min_g TPR_g / max_g TPR_g, min_g FPR_g / max_g FPR_g)",
					"in [0, 1]; 1 is parity; undefined when every TPR or every FPR is 0", "Fairlearn", COMPARED,
					BOOTSTRAP, null),
			new Definition("four_fifths", "s_g / max_h s_h (h over the compared groups)",
					"below 0.8: adverse impact by the four-fifths rule (below_four_fifths)",
					"29 CFR 1607.4(D) (US Uniform Guidelines: the highest-rate group, not a declared reference)",
					"the group with the highest selection rate", BOOTSTRAP, null),
			new Definition("theil_index", "(1/n) Σ_i (b_i/μ) ln(b_i/μ), b_i = ŷ_i − y_i + 1, μ = mean b, 0·ln 0 = 0",
					"never negative; 0: every row gets the same benefit (e.g. every prediction right)",
					"AIF360 (generalized entropy index, α = 1)", "the whole population",
					"stratified bootstrap percentile interval (each combination of the attributes' groups resampled "
							+ "within itself)",
					null));

	private FairnessDefinitions() {
	}

	/** The metrics' names, in the report's order. */
	static List<String> metrics() {
		return ALL.stream().map(Definition::metric).toList();
	}

	static ArrayNode json(JsonNodeFactory nodes) {
		ArrayNode array = nodes.arrayNode();
		for (Definition definition : ALL) {
			ObjectNode entry = array.addObject();
			entry.put("metric", definition.metric());
			entry.put("formula", definition.formula());
			entry.put("sign", definition.sign());
			entry.put("convention_of", definition.conventionOf());
			if (definition.reference() != null) {
				entry.put("reference", definition.reference());
			}
			entry.put("interval", definition.interval());
			if (definition.note() != null) {
				entry.put("note", definition.note());
			}
		}
		return array;
	}

	private record Definition(String metric, String formula, String sign, String conventionOf, String reference,
			String interval, String note) {
	}

}
