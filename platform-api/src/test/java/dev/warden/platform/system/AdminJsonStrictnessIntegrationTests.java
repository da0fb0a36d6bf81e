package dev.warden.platform.system;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API reads its input as strictly as the data plane (findings 6 and 7 of the
 * penetration test): each input the report names is refused with 400 and the documented
 * JSON error naming the field, and nothing of it is stored. The fuzz pass over every
 * endpoint is {@link AdminApiFuzzIntegrationTests}.
 */
@ExtendWith(SharedWardenExtension.class)
class AdminJsonStrictnessIntegrationTests {

	static WardenTestApp app;

	static String admin;

	static String tenantId;

	@BeforeAll
	static void use(WardenFixture shared) {
		app = shared.app();
		admin = Http.bearer(shared.issuer().token("alice", "ADMIN"));
		tenantId = shared.tenant("strict");
	}

	private static HttpResponse<String> post(String path, String body) {
		return Http.postJson(app.url(path), body, "Authorization", admin);
	}

	private static void assertRefused(HttpResponse<String> response, int status, String code, String message) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		JsonNode error = Json.read(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo(code);
		assertThat(error.path("message").asString()).contains(message);
		assertThat(error.path("request_id").asString()).isNotBlank();
	}

	private long tenantsNamed(String pattern) {
		return app.jdbc()
			.sql("SELECT count(*) FROM tenants WHERE name LIKE :pattern")
			.param("pattern", pattern)
			.query(Long.class)
			.single();
	}

	// ---- finding 7: duplicate keys, lone surrogates, body size ----

	@Test
	void duplicateKeysAreRefusedNotLastOneWins() {
		HttpResponse<String> response = post("/api/admin/tenants", "{\"name\":\"dup-first\",\"name\":\"dup-second\"}");

		assertRefused(response, 400, "malformed_body", "Duplicate Object property \"name\"");
		assertThat(tenantsNamed("dup-%")).isZero();
	}

	@Test
	void loneSurrogateIsRefusedNotStoredAsQuestionMark() {
		HttpResponse<String> high = post("/api/admin/tenants", "{\"name\":\"lone-\\ud800\"}");
		HttpResponse<String> low = post("/api/admin/tenants", "{\"name\":\"lone-\\udc00-low\"}");
		HttpResponse<String> paired = post("/api/admin/tenants", "{\"name\":\"paired-\\ud83d\\ude00\"}");

		assertRefused(high, 400, "malformed_body", "field 'name': must not contain an unpaired UTF-16 surrogate");
		assertRefused(low, 400, "malformed_body", "U+DC00");
		assertThat(tenantsNamed("lone-%")).isZero();
		assertThat(paired.statusCode()).as("a surrogate pair is a character like any other").isEqualTo(201);
		assertThat(app.jdbc().sql("SELECT name FROM tenants WHERE name LIKE 'paired-%'").query(String.class).single())
			.isEqualTo("paired-\uD83D\uDE00");
	}

	@Test
	void tenMegabyteBodyIsRefusedWith413BeforeItIsRead() {
		String huge = "{\"name\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}";

		HttpResponse<String> response = post("/api/admin/tenants", huge);

		assertRefused(response, 413, "payload_too_large", "at most 65536 bytes");
		assertThat(tenantsNamed("xxx%")).isZero();
	}

