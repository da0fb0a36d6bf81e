package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * Warden with a real Keycloak as its identity provider, as docs/console.md sets it up
 * ("Keycloak, step by step"), in a real headless Chromium. On demand only: it runs when
 * {@code warden.keycloak.home} names an unpacked Keycloak server distribution, which
 * {@code system-tests/keycloak.sh} provides from the Maven artifact.
 * <p>
 * Keycloak, one inference worker (TensorFlow Serving's {@code half_plus_two}),
 * platform-api and the console are started as processes. Both Warden applications are
 * given only the issuer ({@code WARDEN_OIDC_ISSUER_URI},
 * {@code WARDEN_CONSOLE_OIDC_ISSUER_URI}) and the Keycloak realm-roles claim path
 * ({@code WARDEN_OIDC_ROLES_CLAIM=realm_access.roles}, which the console reads too); no
 * JWK set URL. The browser signs in with PKCE, makes an administrator's change (a model
 * card revision), is refused a compliance officer's change, signs out through Keycloak's
 * end-session endpoint, and reads the audit trail with user names; the admin API answers
 * ADMIN 201, COMPLIANCE 403, no token 401 and another realm's token 401.
 */
@EnabledIfSystemProperty(named = "warden.keycloak.home", matches = ".+")
class KeycloakBrowserIntegrationTests {

	static final String REALM = "warden";

	static final String CONSOLE_SECRET = "console-secret-system-test";

	static final String MODEL = "half_plus_two";

	static final Map<String, List<String>> USERS = Map.of("alice", List.of("alice-system-test", "ADMIN"), "carol",
			List.of("carol-system-test", "COMPLIANCE"));

	static Path root;

	static Path logs;

	static Keycloak keycloak;

	static final List<Process> processes = new ArrayList<>();

	static int gatewayPort;

	static int consolePort;

	@BeforeAll
	static void start() throws Exception {
		root = Files.createTempDirectory("warden-keycloak-test");
		logs = Files.createDirectories(Path.of(System.getProperty("warden.logs.dir", root.resolve("logs").toString())));
		Path store = Files.createDirectories(root.resolve("models"));
		copyTree(WardenCluster.tfServingTestData().resolve("saved_model_half_plus_two_cpu"), store.resolve(MODEL));
		int workerPort = freePort();
		gatewayPort = freePort();
		consolePort = freePort();
		String console = "http://localhost:" + consolePort;

		Instant started = Instant.now();
		launch("inference-worker", System.getProperty("warden.worker.jar"), workerPort,
				Map.of("WARDEN_MODEL_STORE", store.toString(), "WARDEN_DATA_DIR", root.resolve("data").toString()));
		keycloak = Keycloak.start(Path.of(System.getProperty("warden.keycloak.home")), freePort(), freePort(),
				logs.resolve("keycloak.log"));
		System.out.println("Keycloak ready after " + Duration.between(started, Instant.now()).toSeconds() + " s");
		keycloak.createRealm(REALM, console, CONSOLE_SECRET, USERS);
		String issuer = keycloak.issuer(REALM);
		// only the issuer and the roles claim path: keys and endpoints come from
		// discovery
		launch("platform-api", System.getProperty("warden.gateway.jar"), gatewayPort,
				Map.of("WARDEN_DATA_DIR", root.resolve("data").toString(), "WARDEN_WORKER_URL",
						"http://127.0.0.1:" + workerPort, "WARDEN_MODEL_STORE", store.toString(),
						"WARDEN_OIDC_ISSUER_URI", issuer, "WARDEN_OIDC_ROLES_CLAIM", "realm_access.roles"));
		launch("admin-ui", System.getProperty("warden.console.jar"), consolePort,
				Map.of("WARDEN_CONSOLE_OIDC_ISSUER_URI", issuer, "WARDEN_CONSOLE_CLIENT_ID", "warden-console",
						"WARDEN_CONSOLE_CLIENT_SECRET", CONSOLE_SECRET, "WARDEN_CONSOLE_PUBLIC_URL", console,
						"WARDEN_GATEWAY_URL", "http://localhost:" + gatewayPort, "WARDEN_OIDC_ROLES_CLAIM",
						"realm_access.roles"));
		awaitHealthy("inference-worker", workerPort);
		awaitHealthy("platform-api", gatewayPort);
		awaitHealthy("admin-ui", consolePort);
		awaitModelAvailable();
		System.out.println("Everything ready after " + Duration.between(started, Instant.now()).toSeconds() + " s");
	}

