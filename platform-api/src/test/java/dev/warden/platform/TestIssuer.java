package dev.warden.platform;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/** A tiny token issuer for tests: an RSA key, its JWK set served over HTTP, and signed access tokens. */
public final class TestIssuer implements AutoCloseable {

	private final RSAKey key;

	private final HttpServer server;

	public TestIssuer() throws Exception {
		this.key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		byte[] jwks = new JWKSet(this.key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/oauth2/jwks", (exchange) -> {
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, jwks.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(jwks);
			}
		});
		this.server.start();
	}

	public String issuer() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	public String token(String subject, String... roles) {
		return tokenFrom(issuer(), subject, roles);
	}

	public String tokenFrom(String issuer, String subject, String... roles) {
		return sign(claims(issuer, subject).claim("roles", List.of(roles)).build());
	}

	/** A client-credentials token: no user, no roles, the client's scopes (as the embedded issuer writes them). */
	public String clientToken(String clientId, String... scopes) {
		return sign(claims(issuer(), clientId).claim("scope", List.of(scopes)).build());
	}

	private static JWTClaimsSet.Builder claims(String issuer, String subject) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(issuer)
			.subject(subject)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now.minusSeconds(5)))
			.expirationTime(Date.from(now.plusSeconds(300)));
	}

	private String sign(JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(this.key.getKeyID())
				.type(JOSEObjectType.JWT)
				.build(), claims);
			jwt.sign(new RSASSASigner(this.key));
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
