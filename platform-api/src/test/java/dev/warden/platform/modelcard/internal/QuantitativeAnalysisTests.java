package dev.warden.platform.modelcard.internal;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.modelcard.internal.QuantitativeAnalysis.SourceReport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a fairness report's groups become slices, and what the section says without
 * reports.
 */
class QuantitativeAnalysisTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void anIntersectionsSliceNamesEachColumnWithItsValue() {
		JsonNode single = JSON.readTree("{\"name\": \"sex\", \"columns\": [\"sex\"]}");
		JsonNode pair = JSON.readTree("{\"name\": \"sex × race\", \"columns\": [\"sex\", \"race\"]}");
		JsonNode banded = JSON.readTree("{\"name\": \"age\", \"columns\": [\"age\"]}");

		assertThat(QuantitativeAnalysis.slice(single, "Female")).isEqualTo("sex=Female");
		assertThat(QuantitativeAnalysis.slice(pair, "Female × Black")).isEqualTo("sex=Female × race=Black");
		assertThat(QuantitativeAnalysis.slice(banded, "25 to <60")).isEqualTo("age=25 to <60");
		// a label that does not split into one value per column is kept whole
		assertThat(QuantitativeAnalysis.slice(pair, "Female")).isEqualTo("sex × race=Female");
	}

	@Test
	void withoutReportsTheSectionIsEmptyAndSaysWhy() {
		ObjectNode section = QuantitativeAnalysis.of(null, null);

		assertThat(section.path("performance_metrics").isEmpty()).isTrue();
		assertThat(section.path("graphics").path("collection").isArray()).isTrue();
		assertThat(section.path("sources").path("fairness_report").isNull()).isTrue();
		assertThat(section.path("note").asString()).startsWith("no fairness report yet");
	}

	@Test
	void aMetricWithoutAnIntervalHasNoConfidenceInterval() {
		ObjectNode content = (ObjectNode) JSON.readTree(
				"""
						{"overall": {"metrics": {"accuracy": {"value": 0.9}, "precision": {"value": null, "reason": "no predicted positives"}}},
						 "attributes": []}""");
		UUID id = UUID.randomUUID();

		ObjectNode section = QuantitativeAnalysis
			.of(new SourceReport("fairness", id, Instant.EPOCH, "00", null, content), null);

		JsonNode metrics = section.path("performance_metrics");
		assertThat(metrics.size()).isEqualTo(1);
		assertThat(metrics.get(0).path("type").asString()).isEqualTo("accuracy");
		assertThat(metrics.get(0).has("confidence_interval")).isFalse();
		assertThat(metrics.get(0).path("source").path("path").asString()).isEqualTo("/overall/metrics/accuracy");
		assertThat(section.path("undefined_metrics").get(0).path("reason").asString())
			.isEqualTo("no predicted positives");
		assertThat(section.path("sources").path("fairness_report").path("id").asString()).isEqualTo(id.toString());
		assertThat(section.has("note")).isFalse();
	}

}
