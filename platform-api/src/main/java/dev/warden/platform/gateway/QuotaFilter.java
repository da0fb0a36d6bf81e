package dev.warden.platform.gateway;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.quota.QuotaManagement;
import dev.warden.platform.quota.QuotaManagement.Decision;
import dev.warden.platform.quota.QuotaPlan;
import dev.warden.platform.quota.RowCounter;
import dev.warden.platform.system.ErrorResponses;
import dev.warden.platform.system.RequestIds;

/**
 * Fourth data-plane filter. A {@code POST} whose Content-Type is not JSON gets 415
 * {@code unsupported_media_type} before its body is read or any quota spent (so a form or
 * multipart body is never parsed). A declared body ({@code Content-Length}) larger than
 * the key's {@code max_request_bytes} (plan, or the key's stricter override) gets 413
 * <em>before</em> any quota is spent. Otherwise one request is taken from the key's rate
 * bucket, the key's own monthly bucket (if its override has one) and the tenant's monthly
 * bucket (shared by all replicas through PostgreSQL). Sets {@code RateLimit-Limit},
 * {@code RateLimit-Remaining}, {@code RateLimit-Reset} for whichever limit is closer to
 * exhaustion; over a limit answers 429 with {@code Retry-After} and a JSON error whose
 * {@code limit} is {@code rate}, {@code key_monthly} or {@code monthly} and whose
 * {@code resets_at} says when it admits again. A body without a declared length (chunked)
 * is still bounded by the controller, which reads at most the limit plus one byte.
 */
class QuotaFilter extends HttpFilter implements Ordered {

	public static final int ORDER = ApiKeyAuthenticationFilter.ORDER + 10;

	/**
	 * The caller's plan ({@link QuotaPlan}), for the row limit checked once the
	 * controller has read the body.
	 */
	private static final String PLAN = QuotaFilter.class.getName() + ".plan";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final QuotaManagement quotas;

	QuotaFilter(QuotaManagement quotas) {
		this.quotas = quotas;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		VerifiedKey key = VerifiedKey.of(request);
		DataPlaneRoute route = DataPlaneRouteFilter.of(request);
		if (key == null || route == null || !route.spendsQuota()) {
			// no key or route: not reachable when the filters are ordered as registered
			// (the security chain denies
			// it anyway); /v1/usage spends no model quota
			chain.doFilter(request, response);
			return;
		}
		if ("POST".equals(route.endpoint().method()) && !isJson(request.getContentType())) {
			// refused before the body is read: the data plane never parses forms or
			// multipart bodies
			request.setAttribute(GatewayAttributes.ERROR_CODE, "unsupported_media_type");
			response.setHeader("Accept", "application/json");
			ErrorResponses.write(request, response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
					"unsupported_media_type",
					(request.getContentType() == null) ? "a request body needs 'Content-Type: application/json'"
							: "the request body must be JSON ('Content-Type: application/json'), not '"
									+ abbreviate(request.getContentType()) + "'");
			return;
		}
		QuotaPlan limits = this.quotas.effectivePlan(key.plan(), key.quota());
		long max = limits.maxRequestBytes();
		request.setAttribute(GatewayAttributes.MAX_REQUEST_BYTES, max);
		// a limit of N admits exactly N: refused from N + 1 on, before the quota is
		// consumed
		if (request.getContentLengthLong() >= max + 1) {
			tooLarge(request, response, max);
			return;
		}
		long cost = (route.endpoint() == DataPlaneRoute.Endpoint.V1_EXPLAIN) ? limits.explainCost() : 1;
		request.setAttribute(GatewayAttributes.QUOTA_COST, cost);
		Decision decision = this.quotas.consume(key.apiKeyId(), key.tenantId(), key.plan(), key.quota(),
				key.quotaVersion(), cost);
		response.setHeader("Warden-Quota-Cost", Long.toString(cost));
		response.setHeader("RateLimit-Limit", Long.toString(decision.limit()));
		response.setHeader("RateLimit-Remaining", Long.toString(decision.remaining()));
		response.setHeader("RateLimit-Reset", Long.toString(decision.resetSeconds()));
		if (!decision.allowed()) {
			tooManyRequests(request, response, decision);
			return;
		}
		request.setAttribute(PLAN, decision.plan());
		chain.doFilter(request, response);
	}

