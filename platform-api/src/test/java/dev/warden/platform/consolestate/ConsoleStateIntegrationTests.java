package dev.warden.platform.consolestate;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.consolestate.internal.ConsoleStatePurge;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console state API on the shared application (which has a console state token): the
 * token, the checks of ids and bodies, sessions and authorizations stored encrypted,
 * their expiry and the purge. The signing keys are in
 * {@code ConsoleSigningKeysIntegrationTests}; the API without a token in
 * {@code ConsoleStateAccessFilterTests}.
 */
@ExtendWith(SharedWardenExtension.class)
class ConsoleStateIntegrationTests {

	private static final String BASE = "/internal/platform/console";

	static WardenTestApp app;

	@BeforeAll
	static void use(WardenFixture shared) {
		app = shared.app();
	}

	private static String[] token() {
		return new String[] { "Authorization", Http.bearer(SharedWardenExtension.CONSOLE_STATE_TOKEN), "Content-Type",
				"application/json" };
	}

	private static HttpResponse<String> call(String method, String path, String body) {
		return Http.send(method, app.url(BASE + path), body, token());
	}

	static String sha256Hex(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String newSid() {
		return sha256Hex(UUID.randomUUID().toString());
	}

	private static String base64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String session(String principal, Instant lastAccessed, int maxInactive, String attributes) {
		return "{\"principal\":" + ((principal != null) ? "\"" + principal + "\"" : "null") + ",\"created_at\":\""
				+ lastAccessed.minusSeconds(10) + "\",\"last_accessed_at\":\"" + lastAccessed
				+ "\",\"max_inactive_seconds\":" + maxInactive + ",\"attributes\":\"" + base64(attributes) + "\"}";
	}

	private static String authorization(List<String> hashes, Instant expiresAt, String data) {
		String list = String.join(",", hashes.stream().map((h) -> "\"" + h + "\"").toList());
		return "{\"registered_client_id\":\"client-1\",\"principal\":\"alice\",\"token_hashes\":[" + list
				+ "],\"expires_at\":\"" + expiresAt + "\",\"data\":\"" + base64(data) + "\"}";
	}

	private static void assertError(HttpResponse<String> response, int status, String code) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode error = Json.read(response.body()).path("error");
		assertThat(error.path("code").asString()).as(response.body()).isEqualTo(code);
		assertThat(error.has("message")).isTrue();
		assertThat(error.has("request_id")).isTrue();
	}

	@Test
	void withoutTheTokenOrWithAnotherEveryPathIsUnauthorized() {
		String sid = newSid();
		for (String path : List.of("/signing-keys", "/sessions/" + sid, "/authorizations/a1",
				"/authorizations?token_hash=" + sid, "/nothing-here")) {
			assertError(Http.get(app.url(BASE + path)), 401, "unauthorized");
			assertError(Http.get(app.url(BASE + path), "Authorization", Http.bearer("other")), 401, "unauthorized");
		}
		HttpResponse<String> put = Http.send("PUT", app.url(BASE + "/sessions/" + sid),
				session("alice", Instant.now(), 60, "x"), "Authorization", Http.bearer("other"), "Content-Type",
				"application/json");
		assertError(put, 401, "unauthorized");
		assertThat(put.body()).doesNotContain(SharedWardenExtension.CONSOLE_STATE_TOKEN);
		assertError(Http.get(app.url(BASE + "/sessions/" + sid), "Authorization", "Bearer"), 401, "unauthorized");
	}

	@Test
	void badIdsAreRefused() {
		String body = session("alice", Instant.now(), 60, "x");
		for (String sid : List.of("abc", newSid().toUpperCase(), newSid() + "0", newSid().substring(1) + "g")) {
			assertError(call("PUT", "/sessions/" + sid, body), 400, "invalid_parameter");
			assertError(call("GET", "/sessions/" + sid, null), 400, "invalid_parameter");
			assertError(call("DELETE", "/sessions/" + sid, null), 400, "invalid_parameter");
		}
		String auth = authorization(List.of(), Instant.now().plusSeconds(60), "d");
		for (String id : List.of("a".repeat(101), "a%20b", "a+b", "%C3%A9")) {
			assertError(call("PUT", "/authorizations/" + id, auth), 400, "invalid_parameter");
			assertError(call("GET", "/authorizations/" + id, null), 400, "invalid_parameter");
			assertError(call("DELETE", "/authorizations/" + id, null), 400, "invalid_parameter");
		}
		assertError(call("GET", "/authorizations?token_hash=xyz", null), 400, "invalid_parameter");
		assertError(call("GET", "/authorizations", null), 400, "invalid_parameter");
		assertError(
				call("PUT", "/authorizations/a1", authorization(List.of("ABC"), Instant.now().plusSeconds(60), "d")),
				400, "validation_failed");
		List<String> seventeen = java.util.stream.IntStream.range(0, 17).mapToObj((i) -> newSid()).toList();
		assertError(call("PUT", "/authorizations/a1", authorization(seventeen, Instant.now().plusSeconds(60), "d")),
				400, "validation_failed");
	}

