package dev.warden.platform.system;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

import dev.warden.platform.TestIssuer;
import dev.warden.platform.system.internal.DiscoveringJwtDecoder.IdentityProviderUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The admin API's decoder finds the provider's signing keys through its discovery
 * document, given only the issuer, against a stand-in provider (a real HTTP server whose
 * JWK set is at Keycloak's path, not at the embedded server's {@code /oauth2/jwks}); a
 * provider that cannot be reached or answers nonsense makes the decoder say the provider
 * is unavailable (503 over HTTP, {@code ExternalProviderIntegrationTests}); and roles and
 * the user name are read from Keycloak-shaped access tokens by claim path, keeping only
 * Warden's roles.
 */
class ProviderDiscoveryTests {

	TestIssuer issuer;

	@BeforeEach
	void start() throws Exception {
		this.issuer = new TestIssuer();
	}

	@AfterEach
	void stop() throws Exception {
		this.issuer.close();
	}

	private JwtDecoder decoder(String issuerUri, String jwkSetUri) {
		return new SecurityConfiguration()
			.jwtDecoder(AdminTokenValidationTests.properties(issuerUri, jwkSetUri, TestIssuer.AUDIENCE));
	}

	@Test
	void keysAreFoundThroughTheDiscoveryDocumentOnTheFirstTokenOnly() {
		JwtDecoder decoder = decoder(this.issuer.issuer(), "");
		assertThat(this.issuer.discoveryRequests()).isZero();

		assertThat(decoder.decode(this.issuer.token("alice", "ADMIN")).getSubject()).isEqualTo("alice");
		assertThat(decoder.decode(this.issuer.token("bob", "ADMIN")).getSubject()).isEqualTo("bob");
		assertThat(this.issuer.discoveryRequests()).isEqualTo(1);
	}

