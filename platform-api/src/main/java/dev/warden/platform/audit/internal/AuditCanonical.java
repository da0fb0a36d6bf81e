package dev.warden.platform.audit.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical serialisation of audit events and digests, from which their SHA-256
 * hashes and the digest signatures are computed. Specified in {@code docs/security.md}
 * ("Canonical form") so that a third party can re-verify a chain without Warden; usable
 * without Spring (the offline verifier uses it).
 * <p>
 * A canonical document is a JSON object written with: keys sorted by UTF-16 code units
 * (String order), no insignificant whitespace, strings with only {@code "}, {@code \} and
 * control characters below U+0020 escaped ({@code \b \t \n \f \r}, others a backslash,
 * {@code u} and four lowercase hex digits), every other character as UTF-8, numbers as
 * plain decimals without exponent and without trailing fractional zeros
 * ({@code 1.50 → 1.5}, {@code 1.0E3 → 1000}), {@code true}, {@code false}, {@code null}.
 * Timestamps are strings {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ} (UTC, exactly six fractional
 * digits). Hashes are lowercase hexadecimal SHA-256 of the UTF-8 bytes.
 * <p>
 * Thread-safe: stateless.
 */
public final class AuditCanonical {

	/** The {@code prev_hash} of event 1 and the {@code prev_digest_hash} of digest 1. */
	public static final String GENESIS_HASH = "0".repeat(64);

	private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
		.withZone(ZoneOffset.UTC);

	/** Reads details without losing digits: floating-point numbers as BigDecimal. */
	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	private AuditCanonical() {
	}

	/**
	 * The content of one event that its hash covers (every column of {@code audit_events}
	 * except {@code hash}).
	 *
	 * @param detailsJson the event's details as JSON text (as stored in the jsonb column)
	 * @param actorName the actor's user name (from migration V29 on; {@code null} when
	 * unknown)
	 * @param actorIssuer the issuer of the actor's token ({@code null} when unknown)
	 */
	public record EventContent(UUID id, long seq, Instant occurredAt, String actor, List<String> roles, String action,
			String targetType, String targetId, String detailsJson, String clientAddress, String userAgent,
			String requestId, String prevHash, String actorName, String actorIssuer) {

		/** An event without the actor's user name and issuer (as before V29). */
		public EventContent(UUID id, long seq, Instant occurredAt, String actor, List<String> roles, String action,
				String targetType, String targetId, String detailsJson, String clientAddress, String userAgent,
				String requestId, String prevHash) {
			this(id, seq, occurredAt, actor, roles, action, targetType, targetId, detailsJson, clientAddress, userAgent,
					requestId, prevHash, null, null);
		}

		/** The same event linked to another previous hash. */
		public EventContent withPrevHash(String prev) {
			return new EventContent(this.id, this.seq, this.occurredAt, this.actor, this.roles, this.action,
					this.targetType, this.targetId, this.detailsJson, this.clientAddress, this.userAgent,
					this.requestId, prev, this.actorName, this.actorIssuer);
		}

	}

	/**
	 * The content of one digest that its hash and signature cover (every column except
	 * the two).
	 */
	public record DigestContent(long number, long firstSeq, long lastSeq, long eventCount, String headHash,
			String prevDigestHash, Instant createdAt, String keyId) {
	}

	/** Canonical UTF-8 bytes of an event. */
	public static byte[] canonical(EventContent event) {
		Map<String, Object> doc = new LinkedHashMap<>();
		doc.put("action", event.action());
		doc.put("actor", event.actor());
		// present only when known, so that events written before V29 hash as they did
		if (event.actorIssuer() != null) {
			doc.put("actor_issuer", event.actorIssuer());
		}
		if (event.actorName() != null) {
			doc.put("actor_name", event.actorName());
		}
		doc.put("client_address", event.clientAddress());
		doc.put("details", JSON.readTree((event.detailsJson() != null) ? event.detailsJson() : "{}"));
		doc.put("id", event.id().toString());
		doc.put("occurred_at", timestamp(event.occurredAt()));
		doc.put("prev_hash", event.prevHash());
		doc.put("request_id", event.requestId());
		doc.put("roles", (event.roles() != null) ? event.roles() : List.of());
		doc.put("seq", event.seq());
		doc.put("target_id", event.targetId());
		doc.put("target_type", event.targetType());
		doc.put("user_agent", event.userAgent());
		return write(doc);
	}

	/** Canonical UTF-8 bytes of a digest: what is hashed and signed. */
	public static byte[] canonical(DigestContent digest) {
		Map<String, Object> doc = new LinkedHashMap<>();
		doc.put("created_at", timestamp(digest.createdAt()));
		doc.put("event_count", digest.eventCount());
		doc.put("first_seq", digest.firstSeq());
		doc.put("head_hash", digest.headHash());
		doc.put("key_id", digest.keyId());
		doc.put("last_seq", digest.lastSeq());
		doc.put("number", digest.number());
		doc.put("prev_digest_hash", digest.prevDigestHash());
		return write(doc);
	}

	public static String hash(EventContent event) {
		return sha256Hex(canonical(event));
	}

	public static String hash(DigestContent digest) {
		return sha256Hex(canonical(digest));
	}

	/** {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ}, UTC, truncated to microseconds. */
	public static String timestamp(Instant instant) {
		return MICROS.format(instant);
	}

	public static String sha256Hex(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	/**
	 * Canonical JSON of a map of Java values (String, Number, Boolean, List, Map,
	 * JsonNode, null).
	 */
	public static byte[] write(Map<String, ?> doc) {
		StringBuilder out = new StringBuilder(256);
		writeValue(out, doc);
		return out.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static void writeValue(StringBuilder out, Object value) {
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof JsonNode node) {
			writeNode(out, node);
		}
		else if (value instanceof String s) {
			writeString(out, s);
		}
		else if (value instanceof Boolean b) {
			out.append(b.booleanValue());
		}
		else if (value instanceof Number n) {
			writeNumber(out, new BigDecimal(n.toString()));
		}
		else if (value instanceof Map<?, ?> map) {
			Map<String, Object> sorted = new TreeMap<>();
			map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
			writeObject(out, sorted);
		}
		else if (value instanceof List<?> list) {
			out.append('[');
			for (int i = 0; i < list.size(); i++) {
				if (i > 0) {
					out.append(',');
				}
				writeValue(out, list.get(i));
			}
			out.append(']');
		}
		else {
			throw new IllegalArgumentException("not a canonical JSON value: " + value.getClass().getName());
		}
	}

	private static void writeObject(StringBuilder out, Map<String, ?> sorted) {
		out.append('{');
		boolean first = true;
		for (Map.Entry<String, ?> entry : sorted.entrySet()) {
			if (!first) {
				out.append(',');
			}
			first = false;
			writeString(out, entry.getKey());
			out.append(':');
			writeValue(out, entry.getValue());
		}
		out.append('}');
	}

	private static void writeNode(StringBuilder out, JsonNode node) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			out.append("null");
		}
		else if (node.isObject()) {
			Map<String, Object> sorted = new TreeMap<>();
			for (Map.Entry<String, JsonNode> entry : node.properties()) {
				sorted.put(entry.getKey(), entry.getValue());
			}
			writeObject(out, sorted);
		}
		else if (node.isArray()) {
			List<Object> items = new ArrayList<>();
			node.forEach(items::add);
			writeValue(out, items);
		}
		else if (node.isString()) {
			writeString(out, node.stringValue());
		}
		else if (node.isNumber()) {
			writeNumber(out, node.decimalValue());
		}
		else if (node.isBoolean()) {
			out.append(node.booleanValue());
		}
		else {
			throw new IllegalArgumentException("not a canonical JSON value: " + node.getNodeType());
		}
	}

	private static void writeNumber(StringBuilder out, BigDecimal number) {
		BigDecimal stripped = number.stripTrailingZeros();
		out.append((stripped.signum() == 0) ? "0" : stripped.toPlainString());
	}

	private static void writeString(StringBuilder out, String s) {
		out.append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\b' -> out.append("\\b");
				case '\t' -> out.append("\\t");
				case '\n' -> out.append("\\n");
				case '\f' -> out.append("\\f");
				case '\r' -> out.append("\\r");
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
