package dev.warden.console.system;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.authority.mapping.GrantedAuthoritiesMapper;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;
import org.springframework.security.oauth2.core.user.OAuth2UserAuthority;

/**
 * Turns the roles claim of the signed-in user ({@code ["ADMIN"]}) into authorities
 * ({@code ROLE_ADMIN}), keeping the authorities Spring Security derived itself. The claim
 * may be an array or a space/comma separated string, and may be nested
 * ({@code realm_access.roles}).
 */
class RolesClaimAuthoritiesMapper implements GrantedAuthoritiesMapper {

	private final String[] claimPath;

	RolesClaimAuthoritiesMapper(String rolesClaim) {
		this.claimPath = rolesClaim.split("\\.");
	}

	@Override
	public Collection<? extends GrantedAuthority> mapAuthorities(Collection<? extends GrantedAuthority> authorities) {
		Set<GrantedAuthority> mapped = new LinkedHashSet<>(authorities);
		for (GrantedAuthority authority : authorities) {
			if (authority instanceof OidcUserAuthority oidc) {
				addRoles(mapped, oidc.getIdToken().getClaims());
				if (oidc.getUserInfo() != null) {
					addRoles(mapped, oidc.getUserInfo().getClaims());
				}
			}
			else if (authority instanceof OAuth2UserAuthority user) {
				addRoles(mapped, user.getAttributes());
			}
		}
		return mapped;
	}

	private void addRoles(Set<GrantedAuthority> authorities, Map<String, Object> claims) {
		Object value = claims;
		for (String segment : this.claimPath) {
			if (!(value instanceof Map<?, ?> map)) {
				return;
			}
			value = map.get(segment);
		}
		if (value instanceof Collection<?> roles) {
			roles.forEach((role) -> addRole(authorities, String.valueOf(role)));
		}
		else if (value instanceof String roles) {
			for (String role : roles.split("[\\s,]+")) {
				addRole(authorities, role);
			}
		}
	}

	private static void addRole(Set<GrantedAuthority> authorities, String role) {
		if (!role.isBlank()) {
			authorities.add(new SimpleGrantedAuthority("ROLE_" + role.trim()));
		}
	}

}
