package dev.warden.console.system;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import dev.warden.console.TestConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Error pages over real HTTP (finding 6, console part: {@code GET /error} answered 500):
 * the error path itself and malformed requests get a 4xx page, never a 500, and no error
 * page shows a stack trace or an exception.
 */
class ErrorPageIntegrationTests {

	private static TestConsole console;

	@BeforeAll
	static void start() {
		console = TestConsole.start(Map.of());
	}

	@AfterAll
	static void stop() {
		console.close();
	}

	@Test
	void errorPathRequestedDirectlyIsAPageThatDoesNotExist() throws Exception {
		var anonymous = new AuthorizationCodeFlowClient(console.origin());
		assertNotFoundPage(anonymous.get(console.url("/error")));
		assertNotFoundPage(anonymous.get(console.url("/error?trace=true&message=true")));

		var signedIn = new AuthorizationCodeFlowClient(console.origin());
		signedIn.signInToConsole("admin", "admin-local");
		assertNotFoundPage(signedIn.get(console.url("/error")));
	}

	@Test
	void errorPathAnswersJsonClientsWith404Too() throws Exception {
		HttpResponse<String> json = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(console.url("/error")).header("Accept", "application/json").build(),
					HttpResponse.BodyHandlers.ofString());

		assertThat(json.statusCode()).isEqualTo(404);
		assertThat(json.body()).contains("\"status\":404", "\"error\":\"Not Found\"").doesNotContain("999", "trace");
	}

	@ParameterizedTest(name = "GET {0}")
	@ValueSource(strings = { "/a;jsessionid=x", "/css//console.css", "/oauth2/authorize?response_type=code",
			"/oauth2/authorize?client_id=nope&response_type=code", "/no-such-page?trace=true" })
	void malformedOrUnknownAddressesGetA4xxPage(String pathAndQuery) throws Exception {
		var browser = new AuthorizationCodeFlowClient(console.origin());
		browser.signInToConsole("compliance", "compliance-local");

		assertClientErrorPage(browser.get(console.url(pathAndQuery)));
	}

	/**
	 * Tomcat refuses these before any application code runs, with its own bare status
	 * page.
	 */
	@ParameterizedTest(name = "GET {0}")
	@ValueSource(strings = { "/a%2Fb", "/%2e%2e/etc/passwd", "/login%00" })
	void addressesTheServerCannotMapGetA400WithoutInternals(String pathAndQuery) throws Exception {
		HttpResponse<String> page = new AuthorizationCodeFlowClient(console.origin()).get(console.url(pathAndQuery));

		assertThat(page.statusCode()).isEqualTo(400);
		assertNoInternals(page);
	}

	@Test
	void malformedFormPostsGetA4xxPage() throws Exception {
		var browser = new AuthorizationCodeFlowClient(console.origin());
		String csrf = AuthorizationCodeFlowClient.csrfToken(browser.get(console.url("/login")).body()).orElseThrow();

		assertClientErrorPage(browser.post(console.url("/login"), "application/x-www-form-urlencoded",
				"username=%ZZ&password=x&_csrf=" + csrf));
		assertClientErrorPage(
				browser.post(console.url("/login?_csrf=" + csrf), "multipart/form-data; boundary=b", "--b\r\nbroken"));
		assertClientErrorPage(browser.post(console.url("/login"), "application/x-www-form-urlencoded",
				"username=admin&password=admin-local"));

		HttpResponse<String> dashboard = browser.signInToConsole("compliance", "compliance-local");
		assertThat(dashboard.statusCode()).isEqualTo(200);
		assertClientErrorPage(
				browser.post(console.url("/logout"), "application/x-www-form-urlencoded", "_csrf=forged"));
		assertClientErrorPage(browser.post(console.url("/audit"), "application/x-www-form-urlencoded", ""));
	}

	private static void assertNotFoundPage(HttpResponse<String> page) {
		assertThat(page.statusCode()).as("%s", page.uri()).isEqualTo(404);
		assertThat(page.body()).contains("Error 404", "There is no such page.");
		assertNoInternals(page);
	}

	private static void assertClientErrorPage(HttpResponse<String> page) {
		assertThat(page.statusCode()).as("%s", page.uri()).isBetween(400, 499);
		assertThat(page.body()).as("%s", page.uri()).contains("<h1>Error 4");
		assertNoInternals(page);
	}

	private static void assertNoInternals(HttpResponse<String> page) {
		assertThat(page.body()).as("%s", page.uri())
			.doesNotContain("Exception", "\tat ", "at org.", "at dev.", "java.", "Whitelabel");
	}

}
