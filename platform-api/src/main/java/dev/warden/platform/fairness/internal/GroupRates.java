package dev.warden.platform.fairness.internal;

import java.util.List;

/**
 * A group's rates from its confusion counts, each undefined (with the reason) when its
 * denominator is 0.
 */
final class GroupRates {

	/** The rates, in the order of a report's {@code metrics} object. */
	static final List<String> NAMES = List.of("base_rate", "selection_rate", "accuracy", "tpr", "fpr", "fnr",
			"precision");

	static final String NO_ROWS = "no rows in the group";

	static final String NO_POSITIVES = "no actual positives in the group";

	static final String NO_NEGATIVES = "no actual negatives in the group";

	static final String NO_PREDICTED_POSITIVES = "no predicted positives in the group";

	private GroupRates() {
	}

	/** (TP + FN) / n */
	static FairnessValue baseRate(GroupCounts c) {
		return FairnessValue.ratio(c.positives(), c.n(), NO_ROWS);
	}

	/** (TP + FP) / n */
	static FairnessValue selectionRate(GroupCounts c) {
		return FairnessValue.ratio(c.predictedPositives(), c.n(), NO_ROWS);
	}

	/** (TP + TN) / n */
	static FairnessValue accuracy(GroupCounts c) {
		return FairnessValue.ratio(c.correct(), c.n(), NO_ROWS);
	}

	/** TP / (TP + FN) */
	static FairnessValue tpr(GroupCounts c) {
		return FairnessValue.ratio(c.tp(), c.positives(), NO_POSITIVES);
	}

	/** FP / (FP + TN) */
	static FairnessValue fpr(GroupCounts c) {
		return FairnessValue.ratio(c.fp(), c.negatives(), NO_NEGATIVES);
	}

	/** FN / (TP + FN) */
	static FairnessValue fnr(GroupCounts c) {
		return FairnessValue.ratio(c.fn(), c.positives(), NO_POSITIVES);
	}

	/** TP / (TP + FP) */
	static FairnessValue precision(GroupCounts c) {
		return FairnessValue.ratio(c.tp(), c.predictedPositives(), NO_PREDICTED_POSITIVES);
	}

	/**
	 * The numerator and denominator of each rate of {@link #NAMES}, for its Wilson
	 * interval.
	 */
	static long[][] fractions(GroupCounts c) {
		return new long[][] { { c.positives(), c.n() }, { c.predictedPositives(), c.n() }, { c.correct(), c.n() },
				{ c.tp(), c.positives() }, { c.fp(), c.negatives() }, { c.fn(), c.positives() },
				{ c.tp(), c.predictedPositives() } };
	}

	/** The rates of {@link #NAMES}, in order. */
	static FairnessValue[] all(GroupCounts c) {
		return new FairnessValue[] { baseRate(c), selectionRate(c), accuracy(c), tpr(c), fpr(c), fnr(c), precision(c) };
	}

}
