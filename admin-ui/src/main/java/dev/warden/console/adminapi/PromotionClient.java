package dev.warden.console.adminapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * platform-api's promotion admin API, as the signed-in user: promotion requests of a
 * model version to stable or canary, evaluated rule by rule against the promotion policy,
 * approved or rejected by a second administrator (four eyes), withdrawn by the requester.
 * Requests are kept as the JSON platform-api sends; the console's pages read what they
 * know of them. A request whose rules fail without an override is refused with 409
 * {@code promotion_refused}; its failed rules are in the exception's
 * {@link AdminApiException#body() body}.
 */
@Component
public class PromotionClient {

	private static final ParameterizedTypeReference<Page<JsonNode>> REQUESTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	PromotionClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * The first page of the promotion requests, newest first.
	 * @param model only this model's, or all when null or blank
	 * @param state only requests in this state ({@code pending}, {@code approved},
	 * {@code rejected}, {@code refused}, {@code withdrawn}, {@code superseded}), or all
	 */
	public Page<JsonNode> requests(String model, String state) {
		StringBuilder uri = new StringBuilder("/api/admin/promotion-requests");
		List<Object> variables = new ArrayList<>();
		if (model != null && !model.isBlank()) {
			uri.append("?model={model}");
			variables.add(model);
		}
		if (state != null && !state.isBlank()) {
			uri.append(variables.isEmpty() ? '?' : '&').append("state={state}");
			variables.add(state);
		}
		Page<JsonNode> page = this.transport.get(uri.toString(), REQUESTS, variables.toArray());
		if (page == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return page;
	}

	/**
	 * What the promotion rules say about the version now (a dry run, nothing stored):
	 * {@code {"policy_sha256", "require_approval", "max_canary_weight_without_approval",
	 * "approvals_required", "stable_version", "rules": […]}}.
	 */
	public JsonNode evaluate(String model, String version) {
		return object(
				this.transport.get("/api/admin/models/{m}/versions/{v}/promotion-evaluation", TREE, model, version));
	}

	/** One promotion request with its rule results. */
	public JsonNode request(String id) {
		return object(this.transport.get("/api/admin/promotion-requests/{id}", TREE, id));
	}

	/**
	 * Requests the promotion of a version: {@code {"target", "canary_weight", "comment",
	 * "overrides": [{"rule", "justification"}]}}.
	 * @return the stored request (pending)
	 */
	public JsonNode requestPromotion(String model, String version, Map<String, Object> request) {
		return object(this.transport.send(HttpMethod.POST, "/api/admin/models/{m}/versions/{v}/promotion-requests",
				request, TREE, model, version));
	}

	/** Approves a pending request (another administrator than the requester). */
	public JsonNode approve(String id, String comment) {
		return decide(id, "approve", comment);
	}

	/** Rejects a pending request (another administrator; a comment is required). */
	public JsonNode reject(String id, String comment) {
		return decide(id, "reject", comment);
	}

	/** Withdraws a pending request (its requester). */
	public JsonNode withdraw(String id, String comment) {
		return decide(id, "withdraw", comment);
	}

	private JsonNode decide(String id, String action, String comment) {
		Map<String, Object> body = new LinkedHashMap<>();
		if (comment != null && !comment.isBlank()) {
			body.put("comment", comment.trim());
		}
		return this.transport.send(HttpMethod.POST, "/api/admin/promotion-requests/{id}/" + action, body, TREE, id);
	}

	private static JsonNode object(JsonNode node) {
		if (node == null || !node.isObject()) {
			throw new AdminApiException(
					"platform-api sent an empty answer where a promotion request or evaluation " + "was expected.",
					null);
		}
		return node;
	}

}
