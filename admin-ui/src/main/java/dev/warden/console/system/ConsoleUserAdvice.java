package dev.warden.console.system;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Makes the signed-in user available to every page as {@code consoleUser} (null when
 * nobody is signed in).
 */
@ControllerAdvice
class ConsoleUserAdvice {

	private static final String ROLE_PREFIX = "ROLE_";

	@ModelAttribute("consoleUser")
	ConsoleUser consoleUser(Authentication authentication) {
		if (!(authentication instanceof OAuth2AuthenticationToken token)) {
			return null;
		}
		// the user name claim (warden.console.oidc.username-claim), else the subject:
		// ConsoleOidcUserService
		return new ConsoleUser(token.getName(),
				token.getAuthorities()
					.stream()
					.map(GrantedAuthority::getAuthority)
					.filter((authority) -> authority != null && authority.startsWith(ROLE_PREFIX))
					.map((authority) -> authority.substring(ROLE_PREFIX.length()))
					.distinct()
					.toList());
	}

}
