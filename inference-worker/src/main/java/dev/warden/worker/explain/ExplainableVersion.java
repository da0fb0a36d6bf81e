package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;

/**
 * What one loaded version offers for explanations, worked out once from its signatures
 * and its Warden files: the contract (when it ships one that fits its signatures), its
 * serving signature as tabular features, and its reference background. Every method it
 * cannot offer comes with the reason.
 */
final class ExplainableVersion {

	static final String DEFAULT_SIGNATURE = "serving_default";

	private final SignatureSpec serving;

	private final String servingProblem;

	private final ExplainContract contract;

	private final String contractProblem;

	private final TabularSlots slots;

	private final String tabularProblem;

	private final Map<String, InputColumn> backgroundPool;

	private final String backgroundProblem;

	private ExplainableVersion(LoadedServable servable) {
		ExplainContract parsed = null;
		String problem = null;
		byte[] json = servable.wardenAssets().file(ExplainContract.FILE).orElse(null);
		if (json == null) {
			problem = "the version exports no explain signatures (no assets.extra/" + ExplainContract.FILE
					+ "; a model trained before explanations existed, or an upload that did not opt in)";
		}
		else {
			try {
				parsed = ExplainContract.parse(json);
				problem = check(parsed, servable);
			}
			catch (IllegalArgumentException ex) {
				problem = "assets.extra/" + ExplainContract.FILE + " is invalid: " + ex.getMessage();
			}
		}
		String servingKey = parsed != null ? parsed.servingSignature() : DEFAULT_SIGNATURE;
		this.serving = servable.signatures().get(servingKey);
		this.servingProblem = serving == null
				? "the version has no signature '" + servingKey + "'; explanations use the serving signature" : null;
		this.contract = problem == null ? parsed : null;
		this.contractProblem = problem;

		TabularSlots tabular = null;
		String tabularReason = servingProblem;
		if (serving != null) {
			if (contract != null && contract.kind() == ExplainContract.Kind.TEXT) {
				tabularReason = "a text model has no fixed set of features";
			}
			else {
				try {
					tabular = TabularSlots.of(serving, contract == null ? null
							: contract.columns().stream().map(ExplainContract.Column::name).toList());
				}
				catch (IllegalArgumentException ex) {
					tabularReason = "the serving signature is not tabular: " + ex.getMessage();
				}
			}
		}
		this.slots = tabular;
		this.tabularProblem = tabular == null ? tabularReason : null;

		Map<String, InputColumn> pool = null;
		String poolProblem = null;
		byte[] csv = servable.wardenAssets().file(ExplainContract.BACKGROUND_FILE).orElse(null);
		if (tabular == null) {
			poolProblem = tabularReason;
		}
		else if (csv == null) {
			poolProblem = "the version ships no reference data (assets.extra/" + ExplainContract.BACKGROUND_FILE + ")";
		}
		else {
			try {
				pool = Background.parseCsv(csv, tabular);
			}
			catch (IllegalArgumentException ex) {
				poolProblem = "assets.extra/" + ExplainContract.BACKGROUND_FILE + " cannot be used: " + ex.getMessage();
			}
		}
		this.backgroundPool = pool;
		this.backgroundProblem = poolProblem;
	}

	static ExplainableVersion of(LoadedServable servable) {
		return new ExplainableVersion(servable);
	}

	/** Why the contract does not fit the version's signatures, or null. */
	private static String check(ExplainContract contract, LoadedServable servable) {
		Map<String, SignatureSpec> signatures = servable.signatures();
		SignatureSpec serving = signatures.get(contract.servingSignature());
		SignatureSpec encode = signatures.get(contract.encodeSignature());
		SignatureSpec gradients = signatures.get(contract.gradientsSignature());
		List<String> missing = new ArrayList<>();
		if (serving == null) {
			missing.add(contract.servingSignature());
		}
		if (encode == null) {
			missing.add(contract.encodeSignature());
		}
		if (gradients == null) {
			missing.add(contract.gradientsSignature());
		}
		if (!missing.isEmpty()) {
			return "the contract names signatures the version cannot serve: " + missing;
		}
		if (!serving.outputs().containsKey(contract.probabilityOutput())) {
			return "the serving signature has no output '" + contract.probabilityOutput() + "'";
		}
		Set<String> gradientOutputs = Set.of(ExplainContract.LOGITS, ExplainContract.PROBABILITIES,
				ExplainContract.LOGIT_GRADIENTS, ExplainContract.PROBABILITY_GRADIENTS);
		if (!gradients.outputs().keySet().containsAll(gradientOutputs)) {
			return "signature '" + gradients.key() + "' needs the outputs " + gradientOutputs;
		}
		if (contract.kind() == ExplainContract.Kind.TABULAR) {
			TensorSpec features = gradients.inputs().get(ExplainContract.FEATURES);
			if (features == null || features.dims() == null || features.dims().length != 2
					|| features.dims()[1] != contract.features().size()
					|| !gradients.inputs().containsKey(ExplainContract.TARGET_CLASS)) {
				return "signature '" + gradients.key() + "' needs the inputs features [-1, "
						+ contract.features().size() + "] and target_class";
			}
			if (!encode.outputs().containsKey(ExplainContract.FEATURES)
					|| !encode.inputs().keySet().equals(serving.inputs().keySet())) {
				return "signature '" + encode.key() + "' needs the serving inputs and the output features";
			}
			Set<String> columns = new HashSet<>();
			contract.columns().forEach(c -> columns.add(c.name()));
			if (!columns.equals(serving.inputs().keySet())) {
				return "the contract's columns " + columns + " are not the serving inputs " + serving.inputs().keySet();
			}
			if (!contract.baselines().get("training").keySet().containsAll(columns)) {
				return "the training baseline does not give every column";
			}
		}
		else {
			TensorSpec text = serving.inputs().get(contract.text().input());
			if (serving.inputs().size() != 1 || text == null || text.elementKind() != TensorSpec.ElementKind.STRING) {
				return "the serving signature must have the one string input '" + contract.text().input() + "'";
			}
			if (!encode.outputs()
				.keySet()
				.containsAll(Set.of(ExplainContract.TOKENS, ExplainContract.TOKEN_ROWS, ExplainContract.TOKEN_BUCKETS,
						ExplainContract.TOKEN_EMBEDDINGS))) {
				return "signature '" + encode.key() + "' needs the outputs tokens, token_rows, token_buckets and "
						+ "token_embeddings";
			}
			if (!gradients.inputs()
				.keySet()
				.equals(Set.of(ExplainContract.TOKEN_EMBEDDINGS, ExplainContract.TOKEN_ROWS,
						ExplainContract.TARGET_CLASS))) {
				return "signature '" + gradients.key() + "' needs the inputs token_embeddings, token_rows and "
						+ "target_class";
			}
		}
		return null;
	}

