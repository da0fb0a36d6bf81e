package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A small histogram of one feature's attributions over the reference rows, laid out for
 * SVG: one column per bin, its height proportional to the bin's count.
 *
 * @param width the SVG's width
 * @param height the SVG's height
 * @param columns the bins, left to right
 * @param summary a description of the range and the number of rows, for a title
 */
record HistogramChart(int width, int height, List<Column> columns, String summary) {

	static final int WIDTH = 160;

	static final int HEIGHT = 40;

	/**
	 * The histogram of {@code {"edges": [n+1 values], "counts": [n values]}}; null when
	 * it has no counts.
	 */
	static HistogramChart of(JsonNode histogram) {
		if (histogram == null || !histogram.path("counts").isArray() || histogram.path("counts").isEmpty()) {
			return null;
		}
		List<Double> counts = new ArrayList<>();
		for (JsonNode count : histogram.path("counts").values()) {
			double value = Figures.number(count);
			counts.add(Double.isFinite(value) ? Math.max(0, value) : 0);
		}
		List<JsonNode> edges = new ArrayList<>(histogram.path("edges").values());
		double max = counts.stream().mapToDouble(Double::doubleValue).max().orElse(0);
		double total = counts.stream().mapToDouble(Double::doubleValue).sum();
		double columnWidth = WIDTH / (double) counts.size();
		List<Column> columns = new ArrayList<>();
		for (int i = 0; i < counts.size(); i++) {
			double height = (max > 0) ? counts.get(i) / max * (HEIGHT - 2) : 0;
			String range = (edges.size() == counts.size() + 1) ? "[" + Figures.format(Figures.number(edges.get(i)))
					+ ", " + Figures.format(Figures.number(edges.get(i + 1))) + ")" : "bin " + (i + 1);
			columns.add(new Column(Figures.coordinate(i * columnWidth), Figures.coordinate(HEIGHT - height),
					Figures.coordinate(Math.max(columnWidth - 1, 0.5)), Figures.coordinate(height),
					range + ": " + Figures.format(counts.get(i))));
		}
		String summary = "Attributions of " + Figures.format(total) + " rows";
		if (edges.size() >= 2) {
			summary += " from " + Figures.format(Figures.number(edges.get(0))) + " to "
					+ Figures.format(Figures.number(edges.get(edges.size() - 1)));
		}
		return new HistogramChart(WIDTH, HEIGHT, columns, summary);
	}

	/**
	 * One bin.
	 *
	 * @param x its left
	 * @param y its top
	 * @param width its width
	 * @param height its height
	 * @param title its range and count
	 */
	record Column(String x, String y, String width, String height, String title) {
	}

}
