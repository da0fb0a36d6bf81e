package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rate chart of one attribute (or intersection) of a fairness report, laid out for
 * SVG: per group two horizontal bars, the selection rate and the true positive rate, on
 * one linear axis from 0 to 1, each with its Wilson interval drawn as a whisker; and the
 * four-fifths line, a vertical line at 0.8 × the highest selection rate (the rate of the
 * group the report names as highest, else the highest of the groups that are not
 * suppressed). A selection-rate bar left of that line belongs to a group below four
 * fifths and is marked; a suppressed group is drawn pale and labelled as such.
 *
 * @param width the SVG's width
 * @param height the SVG's height
 * @param plotX where the axis starts (rate 0)
 * @param plotWidth the axis' length (rate 1)
 * @param plotTop the top of the plot area
 * @param plotBottom its bottom (the axis line)
 * @param rows one per group, top to bottom
 * @param ticks the axis labels
 * @param fourFifths the four-fifths line, or null when no group has a selection rate
 */
record RateChart(int width, int height, int plotX, int plotWidth, int plotTop, int plotBottom, List<Row> rows,
		List<Tick> ticks, Line fourFifths) {

	static final int WIDTH = 810;

	static final int LABEL_WIDTH = 250;

	static final int PLOT_WIDTH = 400;

	static final int TOP = 30;

	static final int ROW_HEIGHT = 44;

	static final int BAR_HEIGHT = 14;

	static final int AXIS_HEIGHT = 26;

	/** Characters of a group label that fit left of the axis, with " (suppressed)". */
	static final int MAX_LABEL = 34;

	private static final String SUPPRESSED = " (suppressed)";

	/** The share of the highest selection rate a group must reach (29 CFR 1607.4(D)). */
	static final double FOUR_FIFTHS = 0.8;

	/**
	 * The chart of the groups; null when there are none.
	 * @param highestRate the highest selection rate to draw the four-fifths line from, or
	 * NaN to take the highest of the groups that are not suppressed
	 * @param highestGroup the group with that rate, or null
	 */
	static RateChart of(List<FairnessReportView.Group> groups, double highestRate, String highestGroup) {
		if (groups.isEmpty()) {
			return null;
		}
		double highest = highestRate;
		String highestName = highestGroup;
		if (!Double.isFinite(highest)) {
			for (FairnessReportView.Group group : groups) {
				if (!group.suppressed() && group.selectionRate().defined()
						&& (!Double.isFinite(highest) || group.selectionRate().value() > highest)) {
					highest = group.selectionRate().value();
					highestName = group.name();
				}
			}
		}
		int plotBottom = TOP + groups.size() * ROW_HEIGHT;
		Line line = null;
		double lineValue = Double.NaN;
		if (Double.isFinite(highest)) {
			lineValue = FOUR_FIFTHS * highest;
			String label = "four-fifths line " + Values.format(lineValue) + " = 0.8 × " + Values.format(highest)
					+ ((highestName != null) ? " (" + Values.shorten(highestName, MAX_LABEL) + ")" : "");
			line = new Line(x(lineValue), Values.format(lineValue), label, TOP - 4, plotBottom, TOP - 10);
		}
		List<Row> rows = new ArrayList<>();
		for (int i = 0; i < groups.size(); i++) {
			FairnessReportView.Group group = groups.get(i);
			double top = TOP + i * ROW_HEIGHT + 4;
			Bar selection = bar("selection rate", group.selectionRate(), top);
			Bar tpr = bar("TPR", group.tpr(), top + BAR_HEIGHT + 4);
			boolean below = !group.suppressed() && group.selectionRate().defined() && Double.isFinite(lineValue)
					&& group.selectionRate().value() < lineValue;
			String summary = group.name() + (group.suppressed() ? " (suppressed)" : "") + ": selection rate "
					+ group.selectionRate().label() + ", TPR " + group.tpr().label()
					+ (below ? ", below four fifths of the highest rate" : "");
			String label = group.suppressed()
					? Values.shorten(group.name(), MAX_LABEL - SUPPRESSED.length()) + SUPPRESSED
					: Values.shorten(group.name(), MAX_LABEL);
			rows.add(new Row(group.name(), label, group.suppressed(), below, summary, coordinate(top + BAR_HEIGHT + 6),
					selection, tpr));
		}
		List<Tick> ticks = new ArrayList<>();
		for (int step = 0; step <= 5; step++) {
			double value = step / 5.0;
			ticks.add(new Tick(x(value), String.format(Locale.ROOT, "%.1f", value)));
		}
		return new RateChart(WIDTH, plotBottom + AXIS_HEIGHT, LABEL_WIDTH, PLOT_WIDTH, TOP - 4, plotBottom, rows, ticks,
				line);
	}

	private static Bar bar(String name, Metric metric, double y) {
		if (!metric.defined()) {
			return new Bar(name, false, coordinate(y), "0", null, coordinate(y + BAR_HEIGHT / 2.0), coordinate(y + 2),
					coordinate(y + BAR_HEIGHT - 2), coordinate(y + BAR_HEIGHT - 3), metric.valueText());
		}
		Whisker whisker = metric.hasInterval() ? new Whisker(x(metric.low()), x(metric.high())) : null;
		return new Bar(name, true, coordinate(y), coordinate(clamp(metric.value()) * PLOT_WIDTH), whisker,
				coordinate(y + BAR_HEIGHT / 2.0), coordinate(y + 2), coordinate(y + BAR_HEIGHT - 2),
				coordinate(y + BAR_HEIGHT - 3), metric.valueText());
	}

	/** The x of a rate on the axis; rates outside [0, 1] are drawn at its ends. */
	static String x(double rate) {
		return coordinate(LABEL_WIDTH + clamp(rate) * PLOT_WIDTH);
	}

	private static double clamp(double rate) {
		return Math.max(0, Math.min(1, rate));
	}

	static String coordinate(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

	/** Where group labels end, left of the axis. */
	public int labelX() {
		return this.plotX - 8;
	}

	/** Where the value labels start, right of the axis. */
	public int valueX() {
		return this.plotX + this.plotWidth + 8;
	}

	/** The baseline of the axis labels. */
	public int tickY() {
		return this.plotBottom + 16;
	}

	/**
	 * One group's bars.
	 *
	 * @param name the group's full name
	 * @param label the name as drawn, shortened, with "(suppressed)" for a suppressed
	 * group
	 * @param suppressed whether the group is suppressed (too small or too few positives)
	 * @param below whether its selection rate is below the four-fifths line
	 * @param summary the row in words (its accessible name): rates with intervals
	 * @param labelY the baseline of the group's label
	 * @param selection the selection-rate bar
	 * @param tpr the true-positive-rate bar
	 */
	record Row(String name, String label, boolean suppressed, boolean below, String summary, String labelY,
			Bar selection, Bar tpr) {

		/** Its bars, top to bottom. */
		public List<Bar> bars() {
			return List.of(this.selection, this.tpr);
		}

	}

	/**
	 * One rate drawn as a bar.
	 *
	 * @param metric what it shows ({@code selection rate} or {@code TPR})
	 * @param defined whether the rate has a value (else no bar, "undefined" as its label)
	 * @param y the bar's top
	 * @param length its length
	 * @param whisker the Wilson interval, or null
	 * @param middle the bar's vertical middle (the whisker's line)
	 * @param capTop the top of the whisker's caps
	 * @param capBottom their bottom
	 * @param textY the baseline of its value label
	 * @param value the value as text
	 */
	record Bar(String metric, boolean defined, String y, String length, Whisker whisker, String middle, String capTop,
			String capBottom, String textY, String value) {
	}

	/**
	 * An interval drawn over a bar.
	 *
	 * @param low x of the lower end
	 * @param high x of the upper end
	 */
	record Whisker(String low, String high) {
	}

	/**
	 * An axis label.
	 *
	 * @param x where it is centred
	 * @param label the rate
	 */
	record Tick(String x, String label) {
	}

	/**
	 * The four-fifths line.
	 *
	 * @param x where it is drawn
	 * @param value 0.8 × the highest selection rate, as text
	 * @param label the line's caption
	 * @param top the line's top
	 * @param bottom its bottom
	 * @param labelY the caption's baseline
	 */
	record Line(String x, String value, String label, int top, int bottom, int labelY) {
	}

}
