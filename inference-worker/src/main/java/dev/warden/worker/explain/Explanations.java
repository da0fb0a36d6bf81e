package dev.warden.worker.explain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.stream.Collectors;

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
		ExplanationCall call = new ExplanationCall(servable, version, request, method, properties);
		if (version.text()) {
			checkTextLengths(instances, version.contract());
		}
		return switch (method) {
			case INTEGRATED_GRADIENTS -> version.text() ? IntegratedGradientsExplainer.text(call, instances)
					: IntegratedGradientsExplainer.tabular(call, instances);
			case KERNEL_SHAP -> KernelShapExplainer.explain(call, instances);
			case OCCLUSION ->
				version.text() ? OcclusionExplainer.text(call, instances) : OcclusionExplainer.tabular(call, instances);
		};
	}

	private ExplainableVersion version(LoadedServable servable) {
		synchronized (versions) {
			return versions.computeIfAbsent(servable, ExplainableVersion::of);
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
		String[] texts = TextAttributions.texts(instances, contract);
		for (int i = 0; i < texts.length; i++) {
			if (texts[i].length() > properties.maxTextChars()) {
				throw new ExplanationException("instances[" + i + "]: the text has " + texts[i].length()
						+ " characters; explanations take texts of at most " + properties.maxTextChars()
						+ " (warden.worker.explain.max-text-chars)");
			}
		}
	}

	/** SHA-256 of the value as canonical JSON (map keys sorted), in hex. */
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
