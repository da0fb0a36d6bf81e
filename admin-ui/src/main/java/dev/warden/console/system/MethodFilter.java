package dev.warden.console.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Answers a request whose method the console never serves ({@code TRACE}, WebDAV's
 * {@code PROPFIND}, an invented one) with 405 and a short JSON error, on every path,
 * before Spring Security. Without it a signed-in browser's session got the servlet's 501
 * Not Implemented (a 5xx for what is the client's mistake), and a request without a
 * session a redirect to the sign-in page for a request that can never succeed.
 */
final class MethodFilter extends HttpFilter {

	/**
	 * The methods the console serves, in the order an {@code Allow} header lists them.
	 */
	static final List<String> SERVED = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

	private static final byte[] BODY = "{\"status\":405,\"error\":\"Method Not Allowed\"}"
		.getBytes(StandardCharsets.UTF_8);

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		if (SERVED.contains(request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
		response.setHeader(HttpHeaders.ALLOW, String.join(", ", SERVED));
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(BODY.length);
		response.getOutputStream().write(BODY);
	}

}
