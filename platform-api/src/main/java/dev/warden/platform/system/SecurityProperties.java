package dev.warden.platform.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Admin API token settings ({@code warden.security.*}).
 *
 * @param issuerUri expected {@code iss} of access tokens (WARDEN_OIDC_ISSUER_URI)
 * @param jwkSetUri JWK set location; empty means {@code <issuer>/oauth2/jwks}
 * (WARDEN_OIDC_JWK_SET_URI)
 * @param rolesClaim claim holding the role names, mapped to {@code ROLE_<name>}
 * (WARDEN_OIDC_ROLES_CLAIM)
 * @param audience the admin API's resource identifier: an access token is accepted only
 * when its {@code aud} contains it (WARDEN_OIDC_AUDIENCE). The embedded issuer puts the
 * default into the access tokens it issues; an external provider must be configured to do
 * the same (docs/security.md)
 */
@ConfigurationProperties("warden.security")
record SecurityProperties(@DefaultValue("http://localhost:8090") String issuerUri, @DefaultValue("") String jwkSetUri,
		@DefaultValue("roles") String rolesClaim, @DefaultValue("warden-admin-api") String audience) {

	SecurityProperties {
		if (audience == null || audience.isBlank()) {
			throw new IllegalArgumentException("warden.security.audience must name the admin API's resource "
					+ "identifier; an empty audience would accept any token of the issuer, ID tokens included");
		}
	}

	String effectiveJwkSetUri() {
		if (this.jwkSetUri != null && !this.jwkSetUri.isBlank()) {
			return this.jwkSetUri;
		}
		String base = this.issuerUri.endsWith("/") ? this.issuerUri.substring(0, this.issuerUri.length() - 1)
				: this.issuerUri;
		return base + "/oauth2/jwks";
	}

}