	@Test
	void chunkedBodyOverTheLimitIsRefusedWith413() throws Exception {
		byte[] body = ("{\"name\":\"" + "y".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
		// an input stream of unknown length: sent chunked, without Content-Length
		HttpRequest request = HttpRequest.newBuilder(URI.create(app.url("/api/admin/tenants")))
			.header("Authorization", admin)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
			.build();

		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

		assertRefused(response, 413, "payload_too_large", "at most 65536 bytes");
	}

	@Test
	void bodyWithinTheLimitIsParsedAndValidated() {
		HttpResponse<String> response = post("/api/admin/tenants", "{\"name\":\"" + "z".repeat(60 * 1024) + "\"}");

		assertRefused(response, 400, "validation_failed", "name");
	}

	@Test
	void trailingContentAfterTheBodyIsRefused() {
		assertRefused(post("/api/admin/tenants", "{\"name\":\"trailing\"} {\"name\":\"more\"}"), 400, "malformed_body",
				"not valid JSON");
		assertThat(tenantsNamed("trailing")).isZero();
	}

	// ---- finding 6: inputs that answered 500 ----

	@Test
	void nulInATenantOrKeyNameIsRefusedNamingTheField() {
		assertRefused(post("/api/admin/tenants", "{\"name\":\"nul\\u0000name\"}"), 400, "malformed_body",
				"field 'name': must not contain control characters (found U+0000)");
		assertRefused(Http.send("PATCH", app.url("/api/admin/tenants/" + tenantId), "{\"name\":\"a\\u0000\"}",
				"Content-Type", "application/json", "Authorization", admin), 400, "malformed_body", "field 'name'");
		assertRefused(post("/api/admin/tenants/" + tenantId + "/keys", "{\"name\":\"k\\u0000\"}"), 400,
				"malformed_body", "field 'name'");
		assertRefused(post("/api/admin/tenants", "{\"name\":\"line\\nbreak\"}"), 400, "malformed_body", "U+000A");
	}

	@Test
	void nullInsideModelsOrOperationsIsRefusedNamingTheElement() {
		assertRefused(post("/api/admin/tenants/" + tenantId + "/keys", "{\"name\":\"k\",\"models\":[\"income\",null]}"),
				400, "malformed_body", "field 'models[1]': must not be null");
		assertRefused(post("/api/admin/tenants/" + tenantId + "/keys", "{\"name\":\"k\",\"operations\":[null]}"), 400,
				"malformed_body", "field 'operations[0]': must not be null");
	}

	@Test
	void expiryOutsideTheTimestampRangeIsRefused() {
		assertRefused(
				post("/api/admin/tenants/" + tenantId + "/keys",
						"{\"name\":\"k\",\"expires_at\":\"+999999999-12-31T23:59:59Z\"}"),
				400, "malformed_body",
				"field 'expires_at': must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z");
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM api_keys WHERE tenant_id = CAST(:t AS uuid)")
			.param("t", tenantId)
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void exportRangeOutsideTheTimestampRangeIsRefused() {
		assertRefused(Http.get(app.url("/api/admin/exports/audit?from=2026-01-01&to=%2B999999999-12-31T23:59:59Z"),
				"Authorization", admin), 400, "invalid_date", "to: must lie between");
		assertRefused(Http.get(app.url("/api/admin/exports/audit?from=-999999999-01-01T00:00:00Z&to=2026-01-01"),
				"Authorization", admin), 400, "invalid_date", "from: must lie between");
	}

	@Test
	void nulInABreakGlassJustificationOrLoginUserAgentIsRefused() {
		long logins = logins();
		String justification = "{\"justification\":\"incident 42\\u0000 asked by the customer\"}";
		assertRefused(post("/api/admin/request-log/00000000-0000-0000-0000-000000000001/payload", justification), 400,
				"malformed_body", "field 'justification'");
		assertRefused(post("/api/admin/audit/events/login", "{\"user_agent\":\"curl\\u0000\"}"), 400, "malformed_body",
				"field 'user_agent'");
		assertThat(logins()).isEqualTo(logins);
	}

	private static long logins() {
		return app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'user.login'")
			.query(Long.class)
			.single();
	}

	@Test
	void aJustificationMaySpanLines() {
		HttpResponse<String> response = post("/api/admin/request-log/00000000-0000-0000-0000-000000000001/payload",
				"{\"justification\":\"incident 42:\\r\\n\\tthe customer asked for a copy\"}");

		// past the input rules: the record does not exist
		assertRefused(response, 404, "not_found", "");
	}

	@Test
	void nulInAQueryParameterIsRefusedNamingTheParameter() {
		assertRefused(Http.get(app.url("/api/admin/audit-events?target_type=tenant%00"), "Authorization", admin), 400,
				"invalid_parameter", "query parameter 'target_type': must not contain control characters");
		assertRefused(Http.get(app.url("/api/admin/audit-events?limit=10"), "Authorization", admin), 400,
				"invalid_parameter", "unknown query parameter 'limit'");
	}

	@Test
	void errorPathIsNotAnEndpoint() {
		assertRefused(Http.get(app.url("/error")), 404, "not_found", "no endpoint /error");
		assertRefused(Http.get(app.url("/error"), "Authorization", admin), 404, "not_found", "no endpoint /error");
	}

}
