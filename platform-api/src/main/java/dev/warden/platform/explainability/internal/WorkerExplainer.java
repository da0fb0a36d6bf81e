package dev.warden.platform.explainability.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;

/**
 * The one place that knows the worker's explanation endpoint, {@code POST
 * /v1/models/{m}/versions/{v}:explain}, KServe v1 shaped: the request is
 * {@code {"instances": [...], "parameters": {...}}}, the answer {@code {"predictions":
 * [...], "explanations": [...]}}, one explanation per instance. Calls go straight to a
 * worker serving that exact version through {@link WorkerClient} (not through the metered
 * tenant gateway).
 *
 * <p>
 * The answer is read leniently, so that the worker may name its fields in any of the ways
 * listed below and add fields of its own:
 * <ul>
 * <li>{@code method} (a string, or an object with {@code name}); {@code target} (kept as
 * given; a class is read from a number, or from {@code class}, {@code class_id},
 * {@code class_index} or {@code index} of an object);</li>
 * <li>{@code attributions}: an object {@code {"<column>": number}} or {@code {"<column>":
 * {"attribution": n, "tokens": [...]}}} or {@code {"<column>": [token, ...]}}; or an
 * array of {@code {"feature"|"name"|"input"|"column", "attribution"|"value", "tokens"?}};
 * top-level {@code tokens} belong to the column the explanation names
 * ({@code input}/{@code feature}) or to the only text column;</li>
 * <li>a token: {@code {"token", "start", "end", "attribution"}} or
 * {@code [token, start, end, attribution]};</li>
 * <li>f(x): {@code value_at_input}, {@code f_x}, {@code fx}, {@code prediction_value},
 * {@code output_value}; f(baseline): {@code value_at_baseline}, {@code f_baseline},
 * {@code baseline_value}, {@code expected_value}; model evaluations:
 * {@code model_evaluations}, {@code evaluations}; completeness:
 * {@code completeness_delta} or {@code completeness.delta}; efficiency:
 * {@code efficiency_error}, {@code efficiency_residual} or {@code efficiency.error}; each
 * also looked up inside {@code quality} or {@code statistics} objects;</li>
 * <li>{@code baseline} / {@code background}: kept as given.</li>
 * </ul>
 * Thread-safe.
 */
public final class WorkerExplainer {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String[] NAME_KEYS = { "feature", "name", "input", "column" };

	private static final String[] VALUE_KEYS = { "attribution", "value", "sum", "total" };

	private final WorkerClient worker;

	public WorkerExplainer(WorkerClient worker) {
		this.worker = worker;
	}

	/**
	 * Explains {@code instances} with version {@code version} of {@code model}.
	 * @param parameters the request's {@code parameters} (method, seed, ...), may be
	 * empty
	 * @throws WorkerCallException when the worker refuses the call or its answer is not
	 * one explanation per instance
	 * @throws WorkerClient.WorkerUnavailableException when no worker serving the version
	 * can be reached
	 */
	public Answer explain(String model, long version, List<? extends JsonNode> instances, Map<String, ?> parameters,
			String requestId) {
		ObjectNode body = JSON.createObjectNode();
		ArrayNode rows = body.putArray("instances");
		instances.forEach(rows::add);
		body.set("parameters", JSON.valueToTree(parameters));
		return call(model, version, JSON.writeValueAsBytes(body), instances.size(), requestId);
	}

	/**
	 * Forwards a request body as given (the console's single explanation); {@code rows}
	 * is the number of instances it carries, or -1 when unknown.
	 */
	public Answer explainRaw(String model, long version, byte[] body, int rows, String requestId) {
		return call(model, version, body, rows, requestId);
	}

	private Answer call(String model, long version, byte[] body, int rows, String requestId) {
		String path = "/v1/models/" + encode(model) + "/versions/" + version + ":explain";
		WorkerResponse response = this.worker.forward(model, version, null, "POST", path, body, "application/json",
				requestId);
		if (response.status() != 200) {
			throw new WorkerCallException(response.status(),
					"the worker answered " + response.status() + " to the explanation of " + model + " version "
							+ version + ": " + WorkerModels.errorMessage(response.body()));
		}
		JsonNode answer;
		try {
			answer = JSON.readTree(response.body());
		}
		catch (RuntimeException ex) {
			throw new WorkerCallException(502, "the worker's explanation answer is not JSON");
		}
		Answer parsed = parse(answer);
		if (rows >= 0 && parsed.explanations().size() != rows) {
			throw new WorkerCallException(502,
					"the worker answered " + parsed.explanations().size() + " explanations for " + rows + " instances");
		}
		if (!parsed.predictions().isEmpty() && parsed.predictions().size() != parsed.explanations().size()) {
			throw new WorkerCallException(502, "the worker answered " + parsed.predictions().size()
					+ " predictions and " + parsed.explanations().size() + " explanations");
		}
		return parsed;
	}

