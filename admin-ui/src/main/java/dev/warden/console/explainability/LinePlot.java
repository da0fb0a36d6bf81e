package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * A partial-dependence plot laid out for SVG: the model's average output (y) as one
 * feature takes each value of its grid (x), drawn as a polyline with a marker per grid
 * value, axes, and labels at the ends of each axis. A numeric grid is placed on a linear
 * x axis; a categorical grid (any non-number) at even steps, each category labelled.
 *
 * @param feature the feature
 * @param width the SVG's width
 * @param height the SVG's height
 * @param points the polyline's points, {@code "x,y x,y …"}
 * @param markers one per grid value
 * @param xTicks labels under the x axis
 * @param yTicks labels left of the y axis
 * @param categorical whether the grid is categorical
 */
record LinePlot(String feature, int width, int height, String points, List<Marker> markers, List<Tick> xTicks,
		List<Tick> yTicks, boolean categorical) {

	static final int WIDTH = 340;

	static final int HEIGHT = 230;

	static final int LEFT = 64;

	static final int RIGHT = 20;

	static final int TOP = 14;

	static final int BOTTOM = 62;

	static final int MAX_CATEGORY_LABELS = 12;

	/**
	 * The plot of a feature's grid and values (pairs without a numeric value are left
	 * out); null when no pair is left.
	 */
	static LinePlot of(String feature, List<JsonNode> grid, List<JsonNode> values) {
		List<JsonNode> xs = new ArrayList<>();
		List<Double> ys = new ArrayList<>();
		for (int i = 0; i < Math.min(grid.size(), values.size()); i++) {
			double y = Figures.number(values.get(i));
			if (Double.isFinite(y) && grid.get(i) != null && !grid.get(i).isNull()) {
				xs.add(grid.get(i));
				ys.add(y);
			}
		}
		if (xs.isEmpty()) {
			return null;
		}
		boolean categorical = xs.stream().anyMatch((x) -> !x.isNumber() || !Double.isFinite(x.asDouble()));
		double xMin = Double.POSITIVE_INFINITY;
		double xMax = Double.NEGATIVE_INFINITY;
		if (!categorical) {
			for (JsonNode x : xs) {
				xMin = Math.min(xMin, x.asDouble());
				xMax = Math.max(xMax, x.asDouble());
			}
		}
		double yMin = ys.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
		double yMax = ys.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
		if (yMax - yMin < 1e-12) {
			double pad = (Math.abs(yMin) > 0) ? Math.abs(yMin) * 0.05 : 0.5;
			yMin -= pad;
			yMax += pad;
		}
		double plotWidth = WIDTH - LEFT - RIGHT;
		double plotHeight = HEIGHT - TOP - BOTTOM;
		List<String> points = new ArrayList<>();
		List<Marker> markers = new ArrayList<>();
		List<Tick> xTicks = new ArrayList<>();
		int labelEvery = Math.max(1, (int) Math.ceil(xs.size() / (double) MAX_CATEGORY_LABELS));
		for (int i = 0; i < xs.size(); i++) {
			double fraction;
			if (categorical) {
				fraction = (xs.size() == 1) ? 0.5 : i / (double) (xs.size() - 1);
			}
			else {
				fraction = (xMax - xMin < 1e-12) ? 0.5 : (xs.get(i).asDouble() - xMin) / (xMax - xMin);
			}
			double x = LEFT + fraction * plotWidth;
			double y = TOP + (1 - (ys.get(i) - yMin) / (yMax - yMin)) * plotHeight;
			points.add(Figures.coordinate(x) + "," + Figures.coordinate(y));
			String label = Figures.text(xs.get(i));
			markers.add(new Marker(Figures.coordinate(x), Figures.coordinate(y),
					label + " → " + Figures.format(ys.get(i))));
			if (categorical && i % labelEvery == 0) {
				xTicks.add(new Tick(Figures.coordinate(x), Figures.coordinate(HEIGHT - BOTTOM + 16),
						Figures.shorten(label, 10)));
			}
		}
		if (!categorical) {
			xTicks.add(
					new Tick(Figures.coordinate(LEFT), Figures.coordinate(HEIGHT - BOTTOM + 16), Figures.format(xMin)));
			if (xMax > xMin) {
				xTicks.add(new Tick(Figures.coordinate(LEFT + plotWidth), Figures.coordinate(HEIGHT - BOTTOM + 16),
						Figures.format(xMax)));
			}
		}
		List<Tick> yTicks = List.of(
				new Tick(Figures.coordinate(LEFT - 6), Figures.coordinate(TOP + plotHeight + 4), Figures.format(yMin)),
				new Tick(Figures.coordinate(LEFT - 6), Figures.coordinate(TOP + 4), Figures.format(yMax)));
		return new LinePlot(feature, WIDTH, HEIGHT, String.join(" ", points), markers, xTicks, yTicks, categorical);
	}

	/** Left end of the x axis, the y axis's x. */
	public int left() {
		return LEFT;
	}

	/** Right end of the x axis. */
	public int right() {
		return WIDTH - RIGHT;
	}

	/** Top of the y axis. */
	public int top() {
		return TOP;
	}

	/** The x axis's y. */
	public int bottom() {
		return HEIGHT - BOTTOM;
	}

	/** Baseline of the x axis's title. */
	public int xTitleY() {
		return HEIGHT - 14;
	}

	/** Middle of the plot area, where the axis titles are centred. */
	public int middleX() {
		return LEFT + (WIDTH - LEFT - RIGHT) / 2;
	}

	public int middleY() {
		return TOP + (HEIGHT - TOP - BOTTOM) / 2;
	}

	/**
	 * A grid value's point.
	 *
	 * @param x its x
	 * @param y its y
	 * @param title the value and the output, as a tooltip
	 */
	record Marker(String x, String y, String title) {
	}

	/**
	 * An axis label.
	 *
	 * @param x where it is anchored
	 * @param y its baseline
	 * @param label the text drawn
	 */
	record Tick(String x, String y, String label) {
	}

}
