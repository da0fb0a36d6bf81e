package dev.warden.platform.modelcard.internal;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * What a complete card must have, and what a card lacks. Required: an overview, at least
 * one owner (with a name), a licence, the model's architecture, at least one dataset
 * (with a name), the input and output formats, at least one intended user, use case,
 * limitation and ethical consideration (each consideration with a mitigation strategy),
 * and a filled quantitative analysis (the version has a fairness report). A string that
 * is empty or only white space counts as missing. Thread-safe: stateless.
 */
public final class Completeness {

	private Completeness() {
	}

	/**
	 * The missing fields, by path, each with why.
	 * @param content the edited sections (as stored in a revision)
	 * @param hasFairnessReport whether the version has a fairness report
	 */
	public static List<Missing> missing(JsonNode content, boolean hasFairnessReport) {
		List<Missing> missing = new ArrayList<>();
		JsonNode details = content.path("model_details");
		JsonNode parameters = content.path("model_parameters");
		JsonNode considerations = content.path("considerations");
		text(missing, details, "model_details", "overview", "an overview of the model is required");
		entries(missing, details, "model_details", "owners", "name", "at least one owner with a name is required");
		licence(missing, details);
		text(missing, parameters, "model_parameters", "model_architecture", "the model's architecture is required");
		entries(missing, parameters, "model_parameters", "data", "name",
				"at least one dataset (training or evaluation data) with a name is required");
		text(missing, parameters, "model_parameters", "input_format", "the input format is required");
		text(missing, parameters, "model_parameters", "output_format", "the output format is required");
		entries(missing, considerations, "considerations", "users", "description",
				"at least one intended user is required");
		entries(missing, considerations, "considerations", "use_cases", "description",
				"at least one use case is required");
		entries(missing, considerations, "considerations", "limitations", "description",
				"at least one limitation is required");
		ethical(missing, considerations.path("ethical_considerations"));
		if (!hasFairnessReport) {
			missing.add(new Missing("quantitative_analysis", "no fairness report yet"));
		}
		return missing;
	}

	/** Whether a value is absent, null, or a string of white space only. */
	public static boolean blank(JsonNode value) {
		return value == null || value.isMissingNode() || value.isNull()
				|| (value.isString() && value.stringValue().isBlank());
	}

	private static void text(List<Missing> missing, JsonNode section, String sectionName, String field, String reason) {
		if (blank(section.get(field))) {
			missing.add(new Missing(sectionName + "." + field, reason));
		}
	}

	private static void entries(List<Missing> missing, JsonNode section, String sectionName, String field, String key,
			String reason) {
		JsonNode list = section.path(field);
		boolean any = false;
		for (JsonNode entry : list) {
			any |= !blank(entry.get(key));
		}
		if (!any) {
			missing.add(new Missing(sectionName + "." + field, reason));
		}
	}

	private static void licence(List<Missing> missing, JsonNode details) {
		boolean any = false;
		for (JsonNode licence : details.path("licenses")) {
			any |= !blank(licence.get("identifier")) || !blank(licence.get("custom_text"));
		}
		if (!any) {
			missing.add(new Missing("model_details.licenses",
					"a licence (an SPDX identifier or the licence's text) is required"));
		}
	}

	private static void ethical(List<Missing> missing, JsonNode considerations) {
		if (considerations.isEmpty()) {
			missing.add(new Missing("considerations.ethical_considerations",
					"at least one ethical consideration (a risk with its mitigation strategy) is required"));
			return;
		}
		for (int i = 0; i < considerations.size(); i++) {
			if (blank(considerations.get(i).get("mitigation_strategy"))) {
				missing.add(new Missing("considerations.ethical_considerations[" + i + "].mitigation_strategy",
						"every ethical consideration needs a mitigation strategy"));
			}
		}
	}

	/**
	 * A field a complete card must have.
	 *
	 * @param path where, e.g. {@code considerations.limitations}
	 * @param reason why it counts as missing
	 */
	public record Missing(String path, String reason) {
	}

}
