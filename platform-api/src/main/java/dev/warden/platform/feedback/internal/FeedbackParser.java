package dev.warden.platform.feedback.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.system.InputRules;

/**
 * Reads a feedback body strictly: <pre>
 * {"outcomes": [{"request_id": "…", "labels": [1, 0, …] | "label": 1,
 *                "attributes": {"sex": "Female", …} | [{…} per row]}, …]}
 * </pre> Every key is known, none appears twice, nothing follows the value; a request id
 * has the grammar of {@code X-Request-Id}; a label is a JSON integer from 0 to
 * {@link #MAX_LABEL} (not {@code 1.0}, {@code "1"} or {@code true}); attributes are
 * objects of 1 to {@link #MAX_ATTRIBUTES} names ({@link #ATTRIBUTE_NAME}) with string
 * values of 1 to {@link #MAX_VALUE_LENGTH} characters, given once for every row of the
 * outcome (an object) or per row (an array with one object per label). Anything else is a
 * {@link InvalidFeedback} naming the place (a JSON pointer) and what was expected.
 */
public final class FeedbackParser {

	/** Most outcomes one call may report. */
	public static final int MAX_OUTCOMES = 1_000;

	/** Most labels (rows) one call may report, over all its outcomes. */
	public static final int MAX_ROWS = 10_000;

	/** Largest class a label may name (the fairness checks' largest positive class). */
	public static final int MAX_LABEL = 10_000;

	/** Most sensitive attributes per row. */
	public static final int MAX_ATTRIBUTES = 8;

	/** Longest group value. */
	public static final int MAX_VALUE_LENGTH = 64;

	/** Names of sensitive attributes. */
	public static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");

	/** Request ids as the gateway keeps them ({@code X-Request-Id}). */
	public static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private static final Set<String> OUTCOME_KEYS = Set.of("request_id", "labels", "label", "attributes");

	private FeedbackParser() {
	}

	/**
	 * @throws InvalidFeedback naming what is wrong and where
	 */
	public static List<Outcome> parse(byte[] body) {
		if (body == null || body.length == 0) {
			throw new InvalidFeedback("the request body is empty; expected {\"outcomes\": [...]}");
		}
		JsonNode root;
		try {
			root = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			throw new InvalidFeedback("the request body is not valid JSON: " + ex.getOriginalMessage());
		}
		if (!(root instanceof ObjectNode object)) {
			throw new InvalidFeedback("the request body must be a JSON object {\"outcomes\": [...]}");
		}
		for (String name : object.propertyNames()) {
			if (!"outcomes".equals(name)) {
				throw new InvalidFeedback("/" + escape(name) + ": unknown field; the body has only 'outcomes'");
			}
		}
		JsonNode outcomes = object.get("outcomes");
		if (!(outcomes instanceof ArrayNode array)) {
			throw new InvalidFeedback("/outcomes: " + (outcomes == null ? "is required" : "must be an array")
					+ " of 1 to " + MAX_OUTCOMES + " outcomes");
		}
		if (array.isEmpty() || array.size() > MAX_OUTCOMES) {
			throw new InvalidFeedback(
					"/outcomes: has " + array.size() + " outcomes; 1 to " + MAX_OUTCOMES + " are allowed per call");
		}
		List<Outcome> parsed = new ArrayList<>(array.size());
		int rows = 0;
		for (int i = 0; i < array.size(); i++) {
			Outcome outcome = outcome(array.get(i), "/outcomes/" + i);
			rows += outcome.labels().size();
			if (rows > MAX_ROWS) {
				throw new InvalidFeedback("/outcomes/" + i + ": the outcomes report more than " + MAX_ROWS
						+ " labels in all; send fewer per call");
			}
			parsed.add(outcome);
		}
		return parsed;
	}

