package dev.warden.platform.worker;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The worker registration endpoint ({@code /internal/platform/**}) is authenticated by
 * the shared registration token in {@link WorkerRegistrations#authenticate}, not by an
 * OIDC token or an API key, so it has a chain of its own ahead of the admin API's.
 */
@Configuration(proxyBeanMethods = false)
class WorkerSecurityConfiguration {

	/** Before the admin API chain (order 1). */
	static final int REGISTRATION_CHAIN_ORDER = 0;

	@Bean
	@Order(REGISTRATION_CHAIN_ORDER)
	SecurityFilterChain workerRegistration(HttpSecurity http) throws Exception {
		http.securityMatcher("/internal/platform/**")
			.authorizeHttpRequests((authorize) -> authorize.anyRequest().permitAll())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.securityContext((context) -> context.requireExplicitSave(true))
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

}
