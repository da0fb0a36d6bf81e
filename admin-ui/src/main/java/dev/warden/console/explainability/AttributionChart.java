package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One explanation's attributions as horizontal bars laid out for SVG, largest
 * |attribution| first: a positive attribution (pushing the output up) is drawn right of
 * the zero line, a negative one left of it, in another colour; lengths are proportional
 * to |attribution|, the largest taking half the plot area.
 *
 * @param width the SVG's width
 * @param height the SVG's height
 * @param zeroX x of the zero line
 * @param bars the bars, top to bottom
 */
record AttributionChart(int width, int height, String zeroX, List<Bar> bars) {

	static final int WIDTH = 700;

	static final int LABEL_WIDTH = 200;

	static final int HALF_WIDTH = 180;

	static final int ROW_HEIGHT = 24;

	static final int BAR_HEIGHT = 16;

	static final int TOP = 6;

	static final int MAX_LABEL = 28;

	/** The chart of the attributions; null when there are none. */
	static AttributionChart of(List<Attribution> attributions) {
		if (attributions.isEmpty()) {
			return null;
		}
		List<Attribution> sorted = new ArrayList<>(attributions);
		sorted.sort(Comparator.comparingDouble((Attribution a) -> magnitude(a.value())).reversed());
		double max = sorted.stream().mapToDouble((a) -> magnitude(a.value())).max().orElse(0);
		double scale = (max > 0) ? HALF_WIDTH / max : 0;
		double zero = LABEL_WIDTH + HALF_WIDTH;
		List<Bar> bars = new ArrayList<>();
		for (int i = 0; i < sorted.size(); i++) {
			Attribution attribution = sorted.get(i);
			double length = magnitude(attribution.value()) * scale;
			boolean negative = attribution.value() < 0;
			double y = TOP + i * ROW_HEIGHT;
			bars.add(new Bar(attribution.name(), Figures.shorten(attribution.name(), MAX_LABEL),
					Figures.format(attribution.value()), negative ? "negative" : "positive",
					Figures.coordinate(negative ? zero - length : zero), Figures.coordinate(y),
					Figures.coordinate(length), Figures.coordinate(y + BAR_HEIGHT / 2.0 + 4)));
		}
		return new AttributionChart(WIDTH, TOP * 2 + sorted.size() * ROW_HEIGHT, Figures.coordinate(zero), bars);
	}

	private static double magnitude(double value) {
		return Double.isFinite(value) ? Math.abs(value) : 0;
	}

	public int labelX() {
		return LABEL_WIDTH - 8;
	}

	public int valueX() {
		return LABEL_WIDTH + 2 * HALF_WIDTH + 8;
	}

	/**
	 * A named attribution.
	 *
	 * @param name the input column
	 * @param value its attribution
	 */
	record Attribution(String name, double value) {
	}

	/**
	 * One attribution's bar.
	 *
	 * @param name the input's full name (the bar's title)
	 * @param label the name as drawn, shortened
	 * @param value the attribution as text
	 * @param sign {@code positive} or {@code negative}
	 * @param x the bar's left
	 * @param y the bar's top
	 * @param length its length
	 * @param textY the baseline of its labels
	 */
	record Bar(String name, String label, String value, String sign, String x, String y, String length, String textY) {
	}

}
