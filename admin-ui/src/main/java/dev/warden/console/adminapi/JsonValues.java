package dev.warden.console.adminapi;

import java.math.BigDecimal;

import tools.jackson.databind.JsonNode;

/**
 * Lenient reading of the values platform-api sends, for the pages that show them: a
 * number may come as a JSON number or a numeric string, any value can be shown as text,
 * and a text shown in a narrow place is cut with an ellipsis.
 */
public final class JsonValues {

	private JsonValues() {
	}

	/** A number from a JSON number or a numeric string; NaN otherwise. */
	public static double number(JsonNode node) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			return Double.NaN;
		}
		if (node.isNumber()) {
			return node.asDouble();
		}
		if (node.isString()) {
			try {
				return Double.parseDouble(node.asString().trim());
			}
			catch (NumberFormatException ex) {
				return Double.NaN;
			}
		}
		return Double.NaN;
	}

	/**
	 * A JSON value as text: strings as they are, numbers as JSON writes them but never in
	 * exponent notation, booleans, and objects and arrays as compact JSON; null for null
	 * or absent.
	 */
	public static String text(JsonNode node) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			return null;
		}
		if (node.isString()) {
			return node.asString();
		}
		if (node.isNumber()) {
			return node.isIntegralNumber() ? node.asString() : new BigDecimal(node.asString()).toPlainString();
		}
		if (node.isBoolean()) {
			return String.valueOf(node.asBoolean());
		}
		return node.toString();
	}

	/**
	 * Text cut to at most {@code max} characters, with an ellipsis when cut (never
	 * between the two halves of a surrogate pair).
	 */
	public static String shorten(String text, int max) {
		if (text == null || text.length() <= max) {
			return text;
		}
		int end = max - 1;
		if (Character.isHighSurrogate(text.charAt(end - 1))) {
			end--;
		}
		return text.substring(0, end) + "…";
	}

}
