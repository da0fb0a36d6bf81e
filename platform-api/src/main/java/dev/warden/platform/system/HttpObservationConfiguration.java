package dev.warden.platform.system;

import jakarta.servlet.DispatcherType;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Spring's per-request HTTP observation ({@code http.server.requests}) on the admin API
 * only. Spring Boot would register it for every path; declaring it here makes Boot's own
 * registration back off. The data plane ({@code /v1/**}, {@code /v2/**}) is measured by
 * the gateway's own metrics ({@code warden.gateway.*}), whose meters are looked up once
 * per label set, instead of an observation, its context and its tag computation per
 * request (about 8% of a worker's request-thread samples in docs/benchmarks.md).
 */
@Configuration(proxyBeanMethods = false)
class HttpObservationConfiguration {

	@Bean
	FilterRegistrationBean<ServerHttpObservationFilter> adminApiObservationFilter(ObservationRegistry registry) {
		FilterRegistrationBean<ServerHttpObservationFilter> registration = new FilterRegistrationBean<>(
				new ServerHttpObservationFilter(registry));
		registration.addUrlPatterns("/api/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
		return registration;
	}

}
