package dev.warden.platform.monitoring.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A stored reference profile as the live counting and the statistics use it: its features
 * and prediction bins, each at its place in the count vector, and the reference's counts
 * in that vector. The JSON it is read from is the one {@link ProfileBuilder} wrote (kept
 * as {@link #json()} for the API).
 *
 * @param id the profile's id
 * @param model the model
 * @param version the version
 * @param features the input features, in the signature's order
 * @param prediction the prediction's bins
 * @param counts the reference's counts
 * @param k the minimum count a category needs to be kept by name
 * @param json the profile as stored
 */
public record DriftProfile(UUID id, String model, long version, List<DriftFeature> features, DriftPrediction prediction,
		long[] counts, int k, JsonNode json) {

	/** The length of the count vector. */
	public int size() {
		return this.counts.length;
	}

	/** The feature named {@code name}, or {@code null}. */
	public DriftFeature feature(String name) {
		for (DriftFeature feature : this.features) {
			if (feature.name().equals(name)) {
				return feature;
			}
		}
		return null;
	}

	/** Reads a profile as {@link ProfileBuilder} wrote it. */
	public static DriftProfile parse(UUID id, String model, long version, JsonNode json) {
		List<DriftFeature> features = new ArrayList<>();
		for (JsonNode feature : json.path("features")) {
			String name = feature.path("name").asString();
			int offset = feature.path("offset").asInt();
			features.add(switch (feature.path("kind").asString()) {
				case "numeric" -> new DriftFeature.Numeric(name, doubles(feature.path("edges")), offset);
				case "categorical" -> new DriftFeature.Categorical(name, strings(feature.path("categories")), offset);
				case "text" -> new DriftFeature.Text(name, doubles(feature.path("token_count_edges")),
						feature.path("hash_buckets").asInt(), offset);
				default -> throw new IllegalStateException("unknown feature kind in profile " + id + ": " + feature);
			});
		}
		JsonNode prediction = json.path("prediction");
		List<Integer> classes = new ArrayList<>();
		prediction.path("classes").forEach((c) -> classes.add(c.asInt()));
		JsonNode countsNode = json.path("counts");
		long[] counts = new long[countsNode.size()];
		for (int i = 0; i < counts.length; i++) {
			counts[i] = countsNode.get(i).asLong();
		}
		return new DriftProfile(id, model, version, List.copyOf(features),
				new DriftPrediction(classes, prediction.path("offset").asInt()), counts,
				json.path("settings").path("k").asInt(), json);
	}

	static double[] doubles(JsonNode array) {
		double[] values = new double[array.size()];
		for (int i = 0; i < values.length; i++) {
			values[i] = array.get(i).asDouble();
		}
		return values;
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>(array.size());
		array.forEach((v) -> values.add(v.asString()));
		return values;
	}

}