	@Test
	void malformedBodiesAreRefusedWith400() {
		String sid = newSid();
		for (String body : List.of("{", "not json", "[]", "{\"principal\":\"a\",\"created_at\":\"x\"}",
				"{\"principal\":1,\"created_at\":\"2026-12-07T06:00:00Z\",\"last_accessed_at\":\"2026-12-07T06:00:00Z\","
						+ "\"max_inactive_seconds\":60,\"attributes\":\"eA==\"}",
				"{\"principal\":\"a\",\"created_at\":\"2026-12-07T06:00:00Z\",\"last_accessed_at\":\"2026-12-07T06:00:00Z\","
						+ "\"max_inactive_seconds\":\"many\",\"attributes\":\"eA==\"}",
				"{\"principal\":\"a\",\"created_at\":\"2026-12-07T06:00:00Z\",\"last_accessed_at\":\"2026-12-07T06:00:00Z\","
						+ "\"max_inactive_seconds\":60,\"attributes\":[1]}")) {
			HttpResponse<String> response = call("PUT", "/sessions/" + sid, body);
			assertError(response, 400, "malformed_body");
		}
		// valid JSON, but missing or invalid values
		assertError(call("PUT", "/sessions/" + sid, "{}"), 400, "validation_failed");
		assertError(call("PUT", "/sessions/" + sid,
				"{\"principal\":\"a\",\"created_at\":\"2026-12-07T06:00:00Z\",\"last_accessed_at\":\"2026-12-07T06:00:00Z\","
						+ "\"max_inactive_seconds\":60,\"attributes\":\"not base64!\"}"),
				400, "validation_failed");
		assertError(call("PUT", "/sessions/" + sid, session("a", Instant.now(), 0, "x")), 400, "validation_failed");
		assertError(call("PUT", "/authorizations/a1", "{\"registered_client_id\":\"c\"}"), 400, "validation_failed");
		assertError(call("PUT", "/authorizations/a1", "{\"token_hashes\":\"abc\"}"), 400, "malformed_body");
		assertError(Http.send("PUT", app.url(BASE + "/sessions/" + sid), "", token()), 400, "malformed_body");
	}

	@Test
	void outOfRangeTimesAndNumbersAreRefusedWith400() {
		String sid = newSid();
		for (Instant time : List.of(Instant.MAX, Instant.MIN.plusSeconds(60), Instant.parse("+100000-01-01T00:00:00Z"),
				Instant.parse("0001-01-01T00:00:00Z"))) {
			// the JSON binding's instant range (1970 to 9999), shared with the admin API
			assertError(call("PUT", "/sessions/" + sid, session("a", time, 60, "x")), 400, "malformed_body");
			assertError(call("PUT", "/authorizations/a1", authorization(List.of(), time, "x")), 400, "malformed_body");
		}
		// the longest timeout an int holds ends in 2094: stored
		assertThat(call("PUT", "/sessions/" + sid, session("a", Instant.now(), Integer.MAX_VALUE, "x")).statusCode())
			.isEqualTo(204);
		assertError(
				call("PUT", "/sessions/" + sid, session("a", Instant.now(), 60, "x")
					.replace("\"max_inactive_seconds\":60", "\"max_inactive_seconds\":99999999999999999999")),
				400, "malformed_body");
	}

