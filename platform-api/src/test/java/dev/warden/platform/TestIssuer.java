package dev.warden.platform;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny token issuer for tests, shaped like a real OpenID Connect provider: a discovery
 * document at {@code /.well-known/openid-configuration} naming the issuer and its
 * {@code jwks_uri} (at Keycloak's path, {@value #JWKS_PATH}, so that nothing can find the
 * keys without reading the document), an RSA key served there as a JWK set, and signed
 * tokens. {@link #answerDiscovery} makes the discovery answer something else.
 * {@link #token} issues what the admin API accepts (an RFC 9068 access token for the
 * audience {@link #AUDIENCE}); {@link #idToken} and {@link #mint} make the tokens it must
 * refuse.
 */
public final class TestIssuer implements AutoCloseable {

	/** The admin API's default resource identifier ({@code warden.security.audience}). */
	public static final String AUDIENCE = "warden-admin-api";

	/**
	 * The client the tokens are issued to (as the embedded issuer's command-line client).
	 */
	public static final String CLIENT_ID = "warden-cli";

	/** {@code typ} of an RFC 9068 access token. */
	public static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");

	/** Where the JWK set is served; only the discovery document says so. */
	public static final String JWKS_PATH = "/protocol/openid-connect/certs";

	private final JWK key;

	private final JWSSigner signer;

	private final JWSAlgorithm algorithm;

	private final HttpServer server;

	private final AtomicInteger discoveryRequests = new AtomicInteger();

	private volatile int discoveryStatus = 200;

	private volatile String discoveryBody;

	public TestIssuer() throws Exception {
		this(new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate());
	}

	/** An issuer that signs with ES256 (an EC P-256 key), as some Keycloak realms do. */
	public static TestIssuer withEcKey() throws Exception {
		return new TestIssuer(new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate());
	}

	private TestIssuer(JWK key) throws Exception {
		this.key = key;
		if (key instanceof RSAKey rsa) {
			this.signer = new RSASSASigner(rsa);
			this.algorithm = JWSAlgorithm.RS256;
		}
		else {
			this.signer = new ECDSASigner((ECKey) key);
			this.algorithm = JWSAlgorithm.ES256;
		}
		byte[] jwks = new JWKSet(this.key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/.well-known/openid-configuration", (exchange) -> {
			this.discoveryRequests.incrementAndGet();
			String body = this.discoveryBody;
			if (body == null) {
				body = "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + JWKS_PATH
						+ "\",\"authorization_endpoint\":\"" + issuer() + "/protocol/openid-connect/auth\","
						+ "\"token_endpoint\":\"" + issuer() + "/protocol/openid-connect/token\"}";
			}
			respond(exchange, this.discoveryStatus, body.getBytes(StandardCharsets.UTF_8));
		});
		this.server.createContext(JWKS_PATH, (exchange) -> respond(exchange, 200, jwks));
		this.server.start();
	}

	private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
		exchange.getResponseHeaders().add("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, (body.length == 0) ? -1 : body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	/**
	 * From now on the discovery document is answered with this status and body;
	 * {@code null} restores the real document (with status 200).
	 */
	public void answerDiscovery(int status, String body) {
		this.discoveryStatus = (body != null) ? status : 200;
		this.discoveryBody = body;
	}

	/** How many times the discovery document was asked for. */
	public int discoveryRequests() {
		return this.discoveryRequests.get();
	}

	public String issuer() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/** An access token for the admin API with the given roles. */
	public String token(String subject, String... roles) {
		return tokenFrom(issuer(), subject, roles);
	}

	/**
	 * The {@code Authorization} header value of an access token for the admin API with
	 * the given roles (for calls that set their own other headers, such as a multipart
	 * upload).
	 */
	public String bearer(String subject, String... roles) {
		return Http.bearer(token(subject, roles));
	}

	/**
	 * Headers of an admin API call as {@code alice} with the role {@code ADMIN}: her
	 * access token and {@code Content-Type: application/json} (for {@link Http#send},
	 * which adds no headers of its own).
	 */
	public String[] admin() {
		return as("alice", "ADMIN");
	}

	/**
	 * Headers of an admin API call as {@code subject} with these roles (see
	 * {@link #admin()}).
	 */
	public String[] as(String subject, String... roles) {
		return new String[] { "Authorization", bearer(subject, roles), "Content-Type", "application/json" };
	}

	/**
	 * An access token for the admin API, claiming to come from another issuer (signed
	 * with this key).
	 */
	public String tokenFrom(String issuer, String subject, String... roles) {
		return mint(ACCESS_TOKEN_TYPE,
				(claims) -> claims.issuer(issuer)
					.subject(subject)
					.audience(List.of(AUDIENCE, CLIENT_ID))
					.claim("client_id", CLIENT_ID)
					.claim("scope", "openid profile")
					.claim("roles", List.of(roles)));
	}

	/**
	 * A client-credentials access token, as the embedded issuer writes it: no user, no
	 * roles, the client's scopes.
	 */
	public String clientToken(String clientId, String... scopes) {
		return mint(ACCESS_TOKEN_TYPE,
				(claims) -> claims.subject(clientId)
					.audience(List.of(AUDIENCE, clientId))
					.claim("client_id", clientId)
					.claim("scope", List.of(scopes)));
	}

	/**
	 * An OpenID Connect ID token as an authorization server issues it next to the access
	 * token: for the client ({@code aud} = {@code azp} = {@link #CLIENT_ID}), with a
	 * {@code nonce} and an {@code at_hash}.
	 */
	public String idToken(String subject, String... roles) {
		return mint(JOSEObjectType.JWT,
				(claims) -> claims.subject(subject)
					.audience(CLIENT_ID)
					.claim("azp", CLIENT_ID)
					.claim("nonce", UUID.randomUUID().toString())
					.claim("at_hash", "x8Ybq3lFv6c0cOkpPxOuUw")
					.claim("roles", List.of(roles)));
	}

	/**
	 * Any token this issuer signs: issuer, a fresh {@code jti}, {@code iat}, {@code nbf}
	 * and a 5-minute {@code exp} are set, then {@code claims} adds or overrides the rest.
	 * @param type the JOSE header {@code typ}, or {@code null} for none
	 */
	public String mint(JOSEObjectType type, Consumer<JWTClaimsSet.Builder> claims) {
		try {
			Instant now = Instant.now();
			JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer(issuer())
				.jwtID(UUID.randomUUID().toString())
				.issueTime(Date.from(now))
				.notBeforeTime(Date.from(now.minusSeconds(5)))
				.expirationTime(Date.from(now.plusSeconds(300)));
			claims.accept(builder);
			JWSHeader.Builder header = new JWSHeader.Builder(this.algorithm).keyID(this.key.getKeyID());
			if (type != null) {
				header.type(type);
			}
			SignedJWT jwt = new SignedJWT(header.build(), builder.build());
			jwt.sign(this.signer);
			return jwt.serialize();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() throws IOException {
		this.server.stop(0);
	}

}
