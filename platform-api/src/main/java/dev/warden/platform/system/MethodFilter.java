package dev.warden.platform.system;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers a request whose method Warden never serves ({@code CONNECT}, {@code TRACE},
 * WebDAV's {@code PROPFIND}, an invented one) with 405 {@code method_not_allowed} and the
 * JSON error, on every path, right after the request id is chosen. Without it the servlet
 * answers 501 Not Implemented, a 5xx for what is the client's mistake.
 */
@Component
public class MethodFilter extends OncePerRequestFilter implements Ordered {

	/** The methods Warden serves, in the order an {@code Allow} header lists them. */
	public static final List<String> SERVED = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

	/** {@link #SERVED} as an {@code Allow} header's value. */
	public static final String ALLOW = String.join(", ", SERVED);

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (SERVED.contains(request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		response.setHeader(HttpHeaders.ALLOW, ALLOW);
		ErrorResponses.write(request, response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method_not_allowed",
				"the method " + printable(request.getMethod()) + " is not served by Warden");
	}

	/** The method as sent, when it is a short token; otherwise a placeholder. */
	private static String printable(String method) {
		return (method.length() <= 20 && method.chars().allMatch((c) -> c > 32 && c < 127)) ? method : "(unprintable)";
	}

	@Override
	public int getOrder() {
		return RequestIdFilter.ORDER + 1;
	}

}
