package dev.warden.platform.explainability;

import tools.jackson.databind.JsonNode;

import dev.warden.platform.explainability.internal.CanonicalJson;

/**
 * The canonical JSON text of a report's content and its SHA-256, for the modules whose
 * immutable reports are digested the way explainability reports are (fairness reports):
 * objects with their keys sorted by UTF-16 code units, no white space, RFC 8259 escapes
 * only, integers in decimal, other numbers as Java's {@link Double#toString(double)},
 * non-finite numbers as {@code null} (docs/explainability.md, "Digest"). Reading the
 * stored {@code jsonb} back gives the same text, so anyone can recompute a digest from
 * the JSON the API returns.
 */
public final class ContentDigest {

	private ContentDigest() {
	}

	/** The canonical JSON text of {@code content}. */
	public static String canonical(JsonNode content) {
		return CanonicalJson.write(content);
	}

	/** Lower-case hex SHA-256 of the UTF-8 canonical JSON text of {@code content}. */
	public static String sha256(JsonNode content) {
		return CanonicalJson.sha256(content);
	}

}