	@Test
	void tooLargeValuesAndBodiesAreRefusedWith413() {
		String sid = newSid();
		String over = Base64.getEncoder().encodeToString(new byte[256 * 1024 + 1]);
		String body = "{\"principal\":null,\"created_at\":\"2026-12-07T06:00:00Z\",\"last_accessed_at\":\""
				+ Instant.now() + "\",\"max_inactive_seconds\":60,\"attributes\":\"" + over + "\"}";
		assertError(call("PUT", "/sessions/" + sid, body), 413, "payload_too_large");
		String limit = Base64.getEncoder().encodeToString(new byte[256 * 1024]);
		assertThat(call("PUT", "/sessions/" + sid, body.replace(over, limit)).statusCode()).isEqualTo(204);
		assertError(
				call("PUT", "/authorizations/big",
						"{\"registered_client_id\":\"c\",\"principal\":\"alice\"," + "\"expires_at\":\""
								+ Instant.now().plusSeconds(60) + "\",\"data\":\"" + over + "\"}"),
				413, "payload_too_large");
		String huge = "{\"attributes\":\"" + "A".repeat(1024 * 1024) + "\"}";
		assertError(call("PUT", "/sessions/" + sid, huge), 413, "payload_too_large");
		call("DELETE", "/sessions/" + sid, null);
	}

	@Test
	void aSessionIsStoredEncryptedReadBackAndDeleted() {
		String sid = newSid();
		String attributes = "SPRING_SECURITY_CONTEXT=secret-session-attributes-" + UUID.randomUUID();
		Instant accessed = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		HttpResponse<String> put = call("PUT", "/sessions/" + sid, session("alice", accessed, 1800, attributes));
		assertThat(put.statusCode()).as(put.body()).isEqualTo(204);

		HttpResponse<String> got = call("GET", "/sessions/" + sid, null);
		assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
		JsonNode session = Json.read(got.body());
		assertThat(session.path("principal").asString()).isEqualTo("alice");
		assertThat(Instant.parse(session.path("last_accessed_at").asString())).isEqualTo(accessed);
		assertThat(Instant.parse(session.path("created_at").asString())).isEqualTo(accessed.minusSeconds(10));
		assertThat(session.path("max_inactive_seconds").asInt()).isEqualTo(1800);
		assertThat(session.path("attributes").asString()).isEqualTo(base64(attributes));

		byte[] stored = app.jdbc()
			.sql("SELECT attributes FROM console_sessions WHERE sid = :sid")
			.param("sid", sid)
			.query(byte[].class)
			.single();
		assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(attributes)
			.doesNotContain("secret-session-attributes");
		assertThat(app.jdbc()
			.sql("SELECT expires_at = last_accessed_at + interval '1800 seconds' FROM console_sessions WHERE sid = :sid")
			.param("sid", sid)
			.query(Boolean.class)
			.single()).isTrue();

		// replaced as a whole, principal null allowed
		assertThat(call("PUT", "/sessions/" + sid, session(null, accessed.plusSeconds(5), 900, "other")).statusCode())
			.isEqualTo(204);
		JsonNode replaced = Json.read(call("GET", "/sessions/" + sid, null).body());
		assertThat(replaced.path("principal").isNull()).isTrue();
		assertThat(replaced.path("attributes").asString()).isEqualTo(base64("other"));

		assertThat(call("DELETE", "/sessions/" + sid, null).statusCode()).isEqualTo(204);
		assertError(call("GET", "/sessions/" + sid, null), 404, "not_found");
		assertThat(call("DELETE", "/sessions/" + sid, null).statusCode()).isEqualTo(204);
	}

	@Test
	void anExpiredSessionIsNotFoundAndIsPurged() {
		String sid = newSid();
		String live = newSid();
		assertThat(call("PUT", "/sessions/" + sid, session("alice", Instant.now().minusSeconds(120), 60, "old"))
			.statusCode()).isEqualTo(204);
		assertThat(call("PUT", "/sessions/" + live, session("bob", Instant.now(), 600, "new")).statusCode())
			.isEqualTo(204);
		assertError(call("GET", "/sessions/" + sid, null), 404, "not_found");
		assertThat(countSessions(sid)).isEqualTo(1);

		ConsoleStatePurge.Purged purged = app.bean(ConsoleStatePurge.class).purge();
		assertThat(purged.sessions()).isGreaterThanOrEqualTo(1);
		assertThat(countSessions(sid)).isZero();
		assertThat(countSessions(live)).isEqualTo(1);
		call("DELETE", "/sessions/" + live, null);
	}

	private static long countSessions(String sid) {
		return app.jdbc()
			.sql("SELECT count(*) FROM console_sessions WHERE sid = :sid")
			.param("sid", sid)
			.query(Long.class)
			.single();
	}

