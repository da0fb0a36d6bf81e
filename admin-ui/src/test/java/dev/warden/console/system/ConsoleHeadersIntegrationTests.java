package dev.warden.console.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.warden.console.TestConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the console's answers say in their headers, over real HTTP against a console with
 * the default settings (and a Prometheus scrape token) (finding 9: no
 * Content-Security-Policy, no Referrer-Policy, and the {@code Host} header reflected into
 * redirects). Sending a {@code Host} header needs
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}, which the build passes to the
 * tests.
 */
class ConsoleHeadersIntegrationTests {

	private static final String EVIL = "evil.example";

	private static final String SCRAPE_TOKEN = "console-scr4pe-token";

	private static TestConsole console;

	@BeforeAll
	static void start() {
		console = TestConsole.start(Map.of("warden.metrics.scrape-token", SCRAPE_TOKEN));
	}

	@AfterAll
	static void stop() {
		console.close();
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "Host", "X-Forwarded-Host", "Forwarded" })
	void redirectsAreBuiltFromThePublicUrlWhateverTheRequestSaysItsHostIs(String header) throws Exception {
		String value = switch (header) {
			case "Forwarded" -> "host=" + EVIL + ";proto=https";
			default -> EVIL;
		};
		var browser = new AuthorizationCodeFlowClient(console.origin()).withHeader(header, value);

		assertOwnLocation(browser.get(console.url("/oauth2/authorize?response_type=code&client_id=warden-cli"
				+ "&scope=openid&redirect_uri=http://127.0.0.1:8765/callback&state=s&code_challenge="
				+ "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")), "/login");
		assertOwnLocation(browser.get(console.url("/no-such-page")), "/oauth2/authorization/warden");
		assertOwnLocation(browser.get(console.url("/audit")), "/oauth2/authorization/warden");
		assertOwnLocation(browser.get(console.url("/")), "/oauth2/authorization/warden");
		HttpResponse<String> consoleLogin = browser.get(console.url("/oauth2/authorization/warden"));
		assertOwnLocation(consoleLogin, "/oauth2/authorize");
		assertThat(consoleLogin.headers().firstValue("Location").orElseThrow())
			.contains("redirect_uri=" + console.origin() + "/login/oauth2/code/warden");
		HttpResponse<String> authorize = browser.get(location(consoleLogin));
		assertOwnLocation(authorize, "/login");
		assertThat(browser.get(console.url("/login")).headers().firstValue("Location")).isEmpty();
		assertOwnLocation(browser.postSignInForm("admin", "not-the-password"), "/login?error");

		// the sign-in resumes the authorize request saved above, and that one the
		// console's login
		HttpResponse<String> signedIn = browser.signIn("admin", "admin-local");
		assertOwnLocation(signedIn, "/oauth2/authorize");
		HttpResponse<String> code = browser.get(location(signedIn));
		assertOwnLocation(code, "/login/oauth2/code/warden");
		HttpResponse<String> callback = browser.get(location(code));
		assertOwnLocation(callback, "/");
		HttpResponse<String> dashboard = browser.followRedirects(callback);
		assertThat(dashboard.body()).contains("Signed in as <strong>admin</strong>");

		String csrf = AuthorizationCodeFlowClient.csrfToken(dashboard.body()).orElseThrow();
		assertOwnLocation(browser.postForm(console.url("/logout"), Map.of("_csrf", csrf)), "/signed-out");
		assertOwnLocation(browser.get(console.url("/login/oauth2/code/warden?code=forged&state=forged")),
				"/signed-out?error");
	}

	@Test
	void everyPageForbidsInlineCodeFramingForeignFormTargetsAndReferrers() throws Exception {
		var browser = new AuthorizationCodeFlowClient(console.origin());
		HttpResponse<String> signInPage = browser.get(console.url("/login"));
		assertHardened(signInPage);
		assertThat(signInPage.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'; "
				+ "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' http://127.0.0.1:8765");

		HttpResponse<String> dashboard = browser.signInToConsole("compliance", "compliance-local");
		List<HttpResponse<String>> pages = List.of(dashboard, browser.get(console.url("/audit")),
				browser.get(console.url("/no-such-page")), browser.get(console.url("/error")),
				browser.get(console.url("/signed-out")), browser.get(console.url("/css/console.css")),
				browser.get(console.url("/.well-known/openid-configuration")),
				browser.get(console.url("/webjars/htmx.org/dist/htmx.min.js")),
				browser.get(console.url("/webjars/uplot/dist/uPlot.iife.min.js")),
				browser.get(console.url("/webjars/uplot/dist/uPlot.min.css")));
		assertThat(pages).extracting(HttpResponse::statusCode)
			.containsExactly(200, 200, 404, 404, 200, 200, 200, 200, 200, 200);
		pages.forEach(ConsoleHeadersIntegrationTests::assertHardened);
		assertThat(pages.subList(7, 10))
			.allSatisfy((library) -> assertThat(library.headers().firstValue("Content-Type"))
				.hasValueSatisfying((type) -> assertThat(type)
					.startsWith(library.uri().getPath().endsWith(".css") ? "text/css" : "text/javascript")));
		assertThat(dashboard.body()).containsPattern("/webjars/htmx.org/[0-9.]+/dist/htmx.min.js");
		assertThat(dashboard.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'; "
				+ "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
	}

	@Test
	void aMethodTheConsoleNeverServesIs405WithOrWithoutASession() throws Exception {
		var anonymous = new AuthorizationCodeFlowClient(console.origin());
		var signedIn = new AuthorizationCodeFlowClient(console.origin());
		signedIn.signInToConsole("admin", "admin-local");
		for (var browser : List.of(anonymous, signedIn)) {
			for (String path : List.of("/", "/audit", "/oauth2/token", "/no-such-page")) {
				for (String method : List.of("PROPFIND", "BREW")) {
					HttpResponse<String> answer = browser.send(method, console.url(path));
					assertThat(answer.statusCode()).as(method + " " + path).isEqualTo(405);
					assertThat(answer.headers().firstValue("Allow"))
						.hasValue("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
					assertThat(answer.body()).isEqualTo("{\"status\":405,\"error\":\"Method Not Allowed\"}");
				}
				// TRACE is refused by Tomcat itself
				assertThat(browser.send("TRACE", console.url(path)).statusCode()).as("TRACE " + path).isEqualTo(405);
			}
		}
	}

	@Test
	void forwardedForIsNotBelievedWithoutAConfiguredProxy() throws Exception {
		var browser = new AuthorizationCodeFlowClient(console.origin()).withHeader("X-Forwarded-For", "198.51.100.99");

		browser.postSignInForm("compliance", "not-the-password");

		assertThat(console.platformApi().postsTo("/api/admin/audit/events/login-failures")).isNotEmpty()
			.allSatisfy((post) -> assertThat(post.body()).doesNotContain("198.51.100.99")
				.containsPattern("\"client_address\":\"(127\\.0\\.0\\.1|0:0:0:0:0:0:0:1)\""));
	}

	private static URI location(HttpResponse<String> redirect) {
		return redirect.uri().resolve(redirect.headers().firstValue("Location").orElseThrow());
	}

	private static void assertOwnLocation(HttpResponse<String> response, String pathAndQuery) {
		assertThat(response.statusCode()).as("%s", response.uri()).isEqualTo(302);
		String location = response.headers().firstValue("Location").orElseThrow();
		assertThat(location).as("%s", response.uri()).doesNotContainIgnoringCase(EVIL);
		if (location.contains("://")) {
			assertThat(location).as("%s", response.uri()).startsWith(console.origin() + pathAndQuery);
		}
		else {
			assertThat(location).as("%s", response.uri()).startsWith(pathAndQuery);
		}
	}

	private static final Pattern INLINE = Pattern.compile("<script(?![^>]*\\ssrc=)|<style|\\sstyle=|\\son[a-z]+=",
			Pattern.CASE_INSENSITIVE);

	private static void assertHardened(HttpResponse<String> response) {
		assertThat(response.headers().firstValue("Content-Security-Policy")).as("%s", response.uri())
			.hasValueSatisfying((csp) -> assertThat(csp).startsWith("default-src 'self'; ")
				.contains("frame-ancestors 'none'", "form-action 'self'")
				.doesNotContain("unsafe-inline", "unsafe-eval"));
		assertThat(response.headers().firstValue("Referrer-Policy")).as("%s", response.uri()).hasValue("no-referrer");
		assertThat(response.headers().firstValue("X-Frame-Options")).as("%s", response.uri()).hasValue("DENY");
		boolean html = response.headers().firstValue("Content-Type").orElse("").startsWith("text/html");
		if (html) {
			assertThat(INLINE.matcher(response.body()).find()).as("inline code in %s", response.uri()).isFalse();
		}
	}

	@Test
	void thePrometheusScrapeNeedsTheScrapeTokenAndMakesNoSession() throws Exception {
		var client = HttpClient.newHttpClient();
		var scrape = HttpRequest.newBuilder(console.url("/actuator/prometheus"));
		HttpResponse<String> anonymous = client.send(scrape.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"warden-metrics\"");
		assertThat(anonymous.body()).doesNotContain("jvm_");
		HttpResponse<String> wrong = client.send(scrape.copy().header("Authorization", "Bearer not-it").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(wrong.statusCode()).isEqualTo(401);
		// a signed-in user's session is no scrape token either
		var browser = new AuthorizationCodeFlowClient(console.origin());
		browser.signIn("admin", "admin-local");
		assertThat(browser.get(console.url("/actuator/prometheus")).statusCode()).isEqualTo(401);

		HttpResponse<String> scraped = client.send(
				scrape.copy().header("Authorization", "Bearer " + SCRAPE_TOKEN).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(scraped.statusCode()).isEqualTo(200);
		assertThat(scraped.body()).contains("jvm_memory_used_bytes").contains("http_server_requests_seconds");
		assertThat(scraped.headers().firstValue("Set-Cookie")).as("no session for a scrape").isEmpty();
	}

}
