package dev.warden.console.state;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.warden.console.adminapi.PlatformApiConnections;
import jakarta.servlet.DispatcherType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.DefaultCookieSerializer;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * With {@code warden.console.state.token}: sessions (Spring Session) in platform-api and,
 * when the embedded authorization server runs, its signing keys and authorizations too.
 * Without it: one INFO line saying the state is per process.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleStateConfiguration {

	private static final Log logger = LogFactory.getLog(ConsoleStateConfiguration.class);

	@Bean
	@Conditional(ConsoleStateConditions.Off.class)
	ApplicationRunner perProcessStateNotice() {
		return (arguments) -> logger.info("Console state is per process: sessions, signing keys and authorizations "
				+ "are in memory, so a restart signs everybody out and replicas cannot share users "
				+ "(set warden.console.state.token, WARDEN_CONSOLE_STATE_TOKEN, to keep them in platform-api)");
	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(ConsoleStateConditions.On.class)
	@EnableSpringHttpSession
	static class SharedStateConfiguration {

		@Bean
		ConsoleStateClient consoleStateClient(PlatformApiConnections platformApi, ConsoleStateProperties properties) {
			return new ConsoleStateClient(platformApi.restClient(), properties.token());
		}

		@Bean
		SharedSessionRepository sessionRepository(ConsoleStateClient client, Environment environment) {
			Duration timeout = environment.getProperty("server.servlet.session.timeout", Duration.class,
					Duration.ofMinutes(30));
			logger.info("Console state is kept by platform-api: sessions"
					+ (ConsoleStateConditions.embedded(environment) ? ", signing keys and authorizations" : "")
					+ " are shared by replicas");
			return new SharedSessionRepository(client, timeout, Clock.systemUTC());
		}

		/** The session cookie as configured for the servlet container's sessions. */
		@Bean
		CookieSerializer cookieSerializer(Environment environment) {
			DefaultCookieSerializer cookies = new DefaultCookieSerializer();
			cookies.setCookieName(environment.getProperty("server.servlet.session.cookie.name", "JSESSIONID"));
			cookies.setSameSite(environment.getProperty("server.servlet.session.cookie.same-site", "Lax"));
			cookies.setUseHttpOnlyCookie(true);
			cookies.setCookiePath("/");
			Boolean secure = environment.getProperty("server.servlet.session.cookie.secure", Boolean.class);
			if (secure != null) {
				cookies.setUseSecureCookie(secure);
			}
			cookies.setUseBase64Encoding(false);
			return cookies;
		}

		/**
		 * Just before the session filter: 503 instead of 500 while platform-api is away.
		 */
		@Bean
		FilterRegistrationBean<ConsoleStateOutageFilter> consoleStateOutageFilterRegistration() {
			FilterRegistrationBean<ConsoleStateOutageFilter> registration = new FilterRegistrationBean<>(
					new ConsoleStateOutageFilter());
			registration.setOrder(SessionRepositoryFilter.DEFAULT_ORDER - 1);
			registration.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
			return registration;
		}

		/**
		 * Right after the public origin and method filters, before Spring Security, also
		 * for error and async dispatches.
		 */
		@Bean
		FilterRegistrationBean<SessionRepositoryFilter<?>> sessionRepositoryFilterRegistration(
				SessionRepositoryFilter<?> springSessionRepositoryFilter) {
			FilterRegistrationBean<SessionRepositoryFilter<?>> registration = new FilterRegistrationBean<>(
					springSessionRepositoryFilter);
			registration.setOrder(SessionRepositoryFilter.DEFAULT_ORDER);
			registration
				.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR));
			return registration;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(ConsoleStateConditions.OnWithEmbeddedIdentity.class)
	static class SharedIdentityConfiguration {

		@Bean
		JWKSource<SecurityContext> jwkSource(ConsoleStateClient client, ConsoleStateProperties properties) {
			SharedSigningKeys keys = new SharedSigningKeys(client::signingKeys, Clock.systemUTC());
			keys.load(properties.startupTimeout());
			return keys;
		}

		@Bean
		OAuth2AuthorizationService authorizationService(ConsoleStateClient client) {
			return new SharedAuthorizationService(client, Clock.systemUTC());
		}

	}

}
