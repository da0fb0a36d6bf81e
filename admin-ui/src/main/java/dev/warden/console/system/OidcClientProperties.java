package dev.warden.console.system;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the console signs users in ({@code warden.console.oidc.*}).
 *
 * @param issuerUri an external OpenID Connect issuer; empty means the embedded
 * authorization server
 * @param clientId the console's client id at the issuer
 * @param clientSecret the console's client secret at the issuer
 * @param scopes the scopes the console asks for
 * @param rolesClaim the claim path of the user's roles, read from the ID token, userinfo
 * and access token ({@link ClaimPath}; a dotted path such as {@code realm_access.roles}
 * reaches into nested claims); only Warden's roles are taken
 * @param usernameClaim the claim path of the user's name (the first of ID token, userinfo
 * and access token that has it; else the subject)
 */
@ConfigurationProperties("warden.console.oidc")
record OidcClientProperties(String issuerUri, @DefaultValue("warden-console") String clientId, String clientSecret,
		@DefaultValue( {
				"openid", "profile" }) List<String> scopes,
		@DefaultValue("roles") String rolesClaim, @DefaultValue("preferred_username") String usernameClaim){

	OidcClientProperties {
		try {
			ClaimPath.of(rolesClaim);
			ClaimPath.of(usernameClaim);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("warden.console.oidc.roles-claim / username-claim: " + ex.getMessage(),
					ex);
		}
	}

	@Override
	public String toString() {
		return "OidcClientProperties[issuerUri=" + this.issuerUri + ", clientId=" + this.clientId + ", scopes="
				+ this.scopes + ", rolesClaim=" + this.rolesClaim + ", usernameClaim=" + this.usernameClaim + "]";
	}

}
