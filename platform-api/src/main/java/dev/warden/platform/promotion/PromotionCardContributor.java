package dev.warden.platform.promotion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

import dev.warden.platform.modelcard.ModelCardContributor;

/**
 * The {@code promotion} section of a version's model card: every promotion request of the
 * version, oldest first, with its rule results, approvals and decision, and the
 * {@code overrides} list (each override with its rule, justification, who gave it, when,
 * and the request's id and state), so that a card shows every rule a version was promoted
 * despite, and why.
 */
@Component
class PromotionCardContributor implements ModelCardContributor {

	static final String SECTION = "promotion";

	private final Promotions promotions;

	PromotionCardContributor(Promotions promotions) {
		this.promotions = promotions;
	}

	@Override
	public String section() {
		return SECTION;
	}

	@Override
	public Optional<JsonNode> contribute(String model, long version) {
		List<PromotionRequest> requests = this.promotions.ofVersion(model, version);
		if (requests.isEmpty()) {
			return Optional.empty();
		}
		List<Map<String, Object>> overrides = new ArrayList<>();
		for (PromotionRequest request : requests) {
			for (JsonNode override : request.overrides()) {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("request_id", request.id().toString());
				entry.put("request_state", request.state());
				entry.put("target", request.target());
				entry.put("rule", override.path("rule").asString());
				entry.put("justification", override.path("justification").asString());
				entry.put("by", override.path("by").asString());
				entry.put("at", override.path("at").asString());
				overrides.add(entry);
			}
		}
		Map<String, Object> section = new LinkedHashMap<>();
		section.put("requests", requests);
		section.put("overrides", overrides);
		return Optional.of(Promotions.JSON.valueToTree(section));
	}

}
