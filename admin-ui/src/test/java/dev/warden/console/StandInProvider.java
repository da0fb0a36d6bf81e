package dev.warden.console;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in OpenID Connect provider shaped like a Keycloak realm, a real HTTP server:
 * discovery document, authorization endpoint (signs the user in at once, as a provider
 * with a live session does), token endpoint (checks the client secret and the PKCE
 * verifier), userinfo, JWK set and end-session endpoint, all under
 * {@code /realms/warden}. Like Keycloak it writes the realm roles
 * ({@code realm_access.roles}, with its own {@code offline_access} and
 * {@code uma_authorization}) only into the access token, and the user name
 * ({@code preferred_username}) into userinfo; the ID token has the subject (a UUID) only.
 */
public final class StandInProvider implements AutoCloseable {

	public static final String CLIENT_ID = "warden-console";

	public static final String CLIENT_SECRET = "stand-in-secret";

	public static final String REALM_PATH = "/realms/warden";

	private final RSAKey key;

	private final HttpServer server;

	private final String host;

	private final Map<String, Authorization> codes = new ConcurrentHashMap<>();

	private final List<Map<String, String>> endSessions = new CopyOnWriteArrayList<>();

	private final List<String> tokenRequests = new CopyOnWriteArrayList<>();

	private volatile int expiresIn = 300;

	private volatile User user = new User(UUID.randomUUID().toString(), "alice",
			List.of("offline_access", "ADMIN", "uma_authorization", "default-roles-warden"));

	/**
	 * @param host the host name the provider is reached by and writes into {@code iss}
	 * ({@code localhost} or {@code 127.0.0.1})
	 */
	public StandInProvider(String host) throws Exception {
		this.host = host;
		this.key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext(REALM_PATH + "/.well-known/openid-configuration", this::discovery);
		this.server.createContext(REALM_PATH + "/protocol/openid-connect/auth", this::authorize);
		this.server.createContext(REALM_PATH + "/protocol/openid-connect/token", this::token);
		this.server.createContext(REALM_PATH + "/protocol/openid-connect/userinfo", this::userInfo);
		this.server.createContext(REALM_PATH + "/protocol/openid-connect/certs",
				(exchange) -> respond(exchange, 200, new JWKSet(this.key.toPublicJWK()).toString()));
		this.server.createContext(REALM_PATH + "/protocol/openid-connect/logout", (exchange) -> {
			this.endSessions.add(query(exchange.getRequestURI().getRawQuery()));
			respond(exchange, 200, "{\"signed_out\":true}");
		});
		this.server.start();
	}

	/** The issuer: {@code http://<host>:<port>/realms/warden}. */
	public String issuer() {
		return "http://" + this.host + ":" + this.server.getAddress().getPort() + REALM_PATH;
	}

	/** The next sign-ins are this user's. */
	public void signInAs(String subject, String preferredUsername, List<String> realmRoles) {
		this.user = new User(subject, preferredUsername, realmRoles);
	}

	/**
	 * Access tokens from now on live this long and come with a refresh token, which the
	 * token endpoint honours.
	 */
	public void accessTokensFor(int seconds) {
		this.expiresIn = seconds;
	}

	/** The query parameters of every call to the end-session endpoint. */
	public List<Map<String, String>> endSessions() {
		return this.endSessions;
	}

	/** The form bodies of every token request. */
	public List<String> tokenRequests() {
		return this.tokenRequests;
	}

	private void discovery(HttpExchange exchange) throws IOException {
		String base = issuer() + "/protocol/openid-connect";
		respond(exchange, 200, "{\"issuer\":\"" + issuer() + "\",\"authorization_endpoint\":\"" + base
				+ "/auth\",\"token_endpoint\":\"" + base + "/token\",\"userinfo_endpoint\":\"" + base
				+ "/userinfo\",\"jwks_uri\":\"" + base + "/certs\",\"end_session_endpoint\":\"" + base
				+ "/logout\",\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
				+ "\"id_token_signing_alg_values_supported\":[\"RS256\"],\"scopes_supported\":[\"openid\",\"profile\"],"
				+ "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\"],"
				+ "\"code_challenge_methods_supported\":[\"S256\"]}");
	}

	private void authorize(HttpExchange exchange) throws IOException {
		Map<String, String> request = query(exchange.getRequestURI().getRawQuery());
		if (!CLIENT_ID.equals(request.get("client_id")) || !"S256".equals(request.get("code_challenge_method"))
				|| request.get("code_challenge") == null) {
			respond(exchange, 400, "{\"error\":\"invalid_request\"}");
			return;
		}
		String code = UUID.randomUUID().toString();
		this.codes.put(code, new Authorization(request, this.user));
		exchange.getResponseHeaders()
			.add("Location",
					request.get("redirect_uri") + "?code=" + code + "&state="
							+ URLEncoder.encode(request.get("state"), StandardCharsets.UTF_8) + "&iss="
							+ URLEncoder.encode(issuer(), StandardCharsets.UTF_8));
		exchange.sendResponseHeaders(302, -1);
		exchange.close();
	}

