package dev.warden.console.system;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;

import static org.assertj.core.api.Assertions.assertThat;

class RolesClaimAuthoritiesMapperTests {

	@Test
	void mapsARolesArrayToRoleAuthorities() {
		var mapped = new RolesClaimAuthoritiesMapper("roles")
			.mapAuthorities(List.of(authority(Map.of("sub", "admin", "roles", List.of("ADMIN", "COMPLIANCE")))));

		assertThat(names(mapped)).contains("ROLE_ADMIN", "ROLE_COMPLIANCE", "OIDC_USER");
	}

	@Test
	void readsNestedClaimsSuchAsKeycloakRealmRoles() {
		var mapped = new RolesClaimAuthoritiesMapper("realm_access.roles").mapAuthorities(
				List.of(authority(Map.of("sub", "x", "realm_access", Map.of("roles", List.of("COMPLIANCE"))))));

		assertThat(names(mapped)).contains("ROLE_COMPLIANCE").doesNotContain("ROLE_ADMIN");
	}

	@Test
	void acceptsASpaceSeparatedString() {
		var mapped = new RolesClaimAuthoritiesMapper("roles")
			.mapAuthorities(List.of(authority(Map.of("sub", "x", "roles", "ADMIN COMPLIANCE"))));

		assertThat(names(mapped)).contains("ROLE_ADMIN", "ROLE_COMPLIANCE");
	}

	@Test
	void grantsNoRoleWithoutTheClaim() {
		var mapped = new RolesClaimAuthoritiesMapper("roles").mapAuthorities(List.of(authority(Map.of("sub", "x"))));

		assertThat(names(mapped)).noneMatch((name) -> name.startsWith("ROLE_"));
	}

	private static OidcUserAuthority authority(Map<String, Object> claims) {
		return new OidcUserAuthority(new OidcIdToken("token", Instant.now(), Instant.now().plusSeconds(60), claims));
	}

	private static List<String> names(java.util.Collection<? extends GrantedAuthority> authorities) {
		return authorities.stream().map(GrantedAuthority::getAuthority).toList();
	}

}
