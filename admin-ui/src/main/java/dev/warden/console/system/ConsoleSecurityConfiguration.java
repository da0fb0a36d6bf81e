package dev.warden.console.system;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.util.StringUtils;

/**
 * The console's own filter chain. It comes after the embedded authorization server's
 * chains (orders 1 and 2), and admits only users who signed in to the console through
 * OpenID Connect: the session is shared with the authorization server, so a session that
 * holds only the authorization server's form login is sent through the OIDC flow first
 * (which then completes without asking for the password again).
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSecurityConfiguration {

	static final int CONSOLE_ORDER = 10;

	static final String SIGN_IN_ENTRY = "/oauth2/authorization/" + ConsoleLogin.REGISTRATION_ID;

	static final String SIGNED_OUT_PAGE = "/signed-out";

	private static final AuthorizationManager<RequestAuthorizationContext> CONSOLE_USER = (authentication,
			context) -> new AuthorizationDecision(authentication.get() instanceof OAuth2AuthenticationToken);

	@Bean
	@Order(CONSOLE_ORDER)
	SecurityFilterChain consoleSecurityFilterChain(HttpSecurity http, OidcClientProperties oidc,
			ConsoleProperties console, ClientRegistrationRepository registrations) throws Exception {
		// with an external provider: its end_session_endpoint (from discovery), with
		// id_token_hint and post_logout_redirect_uri = <public URL>/signed-out
		OidcClientInitiatedLogoutSuccessHandler logoutSuccess = new OidcClientInitiatedLogoutSuccessHandler(
				registrations);
		logoutSuccess.setPostLogoutRedirectUri(console.origin() + SIGNED_OUT_PAGE);
		logoutSuccess.setDefaultTargetUrl(SIGNED_OUT_PAGE);
		http.authorizeHttpRequests((requests) -> requests
			.requestMatchers("/css/**", "/webjars/**", "/favicon.ico", "/error", SIGNED_OUT_PAGE, "/actuator/health",
					"/actuator/health/**", "/actuator/info")
			.permitAll()
			.anyRequest()
			.access(CONSOLE_USER))
			.oauth2Login((login) -> login.loginPage(SIGN_IN_ENTRY)
				.failureUrl(SIGNED_OUT_PAGE + "?error")
				.userInfoEndpoint((userInfo) -> userInfo
					.oidcUserService(new ConsoleOidcUserService(oidc.rolesClaim(), oidc.usernameClaim()))))
			.oauth2Client(Customizer.withDefaults())
			.logout((logout) -> logout.logoutSuccessHandler(logoutSuccess))
			.exceptionHandling((exceptions) -> exceptions.accessDeniedHandler(ConsoleSecurityConfiguration::denied))
			// signing out posts a form that an external provider's end-session endpoint
			// may answer
			.headers(ConsoleHeaders.policy(providerOrigins(oidc, registrations)));
		return http.build();
	}

	/**
	 * The external provider's origins a form post may lead to: the issuer's and its
	 * end-session endpoint's (none for the embedded server, which is the console's own).
	 */
	private static URI[] providerOrigins(OidcClientProperties oidc, ClientRegistrationRepository registrations) {
		if (!StringUtils.hasText(oidc.issuerUri())) {
			return new URI[0];
		}
		List<URI> origins = new ArrayList<>();
		origins.add(URI.create(oidc.issuerUri()));
		ClientRegistration login = registrations.findByRegistrationId(ConsoleLogin.REGISTRATION_ID);
		Object endSession = (login != null)
				? login.getProviderDetails().getConfigurationMetadata().get("end_session_endpoint") : null;
		if (endSession instanceof String endpoint && StringUtils.hasText(endpoint)) {
			origins.add(URI.create(endpoint));
		}
		return origins.toArray(URI[]::new);
	}

	private static void denied(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
			throws IOException {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!(authentication instanceof OAuth2AuthenticationToken)) {
			response.sendRedirect(request.getContextPath() + SIGN_IN_ENTRY);
			return;
		}
		response.sendError(HttpServletResponse.SC_FORBIDDEN);
	}

	@Bean
	ClientRegistrationRepository clientRegistrationRepository(OidcClientProperties oidc, ConsoleProperties console,
			Environment environment) {
		if (!StringUtils.hasText(oidc.clientSecret())) {
			throw new IllegalStateException(
					"warden.console.oidc.client-secret (WARDEN_CONSOLE_CLIENT_SECRET) is not set");
		}
		ClientRegistration.Builder login;
		ClientRegistration signInAudit = null;
		if (StringUtils.hasText(oidc.issuerUri())) {
			// An external provider: its endpoints come from its discovery document.
			login = discover(oidc.issuerUri()).registrationId(ConsoleLogin.REGISTRATION_ID);
		}
		else {
			String issuer = embeddedIssuer(console, environment);
			login = embeddedLogin(issuer);
			signInAudit = signInAudit(issuer, oidc);
		}
		List<ClientRegistration> registrations = new ArrayList<>();
		registrations.add(login.clientName("Warden")
			.clientId(oidc.clientId())
			.clientSecret(oidc.clientSecret())
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			// from configuration, not from the request's Host
			.redirectUri(console.origin() + "/login/oauth2/code/" + ConsoleLogin.REGISTRATION_ID)
			.scope(oidc.scopes())
			// the name shown: ConsoleOidcUserService (username claim, else sub)
			.userNameAttributeName(IdTokenClaimNames.SUB)
			.clientSettings(ClientRegistration.ClientSettings.builder().requireProofKey(true).build())
			.build());
		if (signInAudit != null) {
			registrations.add(signInAudit);
		}
		return new InMemoryClientRegistrationRepository(registrations);
	}

	/**
	 * Reads the external provider's discovery document
	 * ({@code <issuer>/.well-known/openid-configuration}): its endpoints, keys and
	 * end-session endpoint. A provider that cannot be reached, or whose document is not
	 * one or names another issuer, stops the start with a message saying what to check.
	 */
	static ClientRegistration.Builder discover(String issuer) {
		try {
			return ClientRegistrations.fromIssuerLocation(issuer);
		}
		catch (RuntimeException ex) {
			String cause = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
			throw new IllegalStateException("The console could not use the OpenID Connect provider "
					+ "warden.console.oidc.issuer-uri (WARDEN_CONSOLE_OIDC_ISSUER_URI) = " + issuer + ": its "
					+ "discovery document " + issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration "
					+ "could not be read or used (" + cause + "). The provider must be running and reachable from "
					+ "the console under this URL, and the URL must be the issuer exactly as the provider writes it "
					+ "into its tokens (scheme, host name, port, path), the same for platform-api "
					+ "(WARDEN_OIDC_ISSUER_URI)", ex);
		}
	}

	/**
	 * The embedded authorization server's issuer, which must be the console's own origin:
	 * the sign-in and the console share one browser session.
	 */
	private static String embeddedIssuer(ConsoleProperties console, Environment environment) {
		if (!environment.getProperty("warden.console.identity.embedded", Boolean.class, true)) {
			throw new IllegalStateException("The embedded authorization server is disabled but no external issuer is "
					+ "configured: set warden.console.oidc.issuer-uri (WARDEN_CONSOLE_OIDC_ISSUER_URI)");
		}
		String issuer = environment.getProperty("warden.console.identity.issuer", console.origin());
		if (issuer.endsWith("/")) {
			issuer = issuer.substring(0, issuer.length() - 1);
		}
		if (!ConsoleProperties.originOf(URI.create(issuer)).equals(console.origin())) {
			throw new IllegalStateException(
					"The embedded issuer (warden.console.identity.issuer, WARDEN_CONSOLE_ISSUER) " + issuer
							+ " must be the console's public URL (warden.console.public-url, WARDEN_CONSOLE_PUBLIC_URL) "
							+ console.origin() + "; set one of them, the other follows");
		}
		return issuer;
	}

	/**
	 * The embedded authorization server lives in this very application, which is not
	 * listening yet while the context starts, so its endpoints are derived from the
	 * issuer instead of being discovered.
	 */
	private static ClientRegistration.Builder embeddedLogin(String issuer) {
		return ClientRegistration.withRegistrationId(ConsoleLogin.REGISTRATION_ID)
			.issuerUri(issuer)
			.authorizationUri(issuer + "/oauth2/authorize")
			.tokenUri(issuer + "/oauth2/token")
			.jwkSetUri(issuer + "/oauth2/jwks")
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC);
	}

	/**
	 * The console's own identity at the embedded issuer, used to report failed sign-ins
	 * to platform-api: nobody is signed in when a sign-in fails, so there is no user
	 * token to report them with.
	 */
	private static ClientRegistration signInAudit(String issuer, OidcClientProperties oidc) {
		return ClientRegistration.withRegistrationId(ConsoleLogin.SIGN_IN_AUDIT_REGISTRATION_ID)
			.clientName("Warden console")
			.clientId(oidc.clientId())
			.clientSecret(oidc.clientSecret())
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri(issuer + "/oauth2/token")
			.scope(ConsoleLogin.SIGN_IN_AUDIT_SCOPE)
			.build();
	}

	/**
	 * Tokens are kept in the user's session only, so signing out forgets them; the
	 * console stores nothing.
	 */
	@Bean
	OAuth2AuthorizedClientRepository authorizedClientRepository() {
		return new HttpSessionOAuth2AuthorizedClientRepository();
	}

	@Bean
	OAuth2AuthorizedClientManager authorizedClientManager(ClientRegistrationRepository registrations,
			OAuth2AuthorizedClientRepository authorizedClients) {
		OAuth2AuthorizedClientProvider provider = OAuth2AuthorizedClientProviderBuilder.builder()
			.authorizationCode()
			.refreshToken()
			.build();
		DefaultOAuth2AuthorizedClientManager manager = new DefaultOAuth2AuthorizedClientManager(registrations,
				authorizedClients);
		manager.setAuthorizedClientProvider(provider);
		return manager;
	}

}
