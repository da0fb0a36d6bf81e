package dev.warden.console.adminapi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * One version of a model, with its signatures in TensorFlow Serving's
 * {@code signature_def} shape.
 *
 * @param version the version number
 * @param state the serving state, such as {@code AVAILABLE}, or {@code END} for a version
 * that failed to load
 * @param error why the version failed to load, or {@code null}
 * @param warnings caveats of a loaded version (signatures not warmed up or not servable);
 * never {@code null}
 * @param signatureDefs the signature definitions as sent by the admin API
 * @param serving whether the platform wants the version loaded, why, and its state on
 * each worker; never {@code null} (not aspired, no workers, when the admin API sends
 * none)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelVersion(String version, String state, String error, List<String> warnings,
		@JsonProperty("signature_defs") JsonNode signatureDefs, Serving serving) {

	public ModelVersion {
		warnings = (warnings == null) ? List.of() : List.copyOf(warnings);
		serving = (serving == null) ? new Serving(false, List.of(), List.of()) : serving;
	}

	/**
	 * Aspired versus loaded.
	 *
	 * @param aspired whether the platform wants the version loaded on every worker
	 * @param reasons why: {@code stable}, {@code canary}, {@code pin},
	 * {@code hold:<holder>}, {@code latest}
	 * @param workers the version's state on each worker
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record Serving(boolean aspired, List<String> reasons, List<WorkerState> workers) {

		public Serving {
			reasons = (reasons == null) ? List.of() : List.copyOf(reasons);
			workers = (workers == null) ? List.of() : List.copyOf(workers);
		}

	}

	/**
	 * The version on one worker.
	 *
	 * @param worker the worker's id
	 * @param healthy whether the gateway routes to it
	 * @param state {@code AVAILABLE}, {@code LOADING}, {@code FAILED}, {@code NOT_LOADED}
	 * or {@code UNKNOWN}
	 * @param error why it failed, or {@code null}
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record WorkerState(String worker, boolean healthy, String state, String error) {
	}

	/**
	 * Whether two version numbers name the same version: compared as numbers when both
	 * are ("01" is "1"), as text otherwise; never for a null.
	 */
	public static boolean sameNumber(String a, String b) {
		if (a == null || b == null) {
			return false;
		}
		try {
			return Long.parseLong(a.trim()) == Long.parseLong(b.trim());
		}
		catch (NumberFormatException ex) {
			return a.equals(b);
		}
	}

	/**
	 * The signatures of this version. Accepts the map of signature name to definition, or
	 * that map wrapped in {@code signature_def} once or twice as in TensorFlow Serving's
	 * metadata answer.
	 */
	public List<Signature> signatures() {
		JsonNode defs = this.signatureDefs;
		while (defs != null && defs.isObject() && defs.has("signature_def") && !isSignature(defs)) {
			defs = defs.get("signature_def");
		}
		if (defs == null || !defs.isObject()) {
			return List.of();
		}
		List<Signature> signatures = new ArrayList<>();
		for (Map.Entry<String, JsonNode> entry : defs.properties()) {
			JsonNode def = entry.getValue();
			signatures.add(new Signature(entry.getKey(), def.path("method_name").asString(""),
					tensors(def.path("inputs")), tensors(def.path("outputs"))));
		}
		return signatures;
	}

	private static boolean isSignature(JsonNode node) {
		return node.has("inputs") || node.has("outputs");
	}

	private static List<Signature.Tensor> tensors(JsonNode tensors) {
		List<Signature.Tensor> result = new ArrayList<>();
		if (tensors.isObject()) {
			for (Map.Entry<String, JsonNode> entry : tensors.properties()) {
				JsonNode tensor = entry.getValue();
				result.add(new Signature.Tensor(entry.getKey(), tensor.path("dtype").asString(""),
						shape(tensor.path("tensor_shape"))));
			}
		}
		// signature maps have no order of their own; by name is what a reader scans for
		result.sort(Comparator.comparing(Signature.Tensor::name));
		return result;
	}

	private static String shape(JsonNode shape) {
		if (shape.isMissingNode() || shape.isNull() || shape.path("unknown_rank").asBoolean(false)) {
			return "unknown rank";
		}
		List<String> dims = new ArrayList<>();
		for (JsonNode dim : shape.path("dim").values()) {
			dims.add(dim.path("size").asString("?"));
		}
		return "[" + String.join(", ", dims) + "]";
	}

}
