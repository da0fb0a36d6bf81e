package dev.warden.platform.system;

import java.util.List;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.warden.platform.system.internal.AdminBodyLimitFilter;

/**
 * The admin API's input rules in Spring MVC: every query parameter and path variable is
 * checked ({@link AdminInputInterceptor}) and lists read their page from {@code page} and
 * {@code size} ({@link PageRequestResolver}). Bodies are checked where they are parsed
 * ({@link JsonConfiguration}) and limited in size before that
 * ({@link AdminBodyLimitFilter}).
 */
@Configuration(proxyBeanMethods = false)
class AdminApiWebConfiguration implements WebMvcConfigurer {

	private final AdminApiProperties properties;

	AdminApiWebConfiguration(AdminApiProperties properties) {
		this.properties = properties;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new AdminInputInterceptor()).addPathPatterns("/api/admin/**");
	}

	@Override
	public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
		resolvers.add(new PageRequestResolver(this.properties.page()));
	}

}
