package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.fairness.internal.FairnessAnalysis.Settings;
import dev.warden.platform.fairness.internal.RowByRowFairness.Attribute;
import dev.warden.platform.fairness.internal.RowByRowFairness.Row;

import static dev.warden.platform.fairness.internal.FairnessTestData.add;
import static dev.warden.platform.fairness.internal.FairnessTestData.tally;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Each definition on numbers worked out by hand, with its sign. Reference group A: TP 40,
 * FP 20, TN 30, FN 10 (s = 0.6, TPR = 0.8, FPR = 0.4, precision = 2/3). Group B: TP 15,
 * FP 5, TN 55, FN 25 (s = 0.2, TPR = 0.375, FPR = 1/12, precision = 0.75): B is selected
 * less than A.
 */
class FairnessKnownAnswersTests {

	private static final List<Attribute> GROUP = List.of(new Attribute("group", "A", null));

	private final ObjectNode content;

	FairnessKnownAnswersTests() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "A" }, 40, 20, 30, 10);
		add(rows, new String[] { "B" }, 15, 5, 55, 25);
		this.content = FairnessAnalysis.analyse(tally(GROUP, rows), new Settings(5, 200, 0.95, 30, 10, 2));
	}

	private JsonNode attribute() {
		return this.content.path("attributes").path(0);
	}

	private double against(String metric) {
		JsonNode entry = attribute().path("against_reference").path(0);
		assertThat(entry.path("group").asString()).isEqualTo("B");
		return entry.path(metric).path("value").asDouble();
	}

	private double between(String metric) {
		return attribute().path("between_groups").path(metric).path("value").asDouble();
	}

	@Test
	void groupRates() {
		JsonNode b = attribute().path("groups").path(1);
		assertThat(b.path("group").asString()).isEqualTo("B");
		JsonNode metrics = b.path("metrics");
		assertThat(metrics.path("base_rate").path("value").asDouble()).isEqualTo(0.4);
		assertThat(metrics.path("selection_rate").path("value").asDouble()).isEqualTo(0.2);
		assertThat(metrics.path("accuracy").path("value").asDouble()).isEqualTo(0.7);
		assertThat(metrics.path("tpr").path("value").asDouble()).isEqualTo(0.375);
		assertThat(metrics.path("fpr").path("value").asDouble()).isCloseTo(1 / 12.0, within(1e-15));
		assertThat(metrics.path("fnr").path("value").asDouble()).isEqualTo(0.625);
		assertThat(metrics.path("precision").path("value").asDouble()).isEqualTo(0.75);
	}

	@Test
	void statisticalParityDifferenceIsNegativeForAGroupSelectedLess() {
		assertThat(against("statistical_parity_difference")).isCloseTo(-0.4, within(1e-12));
	}

	@Test
	void disparateImpactIsBelowOneForAGroupSelectedLess() {
		assertThat(against("disparate_impact_ratio")).isCloseTo(1 / 3.0, within(1e-12));
	}

	@Test
	void equalOpportunityDifferenceIsTheTprGap() {
		assertThat(against("equal_opportunity_difference")).isCloseTo(0.375 - 0.8, within(1e-12));
	}

	@Test
	void averageOddsDifferenceAveragesTheFprAndTprGaps() {
		// ½[(1/12 − 0.4) + (0.375 − 0.8)] = −0.3708333…
		assertThat(against("average_odds_difference")).isCloseTo(-0.37083333333333335, within(1e-12));
	}

	@Test
	void predictiveParityDifferenceIsPositiveWhenTheGroupsPositivePredictionsAreRightMoreOften() {
		assertThat(against("predictive_parity_difference")).isCloseTo(0.75 - 2 / 3.0, within(1e-12));
	}

	@Test
	void demographicParityIsTheRangeAndTheRatioOfSelectionRates() {
		assertThat(between("demographic_parity_difference")).isCloseTo(0.4, within(1e-12));
		assertThat(between("demographic_parity_ratio")).isCloseTo(1 / 3.0, within(1e-12));
	}

	@Test
	void equalizedOddsTakesTheWorseOfTheTprAndFprGaps() {
		// TPR range 0.425, FPR range 0.3166…: the difference is 0.425
		assertThat(between("equalized_odds_difference")).isCloseTo(0.425, within(1e-12));
		// TPR ratio 0.375 / 0.8 = 0.46875, FPR ratio (1/12) / 0.4 = 0.2083…: the ratio is
		// the smaller
		assertThat(between("equalized_odds_ratio")).isCloseTo((1 / 12.0) / 0.4, within(1e-12));
	}

	@Test
	void fourFifthsComparesWithTheHighestRateGroup() {
		JsonNode entry = attribute().path("four_fifths").path(0);
		assertThat(entry.path("group").asString()).isEqualTo("B");
		assertThat(entry.path("highest_rate_group").asString()).isEqualTo("A");
		assertThat(entry.path("ratio").path("value").asDouble()).isCloseTo(1 / 3.0, within(1e-12));
		assertThat(entry.path("below_four_fifths").asBoolean()).isTrue();
		assertThat(attribute().path("four_fifths").size()).isOne();
	}

	@Test
	void fourFifthsIsNotBelowAtExactlyEightyPercent() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "A" }, 40, 10, 40, 10);
		add(rows, new String[] { "B" }, 30, 10, 45, 15);
		JsonNode entry = FairnessAnalysis.analyse(tally(GROUP, rows), new Settings(5, 0, 0.95, 30, 10, 1))
			.path("attributes")
			.path(0)
			.path("four_fifths")
			.path(0);
		assertThat(entry.path("ratio").path("value").asDouble()).isCloseTo(0.8, within(1e-12));
		assertThat(entry.path("below_four_fifths").asBoolean()).isFalse();
	}

	@Test
	void theilIndexOfTheWholePopulation() {
		// b: 140 correct rows → 1, 25 false positives → 2, 35 false negatives → 0; μ =
		// 0.95
		// (1/200)[140 (1/0.95) ln(1/0.95) + 25 (2/0.95) ln(2/0.95)] = 0.23370044716648344
		assertThat(this.content.path("theil_index").path("value").asDouble()).isCloseTo(0.23370044716648344,
				within(1e-12));
	}

	@Test
	void theilIndexOfAllFalsePositivesIsZeroAndOfAllFalseNegativesIsUndefined() {
		assertThat(FairnessAnalysis.theilIndex(new GroupCounts(0, 10, 0, 0)).value()).isZero();
		assertThat(FairnessAnalysis.theilIndex(new GroupCounts(0, 0, 0, 10)).reason())
			.isEqualTo("every row is a false negative: the mean benefit is 0");
		// half right, half false negatives: b = 1 or 0, μ = 0.5: ½ · 2 ln 2 = ln 2
		assertThat(FairnessAnalysis.theilIndex(new GroupCounts(5, 0, 5, 10)).value()).isCloseTo(Math.log(2),
				within(1e-15));
	}

	@Test
	void intervalsAreAroundThePointValues() {
		JsonNode spd = attribute().path("against_reference").path(0).path("statistical_parity_difference");
		assertThat(spd.path("ci_low").asDouble()).isLessThan(-0.4).isGreaterThan(-0.6);
		assertThat(spd.path("ci_high").asDouble()).isGreaterThan(-0.4).isLessThan(-0.2);
		assertThat(spd.has("resamples_used")).as("every resample usable").isFalse();
		JsonNode selection = attribute().path("groups").path(1).path("metrics").path("selection_rate");
		WilsonInterval expected = WilsonInterval.of(20, 100, 1.959963984540054);
		assertThat(selection.path("ci_low").asDouble()).isCloseTo(expected.low(), within(1e-12));
		assertThat(selection.path("ci_high").asDouble()).isCloseTo(expected.high(), within(1e-12));
	}

}
