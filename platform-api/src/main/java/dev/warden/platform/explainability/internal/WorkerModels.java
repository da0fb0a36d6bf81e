package dev.warden.platform.explainability.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;

/**
 * The worker's calls that reports need besides explanations: a version's metadata (TF
 * Serving's, for the signature) and the SHA-256 of its files ({@code GET
 * /internal/v1/models/{m}/versions/{v}/digest}), predictions for partial dependence, and
 * the datasets shipped with the worker ({@code GET /internal/v1/datasets/{name}}).
 * Predictions and metadata go to a worker serving that exact version. Thread-safe.
 */
public final class WorkerModels {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkerClient worker;

	public WorkerModels(WorkerClient worker) {
		this.worker = worker;
	}

	/**
	 * The metadata of {@code version} of {@code model}, or of the version the worker
	 * serves as latest when {@code version} is {@code null}.
	 * @throws WorkerCallException when the worker answers with an error
	 * @throws WorkerClient.WorkerUnavailableException when no worker serving it can be
	 * reached
	 */
	public Metadata metadata(String model, Long version, String requestId) {
		String path = "/v1/models/" + encode(model) + ((version != null) ? "/versions/" + version : "") + "/metadata";
		WorkerResponse response = this.worker.forward(model, version, null, "GET", path, null, null, requestId);
		if (response.status() != 200) {
			throw new WorkerCallException(response.status(), "the worker answered " + response.status()
					+ " to the metadata of " + model + ": " + errorMessage(response.body()));
		}
		JsonNode body = JSON.readTree(response.body());
		JsonNode defs = body.path("metadata").path("signature_def").path("signature_def");
		long served = body.path("model_spec").path("version").asLong(-1);
		if (served < 0 && response.modelVersion() != null) {
			served = Long.parseLong(response.modelVersion());
		}
		long of = (version != null) ? version : served;
		return new Metadata(of, defs, (of >= 0) ? digest(model, of, requestId) : null);
	}

	/**
	 * The SHA-256 of the version's files ({@code GET
	 * /internal/v1/models/{m}/versions/{v}/digest}), or {@code null} when the worker does
	 * not say (an older worker answers 404).
	 */
	private String digest(String model, long version, String requestId) {
		WorkerResponse response = this.worker.forward(model, version, null, "GET",
				"/internal/v1/models/" + encode(model) + "/versions/" + version + "/digest", null, null, requestId);
		if (response.status() != 200) {
			return null;
		}
		JsonNode sha256 = JSON.readTree(response.body()).path("model_sha256");
		return sha256.isString() ? sha256.asString() : null;
	}

	/**
	 * Predictions of {@code version} for {@code instances} (TF Serving row format).
	 * @throws WorkerCallException when the worker refuses them or answers another number
	 * of rows
	 */
	public List<Prediction> predict(String model, long version, List<? extends JsonNode> instances, String requestId) {
		ObjectNode body = JSON.createObjectNode();
		ArrayNode rows = body.putArray("instances");
		instances.forEach(rows::add);
		String path = "/v1/models/" + encode(model) + "/versions/" + version + ":predict";
		WorkerResponse response = this.worker.forward(model, version, null, "POST", path, JSON.writeValueAsBytes(body),
				"application/json", requestId);
		if (response.status() != 200) {
			throw new WorkerCallException(response.status(), "the worker answered " + response.status()
					+ " to a prediction of " + model + " version " + version + ": " + errorMessage(response.body()));
		}
		List<Prediction> predictions = new ArrayList<>(instances.size());
		for (JsonNode row : JSON.readTree(response.body()).path("predictions")) {
			predictions.add(Prediction.of(row));
		}
		if (predictions.size() != instances.size()) {
			throw new WorkerCallException(502,
					"the worker answered " + predictions.size() + " predictions for " + instances.size() + " rows");
		}
		return predictions;
	}

	/**
	 * A dataset shipped with the worker, as CSV bytes (the worker's answer is read whole:
	 * the shipped datasets are a few MB).
	 * @throws WorkerCallException when the worker does not have it
	 */
	public byte[] shippedDataset(String name, String requestId) {
		WorkerResponse response = this.worker.exchange("GET", "/internal/v1/datasets/" + encode(name), null, null,
				requestId);
		if (response.status() != 200) {
			throw new WorkerCallException(response.status(), "the worker answered " + response.status()
					+ " to the shipped dataset '" + name + "': " + errorMessage(response.body()));
		}
		return response.body();
	}

	/**
	 * The message of a worker's error body ({@code {"error": "..."}} or {@code {"error":
	 * {"message": "..."}}}), at most 300 characters.
	 */
	static String errorMessage(byte[] body) {
		String message;
		try {
			JsonNode error = JSON.readTree(body).path("error");
			message = error.isString() ? error.asString() : error.path("message").asString("");
		}
		catch (RuntimeException ex) {
			message = "";
		}
		if (message.isBlank()) {
			message = "no error message";
		}
		return (message.length() > 300) ? message.substring(0, 300) + "..." : message;
	}

	private static String encode(String segment) {
		return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/**
	 * @param version the version the metadata is of
	 * @param signatureDefs the TF Serving {@code signature_def} map
	 * @param modelSha256 the SHA-256 of the version's files as the worker computed it, or
	 * {@code null} when the worker does not say
	 */
	public record Metadata(long version, JsonNode signatureDefs, String modelSha256) {
	}

}
