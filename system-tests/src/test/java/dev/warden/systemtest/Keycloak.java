package dev.warden.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Keycloak from its server distribution (the Maven artifact
 * {@code org.keycloak:keycloak-quarkus-dist}, unpacked by
 * {@code system-tests/keycloak.sh} into {@code warden.keycloak.home}), started in
 * development mode on a free port, and set up through its admin REST API the way
 * docs/console.md tells an operator to: a realm, the Warden roles, a client scope with an
 * audience mapper for the admin API, the console's confidential client (PKCE, redirect
 * and post-logout redirect URIs) and users.
 */
final class Keycloak implements AutoCloseable {

	static final String ADMIN_USER = "kc-admin";

	static final String ADMIN_PASSWORD = "kc-admin-system-test";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final int port;

	private final Process process;

	private Keycloak(int port, Process process) {
		this.port = port;
		this.process = process;
	}

	/**
	 * Starts {@code kc.sh start-dev} with the bootstrap administrator; answers once the
	 * master realm answers.
	 */
	static Keycloak start(Path home, int port, int managementPort, Path log) throws Exception {
		Path script = home.resolve("bin").resolve("kc.sh");
		if (!Files.isRegularFile(script)) {
			throw new IllegalStateException("no Keycloak at " + home + ": run system-tests/keycloak.sh");
		}
		var builder = new ProcessBuilder("/bin/sh", script.toString(), "start-dev", "--http-port=" + port,
				"--http-management-port=" + managementPort, "--hostname=http://localhost:" + port)
			.directory(home.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
		builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
		builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
		builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx768m");
		var keycloak = new Keycloak(port, builder.start());
		try {
			keycloak.awaitReady(log);
			return keycloak;
		}
		catch (Exception | Error ex) {
			keycloak.close();
			throw ex;
		}
	}

	String url() {
		return "http://localhost:" + this.port;
	}

	/** The issuer of a realm: {@code http://localhost:<port>/realms/<realm>}. */
	String issuer(String realm) {
		return url() + "/realms/" + realm;
	}

	private void awaitReady(Path log) throws Exception {
		var deadline = Instant.now().plus(Duration.ofMinutes(3));
		var request = HttpRequest.newBuilder(URI.create(issuer("master") + "/.well-known/openid-configuration"))
			.timeout(Duration.ofSeconds(5))
			.build();
		while (Instant.now().isBefore(deadline)) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Keycloak exited while starting; see " + log);
			}
			try {
				if (this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return;
				}
			}
			catch (IOException notYetListening) {
				// keep polling
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("Keycloak did not start within 3 minutes; see " + log);
	}

	/**
	 * Creates realm {@code realm} (after deleting an earlier one) with
	 * {@code system-tests/keycloak-realm.sh}, the script docs/console.md gives operators:
	 * the roles {@code ADMIN} and {@code COMPLIANCE}, client scope
	 * {@code warden-admin-api} (an audience mapper, access tokens only), the console's
	 * client with that scope and the users. Then adds what only this test needs: a public
	 * client allowed the password grant, for the test's own admin API calls.
	 * @param users user name → {password, realm role}
	 */
	void createRealm(String realm, String consoleOrigin, String consoleSecret, Map<String, List<String>> users)
			throws Exception {
		String token = adminToken();
		send(token, "DELETE", "/admin/realms/" + realm, null, 204, 404);
		var script = new ProcessBuilder("bash", Path.of("keycloak-realm.sh").toAbsolutePath().toString())
			.redirectErrorStream(true);
		script.environment()
			.putAll(Map.of("KC_URL", url(), "KC_ADMIN", ADMIN_USER, "KC_ADMIN_PASSWORD", ADMIN_PASSWORD, "REALM", realm,
					"CONSOLE_URL", consoleOrigin, "CONSOLE_SECRET", consoleSecret, "USERS",
					users.entrySet()
						.stream()
						.map((e) -> e.getKey() + ":" + e.getValue().get(0) + ":" + e.getValue().get(1))
						.collect(Collectors.joining(" "))));
		var process = script.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
			throw new IllegalStateException("keycloak-realm.sh failed: " + output);
		}
		System.out.print("keycloak-realm.sh: " + output);
		String base = "/admin/realms/" + realm;
		String scope = null;
		for (JsonNode candidate : JSON.readTree(send(token, "GET", base + "/client-scopes", null, 200).body())) {
			if ("warden-admin-api".equals(candidate.path("name").asString())) {
				scope = candidate.path("id").asString();
			}
		}
		String cli = created(send(token, "POST", base + "/clients",
				Map.of("clientId", "warden-system-test", "protocol", "openid-connect", "publicClient", true,
						"standardFlowEnabled", false, "directAccessGrantsEnabled", true),
				201));
		send(token, "PUT", base + "/clients/" + cli + "/default-client-scopes/" + scope, null, 204);
	}

	/**
	 * An access token of a realm's user through the test's public client (password
	 * grant), as any client of the realm would get it.
	 */
	String userToken(String realm, String user, String password) throws Exception {
		return token(realm, "warden-system-test", user, password);
	}

	/** An access token of the master realm's administrator: another issuer. */
	String adminToken() throws Exception {
		return token("master", "admin-cli", ADMIN_USER, ADMIN_PASSWORD);
	}

	private String token(String realm, String client, String user, String password) throws Exception {
		var form = Map
			.of("grant_type", "password", "client_id", client, "username", user, "password", password, "scope",
					"openid")
			.entrySet()
			.stream()
			.map((e) -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		var response = this.http
			.send(HttpRequest.newBuilder(URI.create(issuer(realm) + "/protocol/openid-connect/token"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(
					"no token for " + user + ": " + response.statusCode() + " " + response.body());
		}
		return JSON.readTree(response.body()).path("access_token").asString();
	}

	private HttpResponse<String> send(String token, String method, String path, Object body, int... expected)
			throws Exception {
		var builder = HttpRequest.newBuilder(URI.create(url() + path))
			.header("Authorization", "Bearer " + token)
			.timeout(Duration.ofSeconds(30));
		if (body != null) {
			builder.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
		}
		else {
			builder.method(method, HttpRequest.BodyPublishers.noBody());
		}
		var response = this.http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
		for (int status : expected) {
			if (response.statusCode() == status) {
				return response;
			}
		}
		throw new IllegalStateException(
				method + " " + path + " answered " + response.statusCode() + ": " + response.body());
	}

	/** The id at the end of a 201's {@code Location}. */
	private static String created(HttpResponse<String> response) {
		String location = response.headers().firstValue("Location").orElseThrow();
		return location.substring(location.lastIndexOf('/') + 1);
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

}
