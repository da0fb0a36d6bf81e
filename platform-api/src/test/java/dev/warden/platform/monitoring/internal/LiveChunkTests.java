package dev.warden.platform.monitoring.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live chunk counts decoded calls in the reference's bins; a category the reference
 * does not have is counted in {@code other} and named only when seen at least k times; at
 * most {@link LiveChunk#MAX_NEW_CATEGORIES} are tracked per input; chunks add up.
 */
class LiveChunkTests {

	private static DriftProfile profile() {
		ProfileBuilder builder = new ProfileBuilder(List.of("age", "job"), List.of("DT_FLOAT", "DT_STRING"),
				new ProfileSettings(2, 4, 1, Set.of(), Set.of()));
		for (int i = 0; i < 4; i++) {
			builder.add(new String[] { Integer.toString(i), "a" }, null, new double[] { 0.5, 0.5 });
		}
		return DriftProfile.parse(UUID.randomUUID(), "m", 1, builder.build());
	}

	private static PayloadDecoder.Decoded call(String job, int rows) {
		StringBuilder in = new StringBuilder("{\"instances\":[");
		StringBuilder out = new StringBuilder("{\"predictions\":[");
		for (int i = 0; i < rows; i++) {
			in.append((i > 0) ? "," : "").append("{\"age\":10,\"job\":\"").append(job).append("\"}");
			out.append((i > 0) ? "," : "").append("{\"probabilities\":[0.2,0.8]}");
		}
		return PayloadDecoder.decode(false, in.append("]}").toString().getBytes(StandardCharsets.UTF_8),
				out.append("]}").toString().getBytes(StandardCharsets.UTF_8), null);
	}

	@Test
	void newCategoriesAreNamedOnlyFromKOccurrencesAndAlwaysCountedAsOther() {
		DriftProfile profile = profile();
		LiveChunk chunk = new LiveChunk(new LiveChunk.Key("m", 1, profile.id(), 0), profile.size());
		chunk.add(profile, call("rare", 2));
		chunk.add(profile, call("often", 5));
		chunk.add(profile, call("a", 1));
		assertThat(chunk.requests()).isEqualTo(3);
		assertThat(chunk.samples()).isEqualTo(8);
		DriftFeature job = profile.feature("job");
		// a, other, missing
		assertThat(java.util.Arrays.copyOfRange(chunk.counts(), job.offset(), job.offset() + job.size()))
			.containsExactly(1, 7, 0);
		assertThat(chunk.newCategories(5)).isEqualTo(Map.of("job", Map.of("often", 5L)));
		assertThat(chunk.newCategories(6)).isEmpty();
	}

	@Test
	void atMostAFixedNumberOfNewValuesAreTrackedPerInput() {
		DriftProfile profile = profile();
		LiveChunk chunk = new LiveChunk(new LiveChunk.Key("m", 1, profile.id(), 0), profile.size());
		for (int i = 0; i < LiveChunk.MAX_NEW_CATEGORIES + 10; i++) {
			chunk.add(profile, call("v" + i, 1));
		}
		assertThat(chunk.newCategories(1).get("job")).hasSize(LiveChunk.MAX_NEW_CATEGORIES);
		DriftFeature job = profile.feature("job");
		assertThat(chunk.counts()[job.offset() + 1]).isEqualTo(LiveChunk.MAX_NEW_CATEGORIES + 10);
	}

	@Test
	void chunksOfTheSameKeyAddUp() {
		DriftProfile profile = profile();
		LiveChunk.Key key = new LiveChunk.Key("m", 1, profile.id(), 60);
		LiveChunk one = new LiveChunk(key, profile.size());
		LiveChunk two = new LiveChunk(key, profile.size());
		one.add(profile, call("x", 3));
		two.add(profile, call("x", 4));
		two.skipped(2);
		one.add(two);
		assertThat(one.samples()).isEqualTo(7);
		assertThat(one.skippedRequests()).isEqualTo(2);
		assertThat(one.newCategories(7)).isEqualTo(Map.of("job", Map.of("x", 7L)));
		DriftPrediction prediction = profile.prediction();
		// every answer is class 1 (not in the reference's classes [0]) with a score in
		// [0.8, 0.9)
		assertThat(one.counts()[prediction.offset() + 1]).isEqualTo(7);
		assertThat(one.counts()[prediction.scoreOffset() + 8]).isEqualTo(7);
	}

}
