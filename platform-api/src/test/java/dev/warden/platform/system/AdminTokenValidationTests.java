package dev.warden.platform.system;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;

import dev.warden.platform.TestIssuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which tokens the admin API's decoder accepts (finding 3 of the penetration test: an ID
 * token was accepted as an admin credential). The decoder is the application's own
 * ({@link SecurityConfiguration#jwtDecoder}), fetching the signing key over HTTP from a
 * test issuer; the tokens mimic what the embedded issuer, Keycloak and generic providers
 * (Entra ID, Okta) issue. The same decoder over the running API:
 * {@code AdminApiIntegrationTests}.
 */
class AdminTokenValidationTests {

	static TestIssuer issuer;

	static JwtDecoder decoder;

	@BeforeAll
	static void start() throws Exception {
		issuer = new TestIssuer();
		decoder = decoder(TestIssuer.AUDIENCE);
	}

	@AfterAll
	static void stop() throws Exception {
		issuer.close();
	}

	private static JwtDecoder decoder(String audience) {
		return new SecurityConfiguration().jwtDecoder(properties(issuer.issuer(), "", audience));
	}

	static SecurityProperties properties(String issuer, String jwkSetUri, String audience) {
		return new SecurityProperties(issuer, jwkSetUri, "roles", "preferred_username", audience, Duration.ofSeconds(2),
				Duration.ZERO);
	}

	@Test
	void embeddedIssuerAccessTokenIsAccepted() {
		assertThat(decoder.decode(issuer.token("alice", "ADMIN")).getSubject()).isEqualTo("alice");
	}

	@Test
	void idTokenForTheClientIsRefusedForItsAudience() {
		// what the penetration test used: the ID token the embedded issuer hands to
		// warden-cli next to the access token
		assertThatExceptionOfType(JwtValidationException.class)
			.isThrownBy(() -> decoder.decode(issuer.idToken("alice", "ADMIN")))
			.withMessageContaining("aud");
	}

	@Test
	void idTokenThatCarriesTheApiAudienceIsRefusedForItsIdTokenClaims() {
		// a provider configured to put the API's audience into ID tokens as well
		String idToken = issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject("alice")
					.audience(List.of(TestIssuer.CLIENT_ID, TestIssuer.AUDIENCE))
					.claim("nonce", "n-0S6_WzA2Mj")
					.claim("roles", List.of("ADMIN")));
		String withAtHash = issuer.mint(null,
				(claims) -> claims.subject("alice")
					.audience(TestIssuer.AUDIENCE)
					.claim("at_hash", "x8Ybq3lFv6c0cOkpPxOuUw")
					.claim("roles", List.of("ADMIN")));

		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> decoder.decode(idToken))
			.withMessageContaining("nonce");
		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> decoder.decode(withAtHash))
			.withMessageContaining("at_hash");
	}

	@Test
	void keycloakIdTokenIsRefusedAndKeycloakAccessTokenAccepted() {
		// Keycloak: header typ JWT on both; the claim typ tells them apart; older
		// releases copy the nonce into both
		String idToken = issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject(UUID.randomUUID().toString())
					.audience(List.of("warden-console", TestIssuer.AUDIENCE))
					.claim("typ", "ID")
					.claim("azp", "warden-console")
					.claim("roles", List.of("ADMIN")));
		String accessToken = issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject("kc-user")
					.audience(List.of(TestIssuer.AUDIENCE, "account"))
					.claim("typ", "Bearer")
					.claim("azp", "warden-console")
					.claim("nonce", "n-0S6_WzA2Mj")
					.claim("scope", "openid profile")
					.claim("roles", List.of("ADMIN")));
		String refreshToken = issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject("kc-user").audience(TestIssuer.AUDIENCE).claim("typ", "Refresh"));

		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> decoder.decode(idToken))
			.withMessageContaining("'ID' is not an access token");
		assertThat(decoder.decode(accessToken).getSubject()).isEqualTo("kc-user");
		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> decoder.decode(refreshToken));
	}

	@Test
	void genericAccessTokenWithoutTypeMarkersIsAccepted() {
		// Entra ID / Okta: header typ JWT or none, no typ claim, azp and scp as they like
		String entra = issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject("entra-user")
					.audience(TestIssuer.AUDIENCE)
					.claim("azp", "3f1c0d6e-console")
					.claim("scp", "admin")
					.claim("roles", List.of("ADMIN")));
		String untyped = issuer.mint(null,
				(claims) -> claims.subject("okta-user")
					.audience(TestIssuer.AUDIENCE)
					.claim("cid", "0oa1console")
					.claim("roles", List.of("COMPLIANCE")));

		assertThat(decoder.decode(entra).getSubject()).isEqualTo("entra-user");
		assertThat(decoder.decode(untyped).getSubject()).isEqualTo("okta-user");
	}

	@Test
	void accessTokenForAnotherAudienceOrNoneIsRefused() {
		String otherApi = issuer.mint(TestIssuer.ACCESS_TOKEN_TYPE,
				(claims) -> claims.subject("alice").audience("billing-api").claim("roles", List.of("ADMIN")));
		String noAudience = issuer.mint(TestIssuer.ACCESS_TOKEN_TYPE,
				(claims) -> claims.subject("alice").claim("roles", List.of("ADMIN")));

		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> decoder.decode(otherApi));
		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> decoder.decode(noAudience));
	}

	@Test
	void tokenOfAnotherJoseTypeIsRefused() {
		String logoutToken = issuer.mint(new JOSEObjectType("logout+jwt"),
				(claims) -> claims.subject("alice").audience(TestIssuer.AUDIENCE).claim("roles", List.of("ADMIN")));

		assertThatExceptionOfType(JwtValidationException.class).isThrownBy(() -> decoder.decode(logoutToken));
	}

	@Test
	void configuredAudienceReplacesTheDefault() {
		JwtDecoder entraDecoder = decoder("api://warden-admin");
		String forEntraApi = issuer.mint(JOSEObjectType.JWT,
				(claims) -> claims.subject("entra-user")
					.audience("api://warden-admin")
					.claim("roles", List.of("ADMIN")));

		assertThat(entraDecoder.decode(forEntraApi).getSubject()).isEqualTo("entra-user");
		assertThatExceptionOfType(JwtValidationException.class)
			.isThrownBy(() -> entraDecoder.decode(issuer.token("alice", "ADMIN")))
			.withMessageContaining("aud");
	}

	@Test
	void emptyAudienceIsNotAValidSetting() {
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> properties(issuer.issuer(), "", " "))
			.withMessageContaining("warden.security.audience");
	}

}
