package dev.warden.platform.explainability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;

/**
 * What makes a reference dataset an evaluation dataset: the column holding the true
 * label, the label value that counts as the positive outcome, and the sensitive
 * attributes whose groups a fairness check compares. Stored in
 * {@code reference_datasets.evaluation} (V21) as {@code {"label", "positive_label",
 * "sensitive": [{"name", "reference"?, "bands"?}]}}; the stored rows then hold the
 * model's columns, the label, then the sensitive columns in this order.
 *
 * @param label the label column
 * @param positiveLabel the label value of a positive outcome (compared with each row's
 * label after removing leading and trailing white space)
 * @param sensitive the sensitive attributes, in the order their cells are stored
 */
public record EvaluationSpec(String label, String positiveLabel, List<Attribute> sensitive) {

	/** Most sensitive attributes a dataset may declare. */
	public static final int MAX_ATTRIBUTES = 10;

	/** Most cut points of a banded attribute. */
	public static final int MAX_BANDS = 20;

	/** Longest column name, label or group. */
	static final int MAX_TEXT = 200;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * The built-in evaluation spec of the shipped datasets that have one: the Adult
	 * validation split (label {@code label}, positive {@code 1}; {@code sex} with
	 * reference {@code Male}, {@code race} with reference {@code White}, {@code age} in
	 * bands at 25 and 60 with reference {@code 25 to <60}), and the SpamAssassin
	 * validation split (label {@code label}, positive {@code spam}; sliced by
	 * {@code group}, the corpus folder a message comes from — not an attribute of a
	 * person, but the slice its known weakness shows in: hard ham).
	 */
	private static final Map<String, EvaluationSpec> SHIPPED = Map.of("adult_validation",
			new EvaluationSpec("label", "1",
					List.of(new Attribute("sex", "Male", null), new Attribute("race", "White", null),
							new Attribute("age", "25 to <60", List.of(25.0, 60.0)))),
			"spamassassin_validation",
			new EvaluationSpec("label", "spam", List.of(new Attribute("group", null, null))));

	public EvaluationSpec {
		sensitive = List.copyOf(sensitive);
	}

	/** The built-in spec of a shipped dataset, if it has one. */
	public static Optional<EvaluationSpec> shipped(String dataset) {
		return Optional.ofNullable(SHIPPED.get(dataset));
	}

	/** The names of the stored extra columns: the label, then the sensitive columns. */
	public List<String> extraColumns() {
		List<String> names = new ArrayList<>();
		names.add(this.label);
		this.sensitive.forEach((attribute) -> names.add(attribute.name()));
		return names;
	}

	/**
	 * One sensitive attribute.
	 *
	 * @param name the column
	 * @param reference the declared reference (privileged) group, or {@code null} (a
	 * fairness check then takes the largest group)
	 * @param bands strictly ascending cut points of a numeric column, or {@code null}
	 * (each value is a group); cut points c1 &lt; c2 make the groups {@code <c1},
	 * {@code c1 to <c2} and {@code >=c2}
	 */
	public record Attribute(String name, @JsonInclude(JsonInclude.Include.NON_NULL) String reference,
			@JsonInclude(JsonInclude.Include.NON_NULL) List<Double> bands) {

		public Attribute {
			bands = (bands != null) ? List.copyOf(bands) : null;
		}

	}

	/**
	 * Checks a spec that came from a request.
	 * @param field how the request names the spec, for the messages (e.g.
	 * {@code evaluation}); {@code null} for the query parameters of an upload
	 * @throws ApiException 400 {@code invalid_evaluation} naming the problem
	 */
	static EvaluationSpec validated(EvaluationSpec spec, String field) {
		text(spec.label(), at(field, -1, "label"), "the name of the label column");
		if (spec.positiveLabel() == null || spec.positiveLabel().isBlank()) {
			throw invalid(
					at(field, -1, "positive_label") + ": the label value of a positive outcome is required (e.g. 1)");
		}
		text(spec.positiveLabel(), at(field, -1, "positive_label"), "a label value");
		if (spec.sensitive().isEmpty()) {
			throw invalid(at(field, -1, "sensitive") + ": at least one sensitive column is required (e.g. sex)");
		}
		if (spec.sensitive().size() > MAX_ATTRIBUTES) {
			throw invalid(at(field, -1, "sensitive") + ": at most " + MAX_ATTRIBUTES + " sensitive columns");
		}
		Set<String> names = new HashSet<>();
		for (int i = 0; i < spec.sensitive().size(); i++) {
			Attribute attribute = spec.sensitive().get(i);
			text(attribute.name(), at(field, i, "name"), "a column name");
			if (attribute.name().equals(spec.label())) {
				throw invalid(at(field, i, "name") + ": '" + attribute.name()
						+ "' is the label column; a sensitive column must be another one");
			}
			if (!names.add(attribute.name())) {
				throw invalid(at(field, i, "name") + ": '" + attribute.name() + "' is named twice");
			}
			if (attribute.reference() != null) {
				text(attribute.reference(), at(field, i, "reference"), "a group");
			}
			if (attribute.bands() != null) {
				List<Double> bands = attribute.bands();
				String where = at(field, i, "bands");
				if (bands.isEmpty() || bands.size() > MAX_BANDS) {
					throw invalid(where + ": 1 to " + MAX_BANDS + " cut points, e.g. [25, 60]");
				}
				for (int b = 0; b < bands.size(); b++) {
					if (bands.get(b) == null || !Double.isFinite(bands.get(b))) {
						throw invalid(where + ": every cut point must be a finite number");
					}
					if (b > 0 && !(bands.get(b) > bands.get(b - 1))) {
						throw invalid(where + ": the cut points must be strictly ascending, e.g. 25, 60");
					}
				}
			}
		}
		return spec;
	}

