package dev.warden.worker.registration;

import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.source.DesiredState;
import dev.warden.worker.source.PlatformDesiredState;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/**
 * Reads the platform's desired-state document and applies it: {@code {"generation": 17,
 * "models": {"income": [1, 2]}}}, from a heartbeat answer or from
 * {@code PUT /internal/v1/desired-state}. An accepted document that changes the aspired
 * versions starts a reconcile pass at once (loads run on the loader executor; the
 * availability-preserving swap unloads a replaced version only once its model has an
 * aspired version AVAILABLE).
 */
@Component
class DesiredStates {

	static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	static final int MAX_MODELS = 10_000;

	static final int MAX_VERSIONS_PER_MODEL = 1_000;

	private final PlatformDesiredState desired;

	private final ServableManager manager;

	DesiredStates(PlatformDesiredState desired, ServableManager manager) {
		this.desired = desired;
		this.manager = manager;
	}

	/** Applies a parsed document; reconciles when the aspired versions changed. */
	PlatformDesiredState.Offer apply(DesiredState state) {
		PlatformDesiredState.Offer offer = this.desired.offer(state);
		if (offer == PlatformDesiredState.Offer.CHANGED) {
			this.manager.reconcile();
		}
		return offer;
	}

	/** The generation in force, {@code null} while the platform has sent none. */
	Long generation() {
		return this.desired.generation();
	}

	/**
	 * Reads a document.
	 * @throws IllegalArgumentException naming what is wrong
	 */
	static DesiredState parse(JsonNode node) {
		if (node == null || !node.isObject()) {
			throw new IllegalArgumentException(
					"the desired state must be a JSON object {\"generation\": <positive integer>, \"models\": {...}}");
		}
		JsonNode generation = node.get("generation");
		if (generation == null || !generation.isIntegralNumber() || !generation.canConvertToLong()
				|| generation.longValue() < 1) {
			throw new IllegalArgumentException("\"generation\" must be a positive integer");
		}
		JsonNode models = node.get("models");
		if (models == null || !models.isObject()) {
			throw new IllegalArgumentException("\"models\" must be an object: {\"<model>\": [<version>, ...]}");
		}
		if (models.size() > MAX_MODELS) {
			throw new IllegalArgumentException("\"models\" names more than " + MAX_MODELS + " models");
		}
		SortedMap<String, SortedSet<Long>> parsed = new TreeMap<>();
		for (Map.Entry<String, JsonNode> entry : models.properties()) {
			String name = entry.getKey();
			if (!MODEL_NAME.matcher(name).matches()) {
				throw new IllegalArgumentException("model name '" + shorten(name) + "' is not valid");
			}
			JsonNode versions = entry.getValue();
			if (!versions.isArray() || versions.size() > MAX_VERSIONS_PER_MODEL) {
				throw new IllegalArgumentException("the versions of model " + name + " must be an array of at most "
						+ MAX_VERSIONS_PER_MODEL + " positive integers");
			}
			SortedSet<Long> set = new TreeSet<>();
			for (JsonNode version : versions) {
				if (!version.isIntegralNumber() || !version.canConvertToLong() || version.longValue() < 1) {
					throw new IllegalArgumentException(
							"the versions of model " + name + " must be positive integers, got " + version);
				}
				set.add(version.longValue());
			}
			parsed.put(name, set);
		}
		return new DesiredState(generation.longValue(), parsed);
	}

	private static String shorten(String value) {
		return (value.length() > 70) ? value.substring(0, 70) + "…" : value;
	}

}
