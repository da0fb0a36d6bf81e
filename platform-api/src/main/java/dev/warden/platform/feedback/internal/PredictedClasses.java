package dev.warden.platform.feedback.internal;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The predicted class of every row of a logged answer, decided as a fairness check
 * decides it (docs/governance.md): from the class probabilities when the answer has them,
 * a row is predicted the positive class when its probability is at least the threshold,
 * else the most probable other class; a single probability (a sigmoid output) is P(class
 * 1): class 1 when at least the threshold, else 0; only when the answer has no
 * probability at all is its class id taken as it is. Read from:
 * <ul>
 * <li>TF Serving {@code :predict}: {@code {"predictions": [row, …]}} (or the columnar
 * {@code {"outputs": …}}), a row being a probability, an array of class probabilities, or
 * an object with {@code probabilities}, {@code probability} or
 * {@code class_id}/{@code class_ids};</li>
 * <li>TF Serving {@code :classify}: {@code {"results": [[["<class>", score], …], …]}},
 * classes named by their index;</li>
 * <li>Open Inference {@code /infer}: the output {@code probabilities}, else
 * {@code probability}, else {@code class_id}/{@code class_ids}, else the only output
 * (shape {@code [n, k]}: probabilities; {@code [n]} or {@code [n, 1]}: one probability
 * per row, or a class id for an integer type).</li>
 * </ul>
 * A regression, or an answer from which no class can be taken, is a {@link Unreadable}
 * naming why.
 */
public final class PredictedClasses {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final double threshold;

	private final int positiveClass;

	/**
	 * @param threshold a row is predicted the positive class when its probability is at
	 * least this
	 * @param positiveClass the index of the positive class in the probabilities
	 */
	public PredictedClasses(double threshold, int positiveClass) {
		this.threshold = threshold;
		this.positiveClass = positiveClass;
	}

	/**
	 * @param answer the logged answer (JSON)
	 * @param path the canonical path of the call
	 * @return the predicted classes, and how many classes the model has (0: not known)
	 * @throws Unreadable when no class can be taken from the answer
	 */
	public Prediction read(byte[] answer, String path) {
		if (path.endsWith(":regress")) {
			throw new Unreadable("the prediction is a regression, which has no class");
		}
		JsonNode root;
		try {
			root = JSON.readTree(answer);
		}
		catch (JacksonException ex) {
			throw new Unreadable("the logged answer is not JSON");
		}
		if (!(root instanceof ObjectNode object)) {
			throw new Unreadable("the logged answer is not a JSON object");
		}
		if (path.startsWith("/v2/")) {
			return openInference(object);
		}
		if (path.endsWith(":classify")) {
			return classify(object.get("results"));
		}
		JsonNode predictions = object.get("predictions");
		if (predictions instanceof ArrayNode rows) {
			return rows(rows);
		}
		JsonNode outputs = object.get("outputs");
		if (outputs instanceof ArrayNode rows) {
			return rows(rows);
		}
		if (outputs instanceof ObjectNode named) {
			return columns(named);
		}
		throw new Unreadable("the logged answer has no 'predictions' (or 'outputs')");
	}

	private Prediction rows(ArrayNode rows) {
		if (rows.isEmpty()) {
			throw new Unreadable("the logged answer has no rows");
		}
		int[] classes = new int[rows.size()];
		int classCount = -1;
		for (int r = 0; r < rows.size(); r++) {
			JsonNode row = rows.get(r);
			Decided decided;
			if (row instanceof ObjectNode named) {
				decided = named(named, r);
			}
			else {
				decided = value(row, r);
			}
			classes[r] = decided.predicted();
			classCount = (r == 0 || classCount == decided.classes()) ? decided.classes() : 0;
		}
		return new Prediction(classes, Math.max(0, classCount));
	}

	private Decided named(ObjectNode row, int r) {
		JsonNode probabilities = row.get("probabilities");
		if (probabilities != null) {
			return value(probabilities, r);
		}
		JsonNode probability = row.get("probability");
		if (probability != null) {
			return value(probability, r);
		}
		JsonNode id = (row.get("class_id") != null) ? row.get("class_id") : row.get("class_ids");
		if (id != null) {
			return classId(id, r);
		}
		throw new Unreadable(
				"row " + (r + 1) + " of the logged answer has no 'probabilities', 'probability' or 'class_id'");
	}

