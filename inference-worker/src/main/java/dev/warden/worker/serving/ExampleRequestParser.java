package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.warden.worker.loader.ExampleSchema;
import dev.warden.worker.loader.ExampleSchema.FeatureSpec;
import dev.warden.worker.loader.ExampleSchema.Kind;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.system.ApiException;

import com.google.protobuf.ByteString;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import tools.jackson.databind.JsonNode;

/**
 * Parses a TF Serving REST {@code :classify} / {@code :regress} body
 * ({@code {"signature_name"?, "context"?: {...}, "examples": [{...}, ...]}}) into
 * {@code tf.Example} protos, with TF Serving's JSON mapping: a feature is a value or a
 * list of values; a JSON number with a fraction or an exponent becomes a
 * {@code float_list} value, an integer an {@code int64_list} value, a boolean 1 or 0 in
 * an {@code int64_list}, a string (UTF-8) or {@code {"b64": "<base64>"}} a
 * {@code bytes_list} value; one feature's values must be of one list type; the context's
 * features are added to every example and must not appear in them.
 *
 * <p>
 * When the model's graph says which features it parses
 * ({@link LoadedServable#exampleSchema}), the request is checked against that before
 * TensorFlow sees it, and numbers are converted to the list type the model reads (so
 * {@code {"x": 2}} works for a float feature, where TF Serving would send an
 * {@code int64_list} the model rejects): a required feature that is missing, a value of
 * the wrong kind or the wrong number of values is a 400 naming the feature and the
 * example. Features the model does not parse are passed on (the model ignores them).
 * Non-finite numbers are rejected, as everywhere in Warden.
 */
final class ExampleRequestParser {

	private static final Set<String> FIELDS = Set.of("signature_name", "context", "examples");

	private ExampleRequestParser() {
	}

	/**
	 * A classify or regress request checked against its signature.
	 *
	 * @param input the signature's input that takes the serialized examples
	 * @param examples one example per requested example, the context merged in
	 */
	record ExampleRequest(SignatureSpec signature, TensorSpec input, List<Example> examples) {
	}

	static ExampleRequest parse(byte[] body, LoadedServable servable, String model, ExampleMethod method) {
		JsonNode root = PredictRequestParser.readJson(body);
		if (!root.isObject()) {
			throw ApiException
				.invalidArgument("request body must be a JSON object, got " + InputDecoder.describe(root));
		}
		for (String field : root.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw ApiException
					.invalidArgument("unknown field '" + field + "' (expected signature_name, context and examples)");
			}
		}
		JsonNode name = root.get("signature_name");
		if (name != null && !name.isNull() && !name.isString()) {
			throw ApiException.invalidArgument("signature_name must be a string, got " + InputDecoder.describe(name));
		}
		SignatureSpec signature = method.signature(servable, model,
				name == null || name.isNull() ? null : name.stringValue());
		TensorSpec input = signature.inputs().get(ExampleMethod.INPUT);
		Optional<ExampleSchema> schema = servable.exampleSchema(input);

