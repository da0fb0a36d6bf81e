package dev.warden.platform.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Admin API token settings ({@code warden.security.*}).
 *
 * @param issuerUri expected {@code iss} of access tokens (WARDEN_OIDC_ISSUER_URI)
 * @param jwkSetUri JWK set location; empty means {@code <issuer>/oauth2/jwks} (WARDEN_OIDC_JWK_SET_URI)
 * @param rolesClaim claim holding the role names, mapped to {@code ROLE_<name>} (WARDEN_OIDC_ROLES_CLAIM)
 */
@ConfigurationProperties("warden.security")
record SecurityProperties(@DefaultValue("http://localhost:8090") String issuerUri, @DefaultValue("") String jwkSetUri,
		@DefaultValue("roles") String rolesClaim) {

	String effectiveJwkSetUri() {
		if (this.jwkSetUri != null && !this.jwkSetUri.isBlank()) {
			return this.jwkSetUri;
		}
		String base = this.issuerUri.endsWith("/") ? this.issuerUri.substring(0, this.issuerUri.length() - 1)
				: this.issuerUri;
		return base + "/oauth2/jwks";
	}

}
