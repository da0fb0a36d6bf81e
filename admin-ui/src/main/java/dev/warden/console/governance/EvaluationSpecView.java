package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * An evaluation dataset's spec as the page lists it: {@code {"label", "positive_label",
 * "sensitive": [{"name", "reference", "bands"}]}}.
 *
 * @param label the label column
 * @param positiveLabel the label value that counts as positive, or null
 * @param sensitive the sensitive attributes, in order
 */
record EvaluationSpecView(String label, String positiveLabel, List<Attribute> sensitive) {

	static EvaluationSpecView of(JsonNode evaluation) {
		List<Attribute> sensitive = new ArrayList<>();
		for (JsonNode attribute : Values.list(evaluation.path("sensitive"))) {
			if (attribute.isString()) {
				sensitive.add(new Attribute(attribute.asString(), null, List.of()));
				continue;
			}
			List<String> bands = new ArrayList<>();
			Values.list(attribute.path("bands")).forEach((cut) -> bands.add(Values.text(cut)));
			sensitive.add(new Attribute(Values.text(attribute.path("name")), Values.text(attribute.path("reference")),
					bands));
		}
		return new EvaluationSpecView(Values.text(evaluation.path("label")),
				Values.text(evaluation.path("positive_label")), sensitive);
	}

	/**
	 * A sensitive attribute.
	 *
	 * @param name its column
	 * @param reference the declared reference group, or null (the largest group is taken)
	 * @param bands the cut points of a numeric attribute, empty for a categorical one
	 */
	record Attribute(String name, String reference, List<String> bands) {

		/** How the page describes it: {@code age (bands 25, 60; reference 25 to <60)}. */
		public String description() {
			List<String> parts = new ArrayList<>();
			if (!this.bands.isEmpty()) {
				parts.add("bands " + String.join(", ", this.bands));
			}
			parts.add((this.reference != null) ? "reference " + this.reference : "reference: the largest group");
			return this.name + " (" + String.join("; ", parts) + ")";
		}

	}

}