	/**
	 * A part of the spec as the request names it: {@code evaluation.sensitive[1].bands}
	 * in a JSON body, the query parameter ({@code bands}) of an upload.
	 */
	private static String at(String field, int attribute, String part) {
		if (field == null) {
			return part.equals("name") ? "sensitive" : part;
		}
		return field + ((attribute >= 0) ? ".sensitive[" + attribute + "]" : "") + "." + part;
	}

	private static void text(String value, String field, String what) {
		if (value == null || value.isBlank()) {
			throw invalid(field + ": " + what + " is required");
		}
		String problem = InputRules.textProblem(value, false);
		if (problem != null) {
			throw invalid(field + ": " + problem);
		}
		if (value.length() > MAX_TEXT) {
			throw invalid(field + ": at most " + MAX_TEXT + " characters");
		}
	}

	private static ApiException invalid(String message) {
		return ApiException.badRequest("invalid_evaluation", message);
	}

	/**
	 * Reads a spec given as JSON
	 * ({@code {"label", "positive_label", "sensitive": [{"name", "reference"?,
	 * "bands"?}]}}), as strictly as the admin API reads request bodies: unknown keys,
	 * wrong types and nulls are refused.
	 * @throws ApiException 400 {@code invalid_evaluation} naming the field
	 */
	static EvaluationSpec fromRequest(JsonNode json, String field) {
		if (!json.isObject()) {
			throw invalid(field + ": an object {\"label\", \"positive_label\", \"sensitive\": [...]} (or null for "
					+ "none) is expected");
		}
		onlyKeys(json, field, Set.of("label", "positive_label", "sensitive"));
		String label = string(json.get("label"), field + ".label");
		String positive = string(json.get("positive_label"), field + ".positive_label");
		JsonNode sensitive = json.get("sensitive");
		if (sensitive == null || !sensitive.isArray()) {
			throw invalid(field + ".sensitive: an array of sensitive columns is required, e.g. [{\"name\": \"sex\", "
					+ "\"reference\": \"Male\"}]");
		}
		List<Attribute> attributes = new ArrayList<>();
		for (int i = 0; i < sensitive.size() && i <= MAX_ATTRIBUTES; i++) {
			JsonNode item = sensitive.get(i);
			String at = field + ".sensitive[" + i + "]";
			if (!item.isObject()) {
				throw invalid(at + ": an object {\"name\", \"reference\"?, \"bands\"?} is expected");
			}
			onlyKeys(item, at, Set.of("name", "reference", "bands"));
			String name = string(item.get("name"), at + ".name");
			String reference = item.has("reference") ? string(item.get("reference"), at + ".reference") : null;
			List<Double> bands = null;
			if (item.has("bands")) {
				JsonNode cuts = item.get("bands");
				if (!cuts.isArray()) {
					throw invalid(at + ".bands: an array of numbers is expected, e.g. [25, 60]");
				}
				bands = new ArrayList<>();
				for (int b = 0; b < cuts.size() && b <= MAX_BANDS; b++) {
					if (!cuts.get(b).isNumber()) {
						throw invalid(at + ".bands[" + b + "]: a number is expected");
					}
					bands.add(cuts.get(b).asDouble());
				}
			}
			attributes.add(new Attribute(name, reference, bands));
		}
		return validated(new EvaluationSpec(label, positive, attributes), field);
	}

	private static void onlyKeys(JsonNode object, String field, Set<String> keys) {
		for (String key : object.propertyNames()) {
			if (!keys.contains(key)) {
				throw invalid(field + ": unknown field '" + abbreviate(key) + "'; the fields are "
						+ keys.stream().sorted().toList());
			}
		}
	}

	private static String string(JsonNode node, String field) {
		if (node == null || !node.isString()) {
			throw invalid(field + ": a string is required");
		}
		return node.asString();
	}

	private static String abbreviate(String text) {
		String safe = (InputRules.textProblem(text, false) == null) ? text : "?";
		return (safe.length() > 40) ? safe.substring(0, 40) + "..." : safe;
	}

