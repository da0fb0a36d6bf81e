package dev.warden.console.adminapi;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;

/**
 * platform-api's quota plans in force ({@code GET /api/admin/quota-plans}, any console
 * role): the plans of {@code policies/quotas.yaml} with their limits, the default plan,
 * the version and the file's SHA-256.
 */
@Component
public class QuotaPlanClient {

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	QuotaPlanClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/** The answer as platform-api sends it. */
	public JsonNode plans() {
		JsonNode plans = this.transport.get("/api/admin/quota-plans", TREE);
		if (plans == null || !plans.path("plans").isArray()) {
			throw new AdminApiException("platform-api sent no quota plans.", null);
		}
		return plans;
	}

	/** The names of the plans in force, sorted. */
	public List<String> names() {
		List<String> names = new ArrayList<>();
		for (JsonNode plan : plans().path("plans")) {
			names.add(plan.path("name").asString());
		}
		return names;
	}

}
