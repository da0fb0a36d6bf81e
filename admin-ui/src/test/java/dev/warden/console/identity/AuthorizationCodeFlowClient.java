package dev.warden.console.identity;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Obtains tokens from Warden's embedded authorization server the way a browser and a
 * command-line client would: the OAuth2 authorization code flow with PKCE, signing in
 * through the HTML form, for the tests here and the system tests that need an admin API
 * access token.
 *
 * <pre>
 * var flow = new AuthorizationCodeFlowClient(URI.create("http://localhost:8090"));
 * String accessToken = flow.obtainTokens("admin", "admin-local").accessToken();
 * </pre>
 *
 * Steps: GET {@code /oauth2/authorize} (client {@code warden-cli}, S256 challenge) is
 * redirected to the sign-in page; GET {@code /login} yields the CSRF token; POST
 * {@code /login} signs in and is redirected back to the authorize request; that is
 * redirected to the client's redirect URI with {@code ?code=}; POST {@code /oauth2/token}
 * with the code and the verifier returns the tokens. Nothing needs to listen on the
 * redirect URI. Not thread safe: use one instance per user session. Depends on the JDK
 * and Jackson only; the system tests use it from this module's test jar.
 */
public final class AuthorizationCodeFlowClient {

	public static final String CLI_CLIENT_ID = "warden-cli";

	public static final String CLI_REDIRECT_URI = "http://127.0.0.1:8765/callback";