		JsonNode examples = root.get("examples");
		if (examples == null || examples.isNull()) {
			throw ApiException
				.invalidArgument("request must have 'examples', a list of examples (objects of features)");
		}
		if (!examples.isArray() || examples.isEmpty()) {
			throw ApiException.invalidArgument(
					"'examples' must be a non-empty array of objects, got " + InputDecoder.describe(examples));
		}
		if (!input.unknownRank() && input.dims().length == 0 && examples.size() != 1) {
			throw ApiException.invalidArgument(
					"signature '" + signature.key() + "' takes one example per request, got " + examples.size());
		}
		JsonNode contextNode = root.get("context");
		Map<String, Feature> context = Map.of();
		if (contextNode != null && !contextNode.isNull()) {
			if (!contextNode.isObject()) {
				throw ApiException.invalidArgument(
						"'context' must be an object of features, got " + InputDecoder.describe(contextNode));
			}
			context = features(contextNode, schema, " in context");
		}
		List<Example> parsed = new ArrayList<>(examples.size());
		for (int i = 0; i < examples.size(); i++) {
			String where = " in examples[" + i + "]";
			JsonNode example = examples.get(i);
			if (!example.isObject()) {
				throw ApiException.invalidArgument(
						"an example must be an object of features, got " + InputDecoder.describe(example) + where);
			}
			Map<String, Feature> features = new LinkedHashMap<>(context);
			for (var entry : features(example, schema, where).entrySet()) {
				if (context.containsKey(entry.getKey())) {
					throw ApiException.invalidArgument("feature '" + entry.getKey() + "' is in 'context' and" + where
							+ "; a context feature must not appear in the examples");
				}
				features.put(entry.getKey(), entry.getValue());
			}
			schema.ifPresent(known -> check(known, features, where));
			parsed.add(Example.newBuilder().setFeatures(Features.newBuilder().putAllFeature(features)).build());
		}
		return new ExampleRequest(signature, input, parsed);
	}

	private static Map<String, Feature> features(JsonNode object, Optional<ExampleSchema> schema, String where) {
		Map<String, Feature> features = new LinkedHashMap<>();
		for (var entry : object.properties()) {
			FeatureSpec spec = schema.map(known -> known.features().get(entry.getKey())).orElse(null);
			features.put(entry.getKey(), feature(entry.getKey(), entry.getValue(), spec, where));
		}
		return features;
	}

	/**
	 * One feature: its values in the list type the model parses ({@code spec}), or else
	 * by TF Serving's rule.
	 */
	static Feature feature(String name, JsonNode value, FeatureSpec spec, String where) {
		List<JsonNode> values = new ArrayList<>();
		if (value.isArray()) {
			value.forEach(values::add);
		}
		else {
			values.add(value);
		}
		if (values.isEmpty()) {
			return Feature.getDefaultInstance();
		}
		Kind kind = spec != null ? spec.kind() : kindOf(name, values, where);
		for (JsonNode element : values) {
			naturalKind(name, element, where);
			boolean fits = switch (kind) {
				case FLOAT -> element.isNumber();
				case INT64 -> element.isNumber() || element.isBoolean();
				case BYTES -> element.isString() || isBase64(element);
			};
			if (!fits) {
				throw ApiException.invalidArgument("feature '" + name + "': "
						+ (spec != null ? "the model parses " + spec.describe()
								: "the values of one feature must be of one kind (" + kind.label() + " here)")
						+ ", got " + InputDecoder.describe(element) + where);
			}
		}
		Feature.Builder feature = Feature.newBuilder();
		switch (kind) {
			case FLOAT -> {
				FloatList.Builder list = FloatList.newBuilder();
				for (JsonNode element : values) {
					list.addValue(finiteFloat(name, element, where));
				}
				feature.setFloatList(list);
			}
			case INT64 -> {
				Int64List.Builder list = Int64List.newBuilder();
				for (JsonNode element : values) {
					list.addValue(int64(name, element, spec, where));
				}
				feature.setInt64List(list);
			}
			case BYTES -> {
				BytesList.Builder list = BytesList.newBuilder();
				for (JsonNode element : values) {
					list.addValue(bytes(name, element, where));
				}
				feature.setBytesList(list);
			}
		}
		return feature.build();
	}

	/**
	 * TF Serving's list type for values of a feature the model's graph does not describe:
	 * bytes for strings, int64 for integers and booleans, float as soon as one number has
	 * a fraction or an exponent.
	 */
	private static Kind kindOf(String name, List<JsonNode> values, String where) {
		Kind first = naturalKind(name, values.get(0), where);
		if (first == Kind.BYTES) {
			return Kind.BYTES;
		}
		boolean anyFloat = false;
		boolean anyBoolean = false;
		for (JsonNode element : values) {
			anyFloat |= naturalKind(name, element, where) == Kind.FLOAT;
			anyBoolean |= element.isBoolean();
		}
		return anyFloat && !anyBoolean ? Kind.FLOAT : Kind.INT64;
	}

	/** The list type TF Serving gives a JSON value. */
	private static Kind naturalKind(String name, JsonNode element, String where) {
		if (element.isNumber()) {
			return element.isIntegralNumber() ? Kind.INT64 : Kind.FLOAT;
		}
		if (element.isBoolean()) {
			return Kind.INT64;
		}
		if (element.isString() || isBase64(element)) {
			return Kind.BYTES;
		}
		throw ApiException.invalidArgument("feature '" + name + "': expected a number, a string, {\"b64\": ...} or a "
				+ "list of them, got " + InputDecoder.describe(element) + where);
	}

	private static boolean isBase64(JsonNode element) {
		return element.isObject() && element.size() == 1 && element.get("b64") != null && element.get("b64").isString();
	}

	private static float finiteFloat(String name, JsonNode element, String where) {
		double value = element.numberValue().doubleValue();
		if (!Double.isFinite(value) || !Float.isFinite((float) value)) {
			throw ApiException.invalidArgument("feature '" + name + "': expected a finite number, got "
					+ (Double.isNaN(value) ? "NaN" : InputDecoder.describe(element) + " (out of range)") + where);
		}
		return (float) value;
	}

	private static long int64(String name, JsonNode element, FeatureSpec spec, String where) {
		if (element.isBoolean()) {
			return element.booleanValue() ? 1 : 0;
		}
		boolean integral = element.isIntegralNumber()
				|| (Double.isFinite(element.numberValue().doubleValue()) && element.canConvertToExactIntegral());
		if (!integral) {
			throw ApiException.invalidArgument(
					"feature '" + name + "': " + (spec != null ? "the model parses " + spec.describe() + ", " : "")
							+ "expected an integer, got " + InputDecoder.describe(element) + where);
		}
		if (!element.canConvertToLong()) {
			throw ApiException.invalidArgument("feature '" + name + "': expected an integer in int64 range, got "
					+ InputDecoder.describe(element) + where);
		}
		return element.longValue();
	}

	private static ByteString bytes(String name, JsonNode element, String where) {
		if (element.isString()) {
			return ByteString.copyFromUtf8(element.stringValue());
		}
		try {
			return ByteString.copyFrom(Base64.getDecoder().decode(element.get("b64").stringValue()));
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.invalidArgument(
					"feature '" + name + "': {\"b64\": ...} holds no valid base64 (" + ex.getMessage() + ")" + where);
		}
	}

	/** Required features present, and as many values as the model's dense shapes need. */
	private static void check(ExampleSchema schema, Map<String, Feature> features, String where) {
		for (FeatureSpec spec : schema.features().values()) {
			Feature feature = features.get(spec.name());
			if (feature == null) {
				if (spec.required()) {
					throw ApiException.invalidArgument("feature '" + spec.name() + "' is required by the model ("
							+ spec.describe() + "), got nothing" + where);
				}
				continue;
			}
			long count = switch (feature.getKindCase()) {
				case FLOAT_LIST -> feature.getFloatList().getValueCount();
				case INT64_LIST -> feature.getInt64List().getValueCount();
				case BYTES_LIST -> feature.getBytesList().getValueCount();
				default -> 0;
			};
			long fixed = spec.fixedValueCount();
			if (fixed >= 0 && count != fixed) {
				throw ApiException.invalidArgument("feature '" + spec.name() + "': the model parses " + spec.describe()
						+ ", which needs " + fixed + (fixed == 1 ? " value" : " values") + ", got " + count + where);
			}
			if (spec.dense() && fixed < 0 && count % spec.valuesPerStep() != 0) {
				throw ApiException.invalidArgument("feature '" + spec.name() + "': the model parses " + spec.describe()
						+ ", which needs a multiple of " + spec.valuesPerStep() + " values, got " + count + where);
			}
		}
	}

}
