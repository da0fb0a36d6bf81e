package dev.warden.platform.system;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API against an external provider shaped like Keycloak, given only its issuer
 * (the stand-in serves its keys where only its discovery document says): roles from
 * {@code realm_access.roles} with the provider's own roles ignored, the user name from
 * {@code preferred_username} in the audit trail next to the subject and issuer, a numeric
 * {@code auth_time} kept, and 503 with Warden's JSON error (never 500) while the provider
 * answers nonsense.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExternalProviderIntegrationTests {

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	static TestIssuer issuer;

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, Map.of("warden.security.roles-claim", "realm_access.roles",
				"warden.security.discovery-retry-interval", "0s"));
		issuer = warden.issuer();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	/** An access token as Keycloak issues it, with realm roles and a UUID subject. */
	static String keycloakToken(String subject, String userName, String... realmRoles) {
		return issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject(subject)
					.audience(List.of(TestIssuer.AUDIENCE, "account"))
					.claim("typ", "Bearer")
					.claim("azp", "warden-console")
					.claim("preferred_username", userName)
					.claim("auth_time", Instant.now().getEpochSecond() - 30)
					.claim("scope", "openid profile")
					.claim("realm_access", Map.of("roles", List.of(realmRoles))));
	}

	private static String[] bearer(String token) {
		return new String[] { "Authorization", Http.bearer(token), "Content-Type", "application/json" };
	}

	@Test
	@Order(1)
	void providerAnsweringNonsenseIs503WithTheJsonErrorUntilItAnswersProperly() {
		String token = keycloakToken(UUID.randomUUID().toString(), "alice", "ADMIN");
		String url = warden.app().url("/api/admin/tenants");

		for (String[] answer : List.of(new String[] { "404", "{\"error\":\"realm not found\"}" },
				new String[] { "200", "<html>not a document</html>" }, new String[] { "200",
						"{\"issuer\":\"" + issuer.issuer() + "\",\"jwks_uri\":\"" + issuer.issuer() + "/gone\"}" })) {
			issuer.answerDiscovery(Integer.parseInt(answer[0]), answer[1]);
			HttpResponse<String> refused = Http.get(url, bearer(token));
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
			assertThat(Json.read(refused.body()).at("/error/code").asString())
				.isEqualTo("identity_provider_unavailable");
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
		}
		String[] keysNowhere = { "500", "{\"issuer\":\"" + issuer.issuer() + "\"}" };
		issuer.answerDiscovery(Integer.parseInt(keysNowhere[0]), keysNowhere[1]);
		assertThat(Http.get(url, bearer(token)).statusCode()).isEqualTo(503);

		issuer.answerDiscovery(200, null);
		HttpResponse<String> listed = Http.get(url, bearer(token));
		assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
	}

	@Test
	@Order(2)
	void malformedTokensAre401EvenWhileTheProviderIsUnusable() {
		issuer.answerDiscovery(404, "");
		try {
			String url = warden.app().url("/api/admin/tenants");
			HttpResponse<String> malformed = Http.get(url, "Authorization", "Bearer not-a-jwt");
			assertThat(malformed.statusCode()).isEqualTo(401);
			assertThat(Json.read(malformed.body()).at("/error/code").asString()).isEqualTo("unauthenticated");
			assertThat(Http.get(url).statusCode()).isEqualTo(401);
		}
		finally {
			issuer.answerDiscovery(200, null);
		}
	}

	@Test
	@Order(3)
	void realmRolesDecideAndOnlyWardenRolesAreRecordedWithTheUserNameAndIssuer() {
		String subject = UUID.randomUUID().toString();
		String admin = keycloakToken(subject, "alice", "offline_access", "ADMIN", "uma_authorization",
				"default-roles-warden");
		String url = warden.app().url("/api/admin/tenants");

		HttpResponse<String> created = Http.send("POST", url, "{\"name\":\"kc-tenant\"}", bearer(admin));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		HttpResponse<String> compliance = Http.send("POST", url, "{\"name\":\"kc-refused\"}",
				bearer(keycloakToken(UUID.randomUUID().toString(), "carol", "COMPLIANCE", "offline_access")));
		assertThat(compliance.statusCode()).isEqualTo(403);
		assertThat(Http
			.get(url,
					bearer(keycloakToken(UUID.randomUUID().toString(), "dave", "offline_access", "uma_authorization",
							"admin")))
			.statusCode()).as("provider roles and a lower-case 'admin' are no Warden roles").isEqualTo(403);
		assertThat(Http.get(url, bearer(issuer.tokenFrom("http://127.0.0.1:1/realms/other", subject, "ADMIN")))
			.statusCode()).isEqualTo(401);

		Map<String, Object> row = warden.app()
			.jdbc()
			.sql("SELECT actor, actor_name, actor_issuer, array_to_string(actor_roles, ',') AS roles FROM audit_events "
					+ "WHERE action = 'tenant.created' AND target_id = :id")
			.param("id", Json.field(created.body(), "id"))
			.query()
			.singleRow();
		assertThat(row).containsEntry("actor", subject)
			.containsEntry("actor_name", "alice")
			.containsEntry("actor_issuer", issuer.issuer())
			.containsEntry("roles", "ADMIN");

		JsonNode events = Json.read(Http.get(
				warden.app()
					.url("/api/admin/audit-events?target_type=tenant&target_id=" + Json.field(created.body(), "id")),
				bearer(admin))
			.body());
		JsonNode event = events.at("/content/0");
		assertThat(event.at("/actor").asString()).isEqualTo(subject);
		assertThat(event.at("/actor_name").asString()).isEqualTo("alice");
		assertThat(event.at("/actor_issuer").asString()).isEqualTo(issuer.issuer());

		JsonNode verified = Json.read(Http.get(warden.app().url("/api/admin/audit/verify"), bearer(admin)).body());
		assertThat(verified.at("/valid").asBoolean()).as(verified.toString()).isTrue();
	}

	@Test
	@Order(4)
	void loginKeepsANumericAuthTime() {
		String subject = UUID.randomUUID().toString();
		long authTime = Instant.now().getEpochSecond() - 30;
		String token = issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject(subject)
					.audience(TestIssuer.AUDIENCE)
					.claim("typ", "Bearer")
					.claim("preferred_username", "erin")
					.claim("auth_time", authTime)
					.claim("realm_access", Map.of("roles", List.of("COMPLIANCE"))));

		HttpResponse<String> login = Http.postJson(warden.app().url("/api/admin/audit/events/login"),
				"{\"client_address\":\"203.0.113.9\"}", "Authorization", Http.bearer(token));

		assertThat(login.statusCode()).as(login.body()).isEqualTo(201);
		JsonNode event = Json.read(login.body());
		assertThat(event.at("/details/auth_time").asString()).isEqualTo(Instant.ofEpochSecond(authTime).toString());
		assertThat(event.at("/actor_name").asString()).isEqualTo("erin");
		assertThat(event.at("/roles/0").asString()).isEqualTo("COMPLIANCE");
	}

}
