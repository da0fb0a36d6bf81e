package dev.warden.worker.serving;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.warden.worker.explain.ExplanationRequest;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.system.ApiException;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Parses an explain request, KServe v1's shape: {@code {"instances": [...], "parameters":
 * {...}}}. The instances are decoded exactly as {@code :predict} decodes them (TF
 * Serving's row format, validated against the serving signature); so are a
 * {@code baseline} given as a row and {@code background} rows. The other parameters are
 * only typed here; {@link dev.warden.worker.explain.Explanations} checks them against the
 * model. Every error names the field.
 */
final class ExplainRequestParser {

	private static final Set<String> FIELDS = Set.of("instances", "parameters");

	private static final Set<String> PARAMETERS = Set.of("method", "target", "output", "class", "steps", "max_steps",
			"integration", "baseline", "background", "background_size", "background_summary", "samples", "seed");

	private ExplainRequestParser() {
	}

	/** The instances and parameters of one explain request. */
	record Parsed(Map<String, InputColumn> instances, ExplanationRequest parameters) {
	}

	static Parsed parse(byte[] body, SignatureSpec serving) {
		JsonNode root = PredictRequestParser.readJson(body);
		if (!root.isObject()) {
			throw ApiException
				.invalidArgument("request body must be a JSON object, got " + InputDecoder.describe(root));
		}
		for (String field : root.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw ApiException
					.invalidArgument("unknown field '" + field + "' (an explain request has instances and parameters)");
			}
		}
		JsonNode instances = root.get("instances");
		if (instances == null) {
			throw ApiException.invalidArgument("request must have 'instances' (rows as :predict takes them)");
		}
		Map<String, InputColumn> rows = PredictRequestParser.rows(instances, serving, "instances");
		JsonNode parameters = root.get("parameters");
		if (parameters == null || parameters.isNull()) {
			return new Parsed(rows, ExplanationRequest.DEFAULTS);
		}
		if (!parameters.isObject()) {
			throw ApiException
				.invalidArgument("'parameters' must be an object, got " + InputDecoder.describe(parameters));
		}
		for (String name : parameters.propertyNames()) {
			if (!PARAMETERS.contains(name)) {
				throw ApiException.invalidArgument(
						"parameters: unknown parameter '" + name + "' (known: " + new TreeSet<>(PARAMETERS) + ")");
			}
		}
		return new Parsed(rows, new ExplanationRequest(string(parameters, "method"), string(parameters, "target"),
				string(parameters, "output"), integer(parameters, "class"), integer(parameters, "steps"),
				integer(parameters, "max_steps"), string(parameters, "integration"),
				baseline(parameters.get("baseline"), serving), background(parameters.get("background"), serving),
				integer(parameters, "background_size"), string(parameters, "background_summary"),
				integer(parameters, "samples"), seed(parameters.get("seed"))));
	}

	private static String string(JsonNode parameters, String name) {
		JsonNode value = parameters.get(name);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw ApiException
				.invalidArgument("parameters." + name + ": expected a string, got " + InputDecoder.describe(value));
		}
		return value.stringValue();
	}

	private static Integer integer(JsonNode parameters, String name) {
		JsonNode value = parameters.get(name);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isIntegralNumber() || !value.canConvertToInt()) {
			throw ApiException
				.invalidArgument("parameters." + name + ": expected an integer, got " + InputDecoder.describe(value));
		}
		return value.intValue();
	}

	private static Long seed(JsonNode value) {
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isIntegralNumber() || !value.canConvertToLong()) {
			throw ApiException
				.invalidArgument("parameters.seed: expected an integer, got " + InputDecoder.describe(value));
		}
		return value.longValue();
	}

	/** A named baseline, or one row of the serving inputs decoded like an instance. */
	private static ExplanationRequest.Baseline baseline(JsonNode value, SignatureSpec serving) {
		if (value == null || value.isNull()) {
			return null;
		}
		if (value.isString()) {
			return new ExplanationRequest.NamedBaseline(value.stringValue());
		}
		if (value.isObject()) {
			return new ExplanationRequest.RowBaseline(PredictRequestParser
				.rows(JsonNodeFactory.instance.arrayNode().add(value), serving, "parameters.baseline"));
		}
		throw ApiException.invalidArgument("parameters.baseline: expected a name (training, missing, zero) or an "
				+ "object with a value for every input, got " + InputDecoder.describe(value));
	}

	private static Map<String, InputColumn> background(JsonNode value, SignatureSpec serving) {
		if (value == null || value.isNull()) {
			return null;
		}
		return PredictRequestParser.rows(value, serving, "parameters.background");
	}

}
