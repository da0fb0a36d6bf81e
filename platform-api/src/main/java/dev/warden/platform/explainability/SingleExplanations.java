package dev.warden.platform.explainability;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.explainability.internal.WorkerCallException;
import dev.warden.platform.explainability.internal.WorkerExplainer;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.worker.WorkerClient;

/**
 * Single explanations for the console: a request of KServe v1 shape ({@code {"instances":
 * [...], "parameters": {...}}}, at most {@value #MAX_INSTANCES} instances) is forwarded
 * to a worker serving that exact version, and its answer comes back in the admin API's
 * shape ({@link WorkerExplainer#normalise}). Each call is audited as
 * {@code model.explained} with model, version, method and row count, never the rows.
 */
@Service
public class SingleExplanations {

	/** Most instances one call may explain. */
	static final int MAX_INSTANCES = 10;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ModelCatalogue catalogue;

	private final WorkerExplainer explainer;

	private final AuditTrail audit;

	private final TransactionTemplate transactions;

	SingleExplanations(ModelCatalogue catalogue, WorkerExplainer explainer, AuditTrail audit,
			TransactionTemplate transactions) {
		this.catalogue = catalogue;
		this.explainer = explainer;
		this.audit = audit;
		this.transactions = transactions;
	}

	/**
	 * @throws ApiException 400 (bad body, or the worker refused the input), 404 (unknown
	 * version, or not served), 502/503 (worker)
	 */
	public ObjectNode explain(String model, long version, JsonNode body, String actor, String requestId) {
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
		if (body == null || !body.isObject()) {
			throw ApiException.badRequest("validation_failed",
					"send {\"instances\": [<row or text>, ...], \"parameters\"?: {...}}");
		}
		JsonNode instances = body.path("instances");
		if (!instances.isArray() || instances.isEmpty() || instances.size() > MAX_INSTANCES) {
			throw ApiException.badRequest("validation_failed",
					"instances: an array of 1 to " + MAX_INSTANCES + " rows (objects) or texts is required");
		}
		JsonNode parameters = body.path("parameters");
		if (!parameters.isMissingNode() && !parameters.isObject()) {
			throw ApiException.badRequest("validation_failed", "parameters: must be an object");
		}
		for (String key : body.propertyNames()) {
			if (!key.equals("instances") && !key.equals("parameters")) {
				throw ApiException.badRequest("validation_failed",
						"unknown field '" + key + "'; the body has instances and parameters");
			}
		}
		WorkerExplainer.Answer answer;
		try {
			answer = this.explainer.explainRaw(model, version, JSON.writeValueAsBytes(body), instances.size(),
					requestId);
		}
		catch (WorkerClient.NoWorkerAvailableException ex) {
			throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "worker_unavailable",
					"no inference worker serves version " + version + " of model " + model);
		}
		catch (WorkerClient.WorkerUnavailableException ex) {
			throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "worker_unavailable",
					"the inference worker could not be reached; try again later");
		}
		catch (WorkerCallException ex) {
			if (ex.status() == 400 || ex.status() == 422) {
				throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_input", ex.getMessage());
			}
			if (ex.status() == 404) {
				throw ApiException.notFound("an explanation endpoint for version " + version + " of model " + model
						+ " (" + ex.getMessage() + ")");
			}
			throw new ApiException(HttpStatus.BAD_GATEWAY, "worker_error", ex.getMessage());
		}
		ObjectNode answerJson = JSON.createObjectNode();
		answerJson.put("model", model);
		answerJson.put("version", Long.toString(version));
		WorkerExplainer.normalise(answer).properties().forEach((e) -> answerJson.set(e.getKey(), e.getValue()));
		String method = parameters.path("method").isString() ? parameters.path("method").asString()
				: answer.explanations()
					.stream()
					.map((e) -> e.method())
					.filter((m) -> m != null)
					.findFirst()
					.orElse(null);
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("model", model);
		details.put("version", version);
		details.put("method", method);
		details.put("rows", instances.size());
		this.transactions.executeWithoutResult((status) -> this.audit.append(actor, "model.explained", "model_version",
				model + "/" + version, details));
		return answerJson;
	}

}
