package dev.warden.platform.system;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Holds every query parameter and path variable of an admin call to {@link InputRules}
 * before the controller runs (no control characters, no unpaired surrogates, at most
 * {@link InputRules#MAX_PARAMETER_LENGTH} characters), and refuses query parameters the
 * endpoint does not take, so that a misspelt or retired parameter ({@code limit} where
 * the lists now take {@code size}) is an error rather than silently ignored. Answers 400
 * {@code invalid_parameter} naming the parameter, never echoing the value.
 */
final class AdminInputInterceptor implements HandlerInterceptor {

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (!(handler instanceof HandlerMethod method)) {
			return true;
		}
		Set<String> accepted = acceptedParameters(method);
		for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
			String name = parameter.getKey();
			check("query parameter name", name);
			if (!accepted.contains(name)) {
				throw ApiException.badRequest("invalid_parameter",
						"unknown query parameter '" + name + "'" + (accepted.isEmpty() ? "; this endpoint takes none"
								: "; this endpoint takes " + new TreeSet<>(accepted)));
			}
			for (String value : parameter.getValue()) {
				check("query parameter '" + name + "'", value);
			}
		}
		if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
			for (Map.Entry<?, ?> variable : variables.entrySet()) {
				check("path segment {" + variable.getKey() + "}", String.valueOf(variable.getValue()));
			}
		}
		return true;
	}

	private static void check(String what, String value) {
		String problem = InputRules.textProblem(value, false);
		if (problem == null && value.length() > InputRules.MAX_PARAMETER_LENGTH) {
			problem = "must be at most " + InputRules.MAX_PARAMETER_LENGTH + " characters long";
		}
		if (problem != null) {
			throw ApiException.badRequest("invalid_parameter", what + ": " + problem);
		}
	}

	/**
	 * The query parameters the handler declares: its {@code @RequestParam}s, and page and
	 * size for a list.
	 */
	private static Set<String> acceptedParameters(HandlerMethod method) {
		Set<String> names = new HashSet<>();
		for (MethodParameter parameter : method.getMethodParameters()) {
			RequestParam requestParam = parameter.getParameterAnnotation(RequestParam.class);
			if (requestParam != null) {
				names.add(!requestParam.name().isEmpty() ? requestParam.name() : parameter.getParameterName());
			}
			if (parameter.getParameterType() == PageRequest.class) {
				names.add(PageRequestResolver.PAGE);
				names.add(PageRequestResolver.SIZE);
			}
		}
		return names;
	}

}