	@Test
	void anAuthorizationIsFoundByIdAndByEachTokenHashAndReplacedWithItsHashes() {
		String id = "auth-" + UUID.randomUUID();
		String code = sha256Hex("code-" + id);
		String access = sha256Hex("access-" + id);
		String refresh = sha256Hex("refresh-" + id);
		String data = "serialized-authorization-" + UUID.randomUUID();
		Instant expires = Instant.now().plusSeconds(3600);
		HttpResponse<String> put = call("PUT", "/authorizations/" + id,
				authorization(List.of(code, access, refresh), expires, data));
		assertThat(put.statusCode()).as(put.body()).isEqualTo(204);

		HttpResponse<String> byId = call("GET", "/authorizations/" + id, null);
		assertThat(byId.statusCode()).as(byId.body()).isEqualTo(200);
		assertThat(Json.field(byId.body(), "id")).isEqualTo(id);
		assertThat(Json.field(byId.body(), "data")).isEqualTo(base64(data));
		for (String hash : List.of(code, access, refresh)) {
			HttpResponse<String> byHash = call("GET", "/authorizations?token_hash=" + hash, null);
			assertThat(byHash.statusCode()).as(byHash.body()).isEqualTo(200);
			assertThat(Json.field(byHash.body(), "id")).isEqualTo(id);
			assertThat(Json.field(byHash.body(), "data")).isEqualTo(base64(data));
		}
		byte[] stored = app.jdbc()
			.sql("SELECT data FROM console_authorizations WHERE id = :id")
			.param("id", id)
			.query(byte[].class)
			.single();
		assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("serialized-authorization");

		// a refresh: the code and the old refresh token are gone, a new refresh token
		// came
		String newRefresh = sha256Hex("refresh-2-" + id);
		assertThat(
				call("PUT", "/authorizations/" + id, authorization(List.of(access, newRefresh), expires, data + "-2"))
					.statusCode())
			.isEqualTo(204);
		assertError(call("GET", "/authorizations?token_hash=" + code, null), 404, "not_found");
		assertError(call("GET", "/authorizations?token_hash=" + refresh, null), 404, "not_found");
		assertThat(Json.field(call("GET", "/authorizations?token_hash=" + newRefresh, null).body(), "data"))
			.isEqualTo(base64(data + "-2"));
		assertThat(Json.field(call("GET", "/authorizations?token_hash=" + access, null).body(), "id")).isEqualTo(id);

		assertThat(call("DELETE", "/authorizations/" + id, null).statusCode()).isEqualTo(204);
		assertError(call("GET", "/authorizations/" + id, null), 404, "not_found");
		assertError(call("GET", "/authorizations?token_hash=" + access, null), 404, "not_found");
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM console_authorization_tokens WHERE authorization_id = :id")
			.param("id", id)
			.query(Long.class)
			.single()).isZero();
		assertThat(call("DELETE", "/authorizations/" + id, null).statusCode()).isEqualTo(204);
	}

	@Test
	void anExpiredAuthorizationIsNotReturnedAndIsPurged() {
		String id = "expired-" + UUID.randomUUID();
		String live = "live-" + UUID.randomUUID();
		String hash = sha256Hex("token-" + id);
		assertThat(
				call("PUT", "/authorizations/" + id, authorization(List.of(hash), Instant.now().minusSeconds(5), "old"))
					.statusCode())
			.isEqualTo(204);
		assertThat(call("PUT", "/authorizations/" + live,
				authorization(List.of(sha256Hex("token-" + live)), Instant.now().plusSeconds(600), "new"))
			.statusCode()).isEqualTo(204);
		assertError(call("GET", "/authorizations/" + id, null), 404, "not_found");
		assertError(call("GET", "/authorizations?token_hash=" + hash, null), 404, "not_found");

		ConsoleStatePurge.Purged purged = app.bean(ConsoleStatePurge.class).purge();
		assertThat(purged.authorizations()).isGreaterThanOrEqualTo(1);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM console_authorizations WHERE id = :id")
			.param("id", id)
			.query(Long.class)
			.single()).isZero();
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM console_authorization_tokens WHERE token_hash = :hash")
			.param("hash", hash)
			.query(Long.class)
			.single()).isZero();
		assertThat(call("GET", "/authorizations/" + live, null).statusCode()).isEqualTo(200);
		call("DELETE", "/authorizations/" + live, null);
	}

}
