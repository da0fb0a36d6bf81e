package dev.warden.console.system;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * Who signed in to the console: Spring Security's OIDC user (ID token checked, userinfo
 * fetched when the provider has an endpoint for it), with the user's Warden roles and
 * name read by one rule ({@link ClaimPath}) from the ID token, the userinfo answer and
 * the access token:
 * <ul>
 * <li>roles: the roles claim ({@code warden.console.oidc.roles-claim}) of all three
 * together, of which only Warden's roles ({@link WardenRoles}) become {@code ROLE_*}
 * authorities: Keycloak writes {@code realm_access.roles} into the access token only, and
 * a provider's own roles ({@code offline_access}, …) are no Warden roles;</li>
 * <li>name: the first of the three that has the user-name claim
 * ({@code warden.console.oidc.username-claim}), else the subject.</li>
 * </ul>
 * The access token's claims are read without checking its signature: the console got it
 * itself from the provider's token endpoint, over the back channel, together with the ID
 * token that was checked; platform-api checks it on every call. An access token that is
 * not a JWT (opaque) adds nothing.
 */
final class ConsoleOidcUserService implements OAuth2UserService<OidcUserRequest, OidcUser> {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final OidcUserService delegate = new OidcUserService();

	private final ClaimPath rolesClaim;

	private final ClaimPath usernameClaim;

	ConsoleOidcUserService(String rolesClaim, String usernameClaim) {
		this.rolesClaim = ClaimPath.of(rolesClaim);
		this.usernameClaim = ClaimPath.of(usernameClaim);
	}

	@Override
	public OidcUser loadUser(OidcUserRequest request) throws OAuth2AuthenticationException {
		OidcUser user = this.delegate.loadUser(request);
		List<Map<String, ?>> sources = new ArrayList<>();
		sources.add(user.getIdToken().getClaims());
		if (user.getUserInfo() != null) {
			sources.add(user.getUserInfo().getClaims());
		}
		sources.add(jwtClaims(request.getAccessToken().getTokenValue()));
		return user(user.getAuthorities(), user.getIdToken(), user.getUserInfo(), sources);
	}

	/**
	 * The console user from what Spring Security found and the claims of the ID token,
	 * userinfo and access token, in that order.
	 */
	OidcUser user(java.util.Collection<? extends GrantedAuthority> found, OidcIdToken idToken, OidcUserInfo userInfo,
			List<Map<String, ?>> sources) {
		Set<String> named = new LinkedHashSet<>();
		String name = null;
		for (Map<String, ?> claims : sources) {
			named.addAll(this.rolesClaim.strings(claims));
			if (name == null) {
				name = this.usernameClaim.string(claims);
			}
		}
		Set<GrantedAuthority> authorities = new LinkedHashSet<>();
		for (GrantedAuthority authority : found) {
			if (authority.getAuthority() == null || !authority.getAuthority().startsWith("ROLE_")) {
				authorities.add(authority);
			}
		}
		for (String role : WardenRoles.of(named)) {
			authorities.add(new SimpleGrantedAuthority("ROLE_" + role));
		}
		return new ConsoleOidcUser(authorities, idToken, userInfo, (name != null) ? name : idToken.getSubject());
	}

	/**
	 * The payload of a JWT as claims, without checking the signature; empty for anything
	 * else.
	 */
	@SuppressWarnings("unchecked")
	static Map<String, ?> jwtClaims(String token) {
		String[] parts = (token != null) ? token.split("\\.", -1) : new String[0];
		if (parts.length != 3) {
			return Map.of();
		}
		try {
			byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
			Object claims = JSON.readValue(new String(payload, StandardCharsets.UTF_8), Object.class);
			return (claims instanceof Map<?, ?> map) ? (Map<String, ?>) map : Map.of();
		}
		catch (IllegalArgumentException | JacksonException ex) {
			return Map.of();
		}
	}

	/**
	 * An OIDC user whose name is the one the console shows, not necessarily its subject.
	 */
	static final class ConsoleOidcUser extends DefaultOidcUser {

		private static final long serialVersionUID = 1L;

		private final String name;

		ConsoleOidcUser(java.util.Collection<? extends GrantedAuthority> authorities, OidcIdToken idToken,
				OidcUserInfo userInfo, String name) {
			super(authorities, idToken, userInfo, IdTokenClaimNames.SUB);
			this.name = name;
		}

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public boolean equals(Object obj) {
			return super.equals(obj) && obj instanceof ConsoleOidcUser other && this.name.equals(other.name);
		}

		@Override
		public int hashCode() {
			return super.hashCode();
		}

	}

}
