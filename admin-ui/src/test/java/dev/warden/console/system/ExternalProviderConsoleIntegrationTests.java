package dev.warden.console.system;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.warden.console.Pages;
import dev.warden.console.StandInProvider;
import dev.warden.console.TestConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The console against an external OpenID Connect provider given only its issuer: a
 * stand-in shaped like a Keycloak realm (a real HTTP server; {@link StandInProvider})
 * that writes the realm roles only into the access token and the user name only into
 * userinfo. The console configures itself from the discovery document (endpoints, keys,
 * end-session endpoint), signs in with PKCE, shows the user name and only Warden's roles,
 * sends the access token to platform-api, and signs out through the provider with the
 * post-logout redirect URI {@code <public URL>/signed-out}. A provider it cannot use
 * stops the start with a message saying what to check.
 */
class ExternalProviderConsoleIntegrationTests {

	static StandInProvider provider;

	static TestConsole console;

	@BeforeAll
	static void start() throws Exception {
		provider = new StandInProvider("localhost");
		console = TestConsole
			.start(Map.of("WARDEN_CONSOLE_OIDC_ISSUER_URI", provider.issuer(), "WARDEN_CONSOLE_CLIENT_SECRET",
					StandInProvider.CLIENT_SECRET, "WARDEN_CONSOLE_ROLES_CLAIM", "realm_access.roles"));
	}

	@AfterAll
	static void stop() {
		if (console != null) {
			console.close();
		}
		provider.close();
	}

	@Test
	void signInShowsTheUserNameAndOnlyWardenRolesFromTheAccessTokenAndSignOutGoesThroughTheProvider() throws Exception {
		String subject = UUID.randomUUID().toString();
		provider.signInAs(subject, "alice",
				List.of("offline_access", "ADMIN", "uma_authorization", "default-roles-warden"));
		Browser browser = new Browser();

		HttpResponse<String> dashboard = browser.open(console.url("/"));

		assertThat(dashboard.uri().getPath()).isEqualTo("/");
		assertThat(dashboard.statusCode()).isEqualTo(200);
		assertThat(dashboard.body()).contains("Signed in as <strong>alice</strong>", ">ADMIN<")
			.doesNotContain("offline_access", "uma_authorization", "default-roles-warden", subject);
		assertThat(browser.visited()).anySatisfy(
				(uri) -> assertThat(uri.toString()).startsWith(provider.issuer() + "/protocol/openid-connect/auth?")
					.contains("code_challenge_method=S256")
					.contains("redirect_uri=" + console.origin() + "/login/oauth2/code/warden"));
		assertThat(Pages.last(provider.tokenRequests())).contains("code_verifier=");
		String bearer = Pages.last(console.platformApi().authorizations());
		assertThat(Pages.subject(bearer)).isEqualTo(subject);

		String csrf = AuthorizationCodeFlowClient.csrfToken(dashboard.body()).orElseThrow();
		HttpResponse<String> signedOut = browser.post(console.url("/logout"), "_csrf=" + csrf);
		assertThat(signedOut.uri().toString()).startsWith(provider.issuer() + "/protocol/openid-connect/logout?");
		Map<String, String> endSession = Pages.last(provider.endSessions());
		assertThat(endSession).containsEntry("post_logout_redirect_uri", console.origin() + "/signed-out")
			.containsKey("id_token_hint");
		assertThat(Pages.subject("Bearer " + endSession.get("id_token_hint"))).isEqualTo(subject);
		assertThat(browser.send(HttpRequest.newBuilder(console.url("/")).GET().build()).statusCode()).isEqualTo(302);
	}

	@Test
	void complianceUserGetsOnlyThatRoleAndAProviderRoleAloneGivesNone() throws Exception {
		provider.signInAs(UUID.randomUUID().toString(), "carol", List.of("COMPLIANCE", "offline_access", "admin"));
		HttpResponse<String> compliance = new Browser().open(console.url("/"));
		assertThat(compliance.body()).contains("Signed in as <strong>carol</strong>", ">COMPLIANCE<")
			.doesNotContain(">ADMIN<", ">admin<");

		provider.signInAs(UUID.randomUUID().toString(), "dave", List.of("offline_access", "uma_authorization"));
		HttpResponse<String> none = new Browser().open(console.url("/"));
		assertThat(none.body()).contains("Signed in as <strong>dave</strong>")
			.doesNotContain(">ADMIN<", ">COMPLIANCE<", "offline_access");
	}