	private void token(HttpExchange exchange) throws IOException {
		String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		this.tokenRequests.add(body);
		Map<String, String> form = query(body);
		String basic = "Basic " + Base64.getEncoder()
			.encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
		if ("refresh_token".equals(form.get("grant_type"))) {
			Authorization refreshed = this.codes.get(String.valueOf(form.get("refresh_token")));
			if (!basic.equals(exchange.getRequestHeaders().getFirst("Authorization")) || refreshed == null) {
				respond(exchange, 400, "{\"error\":\"invalid_grant\"}");
				return;
			}
			respond(exchange, 200, tokens(refreshed, false));
			return;
		}
		Authorization authorization = this.codes.remove(String.valueOf(form.get("code")));
		if (!basic.equals(exchange.getRequestHeaders().getFirst("Authorization")) || authorization == null
				|| !"authorization_code".equals(form.get("grant_type"))
				|| !authorization.request().get("redirect_uri").equals(form.get("redirect_uri"))
				|| !challenge(form.get("code_verifier")).equals(authorization.request().get("code_challenge"))) {
			respond(exchange, 400, "{\"error\":\"invalid_grant\"}");
			return;
		}
		respond(exchange, 200, tokens(authorization, true));
	}

	private String tokens(Authorization authorization, boolean withIdToken) {
		User who = authorization.user();
		String accessToken = mint((claims) -> claims.subject(who.subject())
			.audience(List.of("warden-admin-api", "account"))
			.claim("typ", "Bearer")
			.claim("azp", CLIENT_ID)
			.claim("scope", "openid profile")
			.claim("preferred_username", who.preferredUsername())
			.claim("realm_access", Map.of("roles", who.realmRoles())));
		String idToken = mint((claims) -> claims.subject(who.subject())
			.audience(CLIENT_ID)
			.claim("typ", "ID")
			.claim("azp", CLIENT_ID)
			.claim("nonce", authorization.request().get("nonce"))
			.claim("auth_time", Instant.now().getEpochSecond()));
		String refresh = "";
		if (this.expiresIn < 300) {
			String refreshToken = UUID.randomUUID().toString();
			this.codes.put(refreshToken, authorization);
			refresh = ",\"refresh_token\":\"" + refreshToken + "\"";
		}
		return "{\"access_token\":\"" + accessToken + "\"" + (withIdToken ? ",\"id_token\":\"" + idToken + "\"" : "")
				+ refresh + ",\"token_type\":\"Bearer\",\"expires_in\":" + this.expiresIn
				+ ",\"scope\":\"openid profile\"}";
	}

	private void userInfo(HttpExchange exchange) throws IOException {
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		if (authorization == null || !authorization.startsWith("Bearer ")) {
			respond(exchange, 401, "{\"error\":\"invalid_token\"}");
			return;
		}
		String[] parts = authorization.substring(7).split("\\.");
		String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
		String subject = payload.replaceAll(".*\"sub\":\"([^\"]+)\".*", "$1");
		String name = payload.replaceAll(".*\"preferred_username\":\"([^\"]+)\".*", "$1");
		respond(exchange, 200, "{\"sub\":\"" + subject + "\",\"preferred_username\":\"" + name + "\"}");
	}

	private String mint(Consumer<JWTClaimsSet.Builder> claims) {
		try {
			Instant now = Instant.now();
			JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer(issuer())
				.jwtID(UUID.randomUUID().toString())
				.issueTime(Date.from(now))
				.expirationTime(Date.from(now.plusSeconds(300)));
			claims.accept(builder);
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(this.key.getKeyID())
				.type(JOSEObjectType.JWT)
				.build(), builder.build());
			jwt.sign(new RSASSASigner(this.key));
			return jwt.serialize();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String challenge(String verifier) {
		if (verifier == null) {
			return "";
		}
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, String> query(String raw) {
		Map<String, String> out = new LinkedHashMap<>();
		if (raw == null || raw.isEmpty()) {
			return out;
		}
		for (String pair : raw.split("&")) {
			int eq = pair.indexOf('=');
			String name = URLDecoder.decode((eq < 0) ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
			String value = (eq < 0) ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
			out.put(name, value);
		}
		return out;
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	private record User(String subject, String preferredUsername, List<String> realmRoles) {
	}

	private record Authorization(Map<String, String> request, User user) {
	}

}
