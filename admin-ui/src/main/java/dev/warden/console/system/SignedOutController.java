package dev.warden.console.system;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

@Controller
class SignedOutController {

	@GetMapping(ConsoleSecurityConfiguration.SIGNED_OUT_PAGE)
	String signedOut() {
		return "system/signed-out";
	}

}
