package dev.warden.platform.model;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The model store's endpoints for workers ({@code /internal/v1/model-store/**},
 * {@link ModelStoreController}) are authenticated by the shared registration token (and
 * the client certificate under mutual TLS) in the controller, like worker heartbeats, not
 * by an OIDC token or an API key, so they have a chain of their own ahead of the admin
 * API's; their paths are disjoint from every other chain's.
 */
@Configuration(proxyBeanMethods = false)
class ModelStoreSecurityConfiguration {

	/** Before the admin API chain (order 1), with the worker registration chain. */
	static final int MODEL_STORE_CHAIN_ORDER = 0;

	@Bean
	@Order(MODEL_STORE_CHAIN_ORDER)
	SecurityFilterChain modelStoreForWorkers(HttpSecurity http) throws Exception {
		http.securityMatcher(ModelStoreController.PATH, ModelStoreController.PATH + "/**")
			.authorizeHttpRequests((authorize) -> authorize.anyRequest().permitAll())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.securityContext((context) -> context.requireExplicitSave(true))
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

}
