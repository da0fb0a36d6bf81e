package dev.warden.platform.tenant;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API with real JWTs validated through the resource-server path (JWKS over
 * HTTP).
 */
@ExtendWith(SharedWardenExtension.class)
class AdminApiIntegrationTests {

	static TestIssuer issuer;

	static WardenTestApp app;

	@BeforeAll
	static void use(WardenFixture shared) {
		issuer = shared.issuer();
		app = shared.app();
	}

	@Test
	void requestWithoutTokenGets401WithChallengeAndJson() {
		HttpResponse<String> response = Http.get(app.url("/api/admin/tenants"));
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((v) -> assertThat(v).startsWith("Bearer"));
		assertThat(response.body()).contains("\"code\":\"unauthenticated\"").contains("request_id");
	}

	@Test
	void tokenFromAnotherIssuerIsRejected() {
		HttpResponse<String> response = Http.get(app.url("/api/admin/tenants"), "Authorization",
				Http.bearer(issuer.tokenFrom("http://evil.example", "mallory", "ADMIN")));
		assertThat(response.statusCode()).isEqualTo(401);
	}

	@Test
	void idTokenIsNotAnAdminCredential() {
		// finding 3 of the penetration test: the ID token issued to warden-cli created a
		// tenant
		HttpResponse<String> created = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"by-id-token\"}",
				"Authorization", Http.bearer(issuer.idToken("alice", "ADMIN")));

		assertThat(created.statusCode()).isEqualTo(401);
		assertThat(created.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((challenge) -> assertThat(challenge).contains("invalid_token"));
		assertThat(created.body()).contains("\"code\":\"unauthenticated\"");
		assertThat(app.jdbc().sql("SELECT count(*) FROM tenants WHERE name = 'by-id-token'").query(Long.class).single())
			.isZero();
	}

	@Test
	void accessTokenForAnotherAudienceIsRejected() {
		String forAnotherApi = issuer.mint(TestIssuer.ACCESS_TOKEN_TYPE,
				(claims) -> claims.subject("alice").audience("billing-api").claim("roles", java.util.List.of("ADMIN")));

		assertThat(Http.get(app.url("/api/admin/tenants"), "Authorization", Http.bearer(forAnotherApi)).statusCode())
			.isEqualTo(401);
	}

