package dev.warden.platform.explainability.internal;

import tools.jackson.databind.JsonNode;

/**
 * One row of a model's answer, as far as reports need it.
 *
 * @param classId the predicted class ({@code class_id}, or the index of the largest
 * probability), {@code null} when the answer has neither
 * @param probabilities the class probabilities ({@code probabilities}; a single
 * {@code probability} p is read as {@code [1 - p, p]}), {@code null} when absent
 * @param raw the row as the worker answered it
 */
public record Prediction(Integer classId, double[] probabilities, JsonNode raw) {

	/**
	 * Reads a TF Serving row-format prediction leniently: an object with {@code class_id}
	 * and/or {@code probabilities} / {@code probability}, an array of probabilities, or a
	 * single number (a probability of class 1).
	 */
	public static Prediction of(JsonNode row) {
		double[] probabilities = null;
		Integer classId = null;
		if (row.isObject()) {
			JsonNode vector = row.path("probabilities");
			if (vector.isArray() && !vector.isEmpty()) {
				probabilities = numbers(vector);
			}
			else if (row.path("probability").isNumber()) {
				double p = row.path("probability").asDouble();
				probabilities = new double[] { 1 - p, p };
			}
			JsonNode id = row.path("class_id");
			if (id.isIntegralNumber()) {
				classId = id.asInt();
			}
			else if (id.isArray() && id.size() == 1 && id.get(0).isIntegralNumber()) {
				classId = id.get(0).asInt();
			}
		}
		else if (row.isArray() && !row.isEmpty() && row.get(0).isNumber()) {
			probabilities = numbers(row);
		}
		else if (row.isNumber()) {
			double p = row.asDouble();
			probabilities = new double[] { 1 - p, p };
		}
		if (classId == null && probabilities != null) {
			int best = 0;
			for (int i = 1; i < probabilities.length; i++) {
				if (probabilities[i] > probabilities[best]) {
					best = i;
				}
			}
			classId = best;
		}
		return new Prediction(classId, probabilities, row);
	}

	private static double[] numbers(JsonNode array) {
		double[] values = new double[array.size()];
		for (int i = 0; i < values.length; i++) {
			values[i] = array.get(i).asDouble();
		}
		return values;
	}

	/**
	 * The probability of {@code classIndex}, or {@code NaN} when the answer has no such
	 * probability.
	 */
	public double probability(int classIndex) {
		return (this.probabilities != null && classIndex >= 0 && classIndex < this.probabilities.length)
				? this.probabilities[classIndex] : Double.NaN;
	}

}
