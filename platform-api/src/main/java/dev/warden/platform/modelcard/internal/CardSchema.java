package dev.warden.platform.modelcard.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;

/**
 * The sections of a model card an administrator edits, with the Model Card Toolkit's
 * field names, and the rules an edit is held to: every field known, of its type, within
 * its length; the fields the platform fills in (the model's name, the version's name and
 * date) and the computed sections refused with a message that says so. A refusal is a 400
 * {@code invalid_model_card} naming the field by its path
 * ({@code considerations.limitations[2].description}). Thread-safe: stateless.
 */
public final class CardSchema {

	/** Error code of a refused edit. */
	public static final String INVALID = "invalid_model_card";

	/** Longest one-line text (a name, a contact, a licence identifier). */
	public static final int SHORT_TEXT = 200;

	/** Longest free text (an overview, a description, a mitigation strategy). */
	public static final int LONG_TEXT = 10_000;

	/** Longest link. */
	public static final int MAX_URI = 2_000;

	/** Most entries in one list. */
	public static final int MAX_ENTRIES = 50;

	/** The edited sections, in the order of a card. */
	public static final List<String> SECTIONS = List.of("model_details", "model_parameters", "considerations");

	private static final Shape SHORT = new Text(SHORT_TEXT, false);

	private static final Shape LONG = new Text(LONG_TEXT, true);

	private static final Shape LINK = new Link();

	private static final Shape DESCRIBED = object(Map.of(), List.of(), "description", LONG);

	private static final Map<String, Shape> SHAPES = sections();

	private CardSchema() {
	}

	/**
	 * Checks the edited sections of a card and returns them as they are stored: the three
	 * sections, each an object (empty when absent), with only known fields.
	 * @param body an object that may hold {@code model_details}, {@code model_parameters}
	 * and {@code considerations} (other keys are the caller's business and skipped when
	 * listed in {@code otherKeys})
	 * @param otherKeys keys of {@code body} that are not sections but are allowed
	 * @throws ApiException 400 {@value #INVALID} naming the field
	 */
	public static ObjectNode content(JsonNode body, List<String> otherKeys) {
		if (body == null || !body.isObject()) {
			throw invalid("the body must be a JSON object with the card's sections");
		}
		for (String key : body.propertyNames()) {
			if (!SHAPES.containsKey(key) && !otherKeys.contains(key)) {
				throw invalid(unknownTopLevel(key, otherKeys));
			}
		}
		ObjectNode content = JsonNodeFactory.instance.objectNode();
		for (String section : SECTIONS) {
			JsonNode value = body.get(section);
			content.set(section, (value == null) ? JsonNodeFactory.instance.objectNode()
					: SHAPES.get(section).check(value, section));
		}
		return content;
	}

	private static String unknownTopLevel(String key, List<String> otherKeys) {
		return switch (key) {
			case "quantitative_analysis" ->
				"quantitative_analysis is filled in from the version's fairness and explainability reports whenever "
						+ "the card is read; it cannot be edited";
			case "governance", "completeness", "provenance", "overrides", "model", "version", "content_sha256" ->
				key + " is filled in by the platform; it cannot be edited";
			default -> "unknown field '" + key + "'; an edit takes " + String.join(", ", otherKeys) + ", "
					+ String.join(", ", SECTIONS);
		};
	}

	/** A 400 {@value #INVALID} with this message. */
	public static ApiException invalid(String message) {
		return ApiException.badRequest(INVALID, message);
	}

	private static Map<String, Shape> sections() {
		Shape owner = object(Map.of(), List.of(), "name", SHORT, "contact", SHORT);
		Shape version = object(
				Map.of("name", "the version's name is its number in the model catalogue", "date",
						"the version's date is when it was uploaded, or first seen in the model store"),
				List.of(), "diff", LONG);
		Shape license = object(Map.of(), List.of("identifier", "custom_text"), "identifier", SHORT, "custom_text",
				LONG);
		Shape reference = object(Map.of(), List.of(), "reference", LINK);
		Shape citation = object(Map.of(), List.of(), "style", SHORT, "citation", LONG);
		Shape modelDetails = object(Map.of("name", "the card's name is the model's name"), List.of(), "overview", LONG,
				"documentation", LONG, "owners", new Entries(owner), "version", version, "licenses",
				new Entries(license), "references", new Entries(reference), "citations", new Entries(citation));
		Shape sensitive = object(Map.of(), List.of(), "sensitive_attributes", new Entries(SHORT));
		Shape dataset = object(Map.of(), List.of(), "name", SHORT, "link", LINK, "sensitive", sensitive, "description",
				LONG);
		Shape modelParameters = object(Map.of(), List.of(), "model_architecture", LONG, "data", new Entries(dataset),
				"input_format", LONG, "output_format", LONG);
		Shape risk = object(Map.of(), List.of(), "name", SHORT, "mitigation_strategy", LONG);
		Shape considerations = object(Map.of(), List.of(), "users", new Entries(DESCRIBED), "use_cases",
				new Entries(DESCRIBED), "limitations", new Entries(DESCRIBED), "tradeoffs", new Entries(DESCRIBED),
				"ethical_considerations", new Entries(risk));
		Map<String, Shape> sections = new LinkedHashMap<>();
		sections.put("model_details", modelDetails);
		sections.put("model_parameters", modelParameters);
		sections.put("considerations", considerations);
		return sections;
	}