	private static final Pattern CSRF = Pattern
		.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"|value=\"([^\"]+)\"\\s+name=\"_csrf\"");

	private static final int MAX_REDIRECTS = 10;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final URI issuer;

	private final String clientId;

	private final String redirectUri;

	private final HttpClient http;

	private final SecureRandom random = new SecureRandom();

	/** Headers sent with every request, as name, value, name, value… */
	private final List<String> headers = new ArrayList<>();

	public AuthorizationCodeFlowClient(URI issuer) {
		this(issuer, CLI_CLIENT_ID, CLI_REDIRECT_URI);
	}

	public AuthorizationCodeFlowClient(URI issuer, String clientId, String redirectUri) {
		this.issuer = URI.create(issuer.toString().replaceAll("/+$", ""));
		this.clientId = clientId;
		this.redirectUri = redirectUri;
		this.http = HttpClient.newBuilder()
			.cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.version(HttpClient.Version.HTTP_1_1)
			.build();
	}

	/**
	 * Signs in as the given user and exchanges the authorization code for tokens.
	 * @throws SignInFailedException if the credentials are rejected or the server does
	 * not answer as expected
	 */
	public Tokens obtainTokens(String username, String password) throws IOException, InterruptedException {
		String verifier = randomToken();
		String state = randomToken();
		URI authorize = URI.create(this.issuer + "/oauth2/authorize?"
				+ form(Map.of("response_type", "code", "client_id", this.clientId, "redirect_uri", this.redirectUri,
						"scope", "openid profile", "state", state, "code_challenge", challenge(verifier),
						"code_challenge_method", "S256")));
		HttpResponse<String> response = followRedirects(get(authorize));
		if (response.statusCode() != 200 || csrfToken(response.body()).isEmpty()) {
			throw new SignInFailedException("expected the sign-in form, got " + describe(response));
		}
		response = signIn(username, password);
		String callback = followRedirects(response).headers().firstValue("Location").orElse("");
		if (!callback.startsWith(this.redirectUri)) {
			throw new SignInFailedException("sign-in did not lead to the redirect URI: " + describe(response));
		}
		Map<String, String> parameters = query(URI.create(callback));
		if (!state.equals(parameters.get("state")) || parameters.get("code") == null) {
			throw new SignInFailedException("no code or a wrong state in " + callback);
		}
		HttpResponse<String> token = postForm(URI.create(this.issuer + "/oauth2/token"),
				Map.of("grant_type", "authorization_code", "code", parameters.get("code"), "redirect_uri",
						this.redirectUri, "client_id", this.clientId, "code_verifier", verifier));
		if (token.statusCode() != 200) {
			throw new SignInFailedException("token request failed: " + describe(token));
		}
		return new Tokens(jsonString(token.body(), "access_token"), jsonString(token.body(), "id_token"), token.body());
	}

	/**
	 * Posts the sign-in form (after fetching it for its CSRF token); answers the server's
	 * redirect.
	 */
	public HttpResponse<String> signIn(String username, String password) throws IOException, InterruptedException {
		HttpResponse<String> response = postSignInForm(username, password);
		String location = response.headers().firstValue("Location").orElse("");
		if (response.statusCode() != 302 || location.contains("/login?error")) {
			throw new SignInFailedException("sign-in rejected for " + username + ": " + describe(response));
		}
		return response;
	}

	/**
	 * Opens the console at the issuer's origin and signs in as a browser would: the
	 * console sends it through its OpenID Connect login to the sign-in page, the form is
	 * posted, and the redirects are followed back.
	 * @return the page the console shows after signing in (the dashboard)
	 * @throws SignInFailedException if the console does not lead to the sign-in page or
	 * the sign-in is rejected
	 */
	public HttpResponse<String> signInToConsole(String username, String password)
			throws IOException, InterruptedException {
		HttpResponse<String> signInPage = followRedirects(get(URI.create(this.issuer + "/")));
		if (!signInPage.uri().getPath().equals("/login")) {
			throw new SignInFailedException("the console did not lead to the sign-in page: " + describe(signInPage));
		}
		return followRedirects(signIn(username, password));
	}

	/**
	 * Fetches the sign-in page for its CSRF token and posts the form; answers whatever
	 * the server answered (a redirect, or a refusal such as 429).
	 */
	public HttpResponse<String> postSignInForm(String username, String password)
			throws IOException, InterruptedException {
		URI signInPage = URI.create(this.issuer + "/login");
		HttpResponse<String> page = get(signInPage);
		String csrf = csrfToken(page.body())
			.orElseThrow(() -> new SignInFailedException("no CSRF token on the sign-in page: " + describe(page)));
		return postForm(signInPage, Map.of("username", username, "password", password, "_csrf", csrf));
	}

	/**
	 * Sends the header with every later request of this client, as a proxy in front of
	 * the browser would (e.g. {@code X-Forwarded-For}), or an attacker ({@code Host}: the
	 * JDK client sends a {@code Host} header only when started with
	 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}).
	 */
	public AuthorizationCodeFlowClient withHeader(String name, String value) {
		this.headers.add(name);
		this.headers.add(value);
		return this;
	}

	/**
	 * Follows redirects while they stay on the issuer's origin; answers the last
	 * response.
	 */
	public HttpResponse<String> followRedirects(HttpResponse<String> response)
			throws IOException, InterruptedException {
		HttpResponse<String> current = response;
		for (int i = 0; i < MAX_REDIRECTS; i++) {
			Optional<String> location = current.headers().firstValue("Location");
			if (current.statusCode() / 100 != 3 || location.isEmpty()) {
				return current;
			}
			URI next = current.uri().resolve(location.get());
			if (!sameOrigin(next, this.issuer)) {
				return current;
			}
			current = get(next);
		}
		throw new SignInFailedException("too many redirects, last: " + describe(current));
	}

	public HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
		return this.http.send(request(uri).header("Accept", "text/html").GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	public HttpResponse<String> postForm(URI uri, Map<String, String> fields) throws IOException, InterruptedException {
		return post(uri, "application/x-www-form-urlencoded", form(fields));
	}

	/** Posts a body of any content type, well-formed or not. */
	public HttpResponse<String> post(URI uri, String contentType, String body)
			throws IOException, InterruptedException {
		return this.http.send(request(uri).header("Content-Type", contentType)
			.header("Accept", "text/html,application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Sends a request with any method and no body, with the session's cookies. */
	public HttpResponse<String> send(String method, URI uri) throws IOException, InterruptedException {
		return this.http.send(request(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest.Builder request(URI uri) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
		return this.headers.isEmpty() ? request : request.headers(this.headers.toArray(String[]::new));
	}

	/** The CSRF token of the first form in an HTML page. */
	public static Optional<String> csrfToken(String html) {
		Matcher matcher = CSRF.matcher(html);
		return matcher.find() ? Optional.of((matcher.group(1) != null) ? matcher.group(1) : matcher.group(2))
				: Optional.empty();
	}

	/** The JSON payload (claims) of a JWT, decoded but not verified. */
	public static String jwtPayload(String jwt) {
		return jwtPart(jwt, 1);
	}

	/** The JOSE header of a JWT as JSON. */
	public static String jwtHeader(String jwt) {
		return jwtPart(jwt, 0);
	}

	private static String jwtPart(String jwt, int index) {
		String[] parts = jwt.split("\\.");
		if (parts.length < 2) {
			throw new IllegalArgumentException("not a JWT");
		}
		return new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8);
	}

	private String randomToken() {
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static String challenge(String verifier) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean sameOrigin(URI a, URI b) {
		return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
				&& a.getPort() == b.getPort();
	}

	private static String form(Map<String, String> fields) {
		return fields.entrySet()
			.stream()
			.map((field) -> encode(field.getKey()) + "=" + encode(field.getValue()))
			.collect(Collectors.joining("&"));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static Map<String, String> query(URI uri) {
		Map<String, String> parameters = new LinkedHashMap<>();
		if (uri.getRawQuery() != null) {
			for (String pair : uri.getRawQuery().split("&")) {
				int eq = pair.indexOf('=');
				String name = (eq < 0) ? pair : pair.substring(0, eq);
				String value = (eq < 0) ? "" : pair.substring(eq + 1);
				parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
						URLDecoder.decode(value, StandardCharsets.UTF_8));
			}
		}
		return parameters;
	}

	/** A top-level string field of a JSON object, {@code null} when it has none. */
	private static String jsonString(String json, String field) {
		JsonNode value = JSON.readTree(json).path(field);
		return value.isString() ? value.asString() : null;
	}

	private static String describe(HttpResponse<String> response) {
		return response.statusCode() + " " + response.uri() + " Location="
				+ response.headers().firstValue("Location").orElse("-");
	}

	/**
	 * Tokens from the token endpoint.
	 *
	 * @param accessToken the access token (a JWT carrying {@code sub} and {@code roles})
	 * @param idToken the OpenID Connect ID token
	 * @param json the raw token response
	 */
	public record Tokens(String accessToken, String idToken, String json) {

		/** The access token's claims as JSON. */
		public String accessTokenClaims() {
			return jwtPayload(this.accessToken);
		}

	}

	/** The authorization server did not sign the user in or did not hand out tokens. */
	public static final class SignInFailedException extends IllegalStateException {

		SignInFailedException(String message) {
			super(message);
		}

	}

}
