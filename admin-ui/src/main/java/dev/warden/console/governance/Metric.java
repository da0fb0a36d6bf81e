package dev.warden.console.governance;

import tools.jackson.databind.JsonNode;

/**
 * One figure of a fairness report: {@code {"value", "ci_low", "ci_high"}} (the interval
 * is absent when there is none), or {@code {"value": null, "reason"}} when the metric is
 * undefined (a group without actual positives has no TPR; a ratio whose denominator is
 * zero has no value). A bare number is read as a value without interval.
 *
 * @param value the value, or NaN when undefined or absent
 * @param low the interval's lower end, or NaN
 * @param high the interval's upper end, or NaN
 * @param reason why the value is undefined, or null
 * @param resamplesUsed how many bootstrap resamples the interval rests on when the metric
 * was undefined in some of them, or null when all were usable
 */
record Metric(double value, double low, double high, String reason, String resamplesUsed) {

	static final Metric ABSENT = new Metric(Double.NaN, Double.NaN, Double.NaN, null, null);

	Metric(double value, double low, double high, String reason) {
		this(value, low, high, reason, null);
	}

	static Metric of(JsonNode node) {
		if (node == null || node.isMissingNode() || node.isNull()) {
			return ABSENT;
		}
		if (node.isObject()) {
			return new Metric(Values.number(node.path("value")), Values.number(node.path("ci_low")),
					Values.number(node.path("ci_high")), Values.text(node.path("reason")),
					Values.text(node.path("resamples_used")));
		}
		return new Metric(Values.number(node), Double.NaN, Double.NaN, null);
	}

	/** Whether the metric has a value. */
	public boolean defined() {
		return Double.isFinite(this.value);
	}

	public boolean hasInterval() {
		return Double.isFinite(this.low) && Double.isFinite(this.high);
	}

	/** The value, or "undefined" (or "—" when the report has no such figure). */
	public String valueText() {
		if (defined()) {
			return Values.format(this.value);
		}
		return (this.reason != null) ? "undefined" : "—";
	}

	/** The interval as {@code [low, high]}, or null. */
	public String intervalText() {
		return hasInterval() ? "[" + Values.format(this.low) + ", " + Values.format(this.high) + "]" : null;
	}

	/**
	 * Value and interval in one text: {@code 0.312 [0.298, 0.327]}, the value alone, or
	 * {@code undefined (the reason)}; with the number of usable resamples when the
	 * bootstrap could not use all of them.
	 */
	public String label() {
		if (!defined()) {
			return (this.reason != null) ? "undefined (" + this.reason + ")" : "—";
		}
		String text = hasInterval() ? valueText() + " " + intervalText() : valueText();
		return (this.resamplesUsed != null) ? text + " (" + this.resamplesUsed + " usable resamples)" : text;
	}

}
