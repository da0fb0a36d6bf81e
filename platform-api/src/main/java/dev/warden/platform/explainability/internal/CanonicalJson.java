package dev.warden.platform.explainability.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * The canonical JSON text of a report's content, over which its digest is computed:
 * objects with their keys sorted by UTF-16 code units, no white space; strings with the
 * escapes of RFC 8259 only ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control
 * characters as a backslash, {@code u} and four lower-case hex digits) and every other
 * character as itself; integers in decimal; other numbers as Java's
 * {@link Double#toString(double)} of their double value ({@code 0.25}, {@code 1.0E-5},
 * {@code 42.0}), non-finite numbers as {@code null}; {@code true}, {@code false},
 * {@code null}. Reading the stored content back (PostgreSQL {@code jsonb} keeps numbers
 * exactly) gives the same text, so anyone can recompute the digest from the report's
 * JSON.
 */
public final class CanonicalJson {

	private CanonicalJson() {
	}

	public static String write(JsonNode node) {
		StringBuilder out = new StringBuilder(1024);
		write(node, out);
		return out.toString();
	}

	/** Lower-case hex SHA-256 of the UTF-8 canonical text. */
	public static String sha256(JsonNode node) {
		return sha256(write(node).getBytes(StandardCharsets.UTF_8));
	}

	public static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void write(JsonNode node, StringBuilder out) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			out.append("null");
		}
		else if (node.isObject()) {
			List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(node.properties());
			entries.sort(Map.Entry.comparingByKey());
			out.append('{');
			for (int i = 0; i < entries.size(); i++) {
				if (i > 0) {
					out.append(',');
				}
				string(entries.get(i).getKey(), out);
				out.append(':');
				write(entries.get(i).getValue(), out);
			}
			out.append('}');
		}
		else if (node.isArray()) {
			out.append('[');
			for (int i = 0; i < node.size(); i++) {
				if (i > 0) {
					out.append(',');
				}
				write(node.get(i), out);
			}
			out.append(']');
		}
		else if (node.isString()) {
			string(node.asString(), out);
		}
		else if (node.isBoolean()) {
			out.append(node.asBoolean() ? "true" : "false");
		}
		else if (node.isIntegralNumber()) {
			out.append(node.bigIntegerValue().toString());
		}
		else if (node.isNumber()) {
			double value = node.asDouble();
			out.append(Double.isFinite(value) ? Double.toString(value) : "null");
		}
		else {
			throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
		}
	}

	private static void string(String text, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\b' -> out.append("\\b");
				case '\f' -> out.append("\\f");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