	@Test
	void complianceMayReadButNotWrite() {
		String token = issuer.token("carol", "COMPLIANCE");
		assertThat(Http.get(app.url("/api/admin/tenants"), "Authorization", Http.bearer(token)).statusCode())
			.isEqualTo(200);
		HttpResponse<String> write = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"acme-c\"}",
				"Authorization", Http.bearer(token));
		assertThat(write.statusCode()).isEqualTo(403);
		assertThat(write.body()).contains("\"code\":\"forbidden\"");
	}

	@Test
	void adminCreatesTenantAndTheWriteIsAudited() {
		HttpResponse<String> created = Http.postJson(app.url("/api/admin/tenants"),
				"{\"name\":\"acme\",\"plan\":\"standard\"}", "Authorization",
				Http.bearer(issuer.token("alice", "ADMIN")));
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.body()).contains("\"name\":\"acme\"", "\"plan\":\"standard\"", "\"status\":\"active\"",
				"\"created_at\":\"");
		String id = app.jdbc().sql("SELECT id::text FROM tenants WHERE name = 'acme'").query(String.class).single();
		Map<String, Object> audit = app.jdbc()
			.sql("SELECT actor, action, target_type FROM audit_events WHERE target_id = :id")
			.param("id", id)
			.query()
			.singleRow();
		assertThat(audit).containsEntry("actor", "alice")
			.containsEntry("action", "tenant.created")
			.containsEntry("target_type", "tenant");
		HttpResponse<String> events = Http.get(app.url("/api/admin/audit-events"), "Authorization",
				Http.bearer(issuer.token("carol", "COMPLIANCE")));
		assertThat(events.body()).contains("tenant.created");
	}

	@Test
	void badInputIsAnsweredWithJsonErrorsNever500() {
		String admin = Http.bearer(issuer.token("alice", "ADMIN"));
		HttpResponse<String> blank = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"\"}", "Authorization",
				admin);
		assertThat(blank.statusCode()).isEqualTo(400);
		assertThat(blank.body()).contains("name");
		HttpResponse<String> plan = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"x1\",\"plan\":\"gold\"}",
				"Authorization", admin);
		assertThat(plan.statusCode()).isEqualTo(400);
		assertThat(plan.body()).contains("plan");
		assertThat(Http.postJson(app.url("/api/admin/tenants"), "{not json", "Authorization", admin).statusCode())
			.isEqualTo(400);
		assertThat(Http
			.send("POST", app.url("/api/admin/tenants"), "name=x", "Content-Type", "text/plain", "Authorization", admin)
			.statusCode()).isEqualTo(415);
		assertThat(Http.get(app.url("/api/admin/tenants/not-a-uuid"), "Authorization", admin).statusCode())
			.isEqualTo(400);
		HttpResponse<String> missing = Http.get(app.url("/api/admin/tenants/00000000-0000-0000-0000-000000000000"),
				"Authorization", admin);
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(missing.body()).contains("\"code\":\"not_found\"");
		assertThat(Http.get(app.url("/api/admin/audit-events?size=0"), "Authorization", admin).statusCode())
			.isEqualTo(400);
		assertThat(Http.get(app.url("/api/admin/audit-events?size=abc"), "Authorization", admin).statusCode())
			.isEqualTo(400);
		assertThat(Http.get(app.url("/api/admin/audit-events?limit=10"), "Authorization", admin).body())
			.contains("unknown query parameter 'limit'");
		Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"twice\"}", "Authorization", admin);
		assertThat(Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"twice\"}", "Authorization", admin)
			.statusCode()).isEqualTo(409);
	}

	@Test
	void wronglyTypedFieldsAreRefusedNamingTheFieldInsteadOfBeingCoerced() {
		String admin = Http.bearer(issuer.token("alice", "ADMIN"));

		HttpResponse<String> number = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":123}", "Authorization",
				admin);
		HttpResponse<String> bool = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"ok\",\"plan\":true}",
				"Authorization", admin);

		assertThat(number.statusCode()).isEqualTo(400);
		assertThat(number.body()).contains("field 'name': expected a string");
		assertThat(bool.statusCode()).isEqualTo(400);
		assertThat(bool.body()).contains("field 'plan': expected a string");
		assertThat(app.jdbc().sql("SELECT count(*) FROM tenants WHERE name = '123'").query(Long.class).single())
			.isZero();
	}

	@Test
	void openApiDocumentDescribesTheAdminApiAndIsPublic() {
		HttpResponse<String> docs = Http.get(app.url("/v3/api-docs"));
		assertThat(docs.statusCode()).isEqualTo(200);
		assertThat(docs.body()).contains("/api/admin/tenants");
		JsonNode listTenants = Json.read(docs.body())
			.path("paths")
			.path("/api/admin/tenants")
			.path("get")
			.path("parameters");
		assertThat(listTenants.values())
			.extracting((parameter) -> parameter.path("in").asString() + ":" + parameter.path("name").asString())
			.containsExactlyInAnyOrder("query:page", "query:size");
		assertThat(Http.get(app.url("/actuator/health")).statusCode()).isEqualTo(200);
	}

	@Test
	void adminCreatesAKeyWhoseRawValueIsShownOnceAndComplianceListsItWithoutSecret() {
		String admin = Http.bearer(issuer.token("alice", "ADMIN"));
		HttpResponse<String> tenant = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"keyed\"}",
				"Authorization", admin);
		String id = app.jdbc().sql("SELECT id::text FROM tenants WHERE name = 'keyed'").query(String.class).single();
		assertThat(tenant.statusCode()).isEqualTo(201);

		HttpResponse<String> key = Http.postJson(app.url("/api/admin/tenants/" + id + "/keys"), "{\"name\":\"ci\"}",
				"Authorization", admin);
		assertThat(key.statusCode()).isEqualTo(201);
		assertThat(key.body()).containsPattern("\"key\":\"wdn_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}\"")
			.contains("\"prefix\":\"wdn_", "\"created_at\":\"");

		HttpResponse<String> list = Http.get(app.url("/api/admin/tenants/" + id + "/keys"), "Authorization",
				Http.bearer(issuer.token("carol", "COMPLIANCE")));
		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(list.body()).contains("\"status\":\"active\"", "\"last_used_at\"").doesNotContain("\"key\"");
		assertThat(
				Http.postJson(app.url("/api/admin/tenants/" + id + "/keys"), "{\"name\":\" \"}", "Authorization", admin)
					.statusCode())
			.isEqualTo(400);
		assertThat(Http
			.postJson(app.url("/api/admin/tenants/00000000-0000-0000-0000-000000000000/keys"), "{\"name\":\"x\"}",
					"Authorization", admin)
			.statusCode()).isEqualTo(404);
		assertThat(Http.get(app.url("/api/admin/request-log"), "Authorization", admin).statusCode()).isEqualTo(200);
		assertThat(Http.get(app.url("/api/admin/models"), "Authorization", admin).body())
			.isEqualTo("{\"content\":[],\"page\":0,\"size\":50,\"next_page\":null}");
	}

}
