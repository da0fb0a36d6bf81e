package dev.warden.console.identity;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.warden.console.StubPlatformApi.Post;
import dev.warden.console.TestConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient.SignInFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Failed sign-ins at the embedded authorization server over real HTTP, with the default
 * budgets (finding 5: no brute-force protection on console sign-in). The console runs
 * behind a "proxy" here ({@code server.forward-headers-strategy=native}, loopback
 * trusted), so each test signs in from its own client address through
 * {@code X-Forwarded-For}; each test also uses its own user names, since budgets outlive
 * tests.
 */
class SignInThrottleIntegrationTests {

	private static final String FAILURES = "/api/admin/audit/events/login-failures";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static TestConsole console;

	@BeforeAll
	static void start() {
		console = TestConsole.start(Map.ofEntries(Map.entry("server.forward-headers-strategy", "native"),
				Map.entry("warden.console.identity.users[0].username", "admin"),
				Map.entry("warden.console.identity.users[0].password", "admin-local"),
				Map.entry("warden.console.identity.users[0].roles[0]", "ADMIN"),
				Map.entry("warden.console.identity.users[1].username", "compliance"),
				Map.entry("warden.console.identity.users[1].password", "compliance-local"),
				Map.entry("warden.console.identity.users[1].roles[0]", "COMPLIANCE"),
				Map.entry("warden.console.identity.users[2].username", "carol"),
				Map.entry("warden.console.identity.users[2].password", "carol-local"),
				Map.entry("warden.console.identity.users[2].roles[0]", "COMPLIANCE"),
				Map.entry("warden.console.identity.users[3].username", "dave"),
				Map.entry("warden.console.identity.users[3].password", "dave-local"),
				Map.entry("warden.console.identity.users[3].roles[0]", "COMPLIANCE")));
	}

	@AfterAll
	static void stop() {
		console.close();
	}

	@Test
	void fifthWrongPasswordLocksTheUserOutAndEvenTheRightPasswordIsRefused() throws Exception {
		var browser = from("203.0.113.10");
		long started = System.nanoTime();
		for (int i = 1; i <= 4; i++) {
			HttpResponse<String> wrong = browser.postSignInForm("admin", "guess-" + i);
			assertThat(wrong.statusCode()).isEqualTo(302);
			assertThat(wrong.headers().firstValue("Location")).hasValue("/login?error");
		}

		HttpResponse<String> fifth = browser.postSignInForm("admin", "guess-5");
		assertPaused(fifth);

		assertPaused(browser.postSignInForm("admin", "admin-local"));
		assertPaused(from("203.0.113.11").postSignInForm("admin", "admin-local"));
		assertPaused(from("203.0.113.12").postSignInForm(" ADMIN ", "admin-local"));
		// the address itself still has failures left
		from("203.0.113.10").signIn("compliance", "compliance-local");

		List<JsonNode> reports = reportsFrom("203.0.113.10");
		assertThat(reports).extracting((report) -> report.path("outcome").asString())
			.containsExactly("failed", "failed", "failed", "failed", "failed", "user_locked_out");
		assertThat(reports).allSatisfy((report) -> assertThat(report.path("username").asString()).isEqualTo("admin"));
		assertThat(reports.get(0).path("known_user").asBoolean()).isTrue();
		assertThat(reports.get(0).path("user_agent").asString()).startsWith("Java-http-client");
		// one failure back every 15 min / 5, counted from the first failure
		assertThat(reports.get(5).path("retry_after_seconds").asLong()).isBetween(180L - secondsSince(started), 180L);
		assertThat(reportsFrom("203.0.113.11")).as("refused attempts are not failures").isEmpty();
	}

	@Test
	void aNameThatIsNoUserGetsExactlyTheAnswersOfAUser() throws Exception {
		List<String> user = answers(from("203.0.113.20"), "carol");
		List<String> nobody = answers(from("203.0.113.21"), "nobody-by-that-name");

		assertThat(nobody).isEqualTo(user);
		assertThat(user).first().asString().startsWith("302 /login?error");
		assertThat(user).last().asString().startsWith("429");
		assertThat(reportsFrom("203.0.113.21")).first()
			.satisfies((report) -> assertThat(report.path("known_user").asBoolean()).isFalse());
	}

