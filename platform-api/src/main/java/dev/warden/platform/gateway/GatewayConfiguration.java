package dev.warden.platform.gateway;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.feedback.OutcomeFeedback;
import dev.warden.platform.model.ModelGrants;
import dev.warden.platform.monitoring.DataDrift;
import dev.warden.platform.monitoring.ServingHealth;
import dev.warden.platform.quota.QuotaManagement;
import dev.warden.platform.requestlog.RequestLogWriter;
import dev.warden.platform.routing.ModelRouting;
import dev.warden.platform.system.DatabaseTimeouts;
import dev.warden.platform.system.ErrorResponses;
import dev.warden.platform.usage.UsageMeter;
import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerProperties;

/**
 * The data-plane pipeline, in order: request id ({@code RequestIdFilter.ORDER}) → request
 * log ({@link RequestLogFilter#ORDER}) → route: the path parsed once into a
 * {@link DataPlaneRoute}, or refused ({@link DataPlaneRouteFilter#ORDER}) → API key
 * ({@link ApiKeyAuthenticationFilter#ORDER}) → model grant
 * ({@link ModelGrantFilter#ORDER}) → quota ({@link QuotaFilter#ORDER}) → the 404 for a
 * model not granted ({@link DeniedModelAnswer#ORDER}) → the answer to a {@code :feedback}
 * call ({@link FeedbackAnswer#ORDER}) → {@link GatewayForwarder}, which ends the chain
 * for every call forwarded to a worker. All of them run before Spring Security's filter
 * chain ({@code spring.security.filter.order}, -100): only {@code /v1/usage}, answered by
 * the gateway itself, continues to Spring Security's data-plane chain (which re-checks
 * that a key was verified) and Spring MVC. The filters run only on {@code /v1/*} and
 * {@code /v2/*}.
 */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

	/** Between the system module's admin API chain (1) and its public chain (3). */
	static final int DATA_PLANE_CHAIN_ORDER = 2;

	private static final String[] DATA_PLANE_URLS = { "/v1/*", "/v2/*" };

	@Bean
	FilterRegistrationBean<RequestLogFilter> requestLogFilter(RequestLogWriter writer, UsageMeter usage,
			GatewayMetrics metrics, ServingHealth health, DataDrift drift, DatabaseTimeouts database) {
		return register(new RequestLogFilter(writer, usage, metrics, health, drift, database), RequestLogFilter.ORDER);
	}

	@Bean
	FilterRegistrationBean<DataPlaneRouteFilter> dataPlaneRouteFilter(HttpFirewall firewall,
			RequestRejectedHandler rejected) {
		return register(new DataPlaneRouteFilter(firewall, rejected), DataPlaneRouteFilter.ORDER);
	}

	@Bean
	FilterRegistrationBean<ApiKeyAuthenticationFilter> apiKeyAuthenticationFilter(ApiKeyManagement keys,
			DatabaseTimeouts database) {
		return register(new ApiKeyAuthenticationFilter(keys, database), ApiKeyAuthenticationFilter.ORDER);
	}

	@Bean
	FilterRegistrationBean<ModelGrantFilter> modelGrantFilter(ModelGrants grants) {
		return register(new ModelGrantFilter(grants), ModelGrantFilter.ORDER);
	}

	@Bean
	FilterRegistrationBean<DeniedModelAnswer> deniedModelAnswer() {
		return register(new DeniedModelAnswer(), DeniedModelAnswer.ORDER);
	}

	@Bean
	FilterRegistrationBean<QuotaFilter> quotaFilter(QuotaManagement quotas) {
		return register(new QuotaFilter(quotas), QuotaFilter.ORDER);
	}

	@Bean
	FilterRegistrationBean<FeedbackAnswer> feedbackAnswer(OutcomeFeedback feedback, ModelGrants grants) {
		return register(new FeedbackAnswer(feedback, grants), FeedbackAnswer.ORDER);
	}

	@Bean
	FilterRegistrationBean<GatewayForwarder> gatewayForwarder(WorkerClient worker, ModelRouting routing,
			WorkerProperties properties) {
		return register(new GatewayForwarder(worker, routing, properties), GatewayForwarder.ORDER);
	}

	@Bean
	@Order(DATA_PLANE_CHAIN_ORDER)
	SecurityFilterChain dataPlane(HttpSecurity http) throws Exception {
		http.securityMatcher("/v1/**", "/v2/**")
			.authorizeHttpRequests((authorize) -> authorize.anyRequest()
				.access((authentication,
						context) -> new AuthorizationDecision(VerifiedKey.of(context.getRequest()) != null)))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint((request, response, ex) -> {
				response.setHeader("WWW-Authenticate", "Bearer realm=\"warden\"");
				ErrorResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "missing_api_key",
						"an API key is required");
			}))
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.securityContext((context) -> context.requireExplicitSave(true))
			.csrf((csrf) -> csrf.disable());
		return http.build();
	}

	private static <F extends Filter> FilterRegistrationBean<F> register(F filter, int order) {
		FilterRegistrationBean<F> registration = new FilterRegistrationBean<>(filter);
		registration.addUrlPatterns(DATA_PLANE_URLS);
		registration.setDispatcherTypes(DispatcherType.REQUEST);
		registration.setOrder(order);
		return registration;
	}

}
