package dev.warden.platform.monitoring.internal;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reference profile computed from rows: quantile edges by nearest rank, values counted
 * into bins with the end bins open, the k rule for categories, the text decision, the
 * prediction's bins, and the profile read back counting live values into the same bins.
 */
class ProfileBuilderTests {

	private static final ProfileSettings SETTINGS = new ProfileSettings(4, 8, 3, Set.of(), Set.of());

	@Test
	void quantileEdgesAreNearestRankMergedWithPointMassesIsolated() {
		double[] sorted = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		// q = 0.25, 0.5, 0.75: ranks ceil(2.5) = 3, 5, ceil(7.5) = 8
		assertThat(ProfileBuilder.quantileEdges(sorted, 4)).containsExactly(3, 5, 8);
		// 0 is the edge of all three quantiles: the next value, 1, becomes an edge too
		assertThat(ProfileBuilder.quantileEdges(new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 1, 9 }, 4)).containsExactly(0,
				1);
		assertThat(ProfileBuilder.quantileEdges(new double[] { 5, 5, 5, 5 }, 4)).containsExactly(5);
		// 2 is the edge of q = 0.5 and 0.75 (ranks 4 and 6 of 8): 3 is added
		assertThat(ProfileBuilder.quantileEdges(new double[] { 1, 1, 2, 2, 2, 2, 3, 4 }, 4)).containsExactly(1, 2, 3);
		assertThat(ProfileBuilder.quantileEdges(new double[0], 10)).isEmpty();
	}

	@Test
	void binsAreOpenAtBothEndsAndMissingIsLast() {
		double[] edges = { 3, 5, 8 };
		assertThat(DriftFeature.bin(edges, -100)).isZero();
		assertThat(DriftFeature.bin(edges, 2.99)).isZero();
		assertThat(DriftFeature.bin(edges, 3)).isEqualTo(1);
		assertThat(DriftFeature.bin(edges, 7.9)).isEqualTo(2);
		assertThat(DriftFeature.bin(edges, 8)).isEqualTo(3);
		assertThat(DriftFeature.bin(edges, 1e9)).isEqualTo(3);
	}

	@Test
	void aProfileHoldsEveryFeaturesBinsAndTheReferencesCounts() {
		ProfileBuilder builder = new ProfileBuilder(List.of("age", "job", "note"),
				List.of("DT_FLOAT", "DT_STRING", "DT_STRING"), SETTINGS);
		String[] jobs = { "a", "a", "a", "a", "b", "b", "b", "c", "", "d" };
		for (int i = 0; i < 10; i++) {
			String note = "mail number " + i + " says hello to everyone";
			builder.add(new String[] { Integer.toString(i + 1), jobs[i], note }, null,
					new double[] { 1 - i / 10.0, i / 10.0 });
		}
		builder.add(new String[] { "", "a", null }, null, null);
		ObjectNode json = builder.build();
		DriftProfile profile = DriftProfile.parse(java.util.UUID.randomUUID(), "m", 1, json);
		DriftFeature.Numeric age = (DriftFeature.Numeric) profile.feature("age");
		assertThat(age.edges()).containsExactly(3, 5, 8);
		// bins (-inf,3) [3,5) [5,8) [8,inf) missing over 1..10 and one blank
		assertThat(counts(profile, age)).containsExactly(2, 2, 3, 3, 1);
		DriftFeature.Categorical job = (DriftFeature.Categorical) profile.feature("job");
		// k = 3: a (5) and b (3) kept, most frequent first; c and d (1 each) are other;
		// "" is missing
		assertThat(job.categories()).containsExactly("a", "b");
		assertThat(counts(profile, job)).containsExactly(5, 3, 2, 1);
		DriftFeature.Text note = (DriftFeature.Text) profile.feature("note");
		assertThat(note.hashBuckets()).isEqualTo(8);
		JsonNode noteJson = json.path("features").get(2);
		assertThat(noteJson.path("kind").asString()).isEqualTo("text");
		assertThat(noteJson.path("decision").asString()).contains("10 distinct of 10 values");
		long[] noteCounts = counts(profile, note);
		// 10 texts of 7 tokens: one token-count bin; 70 tokens over the buckets; one
		// missing
		assertThat(note.tokenCountEdges()).containsExactly(7);
		assertThat(noteCounts[0]).isZero();
		assertThat(noteCounts[1]).isEqualTo(10);
		long tokens = 0;
		for (int i = 2; i < 2 + 8; i++) {
			tokens += noteCounts[i];
		}
		assertThat(tokens).isEqualTo(70);
		assertThat(noteCounts[noteCounts.length - 1]).isEqualTo(1);
		DriftPrediction prediction = profile.prediction();
		// argmax, the first of equal ones: class 0 for i = 0..5 (0.5 against 0.5 is class
		// 0), class 1 for 6..9
		assertThat(prediction.classes()).containsExactly(0, 1);
		long[] all = profile.counts();
		assertThat(all[prediction.offset()]).isEqualTo(6);
		assertThat(all[prediction.offset() + 1]).isEqualTo(4);
		assertThat(all[prediction.offset() + 3]).isEqualTo(1);
		// scores 0.0 .. 0.9: one per bin, and one missing
		for (int i = 0; i < DriftPrediction.SCORE_BINS; i++) {
			assertThat(all[prediction.scoreOffset() + i]).isEqualTo(1);
		}
		assertThat(all[prediction.scoreOffset() + DriftPrediction.SCORE_BINS]).isEqualTo(1);
		assertThat(json.path("layout_size").asInt()).isEqualTo(all.length);
	}

	@Test
	void aStringInputWithFewDistinctShortValuesIsCategoricalUnlessThePolicySaysText() {
		List<String> names = List.of("kind");
		List<String> dtypes = List.of("DT_STRING");
		ProfileBuilder decided = new ProfileBuilder(names, dtypes, SETTINGS);
		ProfileBuilder told = new ProfileBuilder(names, dtypes, new ProfileSettings(4, 8, 3, Set.of("kind"), Set.of()));
		for (int i = 0; i < 20; i++) {
			String[] row = { (i % 2 == 0) ? "Married-civ-spouse" : "Never-married" };
			decided.add(row, 1, null);
			told.add(row, 1, null);
		}
		assertThat(decided.build().path("features").get(0).path("kind").asString()).isEqualTo("categorical");
		JsonNode text = told.build().path("features").get(0);
		assertThat(text.path("kind").asString()).isEqualTo("text");
		assertThat(text.path("decision").asString()).contains("text_features");
	}

	@Test
	void liveValuesAreCountedInTheReferenceBins() {
		ProfileBuilder builder = new ProfileBuilder(List.of("age", "job"), List.of("DT_FLOAT", "DT_STRING"), SETTINGS);
		for (int i = 0; i < 10; i++) {
			builder.add(new String[] { Integer.toString(i + 1), "a" }, 1, null);
		}
		DriftProfile profile = DriftProfile.parse(java.util.UUID.randomUUID(), "m", 1, builder.build());
		long[] counts = new long[profile.size()];
		DriftFeature age = profile.feature("age");
		DriftFeature job = profile.feature("job");
		age.count(tools.jackson.databind.node.JsonNodeFactory.instance.numberNode(100.5), counts);
		age.count(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode("4"), counts);
		age.count(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode("old"), counts);
		age.count((JsonNode) null, counts);
		assertThat(job.count(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode("zzz"), counts))
			.isEqualTo("zzz");
		assertThat(job.count(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode("a"), counts)).isNull();
		assertThat(counts(counts, age)).containsExactly(0, 1, 0, 1, 2);
		assertThat(counts(counts, job)).containsExactly(1, 1, 0);
	}

	private static long[] counts(DriftProfile profile, DriftFeature feature) {
		return counts(profile.counts(), feature);
	}

	private static long[] counts(long[] all, DriftFeature feature) {
		return java.util.Arrays.copyOfRange(all, feature.offset(), feature.offset() + feature.size());
	}

}
