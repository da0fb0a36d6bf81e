package dev.warden.platform.system;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A rate limit per admin user: every authenticated admin call takes a token from the
 * bucket of its token subject ({@code sub}); an empty bucket answers 429
 * {@code rate_limited} with {@code Retry-After} (whole seconds). The buckets live in this
 * replica's memory (Bucket4j), so with N gateway replicas a user may make up to N times
 * the limit; they are kept per subject, a number bounded by the users the issuer knows.
 * Runs after authentication, so calls without a valid token are not counted against
 * anybody.
 */
final class AdminRateLimitFilter extends OncePerRequestFilter {

	private final AdminApiProperties.RateLimit limit;

	private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

	AdminRateLimitFilter(AdminApiProperties.RateLimit limit) {
		this.limit = limit;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication user = SecurityContextHolder.getContext().getAuthentication();
		if (user == null || !user.isAuthenticated() || user instanceof AnonymousAuthenticationToken) {
			chain.doFilter(request, response);
			return;
		}
		ConsumptionProbe probe = this.buckets.computeIfAbsent(user.getName(), (subject) -> newBucket())
			.tryConsumeAndReturnRemaining(1);
		if (probe.isConsumed()) {
			chain.doFilter(request, response);
			return;
		}
		long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
		response.setHeader("Retry-After", Long.toString(retryAfter));
		ErrorResponses.write(request, response, 429, "rate_limited",
				"at most " + this.limit.burst() + " admin calls in a row and " + this.limit.requestsPerMinute()
						+ " per minute per user; retry after " + retryAfter + " s");
	}

	private Bucket newBucket() {
		return Bucket.builder()
			.addLimit(Bandwidth.builder()
				.capacity(this.limit.burst())
				.refillGreedy(this.limit.requestsPerMinute(), Duration.ofMinutes(1))
				.build())
			.build();
	}

}
