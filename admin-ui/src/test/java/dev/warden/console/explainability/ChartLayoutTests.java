package dev.warden.console.explainability;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The geometry of the SVG charts, computed before any template sees it. */
class ChartLayoutTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void importanceBarsShareOneScaleSetByTheLargestValueOrIntervalEnd() {
		ImportanceChart chart = ImportanceChart.of(List.of(feature("a", 0.4, 0.3, 0.5), feature("b", 0.2, 0.1, 0.25),
				feature("c", 0.1, Double.NaN, Double.NaN)));

		double scale = ImportanceChart.PLOT_WIDTH / 0.5;
		assertThat(chart.bars()).extracting((bar) -> Double.parseDouble(bar.length()))
			.containsExactly(0.4 * scale, 0.2 * scale, 0.1 * scale);
		assertThat(Double.parseDouble(chart.bars().get(0).whisker().high()))
			.isEqualTo(ImportanceChart.LABEL_WIDTH + ImportanceChart.PLOT_WIDTH, within(0.001));
		assertThat(chart.bars().get(2).whisker()).isNull();
		assertThat(chart.bars()).extracting(ImportanceChart.Bar::y).containsExactly("8.00", "34.00", "60.00");
	}

	@Test
	void importanceChartShortensLongNamesButKeepsThemWhole() {
		String name = "a_feature_name_much_longer_than_the_label_column";
		ImportanceChart chart = ImportanceChart.of(List.of(feature(name, 1, 0.9, 1.1)));

		assertThat(chart.bars().get(0).name()).isEqualTo(name);
		assertThat(chart.bars().get(0).label()).hasSize(ImportanceChart.MAX_LABEL).endsWith("…");
		assertThat(ImportanceChart.of(List.of())).isNull();
	}

	@Test
	void importanceChartDrawsNothingForValuesThatAreNotNumbers() {
		ImportanceChart chart = ImportanceChart
			.of(List.of(feature("a", Double.NaN, Double.NaN, Double.NaN), feature("b", 0, 0, 0)));

		assertThat(chart.bars()).extracting(ImportanceChart.Bar::length).containsExactly("0.00", "0.00");
	}

	@Test
	void attributionBarsAreSortedByMagnitudeAndSignedAroundTheZeroLine() {
		AttributionChart chart = AttributionChart.of(List.of(new AttributionChart.Attribution("small", 0.05),
				new AttributionChart.Attribution("down", -0.4), new AttributionChart.Attribution("up", 0.2)));

		assertThat(chart.bars()).extracting(AttributionChart.Bar::name).containsExactly("down", "up", "small");
		assertThat(chart.bars()).extracting(AttributionChart.Bar::sign)
			.containsExactly("negative", "positive", "positive");
		double zero = Double.parseDouble(chart.zeroX());
		AttributionChart.Bar down = chart.bars().get(0);
		assertThat(Double.parseDouble(down.length())).isEqualTo(AttributionChart.HALF_WIDTH);
		assertThat(Double.parseDouble(down.x()) + Double.parseDouble(down.length())).isEqualTo(zero);
		assertThat(Double.parseDouble(chart.bars().get(1).x())).isEqualTo(zero);
		assertThat(Double.parseDouble(chart.bars().get(1).length())).isEqualTo(AttributionChart.HALF_WIDTH / 2);
	}

	@Test
	void numericPartialDependenceIsPlacedOnALinearAxis() {
		LinePlot plot = LinePlot.of("x", nodes("[0, 1, 4]"), nodes("[1.0, 3.0, 2.0]"));

		String[] points = plot.points().split(" ");
		assertThat(points).containsExactly("64.00,168.00", "128.00,14.00", "320.00,91.00");
		assertThat(plot.categorical()).isFalse();
		assertThat(plot.xTicks()).extracting(LinePlot.Tick::label).containsExactly("0", "4");
		assertThat(plot.yTicks()).extracting(LinePlot.Tick::label).containsExactly("1", "3");
	}

	@Test
	void categoricalPartialDependenceIsSpacedEvenlyAndLeavesOutValuesThatAreNotNumbers() {
		LinePlot plot = LinePlot.of("c", nodes("[\"a\", \"b\", \"c\", \"d\"]"), nodes("[0.5, null, 0.7, \"x\"]"));

		assertThat(plot.categorical()).isTrue();
		assertThat(plot.points().split(" ")).containsExactly("64.00,168.00", "320.00,14.00");
		assertThat(plot.xTicks()).extracting(LinePlot.Tick::label).containsExactly("a", "c");
	}

	@Test
	void flatPartialDependenceIsDrawnAcrossTheMiddle() {
		LinePlot plot = LinePlot.of("x", nodes("[1, 2]"), nodes("[0.3, 0.3]"));

		assertThat(plot.points()).isEqualTo("64.00,91.00 320.00,91.00");
		assertThat(LinePlot.of("x", nodes("[1]"), nodes("[\"n/a\"]"))).isNull();
	}

	@Test
	void histogramColumnsAreProportionalToTheirCounts() {
		HistogramChart histogram = HistogramChart.of(JSON.readTree("""
				{"edges":[0,1,2,3],"counts":[10,40,20]}"""));

		assertThat(histogram.columns()).extracting(HistogramChart.Column::height)
			.containsExactly("9.50", "38.00", "19.00");
		assertThat(histogram.columns().get(1).title()).isEqualTo("[1, 2): 40");
		assertThat(histogram.summary()).isEqualTo("Attributions of 70 rows from 0 to 3");
		assertThat(HistogramChart.of(JSON.readTree("{}"))).isNull();
	}

	private static ReportView.Feature feature(String name, double value, double low, double high) {
		return new ReportView.Feature(name, value, low, high, null, List.of(), null);
	}

	private static List<JsonNode> nodes(String json) {
		return List.copyOf(JSON.readTree(json).values());
	}

}
