package dev.warden.platform.system;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's firewall ({@code StrictHttpFirewall}, kept at its defaults) refuses
 * requests whose path is not normalised or carries encoded separators ({@code %2F},
 * {@code %25}, {@code %2E}, {@code ;} …). Its default handler lets the exception escape
 * to the container's error page; this one answers the documented JSON error, 400
 * {@code request_rejected}, on every path (data plane and admin API alike), and logs no
 * stack trace.
 *
 * <p>
 * The firewall is a bean so that the one Spring Security applies in its filter chain is
 * also the one the gateway's route filter applies to data-plane calls, which it forwards
 * without passing through Spring Security's chain.
 */
@Configuration(proxyBeanMethods = false)
class FirewallConfiguration {

	private static final Logger log = LoggerFactory.getLogger(FirewallConfiguration.class);

	@Bean
	HttpFirewall httpFirewall() {
		return new StrictHttpFirewall();
	}

	@Bean
	RequestRejectedHandler requestRejectedHandler() {
		return (request, response, ex) -> {
			log.debug("Request rejected by the firewall: {}", ex.getMessage());
			ErrorResponses.write(request, response, HttpServletResponse.SC_BAD_REQUEST, "request_rejected",
					"the request path or headers are not in normalised form (encoded separators, dot segments, "
							+ "control characters or a path parameter)");
		};
	}

}
