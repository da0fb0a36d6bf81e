package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.List;

/**
 * A horizontal bar chart of global importance, laid out for SVG: one bar per feature in
 * the given order (the report's, most important first), its length proportional to the
 * mean |attribution|, with the interval drawn as a whisker. Every length uses one scale,
 * the largest value or interval end, so the longest bar or whisker fills the plot area.
 *
 * @param width the SVG's width
 * @param height the SVG's height
 * @param plotX where bars start
 * @param plotWidth the length of the plot area
 * @param bars the bars, top to bottom
 */
record ImportanceChart(int width, int height, int plotX, int plotWidth, List<Bar> bars) {

	static final int WIDTH = 680;

	static final int LABEL_WIDTH = 200;

	static final int PLOT_WIDTH = 380;

	static final int ROW_HEIGHT = 26;

	static final int BAR_HEIGHT = 16;

	static final int TOP = 8;

	static final int MAX_LABEL = 28;

	/** The chart of the given features; null when there are none. */
	static ImportanceChart of(List<ReportView.Feature> features) {
		if (features.isEmpty()) {
			return null;
		}
		double max = 0;
		for (ReportView.Feature feature : features) {
			max = Math.max(max, finiteOrZero(feature.meanAbs()));
			if (feature.hasInterval()) {
				max = Math.max(max, finiteOrZero(feature.high()));
			}
		}
		double scale = (max > 0) ? PLOT_WIDTH / max : 0;
		List<Bar> bars = new ArrayList<>();
		for (int i = 0; i < features.size(); i++) {
			ReportView.Feature feature = features.get(i);
			double y = TOP + i * ROW_HEIGHT;
			double length = Math.max(0, finiteOrZero(feature.meanAbs())) * scale;
			Whisker whisker = null;
			if (feature.hasInterval()) {
				double low = Math.max(0, finiteOrZero(feature.low())) * scale;
				double high = Math.max(0, finiteOrZero(feature.high())) * scale;
				whisker = new Whisker(Figures.coordinate(LABEL_WIDTH + low), Figures.coordinate(LABEL_WIDTH + high));
			}
			bars.add(new Bar(feature.name(), Figures.shorten(feature.name(), MAX_LABEL), feature.meanAbsLabel(),
					feature.intervalLabel(), Figures.coordinate(y), Figures.coordinate(length),
					Figures.coordinate(y + BAR_HEIGHT / 2.0), Figures.coordinate(y + BAR_HEIGHT / 2.0 + 4), whisker,
					Figures.coordinate(y + 3), Figures.coordinate(y + BAR_HEIGHT - 3)));
		}
		return new ImportanceChart(WIDTH, TOP * 2 + features.size() * ROW_HEIGHT, LABEL_WIDTH, PLOT_WIDTH, bars);
	}

	private static double finiteOrZero(double value) {
		return Double.isFinite(value) ? value : 0;
	}

	/** Where the value labels start, right of the plot area. */
	public int valueX() {
		return this.plotX + this.plotWidth + 8;
	}

	/** Where feature labels end, left of the plot area. */
	public int labelX() {
		return this.plotX - 8;
	}

	/**
	 * One feature's bar.
	 *
	 * @param name the feature's full name (the bar's title)
	 * @param label the name as drawn, shortened
	 * @param value the mean |attribution| as text
	 * @param interval the interval as text, or null
	 * @param y the bar's top
	 * @param length the bar's length
	 * @param middle the bar's vertical middle (the whisker's line)
	 * @param textY the baseline of the bar's labels
	 * @param whisker the interval's ends, or null
	 * @param capTop the top of the whisker's end caps
	 * @param capBottom their bottom
	 */
	record Bar(String name, String label, String value, String interval, String y, String length, String middle,
			String textY, Whisker whisker, String capTop, String capBottom) {
	}

	/**
	 * An interval drawn over a bar.
	 *
	 * @param low x of the lower end
	 * @param high x of the upper end
	 */
	record Whisker(String low, String high) {
	}

}