	/** Reads an explanation answer (see the class comment for the names accepted). */
	public static Answer parse(JsonNode answer) {
		List<Prediction> predictions = new ArrayList<>();
		for (JsonNode row : answer.path("predictions")) {
			predictions.add(Prediction.of(row));
		}
		List<Explanation> explanations = new ArrayList<>();
		for (JsonNode explanation : answer.path("explanations")) {
			explanations.add(explanation(explanation));
		}
		return new Answer(predictions, explanations, answer);
	}

	static Explanation explanation(JsonNode node) {
		JsonNode methodNode = node.path("method");
		String method = methodNode.isString() ? methodNode.asString()
				: methodNode.path("name").isString() ? methodNode.path("name").asString() : null;
		JsonNode target = node.has("target") ? node.get("target") : null;
		Map<String, Double> attributions = new LinkedHashMap<>();
		Map<String, List<TokenAttribution>> tokens = new LinkedHashMap<>();
		JsonNode given = node.path("attributions");
		if (given.isObject()) {
			for (Map.Entry<String, JsonNode> entry : given.properties()) {
				column(entry.getKey(), entry.getValue(), attributions, tokens);
			}
		}
		else if (given.isArray()) {
			List<JsonNode> unnamedTokens = new ArrayList<>();
			for (JsonNode item : given) {
				String name = firstText(item, NAME_KEYS);
				if (name != null) {
					column(name, item, attributions, tokens);
				}
				else if (firstText(item, "token", "text", "word") != null) {
					unnamedTokens.add(item);
				}
			}
			if (!unnamedTokens.isEmpty()) {
				// a text model's explanation: the tokens of its one text input
				String name = firstText(node, "input", "feature", "column");
				tokens.computeIfAbsent((name != null) ? name : "", (k) -> new ArrayList<>())
					.addAll(tokens(JSON.valueToTree(unnamedTokens)));
			}
		}
		if (node.path("tokens").isArray()) {
			String name = firstText(node, "input", "feature", "column");
			List<TokenAttribution> list = tokens(node.path("tokens"));
			tokens.computeIfAbsent((name != null) ? name : "", (k) -> new ArrayList<>()).addAll(list);
			if (name != null && !attributions.containsKey(name)) {
				attributions.put(name, sum(list));
			}
		}
		Double completeness = number(node, "completeness_delta", "completeness.delta");
		Double efficiency = number(node, "efficiency_error", "efficiency_residual", "efficiency.error",
				"efficiency.residual");
		Double evaluations = number(node, "model_evaluations", "evaluations");
		JsonNode baseline = node.has("baseline") ? node.get("baseline")
				: node.has("background") ? node.get("background") : null;
		if (baseline != null && baseline.isNumber()) {
			// a number here is f(baseline), not the baseline itself
			baseline = null;
		}
		Double valueAtBaseline = number(node, "value_at_baseline", "f_baseline", "baseline_value", "expected_value");
		if (valueAtBaseline == null && node.path("baseline").isNumber()) {
			valueAtBaseline = node.path("baseline").asDouble();
		}
		return new Explanation(method, target, targetClass(target), attributions, tokens,
				number(node, "value_at_input", "f_x", "fx", "prediction_value", "output_value"), valueAtBaseline,
				(evaluations != null) ? evaluations.longValue() : 0L, completeness, efficiency, baseline);
	}

	private static void column(String name, JsonNode value, Map<String, Double> attributions,
			Map<String, List<TokenAttribution>> tokens) {
		if (value.isNumber()) {
			attributions.put(name, value.asDouble());
		}
		else if (value.isArray()) {
			List<TokenAttribution> list = tokens(value);
			tokens.put(name, list);
			attributions.put(name, sum(list));
		}
		else if (value.isObject()) {
			List<TokenAttribution> list = value.path("tokens").isArray() ? tokens(value.path("tokens")) : null;
			if (list != null) {
				tokens.put(name, list);
			}
			Double number = null;
			for (String key : VALUE_KEYS) {
				if (value.path(key).isNumber()) {
					number = value.path(key).asDouble();
					break;
				}
			}
			if (number == null && list != null) {
				number = sum(list);
			}
			if (number != null) {
				attributions.put(name, number);
			}
		}
	}

