package dev.warden.console.system;

import java.util.EnumSet;

import jakarta.servlet.DispatcherType;

import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties.ForwardHeadersStrategy;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The console's origin is configuration ({@code warden.console.public-url}), not the
 * request's {@code Host}: see {@link PublicOriginFilter}.
 */
@Configuration(proxyBeanMethods = false)
class PublicOriginConfiguration {

	/**
	 * Right after Spring's forwarded-header filter (highest precedence), before
	 * everything else.
	 */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1;

	@Bean
	FilterRegistrationBean<PublicOriginFilter> publicOriginFilter(ConsoleProperties console, ServerProperties server) {
		if (server.getForwardHeadersStrategy() == ForwardHeadersStrategy.FRAMEWORK) {
			// Spring's ForwardedHeaderFilter believes X-Forwarded-For from any client,
			// which would let anybody
			// pick the address the sign-in throttle counts failures against.
			throw new IllegalStateException("server.forward-headers-strategy=framework trusts forwarded headers from "
					+ "every client; behind a reverse proxy use server.forward-headers-strategy=native with "
					+ "server.tomcat.remoteip.internal-proxies naming the proxy");
		}
		FilterRegistrationBean<PublicOriginFilter> registration = new FilterRegistrationBean<>(
				new PublicOriginFilter(console));
		registration.setOrder(ORDER);
		registration.setDispatcherTypes(EnumSet.allOf(DispatcherType.class));
		return registration;
	}

	/**
	 * Right after the public origin, before Spring Security: a method the console never
	 * serves gets 405 ({@link MethodFilter}).
	 */
	@Bean
	FilterRegistrationBean<MethodFilter> methodFilter() {
		FilterRegistrationBean<MethodFilter> registration = new FilterRegistrationBean<>(new MethodFilter());
		registration.setOrder(ORDER + 1);
		registration.setDispatcherTypes(DispatcherType.REQUEST);
		return registration;
	}

}
