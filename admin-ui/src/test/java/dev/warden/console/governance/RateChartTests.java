package dev.warden.console.governance;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout of the per-group rate chart: one linear axis from 0 to 1, Wilson whiskers,
 * the four-fifths line at 0.8 × the highest selection rate of the groups that are not
 * suppressed (or of the group the report names), and which groups fall below it.
 */
class RateChartTests {

	@Test
	void barsAndWhiskersAreOnOneAxisFromZeroToOne() {
		RateChart chart = RateChart.of(List.of(group("a", 0.25, 0.2, 0.3, 0.5, false)), Double.NaN, null);

		RateChart.Row row = chart.rows().get(0);
		assertThat(row.selection().length()).isEqualTo("100.00");
		assertThat(row.selection().whisker()).isEqualTo(new RateChart.Whisker("330.00", "370.00"));
		assertThat(row.tpr().length()).isEqualTo("200.00");
		assertThat(chart.ticks()).extracting(RateChart.Tick::label)
			.containsExactly("0.0", "0.2", "0.4", "0.6", "0.8", "1.0");
		assertThat(chart.ticks().get(5).x()).isEqualTo("650.00");
	}

	@Test
	void theFourFifthsLineIsAtEightTenthsOfTheHighestRateOfTheGroupsCompared() {
		// the suppressed group has the highest rate but is not compared
		RateChart chart = RateChart.of(List.of(group("a", 0.5, 0.4, 0.6, 0.7, false),
				group("b", 0.3, 0.25, 0.35, 0.6, false), group("tiny", 0.9, 0.5, 1.0, 0.9, true)), Double.NaN, null);

		assertThat(chart.fourFifths().x()).isEqualTo("410.00");
		assertThat(chart.fourFifths().label()).isEqualTo("four-fifths line 0.400 = 0.8 × 0.500 (a)");
		assertThat(chart.rows()).extracting(RateChart.Row::below).containsExactly(false, true, false);
		assertThat(chart.rows().get(2).label()).isEqualTo("tiny (suppressed)");
		assertThat(chart.rows().get(1).summary())
			.isEqualTo("b: selection rate 0.300 [0.250, 0.350], TPR 0.600, below four fifths of the highest rate");
	}

	@Test
	void theReportsHighestGroupIsTakenWhenGiven() {
		RateChart chart = RateChart.of(List.of(group("a", 0.5, 0.4, 0.6, 0.7, false)), 0.6, "z");

		assertThat(chart.fourFifths().value()).isEqualTo("0.480");
		assertThat(chart.fourFifths().label()).endsWith("(z)");
	}

	@Test
	void anUndefinedRateHasNoBarAndNoRateMeansNoLine() {
		FairnessReportView.Group undefined = new FairnessReportView.Group("x", "10", "0", "0", true, "n = 10 < 30",
				List.of(new FairnessReportView.NamedMetric("selection_rate",
						new Metric(Double.NaN, Double.NaN, Double.NaN, "empty group")),
						new FairnessReportView.NamedMetric("tpr",
								new Metric(Double.NaN, Double.NaN, Double.NaN, "no actual positives in the group"))));

		RateChart chart = RateChart.of(List.of(undefined), Double.NaN, null);

		assertThat(chart.fourFifths()).isNull();
		assertThat(chart.rows().get(0).selection().defined()).isFalse();
		assertThat(chart.rows().get(0).tpr().value()).isEqualTo("undefined");
		assertThat(RateChart.of(List.of(), Double.NaN, null)).isNull();
	}

	@Test
	void longNamesAreShortenedAndRatesOutsideTheAxisStayOnIt() {
		String name = "Female × Amer-Indian-Eskimo × 25 to <60";
		RateChart chart = RateChart.of(List.of(group(name, 1.2, -0.1, 1.3, 0, true)), Double.NaN, null);

		RateChart.Row row = chart.rows().get(0);
		assertThat(row.label()).hasSize(RateChart.MAX_LABEL).endsWith("… (suppressed)");
		assertThat(row.name()).isEqualTo(name);
		assertThat(row.selection().length()).isEqualTo("400.00");
		assertThat(row.selection().whisker()).isEqualTo(new RateChart.Whisker("250.00", "650.00"));
	}

	private static FairnessReportView.Group group(String name, double selection, double low, double high, double tpr,
			boolean suppressed) {
		return new FairnessReportView.Group(name, "100", "10", "10", suppressed, suppressed ? "n = 12 < 30" : null,
				List.of(new FairnessReportView.NamedMetric("selection_rate", new Metric(selection, low, high, null)),
						new FairnessReportView.NamedMetric("tpr", new Metric(tpr, Double.NaN, Double.NaN, null))));
	}

}
