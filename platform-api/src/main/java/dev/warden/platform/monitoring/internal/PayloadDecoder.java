package dev.warden.platform.monitoring.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Reads a successful data-plane call's request and answer into rows of input values and
 * answers, for counting only (nothing read here is kept or logged):
 * <ul>
 * <li>TensorFlow Serving {@code :predict}: {@code instances} (row format: objects by
 * input name, or bare values for a model with one input) or {@code inputs} (columnar: an
 * object of arrays by input name, or one array); answers {@code predictions} (objects
 * with {@code class_id}, {@code probabilities} or {@code probability}; an array of
 * probabilities; a number) or {@code outputs} (columnar, the same names);</li>
 * <li>Open Inference Protocol v2 {@code infer}: {@code inputs} and {@code outputs} as
 * {@code [{name, datatype, shape, data}]}, {@code data} flat or nested in row-major
 * order; row i of a tensor of shape [n, …] is its i-th slice, and an input's value is the
 * slice's first element.</li>
 * </ul>
 * A call whose request and answer disagree on the number of rows is not counted.
 */
public final class PayloadDecoder {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PayloadDecoder() {
	}

	/**
	 * One call's rows.
	 *
	 * @param inputs by input name, one value per row (a {@code null} element: the row
	 * lacks it)
	 * @param classIds one per row, {@code null} when the answer has none
	 * @param probabilities one per row, {@code null} when the answer has none
	 */
	public record Decoded(int rows, Map<String, List<JsonNode>> inputs, List<Integer> classIds,
			List<double[]> probabilities) {
	}

	/**
	 * @param openInference an Open Inference Protocol v2 call (else TF Serving)
	 * @param singleInput the name of the model's only input (for bare values), or
	 * {@code null}
	 * @return the rows, or {@code null} when the bodies cannot be read or disagree
	 */
	public static Decoded decode(boolean openInference, byte[] request, byte[] response, String singleInput) {
		JsonNode in;
		JsonNode out;
		try {
			in = JSON.readTree(request);
			out = JSON.readTree(response);
		}
		catch (JacksonException ex) {
			return null;
		}
		if (in == null || out == null || !in.isObject() || !out.isObject()) {
			return null;
		}
		Decoded decoded = openInference ? v2(in, out) : v1(in, out, singleInput);
		if (decoded == null || decoded.rows() == 0 || decoded.classIds().size() != decoded.rows()) {
			return null;
		}
		for (List<JsonNode> column : decoded.inputs().values()) {
			if (column.size() != decoded.rows()) {
				return null;
			}
		}
		return decoded;
	}

	private static Decoded v1(JsonNode in, JsonNode out, String singleInput) {
		Map<String, List<JsonNode>> inputs = new HashMap<>();
		int rows;
		JsonNode instances = in.get("instances");
		JsonNode columns = in.get("inputs");
		if (instances != null && instances.isArray()) {
			int n = instances.size();
			rows = n;
			for (int i = 0; i < n; i++) {
				JsonNode instance = instances.get(i);
				if (instance.isObject()) {
					for (Map.Entry<String, JsonNode> entry : instance.properties()) {
						inputs.computeIfAbsent(entry.getKey(), (k) -> nulls(n)).set(i, entry.getValue());
					}
				}
				else if (singleInput != null) {
					inputs.computeIfAbsent(singleInput, (k) -> nulls(n)).set(i, instance);
				}
			}
		}
		else if (columns != null && columns.isObject()) {
			rows = -1;
			for (Map.Entry<String, JsonNode> entry : columns.properties()) {
				List<JsonNode> values = column(entry.getValue());
				if (rows >= 0 && values.size() != rows) {
					return null;
				}
				rows = values.size();
				inputs.put(entry.getKey(), values);
			}
		}
		else if (columns != null && columns.isArray() && singleInput != null) {
			List<JsonNode> values = column(columns);
			rows = values.size();
			inputs.put(singleInput, values);
		}
		else {
			return null;
		}
		if (rows <= 0) {
			return null;
		}
		List<Integer> classIds = new ArrayList<>(rows);
		List<double[]> probabilities = new ArrayList<>(rows);
		JsonNode predictions = out.get("predictions");
		JsonNode outputs = out.get("outputs");
		if (predictions != null && predictions.isArray()) {
			for (JsonNode row : predictions) {
				answer(row, classIds, probabilities);
			}
		}
		else if (outputs != null && outputs.isObject()) {
			int n = -1;
			for (Map.Entry<String, JsonNode> entry : outputs.properties()) {
				if (entry.getValue().isArray()) {
					n = Math.max(n, entry.getValue().size());
				}
			}
			for (int i = 0; i < n; i++) {
				var row = JsonNodeFactory.instance.objectNode();
				for (Map.Entry<String, JsonNode> entry : outputs.properties()) {
					if (entry.getValue().isArray() && i < entry.getValue().size()) {
						row.set(entry.getKey(), entry.getValue().get(i));
					}
				}
				answer(row, classIds, probabilities);
			}
		}
		else if (outputs != null && outputs.isArray()) {
			for (JsonNode row : outputs) {
				answer(row, classIds, probabilities);
			}
		}
		else {
			return null;
		}
		return new Decoded(rows, inputs, classIds, probabilities);
	}

