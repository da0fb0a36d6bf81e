package dev.warden.platform.audit.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.warden.platform.audit.internal.AuditCanonical.DigestContent;
import dev.warden.platform.audit.internal.AuditCanonical.EventContent;

import static org.assertj.core.api.Assertions.assertThat;

/** The canonical form exactly as docs/security.md specifies it. */
class AuditCanonicalTests {

	private static final UUID ID = UUID.fromString("7d5c5b7e-2f0a-4c43-9d57-2d3f0c9b8a11");

	private static EventContent event(String details) {
		return new EventContent(ID, 7, Instant.parse("2026-03-01T12:00:00.5Z"), "alice", List.of("ADMIN"),
				"tenant.updated", "tenant", "t-1", details, "10.0.0.1", "curl/8.5", "req-1",
				AuditCanonical.GENESIS_HASH);
	}

	@Test
	void eventIsSerialisedWithSortedKeysMicrosecondTimeAndNoWhitespace() {
		String canonical = new String(
				AuditCanonical.canonical(event("{\"b\":[1,\"x\"],\"a\":{\"d\":null,\"c\":true}}")),
				StandardCharsets.UTF_8);

		assertThat(canonical).isEqualTo("{\"action\":\"tenant.updated\",\"actor\":\"alice\","
				+ "\"client_address\":\"10.0.0.1\",\"details\":{\"a\":{\"c\":true,\"d\":null},\"b\":[1,\"x\"]},"
				+ "\"id\":\"7d5c5b7e-2f0a-4c43-9d57-2d3f0c9b8a11\",\"occurred_at\":\"2026-03-01T12:00:00.500000Z\","
				+ "\"prev_hash\":\"" + "0".repeat(64) + "\",\"request_id\":\"req-1\",\"roles\":[\"ADMIN\"],\"seq\":7,"
				+ "\"target_id\":\"t-1\",\"target_type\":\"tenant\",\"user_agent\":\"curl/8.5\"}");
	}

	@Test
	void actorNameAndIssuerAreKeysOnlyWhenKnownSoOlderEventsHashAsBefore() {
		EventContent older = event("{}");
		EventContent named = new EventContent(ID, 7, older.occurredAt(), "8f1c2a44", List.of("ADMIN"), "tenant.updated",
				"tenant", "t-1", "{}", "10.0.0.1", "curl/8.5", "req-1", AuditCanonical.GENESIS_HASH, "alice",
				"http://localhost:8180/realms/warden");

		assertThat(new String(AuditCanonical.canonical(older), StandardCharsets.UTF_8)).doesNotContain("actor_");
		assertThat(new String(AuditCanonical.canonical(named), StandardCharsets.UTF_8))
			.startsWith("{\"action\":\"tenant.updated\",\"actor\":\"8f1c2a44\","
					+ "\"actor_issuer\":\"http://localhost:8180/realms/warden\",\"actor_name\":\"alice\","
					+ "\"client_address\":\"10.0.0.1\",");
		assertThat(AuditCanonical.hash(named)).isNotEqualTo(AuditCanonical.hash(new EventContent(ID, 7,
				older.occurredAt(), "8f1c2a44", List.of("ADMIN"), "tenant.updated", "tenant", "t-1", "{}", "10.0.0.1",
				"curl/8.5", "req-1", AuditCanonical.GENESIS_HASH, "mallory", "http://localhost:8180/realms/warden")));
	}

	@Test
	void hashIsLowercaseHexSha256OfTheCanonicalBytes() {
		EventContent e = event("{}");
		assertThat(AuditCanonical.hash(e)).matches("[0-9a-f]{64}")
			.isEqualTo(AuditCanonical.sha256Hex(AuditCanonical.canonical(e)));
	}

	@Test
	void equalDetailsHashEquallyWhateverTheirSpellingAsJsonb() {
		// what Jackson writes at append time and what PostgreSQL's jsonb gives back
		// differ in spelling only
		String written = "{\"ratio\":1.5,\"big\":1.0E10,\"z\":0.0,\"s\":\"\\u00e9\",\"n\":-2}";
		String fromJsonb = "{\"n\": -2, \"s\": \"é\", \"z\": 0.0, \"big\": 10000000000, \"ratio\": 1.50}";

		assertThat(AuditCanonical.hash(event(written))).isEqualTo(AuditCanonical.hash(event(fromJsonb)));
		assertThat(new String(AuditCanonical.canonical(event(written)), StandardCharsets.UTF_8))
			.contains("\"details\":{\"big\":10000000000,\"n\":-2,\"ratio\":1.5,\"s\":\"é\",\"z\":0}");
	}

	@Test
	void stringsEscapeOnlyQuoteBackslashAndControlCharacters() {
		String canonical = new String(AuditCanonical.canonical(event("{\"t\":\"a\\\"b\\\\c\\nd\\u0001é/✓\"}")),
				StandardCharsets.UTF_8);
		assertThat(canonical).contains("\"t\":\"a\\\"b\\\\c\\nd\\u0001é/✓\"");
	}

	@Test
	void anyChangeOfContentChangesTheHash() {
		String base = AuditCanonical.hash(event("{\"n\":1}"));
		assertThat(AuditCanonical.hash(event("{\"n\":2}"))).isNotEqualTo(base);
		EventContent e = event("{\"n\":1}");
		EventContent otherPrev = new EventContent(e.id(), e.seq(), e.occurredAt(), e.actor(), e.roles(), e.action(),
				e.targetType(), e.targetId(), e.detailsJson(), e.clientAddress(), e.userAgent(), e.requestId(),
				"f".repeat(64));
		assertThat(AuditCanonical.hash(otherPrev)).isNotEqualTo(base);
	}

	@Test
	void digestIsSerialisedWithSortedKeys() {
		DigestContent digest = new DigestContent(2, 11, 20, 10, "a".repeat(64), "b".repeat(64),
				Instant.parse("2026-03-01T12:15:00Z"), "123456");
		assertThat(new String(AuditCanonical.canonical(digest), StandardCharsets.UTF_8))
			.isEqualTo("{\"created_at\":\"2026-03-01T12:15:00.000000Z\",\"event_count\":10,\"first_seq\":11,"
					+ "\"head_hash\":\"" + "a".repeat(64) + "\",\"key_id\":\"123456\",\"last_seq\":20,\"number\":2,"
					+ "\"prev_digest_hash\":\"" + "b".repeat(64) + "\"}");
	}

}
