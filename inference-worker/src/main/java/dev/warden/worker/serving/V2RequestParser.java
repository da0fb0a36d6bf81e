package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.system.ApiException;

import tools.jackson.databind.JsonNode;

/**
 * Parses an Open Inference Protocol (KServe v2) infer body:
 * {@code {"id"?, "parameters"?, "inputs": [{"name", "shape", "datatype", "data",
 * "parameters"?}], "outputs"?: [{"name", "parameters"?}]}}.
 *
 * <p>
 * A body is first decoded by {@link StreamingInferDecoder} (no JSON tree); what that does
 * not accept is parsed here into a tree. Only the protocol's structure is checked here
 * (fields, names, the declared datatype and the shape's syntax); the tensors themselves
 * go through the same {@link InputDecoder} as the TF Serving formats, so both APIs accept
 * and reject exactly the same values. Parameters are accepted where the protocol allows
 * them; their values must be strings, numbers or booleans. One parameter is understood:
 * {@code signature_name} on the request (a Warden extension, like TF Serving's field of
 * that name); others are ignored, as the protocol leaves them to servers. An optional
 * field that is {@code null} ({@code id}, {@code parameters}, {@code outputs}) counts as
 * absent, as serializers of optional fields often write it.
 */
final class V2RequestParser {

	private static final Set<String> FIELDS = Set.of("id", "parameters", "inputs", "outputs");

	private static final Set<String> INPUT_FIELDS = Set.of("name", "shape", "datatype", "data", "parameters");

	private static final Set<String> OUTPUT_FIELDS = Set.of("name", "parameters");

	private V2RequestParser() {
	}

	static V2Request parse(byte[] body, LoadedServable servable) {
		return parse(body, servable.signatures(), servable.unusableSignatures());
	}

	/**
	 * @param signatures the version's servable signatures by key
	 * @param unusable the signatures it cannot serve, with the reason
	 */
	static V2Request parse(byte[] body, Map<String, SignatureSpec> signatures, Map<String, String> unusable) {
		V2Request streamed = StreamingInferDecoder.tryDecode(body, signatures);
		return streamed != null ? streamed : parseTree(body, signatures, unusable);
	}

	/**
	 * The tree path: reads the body into a {@code JsonNode} tree and checks it step by
	 * step, phrasing the error for whatever is wrong; used for the bodies
	 * {@link StreamingInferDecoder} does not accept.
	 */
	static V2Request parseTree(byte[] body, Map<String, SignatureSpec> signatures, Map<String, String> unusable) {
		JsonNode root = PredictRequestParser.readJson(body);
		if (!root.isObject()) {
			throw ApiException
				.invalidArgument("request body must be a JSON object, got " + InputDecoder.describe(root));
		}
		checkFields(root, FIELDS, "", "id, parameters, inputs and outputs");
		String id = null;
		JsonNode idNode = root.get("id");
		if (idNode != null && !idNode.isNull()) {
			if (!idNode.isString()) {
				throw ApiException.invalidArgument("'id' must be a string, got " + InputDecoder.describe(idNode));
			}
			id = idNode.stringValue();
		}
		JsonNode parameters = parameters(root.get("parameters"), "'parameters'");
		SignatureSpec signature = PredictRequestParser
			.signature(parameters == null ? null : parameters.get("signature_name"), signatures, unusable);
		Map<String, InputColumn> inputs = inputs(root.get("inputs"), signature);
		List<String> outputs = outputs(root.get("outputs"), signature);
		return new V2Request(id, signature, inputs, outputs);
	}

	private static Map<String, InputColumn> inputs(JsonNode inputs, SignatureSpec signature) {
		if (inputs == null) {
			throw ApiException.invalidArgument("request must have 'inputs': an array of {name, shape, datatype, data}");
		}
		if (!inputs.isArray()) {
			throw ApiException
				.invalidArgument("'inputs' must be an array of tensors, got " + InputDecoder.describe(inputs));
		}
		if (inputs.isEmpty()) {
			throw ApiException.invalidArgument("'inputs' must not be empty");
		}
		Map<String, TensorSpec> specs = signature.inputs();
		Map<String, Integer> positions = new LinkedHashMap<>();
		for (int i = 0; i < inputs.size(); i++) {
			JsonNode input = inputs.get(i);
			String where = " in inputs[" + i + "]";
			if (!input.isObject()) {
				throw ApiException.invalidArgument("inputs[" + i
						+ "]: expected an object {name, shape, datatype, data}, got " + InputDecoder.describe(input));
			}
			checkFields(input, INPUT_FIELDS, where, "name, shape, datatype, data and parameters");
			String name = requiredString(input, "name", where);
			Integer earlier = positions.putIfAbsent(name, i);
			if (earlier != null) {
				throw ApiException.invalidArgument(
						"input '" + name + "' is given twice (inputs[" + earlier + "] and inputs[" + i + "])");
			}
			for (String field : List.of("shape", "datatype", "data")) {
				if (input.get(field) == null) {
					throw ApiException.invalidArgument("input '" + name + "': missing '" + field + "'" + where);
				}
			}
			parameters(input.get("parameters"), "'parameters'" + where);
		}
		InputDecoder.checkNames(positions.keySet(), specs, " in inputs");
		Map<String, InputColumn> columns = new LinkedHashMap<>();
		for (TensorSpec spec : specs.values()) {
			int i = positions.get(spec.name());
			JsonNode input = inputs.get(i);
			String where = " in inputs[" + i + "]";
			checkDatatype(spec, input.get("datatype"), where);
			long[] shape = shape(spec, input.get("shape"), where);
			columns.put(spec.name(), InputDecoder.decodeTensor(spec, shape, input.get("data"),
					index -> index < 0 ? where : where + ".data[" + index + "]"));
		}
		InputDecoder.checkSameRows(columns);
		return columns;
	}

