package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.fairness.internal.FairnessAnalysis.Settings;
import dev.warden.platform.fairness.internal.RowByRowFairness.Attribute;
import dev.warden.platform.fairness.internal.RowByRowFairness.Row;

import static dev.warden.platform.fairness.internal.FairnessTestData.add;
import static dev.warden.platform.fairness.internal.FairnessTestData.tally;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The stratified bootstrap: reproducible for a seed, different for another, about right
 * in coverage, and its resampling from counts behaves as resampling the rows.
 */
class BootstrapTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<Attribute> GROUP = List.of(new Attribute("group", "A", null));

	@Test
	void theSameSeedGivesTheSameIntervalsAndAnotherSeedOtherIntervals() {
		List<Attribute> attributes = FairnessTestData.syntheticAttributes();
		List<Row> rows = FairnessTestData.synthetic(11, 3000);
		ObjectNode first = FairnessAnalysis.analyse(tally(attributes, rows), new Settings(42, 200, 0.95, 30, 10, 2));
		ObjectNode again = FairnessAnalysis.analyse(tally(attributes, rows), new Settings(42, 200, 0.95, 30, 10, 2));
		ObjectNode other = FairnessAnalysis.analyse(tally(attributes, rows), new Settings(43, 200, 0.95, 30, 10, 2));
		assertThat(JSON.writeValueAsString(again)).isEqualTo(JSON.writeValueAsString(first));

		JsonNode spd = FairnessAnalysisTests.attribute(first, "sex")
			.path("against_reference")
			.path(0)
			.path("statistical_parity_difference");
		JsonNode otherSpd = FairnessAnalysisTests.attribute(other, "sex")
			.path("against_reference")
			.path(0)
			.path("statistical_parity_difference");
		assertThat(otherSpd.path("value").asDouble()).isEqualTo(spd.path("value").asDouble());
		assertThat(otherSpd.path("ci_low").asDouble()).isNotEqualTo(spd.path("ci_low").asDouble());
		assertThat(other.path("theil_index").path("ci_high").asDouble())
			.isNotEqualTo(first.path("theil_index").path("ci_high").asDouble());
	}

	@Test
	void theStratifiedIntervalOfADifferenceOfTwoKnownRatesCoversItAboutAsOftenAsItsLevelSays() {
		SplittableRandom random = new SplittableRandom(99);
		double rateA = 0.45;
		double rateB = 0.30;
		int datasets = 300;
		int covered = 0;
		int coveredRatio = 0;
		for (int d = 0; d < datasets; d++) {
			List<Row> rows = new ArrayList<>();
			for (int i = 0; i < 250; i++) {
				rows.add(new Row(new String[] { "A" }, random.nextDouble() < 0.4, random.nextDouble() < rateA));
				rows.add(new Row(new String[] { "B" }, random.nextDouble() < 0.4, random.nextDouble() < rateB));
			}
			ObjectNode content = FairnessAnalysis.analyse(tally(GROUP, rows), new Settings(d, 300, 0.95, 30, 10, 1));
			JsonNode against = content.path("attributes").path(0).path("against_reference").path(0);
			JsonNode spd = against.path("statistical_parity_difference");
			if (spd.path("ci_low").asDouble() <= rateB - rateA && rateB - rateA <= spd.path("ci_high").asDouble()) {
				covered++;
			}
			JsonNode di = against.path("disparate_impact_ratio");
			if (di.path("ci_low").asDouble() <= rateB / rateA && rateB / rateA <= di.path("ci_high").asDouble()) {
				coveredRatio++;
			}
		}
		assertThat(covered / (double) datasets).isBetween(0.88, 0.99);
		assertThat(coveredRatio / (double) datasets).isBetween(0.88, 0.99);
	}

	@Test
	void resamplingFromCountsAgreesInDistributionWithResamplingRows() {
		GroupCounts counts = new GroupCounts(30, 20, 40, 10);
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "A" }, 30, 20, 40, 10);
		int draws = 20000;
		BootstrapResampler resampler = new BootstrapResampler(7, "test");
		double[] fromCounts = new double[draws];
		double[] tprFromCounts = new double[draws];
		SplittableRandom random = new SplittableRandom(7);
		double[] fromRows = new double[draws];
		double[] tprFromRows = new double[draws];
		for (int d = 0; d < draws; d++) {
			GroupCounts drawn = resampler.resample(counts);
			assertThat(drawn.n()).isEqualTo(100);
			fromCounts[d] = drawn.predictedPositives() / 100.0;
			tprFromCounts[d] = drawn.tp() / (double) drawn.positives();
			int selected = 0;
			int tp = 0;
			int positives = 0;
			for (int i = 0; i < rows.size(); i++) {
				Row row = rows.get(random.nextInt(rows.size()));
				selected += row.predicted() ? 1 : 0;
				positives += row.actual() ? 1 : 0;
				tp += (row.actual() && row.predicted()) ? 1 : 0;
			}
			fromRows[d] = selected / 100.0;
			tprFromRows[d] = tp / (double) positives;
		}
		// selection rate of 100 rows drawn from a group with s = 0.5: mean 0.5, variance
		// 0.25 / 100
		assertThat(mean(fromCounts)).isCloseTo(0.5, within(0.002));
		assertThat(variance(fromCounts)).isCloseTo(0.0025, within(0.00015));
		assertThat(mean(fromCounts)).isCloseTo(mean(fromRows), within(0.003));
		assertThat(variance(fromCounts) / variance(fromRows)).isBetween(0.93, 1.07);
		assertThat(mean(tprFromCounts)).isCloseTo(mean(tprFromRows), within(0.003));
		assertThat(variance(tprFromCounts) / variance(tprFromRows)).isBetween(0.93, 1.07);
	}

	@Test
	void aResampleOfTheSameGroupKeepsItsSizeAndOnlyItsNonEmptyCells() {
		BootstrapResampler resampler = new BootstrapResampler(3, "cells");
		for (int i = 0; i < 1000; i++) {
			GroupCounts drawn = resampler.resample(new GroupCounts(0, 7, 0, 5));
			assertThat(drawn.n()).isEqualTo(12);
			assertThat(drawn.tp()).isZero();
			assertThat(drawn.tn()).isZero();
		}
		assertThat(resampler.resample(GroupCounts.EMPTY)).isEqualTo(GroupCounts.EMPTY);
		assertThat(resampler.resample(new GroupCounts(0, 0, 9, 0))).isEqualTo(new GroupCounts(0, 0, 9, 0));
	}

	@Test
	void aMetricUndefinedInSomeResamplesSaysHowManyWereUsable() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "A" }, 30, 10, 50, 10);
		add(rows, new String[] { "B" }, 1, 5, 33, 1);
		ObjectNode content = FairnessAnalysis.analyse(tally(GROUP, rows), new Settings(1, 500, 0.95, 30, 0, 1));
		JsonNode against = content.path("attributes").path(0).path("against_reference").path(0);
		JsonNode eod = against.path("equal_opportunity_difference");
		assertThat(eod.path("value").isNumber()).isTrue();
		// P(no actual positive among 40 rows drawn from 2 of 40) = (38/40)^40 ≈ 0.13
		assertThat(eod.path("resamples_used").asInt()).isBetween(380, 475);
		assertThat(eod.has("ci_low")).isTrue();
		assertThat(against.path("statistical_parity_difference").has("resamples_used")).isFalse();
	}

	@Test
	void percentilesInterpolateBetweenOrderStatistics() {
		double[] values = { 5, 1, 4, 2, 3 };
		BootstrapInterval interval = BootstrapInterval.percentile(values, 5, 0.5);
		assertThat(interval.low()).isEqualTo(2.0);
		assertThat(interval.high()).isEqualTo(4.0);
		assertThat(BootstrapInterval.percentile(new double[] { 1, 2 }, 2, 0.9).low()).isCloseTo(1.05, within(1e-12));
		assertThat(BootstrapInterval.percentile(new double[3], 0, 0.95)).isNull();
	}

	private static double mean(double[] values) {
		double sum = 0;
		for (double value : values) {
			sum += value;
		}
		return sum / values.length;
	}

	private static double variance(double[] values) {
		double mean = mean(values);
		double sum = 0;
		for (double value : values) {
			sum += (value - mean) * (value - mean);
		}
		return sum / (values.length - 1);
	}

}
