package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a SavedModel tells Warden about itself so that it can be explained with integrated
 * gradients: the file {@code assets.extra/warden-explain.json} next to two extra
 * signatures (see docs/explainability.md, "The model-side contract").
 *
 * <p>
 * A tabular model exports {@value #ENCODE_SIGNATURE} (the serving signature's raw inputs
 * → {@code features}, the float matrix its network reads) and
 * {@value #GRADIENTS_SIGNATURE} ({@code features} and {@code target_class} →
 * {@code logits}, {@code probabilities} and the gradients of the target class's logit and
 * probability with respect to the features). A text model's encode signature gives the
 * tokens of each text ({@code tokens}, {@code token_rows}, {@code token_buckets}) and
 * their embeddings ({@code token_embeddings}); its gradients signature takes
 * {@code token_embeddings}, {@code token_rows} and {@code target_class} and
 * differentiates with respect to the embeddings.
 *
 * @param kind tabular or text
 * @param servingSignature the signature clients call (its outputs hold the probabilities)
 * @param encodeSignature the encode signature's key
 * @param gradientsSignature the gradients signature's key
 * @param probabilityOutput the serving signature's output holding the class
 * probabilities, {@code [-1, classes]}
 * @param classes the class names, by class index
 * @param defaultClass the class explained when the request names none
 * @param features (tabular) the name of every encoded feature, e.g.
 * {@code workclass=Private}
 * @param columns (tabular) every raw input and the encoded features it becomes
 * @param baselines (tabular) named raw rows, at least {@code training}: the training
 * data's means (numeric, in the model's own scale) and modes (categorical)
 * @param text (text) the text input and its tokenisation
 * @param trainingData the data the model was trained on
 * @param background (tabular, optional) the reference rows shipped for KernelSHAP
 * @param integratedGradients (optional) the model's own defaults for integrated
 * gradients, measured on its validation data
 */