	SignatureSpec serving() {
		return serving;
	}

	String servingProblem() {
		return servingProblem;
	}

	ExplainContract contract() {
		return contract;
	}

	boolean text() {
		return contract != null && contract.kind() == ExplainContract.Kind.TEXT;
	}

	TabularSlots slots() {
		return slots;
	}

	Map<String, InputColumn> backgroundPool() {
		return backgroundPool;
	}

	String backgroundProblem() {
		return backgroundProblem;
	}

	/** Why the method cannot run on this version, or null when it can. */
	String unsupported(ExplanationMethod method) {
		if (servingProblem != null) {
			return servingProblem;
		}
		return switch (method) {
			case INTEGRATED_GRADIENTS -> contractProblem;
			case KERNEL_SHAP -> tabularProblem;
			case OCCLUSION -> text() ? (ExplainContract.WARDEN_TEXT_TOKENIZER.equals(contract.text().tokenizer()) ? null
					: "the worker can only remove the tokens of the tokenizer " + ExplainContract.WARDEN_TEXT_TOKENIZER
							+ " from a text, this model's is " + contract.text().tokenizer())
					: tabularProblem;
		};
	}

	List<ExplanationMethod> supported() {
		return java.util.Arrays.stream(ExplanationMethod.values()).filter(m -> unsupported(m) == null).toList();
	}

	/**
	 * The best method this version supports: integrated gradients when it is
	 * differentiable, else KernelSHAP when it has background rows (its own or the
	 * caller's), else occlusion; null when it supports none.
	 */
	ExplanationMethod best(boolean callerBackground) {
		if (unsupported(ExplanationMethod.INTEGRATED_GRADIENTS) == null) {
			return ExplanationMethod.INTEGRATED_GRADIENTS;
		}
		if (unsupported(ExplanationMethod.KERNEL_SHAP) == null && (backgroundPool != null || callerBackground)) {
			return ExplanationMethod.KERNEL_SHAP;
		}
		if (unsupported(ExplanationMethod.OCCLUSION) == null) {
			return ExplanationMethod.OCCLUSION;
		}
		return null;
	}

	/** The answer of the explanation-methods endpoint for this version. */
	Map<String, Object> describe() {
		Map<String, Object> json = new LinkedHashMap<>();
		ExplanationMethod best = best(false);
		json.put("default_method", best == null ? null : best.id());
		json.put("kind", text() ? "text" : slots != null ? "tabular" : null);
		List<Object> methods = new ArrayList<>();
		List<Object> unsupported = new ArrayList<>();
		for (ExplanationMethod method : ExplanationMethod.values()) {
			String reason = unsupported(method);
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("method", method.id());
			if (reason != null) {
				entry.put("reason", reason);
				unsupported.add(entry);
				continue;
			}
			switch (method) {
				case INTEGRATED_GRADIENTS -> {
					entry.put("targets", List.of("probability", "logit"));
					entry.put("classes", contract.classes());
					entry.put("default_class", contract.defaultClass());
					entry.put("baselines", text() ? List.of("zero") : List.of("training", "missing", "a row"));
					entry.put("attributes_to", text() ? "tokens" : "raw input columns");
				}
				case KERNEL_SHAP -> {
					entry.put("features", slots.names());
					entry.put("background",
							backgroundPool != null
									? Map.of("source", "reference", "rows", Rows.count(backgroundPool), "file",
											ExplainContract.BACKGROUND_FILE)
									: Map.of("source", "request", "reason", backgroundProblem));
				}
				case OCCLUSION -> {
					entry.put("attributes_to", text() ? "tokens" : "raw input columns");
					entry.put("baselines", text() ? List.of("token removed")
							: contract != null ? List.of("training", "missing", "a row") : List.of("missing", "a row"));
				}
			}
			methods.add(entry);
		}
		json.put("methods", methods);
		json.put("unsupported", unsupported);
		if (contract != null) {
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("name", contract.trainingData().name());
			data.put("rows", contract.trainingData().rows());
			data.put("sha256", contract.trainingData().sha256());
			json.put("training_data", data);
		}
		return json;
	}

}
