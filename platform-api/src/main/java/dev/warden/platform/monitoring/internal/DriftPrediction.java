package dev.warden.platform.monitoring.internal;

import java.util.List;

/**
 * The prediction's bins in a reference profile: the predicted class (the index of the
 * answer's largest probability, else its {@code class_id}) with one bin per class the
 * reference predicted, then {@code other}, then {@code missing}; and the score (the
 * probability of class 1 when there are two classes, else the largest probability) in the
 * fixed bins [0, 0.1), [0.1, 0.2), …, [0.9, 1] (a value outside [0, 1] falls into an end
 * bin), then {@code missing}.
 *
 * @param classes the classes the reference predicted, ascending
 * @param offset the first index of the prediction's counts in the count vector
 */
public record DriftPrediction(List<Integer> classes, int offset) {

	/** The score bins' edges. */
	public static final double[] SCORE_EDGES = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };

	/** Number of score bins. */
	public static final int SCORE_BINS = SCORE_EDGES.length + 1;

	public DriftPrediction {
		classes = List.copyOf(classes);
	}

	/** Counts of the class distribution: classes, other, missing. */
	public int classSize() {
		return this.classes.size() + 2;
	}

	/** Index of the first score count. */
	public int scoreOffset() {
		return this.offset + classSize();
	}

	/** Counts of the score distribution: score bins, missing. */
	public int scoreSize() {
		return SCORE_BINS + 1;
	}

	public int size() {
		return classSize() + scoreSize();
	}

	/**
	 * The predicted class of an answer: the index of its largest probability (the first
	 * of equal ones), else its {@code class_id}, else {@code null}. (The reference is
	 * predicted through the worker's probabilities, so live answers are read the same
	 * way.)
	 */
	public static Integer predictedClass(Integer classId, double[] probabilities) {
		if (probabilities == null || probabilities.length == 0) {
			return classId;
		}
		int best = 0;
		for (int i = 1; i < probabilities.length; i++) {
			if (probabilities[i] > probabilities[best]) {
				best = i;
			}
		}
		return best;
	}

	/** The score of an answer, or {@code NaN}. */
	public static double score(double[] probabilities) {
		if (probabilities == null || probabilities.length == 0) {
			return Double.NaN;
		}
		if (probabilities.length == 2) {
			return probabilities[1];
		}
		double max = probabilities[0];
		for (double p : probabilities) {
			max = Math.max(max, p);
		}
		return max;
	}

	/** Counts one answer. */
	public void count(Integer classId, double[] probabilities, long[] counts) {
		Integer predicted = predictedClass(classId, probabilities);
		if (predicted == null) {
			counts[this.offset + this.classes.size() + 1]++;
		}
		else {
			int at = this.classes.indexOf(predicted);
			counts[this.offset + ((at >= 0) ? at : this.classes.size())]++;
		}
		double score = score(probabilities);
		if (Double.isFinite(score)) {
			counts[scoreOffset() + DriftFeature.bin(SCORE_EDGES, score)]++;
		}
		else {
			counts[scoreOffset() + SCORE_BINS]++;
		}
	}

}
