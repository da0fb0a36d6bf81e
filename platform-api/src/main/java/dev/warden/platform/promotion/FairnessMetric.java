package dev.warden.platform.promotion;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The metrics of a fairness report a promotion rule may set a threshold on, and where the
 * report holds them (docs/governance.md, the report's content).
 */
enum FairnessMetric {

	/** Per group: {@code attributes[].four_fifths[].ratio}. */
	FOUR_FIFTHS_RATIO("four_fifths_ratio", Location.FOUR_FIFTHS),

	/** Per group against the reference: {@code attributes[].against_reference[]}. */
	DISPARATE_IMPACT_RATIO("disparate_impact_ratio", Location.AGAINST_REFERENCE),

	STATISTICAL_PARITY_DIFFERENCE("statistical_parity_difference", Location.AGAINST_REFERENCE),

	EQUAL_OPPORTUNITY_DIFFERENCE("equal_opportunity_difference", Location.AGAINST_REFERENCE),

	AVERAGE_ODDS_DIFFERENCE("average_odds_difference", Location.AGAINST_REFERENCE),

	PREDICTIVE_PARITY_DIFFERENCE("predictive_parity_difference", Location.AGAINST_REFERENCE),

	/** One value per attribute: {@code attributes[].between_groups}. */
	DEMOGRAPHIC_PARITY_DIFFERENCE("demographic_parity_difference", Location.BETWEEN_GROUPS),

	DEMOGRAPHIC_PARITY_RATIO("demographic_parity_ratio", Location.BETWEEN_GROUPS),

	EQUALIZED_ODDS_DIFFERENCE("equalized_odds_difference", Location.BETWEEN_GROUPS),

	EQUALIZED_ODDS_RATIO("equalized_odds_ratio", Location.BETWEEN_GROUPS),

	/** One value for the whole dataset: {@code theil_index}. */
	THEIL_INDEX("theil_index", Location.OVERALL);

	private final String id;

	private final Location location;

	FairnessMetric(String id, Location location) {
		this.id = id;
		this.location = location;
	}

	String id() {
		return this.id;
	}

	Location location() {
		return this.location;
	}

	static Optional<FairnessMetric> of(String id) {
		return Arrays.stream(values()).filter((metric) -> metric.id.equals(id)).findFirst();
	}

	static List<String> ids() {
		return Arrays.stream(values()).map(FairnessMetric::id).toList();
	}

	/** Where in the report a metric is. */
	enum Location {

		FOUR_FIFTHS, AGAINST_REFERENCE, BETWEEN_GROUPS, OVERALL

	}

}
