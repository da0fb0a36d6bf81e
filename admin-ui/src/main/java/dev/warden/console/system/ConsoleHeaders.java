package dev.warden.console.system;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * The response headers every security filter chain of the console writes, on top of
 * Spring Security's defaults ({@code X-Content-Type-Options},
 * {@code X-Frame-Options: DENY}, cache control, HSTS over https):
 * <ul>
 * <li>{@code Content-Security-Policy}: only the console's own origin may supply scripts,
 * styles, images, fonts and connections; no inline script or style (the templates have
 * none, styling is {@code /css/console.css}); no plugins; no {@code <base>}; no framing;
 * forms may only be sent to the console itself and to the origins a chain names, because
 * a browser also checks the redirects that follow a form post against
 * {@code form-action}.</li>
 * <li>{@code Referrer-Policy: no-referrer}: URLs of the sign-in flow carry codes and
 * states.</li>
 * </ul>
 * Each chain calls {@link #policy(URI...)} with the origins its pages' forms lead to.
 */
public final class ConsoleHeaders {

	private ConsoleHeaders() {
	}

	/**
	 * The headers, allowing forms (and the redirects after them) to reach the given URLs'
	 * origins besides the console's own.
	 * @param formTargets URLs whose origins forms may lead to; {@code null} entries are
	 * ignored
	 */
	public static Customizer<HeadersConfigurer<HttpSecurity>> policy(URI... formTargets) {
		String csp = contentSecurityPolicy(formTargets);
		return (headers) -> headers.contentSecurityPolicy((policy) -> policy.policyDirectives(csp))
			.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.NO_REFERRER));
	}

	static String contentSecurityPolicy(URI... formTargets) {
		Set<String> formAction = new LinkedHashSet<>();
		formAction.add("'self'");
		for (URI target : formTargets) {
			if (target != null) {
				formAction.add(ConsoleProperties.originOf(target));
			}
		}
		return "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action "
				+ String.join(" ", formAction);
	}

}
