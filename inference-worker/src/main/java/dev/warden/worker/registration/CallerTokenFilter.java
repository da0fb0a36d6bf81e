package dev.warden.worker.registration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

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

import dev.warden.worker.system.ErrorResponses;

/**
 * With a registration token set ({@code warden.registration.token}), the worker answers
 * only callers that send it as {@code Authorization: Bearer <token>}: Warden's gateways,
 * which send their own registration token to every worker. Without it, any host that
 * reaches the worker's port could call its data plane (no API key, quota or request log)
 * and its internal endpoints (desired state, validation, labels). The liveness and
 * readiness endpoints and the Prometheus scrape stay open so that an orchestrator and a
 * scraper need no secret; they are matched on the exact request URI, so no spelling of
 * another path passes as one of them. Checked first, before the body is read; compared in
 * constant time. Without a token nothing is checked (a worker reached only on loopback,
 * or one whose callers present a certificate under mutual TLS).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class CallerTokenFilter extends OncePerRequestFilter {

	/** What an orchestrator or a scraper calls without the token. */
	static final Set<String> OPEN = Set.of("/v2/health/live", "/v2/health/ready", "/actuator/health",
			"/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus");

	private static final String BEARER = "Bearer ";

	private final byte[] expected;

	CallerTokenFilter(RegistrationProperties properties) {
		String token = properties.token();
		this.expected = (token == null || token.isBlank()) ? null : token.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return this.expected == null || OPEN.contains(request.getRequestURI());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			refuse(request, response, "missing_worker_token",
					"this worker answers only Warden's gateways: send the registration token (warden.registration.token) "
							+ "as Authorization: Bearer <token>");
			return;
		}
		byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
		if (!MessageDigest.isEqual(presented, this.expected)) {
			refuse(request, response, "invalid_worker_token",
					"the bearer token is not this worker's registration token (warden.registration.token)");
			return;
		}
		chain.doFilter(request, response);
	}

	private static void refuse(HttpServletRequest request, HttpServletResponse response, String code, String message)
			throws IOException {
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"warden-worker\"");
		// the body is not read: the connection cannot be reused for the next request
		response.setHeader(HttpHeaders.CONNECTION, "close");
		ErrorResponses.write(request, response, HttpStatus.UNAUTHORIZED, code, message);
	}

}
