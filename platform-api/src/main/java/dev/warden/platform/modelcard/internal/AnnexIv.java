package dev.warden.platform.modelcard.internal;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which parts of the technical documentation of Annex IV of the EU AI Act (Regulation
 * (EU) 2024/1689) a card covers. For each of the nine sections: {@code covered}
 * (everything the section asks for that a card can hold is there and the section asks for
 * nothing else), {@code partial} (some of it is there, or the section also asks for
 * things a card never holds) or {@code missing}, with the card fields and reports that
 * cover it and what is missing. Sections (7) harmonised standards and (8) the EU
 * declaration of conformity are never covered by a card, (9) the post-market monitoring
 * plan neither; (1), (2) and (5) at best partly. The mapping is an aid to find gaps, not
 * a legal assessment. Thread-safe: stateless.
 */
public final class AnnexIv {

	/** What the mapping is. */
	public static final String SCOPE = "EU AI Act (Regulation (EU) 2024/1689), Annex IV: technical documentation. "
			+ "An aid to find what a model card does not cover, not a legal assessment of conformity.";

	private AnnexIv() {
	}

	/**
	 * The nine sections.
	 * @param card the composed card (sections, quantitative analysis, governance)
	 */
	public static ArrayNode map(JsonNode card) {
		Card c = new Card(card);
		ArrayNode sections = JsonNodeFactory.instance.arrayNode();
		sections
			.add(c.section(1, "General description of the AI system (intended purpose, provider, version, "
					+ "interaction with hardware and software, forms placed on the market, instructions for use)",
					List.of("model_details.name", "model_details.version", "model_details.overview",
							"model_details.owners", "model_details.documentation", "considerations.use_cases",
							"considerations.users", "model_parameters.input_format", "model_parameters.output_format"),
					List.of(),
					List.of("how the system interacts with hardware and other software, the forms in which "
							+ "it is placed on the market, the hardware it runs on, its user interface and the "
							+ "deployer's instructions for use are not card fields")));
		sections.add(c.section(2,
				"Elements of the AI system and its development process (design choices, architecture, data, "
						+ "validation and testing with their metrics, cybersecurity)",
				List.of("model_parameters.model_architecture", "model_parameters.data", "considerations.tradeoffs"),
				List.of("fairness_report", "explainability_report"),
				List.of("the cybersecurity measures and the assessment of the human oversight measures are not card "
						+ "fields (the platform's are described in its documentation, docs/security.md)",
						"pre-determined changes to the system and its performance are not card fields")));
		sections.add(c.section(3,
				"Monitoring, functioning and control (capabilities and limitations, accuracy for specific persons "
						+ "or groups, foreseeable unintended outcomes and discriminatory impacts, human oversight, "
						+ "input data specifications)",
				List.of("considerations.limitations", "considerations.ethical_considerations",
						"model_parameters.input_format"),
				List.of("fairness_report", "governance"), List.of()));
		sections.add(c.section(4, "Appropriateness of the performance metrics for the specific AI system",
				List.of("considerations.tradeoffs"), List.of("fairness_report"), List.of()));
		sections.add(c.section(5, "The risk-management system (Article 9)",
				List.of("considerations.ethical_considerations"), List.of("governance"),
				List.of("the risk-management system itself (Article 9) is a process of the provider that a card "
						+ "does not describe; the card's ethical considerations and mitigations are an input to it")));
		sections.add(c.section(6, "Relevant changes made to the system through its lifecycle",
				List.of("model_details.version.diff"), List.of("revision_history"), List.of()));
		sections.add(c.section(7, "Harmonised standards applied (or the other solutions adopted)", List.of(), List.of(),
				List.of("a model card does not record which harmonised standards, common specifications "
						+ "or other technical solutions were applied; list them in the technical documentation")));
		sections.add(c.section(8, "A copy of the EU declaration of conformity (Article 47)", List.of(), List.of(),
				List.of("the EU declaration of conformity is a separate document the provider draws up and signs; "
						+ "a model card never stands in for it")));
		sections.add(c.section(9, "The post-market monitoring plan (Article 72)", List.of(), List.of(),
				List.of("a model card holds no post-market monitoring plan; the platform records what such a plan "
						+ "can use (the request log, usage, the audit trail, repeated fairness checks), but the "
						+ "plan itself is the provider's document")));
		return sections;
	}

	/** The card's facts the mapping looks at. */
	private static final class Card {

		private final JsonNode card;

		Card(JsonNode card) {
			this.card = card;
		}

		ObjectNode section(int number, String title, List<String> fields, List<String> evidence,
				List<String> neverInCard) {
			ObjectNode section = JsonNodeFactory.instance.objectNode();
			section.put("section", number);
			section.put("title", title);
			List<String> covered = new ArrayList<>();
			List<String> missing = new ArrayList<>();
			for (String field : fields) {
				(present(field) ? covered : missing).add(field);
			}
			for (String item : evidence) {
				String described = describe(item);
				if (described != null) {
					covered.add(described);
				}
				else {
					missing.add(absent(item));
				}
			}
			missing.addAll(neverInCard);
			String status;
			if (covered.isEmpty()) {
				status = "missing";
			}
			else {
				status = missing.isEmpty() ? "covered" : "partial";
			}
			section.put("status", status);
			ArrayNode coveredBy = section.putArray("covered_by");
			covered.forEach(coveredBy::add);
			ArrayNode gaps = section.putArray("missing");
			missing.forEach(gaps::add);
			return section;
		}

		private boolean present(String path) {
			JsonNode node = this.card;
			for (String part : path.split("\\.")) {
				node = node.path(part);
			}
			if (node.isArray()) {
				for (JsonNode entry : node) {
					if (entry.isObject()
							&& entry.properties().stream().anyMatch((e) -> !Completeness.blank(e.getValue()))) {
						return true;
					}
				}
				return false;
			}
			if (node.isObject()) {
				return node.properties().stream().anyMatch((e) -> !Completeness.blank(e.getValue()));
			}
			return !Completeness.blank(node);
		}

		/**
		 * The evidence as the mapping names it, or {@code null} when the card has none.
		 */
		private String describe(String item) {
			JsonNode sources = this.card.path("quantitative_analysis").path("sources");
			return switch (item) {
				case "fairness_report" ->
					sources.path("fairness_report").isObject()
							? "fairness report " + sources.path("fairness_report").path("id").asString("")
									+ " (per-group metrics with intervals, metric definitions and sign conventions)"
							: null;
				case "explainability_report" -> sources.path("explainability_report").isObject()
						? "explainability report " + sources.path("explainability_report").path("id").asString("")
						: null;
				case "governance" ->
					(this.card.path("governance").isObject() && !this.card.path("governance").isEmpty())
							? "governance: " + String.join(", ", this.card.path("governance").propertyNames()) : null;
				case "revision_history" -> "the card's revision history (" + this.card.path("revision").asInt(0)
						+ " revisions, each with its author, comment and digest in the audit trail)";
				default -> throw new IllegalArgumentException(item);
			};
		}

		private static String absent(String item) {
			return switch (item) {
				case "fairness_report" -> "no fairness report of this version yet";
				case "explainability_report" -> "no explainability report of this version yet";
				case "governance" ->
					"no governance record (e.g. promotion decisions and their approvals) for this " + "version";
				default -> item;
			};
		}

	}

}
