package dev.warden.worker.system;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers a request whose method the worker never serves ({@code TRACE}, WebDAV's
 * {@code PROPFIND}, an invented one) with 405 {@code method_not_allowed} and the JSON
 * error, on every path, right after the request id is chosen and before the caller's
 * token is checked. Without it the servlet answers 501 Not Implemented, a 5xx for what is
 * the client's mistake.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class MethodFilter extends OncePerRequestFilter {

	/** The methods the worker serves, in the order an {@code Allow} header lists them. */
	static final List<String> SERVED = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (SERVED.contains(request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		response.setHeader(HttpHeaders.ALLOW, String.join(", ", SERVED));
		ErrorResponses.write(request, response, HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
				"the method " + printable(request.getMethod()) + " is not served by the inference worker");
	}

	/** The method as sent, when it is a short token; otherwise a placeholder. */
	private static String printable(String method) {
		return (method.length() <= 20 && method.chars().allMatch((c) -> c > 32 && c < 127)) ? method : "(unprintable)";
	}

}
