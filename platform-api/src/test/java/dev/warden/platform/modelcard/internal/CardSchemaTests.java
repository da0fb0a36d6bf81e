package dev.warden.platform.modelcard.internal;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.system.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules an edit of a card is held to, the canonical digest of a revision, and the
 * shipped cards (valid, and complete but for the quantitative analysis, which only a
 * fairness report fills).
 */
class CardSchemaTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void aValidEditIsStoredWithTheThreeSectionsInTheCardsOrder() {
		ObjectNode content = CardSchema.content(JSON.readTree("""
				{"considerations": {"tradeoffs": [{"description": "t"}], "users": [{"description": "u"}]},
				 "model_details": {"licenses": [{"identifier": "MIT"}], "overview": "o\\nwith a line break",
				                   "version": {"diff": "d"}},
				 "comment": "skipped by the caller", "revision": 3}"""), List.of("comment", "revision"));

		assertThat(content.propertyNames()).containsExactly("model_details", "model_parameters", "considerations");
		assertThat(content.path("model_details").propertyNames()).containsExactly("overview", "version", "licenses");
		assertThat(content.path("considerations").propertyNames()).containsExactly("users", "tradeoffs");
		assertThat(content.path("model_parameters").isEmpty()).isTrue();
		assertThat(content.has("comment")).isFalse();
	}

	@Test
	void everyRefusalNamesTheField() {
		refused("{\"model_parameters\": {\"data\": [{\"name\": \"d\", \"sensitive\": {\"sensitive_attributes\": [1]}}]}}",
				"model_parameters.data[0].sensitive.sensitive_attributes[0] must be a string, not a number");
		refused("{\"model_parameters\": {\"input_format\": \"a\\u0000b\"}}",
				"model_parameters.input_format must not contain control characters");
		refused("{\"model_details\": {\"owners\": [{\"name\": \"a\\nb\"}]}}",
				"model_details.owners[0].name must not contain control characters");
		refused("{\"model_details\": {\"owners\": [{\"name\": \"" + "n".repeat(201) + "\"}]}}",
				"model_details.owners[0].name must be at most 200 characters long");
		refused("{\"model_details\": {\"references\": [{\"reference\": \"not a url\"}]}}",
				"model_details.references[0].reference must be an absolute http or https URL");
		refused("{\"model_details\": {\"licenses\": [{}]}}",
				"model_details.licenses[0] must have exactly one of identifier, custom_text");
		refused("{\"considerations\": {\"users\": [" + String.join(",", Collections.nCopies(51, "{}")) + "]}}",
				"considerations.users must have at most 50 entries (it has 51)");
		refused("{\"considerations\": {\"ethical_considerations\": [{\"name\": \"n\", \"mitigation\": \"m\"}]}}",
				"unknown field considerations.ethical_considerations[0].mitigation");
		refused("{\"governance\": {}}", "governance is filled in by the platform");
		refused("{\"model_details\": {\"version\": {\"name\": \"7\"}}}",
				"model_details.version.name is filled in by the platform");
		refused("{\"model_details\": null}", "model_details must be an object, not null");
		refused("\"text\"", "the body must be a JSON object");
	}

	@Test
	void theDigestIsTheSha256OfTheCanonicalJson() {
		JsonNode content = JSON.readTree("{\"b\": [\"x\\u0001\\\"\", 2, 1.5], \"a\": {\"é\": true, \"Z\": null}}");

		assertThat(CardDigest.canonical(content))
			.isEqualTo("{\"a\":{\"Z\":null,\"é\":true},\"b\":[\"x\\u0001\\\"\",2,1.5]}");
		assertThat(CardDigest.sha256(content))
			.isEqualTo("2efd1d472db2a9f52669cf1d137fd7d0cc74f2f28e74034362ccfc9694c8defd");
		assertThat(CardDigest.sha256(JSON.readTree("{}")))
			.isEqualTo("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
	}

	@Test
	void theShippedCardsAreValidAndCompleteButForTheirNumbers() {
		for (String model : ShippedCards.MODELS) {
			ObjectNode card = ShippedCards.of(model).orElseThrow();
			assertThat(Completeness.missing(card, false)).extracting(Completeness.Missing::path)
				.as(model)
				.containsExactly("quantitative_analysis");
			assertThat(Completeness.missing(card, true)).as(model).isEmpty();
		}
		assertThat(ShippedCards.of("other")).isEmpty();
		assertThat(ShippedCards.of("../income")).isEmpty();
	}

	@Test
	void anEmptyCardMissesEveryRequiredField() {
		ObjectNode empty = CardSchema.content(JSON.createObjectNode(), List.of());

		assertThat(Completeness.missing(empty, false)).extracting(Completeness.Missing::path)
			.containsExactly("model_details.overview", "model_details.owners", "model_details.licenses",
					"model_parameters.model_architecture", "model_parameters.data", "model_parameters.input_format",
					"model_parameters.output_format", "considerations.users", "considerations.use_cases",
					"considerations.limitations", "considerations.ethical_considerations", "quantitative_analysis");
	}

	private static void refused(String body, String message) {
		assertThatThrownBy(() -> CardSchema.content(JSON.readTree(body), List.of()))
			.isInstanceOfSatisfying(ApiException.class, (ex) -> {
				assertThat(ex.code()).isEqualTo("invalid_model_card");
				assertThat(ex.status().value()).isEqualTo(400);
			})
			.hasMessageContaining(message);
	}

}
