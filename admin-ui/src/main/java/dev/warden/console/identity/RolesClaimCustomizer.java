package dev.warden.console.identity;

import java.util.ArrayList;
import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Puts the signed-in user's roles into access and ID tokens as the {@code roles} claim (a
 * JSON array such as {@code ["ADMIN"]}), which is what platform-api's resource server
 * reads.
 *
 * <p>
 * Roles are looked up by user name in the configured user store rather than taken from
 * the principal's authorities: the console and the authorization server share one
 * session, so the principal may be the console's OIDC login rather than the form login.
 */
class RolesClaimCustomizer implements OAuth2TokenCustomizer<JwtEncodingContext> {

	static final String ROLES_CLAIM = "roles";

	private static final String ROLE_PREFIX = "ROLE_";

	private final UserDetailsService users;

	RolesClaimCustomizer(UserDetailsService users) {
		this.users = users;
	}

	@Override
	public void customize(JwtEncodingContext context) {
		boolean accessToken = OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType());
		boolean idToken = OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue());
		Authentication principal = context.getPrincipal();
		if ((!accessToken && !idToken) || principal == null) {
			return;
		}
		// a client acting for itself (the console reporting failed sign-ins) has no user
		// and so no roles, even if a
		// user happens to share the client's name
		if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
			context.getClaims().claim(ROLES_CLAIM, rolesOf(principal));
		}
	}

	private List<String> rolesOf(Authentication principal) {
		try {
			UserDetails user = this.users.loadUserByUsername(principal.getName());
			return roles(user.getAuthorities());
		}
		catch (UsernameNotFoundException ex) {
			return roles(principal.getAuthorities());
		}
	}

	private static List<String> roles(Iterable<? extends GrantedAuthority> authorities) {
		List<String> roles = new ArrayList<>();
		for (GrantedAuthority authority : authorities) {
			String name = authority.getAuthority();
			if (name != null && name.startsWith(ROLE_PREFIX)) {
				roles.add(name.substring(ROLE_PREFIX.length()));
			}
		}
		return roles;
	}

}