	private static void tooManyRequests(HttpServletRequest request, HttpServletResponse response, Decision decision)
			throws IOException {
		String message = decision.message();
		request.setAttribute(GatewayAttributes.ERROR_CODE, "rate_limited");
		request.setAttribute(GatewayAttributes.QUOTA_LIMIT, decision.limitHit());
		response.setHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
		Map<String, Object> body = ErrorResponses.body("rate_limited", message, RequestIds.of(request));
		@SuppressWarnings("unchecked")
		Map<String, Object> error = (Map<String, Object>) body.get("error");
		error.put("limit", decision.limitHit());
		error.put("resets_at", decision.resetsAt().toString());
		error.put("retry_after_seconds", decision.retryAfterSeconds());
		error.put("cost", request.getAttribute(GatewayAttributes.QUOTA_COST));
		byte[] bytes = JSON.writeValueAsBytes(body);
		response.setStatus(429);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
	}

	/**
	 * Answers 400 {@code too_many_rows} when a predict body
	 * ({@code POST .../v1/...:predict}, {@code :classify}, {@code :regress} or
	 * {@code .../v2/.../infer}) has more rows (examples) than the plan's
	 * {@code max_rows_per_request}. Called by the controller after it read the body; a
	 * body whose rows cannot be counted is left to the worker.
	 * @return whether the response was written
	 */
	static boolean tooManyRows(HttpServletRequest request, HttpServletResponse response, DataPlaneRoute route,
			byte[] body) throws IOException {
		QuotaPlan plan = (QuotaPlan) request.getAttribute(PLAN);
		if (plan == null || !route.countsRows()) {
			return false;
		}
		boolean explanation = route.endpoint() == DataPlaneRoute.Endpoint.V1_EXPLAIN;
		long max = explanation ? plan.explanationRowLimit() : plan.maxRowsPerRequest();
		if (max == 0) {
			return false;
		}
		long rows = RowCounter.count(body, route.openInference(), max);
		request.setAttribute(GatewayAttributes.REQUEST_ROWS, rows);
		if (rows >= max + 1) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, "too_many_rows");
			request.setAttribute(GatewayAttributes.QUOTA_LIMIT, "rows");
			String limit = (explanation && max != plan.maxRowsPerRequest()) ? "max_rows_per_explanation"
					: "max_rows_per_request";
			ErrorResponses.write(request, response, HttpServletResponse.SC_BAD_REQUEST, "too_many_rows",
					"request has more than " + max + " rows: the key's quota (plan '" + plan.name() + "') allows "
							+ limit + " " + max);
			return true;
		}
		return false;
	}

	/**
	 * Whether a Content-Type names JSON as the workers accept it:
	 * {@code application/json} or {@code application/*+json}, with any parameters.
	 */
	static boolean isJson(String contentType) {
		if (contentType == null) {
			return false;
		}
		MediaType type;
		try {
			type = MediaType.parseMediaType(contentType);
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
		return "application".equals(type.getType())
				&& ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
	}

	private static String abbreviate(String text) {
		String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
		return (printable.length() <= 80) ? printable : printable.substring(0, 80) + "…";
	}

	static void tooLarge(HttpServletRequest request, HttpServletResponse response, long max) throws IOException {
		request.setAttribute(GatewayAttributes.ERROR_CODE, "payload_too_large");
		request.setAttribute(GatewayAttributes.QUOTA_LIMIT, "bytes");
		ErrorResponses.write(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
				"request body exceeds the limit of " + max + " bytes (max_request_bytes of the key's quota)");
	}

}
