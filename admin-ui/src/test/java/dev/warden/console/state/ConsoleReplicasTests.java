package dev.warden.console.state;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.warden.console.StubConsoleState;
import dev.warden.console.StubPlatformApi;
import dev.warden.console.TestConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Two console replicas sharing their state through the stand-in of platform-api's console
 * state API: both run under one public URL (the load balancer's, here replica A's origin;
 * replica B is reached on its own port with the same cookies, as the balancer would send
 * the user to it), and a restart of A signs nobody out.
 */
class ConsoleReplicasTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final StubPlatformApi PLATFORM_API = new StubPlatformApi();

	private static final int PORT_A = TestConsole.freePort();

	private static final int PORT_B = TestConsole.freePort();

	private static final URI PUBLIC_URL = URI.create("http://localhost:" + PORT_A);

	private static final URI REPLICA_B = URI.create("http://localhost:" + PORT_B);

	private static TestConsole a;

	private static TestConsole b;

	@BeforeAll
	static void startReplicas() {
		PLATFORM_API.consoleState().refreshAfter(Duration.ofSeconds(1));
		a = start(PORT_A);
		b = start(PORT_B);
	}

	@AfterEach
	void platformApiAnswersAgain() {
		PLATFORM_API.consoleState().unavailable(false);
	}

	@AfterAll
	static void stopReplicas() {
		if (a != null) {
			a.close();
		}
		if (b != null) {
			b.close();
		}
		PLATFORM_API.close();
	}

	private static TestConsole start(int port) {
		return TestConsole.start(
				Map.of("WARDEN_CONSOLE_ISSUER", PUBLIC_URL, "WARDEN_CONSOLE_STATE_TOKEN", StubConsoleState.TOKEN),
				PLATFORM_API, port);
	}

	@Test
	void aUserSignedInThroughOneReplicaIsSignedInOnTheOtherAndSignsOutThere() throws Exception {
		var browser = new AuthorizationCodeFlowClient(PUBLIC_URL);
		browser.signInToConsole("admin", "admin-local");

		HttpResponse<String> onB = browser.get(REPLICA_B.resolve("/"));
		assertThat(onB.statusCode()).isEqualTo(200);
		assertThat(onB.body()).contains("admin");
		assertThat(PLATFORM_API.consoleState().sessions()).isNotEmpty();
		assertThat(PLATFORM_API.consoleState().sessions().values())
			.anySatisfy((session) -> assertThat(session.path("principal").asString()).isEqualTo("admin"));

		// the CSRF token of a page from B is accepted by A: it is in the shared session
		String csrf = AuthorizationCodeFlowClient.csrfToken(onB.body()).orElseThrow();
		HttpResponse<String> logout = browser.postForm(PUBLIC_URL.resolve("/logout"), Map.of("_csrf", csrf));
		assertThat(logout.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/signed-out"));
		assertThat(browser.get(REPLICA_B.resolve("/")).statusCode()).isEqualTo(302);
		assertThat(browser.get(PUBLIC_URL.resolve("/")).statusCode()).isEqualTo(302);
	}

	@Test
	void aCodeIssuedByOneReplicaIsRedeemedAtTheOther() throws Exception {
		var browser = new AuthorizationCodeFlowClient(PUBLIC_URL);
		String verifier = "verifier-" + UUID.randomUUID() + UUID.randomUUID();
		String challenge = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
		URI authorize = PUBLIC_URL.resolve("/oauth2/authorize?response_type=code&client_id="
				+ AuthorizationCodeFlowClient.CLI_CLIENT_ID + "&redirect_uri="
				+ URLEncoder.encode(AuthorizationCodeFlowClient.CLI_REDIRECT_URI, StandardCharsets.UTF_8)
				+ "&scope=openid&state=s-1&code_challenge=" + challenge + "&code_challenge_method=S256");
		browser.followRedirects(browser.get(authorize));
		String callback = browser.followRedirects(browser.signIn("admin", "admin-local"))
			.headers()
			.firstValue("Location")
			.orElseThrow();
		String code = URLDecoder.decode(callback.replaceAll(".*[?&]code=([^&]+).*", "$1"), StandardCharsets.UTF_8);

		HttpResponse<String> token = browser.postForm(REPLICA_B.resolve("/oauth2/token"),
				Map.of("grant_type", "authorization_code", "code", code, "redirect_uri",
						AuthorizationCodeFlowClient.CLI_REDIRECT_URI, "client_id",
						AuthorizationCodeFlowClient.CLI_CLIENT_ID, "code_verifier", verifier));

		assertThat(token.statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(token.body()).path("access_token").asString()).isNotBlank();
		// stored with the hashes of its state, code, access token and ID token, never the
		// values
		assertThat(PLATFORM_API.consoleState().authorizations().values())
			.anySatisfy((row) -> assertThat(row.path("token_hashes").size()).isGreaterThanOrEqualTo(3))
			.noneSatisfy((row) -> assertThat(row.toString()).contains(code));
	}

	@Test
	void requestsThatChangeNothingDoNotRewriteTheSession() throws Exception {
		var browser = new AuthorizationCodeFlowClient(PUBLIC_URL);
		browser.signInToConsole("admin", "admin-local");
		browser.get(PUBLIC_URL.resolve("/"));
		int writes = PLATFORM_API.consoleState().sessionWrites();

		for (int i = 0; i < 3; i++) {
			assertThat(browser.get(((i % 2) == 0) ? REPLICA_B.resolve("/") : PUBLIC_URL.resolve("/")).statusCode())
				.isEqualTo(200);
		}

		assertThat(PLATFORM_API.consoleState().sessionWrites()).isEqualTo(writes);
	}

	@Test
	void restartingAReplicaSignsNobodyOutAndItsTokensStayValid() throws Exception {
		var browser = new AuthorizationCodeFlowClient(PUBLIC_URL);
		browser.signInToConsole("admin", "admin-local");
		var tokens = new AuthorizationCodeFlowClient(PUBLIC_URL).obtainTokens("admin", "admin-local");
		String kid = JSON.readTree(AuthorizationCodeFlowClient.jwtHeader(tokens.accessToken())).path("kid").asString();

		a.close();
		a = start(PORT_A);

		assertThat(browser.get(PUBLIC_URL.resolve("/")).statusCode()).isEqualTo(200);
		assertThat(kids(PUBLIC_URL)).contains(kid);
		assertThat(jwks(PUBLIC_URL)).isEqualTo(jwks(REPLICA_B));
		var again = new AuthorizationCodeFlowClient(PUBLIC_URL).obtainTokens("admin", "admin-local");
		assertThat(JSON.readTree(AuthorizationCodeFlowClient.jwtHeader(again.accessToken())).path("kid").asString())
			.isEqualTo(kid);
	}

	@Test
	void tokensAreSignedWithTheActiveKeyAndEveryReplicaPublishesTheSameKeys() throws Exception {
		var tokens = new AuthorizationCodeFlowClient(PUBLIC_URL).obtainTokens("admin", "admin-local");

		String kid = JSON.readTree(AuthorizationCodeFlowClient.jwtHeader(tokens.accessToken())).path("kid").asString();
		assertThat(kid).isEqualTo(activeKid());
		assertThat(jwks(PUBLIC_URL)).isEqualTo(jwks(REPLICA_B));
		assertThat(jwks(PUBLIC_URL)).doesNotContain("\"d\"", "\"p\"", "\"q\"");
	}

	@Test
	void theNextKeyIsPublishedAheadAndSignsOnceActiveWhileThePreviousOneStaysPublished() throws Exception {
		String previous = activeKid();
		Instant activation = Instant.now().plusSeconds(4);
		String next = PLATFORM_API.consoleState().publishKey(activation).getKeyID();

		awaitKids(PUBLIC_URL, List.of(previous, next));
		awaitKids(REPLICA_B, List.of(previous, next));
		var before = new AuthorizationCodeFlowClient(PUBLIC_URL).obtainTokens("admin", "admin-local");
		assertThat(kidOf(before.accessToken())).isEqualTo(previous);

		while (Instant.now().isBefore(activation.plusMillis(200))) {
			Thread.sleep(100);
		}
		var after = new AuthorizationCodeFlowClient(PUBLIC_URL).obtainTokens("admin", "admin-local");
		assertThat(kidOf(after.accessToken())).isEqualTo(next);
		assertThat(kids(PUBLIC_URL)).contains(previous, next);
	}

	@Test
	void whenPlatformApiIsUnreachableTheCachedKeysStayPublished() throws Exception {
		List<String> known = kids(PUBLIC_URL);
		PLATFORM_API.consoleState().unavailable(true);
		Thread.sleep(1500);

		assertThat(kids(PUBLIC_URL)).isEqualTo(known);
	}

	@Test
	void whilePlatformApiIsAwayASignedInUserGets503AndStaysSignedIn() throws Exception {
		var browser = new AuthorizationCodeFlowClient(PUBLIC_URL);
		browser.signInToConsole("admin", "admin-local");
		PLATFORM_API.consoleState().unavailable(true);

		HttpResponse<String> away = browser.get(REPLICA_B.resolve("/"));
		assertThat(away.statusCode()).isEqualTo(503);
		assertThat(away.headers().firstValue("Retry-After")).hasValue("5");
		assertThat(away.body()).contains("The console cannot reach the platform").doesNotContain("Exception");

		PLATFORM_API.consoleState().unavailable(false);
		HttpResponse<String> back = browser.get(REPLICA_B.resolve("/"));
		assertThat(back.statusCode()).isEqualTo(200);
		assertThat(back.body()).contains("admin");
	}

	@Test
	void aConsoleThatCannotReadItsKeysDoesNotStart() {
		PLATFORM_API.consoleState().unavailable(true);

		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(
					() -> TestConsole.start(
							Map.of("WARDEN_CONSOLE_STATE_TOKEN", StubConsoleState.TOKEN,
									"WARDEN_CONSOLE_STATE_STARTUP_TIMEOUT", "2s"),
							PLATFORM_API, TestConsole.freePort()))
			.satisfies((ex) -> assertThat(rootAndAbove(ex)).contains("could not read its signing keys"));
	}

	private static String rootAndAbove(Throwable ex) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			messages.append(cause.getMessage()).append('\n');
		}
		return messages.toString();
	}

	private static String activeKid() {
		List<String> kids = PLATFORM_API.consoleState().keyIds();
		return kids.get(kids.size() - 1);
	}

	private static String kidOf(String jwt) {
		return JSON.readTree(AuthorizationCodeFlowClient.jwtHeader(jwt)).path("kid").asString();
	}

	private static void awaitKids(URI replica, List<String> expected) throws Exception {
		Instant deadline = Instant.now().plusSeconds(10);
		while (!kids(replica).containsAll(expected) && Instant.now().isBefore(deadline)) {
			Thread.sleep(100);
		}
		assertThat(kids(replica)).containsAll(expected);
	}

	private static List<String> kids(URI replica) throws Exception {
		return JSON.readTree(jwks(replica))
			.path("keys")
			.values()
			.stream()
			.map((key) -> key.path("kid").asString())
			.toList();
	}

	private static String jwks(URI replica) throws Exception {
		HttpResponse<String> response = new AuthorizationCodeFlowClient(replica).get(replica.resolve("/oauth2/jwks"));
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode keys = JSON.readTree(response.body());
		return keys.toString();
	}

}
