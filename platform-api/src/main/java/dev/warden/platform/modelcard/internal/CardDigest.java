package dev.warden.platform.modelcard.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;

/**
 * The SHA-256 of a card revision's content, over its canonical JSON: the same rules as
 * the explainability and fairness reports' digests (docs/explainability.md, "Digest"):
 * object keys sorted by UTF-16 code units, no white space, strings with RFC 8259's
 * escapes only (control characters as a backslash, {@code u} and four lower-case hex
 * digits), integers in decimal, other numbers as {@link Double#toString(double)}
 * ({@code null} if not finite). A card's content is strings, objects and arrays, so in
 * practice only the first two rules matter. Thread-safe: stateless.
 */
public final class CardDigest {

	private static final HexFormat HEX = HexFormat.of();

	private CardDigest() {
	}

	/** Lower-case hex SHA-256 of the UTF-8 bytes of the canonical JSON. */
	public static String sha256(JsonNode content) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(canonical(content).getBytes(StandardCharsets.UTF_8));
			return HEX.formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	/** The canonical JSON text. */
	public static String canonical(JsonNode content) {
		StringBuilder text = new StringBuilder(2048);
		append(text, content);
		return text.toString();
	}

	private static void append(StringBuilder text, JsonNode node) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			text.append("null");
			return;
		}
		switch (node.getNodeType()) {
			case OBJECT -> {
				Map<String, JsonNode> sorted = new TreeMap<>();
				node.properties().forEach((entry) -> sorted.put(entry.getKey(), entry.getValue()));
				text.append('{');
				String separator = "";
				for (Map.Entry<String, JsonNode> entry : sorted.entrySet()) {
					text.append(separator);
					quote(text, entry.getKey());
					text.append(':');
					append(text, entry.getValue());
					separator = ",";
				}
				text.append('}');
			}
			case ARRAY -> {
				text.append('[');
				for (int i = 0; i < node.size(); i++) {
					text.append((i == 0) ? "" : ",");
					append(text, node.get(i));
				}
				text.append(']');
			}
			case STRING -> quote(text, node.stringValue());
			case BOOLEAN -> text.append(node.booleanValue());
			case NUMBER -> {
				if (node.isIntegralNumber()) {
					text.append(node.bigIntegerValue());
				}
				else {
					double value = node.doubleValue();
					text.append(Double.isFinite(value) ? Double.toString(value) : "null");
				}
			}
			default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
		}
	}

	private static void quote(StringBuilder text, String value) {
		text.append('"');
		value.chars().forEach((c) -> {
			String escape = switch (c) {
				case '"' -> "\\\"";
				case '\\' -> "\\\\";
				case '\b' -> "\\b";
				case '\f' -> "\\f";
				case '\n' -> "\\n";
				case '\r' -> "\\r";
				case '\t' -> "\\t";
				default -> (c < 0x20) ? String.format("\\u%04x", c) : null;
			};
			if (escape != null) {
				text.append(escape);
			}
			else {
				text.append((char) c);
			}
		});
		text.append('"');
	}

}
