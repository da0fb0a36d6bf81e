package dev.warden.worker.serving;

import java.util.ArrayList;
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

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses a TF Serving REST predict body and validates it against the servable's
 * signature: the row format ({@code instances}) and the columnar format ({@code inputs}),
 * with an optional {@code signature_name}.
 *
 * <p>
 * A body is first decoded by {@link StreamingPredictDecoder} (no JSON tree, values
 * checked as they are read); what that does not accept is parsed here into a tree, which
 * either accepts it (a few rare shapes only the tree path handles) or answers the 400
 * that names the problem.
 */
final class PredictRequestParser {

	static final String DEFAULT_SIGNATURE = "serving_default";

	private static final Set<String> FIELDS = Set.of("signature_name", "instances", "inputs");

	// NaN and Infinity are parsed so that they can be rejected with a message naming the
	// input
	static final JsonMapper JSON = JsonMapper.builder()
		.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private PredictRequestParser() {
	}

	static PredictRequest parse(byte[] body, LoadedServable servable) {
		return parse(body, servable.signatures(), servable.unusableSignatures());
	}

	/**
	 * @param signatures the version's servable signatures by key
	 * @param unusable the signatures it cannot serve, with the reason
	 */
	static PredictRequest parse(byte[] body, Map<String, SignatureSpec> signatures, Map<String, String> unusable) {
		PredictRequest streamed = StreamingPredictDecoder.tryDecode(body, signatures);
		return streamed != null ? streamed : parseTree(body, signatures, unusable);
	}

	/**
	 * The tree path: reads the body into a {@code JsonNode} tree and checks it step by
	 * step, phrasing the error for whatever is wrong. Used for the bodies
	 * {@link StreamingPredictDecoder} does not accept.
	 */
	static PredictRequest parseTree(byte[] body, Map<String, SignatureSpec> signatures, Map<String, String> unusable) {
		JsonNode root = readJson(body);
		if (!root.isObject()) {
			throw ApiException
				.invalidArgument("request body must be a JSON object, got " + InputDecoder.describe(root));
		}
		for (String field : root.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw ApiException.invalidArgument(
						"unknown field '" + field + "' (expected signature_name and one of instances or inputs)");
			}
		}
		SignatureSpec signature = signature(root.get("signature_name"), signatures, unusable);
		JsonNode instances = root.get("instances");
		JsonNode inputs = root.get("inputs");
		if (instances != null && inputs != null) {
			throw ApiException.invalidArgument("request must have either 'instances' or 'inputs', not both");
		}
		if (instances == null && inputs == null) {
			throw ApiException
				.invalidArgument("request must have 'instances' (row format) or 'inputs' (columnar format)");
		}
		return instances != null
				? new PredictRequest(signature.key(), PredictRequest.Format.ROW, rows(instances, signature))
				: new PredictRequest(signature.key(), PredictRequest.Format.COLUMNAR, columns(inputs, signature));
	}

	static JsonNode readJson(byte[] body) {
		if (body == null || body.length == 0) {
			throw ApiException.invalidArgument("request body is empty; expected a JSON object");
		}
		try {
			return JSON.readTree(body);
		}
		catch (JacksonException ex) {
			throw ApiException.invalidArgument("request body is not valid JSON: " + ex.getOriginalMessage());
		}
	}

	static SignatureSpec signature(JsonNode name, LoadedServable servable) {
		return signature(name, servable.signatures(), servable.unusableSignatures());
	}

	static SignatureSpec signature(JsonNode name, Map<String, SignatureSpec> signatures, Map<String, String> unusable) {
		String key = DEFAULT_SIGNATURE;
		if (name != null && !name.isNull()) {
			if (!name.isString()) {
				throw ApiException
					.invalidArgument("signature_name must be a string, got " + InputDecoder.describe(name));
			}
			key = name.stringValue().isEmpty() ? DEFAULT_SIGNATURE : name.stringValue();
		}
		SignatureSpec signature = signatures.get(key);
		if (signature == null) {
			String reason = unusable.get(key);
			throw ApiException.invalidArgument((reason != null ? "signature '" + key + "' cannot be served: " + reason
					: "unknown signature_name '" + key + "'") + " (available: " + new TreeSet<>(signatures.keySet())
					+ ")");
		}
		return signature;
	}

	private static Map<String, InputColumn> rows(JsonNode instances, SignatureSpec signature) {
		return rows(instances, signature, "instances");
	}

	/**
	 * Rows in TF Serving's row format ({@code instances}, or another field of the same
	 * shape such as an explain request's {@code parameters.background}), validated
	 * against the signature; messages name {@code field}.
	 */
	static Map<String, InputColumn> rows(JsonNode instances, SignatureSpec signature, String field) {
		if (!instances.isArray()) {
			throw ApiException
				.invalidArgument("'" + field + "' must be an array of rows, got " + InputDecoder.describe(instances));
		}
		if (instances.isEmpty()) {
			throw ApiException.invalidArgument("'" + field + "' must not be empty");
		}
		Map<String, TensorSpec> specs = signature.inputs();
		Map<String, List<JsonNode>> values = new LinkedHashMap<>();
		specs.keySet().forEach(name -> values.put(name, new ArrayList<>()));
		String single = specs.size() == 1 ? specs.keySet().iterator().next() : null;
		for (int r = 0; r < instances.size(); r++) {
			JsonNode row = instances.get(r);
			if (row.isObject()) {
				InputDecoder.checkNames(row.propertyNames(), specs, " in " + field + "[" + r + "]");
				for (String name : specs.keySet()) {
					values.get(name).add(row.get(name));
				}
			}
			else if (single != null) {
				values.get(single).add(row);
			}
			else {
				throw ApiException.invalidArgument(field + "[" + r + "]: expected an object with the inputs "
						+ specs.keySet() + ", got " + InputDecoder.describe(row));
			}
		}
		Map<String, InputColumn> columns = new LinkedHashMap<>();
		values.forEach((name, list) -> columns.put(name,
				InputDecoder.decode(specs.get(name), list, r -> " in " + field + "[" + r + "]")));
		return columns;
	}

	private static Map<String, InputColumn> columns(JsonNode inputs, SignatureSpec signature) {
		Map<String, TensorSpec> specs = signature.inputs();
		Map<String, JsonNode> given = new LinkedHashMap<>();
		if (inputs.isObject()) {
			InputDecoder.checkNames(inputs.propertyNames(), specs, " in inputs");
			specs.keySet().forEach(name -> given.put(name, inputs.get(name)));
		}
		else if (specs.size() == 1) {
			given.put(specs.keySet().iterator().next(), inputs);
		}
		else {
			throw ApiException.invalidArgument("'inputs' must be an object with the inputs " + specs.keySet() + ", got "
					+ InputDecoder.describe(inputs));
		}
		Map<String, InputColumn> columns = new LinkedHashMap<>();
		for (var entry : given.entrySet()) {
			TensorSpec spec = specs.get(entry.getKey());
			JsonNode value = entry.getValue();
			if (!value.isArray()) {
				throw InputDecoder.error(spec, "an array with one value per row", InputDecoder.describe(value),
						" in inputs");
			}
			if (value.isEmpty()) {
				throw InputDecoder.error(spec, "an array with one value per row", "an empty array", " in inputs");
			}
			List<JsonNode> rows = new ArrayList<>(value.size());
			value.forEach(rows::add);
			columns.put(entry.getKey(), InputDecoder.decode(spec, rows, r -> " in inputs (row " + r + ")"));
		}
		InputDecoder.checkSameRows(columns);
		return columns;
	}

}
