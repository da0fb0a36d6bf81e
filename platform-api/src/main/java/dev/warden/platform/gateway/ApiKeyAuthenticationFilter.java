package dev.warden.platform.gateway;

import java.io.IOException;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.Ordered;
import org.springframework.dao.DataAccessException;

import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.apikey.KeyVerification;
import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.system.DatabaseTimeouts;
import dev.warden.platform.system.DatabaseUnavailable;
import dev.warden.platform.system.ErrorResponses;

/**
 * Third data-plane filter: the API key from {@code Authorization: Bearer <key>} or
 * {@code X-API-Key: <key>} must be valid; otherwise 401 with
 * {@code WWW-Authenticate: Bearer}. A good key of a suspended tenant gets 403
 * {@code tenant_suspended}; a call outside the key's scopes (the model and operation of
 * the {@link DataPlaneRoute}) gets 403 {@code insufficient_scope} naming the missing
 * scope. Sets {@link VerifiedKey#ATTRIBUTE}.
 */
class ApiKeyAuthenticationFilter extends HttpFilter implements Ordered {

	public static final int ORDER = RequestLogFilter.ORDER + 10;

	private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticationFilter.class);

	private final ApiKeyManagement keys;

	private final DatabaseTimeouts database;

	ApiKeyAuthenticationFilter(ApiKeyManagement keys, DatabaseTimeouts database) {
		this.database = database;
		this.keys = keys;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String raw = presentedKey(request);
		if (raw == null) {
			reject(request, response, "Bearer realm=\"warden\"", "missing_api_key",
					"an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
			return;
		}
		KeyVerification verification;
		try {
			verification = this.keys.check(raw);
		}
		catch (RuntimeException ex) {
			if (!(ex instanceof DataAccessException) && !DatabaseUnavailable.is(ex)) {
				throw ex;
			}
			log.warn("API key verification failed: database unavailable ({})", ex.toString());
			request.setAttribute(GatewayAttributes.ERROR_CODE, "service_unavailable");
			response.setHeader("Retry-After", this.database.retryAfterSeconds());
			ErrorResponses.write(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "service_unavailable",
					"the service cannot verify API keys right now; retry later");
			return;
		}
		if (verification.outcome() == KeyVerification.Outcome.INVALID) {
			reject(request, response, "Bearer realm=\"warden\", error=\"invalid_token\"", "invalid_api_key",
					"the API key is invalid, revoked or expired");
			return;
		}
		VerifiedKey key = verification.key();
		// set before any 403 too, so that the request log attributes the refusal to the
		// tenant and key
		request.setAttribute(VerifiedKey.ATTRIBUTE, key);
		if (verification.outcome() == KeyVerification.Outcome.TENANT_SUSPENDED) {
			forbid(request, response, "tenant_suspended",
					"the tenant of this API key is suspended; contact the platform administrator");
			return;
		}
		DataPlaneRoute route = DataPlaneRouteFilter.of(request);
		Optional<String> denial = (route != null) ? key.scopes().denial(route.model(), route.operation())
				: Optional.of("no data-plane route");
		if (denial.isPresent()) {
			forbid(request, response, "insufficient_scope", denial.get());
			return;
		}
		chain.doFilter(request, response);
	}

	private static void reject(HttpServletRequest request, HttpServletResponse response, String challenge, String code,
			String message) throws IOException {
		request.setAttribute(GatewayAttributes.ERROR_CODE, code);
		response.setHeader("WWW-Authenticate", challenge);
		ErrorResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, code, message);
	}

	private static void forbid(HttpServletRequest request, HttpServletResponse response, String code, String message)
			throws IOException {
		request.setAttribute(GatewayAttributes.ERROR_CODE, code);
		ErrorResponses.write(request, response, HttpServletResponse.SC_FORBIDDEN, code, message);
	}

	private static String presentedKey(HttpServletRequest request) {
		String authorization = request.getHeader("Authorization");
		if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			String token = authorization.substring(7).strip();
			return token.isEmpty() ? null : token;
		}
		String header = request.getHeader("X-API-Key");
		return (header != null && !header.isBlank()) ? header.strip() : null;
	}

}
