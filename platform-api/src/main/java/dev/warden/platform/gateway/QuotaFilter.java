package dev.warden.platform.gateway;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.quota.QuotaManagement;
import dev.warden.platform.quota.QuotaManagement.Decision;
import dev.warden.platform.system.ErrorResponses;

/**
 * Fourth data-plane filter: one token per request from the key's bucket. Sets {@code RateLimit-Limit},
 * {@code RateLimit-Remaining}, {@code RateLimit-Reset}; over the limit answers 429 with {@code Retry-After}.
 * A declared body larger than the plan's {@code max_request_bytes} gets 413.
 */
public class QuotaFilter extends OncePerRequestFilter implements Ordered {

	public static final int ORDER = ApiKeyAuthenticationFilter.ORDER + 10;

	private final QuotaManagement quotas;

	QuotaFilter(QuotaManagement quotas) {
		this.quotas = quotas;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		VerifiedKey key = (VerifiedKey) request.getAttribute(VerifiedKey.ATTRIBUTE);
		if (key == null) {
			// not reachable when the filters are ordered as registered; the security chain denies it anyway
			chain.doFilter(request, response);
			return;
		}
		Decision decision = this.quotas.consume(key.apiKeyId(), key.plan());
		response.setHeader("RateLimit-Limit", Long.toString(decision.plan().burst()));
		response.setHeader("RateLimit-Remaining", Long.toString(decision.remaining()));
		response.setHeader("RateLimit-Reset", Long.toString(decision.resetSeconds()));
		if (!decision.allowed()) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, "rate_limited");
			response.setHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
			ErrorResponses.write(request, response, 429, "rate_limited",
					"rate limit exceeded: plan '" + decision.plan().name() + "' allows "
							+ decision.plan().requestsPerSecond() + " requests/second with a burst of "
							+ decision.plan().burst() + "; retry after " + decision.retryAfterSeconds() + " s");
			return;
		}
		long max = decision.plan().maxRequestBytes();
		request.setAttribute(GatewayAttributes.MAX_REQUEST_BYTES, max);
		if (request.getContentLengthLong() > max) {
			tooLarge(request, response, max);
			return;
		}
		chain.doFilter(request, response);
	}

	static void tooLarge(HttpServletRequest request, HttpServletResponse response, long max) throws IOException {
		request.setAttribute(GatewayAttributes.ERROR_CODE, "payload_too_large");
		ErrorResponses.write(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
				"request body exceeds the plan's limit of " + max + " bytes");
	}

}