	private Prediction columns(ObjectNode columns) {
		JsonNode column = columns.get("probabilities");
		if (column == null) {
			column = columns.get("probability");
		}
		boolean ids = false;
		if (column == null) {
			column = (columns.get("class_id") != null) ? columns.get("class_id") : columns.get("class_ids");
			ids = true;
		}
		if (!(column instanceof ArrayNode rows) || rows.isEmpty()) {
			throw new Unreadable("the logged answer's outputs have no 'probabilities', 'probability' or 'class_id'");
		}
		int[] classes = new int[rows.size()];
		int classCount = -1;
		for (int r = 0; r < rows.size(); r++) {
			Decided decided = ids ? classId(rows.get(r), r) : value(rows.get(r), r);
			classes[r] = decided.predicted();
			classCount = (r == 0 || classCount == decided.classes()) ? decided.classes() : 0;
		}
		return new Prediction(classes, Math.max(0, classCount));
	}

	/** A probability, a vector of class probabilities, or a one-element vector. */
	private Decided value(JsonNode value, int r) {
		if (value != null && value.isNumber()) {
			return single(value.asDouble(), r);
		}
		if (value instanceof ArrayNode vector && !vector.isEmpty()) {
			if (vector.size() == 1) {
				return value(vector.get(0), r);
			}
			double[] p = new double[vector.size()];
			for (int k = 0; k < p.length; k++) {
				if (!vector.get(k).isNumber()) {
					throw new Unreadable("row " + (r + 1) + " of the logged answer has a probability that is not a "
							+ "number (redacted, or not a classification)");
				}
				p[k] = vector.get(k).asDouble();
			}
			return vector(p, r);
		}
		throw new Unreadable("row " + (r + 1) + " of the logged answer is not a probability or a vector of class "
				+ "probabilities (redacted, or not a classification)");
	}

	private Decided single(double p, int r) {
		if (!(p >= 0 && p <= 1)) {
			throw new Unreadable("row " + (r + 1) + " of the logged answer is " + p
					+ ", not a probability in [0, 1] (a regression has no class)");
		}
		return new Decided((p >= this.threshold) ? 1 : 0, 2);
	}

	private Decided vector(double[] p, int r) {
		for (double value : p) {
			if (!(value >= 0 && value <= 1)) {
				throw new Unreadable(
						"row " + (r + 1) + " of the logged answer has " + value + ", not a probability in [0, 1]");
			}
		}
		if (this.positiveClass >= p.length) {
			throw new Unreadable("row " + (r + 1) + " of the logged answer has no probability of class "
					+ this.positiveClass + " (it has " + p.length + " classes)");
		}
		if (p[this.positiveClass] >= this.threshold) {
			return new Decided(this.positiveClass, p.length);
		}
		int best = -1;
		for (int k = 0; k < p.length; k++) {
			if (k != this.positiveClass && (best < 0 || p[k] > p[best])) {
				best = k;
			}
		}
		return new Decided(best, p.length);
	}

	private static Decided classId(JsonNode id, int r) {
		JsonNode value = (id instanceof ArrayNode one && one.size() == 1) ? one.get(0) : id;
		if (value == null || !value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0) {
			throw new Unreadable(
					"row " + (r + 1) + " of the logged answer has a class id that is not a " + "non-negative integer");
		}
		return new Decided(value.asInt(), 0);
	}