	private static List<String> outputs(JsonNode outputs, SignatureSpec signature) {
		List<String> all = new ArrayList<>(signature.outputs().keySet());
		if (outputs == null || outputs.isNull()) {
			return all;
		}
		if (!outputs.isArray()) {
			throw ApiException
				.invalidArgument("'outputs' must be an array of {name}, got " + InputDecoder.describe(outputs));
		}
		if (outputs.isEmpty()) {
			return all;
		}
		Map<String, Integer> names = new HashMap<>();
		List<String> selected = new ArrayList<>(outputs.size());
		for (int i = 0; i < outputs.size(); i++) {
			JsonNode output = outputs.get(i);
			String where = " in outputs[" + i + "]";
			if (!output.isObject()) {
				throw ApiException.invalidArgument(
						"outputs[" + i + "]: expected an object {name}, got " + InputDecoder.describe(output));
			}
			checkFields(output, OUTPUT_FIELDS, where, "name and parameters");
			String name = requiredString(output, "name", where);
			parameters(output.get("parameters"), "'parameters'" + where);
			if (!signature.outputs().containsKey(name)) {
				throw ApiException.invalidArgument("unknown output '" + name + "'" + where
						+ " (the signature's outputs are " + new TreeSet<>(signature.outputs().keySet()) + ")");
			}
			Integer earlier = names.putIfAbsent(name, i);
			if (earlier != null) {
				throw ApiException.invalidArgument(
						"output '" + name + "' is requested twice (outputs[" + earlier + "] and outputs[" + i + "])");
			}
			selected.add(name);
		}
		return selected;
	}

	private static void checkDatatype(TensorSpec spec, JsonNode datatype, String where) {
		String expected = V2Datatypes.of(spec.dtype());
		if (!datatype.isString()) {
			throw InputDecoder.error(spec, "datatype " + expected, InputDecoder.describe(datatype), where);
		}
		String given = datatype.stringValue();
		if (!given.equals(expected)) {
			String shown = given.length() > 40 ? given.substring(0, 40) + "…" : given;
			throw InputDecoder.error(spec, "datatype " + expected, V2Datatypes.PROTOCOL_NAMES.contains(given) ? given
					: "'" + shown + "', which is not a data type of the protocol", where);
		}
	}

	/**
	 * The declared shape: an array of integers, each representable as an unsigned 64-bit
	 * value (and a long).
	 */
	private static long[] shape(TensorSpec spec, JsonNode shape, String where) {
		if (!shape.isArray()) {
			throw InputDecoder.error(spec, "'shape' as an array of sizes", InputDecoder.describe(shape), where);
		}
		long[] sizes = new long[shape.size()];
		for (int axis = 0; axis < sizes.length; axis++) {
			JsonNode size = shape.get(axis);
			if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
				throw InputDecoder.error(spec, "'shape' as an array of non-negative integers",
						InputDecoder.describe(size) + " at dimension " + axis, where);
			}
			sizes[axis] = size.longValue();
		}
		return sizes;
	}

	private static JsonNode parameters(JsonNode parameters, String what) {
		if (parameters == null || parameters.isNull()) {
			return null;
		}
		if (!parameters.isObject()) {
			throw ApiException.invalidArgument(what + " must be an object, got " + InputDecoder.describe(parameters));
		}
		for (var entry : parameters.properties()) {
			JsonNode value = entry.getValue();
			if (!value.isString() && !value.isNumber() && !value.isBoolean()) {
				throw ApiException.invalidArgument("parameter '" + entry.getKey() + "' of " + what
						+ " must be a string, number or boolean, got " + InputDecoder.describe(value));
			}
		}
		return parameters;
	}

	private static String requiredString(JsonNode object, String field, String where) {
		JsonNode value = object.get(field);
		if (value == null) {
			throw ApiException.invalidArgument("missing '" + field + "'" + where);
		}
		if (!value.isString()) {
			throw ApiException
				.invalidArgument("'" + field + "' must be a string, got " + InputDecoder.describe(value) + where);
		}
		return value.stringValue();
	}

	private static void checkFields(JsonNode object, Set<String> allowed, String where, String expected) {
		for (String field : object.propertyNames()) {
			if (!allowed.contains(field)) {
				String shown = field.length() > 40 ? field.substring(0, 40) + "…" : field;
				throw ApiException
					.invalidArgument("unknown field '" + shown + "'" + where + " (expected " + expected + ")");
			}
		}
	}

}
