package dev.warden.platform.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.DelegatingJwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

import dev.warden.platform.system.internal.AccessTokenTypeValidator;
import dev.warden.platform.system.internal.AdminBodyLimitFilter;

/**
 * Security filter chains, one per concern, matched in the order of their {@code @Order}:
 * <ul>
 * <li>0 worker registration {@code /internal/platform/**}: defined by the worker module
 * (the shared registration token, {@code WorkerSecurityConfiguration}).</li>
 * <li>{@link #ADMIN_API_ORDER} admin API {@code /api/admin/**}: OAuth2 resource server
 * (JWT access tokens of the configured issuer and audience); ADMIN may do everything,
 * COMPLIANCE may read, use the audited break-glass payload view and explain single rows
 * of a model version; a token with the scope {@value #SIGN_IN_AUDIT_SCOPE} (the console's
 * own, no user) may only report failed sign-ins; then the per-user rate limit
 * ({@link AdminRateLimitFilter}) and the body limit ({@link AdminBodyLimitFilter}).</li>
 * <li>2 data plane {@code /v1/**}, {@code /v2/**}: defined by the gateway module (API
 * keys, {@code GatewayConfiguration.DATA_PLANE_CHAIN_ORDER}).</li>
 * <li>{@link #METRICS_ORDER} {@code /actuator/prometheus}: only with the bearer token
 * {@code warden.metrics.scrape-token} (compared in constant time); 401 without it or with
 * another token; 404 to everyone while no token is configured.</li>
 * <li>{@link #PUBLIC_ORDER} everything else: health/info and the OpenAPI documents are
 * public; the rest is denied.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final int ADMIN_API_ORDER = 1;

	static final int PUBLIC_ORDER = 3;

	/**
	 * Shares its order with the data-plane chain: their paths are disjoint, and both come
	 * before the public chain, which matches every path.
	 */
	static final int METRICS_ORDER = 2;

	/**
	 * The scope of the console's client-credentials token, which reports failed sign-ins
	 * and lock-outs.
	 */
	static final String SIGN_IN_AUDIT_SCOPE = "warden.audit.sign-in";

	@Bean
	@Order(ADMIN_API_ORDER)
	SecurityFilterChain adminApi(HttpSecurity http, JwtDecoder jwtDecoder, SecurityProperties properties,
			AdminApiProperties limits) throws Exception {
		JwtGrantedAuthoritiesConverter roles = new JwtGrantedAuthoritiesConverter();
		roles.setAuthoritiesClaimName(properties.rolesClaim());
		roles.setAuthorityPrefix("ROLE_");
		JwtAuthenticationConverter authentication = new JwtAuthenticationConverter();
		// roles (ROLE_*) for users; scopes (SCOPE_*) for the console's own token, which
		// has no roles
		authentication.setJwtGrantedAuthoritiesConverter(
				new DelegatingJwtGrantedAuthoritiesConverter(roles, new JwtGrantedAuthoritiesConverter()));
		http.securityMatcher("/api/admin/**")
			.authorizeHttpRequests((authorize) -> authorize.requestMatchers(HttpMethod.GET, "/api/admin/**")
				.hasAnyRole("ADMIN", "COMPLIANCE")
				.requestMatchers(HttpMethod.POST, "/api/admin/audit/events/login")
				.hasAnyRole("ADMIN", "COMPLIANCE")
				.requestMatchers(HttpMethod.POST, "/api/admin/audit/events/login-failures")
				.hasAuthority("SCOPE_" + SIGN_IN_AUDIT_SCOPE)
				.requestMatchers(HttpMethod.POST, "/api/admin/request-log/*/payload")
				.hasAnyRole("ADMIN", "COMPLIANCE")
				.requestMatchers(HttpMethod.POST, "/api/admin/models/*/versions/*/explain")
				.hasAnyRole("ADMIN", "COMPLIANCE")
				.anyRequest()
				.hasRole("ADMIN"))
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt.decoder(jwtDecoder).jwtAuthenticationConverter(authentication))
				.authenticationEntryPoint(bearerEntryPoint())
				.accessDeniedHandler(bearerAccessDenied()))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(bearerEntryPoint())
				.accessDeniedHandler(bearerAccessDenied()))
			// after the token is checked: limits are per user, and anonymous calls never
			// reach a controller
			.addFilterAfter(new AdminRateLimitFilter(limits.rateLimit()), BearerTokenAuthenticationFilter.class)
			.addFilterAfter(new AdminBodyLimitFilter(limits.maxBodySize().toBytes()), AuthorizationFilter.class)
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

	/**
	 * The Prometheus scrape: the metrics name tenants, models and versions, so they are
	 * not public like health. A scraper sends {@code Authorization: Bearer <token>}; no
	 * OIDC provider is involved, so a scrape works while the console is down.
	 */
	@Bean
	@Order(METRICS_ORDER)
	SecurityFilterChain metricsScrape(HttpSecurity http, MetricsProperties metrics) throws Exception {
		byte[] expected = metrics.scrapeToken().isEmpty() ? null : sha256(metrics.scrapeToken());
		http.securityMatcher("/actuator/prometheus")
			.authorizeHttpRequests((authorize) -> authorize.anyRequest()
				.access((authentication, context) -> new AuthorizationDecision(
						expected != null && MessageDigest.isEqual(expected, sha256(bearer(context.getRequest()))))))
			.exceptionHandling((exceptions) -> exceptions
				.authenticationEntryPoint((request, response, ex) -> scrapeRefused(request, response, expected != null))
				.accessDeniedHandler((request, response, ex) -> scrapeRefused(request, response, expected != null)))
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.securityContext((context) -> context.requireExplicitSave(true))
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

	private static String bearer(HttpServletRequest request) {
		String header = request.getHeader("Authorization");
		return (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) ? header.substring(7).strip() : "";
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void scrapeRefused(HttpServletRequest request, HttpServletResponse response, boolean enabled)
			throws IOException {
		if (!enabled) {
			noEndpoint(request, response);
			return;
		}
		response.setHeader("WWW-Authenticate", "Bearer realm=\"warden-metrics\"");
		ErrorResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "invalid_scrape_token",
				"reading the metrics needs 'Authorization: Bearer <warden.metrics.scrape-token>'");
	}

	@Bean
	@Order(PUBLIC_ORDER)
	SecurityFilterChain publicEndpoints(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests(
				(authorize) -> authorize.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info")
					.permitAll()
					.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui.html",
							"/swagger-ui/**")
					.permitAll()
					.requestMatchers("/error")
					.permitAll()
					.anyRequest()
					.denyAll())
			.exceptionHandling((exceptions) -> exceptions
				.authenticationEntryPoint((request, response, ex) -> noEndpoint(request, response))
				.accessDeniedHandler((request, response, ex) -> noEndpoint(request, response)))
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

	/**
	 * JWKs are fetched lazily on the first token, so the gateway can start before the
	 * console that issues the tokens. Every token is validated for its signature, time,
	 * issuer, audience (the admin API's resource identifier,
	 * {@code warden.security.audience}) and type: only access tokens are accepted, never
	 * an ID token of the same issuer ({@link AccessTokenTypeValidator}).
	 */
	@Bean
	JwtDecoder jwtDecoder(SecurityProperties properties) {
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(properties.effectiveJwkSetUri()).build();
		decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(
				new JwtIssuerValidator(properties.issuerUri()), new JwtAudienceValidator(properties.audience()),
				AccessTokenTypeValidator.headerTypes(), new AccessTokenTypeValidator()));
		return decoder;
	}

	/** Whatever the public chain does not permit is, to the caller, not there. */
	private static void noEndpoint(HttpServletRequest request, HttpServletResponse response) throws IOException {
		ErrorResponses.write(request, response, HttpServletResponse.SC_NOT_FOUND, "not_found",
				"no endpoint " + request.getRequestURI());
	}

	private static AuthenticationEntryPoint bearerEntryPoint() {
		BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
		return (request, response, ex) -> {
			bearer.commence(request, response, ex);
			ErrorResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "unauthenticated",
					"a valid bearer access token is required");
		};
	}

	private static AccessDeniedHandler bearerAccessDenied() {
		BearerTokenAccessDeniedHandler bearer = new BearerTokenAccessDeniedHandler();
		return (request, response, ex) -> {
			bearer.handle(request, response, ex);
			ErrorResponses.write(request, response, HttpServletResponse.SC_FORBIDDEN, "forbidden",
					"your role does not allow this operation");
		};
	}

}