	@Test
	void twentyFailuresFromOneAddressLockTheAddressOutForEveryName() throws Exception {
		var browser = from("203.0.113.30");
		long started = System.nanoTime();
		for (int i = 1; i <= 19; i++) {
			assertThat(browser.postSignInForm("made-up-" + i, "guess").statusCode()).isEqualTo(302);
		}
		assertPaused(browser.postSignInForm("made-up-20", "guess"));

		assertPaused(browser.postSignInForm("dave", "dave-local"));
		from("203.0.113.31").signIn("dave", "dave-local");

		assertThat(reportsFrom("203.0.113.30")).last().satisfies((report) -> {
			assertThat(report.path("outcome").asString()).isEqualTo("client_address_locked_out");
			assertThat(report.path("username").asString()).isEqualTo("made-up-20");
			// one failure back every 15 min / 20, counted from the first failure
			assertThat(report.path("retry_after_seconds").asLong()).isBetween(45L - secondsSince(started), 45L);
		});
	}

	@Test
	void failuresAreReportedWithTheConsolesOwnTokenWhichCarriesNoUserRole() throws Exception {
		assertThatExceptionOfType(SignInFailedException.class)
			.isThrownBy(() -> from("203.0.113.40").signIn("compliance", "wrong"));

		Post report = console.platformApi()
			.postsTo(FAILURES)
			.stream()
			.filter((post) -> post.body().contains("\"203.0.113.40\""))
			.findFirst()
			.orElseThrow();
		assertThat(report.authorization()).startsWith("Bearer ");
		JsonNode claims = JSON
			.readTree(AuthorizationCodeFlowClient.jwtPayload(report.authorization().substring("Bearer ".length())));
		assertThat(claims.path("sub").asString()).isEqualTo("warden-console");
		assertThat(claims.path("iss").asString()).isEqualTo(console.origin().toString());
		assertThat(claims.path("scope").values()).extracting(JsonNode::asString)
			.containsExactly("warden.audit.sign-in");
		assertThat(claims.has("roles")).isFalse();
	}

	/**
	 * Six wrong passwords; each answer as status, Location and page, with what differs by
	 * nature masked.
	 */
	private static List<String> answers(AuthorizationCodeFlowClient browser, String username)
			throws IOException, InterruptedException {
		List<String> answers = new ArrayList<>();
		for (int i = 1; i <= 6; i++) {
			HttpResponse<String> answer = browser.postSignInForm(username, "guess-" + i);
			answers.add(answer.statusCode() + " " + answer.headers().firstValue("Location").orElse("-") + " "
					+ answer.headers().firstValue("Retry-After").map((seconds) -> "Retry-After").orElse("-") + " "
					+ answer.body()
						.replaceAll("value=\"[^\"]+\"", "value=\"…\"")
						.replaceAll("\\d+ (seconds|minutes)", "…"));
		}
		return answers;
	}

	private static void assertPaused(HttpResponse<String> answer) {
		assertThat(answer.statusCode()).isEqualTo(429);
		assertThat(answer.headers().firstValue("Location")).isEmpty();
		assertThat(answer.headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Long.parseLong(seconds)).isBetween(1L, 180L));
		assertThat(answer.body()).contains("Too many failed sign-ins", "try again in", "name=\"username\"",
				"name=\"_csrf\"");
		assertThat(answer.body()).doesNotContain("The user name or password is not correct");
	}

	/**
	 * Whole seconds since {@code started} ({@link System#nanoTime()}), rounded up: how
	 * much of a lock-out can have run out meanwhile, however slowly the machine ran.
	 */
	private static long secondsSince(long started) {
		return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + 1;
	}

	private static AuthorizationCodeFlowClient from(String clientAddress) {
		return new AuthorizationCodeFlowClient(console.origin()).withHeader("X-Forwarded-For", clientAddress);
	}

	private static List<JsonNode> reportsFrom(String clientAddress) {
		return console.platformApi()
			.postsTo(FAILURES)
			.stream()
			.map((post) -> JSON.readTree(post.body()))
			.filter((report) -> report.path("client_address").asString().equals(clientAddress))
			.toList();
	}

}