	private static List<TokenAttribution> tokens(JsonNode array) {
		List<TokenAttribution> list = new ArrayList<>(array.size());
		for (JsonNode token : array) {
			if (token.isArray() && token.size() >= 2) {
				String text = token.get(0).asString("");
				if (token.size() >= 4) {
					list.add(new TokenAttribution(text, token.get(1).asInt(-1), token.get(2).asInt(-1),
							token.get(3).asDouble()));
				}
				else {
					list.add(new TokenAttribution(text, -1, -1, token.get(token.size() - 1).asDouble()));
				}
			}
			else if (token.isObject()) {
				String text = firstText(token, "token", "text", "word");
				Double value = null;
				for (String key : VALUE_KEYS) {
					if (token.path(key).isNumber()) {
						value = token.path(key).asDouble();
						break;
					}
				}
				if (text != null && value != null) {
					list.add(new TokenAttribution(text, token.path("start").asInt(-1), token.path("end").asInt(-1),
							value));
				}
			}
		}
		return list;
	}

	private static double sum(List<TokenAttribution> tokens) {
		double sum = 0;
		for (TokenAttribution token : tokens) {
			sum += token.attribution();
		}
		return sum;
	}

	private static Integer targetClass(JsonNode target) {
		if (target == null) {
			return null;
		}
		if (target.isIntegralNumber()) {
			return target.asInt();
		}
		if (target.isString()) {
			try {
				return Integer.parseInt(target.asString().strip());
			}
			catch (NumberFormatException ex) {
				return null;
			}
		}
		for (String key : new String[] { "class", "class_id", "class_index", "index" }) {
			if (target.path(key).isIntegralNumber()) {
				return target.path(key).asInt();
			}
		}
		return null;
	}

	private static String firstText(JsonNode node, String... keys) {
		for (String key : keys) {
			if (node.path(key).isString()) {
				return node.path(key).asString();
			}
		}
		return null;
	}

	/**
	 * The first of the (possibly dotted) keys that holds a number, looked up in the
	 * explanation and in its {@code quality} and {@code statistics} objects.
	 */
	private static Double number(JsonNode node, String... keys) {
		for (JsonNode scope : new JsonNode[] { node, node.path("quality"), node.path("statistics") }) {
			for (String key : keys) {
				JsonNode value = scope;
				for (String part : key.split("\\.")) {
					value = value.path(part);
				}
				if (value.isNumber()) {
					return value.asDouble();
				}
			}
		}
		return null;
	}

	/**
	 * The explanation answer in the admin API's shape: {@code predictions} as the worker
	 * answered them, each explanation as {@code {"method", "target", "attributions":
	 * [{"feature", "attribution"}], "tokens": [{"feature", "token", "start", "end",
	 * "attribution"}], "value_at_input", "value_at_baseline", "model_evaluations",
	 * "completeness_delta", "efficiency_error"}}.
	 */
	public static ObjectNode normalise(Answer answer) {
		ObjectNode out = JSON.createObjectNode();
		ArrayNode predictions = out.putArray("predictions");
		answer.predictions().forEach((p) -> predictions.add(p.raw()));
		ArrayNode explanations = out.putArray("explanations");
		for (Explanation e : answer.explanations()) {
			ObjectNode item = explanations.addObject();
			item.put("method", e.method());
			item.set("target", e.target());
			ArrayNode attributions = item.putArray("attributions");
			e.attributions()
				.forEach(
						(feature, value) -> attributions.addObject().put("feature", feature).put("attribution", value));
			ArrayNode tokens = item.putArray("tokens");
			e.tokens().forEach((feature, list) -> list.forEach((t) -> {
				ObjectNode token = tokens.addObject();
				token.put("feature", feature.isEmpty() ? null : feature);
				token.put("token", t.token());
				token.put("start", t.start());
				token.put("end", t.end());
				token.put("attribution", t.attribution());
			}));
			item.put("value_at_input", e.valueAtInput());
			item.put("value_at_baseline", e.valueAtBaseline());
			item.put("model_evaluations", e.modelEvaluations());
			item.put("completeness_delta", e.completenessDelta());
			item.put("efficiency_error", e.efficiencyError());
		}
		return out;
	}

	private static String encode(String segment) {
		return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/**
	 * A parsed explanation answer.
	 *
	 * @param predictions one per instance (empty if the worker sent none)
	 * @param explanations one per instance
	 * @param raw the answer as received
	 */
	public record Answer(List<Prediction> predictions, List<Explanation> explanations, JsonNode raw) {
	}

}
