package dev.warden.worker.explain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.stream.Collectors;

import dev.warden.worker.explain.ExplanationRequest.NamedBaseline;
import dev.warden.worker.explain.ExplanationRequest.RowBaseline;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SignatureSpec;

import org.springframework.stereotype.Service;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Explains predictions of a loaded version, one explanation per instance, with the method
 * the request asks for or the best the version supports (see
 * {@link ExplainableVersion#best}). Every explanation says what it explains (method,
 * model version, target output and class), against what (baseline or background, with a
 * SHA-256 of it), what it cost (model rows evaluated, TensorFlow calls) and how good it
 * is (completeness delta, efficiency residual and standard errors, additivity gap).
 *
 * <p>
 * The many model evaluations of one explanation go in a few large calls straight to the
 * loaded servable (see {@link ExplainProperties#maxCallElements()}), never through the
 * dynamic batching queue. A request that asks for something the version cannot do, or for
 * a parameter out of range, gets an {@link ExplanationException} naming the parameter.
 * Thread-safe: what a version offers is worked out once per loaded version and kept as
 * long as the version is loaded.
 */
@Service
public class Explanations {

	/**
	 * Integrated gradients' default steps for a model whose contract names none (the
	 * reference models carry their own, measured on their validation data: see
	 * docs/explainability.md, "How the defaults were chosen").
	 */
	public static final int DEFAULT_STEPS = 64;

	/**
	 * The default rule: its nodes nest, so raising the steps reuses every gradient
	 * already computed.
	 */
	public static final IntegratedGradients.Rule DEFAULT_RULE = IntegratedGradients.Rule.TRAPEZOID;

	/** Default cap of the steps the completeness check may raise them to. */
	public static final int DEFAULT_MAX_STEPS = 1024;

	/** Largest {@code steps} and {@code max_steps} accepted. */
	public static final int MAX_STEPS = 4096;

	/** Completeness: the delta may be 1% of |f(x) − f(baseline)| … */
	public static final double RELATIVE_TOLERANCE = 0.01;

	/** … or this much in absolute terms (the models compute in single precision). */
	public static final double ABSOLUTE_TOLERANCE = 1e-5;

	/** KernelSHAP's default background rows (see docs/explainability.md). */
	public static final int DEFAULT_BACKGROUND_SIZE = 50;

	public static final int MAX_BACKGROUND_SIZE = 10_000;

	/** KernelSHAP's default coalitions drawn beyond the exact limit. */
	public static final int DEFAULT_SAMPLES = 2048;

	public static final int MAX_SAMPLES = 65_536;

	private static final JsonMapper CANONICAL = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build();

	private final ExplainProperties properties;

	private final Map<LoadedServable, ExplainableVersion> versions = Collections.synchronizedMap(new WeakHashMap<>());

	public Explanations(ExplainProperties properties) {
		this.properties = properties;
	}

	/**
	 * The signature whose inputs an explain request's instances (and row baselines and
	 * background rows) are: the contract's serving signature, or {@code serving_default}.
	 * @throws ExplanationException if the version has no such signature
	 */
	public SignatureSpec servingSignature(LoadedServable servable) {
		ExplainableVersion version = version(servable);
		if (version.serving() == null) {
			throw new ExplanationException(version.servingProblem());
		}
		return version.serving();
	}

	/**
	 * The explanation methods a version supports (with what each explains), the ones it
	 * does not with the reason, and the method used when a request names none.
	 */
	public Map<String, Object> methods(LoadedServable servable) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("model", servable.id().name());
		json.put("version", Long.toString(servable.id().version()));
		json.putAll(version(servable).describe());
		return json;
	}

	/**
	 * One explanation per instance.
	 * @param instances rows of the {@link #servingSignature serving signature}'s inputs
	 * @throws ExplanationException naming the parameter the version cannot honour
	 */
	public List<Map<String, Object>> explain(LoadedServable servable, Map<String, InputColumn> instances,
			ExplanationRequest request) {
		ExplainableVersion version = version(servable);
		int n = Rows.count(instances);
		if (n > properties.maxInstances()) {
			throw new ExplanationException("instances: " + n + " instances; one explain request takes at most "
					+ properties.maxInstances() + " (warden.worker.explain.max-instances)");
		}
		ExplanationMethod method = method(request, version, servable);
		checkApplicable(request, method, version);
		Call call = new Call(servable, version, request, method);
		if (version.text()) {
			checkTextLengths(instances, version.contract());
		}
		return switch (method) {
			case INTEGRATED_GRADIENTS ->
				version.text() ? integratedGradientsText(call, instances) : integratedGradientsTabular(call, instances);
			case KERNEL_SHAP -> kernelShap(call, instances);
			case OCCLUSION -> version.text() ? occlusionText(call, instances) : occlusionTabular(call, instances);
		};
	}

	private ExplainableVersion version(LoadedServable servable) {
		synchronized (versions) {
			return versions.computeIfAbsent(servable, ExplainableVersion::of);
		}
	}

	/** One request on one version: what every explanation shares. */
	private record Call(LoadedServable servable, ExplainableVersion version, ExplanationRequest request,
			ExplanationMethod method) {

		Map<String, Object> header() {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("method", method.id());
			json.put("model", servable.id().name());
			json.put("version", Long.toString(servable.id().version()));
			return json;
		}

	}

	private static ExplanationMethod method(ExplanationRequest request, ExplainableVersion version,
			LoadedServable servable) {
		String model = servable.id().name() + " version " + servable.id().version();
		if (request.method() == null) {
			ExplanationMethod best = version.best(request.background() != null);
			if (best == null) {
				throw new ExplanationException(model + " supports no explanation method: " + reasons(version));
			}
			return best;
		}
		ExplanationMethod method = ExplanationMethod.of(request.method());
		if (method == null) {
			throw new ExplanationException("parameters.method: unknown method '" + request.method()
					+ "' (integrated_gradients, kernel_shap or occlusion)");
		}
		String reason = version.unsupported(method);
		if (reason != null) {
			List<ExplanationMethod> supported = version.supported();
			throw new ExplanationException("parameters.method: " + method.id() + " is not supported by " + model + ": "
					+ reason + "; " + (supported.isEmpty() ? "it supports no explanation method" : "it supports "
							+ supported.stream().map(ExplanationMethod::id).collect(Collectors.joining(", "))));
		}
		return method;
	}

	private static String reasons(ExplainableVersion version) {
		return Arrays.stream(ExplanationMethod.values())
			.map(m -> m.id() + ": " + version.unsupported(m))
			.collect(Collectors.joining("; "));
	}

	/** A parameter that the chosen method would silently ignore is refused instead. */
	private static void checkApplicable(ExplanationRequest r, ExplanationMethod method, ExplainableVersion version) {
		Map<String, Boolean> given = new LinkedHashMap<>();
		given.put("steps", r.steps() != null);
		given.put("max_steps", r.maxSteps() != null);
		given.put("integration", r.integration() != null);
		given.put("baseline", r.baseline() != null);
		given.put("output", r.output() != null);
		given.put("background", r.background() != null);
		given.put("background_size", r.backgroundSize() != null);
		given.put("background_summary", r.backgroundSummary() != null);
		given.put("samples", r.samples() != null);
		given.put("seed", r.seed() != null);
		Set<String> applicable = switch (method) {
			case INTEGRATED_GRADIENTS -> Set.of("steps", "max_steps", "integration", "baseline");
			case KERNEL_SHAP ->
				Set.of("output", "background", "background_size", "background_summary", "samples", "seed");
			case OCCLUSION -> version.text() ? Set.of("output") : Set.of("output", "baseline");
		};
		given.forEach((name, present) -> {
			if (present && !applicable.contains(name)) {
				throw new ExplanationException("parameters." + name + " does not apply to " + method.id()
						+ (version.text() && method == ExplanationMethod.OCCLUSION && name.equals("baseline")
								? " on a text model (each token is removed from the text)" : "")
						+ " (it takes " + new java.util.TreeSet<>(applicable) + ")");
			}
		});
		if ("logit".equals(r.target()) && method == ExplanationMethod.OCCLUSION) {
			throw new ExplanationException("parameters.target: 'logit' is explained by integrated_gradients and "
					+ "kernel_shap; occlusion re-predicts through the serving signature (parameters.output)");
		}
	}

	private void checkTextLengths(Map<String, InputColumn> instances, ExplainContract contract) {
		String[] texts = texts(instances, contract);
		for (int i = 0; i < texts.length; i++) {
			if (texts[i].length() > properties.maxTextChars()) {
				throw new ExplanationException("instances[" + i + "]: the text has " + texts[i].length()
						+ " characters; explanations take texts of at most " + properties.maxTextChars()
						+ " (warden.worker.explain.max-text-chars)");
			}
		}
	}

	private static String[] texts(Map<String, InputColumn> instances, ExplainContract contract) {
		Object values = instances.get(contract.text().input()).values();
		if (values instanceof String[] strings) {
			return strings;
		}
		byte[][] bytes = (byte[][]) values;
		String[] texts = new String[bytes.length];
		for (int i = 0; i < texts.length; i++) {
			texts[i] = new String(bytes[i], java.nio.charset.StandardCharsets.UTF_8);
		}
		return texts;
	}

	// ---------------------------------------------------------------- integrated
	// gradients

	private IntegratedGradients.Settings integratedGradientsSettings(ExplanationRequest r, ExplainContract contract) {
		ExplainContract.Steps defaults = contract.integratedGradients() != null ? contract.integratedGradients()
				: new ExplainContract.Steps(DEFAULT_STEPS, DEFAULT_MAX_STEPS, DEFAULT_RULE.id());
		int steps = r.steps() != null ? r.steps() : Math.min(defaults.steps(), MAX_STEPS);
		if (steps < 1 || steps > MAX_STEPS) {
			throw new ExplanationException(
					"parameters.steps: must be an integer from 1 to " + MAX_STEPS + ", got " + steps);
		}
		int maxSteps = r.maxSteps() != null ? r.maxSteps() : Math.min(Math.max(steps, defaults.maxSteps()), MAX_STEPS);
		if (maxSteps < steps || maxSteps > MAX_STEPS) {
			throw new ExplanationException("parameters.max_steps: must be an integer from steps (" + steps + ") to "
					+ MAX_STEPS + ", got " + maxSteps);
		}
		IntegratedGradients.Rule rule = IntegratedGradients.Rule.of(defaults.integration());
		if (r.integration() != null) {
			rule = IntegratedGradients.Rule.of(r.integration());
			if (rule == null) {
				throw new ExplanationException(
						"parameters.integration: unknown rule '" + r.integration() + "' (trapezoid or gauss_legendre)");
			}
		}
		return new IntegratedGradients.Settings(steps, rule, maxSteps, RELATIVE_TOLERANCE, ABSOLUTE_TOLERANCE);
	}

	private static boolean logitTarget(ExplanationRequest r) {
		if (r.target() == null || r.target().equals("probability")) {
			return false;
		}
		if (r.target().equals("logit")) {
			return true;
		}
		throw new ExplanationException("parameters.target: unknown target '" + r.target() + "' (probability or logit)");
	}

	private static int contractClass(ExplanationRequest r, ExplainContract contract) {
		if (r.targetClass() == null) {
			return contract.defaultClass();
		}
		int c = r.targetClass();
		if (c < 0 || c >= contract.classes().size()) {
			throw new ExplanationException("parameters.class: " + c + " is not a class of this model (0 to "
					+ (contract.classes().size() - 1) + ": " + String.join(", ", contract.classes()) + ")");
		}
		return c;
	}

	private Map<String, Object> integratedGradientsTarget(ExplainContract contract, boolean logit, int targetClass,
			ExplanationRequest r) {
		Map<String, Object> target = new LinkedHashMap<>();
		target.put("kind", logit ? "logit" : "probability");
		target.put("class", targetClass);
		target.put("class_name", contract.classes().get(targetClass));
		target.put("class_from", r.targetClass() != null ? "request" : "model default");
		return target;
	}

	private Map<String, Object> quality(IntegratedGradients.Result result) {
		Map<String, Object> quality = new LinkedHashMap<>();
		quality.put("completeness_delta", result.delta());
		double change = Math.abs(result.valueAtInput() - result.valueAtBaseline());
		quality.put("relative_delta", change == 0 ? null : Math.abs(result.delta()) / change);
		quality.put("tolerance", Map.of("relative", RELATIVE_TOLERANCE, "absolute", ABSOLUTE_TOLERANCE));
		quality.put("within_tolerance", result.withinTolerance());
		quality.put("integration", result.rule().id());
		quality.put("steps", result.steps());
		quality.put("steps_requested", result.requestedSteps());
		quality.put("steps_raised", result.raised());
		if (result.raised() && result.withinTolerance()) {
			quality.put("note", "the completeness delta was over the tolerance at " + result.requestedSteps()
					+ " steps; the steps were raised to " + result.steps());
		}
		else if (!result.withinTolerance()) {
			quality.put("note", "the completeness delta is still over the tolerance at " + result.steps()
					+ " steps (parameters.max_steps caps them)");
		}
		return quality;
	}

	private List<Map<String, Object>> integratedGradientsTabular(Call call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		ExplainContract contract = call.version().contract();
		IntegratedGradients.Settings settings = integratedGradientsSettings(r, contract);
		boolean logit = logitTarget(r);
		int targetClass = contractClass(r, contract);
		Baseline baseline = tabularBaseline(call);
		int n = Rows.count(instances);
		Map<String, InputColumn> batch = joined(instances, baseline);
		Outputs.Values encoded = call.servable()
			.call(contract.encodeSignature(), batch, result -> Outputs.read(result, ExplainContract.FEATURES));
		int width = encoded.perRow();
		double[] b = Arrays.copyOfRange(encoded.flat(), n * width, (n + 1) * width);
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			double[] x = Arrays.copyOfRange(encoded.flat(), i * width, (i + 1) * width);
			Meter meter = new Meter();
			GradientsSignature gradients = new GradientsSignature(call.servable(), contract, logit, targetClass,
					properties.maxCallElements(), meter);
			IntegratedGradients.Result result = IntegratedGradients
				.explain(PathIntegrand.along(gradients.tabular(width), x, b, rowsPerCall(width)), x, b, settings);
			Map<String, Object> json = call.header();
			json.put("target", integratedGradientsTarget(contract, logit, targetClass, r));
			json.put("baseline", baseline.json());
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			List<Object> attributions = new ArrayList<>();
			for (ExplainContract.Column column : contract.columns()) {
				double sum = 0;
				Map<String, Object> parts = new LinkedHashMap<>();
				for (int f : column.features()) {
					sum += result.attributions()[f];
					if (column.features().length > 1 && x[f] != b[f]) {
						parts.put(contract.features().get(f), result.attributions()[f]);
					}
				}
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("feature", column.name());
				entry.put("value", Rows.value(instances.get(column.name()), i));
				entry.put("baseline", Rows.value(baseline.row().get(column.name()), 0));
				entry.put("attribution", sum);
				if (!parts.isEmpty()) {
					entry.put("parts", parts);
				}
				attributions.add(entry);
			}
			json.put("attributions", attributions);
			// the encoding call is shared by the request's instances; it is counted in
			// each
			json.put("model_evaluations", result.evaluations());
			json.put("model_calls", meter.calls() + 1);
			json.put("quality", quality(result));
			explanations.add(json);
		}
		return explanations;
	}

	private List<Map<String, Object>> integratedGradientsText(Call call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		ExplainContract contract = call.version().contract();
		if (r.baseline() != null && !(r.baseline() instanceof NamedBaseline named && named.name().equals("zero"))) {
			throw new ExplanationException("parameters.baseline: a text model's integrated gradients start from "
					+ "'zero' (every token embedding 0), the only baseline it takes");
		}
		IntegratedGradients.Settings settings = integratedGradientsSettings(r, contract);
		boolean logit = logitTarget(r);
		int targetClass = contractClass(r, contract);
		String[] texts = texts(instances, contract);
		EncodedTexts encoded = encodeTexts(call, instances, contract);
		int dim = contract.text().embeddingDim();
		Map<String, Object> baseline = new LinkedHashMap<>();
		baseline.put("name", "zero");
		baseline.put("description", "every token embedding 0; for a mean-pooled model such as spam the same output "
				+ "as a text without tokens");
		baseline.put("sha256", sha256(Map.of("name", "zero", "embedding_dim", dim)));
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < texts.length; i++) {
			EncodedText text = encoded.text(i);
			Meter meter = new Meter();
			GradientsSignature gradients = new GradientsSignature(call.servable(), contract, logit, targetClass,
					properties.maxCallElements(), meter);
			double[] x = new double[text.embeddings().length];
			for (int k = 0; k < x.length; k++) {
				x[k] = text.embeddings()[k];
			}
			IntegratedGradients.Result result = IntegratedGradients.explain(
					gradients.text(text.embeddings(), text.tokens().size(), dim), x, new double[x.length], settings);
			double[] perToken = new double[text.tokens().size()];
			for (int t = 0; t < perToken.length; t++) {
				for (int d = 0; d < dim; d++) {
					perToken[t] += result.attributions()[t * dim + d];
				}
			}
			Map<String, Object> json = call.header();
			json.put("target", integratedGradientsTarget(contract, logit, targetClass, r));
			json.put("baseline", baseline);
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			putTokens(json, texts[i], text, perToken, contract);
			json.put("model_evaluations", result.evaluations());
			json.put("model_calls", meter.calls() + 1);
			json.put("quality", quality(result));
			explanations.add(json);
		}
		return explanations;
	}

	/** The tokens of every text, their buckets and embeddings, in one encode call. */
	private EncodedTexts encodeTexts(Call call, Map<String, InputColumn> instances, ExplainContract contract) {
		return call.servable().call(contract.encodeSignature(), instances, result -> {
			org.tensorflow.types.TString tokens = (org.tensorflow.types.TString) result.get(ExplainContract.TOKENS)
				.orElseThrow();
			List<String> words = new ArrayList<>((int) tokens.shape().size());
			tokens.scalars().forEach(s -> words.add(s.getObject()));
			long[] rows = longs(result, ExplainContract.TOKEN_ROWS);
			long[] buckets = longs(result, ExplainContract.TOKEN_BUCKETS);
			Outputs.Values embeddings = Outputs.read(result, ExplainContract.TOKEN_EMBEDDINGS);
			return new EncodedTexts(words, rows, buckets, embeddings.flat(), embeddings.perRow());
		});
	}

	private static long[] longs(org.tensorflow.Result result, String name) {
		org.tensorflow.types.TInt64 tensor = (org.tensorflow.types.TInt64) result.get(name).orElseThrow();
		long[] values = new long[(int) tensor.shape().size()];
		tensor.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(values, false, false));
		return values;
	}

	/** The encode signature's answer for a batch of texts, tokens flattened. */
	private record EncodedTexts(List<String> words, long[] rows, long[] buckets, double[] embeddings, int dim) {

		EncodedText text(int row) {
			List<String> tokens = new ArrayList<>();
			List<Long> ids = new ArrayList<>();
			List<Integer> positions = new ArrayList<>();
			for (int k = 0; k < rows.length; k++) {
				if (rows[k] == row) {
					tokens.add(words.get(k));
					ids.add(buckets[k]);
					positions.add(k);
				}
			}
			float[] vectors = new float[positions.size() * dim];
			for (int t = 0; t < positions.size(); t++) {
				for (int d = 0; d < dim; d++) {
					vectors[t * dim + d] = (float) embeddings[positions.get(t) * dim + d];
				}
			}
			return new EncodedText(tokens, ids.stream().mapToLong(Long::longValue).toArray(), vectors);
		}

	}

	/** One text as the model reads it: its tokens, their buckets and embeddings. */
	private record EncodedText(List<String> tokens, long[] buckets, float[] embeddings) {
	}

	/**
	 * Token attributions in text order: the token, its span in the caller's text, its
	 * hash bucket and whether another token of the text shares it.
	 */
	private static void putTokens(Map<String, Object> json, String original, EncodedText text, double[] attributions,
			ExplainContract contract) {
		List<TextTokens.Span> spans = ExplainContract.WARDEN_TEXT_TOKENIZER.equals(contract.text().tokenizer())
				? TextTokens.locate(original, text.tokens(), contract.text().maxChars(), contract.text().maxTokens())
				: null;
		Map<Long, Set<String>> byBucket = new HashMap<>();
		for (int t = 0; t < text.tokens().size(); t++) {
			byBucket.computeIfAbsent(text.buckets()[t], k -> new LinkedHashSet<>()).add(text.tokens().get(t));
		}
		List<Object> tokens = new ArrayList<>();
		for (int t = 0; t < text.tokens().size(); t++) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("token", text.tokens().get(t));
			entry.put("start", spans == null ? null : spans.get(t).start());
			entry.put("end", spans == null ? null : spans.get(t).end());
			entry.put("bucket", text.buckets()[t]);
			Set<String> sharing = byBucket.get(text.buckets()[t]);
			entry.put("shared_bucket", sharing.size() > 1);
			if (sharing.size() > 1) {
				List<String> others = new ArrayList<>(sharing);
				others.remove(text.tokens().get(t));
				entry.put("shares_bucket_with", others);
			}
			entry.put("attribution", attributions[t]);
			tokens.add(entry);
		}
		json.put("attributions", tokens);
		json.put("offsets", spans == null ? "unavailable" : "utf16");
		boolean truncated = original.codePointCount(0, original.length()) > contract.text().maxChars() || (spans != null
				&& TextTokens.tokenize(original, contract.text().maxChars(), contract.text().maxTokens() + 1)
					.size() > contract.text().maxTokens());
		json.put("truncated", truncated);
	}

	// ---------------------------------------------------------------- baselines

	/** A baseline row of the serving inputs, with how it is reported. */
	private record Baseline(String name, Map<String, InputColumn> row, String sha256) {

		Map<String, Object> json() {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("name", name);
			json.put("values", Rows.values(row, 0));
			json.put("sha256", sha256);
			return json;
		}

	}

	private Baseline tabularBaseline(Call call) {
		ExplanationRequest.Baseline asked = call.request().baseline();
		ExplainableVersion version = call.version();
		ExplainContract contract = version.contract();
		Map<String, InputColumn> row;
		String name;
		if (asked instanceof RowBaseline given) {
			if (Rows.count(given.row()) != 1) {
				throw new ExplanationException(
						"parameters.baseline: one row of the inputs, got " + Rows.count(given.row()));
			}
			row = given.row();
			name = "request";
		}
		else {
			name = asked instanceof NamedBaseline named ? named.name()
					: (contract != null && contract.kind() == ExplainContract.Kind.TABULAR ? "training" : "missing");
			switch (name) {
				case "training" -> {
					if (contract == null) {
						throw new ExplanationException("parameters.baseline: 'training' needs the training statistics "
								+ "a version ships in assets.extra/" + ExplainContract.FILE
								+ ", which this one does not; use 'missing' or a row of the inputs");
					}
					try {
						row = Rows.fromValues(contract.baselines().get("training"),
								List.copyOf(version.serving().inputs().values()));
					}
					catch (IllegalArgumentException ex) {
						throw new ExplanationException("parameters.baseline: this version's training baseline in "
								+ ExplainContract.FILE + " does not fit its inputs: " + ex.getMessage()
								+ "; use 'missing' or a row of the inputs");
					}
				}
				case "missing" -> {
					if (version.slots() == null) {
						throw new ExplanationException(
								"parameters.baseline: 'missing' needs a tabular serving signature");
					}
					row = version.slots().missingRow();
				}
				default -> throw new ExplanationException("parameters.baseline: unknown baseline '" + name
						+ "' (training, missing, or an object with a value for every input)");
			}
		}
		return new Baseline(name, row, sha256(Rows.values(row, 0)));
	}

	private static Map<String, InputColumn> joined(Map<String, InputColumn> instances, Baseline baseline) {
		try {
			return Rows.concat(List.of(instances, baseline.row()));
		}
		catch (IllegalArgumentException ex) {
			throw new ExplanationException("parameters.baseline: input '" + ex.getMessage()
					+ "' has another number of values per row than in the instances");
		}
	}

	// ---------------------------------------------------------------- model-agnostic

	/**
	 * What a model-agnostic method explains: an output of the serving signature, and the
	 * output's values for the instances (one call), which tell its width and the
	 * predicted classes.
	 */
	private record OutputTarget(String output, Outputs.Values atInstances, Integer requestedClass, Integer modelClass,
			List<String> classNames) {

		int classIndex(int instance) {
			int perRow = atInstances.perRow();
			if (perRow == 1) {
				return 0;
			}
			if (requestedClass != null) {
				return requestedClass;
			}
			if (modelClass != null) {
				return modelClass;
			}
			int best = 0;
			for (int c = 1; c < perRow; c++) {
				if (atInstances.flat()[instance * perRow + c] > atInstances.flat()[instance * perRow + best]) {
					best = c;
				}
			}
			return best;
		}

		Map<String, Object> json(int instance) {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("output", output);
			if (atInstances.perRow() > 1) {
				int c = classIndex(instance);
				json.put("class", c);
				if (classNames != null && c < classNames.size()) {
					json.put("class_name", classNames.get(c));
				}
				json.put("class_from",
						requestedClass != null ? "request" : modelClass != null ? "model default" : "prediction");
			}
			return json;
		}

	}

	private OutputTarget outputTarget(Call call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		SignatureSpec serving = call.version().serving();
		ExplainContract contract = call.version().contract();
		String output = r.output();
		if ("probability".equals(r.target())) {
			if (contract == null) {
				throw new ExplanationException("parameters.target: this version declares no probability output; "
						+ "name the output to explain with parameters.output");
			}
			if (output != null && !output.equals(contract.probabilityOutput())) {
				throw new ExplanationException("parameters.output: '" + output + "' is not the probability output '"
						+ contract.probabilityOutput() + "' that parameters.target names");
			}
		}
		else if (r.target() != null && !"logit".equals(r.target())) {
			throw new ExplanationException(
					"parameters.target: unknown target '" + r.target() + "' (probability or logit)");
		}
		if (output == null) {
			if (contract != null) {
				output = contract.probabilityOutput();
			}
			else {
				List<String> numeric = serving.outputs()
					.values()
					.stream()
					.filter(o -> o.dtype().equals("DT_FLOAT") || o.dtype().equals("DT_DOUBLE"))
					.map(o -> o.name())
					.toList();
				if (numeric.size() != 1) {
					throw new ExplanationException("parameters.output: name the output to explain (float outputs of "
							+ serving.key() + ": " + numeric + ")");
				}
				output = numeric.get(0);
			}
		}
		if (!serving.outputs().containsKey(output)) {
			throw new ExplanationException("parameters.output: unknown output '" + output + "' (the outputs of "
					+ serving.key() + " are " + new java.util.TreeSet<>(serving.outputs().keySet()) + ")");
		}
		String name = output;
		Outputs.Values values = call.servable().call(serving.key(), instances, result -> Outputs.read(result, name));
		int perRow = values.perRow();
		Integer requested = r.targetClass();
		if (requested != null && (requested < 0 || requested >= perRow)) {
			throw new ExplanationException("parameters.class: " + requested + " is out of range for output '" + output
					+ "', which has " + perRow + (perRow == 1 ? " value" : " values") + " per row");
		}
		boolean probabilities = contract != null && output.equals(contract.probabilityOutput());
		return new OutputTarget(output, values, requested, probabilities ? contract.defaultClass() : null,
				probabilities ? contract.classes() : null);
	}

	private int rowsPerCall(int width) {
		return Math.max(1, properties.maxCallElements() / Math.max(1, width));
	}

	private List<Map<String, Object>> kernelShap(Call call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		ExplainableVersion version = call.version();
		TabularSlots slots = version.slots();
		TabularSlots.Coder coder = slots.coder();
		ExplainContract contract = version.contract();
		// a version that exports the explain signatures evaluates the same rows in its
		// encoded space: the same outputs, without parsing strings for every row
		boolean encoded = contract != null && contract.kind() == ExplainContract.Kind.TABULAR
				&& (r.output() == null || r.output().equals(contract.probabilityOutput()))
				&& slots.width() == contract.columns().size();
		if ("logit".equals(r.target()) && !encoded) {
			throw new ExplanationException("parameters.target: 'logit' needs the explain signatures, and then the "
					+ "probability output; kernel_shap explains an output of the serving signature here");
		}
		OutputTarget target = encoded ? null : outputTarget(call, instances);
		boolean logit = encoded && logitTarget(r);
		int contractClass = encoded ? contractClass(r, contract) : -1;
		Map<String, Object> backgroundJson = new LinkedHashMap<>();
		Map<String, InputColumn> poolColumns;
		if (r.background() != null) {
			poolColumns = r.background();
			backgroundJson.put("source", "request");
		}
		else if (version.backgroundPool() != null) {
			poolColumns = version.backgroundPool();
			backgroundJson.put("source", "reference");
			backgroundJson.put("file", ExplainContract.BACKGROUND_FILE);
			if (contract != null && contract.background() != null) {
				backgroundJson.put("file_sha256", contract.background().sha256());
			}
		}
		else {
			throw new ExplanationException("parameters.background: kernel_shap needs background rows and "
					+ version.backgroundProblem() + "; send parameters.background, an array of rows like instances");
		}
		double[][] pool = coder.encodeAll(poolColumns);
		int size = r.backgroundSize() != null ? r.backgroundSize() : DEFAULT_BACKGROUND_SIZE;
		if (size < 1 || size > MAX_BACKGROUND_SIZE) {
			throw new ExplanationException("parameters.background_size: must be an integer from 1 to "
					+ MAX_BACKGROUND_SIZE + ", got " + size);
		}
		String summary = r.backgroundSummary() != null ? r.backgroundSummary() : "sample";
		long seed = r.seed() != null ? r.seed() : 0L;
		Background background = switch (summary) {
			case "sample" -> Background.sample(pool, size, seed);
			case "kmeans" -> Background.kmeans(pool, coder, size, seed);
			default -> throw new ExplanationException(
					"parameters.background_summary: unknown summary '" + summary + "' (sample or kmeans)");
		};
		int samples = r.samples() != null ? r.samples() : DEFAULT_SAMPLES;
		if (samples < 2 || samples > MAX_SAMPLES) {
			throw new ExplanationException(
					"parameters.samples: must be an integer from 2 to " + MAX_SAMPLES + ", got " + samples);
		}
		backgroundJson.put("pool_rows", pool.length);
		backgroundJson.put("summary", background.summary());
		backgroundJson.put("rows", background.rows().length);
		backgroundJson.put("seed", seed);
		backgroundJson.put("sha256", backgroundHash(background, coder, slots));
		int width = slots.width();
		int n = Rows.count(instances);

		// the rows the model reads: coded raw rows, or (encoded) the encode signature's
		// features of the instances and the background rows, from one call
		double[][] inputs = new double[n][];
		double[][] backgroundRows = background.rows();
		int[][] groups = Occlusion.singletons(width);
		int rowWidth = width;
		Meter shared = new Meter();
		if (encoded) {
			Map<String, InputColumn> batch = Rows
				.concat(List.of(instances, Rows.select(poolColumns, background.indices())));
			Outputs.Values features = call.servable()
				.call(contract.encodeSignature(), batch, result -> Outputs.read(result, ExplainContract.FEATURES));
			shared.called(batch.values().iterator().next().rows());
			rowWidth = features.perRow();
			double[][] all = new double[n + background.indices().length][];
			for (int k = 0; k < all.length; k++) {
				all[k] = Arrays.copyOfRange(features.flat(), k * rowWidth, (k + 1) * rowWidth);
			}
			inputs = Arrays.copyOfRange(all, 0, n);
			backgroundRows = Arrays.copyOfRange(all, n, all.length);
			groups = contract.columns().stream().map(ExplainContract.Column::features).toArray(int[][]::new);
		}
		else {
			for (int i = 0; i < n; i++) {
				inputs[i] = coder.encode(instances, i);
			}
		}
		int rowsPerCall = rowsPerCall(rowWidth);
		KernelShap.Settings settings = new KernelShap.Settings(properties.kernelShapExactFeatures(), samples, seed,
				rowsPerCall);
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			double[] raw = coder.encode(instances, i);
			Meter meter = new Meter();
			BatchModel model = encoded
					? new GradientsSignature(call.servable(), contract, logit, contractClass,
							properties.maxCallElements(), meter)
						.values(rowWidth)
					: new ServingModel(call.servable(), version.serving().key(), coder,
							new ServingModel.Target(target.output(), target.classIndex(i)), rowsPerCall, meter);
			KernelShap.Result result;
			try {
				result = KernelShap.explain(model, inputs[i], backgroundRows, background.weights(), groups, settings);
			}
			catch (KernelShap.SingularSystemException ex) {
				throw new ExplanationException("parameters.samples: " + ex.getMessage());
			}
			Map<String, Object> json = call.header();
			Map<String, Object> targetJson = encoded ? integratedGradientsTarget(contract, logit, contractClass, r)
					: target.json(i);
			if (encoded) {
				targetJson.put("output",
						logit ? "logits (" + contract.gradientsSignature() + ")" : contract.probabilityOutput());
			}
			json.put("target", targetJson);
			json.put("evaluated_through", encoded ? contract.encodeSignature() + " + " + contract.gradientsSignature()
					: version.serving().key());
			json.put("background", backgroundJson);
			json.put("f_x", result.valueAtInput());
			json.put("expected_value", result.expectedValue());
			List<Object> attributions = new ArrayList<>();
			for (int s = 0; s < width; s++) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("feature", slots.names().get(s));
				entry.put("value", coder.value(s, raw[s]));
				entry.put("attribution", result.values()[s]);
				if (result.standardErrors() != null) {
					entry.put("standard_error", result.standardErrors()[s]);
				}
				attributions.add(entry);
			}
			json.put("attributions", attributions);
			// the encoding call is shared by the request's instances; it is counted in
			// each
			json.put("model_evaluations", meter.evaluations() + shared.evaluations());
			json.put("model_calls", meter.calls() + shared.calls());
			Map<String, Object> quality = new LinkedHashMap<>();
			quality.put("exact", result.exact());
			quality.put("features", width);
			quality.put("coalitions", result.coalitions());
			if (!result.exact()) {
				quality.put("samples", samples + samples % 2);
				quality.put("seed", seed);
				quality.put("max_standard_error", result.standardErrors() == null ? null : result.maxStandardError());
			}
			quality.put("efficiency_residual", result.efficiencyResidual());
			json.put("quality", quality);
			explanations.add(json);
		}
		return explanations;
	}

	private static String backgroundHash(Background background, TabularSlots.Coder coder, TabularSlots slots) {
		List<Object> rows = new ArrayList<>();
		for (int b = 0; b < background.rows().length; b++) {
			Map<String, Object> row = new LinkedHashMap<>();
			for (int s = 0; s < slots.width(); s++) {
				row.put(slots.names().get(s), coder.value(s, background.rows()[b][s]));
			}
			rows.add(Map.of("values", row, "weight", background.weights()[b]));
		}
		return sha256(rows);
	}

	private List<Map<String, Object>> occlusionTabular(Call call, Map<String, InputColumn> instances) {
		ExplainableVersion version = call.version();
		TabularSlots slots = version.slots();
		TabularSlots.Coder coder = slots.coder();
		OutputTarget target = outputTarget(call, instances);
		Baseline baseline = tabularBaseline(call);
		double[] b = coder.encode(baseline.row(), 0);
		int width = slots.width();
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < Rows.count(instances); i++) {
			double[] x = coder.encode(instances, i);
			Meter meter = new Meter();
			ServingModel model = new ServingModel(call.servable(), version.serving().key(), coder,
					new ServingModel.Target(target.output(), target.classIndex(i)), rowsPerCall(width), meter);
			Occlusion.Result result = Occlusion.explain(model, x, b, Occlusion.singletons(width), rowsPerCall(width));
			Map<String, Object> json = call.header();
			json.put("target", target.json(i));
			json.put("baseline", baseline.json());
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			List<Object> attributions = new ArrayList<>();
			for (int s = 0; s < width; s++) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("feature", slots.names().get(s));
				entry.put("value", coder.value(s, x[s]));
				entry.put("baseline", coder.value(s, b[s]));
				entry.put("attribution", result.effects()[s]);
				attributions.add(entry);
			}
			json.put("attributions", attributions);
			json.put("model_evaluations", meter.evaluations());
			json.put("model_calls", meter.calls());
			json.put("quality", occlusionQuality(result));
			explanations.add(json);
		}
		return explanations;
	}

	private static Map<String, Object> occlusionQuality(Occlusion.Result result) {
		Map<String, Object> quality = new LinkedHashMap<>();
		quality.put("additivity_gap", result.additivityGap());
		quality.put("note", "occlusion effects need not add up to f(x) - f(baseline); the gap measures how much "
				+ "the features interact");
		return quality;
	}

	private List<Map<String, Object>> occlusionText(Call call, Map<String, InputColumn> instances) {
		ExplainContract contract = call.version().contract();
		OutputTarget target = outputTarget(call, instances);
		String[] texts = texts(instances, contract);
		EncodedTexts encoded = encodeTexts(call, instances, contract);
		List<Map<String, Object>> explanations = new ArrayList<>();
		for (int i = 0; i < texts.length; i++) {
			EncodedText text = encoded.text(i);
			List<TextTokens.Span> spans = TextTokens.locate(texts[i], text.tokens(), contract.text().maxChars(),
					contract.text().maxTokens());
			if (spans == null) {
				throw new ExplanationException("instances[" + i + "]: the worker could not find the model's tokens "
						+ "in the text, so it cannot remove them one at a time; integrated_gradients explains it");
			}
			int tokens = spans.size();
			Meter meter = new Meter();
			TextOcclusion model = new TextOcclusion(call.servable(), call.version().serving(), contract.text().input(),
					texts[i], spans, new ServingModel.Target(target.output(), target.classIndex(i)),
					properties.maxCallElements(), meter);
			double[] all = new double[tokens];
			Arrays.fill(all, 1);
			Occlusion.Result result = Occlusion.explain(model, all, new double[tokens], Occlusion.singletons(tokens),
					model.rowsPerCall());
			Map<String, Object> json = call.header();
			json.put("target", target.json(i));
			Map<String, Object> baseline = new LinkedHashMap<>();
			baseline.put("name", "tokens removed");
			baseline.put("description", "each token's characters are replaced by spaces in the original text and "
					+ "the text is predicted again (removal, not masking: a mean-pooled model averages over the "
					+ "tokens that remain); f_baseline is the text with every token removed");
			json.put("baseline", baseline);
			json.put("f_x", result.valueAtInput());
			json.put("f_baseline", result.valueAtBaseline());
			putTokens(json, texts[i], text, result.effects(), contract);
			json.put("model_evaluations", meter.evaluations());
			json.put("model_calls", meter.calls() + 1);
			json.put("quality", occlusionQuality(result));
			explanations.add(json);
		}
		return explanations;
	}

	static String sha256(Object value) {
		try {
			byte[] canonical = CANONICAL.writeValueAsBytes(value);
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