	@Test
	void tokensSignedWithAnEcKeyAreVerifiedButAnHmacTokenIsNot() throws Exception {
		try (TestIssuer ec = TestIssuer.withEcKey()) {
			JwtDecoder decoder = decoder(ec.issuer(), "");

			assertThat(decoder.decode(ec.token("alice", "ADMIN")).getSubject()).isEqualTo("alice");
		}
		// HS256 signed with a secret an attacker chose: no key of the set verifies it
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).build();
		SignedJWT forged = new SignedJWT(header,
				new JWTClaimsSet.Builder().issuer(this.issuer.issuer())
					.subject("mallory")
					.audience(TestIssuer.AUDIENCE)
					.expirationTime(new Date(System.currentTimeMillis() + 60_000))
					.build());
		forged.sign(new MACSigner(new byte[32]));
		assertThatExceptionOfType(BadJwtException.class)
			.isThrownBy(() -> decoder(this.issuer.issuer(), "").decode(forged.serialize()));
	}

	@Test
	void configuredJwkSetUriSkipsDiscovery() {
		JwtDecoder decoder = decoder(this.issuer.issuer(), this.issuer.issuer() + TestIssuer.JWKS_PATH);

		assertThat(decoder.decode(this.issuer.token("alice", "ADMIN")).getSubject()).isEqualTo("alice");
		assertThat(this.issuer.discoveryRequests()).isZero();
	}

	@Test
	void discoveryDocumentNamingAnotherIssuerIsRefusedSayingWhy() {
		// the provider reached as 127.0.0.1 but configured (and writing its tokens) as
		// localhost: the host names must agree
		String asLocalhost = this.issuer.issuer().replace("127.0.0.1", "localhost");
		JwtDecoder decoder = decoder(asLocalhost, "");

		assertThatExceptionOfType(IdentityProviderUnavailableException.class)
			.isThrownBy(() -> decoder.decode(this.issuer.tokenFrom(asLocalhost, "alice", "ADMIN")))
			.withMessageContaining("names the issuer '" + this.issuer.issuer() + "', not '" + asLocalhost + "'")
			.withMessageContaining("host name");
	}

	@Test
	void nonsenseFromTheProviderMakesItUnavailableAndItRecovers() {
		JwtDecoder decoder = decoder(this.issuer.issuer(), "");
		String token = this.issuer.token("alice", "ADMIN");

		this.issuer.answerDiscovery(404, "{\"error\":\"not found\"}");
		assertThatExceptionOfType(IdentityProviderUnavailableException.class).isThrownBy(() -> decoder.decode(token))
			.withMessageContaining("answered HTTP 404");
		this.issuer.answerDiscovery(200, "<html>sign in</html>");
		assertThatExceptionOfType(IdentityProviderUnavailableException.class).isThrownBy(() -> decoder.decode(token))
			.withMessageContaining("is not JSON");
		this.issuer.answerDiscovery(200, "[1,2]");
		assertThatExceptionOfType(IdentityProviderUnavailableException.class).isThrownBy(() -> decoder.decode(token))
			.withMessageContaining("not a JSON object");
		this.issuer.answerDiscovery(200, "{\"issuer\":\"" + this.issuer.issuer() + "\"}");
		assertThatExceptionOfType(IdentityProviderUnavailableException.class).isThrownBy(() -> decoder.decode(token))
			.withMessageContaining("no \"jwks_uri\"");
		this.issuer.answerDiscovery(200,
				"{\"issuer\":\"" + this.issuer.issuer() + "\",\"jwks_uri\":\"" + this.issuer.issuer() + "/nothing\"}");
		assertThatExceptionOfType(IdentityProviderUnavailableException.class).isThrownBy(() -> decoder.decode(token))
			.withMessageContaining("signing keys");

		// a JWK set that could not be read sends the decoder back to discovery
		this.issuer.answerDiscovery(200, null);
		assertThat(decoder.decode(token).getSubject()).isEqualTo("alice");
	}

	@Test
	void unreachableProviderIsUnavailableButAMalformedTokenIsStillRefusedAsSuch() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		String nowhere = "http://127.0.0.1:" + closedPort;
		JwtDecoder decoder = decoder(nowhere, "");

		assertThatExceptionOfType(IdentityProviderUnavailableException.class)
			.isThrownBy(() -> decoder.decode(this.issuer.tokenFrom(nowhere, "alice", "ADMIN")))
			.withMessageContaining("could not read " + nowhere + "/.well-known/openid-configuration");
		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decoder.decode("not-a-token"));
	}

	@Test
	void failedDiscoveryIsNotRetriedBeforeTheRetryInterval() {
		JwtDecoder decoder = new SecurityConfiguration().jwtDecoder(new SecurityProperties(this.issuer.issuer(), "",
				"roles", "preferred_username", TestIssuer.AUDIENCE, Duration.ofSeconds(2), Duration.ofHours(1)));
		String token = this.issuer.token("alice", "ADMIN");
		this.issuer.answerDiscovery(500, "{}");

		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(IdentityProviderUnavailableException.class)
				.isThrownBy(() -> decoder.decode(token));
		}
		assertThat(this.issuer.discoveryRequests()).isEqualTo(1);
	}

	@Test
	void keycloakRealmRolesAndUserNameAreReadByClaimPathAndOnlyWardenRolesKept() {
		JwtDecoder decoder = decoder(this.issuer.issuer(), "");
		Jwt jwt = decoder.decode(this.issuer.mint(JOSEObjectType.JWT, (claims) -> claims
			.subject("8f1c2a44-0d1e-4a55-9c1e-6f3b2d9a7e10")
			.audience(List.of(TestIssuer.AUDIENCE, "account"))
			.claim("typ", "Bearer")
			.claim("azp", "warden-console")
			.claim("preferred_username", "alice")
			.claim("scope", "openid profile")
			.claim("realm_access",
					Map.of("roles", List.of("offline_access", "ADMIN", "uma_authorization", "default-roles-warden")))
			.claim("resource_access", Map.of("warden-console", Map.of("roles", List.of("COMPLIANCE", "viewer"))))));

		AdminTokenAuthentication realm = authenticate(jwt, "realm_access.roles");
		assertThat(authorities(realm)).containsExactly("ROLE_ADMIN", "SCOPE_openid", "SCOPE_profile");
		assertThat(realm.userName()).isEqualTo("alice");
		assertThat(realm.subject()).isEqualTo("8f1c2a44-0d1e-4a55-9c1e-6f3b2d9a7e10");
		assertThat(realm.getName()).isEqualTo(realm.subject());
		assertThat(realm.issuer()).isEqualTo(this.issuer.issuer());

		assertThat(authorities(authenticate(jwt, "resource_access.warden-console.roles")))
			.containsExactly("ROLE_COMPLIANCE", "SCOPE_openid", "SCOPE_profile");
		// the plain claim is absent from this token: no role at all, every call 403
		assertThat(authorities(authenticate(jwt, "roles"))).containsExactly("SCOPE_openid", "SCOPE_profile");
	}

	@Test
	void tokenWithoutTheUserNameClaimHasNoUserName() {
		Jwt jwt = decoder(this.issuer.issuer(), "").decode(this.issuer.token("alice", "ADMIN", "owner"));

		AdminTokenAuthentication authentication = authenticate(jwt, "roles");
		assertThat(authentication.userName()).isNull();
		assertThat(authorities(authentication)).contains("ROLE_ADMIN").doesNotContain("ROLE_owner");
	}

	private AdminTokenAuthentication authenticate(Jwt jwt, String rolesClaim) {
		return (AdminTokenAuthentication) SecurityConfiguration
			.adminAuthentication(new SecurityProperties(this.issuer.issuer(), "", rolesClaim, "preferred_username",
					TestIssuer.AUDIENCE, Duration.ofSeconds(2), Duration.ZERO))
			.convert(jwt);
	}

	private static List<String> authorities(AdminTokenAuthentication authentication) {
		return authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
	}

}
