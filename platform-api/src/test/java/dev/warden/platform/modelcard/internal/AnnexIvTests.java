package dev.warden.platform.modelcard.internal;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Annex IV mapping from a card's content: what can be covered is covered only when
 * the card has it; (7), (8) and (9) never are; (1), (2) and (5) at best in part.
 */
class AnnexIvTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void anEmptyCardCoversAlmostNothing() {
		ObjectNode card = composed(CardSchema.content(JSON.createObjectNode(), List.of()), false, false);

		JsonNode sections = AnnexIv.map(card);

		assertThat(statuses(sections)).containsExactly("partial", "missing", "missing", "missing", "missing", "partial",
				"missing", "missing", "missing");
		assertThat(texts(sections.get(0).path("covered_by"))).containsExactly("model_details.name",
				"model_details.version");
		assertThat(texts(sections.get(2).path("missing"))).contains("considerations.limitations",
				"no fairness report of this version yet");
		assertThat(texts(sections.get(5).path("missing"))).containsExactly("model_details.version.diff");
	}

	@Test
	void aCompleteCardWithAFairnessReportAndGovernanceCoversWhatACardCan() {
		ObjectNode content = ShippedCards.of("income").orElseThrow();
		((ObjectNode) content.path("model_details")).putObject("version").put("diff", "retrained");
		ObjectNode card = composed(content, true, true);

		JsonNode sections = AnnexIv.map(card);

		assertThat(statuses(sections)).containsExactly("partial", "partial", "covered", "covered", "partial", "covered",
				"missing", "missing", "missing");
		assertThat(texts(sections.get(2).path("covered_by"))).contains("governance: promotion");
		assertThat(texts(sections.get(1).path("missing"))).hasSize(3)
			.contains("no explainability report of this version yet")
			.filteredOn((gap) -> gap.contains("not card fields"))
			.hasSize(2);
		assertThat(texts(sections.get(6).path("missing")).get(0)).contains("harmonised standards");
		assertThat(texts(sections.get(7).path("missing")).get(0)).contains("EU declaration of conformity");
	}

	/** The parts of a composed card the mapping reads. */
	private static ObjectNode composed(ObjectNode content, boolean fairness, boolean governance) {
		ObjectNode card = content.deepCopy();
		ObjectNode details = (ObjectNode) card.path("model_details");
		details.put("name", "m");
		ObjectNode version = details.has("version") ? (ObjectNode) details.get("version")
				: details.putObject("version");
		version.put("name", "1").put("date", "2026-12-01T00:00:00Z");
		card.put("revision", 2);
		ObjectNode sources = card.putObject("quantitative_analysis").putObject("sources");
		if (fairness) {
			sources.putObject("fairness_report").put("id", "f1");
		}
		else {
			sources.putNull("fairness_report");
		}
		sources.putNull("explainability_report");
		ObjectNode sections = card.putObject("governance");
		if (governance) {
			sections.putObject("promotion").putArray("history");
		}
		return card;
	}

	private static List<String> statuses(JsonNode sections) {
		List<String> statuses = new ArrayList<>();
		sections.forEach((section) -> statuses.add(section.path("status").asString()));
		return statuses;
	}

	private static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		array.forEach((item) -> texts.add(item.asString()));
		return texts;
	}

}
