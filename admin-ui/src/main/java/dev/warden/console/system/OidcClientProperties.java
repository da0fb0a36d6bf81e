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
 * @param rolesClaim the claim holding the user's roles; a dotted path such as
 * {@code realm_access.roles} reaches into nested claims
 * @param usernameClaim the claim used as the user's name
 */
@ConfigurationProperties("warden.console.oidc")
record OidcClientProperties(String issuerUri, @DefaultValue("warden-console") String clientId, String clientSecret,
		@DefaultValue( {
				"openid", "profile" }) List<String> scopes,
		@DefaultValue("roles") String rolesClaim, @DefaultValue("sub") String usernameClaim){

	@Override
	public String toString() {
		return "OidcClientProperties[issuerUri=" + this.issuerUri + ", clientId=" + this.clientId + ", scopes="
				+ this.scopes + ", rolesClaim=" + this.rolesClaim + ", usernameClaim=" + this.usernameClaim + "]";
	}

}
