package dev.warden.console.identity;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import dev.warden.console.system.ConsoleHeaders;
import dev.warden.console.system.ConsoleLogin;
import io.github.bucket4j.TimeMeter;
import org.thymeleaf.spring6.view.ThymeleafViewResolver;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * The embedded authorization server. Two filter chains, before the console's own chain:
 * <ol>
 * <li>{@link #AUTHORIZATION_SERVER_ORDER}: the protocol endpoints (authorize, token,
 * JWKS, discovery, userinfo); a browser that is not signed in is sent to the sign-in
 * page;</li>
 * <li>{@link #SIGN_IN_ORDER}: the sign-in page and its form post, throttled per user name
 * and client address ({@link SignInThrottle}).</li>
 * </ol>
 * Both share the HTTP session with the console (same application, same origin): signing
 * in here is what lets the authorize endpoint issue the console's code, and signing out
 * of the console ends both.
 * <p>
 * Authorizations (codes, tokens) and the signing key are the authorization server's
 * in-memory defaults unless the console keeps its state in platform-api
 * ({@code warden.console.state.token}, module {@code state}), which then provides the
 * {@code OAuth2AuthorizationService} and the {@code JWKSource}. The registered clients'
 * ids are their client ids, the same in every replica and after a restart, since stored
 * authorizations refer to them.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedIdentityCondition.class)
class IdentityConfiguration {

	static final int AUTHORIZATION_SERVER_ORDER = 1;

	static final int SIGN_IN_ORDER = 2;

	static final String SIGN_IN_PAGE = "/login";

	@Bean
	@Order(AUTHORIZATION_SERVER_ORDER)
	SecurityFilterChain authorizationServerSecurityFilterChain(HttpSecurity http) throws Exception {
		http.oauth2AuthorizationServer((server) -> {
			http.securityMatcher(server.getEndpointsMatcher());
			server.oidc(Customizer.withDefaults());
		})
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.exceptionHandling((exceptions) -> exceptions.defaultAuthenticationEntryPointFor(
					new LoginUrlAuthenticationEntryPoint(SIGN_IN_PAGE),
					new MediaTypeRequestMatcher(MediaType.TEXT_HTML)))
			.headers(ConsoleHeaders.policy());
		return http.build();
	}

	/**
	 * The sign-in form. Its credentials are checked within the failure budgets of
	 * {@link SignInThrottle}; the page posts to itself and, through the authorize
	 * redirect that follows, to the clients' redirect URIs, which is why the command-line
	 * client's origin is an allowed form target.
	 */
	@Bean
	@Order(SIGN_IN_ORDER)
	SecurityFilterChain signInSecurityFilterChain(HttpSecurity http, IdentityProperties properties,
			UserDetailsService users, PasswordEncoder passwordEncoder, SignInThrottle throttle,
			ApplicationEventPublisher events, ObjectProvider<ThymeleafViewResolver> views) throws Exception {
		DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(users);
		passwords.setPasswordEncoder(passwordEncoder);
		http.securityMatcher(SIGN_IN_PAGE)
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.authenticationManager(new ThrottledAuthenticationManager(new ProviderManager(passwords), throttle, events))
			.formLogin((form) -> form.loginPage(SIGN_IN_PAGE)
				.authenticationDetailsSource(SignInDetails::new)
				.failureHandler(new SignInFailureHandler(views))
				.permitAll())
			.headers(ConsoleHeaders.policy(URI.create(properties.cliClient().redirectUri())));
		return http.build();
	}

	@Bean
	SignInThrottle signInThrottle(SignInThrottleProperties throttle, IdentityProperties properties) {
		return new SignInThrottle(throttle, properties.users().stream().map(IdentityProperties.User::username).toList(),
				TimeMeter.SYSTEM_NANOTIME);
	}

	@Bean
	PasswordEncoder passwordEncoder() {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
	}

	@Bean
	UserDetailsService userDetailsService(IdentityProperties properties, PasswordEncoder passwordEncoder) {
		List<UserDetails> users = new ArrayList<>();
		for (IdentityProperties.User user : properties.users()) {
			Assert.hasText(user.username(), "warden.console.identity.users[].username must be set");
			Assert.hasText(user.password(), () -> "no password configured for user " + user.username());
			users.add(User.withUsername(user.username())
				.password(passwordEncoder.encode(user.password()))
				.roles(user.roles().toArray(String[]::new))
				.build());
		}
		return new InMemoryUserDetailsManager(users);
	}

	@Bean
	RegisteredClientRepository registeredClientRepository(IdentityProperties properties,
			PasswordEncoder passwordEncoder) {
		IdentityProperties.ConsoleClient console = properties.consoleClient();
		Assert.isTrue(StringUtils.hasText(console.clientSecret()), "the console client secret must be set");
		RegisteredClient consoleClient = RegisteredClient.withId(console.clientId())
			.clientId(console.clientId())
			.clientName("Warden console")
			.clientSecret(passwordEncoder.encode(console.clientSecret()))
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
			// the console's own identity, for reporting failed sign-ins to platform-api
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.redirectUri(properties.consoleRedirectUri())
			.postLogoutRedirectUri(properties.issuer() + "/signed-out")
			.scope(OidcScopes.OPENID)
			.scope(OidcScopes.PROFILE)
			.scope(ConsoleLogin.SIGN_IN_AUDIT_SCOPE)
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
			.build();
		IdentityProperties.CliClient cli = properties.cliClient();
		RegisteredClient cliClient = RegisteredClient.withId(cli.clientId())
			.clientId(cli.clientId())
			.clientName("Warden command line")
			.clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.redirectUri(cli.redirectUri())
			.scope(OidcScopes.OPENID)
			.scope(OidcScopes.PROFILE)
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
			.build();
		return new InMemoryRegisteredClientRepository(consoleClient, cliClient);
	}

	@Bean
	OAuth2AuthorizationConsentService authorizationConsentService() {
		return new InMemoryOAuth2AuthorizationConsentService();
	}

	@Bean
	AuthorizationServerSettings authorizationServerSettings(IdentityProperties properties) {
		return AuthorizationServerSettings.builder().issuer(properties.issuer()).build();
	}

	/**
	 * The one token customizer (the authorization server takes a single bean): the
	 * {@code roles} claim on access and ID tokens, and the admin API's audience and
	 * {@code at+jwt} type on access tokens.
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> tokenCustomizer(UserDetailsService users, IdentityProperties properties) {
		RolesClaimCustomizer roles = new RolesClaimCustomizer(users);
		AdminApiAudienceCustomizer audience = new AdminApiAudienceCustomizer(properties.adminApiAudience());
		return (context) -> {
			roles.customize(context);
			audience.customize(context);
		};
	}

}
