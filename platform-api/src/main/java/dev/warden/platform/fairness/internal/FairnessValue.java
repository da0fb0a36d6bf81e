package dev.warden.platform.fairness.internal;

/**
 * A metric's point value, or why it is undefined (never NaN or infinity in a report).
 *
 * @param value the value ({@code NaN} exactly when undefined)
 * @param reason why the value is undefined, {@code null} when it is defined
 */
public record FairnessValue(double value, String reason) {

	public FairnessValue {
		if (reason == null && !Double.isFinite(value)) {
			throw new IllegalArgumentException("a defined metric value must be finite, not " + value);
		}
		if (reason != null) {
			value = Double.NaN;
		}
		else if (value == 0) {
			// no -0.0 in a report: the same counts give the same bytes
			value = 0.0;
		}
	}

	/** A defined value. */
	public static FairnessValue of(double value) {
		return new FairnessValue(value, null);
	}

	/** An undefined value. */
	public static FairnessValue undefined(String reason) {
		return new FairnessValue(Double.NaN, reason);
	}

	/**
	 * {@code numerator / denominator}, undefined with the reason when the denominator is
	 * 0.
	 */
	public static FairnessValue ratio(double numerator, double denominator, String reasonWhenZero) {
		return (denominator == 0) ? undefined(reasonWhenZero) : of(numerator / denominator);
	}

	/** Whether the value is defined. */
	public boolean defined() {
		return this.reason == null;
	}

}
