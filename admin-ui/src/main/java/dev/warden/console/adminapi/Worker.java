package dev.warden.console.adminapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * One worker as the gateway replica that answered {@code GET /api/admin/workers} sees it.
 *
 * @param id {@code configured-N} or the id it registered with
 * @param url its base URL
 * @param source {@code configured} or {@code registered}
 * @param healthy whether it is in the rotation now
 * @param circuitBreaker {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}
 * @param inFlight requests the replica has in flight to it
 * @param forwarded requests the replica has sent to it since it started
 * @param desiredGeneration the generation of the platform's desired state it follows,
 * null when it reports none
 * @param models what it serves, loads, failed to load and has in its store, by model
 * name; empty when not known
 */
public record Worker(String id, String url, String source, boolean healthy, String circuitBreaker, long inFlight,
		long forwarded, Long desiredGeneration, List<ServedModel> models) {

	public Worker {
		models = (models == null) ? List.of() : List.copyOf(models);
	}

	/** The worker read from the admin API's JSON; missing parts are empty. */
	static Worker of(JsonNode node) {
		List<ServedModel> models = new ArrayList<>();
		for (Map.Entry<String, JsonNode> model : node.path("models").properties()) {
			JsonNode served = model.getValue();
			Map<String, String> labels = new LinkedHashMap<>();
			for (Map.Entry<String, JsonNode> label : served.path("labels").properties()) {
				labels.put(label.getKey(), label.getValue().asString());
			}
			Map<String, String> failed = new LinkedHashMap<>();
			for (Map.Entry<String, JsonNode> failure : served.path("failed").properties()) {
				failed.put(failure.getKey(), failure.getValue().asString());
			}
			models.add(new ServedModel(model.getKey(), texts(served.path("versions")), labels,
					texts(served.path("aspired")), texts(served.path("loading")), failed,
					texts(served.path("in_store"))));
		}
		JsonNode generation = node.path("desired_generation");
		return new Worker(node.path("id").asString(), node.path("url").asString(), node.path("source").asString(),
				node.path("healthy").asBoolean(), node.path("circuit_breaker").asString(),
				node.path("in_flight").asLong(), node.path("forwarded").asLong(),
				generation.isNumber() ? generation.asLong() : null, models);
	}

	private static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		for (JsonNode value : array) {
			texts.add(value.asString());
		}
		return texts;
	}

	/**
	 * One model on the worker.
	 *
	 * @param name the model's name
	 * @param versions the versions it serves (AVAILABLE)
	 * @param labels version labels ({@code stable}, {@code canary}, ...) to versions
	 * @param aspired the versions it is converging to
	 * @param loading aspired versions not available yet
	 * @param failed aspired versions that failed to load, with the reason
	 * @param inStore the versions in its model store
	 */
	public record ServedModel(String name, List<String> versions, Map<String, String> labels, List<String> aspired,
			List<String> loading, Map<String, String> failed, List<String> inStore) {

	}

}