public record ExplainContract(Kind kind, String servingSignature, String encodeSignature, String gradientsSignature,
		String probabilityOutput, List<String> classes, int defaultClass, List<String> features, List<Column> columns,
		Map<String, Map<String, Object>> baselines, Text text, DataFile trainingData, DataFile background,
		Steps integratedGradients) {

	/** The contract's file inside the SavedModel's {@code assets.extra/}. */
	public static final String FILE = "warden-explain.json";

	/** The KernelSHAP reference rows inside {@code assets.extra/}. */
	public static final String BACKGROUND_FILE = "warden-background.csv";

	public static final int FORMAT = 1;

	public static final String ENCODE_SIGNATURE = "explain_encode";

	public static final String GRADIENTS_SIGNATURE = "explain_gradients";

	/** Tabular encode output and gradients input: DT_FLOAT [-1, features]. */
	public static final String FEATURES = "features";

	/** Gradients input: DT_INT64 [-1], the class whose output is differentiated. */
	public static final String TARGET_CLASS = "target_class";

	/** Gradients output: DT_FLOAT [-1, classes]. */
	public static final String LOGITS = "logits";

	/** Gradients output: DT_FLOAT [-1, classes]. */
	public static final String PROBABILITIES = "probabilities";

	/** Gradients output: ∂logit[target_class]/∂input, the input's shape. */
	public static final String LOGIT_GRADIENTS = "logit_gradients";

	/** Gradients output: ∂probability[target_class]/∂input, the input's shape. */
	public static final String PROBABILITY_GRADIENTS = "probability_gradients";

	/** Text encode output: DT_STRING [-1], every token of every text, in text order. */
	public static final String TOKENS = "tokens";

	/** Text encode output and gradients input: DT_INT64 [-1], the text of each token. */
	public static final String TOKEN_ROWS = "token_rows";

	/** Text encode output: DT_INT64 [-1], the hash bucket of each token. */
	public static final String TOKEN_BUCKETS = "token_buckets";

	/**
	 * Text encode output and gradients input: DT_FLOAT [-1, embedding_dim], the embedding
	 * of each token.
	 */
	public static final String TOKEN_EMBEDDINGS = "token_embeddings";

	/** The name of the tokenisation of Warden's reference text model. */
	public static final String WARDEN_TEXT_TOKENIZER = "warden-text-1";

	private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	public ExplainContract {
		classes = List.copyOf(classes);
		features = features == null ? List.of() : List.copyOf(features);
		columns = columns == null ? List.of() : List.copyOf(columns);
		baselines = baselines == null ? Map.of()
				: java.util.Collections.unmodifiableMap(new LinkedHashMap<>(baselines));
	}

	public enum Kind {

		TABULAR, TEXT;

		String id() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * One raw input of the serving signature and the encoded features it becomes (its
	 * one-hot slots, or its one standardised number).
	 */
	public record Column(String name, int[] features) {
	}

	/**
	 * The text input and how the model tokenises it.
	 *
	 * @param input the serving signature's text input
	 * @param tokenizer the name of the tokenisation ({@value #WARDEN_TEXT_TOKENIZER} for
	 * Warden's, which the worker can replay to find each token in the original text)
	 * @param maxChars characters of a text the model reads; the rest is ignored
	 * @param maxTokens tokens of a text the model reads; the rest are ignored
	 * @param embeddingDim width of a token embedding
	 * @param buckets number of hash buckets
	 */
	public record Text(String input, String tokenizer, int maxChars, int maxTokens, int embeddingDim, int buckets) {
	}

	/**
	 * Integrated gradients' defaults for this model: the steps to start with and the most
	 * the completeness check may raise them to (see docs/explainability.md for how the
	 * reference models' were measured).
	 *
	 * @param steps default {@code steps}
	 * @param maxSteps default {@code max_steps}
	 * @param integration default rule, {@code trapezoid} or {@code gauss_legendre}
	 */
	public record Steps(int steps, int maxSteps, String integration) {
	}

	/**
	 * A data file and its fingerprint.
	 *
	 * @param name file or resource name
	 * @param rows data rows in it
	 * @param sha256 hex SHA-256 of its bytes
	 * @param source where the rows come from (for a background: the split it was sampled
	 * from), or null
	 * @param seed the seed of the sample, or null
	 */
	public record DataFile(String name, long rows, String sha256, String source, Long seed) {
	}

	/** The contract as written into {@code assets.extra/warden-explain.json}. */
	public byte[] toJson() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("format", FORMAT);
		json.put("kind", kind.id());
		json.put("serving_signature", servingSignature);
		json.put("encode_signature", encodeSignature);
		json.put("gradients_signature", gradientsSignature);
		json.put("probability_output", probabilityOutput);
		json.put("classes", classes);
		json.put("default_class", defaultClass);
		if (kind == Kind.TABULAR) {
			json.put("features", features);
			json.put("columns", columns.stream().map(c -> Map.of("name", c.name(), "features", c.features())).toList());
			json.put("baselines", baselines);
		}
		else {
			Map<String, Object> t = new LinkedHashMap<>();
			t.put("input", text.input());
			t.put("tokenizer", text.tokenizer());
			t.put("max_chars", text.maxChars());
			t.put("max_tokens", text.maxTokens());
			t.put("embedding_dim", text.embeddingDim());
			t.put("buckets", text.buckets());
			json.put("text", t);
		}
		json.put("training_data", dataJson(trainingData));
		if (background != null) {
			json.put("background", dataJson(background));
		}
		if (integratedGradients != null) {
			Map<String, Object> steps = new LinkedHashMap<>();
			steps.put("steps", integratedGradients.steps());
			steps.put("max_steps", integratedGradients.maxSteps());
			steps.put("integration", integratedGradients.integration());
			json.put("integrated_gradients", steps);
		}
		return JSON.writeValueAsBytes(json);
	}

	private static Map<String, Object> dataJson(DataFile file) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", file.name());
		json.put("rows", file.rows());
		json.put("sha256", file.sha256());
		if (file.source() != null) {
			json.put("source", file.source());
		}
		if (file.seed() != null) {
			json.put("seed", file.seed());
		}
		return json;
	}

	/**
	 * Reads a contract.
	 * @throws IllegalArgumentException naming what is missing or wrong
	 */
	public static ExplainContract parse(byte[] bytes) {
		JsonNode root;
		try {
			root = JSON.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("not valid JSON: " + ex.getOriginalMessage());
		}
		if (!root.isObject()) {
			throw new IllegalArgumentException("not a JSON object");
		}
		int format = integer(root, "format");
		if (format != FORMAT) {
			throw new IllegalArgumentException(
					"format " + format + " is not supported (this worker reads " + FORMAT + ")");
		}
		String kindName = string(root, "kind");
		Kind kind = switch (kindName) {
			case "tabular" -> Kind.TABULAR;
			case "text" -> Kind.TEXT;
			default -> throw new IllegalArgumentException("kind must be 'tabular' or 'text', got '" + kindName + "'");
		};
		List<String> classes = strings(root, "classes");
		int defaultClass = integer(root, "default_class");
		if (classes.isEmpty() || defaultClass < 0 || defaultClass >= classes.size()) {
			throw new IllegalArgumentException("default_class must index classes");
		}
		List<String> features = null;
		List<Column> columns = null;
		Map<String, Map<String, Object>> baselines = null;
		Text text = null;
		if (kind == Kind.TABULAR) {
			features = strings(root, "features");
			columns = new ArrayList<>();
			for (JsonNode column : array(root, "columns")) {
				List<Integer> indices = new ArrayList<>();
				for (JsonNode index : array(column, "features")) {
					if (!index.canConvertToInt() || index.intValue() < 0 || index.intValue() >= features.size()) {
						throw new IllegalArgumentException("columns: feature index " + index + " is out of range");
					}
					indices.add(index.intValue());
				}
				columns.add(new Column(string(column, "name"), indices.stream().mapToInt(Integer::intValue).toArray()));
			}
			baselines = new LinkedHashMap<>();
			JsonNode named = root.get("baselines");
			if (named == null || !named.isObject() || named.get("training") == null) {
				throw new IllegalArgumentException("baselines must hold at least 'training'");
			}
			for (var entry : named.properties()) {
				if (!entry.getValue().isObject()) {
					throw new IllegalArgumentException("baselines." + entry.getKey() + " must be an object");
				}
				Map<String, Object> row = new LinkedHashMap<>();
				for (var value : entry.getValue().properties()) {
					JsonNode v = value.getValue();
					row.put(value.getKey(), v.isNumber() ? (Object) v.doubleValue()
							: v.isString() ? v.stringValue() : v.isBoolean() ? (Object) v.booleanValue() : null);
					if (row.get(value.getKey()) == null) {
						throw new IllegalArgumentException("baselines." + entry.getKey() + "." + value.getKey()
								+ " must be a number, string or boolean");
					}
				}
				baselines.put(entry.getKey(), row);
			}
		}
		else {
			JsonNode t = root.get("text");
			if (t == null || !t.isObject()) {
				throw new IllegalArgumentException("missing 'text'");
			}
			text = new Text(string(t, "input"), string(t, "tokenizer"), integer(t, "max_chars"),
					integer(t, "max_tokens"), integer(t, "embedding_dim"), integer(t, "buckets"));
		}
		Steps steps = null;
		JsonNode ig = root.get("integrated_gradients");
		if (ig != null) {
			steps = new Steps(integer(ig, "steps"), integer(ig, "max_steps"), string(ig, "integration"));
			if (steps.steps() < 1 || steps.maxSteps() < steps.steps()
					|| !List.of("trapezoid", "gauss_legendre").contains(steps.integration())) {
				throw new IllegalArgumentException(
						"integrated_gradients needs 1 <= steps <= max_steps and trapezoid or gauss_legendre");
			}
		}
		return new ExplainContract(kind, string(root, "serving_signature"), string(root, "encode_signature"),
				string(root, "gradients_signature"), string(root, "probability_output"), classes, defaultClass,
				features, columns, baselines, text, dataFile(root.get("training_data"), "training_data"),
				root.get("background") == null ? null : dataFile(root.get("background"), "background"), steps);
	}

	private static DataFile dataFile(JsonNode node, String where) {
		if (node == null || !node.isObject()) {
			throw new IllegalArgumentException("missing '" + where + "'");
		}
		JsonNode seed = node.get("seed");
		JsonNode source = node.get("source");
		return new DataFile(string(node, "name"), integer(node, "rows"), string(node, "sha256"),
				source == null ? null : source.asString(), seed == null ? null : seed.longValue());
	}

	private static String string(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || !value.isString() || value.stringValue().isEmpty()) {
			throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
		}
		return value.stringValue();
	}

	private static int integer(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
			throw new IllegalArgumentException("'" + field + "' must be an integer");
		}
		return value.intValue();
	}

	private static JsonNode array(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || !value.isArray()) {
			throw new IllegalArgumentException("'" + field + "' must be an array");
		}
		return value;
	}

	private static List<String> strings(JsonNode node, String field) {
		List<String> values = new ArrayList<>();
		for (JsonNode value : array(node, field)) {
			if (!value.isString()) {
				throw new IllegalArgumentException("'" + field + "' must hold strings");
			}
			values.add(value.stringValue());
		}
		return values;
	}

}
