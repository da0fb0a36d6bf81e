package dev.warden.console.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The console's Prometheus scrape ({@code GET /actuator/prometheus}: its HTTP requests,
 * sign-ins through the embedded authorization server, calls to the admin API, the JVM),
 * as the gateway's: a scraper sends {@code Authorization: Bearer <token>} with the token
 * of {@code warden.metrics.scrape-token} ({@code WARDEN_METRICS_SCRAPE_TOKEN}, compared
 * in constant time); without a token configured the endpoint answers 404, without the
 * right one 401. No session, no sign-in and no OIDC provider are involved, so a scrape
 * works while the provider is down and never creates a session.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConsoleMetricsConfiguration.MetricsProperties.class)
class ConsoleMetricsConfiguration {

	/** Before the console's own chain, after the authorization server's. */
	static final int METRICS_ORDER = 5;

	@Bean
	@Order(METRICS_ORDER)
	SecurityFilterChain metricsScrape(HttpSecurity http, MetricsProperties metrics) throws Exception {
		byte[] expected = metrics.scrapeToken().isEmpty() ? null : sha256(metrics.scrapeToken());
		http.securityMatcher("/actuator/prometheus")
			.authorizeHttpRequests((authorize) -> authorize.anyRequest()
				.access((authentication, context) -> new AuthorizationDecision(
						expected != null && MessageDigest.isEqual(expected, sha256(bearer(context.getRequest()))))))
			.exceptionHandling((exceptions) -> exceptions
				.authenticationEntryPoint((request, response, ex) -> refused(response, expected != null))
				.accessDeniedHandler((request, response, ex) -> refused(response, expected != null)))
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

	private static void refused(HttpServletResponse response, boolean enabled) throws IOException {
		response.setContentType(MediaType.TEXT_PLAIN_VALUE);
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		if (!enabled) {
			response.setStatus(HttpServletResponse.SC_NOT_FOUND);
			response.getWriter().write("not found\n");
			return;
		}
		response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
		response.setHeader("WWW-Authenticate", "Bearer realm=\"warden-metrics\"");
		response.getWriter().write("reading the metrics needs 'Authorization: Bearer <warden.metrics.scrape-token>'\n");
	}

	/**
	 * The scrape's settings.
	 *
	 * @param scrapeToken the bearer token a scraper must send; empty: the endpoint
	 * answers 404
	 */
	@ConfigurationProperties("warden.metrics")
	record MetricsProperties(@DefaultValue("") String scrapeToken) {

		MetricsProperties {
			scrapeToken = (scrapeToken != null) ? scrapeToken.strip() : "";
		}

		@Override
		public String toString() {
			return "MetricsProperties[scrapeToken=" + (this.scrapeToken.isEmpty() ? "" : "(set)") + "]";
		}

	}

}
