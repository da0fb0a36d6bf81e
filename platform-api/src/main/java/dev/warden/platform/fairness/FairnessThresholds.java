package dev.warden.platform.fairness;

/**
 * The lines a fairness report's PDF draws and flags against. The admin API's PDF uses
 * {@link #DEFAULT}; a caller with a policy of its own (promotion) passes its thresholds
 * to {@link FairnessReports#pdf(java.util.UUID, FairnessThresholds)}.
 *
 * @param fourFifths a group whose selection rate is below this share of the highest
 * group's is flagged (the four-fifths rule: 0.8)
 */
public record FairnessThresholds(double fourFifths) {

	/** The four-fifths rule of the US Uniform Guidelines (29 CFR 1607.4(D)). */
	public static final FairnessThresholds DEFAULT = new FairnessThresholds(0.8);

	public FairnessThresholds {
		if (!(fourFifths > 0 && fourFifths <= 1)) {
			throw new IllegalArgumentException("fourFifths must be in (0, 1]");
		}
	}

}
