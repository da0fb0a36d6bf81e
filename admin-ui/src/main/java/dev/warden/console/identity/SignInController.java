package dev.warden.console.identity;

import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Renders the embedded authorization server's sign-in page; the form post is handled by
 * Spring Security.
 */
@Controller
@Conditional(EmbeddedIdentityCondition.class)
class SignInController {

	@GetMapping(IdentityConfiguration.SIGN_IN_PAGE)
	String signIn() {
		return "identity/sign-in";
	}

}
