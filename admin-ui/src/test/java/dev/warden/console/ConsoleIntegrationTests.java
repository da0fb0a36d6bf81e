package dev.warden.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.warden.console.identity.AuthorizationCodeFlowClient;
import dev.warden.console.identity.AuthorizationCodeFlowClient.SignInFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Starts the console on a fixed free port (so that the issuer, which is the console's own
 * origin, is known before start-up, as in production) with the embedded authorization
 * server, and drives it over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class ConsoleIntegrationTests {

	private static final int PORT = TestConsole.freePort();

	private static final URI ISSUER = URI.create("http://localhost:" + PORT);

	private static final StubPlatformApi PLATFORM_API = new StubPlatformApi();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void console(DynamicPropertyRegistry registry) {
		registry.add("server.port", () -> PORT);
		registry.add("WARDEN_CONSOLE_ISSUER", ISSUER::toString);
		registry.add("WARDEN_GATEWAY_URL", PLATFORM_API::url);
	}

	@AfterEach
	void platformApiAnswersAgain() {
		PLATFORM_API.failing(false);
	}

	@AfterAll
	static void stopPlatformApi() {
		PLATFORM_API.close();
	}

	@Test
	void discoveryDocumentDescribesTheEmbeddedIssuer() throws Exception {
		var client = new AuthorizationCodeFlowClient(ISSUER);
		HttpResponse<String> discovery = client.get(ISSUER.resolve("/.well-known/openid-configuration"));

		assertThat(discovery.statusCode()).isEqualTo(200);
		JsonNode document = JSON.readTree(discovery.body());
		assertThat(document.path("issuer").asString()).isEqualTo(ISSUER.toString());
		assertThat(document.path("authorization_endpoint").asString()).isEqualTo(ISSUER + "/oauth2/authorize");
		assertThat(document.path("token_endpoint").asString()).isEqualTo(ISSUER + "/oauth2/token");
		assertThat(document.path("jwks_uri").asString()).isEqualTo(ISSUER + "/oauth2/jwks");

		HttpResponse<String> jwks = client.get(URI.create(document.path("jwks_uri").asString()));
		assertThat(jwks.statusCode()).isEqualTo(200);
		JsonNode key = JSON.readTree(jwks.body()).path("keys").path(0);
		assertThat(key.path("kty").asString()).isEqualTo("RSA");
		assertThat(key.path("kid").asString()).isNotBlank();
	}

	@Test
	void adminObtainsAnAccessTokenWithTheAdminRole() throws Exception {
		var tokens = new AuthorizationCodeFlowClient(ISSUER).obtainTokens("admin", "admin-local");

		JsonNode claims = JSON.readTree(tokens.accessTokenClaims());
		assertThat(claims.path("sub").asString()).isEqualTo("admin");
		assertThat(claims.path("iss").asString()).isEqualTo(ISSUER.toString());
		assertThat(claims.path("roles").isArray()).isTrue();
		assertThat(claims.path("roles").values()).extracting(JsonNode::asString).containsExactly("ADMIN");
		JsonNode idClaims = JSON.readTree(AuthorizationCodeFlowClient.jwtPayload(tokens.idToken()));
		assertThat(idClaims.path("roles").values()).extracting(JsonNode::asString).containsExactly("ADMIN");
	}

	@Test
	void accessTokensAreForTheAdminApiAndIdTokensAreNot() throws Exception {
		// finding 3 of the penetration test: platform-api now accepts only access tokens
		// for its audience
		var tokens = new AuthorizationCodeFlowClient(ISSUER).obtainTokens("admin", "admin-local");

		JsonNode access = JSON.readTree(tokens.accessTokenClaims());
		JsonNode accessHeader = JSON.readTree(AuthorizationCodeFlowClient.jwtHeader(tokens.accessToken()));
		JsonNode id = JSON.readTree(AuthorizationCodeFlowClient.jwtPayload(tokens.idToken()));

		assertThat(access.path("aud").values()).extracting(JsonNode::asString)
			.containsExactlyInAnyOrder("warden-cli", "warden-admin-api");
		assertThat(accessHeader.path("typ").asString()).isEqualTo("at+jwt");
		assertThat(audiences(id)).containsExactly("warden-cli");
	}

	@Test
	void complianceOfficerObtainsAnAccessTokenWithTheComplianceRole() throws Exception {
		var tokens = new AuthorizationCodeFlowClient(ISSUER).obtainTokens("compliance", "compliance-local");

		JsonNode claims = JSON.readTree(tokens.accessTokenClaims());
		assertThat(claims.path("sub").asString()).isEqualTo("compliance");
		assertThat(claims.path("roles").values()).extracting(JsonNode::asString).containsExactly("COMPLIANCE");
	}

	@Test
	void reviewerIsASecondAdministratorForFourEyesApproval() throws Exception {
		var tokens = new AuthorizationCodeFlowClient(ISSUER).obtainTokens("reviewer", "reviewer-local");

		JsonNode claims = JSON.readTree(tokens.accessTokenClaims());
		assertThat(claims.path("sub").asString()).isEqualTo("reviewer");
		assertThat(claims.path("roles").values()).extracting(JsonNode::asString).containsExactly("ADMIN");
	}

	private static List<String> audiences(JsonNode claims) {
		JsonNode aud = claims.path("aud");
		return aud.isArray() ? aud.values().stream().map(JsonNode::asString).toList() : List.of(aud.asString());
	}

	@Test
	void wrongPasswordIsRejected() {
		var client = new AuthorizationCodeFlowClient(ISSUER);

		assertThatExceptionOfType(SignInFailedException.class)
			.isThrownBy(() -> client.obtainTokens("admin", "not-the-password"))
			.withMessageContaining("sign-in rejected");
	}

	@Test
	void authorizeWithoutPkceIsRefused() throws Exception {
		var client = new AuthorizationCodeFlowClient(ISSUER);
		client.signIn("admin", "admin-local");

		HttpResponse<String> response = client.get(ISSUER.resolve("/oauth2/authorize?response_type=code&client_id="
				+ "warden-cli&scope=openid&redirect_uri=http://127.0.0.1:8765/callback&state=s"));

		String location = response.headers().firstValue("Location").orElse("");
		assertThat(location).doesNotContain("code=");
	}

	@Test
	void dashboardRequiresSignIn() throws Exception {
		var client = new AuthorizationCodeFlowClient(ISSUER);

		HttpResponse<String> dashboard = client.get(ISSUER.resolve("/"));
		assertThat(dashboard.statusCode()).isEqualTo(302);
		assertThat(dashboard.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/oauth2/authorization/warden"));

		HttpResponse<String> authorize = client.get(ISSUER.resolve("/oauth2/authorization/warden"));
		String location = authorize.headers().firstValue("Location").orElseThrow();
		assertThat(location).startsWith(ISSUER + "/oauth2/authorize")
			.contains("client_id=warden-console")
			.contains("code_challenge_method=S256");

		HttpResponse<String> signInPage = client.followRedirects(authorize);
		assertThat(signInPage.uri().getPath()).isEqualTo("/login");
		assertThat(signInPage.body()).contains("<label for=\"username\">");
	}

	@Test
	void signedInAdminSeesTenantsKeysAndModelsFromPlatformApi() throws Exception {
		var browser = new AuthorizationCodeFlowClient(ISSUER);
		HttpResponse<String> page = signInToConsole(browser, "admin", "admin-local");

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.uri().getPath()).isEqualTo("/");
		assertThat(page.body()).contains("Signed in as <strong>admin</strong>", ">ADMIN<", "Sign out")
			.contains("acme", "standard", "2025-01-02T03:04:05Z")
			.contains("<h3><a href=\"/tenants/t-1\">acme</a></h3>")
			.contains("wdn_abcdefghijkl", "ci-pipeline", "never")
			.contains("income", "AVAILABLE", "serving_default", "age", "DT_FLOAT", "[-1]", "probabilities", "[-1, 2]")
			.doesNotContain("could not be loaded");

		assertThat(PLATFORM_API.posts())
			.anySatisfy((post) -> assertThat(post).startsWith("/api/admin/audit/events/login ")
				.contains("\"client_address\":\"", "\"user_agent\":\"Java-http-client"));

		String bearer = PLATFORM_API.authorizations().get(PLATFORM_API.authorizations().size() - 1);
		assertThat(bearer).startsWith("Bearer ");
		JsonNode claims = JSON.readTree(AuthorizationCodeFlowClient.jwtPayload(bearer.substring("Bearer ".length())));
		assertThat(claims.path("sub").asString()).isEqualTo("admin");
		assertThat(claims.path("roles").values()).extracting(JsonNode::asString).containsExactly("ADMIN");
		assertThat(claims.path("aud").values()).extracting(JsonNode::asString).contains("warden-admin-api");

		// lists are pages: the console shows the first and says when there is more
		assertThat(page.body()).contains("Showing the first 1 tenants; there are more.")
			.doesNotContain("the tenant has more", "models; there are more");
		assertThat(PLATFORM_API.requests()).contains("GET /api/admin/tenants", "GET /api/admin/models",
				"GET /api/admin/tenants/t-1/keys");
	}

	@Test
	void auditPageShowsRecentEventsAndTheVerificationResult() throws Exception {
		var browser = new AuthorizationCodeFlowClient(ISSUER);
		HttpResponse<String> dashboard = signInToConsole(browser, "compliance", "compliance-local");
		assertThat(dashboard.body()).contains("href=\"/audit\"");

		HttpResponse<String> page = browser.get(ISSUER.resolve("/audit"));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("Intact.", "2 events (head 2) and 1 signed digests verified")
			.contains("api_key.created", "10.1.2.3", "req-42", "ci-pipeline", "2025-01-02T03:04:06.000001Z")
			.doesNotContain("could not be");
		// an external provider's user: the user name, then the subject and the issuer
		assertThat(page.body()).contains("<strong>kc-alice</strong>",
				"<span class=\"muted\">8f1c2a44-0d1e-4a55-9c1e-6f3b2d9a7e10</span>",
				"<small class=\"muted\">http://localhost:8180/realms/warden</small>");
	}

	@Test
	void auditPageFiltersPagesAndShowsDetailsAsReadableLines() throws Exception {
		var browser = new AuthorizationCodeFlowClient(ISSUER);
		signInToConsole(browser, "compliance", "compliance-local");

		HttpResponse<String> page = browser
			.get(ISSUER.resolve("/audit?action=tenant.*&actor=kc-alice&targetType=tenant&target=t-1"
					+ "&from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z&size=20"));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(PLATFORM_API.requests()).contains("GET /api/admin/audit-events?action=tenant.%2A&actor=kc-alice"
				+ "&target_type=tenant&target_id=t-1&from=2025-01-01T00%3A00%3A00Z&to=2025-02-01T00%3A00%3A00Z"
				+ "&page=0&size=20");
		// a change reads "plan: free → enterprise", unchanged fields and nested values by
		// their path
		assertThat(page.body()).containsSubsequence("<dt>plan</dt>", "<span class=\"was\">free</span>", "changed to",
				"<span class=\"now\">enterprise</span>", "<dt>status</dt>", "<dd>active</dd>",
				"<dt>quota.requests_per_minute</dt>", "<dd>600</dd>", "<dt>quota.models</dt>", "<dd>income, spam</dd>");
		assertThat(page.body()).doesNotContain("{before=", "{plan=");
		assertThat(page.body()).contains("value=\"tenant.*\"", "value=\"kc-alice\"",
				"href=\"/audit?action=tenant.*&amp;actor=kc-alice&amp;targetType=tenant&amp;target=t-1"
						+ "&amp;from=2025-01-01T00%3A00%3A00Z&amp;to=2025-02-01T00%3A00%3A00Z&amp;size=20&amp;page=1\"");

		HttpResponse<String> older = browser.get(ISSUER.resolve("/audit?page=1"));
		assertThat(older.body()).contains("audit.genesis", "rel=\"prev\"").doesNotContain("rel=\"next\"");

		HttpResponse<String> refused = browser.get(ISSUER.resolve("/audit?action=bad+value"));
		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(refused.body())
			.containsPattern("id=\"action-error\"[^>]*>platform-api answered 400: action: must be an action such as")
			.contains("aria-invalid=\"true\"")
			.contains("Intact.");
	}

	@Test
	void alertsPageListsTheOpenAlertsLinkedFromTheDashboard() throws Exception {
		var browser = new AuthorizationCodeFlowClient(ISSUER);
		HttpResponse<String> dashboard = signInToConsole(browser, "compliance", "compliance-local");
		assertThat(dashboard.body()).contains("href=\"/alerts\"");

		HttpResponse<String> page = browser.get(ISSUER.resolve("/alerts"));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("income-error-rate", "error_rate", "above 0.05", "0.31", "2025-01-02T03:04:05Z")
			.contains("income-drift", "drift verdict", "worker_unavailable")
			.doesNotContain("could not be", "No open alerts", "more are open");
		assertThat(PLATFORM_API.requests()).contains("GET /api/admin/monitoring/alerts?state=open");

		PLATFORM_API.failing(true);
		HttpResponse<String> failing = browser.get(ISSUER.resolve("/alerts"));
		assertThat(failing.statusCode()).isEqualTo(200);
		assertThat(failing.body()).contains("Alerts could not be loaded",
				"platform-api answered 503: database is down.");
	}

	@Test
	void dashboardExplainsWhenPlatformApiFails() throws Exception {
		var browser = new AuthorizationCodeFlowClient(ISSUER);
		signInToConsole(browser, "compliance", "compliance-local");
		PLATFORM_API.failing(true);

		HttpResponse<String> page = browser.get(ISSUER.resolve("/"));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("Tenants could not be loaded", "Models could not be loaded")
			.contains("platform-api answered 503: database is down.")
			.contains(">COMPLIANCE<");
	}

	@Test
	void signingOutEndsTheConsoleSession() throws Exception {
		var browser = new AuthorizationCodeFlowClient(ISSUER);
		HttpResponse<String> page = signInToConsole(browser, "admin", "admin-local");
		String csrf = AuthorizationCodeFlowClient.csrfToken(page.body()).orElseThrow();

		HttpResponse<String> logout = browser.postForm(ISSUER.resolve("/logout"), Map.of("_csrf", csrf));
		assertThat(logout.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/signed-out"));
		assertThat(browser.followRedirects(logout).body()).contains("Signed out");

		assertThat(browser.get(ISSUER.resolve("/")).statusCode()).isEqualTo(302);
	}

	@Test
	void unknownPageShowsTheErrorPage() throws Exception {
		var browser = new AuthorizationCodeFlowClient(ISSUER);
		signInToConsole(browser, "admin", "admin-local");

		HttpResponse<String> page = browser.get(ISSUER.resolve("/no-such-page"));

		assertThat(page.statusCode()).isEqualTo(404);
		assertThat(page.body()).contains("There is no such page.").doesNotContain("Whitelabel");
	}

	private static HttpResponse<String> signInToConsole(AuthorizationCodeFlowClient browser, String username,
			String password) throws IOException, InterruptedException {
		return browser.signInToConsole(username, password);
	}

}
