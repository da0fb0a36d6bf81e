package dev.warden.console.system;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the console finds a user's roles and name: the ID token, userinfo and the access
 * token, by claim path, keeping only Warden's roles.
 */
class ConsoleOidcUserServiceTests {

	private static final OidcIdToken KEYCLOAK_ID_TOKEN = idToken(Map.of("sub", "8f1c2a44", "typ", "ID"));

	@Test
	void keycloakRealmRolesOnlyInTheAccessTokenAreFound() {
		OidcUser user = new ConsoleOidcUserService("realm_access.roles", "preferred_username").user(
				List.of(new OidcUserAuthority(KEYCLOAK_ID_TOKEN), new SimpleGrantedAuthority("SCOPE_openid")),
				KEYCLOAK_ID_TOKEN, null,
				List.of(KEYCLOAK_ID_TOKEN.getClaims(), ConsoleOidcUserService
					.jwtClaims(jwt("{\"sub\":\"8f1c2a44\",\"preferred_username\":\"alice\","
							+ "\"realm_access\":{\"roles\":[\"offline_access\",\"ADMIN\",\"uma_authorization\"]}}"))));

		assertThat(names(user)).containsExactlyInAnyOrder("OIDC_USER", "SCOPE_openid", "ROLE_ADMIN");
		assertThat(user.getName()).isEqualTo("alice");
		assertThat(user.getSubject()).isEqualTo("8f1c2a44");
	}

	@Test
	void rolesOfIdTokenAndUserInfoAddUpAndTheFirstUserNameWins() {
		OidcIdToken idToken = idToken(Map.of("sub", "u-1", "roles", List.of("ADMIN"), "preferred_username", "from-id"));
		OidcUserInfo userInfo = new OidcUserInfo(
				Map.of("sub", "u-1", "roles", "COMPLIANCE owner", "preferred_username", "from-userinfo"));

		OidcUser user = new ConsoleOidcUserService("roles", "preferred_username").user(List.of(), idToken, userInfo,
				List.of(idToken.getClaims(), userInfo.getClaims()));

		assertThat(names(user)).containsExactlyInAnyOrder("ROLE_ADMIN", "ROLE_COMPLIANCE");
		assertThat(user.getName()).isEqualTo("from-id");
	}

	@Test
	void withoutTheUserNameClaimTheSubjectIsTheNameAndRolesSpringAddedAreNotKept() {
		OidcIdToken idToken = idToken(Map.of("sub", "u-2"));

		OidcUser user = new ConsoleOidcUserService("roles", "preferred_username").user(
				List.of(new SimpleGrantedAuthority("ROLE_USER")), idToken, null,
				List.of(idToken.getClaims(), ConsoleOidcUserService.jwtClaims("opaque-access-token")));

		assertThat(names(user)).isEmpty();
		assertThat(user.getName()).isEqualTo("u-2");
	}

	@Test
	void accessTokenThatIsNoJwtGivesNoClaims() {
		assertThat(ConsoleOidcUserService.jwtClaims("a.b.c")).isEmpty();
		assertThat(ConsoleOidcUserService.jwtClaims(jwt("[1]"))).isEmpty();
		assertThat(ConsoleOidcUserService.jwtClaims(null)).isEmpty();
	}

	private static OidcIdToken idToken(Map<String, Object> claims) {
		return new OidcIdToken("id-token", Instant.now(), Instant.now().plusSeconds(60), claims);
	}

	private static String jwt(String payload) {
		Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
		return encoder.encodeToString("{\"alg\":\"RS256\"}".getBytes()) + "."
				+ encoder.encodeToString(payload.getBytes()) + ".c2ln";
	}

	private static List<String> names(OidcUser user) {
		return user.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
	}

}