	/** A columnar input's values: an array's elements, a scalar as one row. */
	private static List<JsonNode> column(JsonNode value) {
		List<JsonNode> values = new ArrayList<>();
		if (value.isArray()) {
			value.forEach(values::add);
		}
		else {
			values.add(value);
		}
		return values;
	}

	private static List<JsonNode> nulls(int rows) {
		List<JsonNode> values = new ArrayList<>(rows);
		for (int i = 0; i < rows; i++) {
			values.add(null);
		}
		return values;
	}

	/** Reads one answer row as {@code explainability.internal.Prediction} does. */
	static void answer(JsonNode row, List<Integer> classIds, List<double[]> probabilities) {
		double[] p = null;
		Integer classId = null;
		if (row.isObject()) {
			JsonNode vector = row.path("probabilities");
			if (vector.isArray() && !vector.isEmpty() && vector.get(0).isNumber()) {
				p = numbers(vector);
			}
			else if (row.path("probability").isNumber()) {
				double x = row.path("probability").asDouble();
				p = new double[] { 1 - x, x };
			}
			JsonNode id = row.path("class_id");
			while (id.isArray() && id.size() == 1) {
				id = id.get(0);
			}
			if (id.isIntegralNumber()) {
				classId = id.asInt();
			}
		}
		else if (row.isArray() && !row.isEmpty() && row.get(0).isNumber()) {
			p = numbers(row);
		}
		else if (row.isNumber()) {
			double x = row.asDouble();
			p = new double[] { 1 - x, x };
		}
		classIds.add(classId);
		probabilities.add(p);
	}

	private static double[] numbers(JsonNode array) {
		double[] values = new double[array.size()];
		for (int i = 0; i < values.length; i++) {
			values[i] = array.get(i).asDouble();
		}
		return values;
	}

	private static Decoded v2(JsonNode in, JsonNode out) {
		JsonNode tensors = in.get("inputs");
		if (tensors == null || !tensors.isArray()) {
			return null;
		}
		Map<String, List<JsonNode>> inputs = new HashMap<>();
		int rows = -1;
		for (JsonNode tensor : tensors) {
			List<List<JsonNode>> slices = slices(tensor);
			if (slices == null || (rows >= 0 && slices.size() != rows)) {
				return null;
			}
			rows = slices.size();
			List<JsonNode> values = new ArrayList<>(rows);
			for (List<JsonNode> slice : slices) {
				values.add(slice.isEmpty() ? null : slice.get(0));
			}
			inputs.put(tensor.path("name").asString(""), values);
		}
		JsonNode answers = out.get("outputs");
		if (rows <= 0 || answers == null || !answers.isArray()) {
			return null;
		}
		List<JsonNode> answerRows = new ArrayList<>(rows);
		for (int i = 0; i < rows; i++) {
			answerRows.add(JsonNodeFactory.instance.objectNode());
		}
		for (JsonNode tensor : answers) {
			List<List<JsonNode>> slices = slices(tensor);
			String name = tensor.path("name").asString("");
			if (slices == null || slices.size() != rows || name.isEmpty()) {
				continue;
			}
			for (int i = 0; i < rows; i++) {
				List<JsonNode> slice = slices.get(i);
				var row = (tools.jackson.databind.node.ObjectNode) answerRows.get(i);
				if ("probabilities".equals(name)) {
					ArrayNode array = row.putArray(name);
					slice.forEach(array::add);
				}
				else if (!slice.isEmpty()) {
					row.set(name, slice.get(0));
				}
			}
		}
		List<Integer> classIds = new ArrayList<>(rows);
		List<double[]> probabilities = new ArrayList<>(rows);
		for (JsonNode row : answerRows) {
			answer(row, classIds, probabilities);
		}
		return new Decoded(rows, inputs, classIds, probabilities);
	}

	/**
	 * The rows of a v2 tensor: {@code data} flattened in row-major order and cut into
	 * {@code shape[0]} slices; {@code null} when shape and data disagree.
	 */
	private static List<List<JsonNode>> slices(JsonNode tensor) {
		JsonNode shape = tensor.path("shape");
		if (!shape.isArray() || shape.isEmpty() || !shape.get(0).isIntegralNumber()) {
			return null;
		}
		List<JsonNode> flat = new ArrayList<>();
		flatten(tensor.path("data"), flat);
		int rows = shape.get(0).asInt();
		if (rows <= 0 || flat.size() % rows != 0) {
			return null;
		}
		int per = flat.size() / rows;
		List<List<JsonNode>> slices = new ArrayList<>(rows);
		for (int i = 0; i < rows; i++) {
			slices.add(flat.subList(i * per, (i + 1) * per));
		}
		return slices;
	}

	private static void flatten(JsonNode data, List<JsonNode> into) {
		if (data.isArray()) {
			for (JsonNode element : data) {
				flatten(element, into);
			}
		}
		else if (!data.isMissingNode()) {
			into.add(data);
		}
	}

}
