package dev.warden.console.governance;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Download;
import dev.warden.console.adminapi.ModelVersion;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
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
 * change something, and downloads streamed from platform-api.
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

	/**
	 * Streams a binary answer of platform-api to the browser as a download.
	 * @param fileName the file's name without directories (other characters than letters,
	 * digits, dot, dash and underscore become underscores)
	 * @param contentType the content type sent (whatever platform-api declared: the
	 * console answers only the types it expects)
	 * @param call the admin API call, given the reader
	 * @throws AdminApiException when platform-api refuses or fails before the first byte
	 */
	static void download(HttpServletResponse response, String fileName, String contentType, Consumer<Download> call) {
		call.accept((type, body) -> {
			response.setContentType(contentType);
			response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
					ContentDisposition.attachment()
						.filename(fileName.replaceAll("[^A-Za-z0-9._-]", "_"), StandardCharsets.UTF_8)
						.build()
						.toString());
			body.transferTo(response.getOutputStream());
		});
	}

}
