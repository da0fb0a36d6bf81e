package dev.warden.platform.system;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.warden.platform.system.internal.ClaimPath;

/**
 * Admin API token settings ({@code warden.security.*}).
 *
 * @param issuerUri expected {@code iss} of access tokens (WARDEN_OIDC_ISSUER_URI); the
 * signing keys are found through its discovery document
 * ({@code <issuer>/.well-known/openid-configuration}, {@code jwks_uri})
 * @param jwkSetUri the JWK set location, only to override what discovery finds; empty
 * (the default) means discovery (WARDEN_OIDC_JWK_SET_URI)
 * @param rolesClaim claim path of the role names, e.g. {@code roles} or
 * {@code realm_access.roles} (WARDEN_OIDC_ROLES_CLAIM); only Warden's roles are taken,
 * mapped to {@code ROLE_<name>}
 * @param usernameClaim claim path of the user name recorded in the audit trail next to
 * the subject (WARDEN_OIDC_USERNAME_CLAIM); a token without it is recorded with its
 * subject only
 * @param audience the admin API's resource identifier: an access token is accepted only
 * when its {@code aud} contains it (WARDEN_OIDC_AUDIENCE). The embedded issuer puts the
 * default into the access tokens it issues; an external provider must be configured to do
 * the same (docs/security.md)
 * @param discoveryTimeout connect and read timeout of the discovery request
 * @param discoveryRetryInterval after a failed discovery, how long admin calls are
 * refused (503) before the provider is asked again
 */
@ConfigurationProperties("warden.security")
record SecurityProperties(@DefaultValue("http://localhost:8090") String issuerUri, @DefaultValue("") String jwkSetUri,
		@DefaultValue("roles") String rolesClaim, @DefaultValue("preferred_username") String usernameClaim,
		@DefaultValue("warden-admin-api") String audience, @DefaultValue("5s") Duration discoveryTimeout,
		@DefaultValue("5s") Duration discoveryRetryInterval) {

	SecurityProperties {
		if (issuerUri == null || issuerUri.isBlank()) {
			throw new IllegalArgumentException("warden.security.issuer-uri (WARDEN_OIDC_ISSUER_URI) must name the "
					+ "identity provider whose access tokens the admin API accepts");
		}
		if (audience == null || audience.isBlank()) {
			throw new IllegalArgumentException("warden.security.audience must name the admin API's resource "
					+ "identifier; an empty audience would accept any token of the issuer, ID tokens included");
		}
		try {
			ClaimPath.of(rolesClaim);
			ClaimPath.of(usernameClaim);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("warden.security.roles-claim / username-claim: " + ex.getMessage(), ex);
		}
		if (jwkSetUri != null && !jwkSetUri.isBlank() && !URI.create(jwkSetUri).isAbsolute()) {
			throw new IllegalArgumentException("warden.security.jwk-set-uri (WARDEN_OIDC_JWK_SET_URI) must be an "
					+ "absolute URL, or empty to use the provider's discovery document");
		}
	}

	/** The configured JWK set URL, or {@code null}: use the discovery document. */
	URI configuredJwkSetUri() {
		return (this.jwkSetUri == null || this.jwkSetUri.isBlank()) ? null : URI.create(this.jwkSetUri.strip());
	}

}