	/**
	 * An object with these fields (name, shape, name, shape, ...), the fields the
	 * platform fills in (name → why) and, when not empty, fields of which exactly one
	 * must be given.
	 */
	private static Shape object(Map<String, String> filledByPlatform, List<String> exactlyOne, Object... fields) {
		Map<String, Shape> shapes = new LinkedHashMap<>();
		for (int i = 0; i < fields.length; i += 2) {
			shapes.put((String) fields[i], (Shape) fields[i + 1]);
		}
		return new Fields(shapes, filledByPlatform, exactlyOne);
	}

	private static String kind(JsonNode node) {
		if (node.isNull()) {
			return "null";
		}
		if (node.isString()) {
			return "a string";
		}
		if (node.isNumber()) {
			return "a number";
		}
		if (node.isBoolean()) {
			return "a boolean";
		}
		return node.isArray() ? "an array" : "an object";
	}

	/** What a value must look like. */
	private sealed interface Shape permits Text, Link, Fields, Entries {

		/** The value as stored; throws naming {@code path}. */
		JsonNode check(JsonNode value, String path);

	}

	private record Text(int max, boolean lineBreaks) implements Shape {

		@Override
		public JsonNode check(JsonNode value, String path) {
			if (!value.isString()) {
				throw invalid(path + " must be a string, not " + kind(value));
			}
			String text = value.stringValue();
			String problem = InputRules.textProblem(text, this.lineBreaks);
			if (problem != null) {
				throw invalid(path + " " + problem);
			}
			if (text.length() > this.max) {
				throw invalid(
						path + " must be at most " + this.max + " characters long (it has " + text.length() + ")");
			}
			return value;
		}

	}

	/** An absolute http or https URL. */
	private record Link() implements Shape {

		@Override
		public JsonNode check(JsonNode value, String path) {
			new Text(MAX_URI, false).check(value, path);
			String text = value.stringValue();
			if (text.isBlank()) {
				return value;
			}
			try {
				URI uri = new URI(text);
				String scheme = uri.getScheme();
				if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
						|| uri.getHost() == null) {
					throw invalid(path + " must be an absolute http or https URL");
				}
			}
			catch (URISyntaxException ex) {
				throw invalid(path + " must be an absolute http or https URL (" + ex.getReason() + ")");
			}
			return value;
		}

	}

	private record Fields(Map<String, Shape> shapes, Map<String, String> filledByPlatform,
			List<String> exactlyOne) implements Shape {

		@Override
		public JsonNode check(JsonNode value, String path) {
			if (!value.isObject()) {
				throw invalid(path + " must be an object, not " + kind(value));
			}
			ObjectNode checked = JsonNodeFactory.instance.objectNode();
			for (String key : value.propertyNames()) {
				String where = path + "." + key;
				if (this.filledByPlatform.containsKey(key)) {
					throw invalid(where + " is filled in by the platform (" + this.filledByPlatform.get(key)
							+ "); it cannot be edited");
				}
				if (!this.shapes.containsKey(key)) {
					throw invalid(
							"unknown field " + where + "; " + path + " has " + String.join(", ", this.shapes.keySet()));
				}
			}
			for (Map.Entry<String, Shape> field : this.shapes.entrySet()) {
				JsonNode given = value.get(field.getKey());
				if (given != null) {
					checked.set(field.getKey(), field.getValue().check(given, path + "." + field.getKey()));
				}
			}
			if (!this.exactlyOne.isEmpty()) {
				long present = this.exactlyOne.stream().filter((key) -> !Completeness.blank(checked.get(key))).count();
				if (present != 1) {
					throw invalid(path + " must have exactly one of " + String.join(", ", this.exactlyOne));
				}
			}
			return checked;
		}

	}

	private record Entries(Shape item) implements Shape {

		@Override
		public JsonNode check(JsonNode value, String path) {
			if (!value.isArray()) {
				throw invalid(path + " must be an array, not " + kind(value));
			}
			if (value.size() > MAX_ENTRIES) {
				throw invalid(path + " must have at most " + MAX_ENTRIES + " entries (it has " + value.size() + ")");
			}
			ArrayNode checked = JsonNodeFactory.instance.arrayNode();
			for (int i = 0; i < value.size(); i++) {
				checked.add(this.item.check(value.get(i), path + "[" + i + "]"));
			}
			return checked;
		}

	}

}