	/**
	 * Reads the spec from the query parameters of a CSV upload: {@code label},
	 * {@code positive_label}, repeated {@code sensitive=<column>}, repeated
	 * {@code reference=<column>:<group>} and {@code bands=<column>:<c1>,<c2>,...}.
	 * @return the spec, or {@code null} when no parameter names one
	 * @throws ApiException 400 {@code invalid_evaluation} naming the parameter
	 */
	static EvaluationSpec fromQuery(String label, String positiveLabel, List<String> sensitive, List<String> references,
			List<String> bands) {
		sensitive = (sensitive != null) ? sensitive : List.of();
		references = (references != null) ? references : List.of();
		bands = (bands != null) ? bands : List.of();
		if (label == null) {
			if (positiveLabel != null || !sensitive.isEmpty() || !references.isEmpty() || !bands.isEmpty()) {
				throw invalid("label: name the label column (?label=...) to upload an evaluation dataset; "
						+ "positive_label, sensitive, reference and bands only go with it");
			}
			return null;
		}
		if (sensitive.size() > MAX_ATTRIBUTES) {
			throw invalid("sensitive: at most " + MAX_ATTRIBUTES + " sensitive columns");
		}
		Map<String, String> referenceOf = new HashMap<>();
		for (String reference : references) {
			int colon = reference.indexOf(':');
			if (colon <= 0 || colon == reference.length() - 1) {
				throw invalid("reference: '" + abbreviate(reference) + "' is not <column>:<group>, e.g. sex:Male");
			}
			String column = reference.substring(0, colon);
			if (!sensitive.contains(column)) {
				throw invalid("reference: '" + abbreviate(column) + "' is not a sensitive column (name it with "
						+ "sensitive=" + abbreviate(column) + ")");
			}
			if (referenceOf.put(column, reference.substring(colon + 1)) != null) {
				throw invalid("reference: column '" + abbreviate(column) + "' has two references");
			}
		}
		Map<String, List<Double>> bandsOf = new HashMap<>();
		for (String band : bands) {
			int colon = band.indexOf(':');
			if (colon <= 0 || colon == band.length() - 1) {
				throw invalid("bands: '" + abbreviate(band) + "' is not <column>:<c1>,<c2>,..., e.g. age:25,60");
			}
			String column = band.substring(0, colon);
			if (!sensitive.contains(column)) {
				throw invalid("bands: '" + abbreviate(column) + "' is not a sensitive column (name it with "
						+ "sensitive=" + abbreviate(column) + ")");
			}
			String[] cuts = band.substring(colon + 1).split(",", -1);
			if (cuts.length > MAX_BANDS) {
				throw invalid("bands: at most " + MAX_BANDS + " cut points per column");
			}
			List<Double> values = new ArrayList<>();
			for (String cut : cuts) {
				try {
					values.add(Double.parseDouble(cut.strip()));
				}
				catch (NumberFormatException ex) {
					throw invalid(
							"bands: '" + abbreviate(cut) + "' (column '" + abbreviate(column) + "') is not a number");
				}
			}
			if (bandsOf.put(column, values) != null) {
				throw invalid("bands: column '" + abbreviate(column) + "' has two sets of bands");
			}
		}
		List<Attribute> attributes = new ArrayList<>();
		for (String name : sensitive) {
			attributes.add(new Attribute(name, referenceOf.get(name), bandsOf.get(name)));
		}
		return validated(new EvaluationSpec(label, positiveLabel, attributes), null);
	}

	/** The spec as stored in {@code reference_datasets.evaluation}. */
	String toJson() {
		ObjectNode json = JSON.createObjectNode();
		json.put("label", this.label);
		json.put("positive_label", this.positiveLabel);
		ArrayNode attributes = json.putArray("sensitive");
		for (Attribute attribute : this.sensitive) {
			ObjectNode item = attributes.addObject();
			item.put("name", attribute.name());
			if (attribute.reference() != null) {
				item.put("reference", attribute.reference());
			}
			if (attribute.bands() != null) {
				ArrayNode cuts = item.putArray("bands");
				for (double cut : attribute.bands()) {
					if (cut == Math.rint(cut) && Math.abs(cut) < 1e15) {
						cuts.add((long) cut);
					}
					else {
						cuts.add(cut);
					}
				}
			}
		}
		return JSON.writeValueAsString(json);
	}

	/** A spec as stored, or {@code null}. */
	static EvaluationSpec fromStored(String stored) {
		if (stored == null) {
			return null;
		}
		JsonNode json = JSON.readTree(stored);
		List<Attribute> attributes = new ArrayList<>();
		for (JsonNode item : json.path("sensitive")) {
			List<Double> bands = null;
			if (item.path("bands").isArray()) {
				bands = new ArrayList<>();
				for (JsonNode cut : item.path("bands")) {
					bands.add(cut.asDouble());
				}
			}
			attributes.add(new Attribute(item.path("name").asString(),
					item.path("reference").isString() ? item.path("reference").asString() : null, bands));
		}
		return new EvaluationSpec(json.path("label").asString(), json.path("positive_label").asString(), attributes);
	}

}
