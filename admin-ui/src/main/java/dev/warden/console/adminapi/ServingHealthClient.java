package dev.warden.console.adminapi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;

/**
 * Serving health over time ({@code GET /api/admin/monitoring/serving}, any console role):
 * requests, answers by status class, errors by code, quota rejections and latency per
 * step, from the per-minute aggregates the gateway replicas flush.
 */
@Component
public class ServingHealthClient {

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	ServingHealthClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * The serving health as platform-api answers it ({@code model}, {@code version},
	 * {@code tenant_id}, {@code from}, {@code to}, {@code step}, {@code totals},
	 * {@code points}).
	 * @param model the model, or null for every model
	 * @param version the answering version, or null for all
	 * @param tenantId the tenant's id, or null for every tenant
	 * @param step {@code 1m}, {@code 5m} or {@code 1h}
	 */
	public JsonNode serving(String model, String version, String tenantId, Instant from, Instant to, String step) {
		StringBuilder path = new StringBuilder("/api/admin/monitoring/serving?from={from}&to={to}&step={step}");
		List<Object> variables = new ArrayList<>(List.of(from.toString(), to.toString(), step));
		if (model != null) {
			path.append("&model={model}");
			variables.add(model);
		}
		if (version != null) {
			path.append("&version={version}");
			variables.add(version);
		}
		if (tenantId != null) {
			path.append("&tenant={tenant}");
			variables.add(tenantId);
		}
		JsonNode answer = this.transport.get(path.toString(), TREE, variables.toArray());
		if (answer == null || !answer.isObject() || !answer.path("points").isArray()) {
			throw new AdminApiException("platform-api sent no serving health.", null);
		}
		return answer;
	}

}
