package dev.warden.console.governance;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ModelVersion;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.ui.ModelMap;
import org.springframework.web.server.ResponseStatusException;

/**
 * What every governance page of a model version shares: the version itself (whose 404
 * makes the page a 404), who the user is and whether the page shows them the forms that
 * change something.
 */
final class VersionPage {

	private VersionPage() {
	}

	/**
	 * Adds the model, the version and the user's permissions to the page. platform-api's
	 * 404 for the version (or 400 for a malformed version number) is the console's 404;
	 * any other failure is a message on the page, which still renders.
	 */
	static void load(AdminApiClient adminApi, String model, String version, Authentication user, ModelMap page) {
		page.addAttribute("modelName", model);
		page.addAttribute("versionName", version);
		page.addAttribute("canManage", isAdmin(user));
		try {
			ModelVersion modelVersion = adminApi.modelVersion(model, version);
			page.addAttribute("modelVersion", modelVersion);
		}
		catch (AdminApiException ex) {
			if (ex.status() == 404 || ex.status() == 400) {
				throw new ResponseStatusException(HttpStatus.NOT_FOUND);
			}
			page.addAttribute("versionError", ex.getMessage());
		}
	}

	static boolean isAdmin(Authentication user) {
		return user != null
				&& user.getAuthorities().stream().map(GrantedAuthority::getAuthority).anyMatch("ROLE_ADMIN"::equals);
	}

	/**
	 * Whether {@code name}, as platform-api recorded it (the token's subject), is the
	 * signed-in user.
	 */
	static boolean isUser(Authentication user, String name) {
		if (user == null || name == null) {
			return false;
		}
		if (name.equals(user.getName())) {
			return true;
		}
		return user instanceof OAuth2AuthenticationToken token && token.getPrincipal() instanceof OidcUser oidc
				&& (name.equals(oidc.getSubject()) || name.equals(oidc.getPreferredUsername()));
	}

}
