package dev.warden.console.identity;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the embedded authorization server ({@code warden.console.identity.*}).
 *
 * @param embedded whether the embedded authorization server runs (ignored, i.e. off, when
 * an external issuer is set)
 * @param issuer the issuer URL, which is the console's own origin
 * @param users the users who may sign in
 * @param consoleClient the confidential client used by the console itself
 * @param cliClient the public client used by scripts and tests
 * @param adminApiAudience platform-api's admin API resource identifier, added to the
 * audience of every access token issued here; must equal platform-api's
 * {@code warden.security.audience} (both read WARDEN_OIDC_AUDIENCE)
 */
@ConfigurationProperties("warden.console.identity")
record IdentityProperties(@DefaultValue("true") boolean embedded, @DefaultValue("http://localhost:8090") String issuer,
		List<User> users, ConsoleClient consoleClient, CliClient cliClient,
		@DefaultValue("warden-admin-api") String adminApiAudience) {

	IdentityProperties {
		users = (users == null) ? List.of() : List.copyOf(users);
		issuer = stripTrailingSlash(issuer);
		if (consoleClient == null) {
			consoleClient = new ConsoleClient("warden-console", "warden-console-local-secret");
		}
		if (cliClient == null) {
			cliClient = new CliClient("warden-cli", "http://127.0.0.1:8765/callback");
		}
	}

	/**
	 * Redirect URI of the console client, derived from the issuer since the console is
	 * the issuer's origin.
	 */
	String consoleRedirectUri() {
		return this.issuer + "/login/oauth2/code/warden";
	}

	private static String stripTrailingSlash(String url) {
		return (url != null && url.endsWith("/")) ? url.substring(0, url.length() - 1) : url;
	}

	record User(String username, String password, List<String> roles) {

		User {
			roles = (roles == null) ? List.of() : List.copyOf(roles);
		}

		@Override
		public String toString() {
			return "User[username=" + this.username + ", roles=" + this.roles + "]";
		}

	}

	record ConsoleClient(@DefaultValue("warden-console") String clientId, String clientSecret) {

		@Override
		public String toString() {
			return "ConsoleClient[clientId=" + this.clientId + "]";
		}

	}

	record CliClient(@DefaultValue("warden-cli") String clientId,
			@DefaultValue("http://127.0.0.1:8765/callback") String redirectUri) {
	}

}
