package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.warden.console.adminapi.JsonValues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * How governance pages read platform-api's JSON (leniently: a value of an unexpected type
 * is shown as text, a missing one left out) and write figures: rates, differences and
 * ratios to three decimals, so that the columns of a table line up and an interval reads
 * next to its value.
 */
final class Values {

	private Values() {
	}

	/**
	 * A figure of a fairness metric: three decimals; a magnitude below 0.001 (but not
	 * zero) in scientific notation so that it does not read as zero.
	 */
	static String format(double value) {
		if (!Double.isFinite(value)) {
			return Double.isNaN(value) ? "n/a" : ((value > 0) ? "∞" : "-∞");
		}
		double magnitude = Math.abs(value);
		if (magnitude == 0) {
			return "0";
		}
		String pattern = (magnitude < 0.001 || magnitude >= 1e9) ? "%.2e" : "%.3f";
		return String.format(Locale.ROOT, pattern, value);
	}

	/** A number from a JSON number or a numeric string; NaN otherwise. */
	static double number(JsonNode node) {
		return JsonValues.number(node);
	}

	/**
	 * A JSON value as text: strings as they are, numbers as JSON writes them (never in
	 * exponent notation), booleans, and objects and arrays as compact JSON; null for null
	 * or absent.
	 */
	static String text(JsonNode node) {
		return JsonValues.text(node);
	}

	/** The first of the fields that is present and not null, or a missing node. */
	static JsonNode first(JsonNode object, String... names) {
		if (object != null && object.isObject()) {
			for (String name : names) {
				JsonNode value = object.path(name);
				if (!value.isMissingNode() && !value.isNull()) {
					return value;
				}
			}
		}
		return MissingNode.getInstance();
	}

	/** The elements of an array; empty for anything else. */
	static List<JsonNode> list(JsonNode node) {
		List<JsonNode> result = new ArrayList<>();
		if (node != null && node.isArray()) {
			node.values().forEach(result::add);
		}
		return result;
	}

	/** Whether the value is absent, null, an empty string, array or object. */
	static boolean blank(JsonNode node) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			return true;
		}
		if (node.isString()) {
			return node.asString().isBlank();
		}
		return (node.isArray() || node.isObject()) && node.isEmpty();
	}

	/** Text cut to at most {@code max} characters, with an ellipsis when cut. */
	static String shorten(String text, int max) {
		return JsonValues.shorten(text, max);
	}

}
