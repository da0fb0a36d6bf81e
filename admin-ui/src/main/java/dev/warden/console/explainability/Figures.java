package dev.warden.console.explainability;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

import dev.warden.console.adminapi.JsonValues;
import tools.jackson.databind.JsonNode;

/**
 * How numbers and JSON values read on the page: figures to four significant digits,
 * coordinates for SVG, and lenient reading of values platform-api may send as numbers or
 * strings.
 */
final class Figures {

	private static final MathContext SIGNIFICANT = new MathContext(4);

	private Figures() {
	}

	/** A figure for people: four significant digits, no exponent in the usual range. */
	static String format(double value) {
		if (Double.isNaN(value)) {
			return "n/a";
		}
		if (Double.isInfinite(value)) {
			return (value > 0) ? "∞" : "-∞";
		}
		if (value == 0) {
			return "0";
		}
		double magnitude = Math.abs(value);
		if (magnitude < 1e-4 || magnitude >= 1e7) {
			return String.format(Locale.ROOT, "%.3e", value);
		}
		return new BigDecimal(value).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
	}

	/** An SVG coordinate or length. */
	static String coordinate(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

	/** A number from a JSON number or a numeric string; NaN otherwise. */
	static double number(JsonNode node) {
		return JsonValues.number(node);
	}

	/**
	 * A JSON value as text: strings as they are, integers exactly, other numbers as
	 * figures, objects and arrays as compact JSON; null for null or absent.
	 */
	static String text(JsonNode node) {
		if (node != null && node.isNumber() && !node.isIntegralNumber()) {
			return format(node.asDouble());
		}
		return JsonValues.text(node);
	}

	/**
	 * A JSON value as text without rounding: numbers exactly as JSON writes them, the
	 * rest as {@link #text(JsonNode)}.
	 */
	static String exact(JsonNode node) {
		if (node != null && node.isNumber()) {
			return node.asString();
		}
		return text(node);
	}

	/** Text cut to at most {@code max} characters, with an ellipsis when cut. */
	static String shorten(String text, int max) {
		return JsonValues.shorten(text, max);
	}

}