	@Test
	void providerGoneAfterSignInIsAMessageOnThePageNotAnError() throws Exception {
		try (StandInProvider shortLived = new StandInProvider("localhost")) {
			// access tokens that Spring Security counts as expired at once (clock skew
			// 60 s), so every call to platform-api needs a refresh at the provider
			shortLived.accessTokensFor(30);
			TestConsole other = TestConsole
				.start(Map.of("WARDEN_CONSOLE_OIDC_ISSUER_URI", shortLived.issuer(), "WARDEN_CONSOLE_CLIENT_SECRET",
						StandInProvider.CLIENT_SECRET, "WARDEN_CONSOLE_ROLES_CLAIM", "realm_access.roles"));
			try {
				Browser browser = new Browser();
				HttpResponse<String> signedIn = browser.open(other.url("/"));
				assertThat(signedIn.body()).contains("Signed in as <strong>alice</strong>")
					.doesNotContain("could not be loaded");
				assertThat(shortLived.tokenRequests())
					.anySatisfy((request) -> assertThat(request).contains("grant_type=refresh_token"));

				shortLived.close();
				HttpResponse<String> page = browser.open(other.url("/"));

				assertThat(page.statusCode()).isEqualTo(200);
				assertThat(page.body()).contains("Signed in as <strong>alice</strong>", "Tenants could not be loaded",
						"No access token could be obtained for platform-api");
			}
			finally {
				other.close();
			}
		}
	}

	@Test
	void providerThatCannotBeReachedStopsTheStartSayingWhatToCheck() {
		String nowhere = "http://localhost:" + TestConsole.freePort() + "/realms/warden";

		assertThatThrownBy(() -> TestConsole.start(Map.of("WARDEN_CONSOLE_OIDC_ISSUER_URI", nowhere)).close())
			.hasStackTraceContaining("could not use the OpenID Connect provider")
			.hasStackTraceContaining(nowhere + "/.well-known/openid-configuration")
			.hasStackTraceContaining("same for platform-api");
	}

	@Test
	void providerReachedUnderAnotherHostNameThanItsIssuerStopsTheStart() throws Exception {
		try (StandInProvider at127 = new StandInProvider("127.0.0.1")) {
			String asLocalhost = at127.issuer().replace("127.0.0.1", "localhost");

			assertThatThrownBy(() -> TestConsole.start(Map.of("WARDEN_CONSOLE_OIDC_ISSUER_URI", asLocalhost)).close())
				.hasStackTraceContaining("could not use the OpenID Connect provider")
				.hasStackTraceContaining(at127.issuer());
		}
	}

	/** A browser: keeps cookies and follows every redirect, across origins. */
	static final class Browser {

		private final HttpClient http = HttpClient.newBuilder()
			.cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.build();

		private final List<URI> visited = new java.util.ArrayList<>();

		HttpResponse<String> open(URI uri) throws Exception {
			return follow(send(HttpRequest.newBuilder(uri).GET().build()));
		}

		HttpResponse<String> post(URI uri, String form) throws Exception {
			return follow(send(HttpRequest.newBuilder(uri)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build()));
		}

		HttpResponse<String> send(HttpRequest request) throws Exception {
			this.visited.add(request.uri());
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}

		List<URI> visited() {
			return this.visited;
		}

		private HttpResponse<String> follow(HttpResponse<String> response) throws Exception {
			HttpResponse<String> current = response;
			for (int i = 0; i < 10 && current.statusCode() / 100 == 3; i++) {
				URI next = current.uri().resolve(current.headers().firstValue("Location").orElseThrow());
				current = send(HttpRequest.newBuilder(next).GET().build());
			}
			return current;
		}

	}

}
