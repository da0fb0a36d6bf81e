package dev.warden.platform.fairness.internal;

/**
 * The confusion counts of a group of rows: actual (label) against predicted class.
 *
 * @param tp actual positive, predicted positive
 * @param fp actual negative, predicted positive
 * @param tn actual negative, predicted negative
 * @param fn actual positive, predicted negative
 */
public record GroupCounts(long tp, long fp, long tn, long fn) {

	/** No rows. */
	public static final GroupCounts EMPTY = new GroupCounts(0, 0, 0, 0);

	public GroupCounts {
		if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
			throw new IllegalArgumentException("counts cannot be negative");
		}
	}

	/** Rows. */
	public long n() {
		return this.tp + this.fp + this.tn + this.fn;
	}

	/** Actual positives (TP + FN). */
	public long positives() {
		return this.tp + this.fn;
	}

	/** Actual negatives (FP + TN). */
	public long negatives() {
		return this.fp + this.tn;
	}

	/** Predicted positives (TP + FP). */
	public long predictedPositives() {
		return this.tp + this.fp;
	}

	/** Correct predictions (TP + TN). */
	public long correct() {
		return this.tp + this.tn;
	}

	/** The counts of both groups together. */
	public GroupCounts plus(GroupCounts other) {
		return new GroupCounts(this.tp + other.tp, this.fp + other.fp, this.tn + other.tn, this.fn + other.fn);
	}

}
