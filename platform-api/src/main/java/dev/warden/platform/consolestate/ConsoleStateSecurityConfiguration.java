package dev.warden.platform.consolestate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

import dev.warden.platform.consolestate.internal.ConsoleStateAccessFilter;

/**
 * The console state API ({@code /internal/platform/console/**}) is authenticated by the
 * shared token {@code warden.console-state.token} ({@link ConsoleStateAccessFilter}: 404
 * while no token is configured, 401 without it or with another, 413 for a body too
 * large), not by an OIDC token, so it has a chain of its own, ahead of the worker
 * registration chain that matches every other {@code /internal/platform/**} path.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleStateSecurityConfiguration {

	/** Before the worker registration chain (order 0). */
	static final int CONSOLE_STATE_CHAIN_ORDER = -1;

	@Bean
	@Order(CONSOLE_STATE_CHAIN_ORDER)
	SecurityFilterChain consoleState(HttpSecurity http, ConsoleStateProperties properties) throws Exception {
		http.securityMatcher("/internal/platform/console/**")
			.authorizeHttpRequests((authorize) -> authorize.anyRequest().permitAll())
			.addFilterBefore(new ConsoleStateAccessFilter(properties.token()), AuthorizationFilter.class)
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.securityContext((context) -> context.requireExplicitSave(true))
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

}