	private Prediction classify(JsonNode results) {
		if (!(results instanceof ArrayNode rows) || rows.isEmpty()) {
			throw new Unreadable("the logged :classify answer has no 'results'");
		}
		int[] classes = new int[rows.size()];
		int classCount = -1;
		for (int r = 0; r < rows.size(); r++) {
			if (!(rows.get(r) instanceof ArrayNode pairs) || pairs.isEmpty()) {
				throw new Unreadable("row " + (r + 1) + " of the logged :classify answer has no classes");
			}
			List<double[]> scored = new ArrayList<>();
			int size = 0;
			for (JsonNode pair : pairs) {
				if (!(pair instanceof ArrayNode entry) || entry.size() != 2 || !entry.get(0).isString()
						|| !entry.get(1).isNumber()) {
					throw new Unreadable("row " + (r + 1) + " of the logged :classify answer is not a list of "
							+ "[class, score] pairs");
				}
				int label;
				try {
					label = Integer.parseInt(entry.get(0).asString());
				}
				catch (NumberFormatException ex) {
					throw new Unreadable("row " + (r + 1) + " of the logged :classify answer names a class '"
							+ abbreviate(entry.get(0).asString()) + "' that is not a class index");
				}
				if (label < 0 || label > FeedbackParser.MAX_LABEL) {
					throw new Unreadable("row " + (r + 1) + " of the logged :classify answer names class " + label);
				}
				scored.add(new double[] { label, entry.get(1).asDouble() });
				size = Math.max(size, label + 1);
			}
			double[] p = new double[size];
			for (double[] entry : scored) {
				p[(int) entry[0]] = entry[1];
			}
			Decided decided = (size == 1) ? new Decided(0, 1) : vector(p, r);
			classes[r] = decided.predicted();
			classCount = (r == 0 || classCount == decided.classes()) ? decided.classes() : 0;
		}
		return new Prediction(classes, Math.max(0, classCount));
	}

	private Prediction openInference(ObjectNode answer) {
		if (!(answer.get("outputs") instanceof ArrayNode outputs) || outputs.isEmpty()) {
			throw new Unreadable("the logged /infer answer has no 'outputs'");
		}
		JsonNode chosen = null;
		for (String name : List.of("probabilities", "probability", "class_id", "class_ids")) {
			for (JsonNode output : outputs) {
				if (chosen == null && name.equals(output.path("name").asString(null))) {
					chosen = output;
				}
			}
		}
		if (chosen == null && outputs.size() == 1) {
			chosen = outputs.get(0);
		}
		if (chosen == null) {
			throw new Unreadable("the logged /infer answer has several outputs and none is named 'probabilities', "
					+ "'probability' or 'class_id'");
		}
		JsonNode shape = chosen.get("shape");
		JsonNode data = chosen.get("data");
		String type = chosen.path("datatype").asString("");
		if (!(shape instanceof ArrayNode dims) || dims.isEmpty() || dims.size() > 2
				|| !(data instanceof ArrayNode values) || !dims.get(0).canConvertToInt()) {
			throw new Unreadable("the logged /infer output has no usable 'shape' and 'data'");
		}
		int rows = dims.get(0).asInt();
		int width = (dims.size() == 2 && dims.get(1).canConvertToInt()) ? dims.get(1).asInt() : 1;
		if (rows < 1 || width < 1 || (long) rows * width != values.size()) {
			throw new Unreadable("the logged /infer output's data does not match its shape");
		}
		boolean ids = type.startsWith("INT") || type.startsWith("UINT");
		int[] classes = new int[rows];
		int classCount = 0;
		for (int r = 0; r < rows; r++) {
			Decided decided;
			if (ids && width == 1) {
				decided = classId(values.get(r), r);
			}
			else if (width == 1) {
				decided = value(values.get(r), r);
			}
			else {
				ArrayNode vector = JSON.createArrayNode();
				for (int k = 0; k < width; k++) {
					vector.add(values.get(r * width + k));
				}
				decided = value(vector, r);
			}
			classes[r] = decided.predicted();
			classCount = decided.classes();
		}
		return new Prediction(classes, classCount);
	}

	private static String abbreviate(String text) {
		String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
		return (printable.length() <= 24) ? printable : printable.substring(0, 24) + "…";
	}

	/**
	 * The predicted class of every row.
	 *
	 * @param classes one class per row
	 * @param classCount how many classes the model has, or 0 when the answer does not say
	 */
	public record Prediction(int[] classes, int classCount) {

		public int rows() {
			return this.classes.length;
		}

	}

	private record Decided(int predicted, int classes) {
	}

	/** An answer from which no class can be taken. */
	public static final class Unreadable extends RuntimeException {

		public Unreadable(String message) {
			super(message, null, false, false);
		}

	}

}