	@AfterAll
	static void stop() throws Exception {
		for (var process : processes) {
			process.destroy();
		}
		for (var process : processes) {
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		if (keycloak != null) {
			keycloak.close();
		}
	}

	@Test
	void adminApiAnswersByRealmRoleAndRefusesOtherRealmsAndNoToken() throws Exception {
		String url = gateway() + "/api/admin/tenants";
		String body = "{\"name\":\"kc-" + UUID.randomUUID().toString().substring(0, 8) + "\"}";

		var admin = Http.postJson(url, Http.bearer(token("alice")), body);
		var compliance = Http.postJson(url, Http.bearer(token("carol")), body);
		var none = Http.postJson(url, Map.of(), body);
		var otherRealm = Http.postJson(url, Http.bearer(keycloak.adminToken()), body);

		System.out.println("admin API: ADMIN " + admin.status() + ", COMPLIANCE " + compliance.status() + ", no token "
				+ none.status() + ", master realm's token " + otherRealm.status());
		assertThat(admin.status()).as(admin.body()).isEqualTo(201);
		assertThat(compliance.status()).isEqualTo(403);
		assertThat(compliance.json().at("/error/code").asString()).isEqualTo("forbidden");
		assertThat(none.status()).isEqualTo(401);
		assertThat(otherRealm.status()).isEqualTo(401);
	}

	@Test
	void signInAdminWriteComplianceRefusalSignOutAndTheAuditTrailInTheBrowser() throws Exception {
		String cardPage = console() + "/models/" + MODEL + "/versions/123/model-card";
		WebDriver browser = HeadlessChromium.open();
		try {
			var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
			// alice (ADMIN): Keycloak's sign-in page, then the console
			signIn(browser, wait, "alice");
			String header = browser.findElement(By.tagName("header")).getText();
			assertThat(header).contains("alice", "ADMIN")
				.doesNotContain("offline_access", "uma_authorization", "default-roles");

			browser.get(cardPage);
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("edit-comment")))
				.sendKeys("reviewed with Keycloak sign-in");
			browser.findElement(By.cssSelector("form.edit-card button[type=submit]")).click();
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Saved"));
			HeadlessChromium.screenshot(browser, "keycloak-admin-saved.png");

			signOut(browser, wait);
			// signed out at Keycloak too: the console sends the browser to its sign-in
			// page
			browser.get(console() + "/");
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-login")));
			assertThat(browser.getCurrentUrl()).startsWith(keycloak.issuer(REALM) + "/protocol/openid-connect/auth");

			// carol (COMPLIANCE): no edit form; the same post made anyway is refused by
			// platform-api and the refusal shown
			browser.manage().deleteAllCookies();
			signIn(browser, wait, "carol");
			assertThat(browser.findElement(By.tagName("header")).getText()).contains("carol", "COMPLIANCE")
				.doesNotContain("ADMIN");
			browser.get(cardPage);
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Revisions"));
			assertThat(browser.findElements(By.cssSelector("form.edit-card"))).isEmpty();
			((JavascriptExecutor) browser).executeScript("""
					var form = document.createElement('form');
					form.method = 'post';
					form.action = arguments[0];
					for (const [name, value] of [['_csrf', document.querySelector('input[name=_csrf]').value],
							['comment', 'compliance tries to edit'], ['model_details.overview', 'changed']]) {
						var input = document.createElement('input');
						input.type = 'hidden'; input.name = name; input.value = value;
						form.appendChild(input);
					}
					document.body.appendChild(form);
					form.submit();""", cardPage);
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Not saved"));
			String refused = browser.findElement(By.tagName("body")).getText();
			HeadlessChromium.screenshot(browser, "keycloak-compliance-refused.png");
			System.out.println("compliance refusal shown: "
					+ refused.lines().filter((line) -> line.contains("Not saved")).findFirst().orElse(""));
			assertThat(refused).contains("Not saved", "your role does not allow this operation");

			// the audit trail: user names next to subjects, the issuer, Warden roles only
			browser.get(console() + "/audit");
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "model_card.edited"));
			String audit = browser.findElement(By.tagName("body")).getText();
			HeadlessChromium.screenshot(browser, "keycloak-audit.png");
			assertThat(audit).contains("alice", "carol", "user.login", "model_card.edited", keycloak.issuer(REALM))
				.doesNotContain("offline_access", "uma_authorization");
			signOut(browser, wait);
		}
		finally {
			browser.quit();
		}

		JsonNode events = Http.get(gateway() + "/api/admin/audit-events?size=50", Http.bearer(token("carol"))).json();
		JsonNode edit = find(events, "model_card.edited");
		System.out.println("audit model_card.edited: actor " + edit.path("actor").asString() + ", actor_name "
				+ edit.path("actor_name").asString() + ", actor_issuer " + edit.path("actor_issuer").asString()
				+ ", roles " + edit.path("roles"));
		assertThat(edit.path("actor_name").asString()).isEqualTo("alice");
		assertThat(edit.path("actor").asString()).isNotEqualTo("alice").hasSize(36);
		assertThat(edit.path("actor_issuer").asString()).isEqualTo(keycloak.issuer(REALM));
		assertThat(edit.path("roles").toString()).isEqualTo("[\"ADMIN\"]");
		JsonNode login = find(events, "user.login");
		System.out.println("audit user.login: actor_name " + login.path("actor_name").asString() + ", auth_time "
				+ login.at("/details/auth_time").asString() + ", roles " + login.path("roles"));
		assertThat(login.at("/details/auth_time").asString()).isNotEmpty();
	}

	private static void signIn(WebDriver browser, WebDriverWait wait, String user) throws IOException {
		browser.get(console() + "/");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
		browser.findElement(By.id("password")).sendKeys(USERS.get(user).get(0));
		browser.findElement(By.id("kc-login")).click();
		try {
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("header"), "Signed in as"));
		}
		catch (RuntimeException ex) {
			// still on Keycloak's page, which is not the console's: no accessibility
			// check
			HeadlessChromium.screenshotWithoutAccessibilityCheck(browser, "keycloak-signed-in-" + user + ".png");
			throw ex;
		}
		HeadlessChromium.screenshot(browser, "keycloak-signed-in-" + user + ".png");
	}

	private static void signOut(WebDriver browser, WebDriverWait wait) {
		browser.findElement(By.cssSelector("form[action='/logout'] button")).click();
		wait.until(ExpectedConditions.urlToBe(console() + "/signed-out"));
	}

	private static JsonNode find(JsonNode events, String action) {
		for (JsonNode event : events.path("content")) {
			if (action.equals(event.path("action").asString())) {
				return event;
			}
		}
		throw new AssertionError("no " + action + " event in " + events);
	}

	private static String token(String user) throws Exception {
		return keycloak.userToken(REALM, user, USERS.get(user).get(0));
	}

	private static String gateway() {
		return "http://localhost:" + gatewayPort;
	}

	private static String console() {
		return "http://localhost:" + consolePort;
	}

	private static void awaitModelAvailable() throws Exception {
		var deadline = Instant.now().plus(Duration.ofMinutes(2));
		while (Instant.now().isBefore(deadline)) {
			var models = Http.get(gateway() + "/api/admin/models", Http.bearer(token("carol")));
			if (models.status() == 200 && models.body().contains("AVAILABLE")) {
				return;
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("the model did not become AVAILABLE; see " + logs);
	}

	private static void launch(String name, String jar, int port, Map<String, String> env) throws IOException {
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("runnable jar of " + name + " not found at " + jar);
		}
		var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		var builder = new ProcessBuilder(java, "-Xmx512m", "-jar", jar, "--server.port=" + port,
				"--server.address=127.0.0.1")
			.directory(root.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("keycloak-" + name + ".log").toFile()));
		builder.environment().putAll(new HashMap<>(env));
		builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		processes.add(builder.start());
	}

	private static void awaitHealthy(String name, int port) throws Exception {
		var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		var deadline = Instant.now().plus(Duration.ofMinutes(3));
		var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
			.timeout(Duration.ofSeconds(5))
			.build();
		while (Instant.now().isBefore(deadline)) {
			for (var process : processes) {
				if (!process.isAlive()) {
					throw new IllegalStateException("a Warden process exited while starting; see " + logs);
				}
			}
			try {
				if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYetListening) {
				// keep polling
			}
			Thread.sleep(250);
		}
		throw new IllegalStateException(name + " did not become healthy within 3 minutes; see " + logs);
	}

	private static void copyTree(Path source, Path target) throws IOException {
		try (var paths = Files.walk(source)) {
			for (Path path : paths.toList()) {
				Path destination = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(destination);
				}
				else {
					Files.copy(path, destination);
				}
			}
		}
	}

	private static int freePort() throws IOException {
		try (var socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
