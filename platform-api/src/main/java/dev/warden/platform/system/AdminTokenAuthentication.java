package dev.warden.platform.system;

import java.util.Collection;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * An admin API caller authenticated by an access token: the token's subject (the
 * authentication's name), the user name read from the token by
 * {@code warden.security.username-claim} (may be {@code null}), the issuer, and only
 * Warden's roles as {@code ROLE_*} authorities (plus the token's scopes as
 * {@code SCOPE_*}). The audit trail records all of it.
 */
public final class AdminTokenAuthentication extends JwtAuthenticationToken {

	private final String userName;

	AdminTokenAuthentication(Jwt jwt, Collection<? extends GrantedAuthority> authorities, String userName) {
		super(jwt, authorities, jwt.getSubject());
		this.userName = userName;
	}

	/** The token's subject ({@code sub}). */
	public String subject() {
		return getToken().getSubject();
	}

	/**
	 * The user name the token carries under {@code warden.security.username-claim}, or
	 * {@code null}.
	 */
	public String userName() {
		return this.userName;
	}

	/** The token's issuer ({@code iss}), or {@code null}. */
	public String issuer() {
		return (getToken().getIssuer() != null) ? getToken().getIssuer().toString() : null;
	}

	@Override
	public boolean equals(Object obj) {
		return super.equals(obj) && obj instanceof AdminTokenAuthentication other
				&& java.util.Objects.equals(this.userName, other.userName);
	}

	@Override
	public int hashCode() {
		return super.hashCode();
	}

}
