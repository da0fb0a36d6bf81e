package dev.warden.platform.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

import dev.warden.platform.system.internal.AccessTokenTypeValidator;
import dev.warden.platform.system.internal.AdminBodyLimitFilter;
import dev.warden.platform.system.internal.ClaimPath;
import dev.warden.platform.system.internal.DiscoveringJwtDecoder;
import dev.warden.platform.system.internal.IssuerDiscovery;
import dev.warden.platform.system.internal.WardenRoles;

/**
 * Security filter chains, one per concern, matched in the order of their {@code @Order}:
 * <ul>
 * <li>-1 console state {@code /internal/platform/console/**}: defined by the consolestate
 * module (the console state token, {@code ConsoleStateSecurityConfiguration}).</li>
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

	/** The signature algorithms an access token may use: RSA and EC, never HMAC. */
	static final List<SignatureAlgorithm> SIGNATURE_ALGORITHMS = List.of(SignatureAlgorithm.RS256,
			SignatureAlgorithm.RS384, SignatureAlgorithm.RS512, SignatureAlgorithm.PS256, SignatureAlgorithm.PS384,
			SignatureAlgorithm.PS512, SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512);

	@Bean
	@Order(ADMIN_API_ORDER)
	SecurityFilterChain adminApi(HttpSecurity http, JwtDecoder jwtDecoder, SecurityProperties properties,
			AdminApiProperties limits) throws Exception {
		Converter<Jwt, AbstractAuthenticationToken> authentication = adminAuthentication(properties);
		http.securityMatcher("/api/admin/**")
			.authorizeHttpRequests((authorize) -> authorize.requestMatchers(HttpMethod.GET, "/api/admin/**")
				.hasAnyRole(WardenRoles.ADMIN, WardenRoles.COMPLIANCE)
				.requestMatchers(HttpMethod.POST, "/api/admin/audit/events/login")
				.hasAnyRole(WardenRoles.ADMIN, WardenRoles.COMPLIANCE)
				.requestMatchers(HttpMethod.POST, "/api/admin/audit/events/login-failures")
				.hasAuthority("SCOPE_" + SIGN_IN_AUDIT_SCOPE)
				.requestMatchers(HttpMethod.POST, "/api/admin/request-log/*/payload")
				.hasAnyRole(WardenRoles.ADMIN, WardenRoles.COMPLIANCE)
				.requestMatchers(HttpMethod.POST, "/api/admin/models/*/versions/*/explain")
				.hasAnyRole(WardenRoles.ADMIN, WardenRoles.COMPLIANCE)
				.anyRequest()
				.hasRole(WardenRoles.ADMIN))
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt.decoder(jwtDecoder).jwtAuthenticationConverter(authentication))
				.authenticationEntryPoint(bearerEntryPoint())
				.accessDeniedHandler(bearerAccessDenied())
				.withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
					@Override
					public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
						filter.setAuthenticationFailureHandler(bearerFailure());
						return filter;
					}
				}))
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
	 * Roles and user name of an admin API caller, read from the access token by one rule
	 * ({@link ClaimPath}): the roles claim ({@code warden.security.roles-claim}, e.g.
	 * {@code roles} or {@code realm_access.roles}) gives {@code ROLE_<name>} for Warden's
	 * roles only ({@link WardenRoles}; a provider's own roles are ignored); the scopes
	 * give {@code SCOPE_<name>} (the console's own token, which has no roles); the user
	 * name comes from {@code warden.security.username-claim}.
	 */
	static Converter<Jwt, AbstractAuthenticationToken> adminAuthentication(SecurityProperties properties) {
		ClaimPath rolesClaim = ClaimPath.of(properties.rolesClaim());
		ClaimPath usernameClaim = ClaimPath.of(properties.usernameClaim());
		JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
		return (jwt) -> {
			List<GrantedAuthority> authorities = new ArrayList<>();
			for (String role : WardenRoles.of(rolesClaim.strings(jwt.getClaims()))) {
				authorities.add(new SimpleGrantedAuthority("ROLE_" + role));
			}
			authorities.addAll(scopes.convert(jwt));
			return new AdminTokenAuthentication(jwt, authorities, usernameClaim.string(jwt.getClaims()));
		};
	}

	/**
	 * Every token is validated for its signature, time, issuer, audience (the admin API's
	 * resource identifier, {@code warden.security.audience}) and type: only access tokens
	 * are accepted, never an ID token of the same issuer
	 * ({@link AccessTokenTypeValidator}). The signing keys are found through the issuer's
	 * discovery document on the first token ({@link DiscoveringJwtDecoder}), so the
	 * gateway can start before the console that issues the tokens.
	 */
	@Bean
	JwtDecoder jwtDecoder(SecurityProperties properties) {
		OAuth2TokenValidator<Jwt> validator = JwtValidators.createDefaultWithValidators(
				new JwtIssuerValidator(properties.issuerUri()), new JwtAudienceValidator(properties.audience()),
				AccessTokenTypeValidator.headerTypes(), new AccessTokenTypeValidator());
		return new DiscoveringJwtDecoder(properties.issuerUri(), properties.configuredJwkSetUri(),
				new IssuerDiscovery(properties.discoveryTimeout()), (jwkSetUri) -> {
					// the asymmetric algorithms providers sign with (Keycloak, Entra ID,
					// Okta:
					// RS256 by default; Keycloak realms may use ES256 or PS256); never
					// HMAC
					NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri.toString())
						.jwsAlgorithms((algorithms) -> algorithms.addAll(SIGNATURE_ALGORITHMS))
						.build();
					decoder.setJwtValidator(validator);
					return decoder;
				}, properties.discoveryRetryInterval(), Clock.systemUTC());
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

	/**
	 * A token that could not be checked because the identity provider is unavailable
	 * ({@link AuthenticationServiceException}, e.g. from
	 * {@link DiscoveringJwtDecoder.IdentityProviderUnavailableException}) is 503 with
	 * Warden's JSON error; every other failure is the 401 of the entry point. What went
	 * wrong is in the log, not in the answer.
	 */
	private static AuthenticationFailureHandler bearerFailure() {
		AuthenticationEntryPoint unauthenticated = bearerEntryPoint();
		return (request, response, ex) -> {
			if (ex instanceof AuthenticationServiceException) {
				response.setHeader("Retry-After", "5");
				ErrorResponses.write(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
						"identity_provider_unavailable",
						"the access token could not be checked: the identity provider is not available");
				return;
			}
			unauthenticated.commence(request, response, ex);
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