	private static Outcome outcome(JsonNode node, String at) {
		if (!(node instanceof ObjectNode object)) {
			throw new InvalidFeedback(
					at + ": must be an object {\"request_id\", \"labels\" or \"label\", " + "\"attributes\"?}");
		}
		for (String name : object.propertyNames()) {
			if (!OUTCOME_KEYS.contains(name)) {
				throw new InvalidFeedback(at + "/" + escape(name)
						+ ": unknown field; an outcome has request_id, labels or label, attributes");
			}
		}
		JsonNode id = object.get("request_id");
		if (id == null || !id.isString()) {
			throw new InvalidFeedback(at + "/request_id: " + ((id == null) ? "is required" : "must be a string"));
		}
		String requestId = id.asString();
		if (!REQUEST_ID.matcher(requestId).matches()) {
			throw new InvalidFeedback(at + "/request_id: must be a request id as the gateway echoed it in "
					+ "X-Request-Id (1 to 64 characters: letters, digits, '.', '_', '-')");
		}
		JsonNode labels = object.get("labels");
		JsonNode label = object.get("label");
		if ((labels == null) == (label == null)) {
			throw new InvalidFeedback(at + ": give either 'labels' (one per row of the prediction) or 'label' "
					+ "(a prediction of one row), " + ((labels == null) ? "not neither" : "not both"));
		}
		List<Integer> values = new ArrayList<>();
		if (label != null) {
			values.add(label(label, at + "/label"));
		}
		else {
			if (!(labels instanceof ArrayNode list) || list.isEmpty()) {
				throw new InvalidFeedback(at + "/labels: must be a non-empty array of integer labels, one per row");
			}
			if (list.size() > MAX_ROWS) {
				throw new InvalidFeedback(at + "/labels: more than " + MAX_ROWS + " labels");
			}
			for (int r = 0; r < list.size(); r++) {
				values.add(label(list.get(r), at + "/labels/" + r));
			}
		}
		JsonNode attributes = object.get("attributes");
		List<Map<String, String>> perRow = null;
		if (attributes != null) {
			if (attributes instanceof ObjectNode shared) {
				Map<String, String> all = attributes(shared, at + "/attributes");
				perRow = new ArrayList<>(values.size());
				for (int r = 0; r < values.size(); r++) {
					perRow.add(all);
				}
			}
			else if (attributes instanceof ArrayNode rowsOf) {
				if (rowsOf.size() != values.size()) {
					throw new InvalidFeedback(at + "/attributes: has " + rowsOf.size() + " entries for " + values.size()
							+ " labels; give one object per row, or one object for every row");
				}
				perRow = new ArrayList<>(values.size());
				for (int r = 0; r < rowsOf.size(); r++) {
					if (!(rowsOf.get(r) instanceof ObjectNode row)) {
						throw new InvalidFeedback(at + "/attributes/" + r + ": must be an object of attribute values");
					}
					perRow.add(attributes(row, at + "/attributes/" + r));
				}
			}
			else {
				throw new InvalidFeedback(at + "/attributes: must be an object of attribute values (for every row) "
						+ "or an array of such objects (one per row)");
			}
		}
		return new Outcome(requestId, List.copyOf(values), (perRow != null) ? List.copyOf(perRow) : null);
	}

	private static int label(JsonNode node, String at) {
		if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0
				|| node.asInt() > MAX_LABEL) {
			throw new InvalidFeedback(
					at + ": must be an integer class from 0 to " + MAX_LABEL + ", not " + describe(node));
		}
		return node.asInt();
	}

	private static Map<String, String> attributes(ObjectNode object, String at) {
		if (object.isEmpty() || object.size() > MAX_ATTRIBUTES) {
			throw new InvalidFeedback(
					at + ": has " + object.size() + " attributes; 1 to " + MAX_ATTRIBUTES + " are allowed per row");
		}
		Map<String, String> values = new LinkedHashMap<>();
		Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
		while (fields.hasNext()) {
			Map.Entry<String, JsonNode> field = fields.next();
			String name = field.getKey();
			String where = at + "/" + escape(name);
			if (!ATTRIBUTE_NAME.matcher(name).matches()) {
				throw new InvalidFeedback(where + ": an attribute name has 1 to 64 characters: a letter or '_', "
						+ "then letters, digits, '_', '.', '-'");
			}
			JsonNode value = field.getValue();
			if (!value.isString()) {
				throw new InvalidFeedback(where + ": must be a string (the group, e.g. \"Female\"; band numbers "
						+ "yourself, e.g. \"30-39\"), not " + describe(value));
			}
			String text = value.asString().strip();
			if (text.isEmpty() || text.length() > MAX_VALUE_LENGTH) {
				throw new InvalidFeedback(where + ": a group value has 1 to " + MAX_VALUE_LENGTH
						+ " characters (leading and trailing spaces are removed)");
			}
			String problem = InputRules.textProblem(text, false);
			if (problem != null) {
				throw new InvalidFeedback(where + ": " + problem);
			}
			values.put(name, text);
		}
		return Map.copyOf(values);
	}

	private static String describe(JsonNode node) {
		if (node == null || node.isNull()) {
			return "null";
		}
		if (node.isString()) {
			return "a string";
		}
		if (node.isBoolean()) {
			return "a boolean";
		}
		if (node.isNumber()) {
			return node.isIntegralNumber() ? "the integer " + abbreviate(node.asString())
					: "the number " + abbreviate(node.asString());
		}
		return node.isArray() ? "an array" : "an object";
	}

	private static String abbreviate(String text) {
		return (text.length() <= 24) ? text : text.substring(0, 24) + "…";
	}

	/** A JSON pointer's escaping of a key, cut to a readable length. */
	private static String escape(String name) {
		String safe = name.replace("~", "~0").replace("/", "~1").replaceAll("[^\\x20-\\x7E]", "?");
		return (safe.length() <= 64) ? safe : safe.substring(0, 64) + "…";
	}

	/**
	 * One reported outcome.
	 *
	 * @param requestId the prediction's request id
	 * @param labels the true class of each row
	 * @param attributes the sensitive attributes of each row (one map per label), or
	 * {@code null}
	 */
	public record Outcome(String requestId, List<Integer> labels, List<Map<String, String>> attributes) {
	}

	/** A body that is not a valid feedback request: 400 {@code invalid_feedback}. */
	public static final class InvalidFeedback extends RuntimeException {

		public InvalidFeedback(String message) {
			super(message, null, false, false);
		}

	}

}
