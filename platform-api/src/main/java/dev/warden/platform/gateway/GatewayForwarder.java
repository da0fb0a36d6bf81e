package dev.warden.platform.gateway;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.routing.ModelRouting;
import dev.warden.platform.system.ErrorResponses;
import dev.warden.platform.system.RequestIds;
import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;
import dev.warden.platform.worker.WorkerProperties;

/**
 * The data plane's last step, a servlet filter that ends the chain for every forwarded
 * route: forwards the call described by the request's {@link DataPlaneRoute} to a worker
 * (the route's canonical path, the body bytes, Content-Type, X-Request-Id; never the
 * client's raw path or query) and answers with the worker's status, body, Content-Type
 * and X-Model-Version.
 *
 * <p>
 * A call that names a model but no version or label ({@code POST /v1/models/{m}:predict},
 * {@code :classify}, {@code :regress}, {@code POST /v2/models/{m}/infer}) asks
 * {@link ModelRouting} which version must answer (pin, canary, stable); when it names
 * one, the path is rewritten to that version
 * ({@code /v1/models/{m}/versions/{v}:predict},
 * {@code /v2/models/{m}/versions/{v}/infer}). When no worker can serve the routed
 * version, the answer comes from another one and carries a {@code Warning} header. The
 * worker is chosen by {@link WorkerClient#forward}. No healthy worker: 503
 * {@code worker_unavailable} with {@code Retry-After}; a worker slower than the model's
 * response timeout: 504 {@code worker_timeout}.
 *
 * <p>
 * Forwarded calls never reach Spring Security's filter chain or Spring MVC's dispatcher:
 * every check they need ran in the data-plane filters before this one (route, API key,
 * scope, grant, quota), and the dispatch machinery, its per-filter observations and
 * handler lookup cost about a third of a request thread's CPU (docs/benchmarks.md). As
 * defence in depth this step still refuses (401) a call that arrives without a verified
 * key. {@code /v1/usage}, which the gateway answers itself, continues down the chain to
 * Spring Security's data-plane chain and its controller.
 */
class GatewayForwarder extends HttpFilter implements Ordered {

	/** The last data-plane filter: after the answer for a model that is not granted. */
	public static final int ORDER = DeniedModelAnswer.ORDER + 5;

	private final WorkerClient worker;

	private final ModelRouting routing;

	private final String retryAfterSeconds;

	GatewayForwarder(WorkerClient worker, ModelRouting routing, WorkerProperties properties) {
		this.worker = worker;
		this.routing = routing;
		this.retryAfterSeconds = Long.toString(Math.max(1, (properties.retryAfter().toMillis() + 999) / 1000));
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		DataPlaneRoute route = DataPlaneRouteFilter.of(request);
		if (route != null && !route.forwarded()) {
			// /v1/usage: answered by its own controller behind the data-plane security
			// chain
			chain.doFilter(request, response);
			return;
		}
		if (route == null) {
			// not reachable: the route filter refuses every path that is not a route
			ErrorResponses.write(request, response, HttpServletResponse.SC_NOT_FOUND, "not_found",
					"no data-plane endpoint at this path");
			return;
		}
		if (VerifiedKey.of(request) == null) {
			// not reachable when the filters are ordered as registered: the API-key
			// filter
			// refuses a call without a valid key
			request.setAttribute(GatewayAttributes.ERROR_CODE, "missing_api_key");
			response.setHeader("WWW-Authenticate", "Bearer realm=\"warden\"");
			ErrorResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "missing_api_key",
					"an API key is required");
			return;
		}
		forward(request, response, route);
	}

	private void forward(HttpServletRequest request, HttpServletResponse response, DataPlaneRoute route)
			throws IOException {
		Long max = (Long) request.getAttribute(GatewayAttributes.MAX_REQUEST_BYTES);
		long limit = (max != null) ? max : Integer.MAX_VALUE - 8;
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
		}
		request.setAttribute(GatewayAttributes.REQUEST_BYTES_READ, (long) body.length);
		if (body.length > limit) {
			QuotaFilter.tooLarge(request, response, limit);
			return;
		}
		if (QuotaFilter.tooManyRows(request, response, route, body)) {
			return;
		}
		request.setAttribute(GatewayAttributes.REQUEST_BODY, body);
		String requestId = RequestIds.of(request);
		ModelRouting.Decision decision = null;
		if (route.choosesVersion()) {
			decision = chooseVersion(request, route.model(), requestId);
		}
		DataPlaneRoute unversioned = route;
		WorkerResponse answer;
		try {
			// the path sent is built from the route, never the client's; the client's
			// query string is not sent
			if (decision != null && decision.version() != null) {
				route = route.withVersion(decision.version());
			}
			answer = this.worker.forward(route.model(), route.version(), route.label(), route.endpoint().method(),
					route.path(), body, request.getContentType(), requestId);
			if (decision != null && decision.version() != null && !decision.pinned() && answer.status() == 404) {
				// the version the gateway chose (the caller named none) is not loaded
				// where the workers' last reports said it was: the call is answered by
				// the version the workers serve now, and says so, rather than 404 for a
				// model that exists
				answer = this.worker.forward(unversioned.model(), null, null, unversioned.endpoint().method(),
						unversioned.path(), body, request.getContentType(), requestId);
				if (answer.status() != 404) {
					decision = decision.fallenBack();
				}
			}
		}
		catch (WorkerClient.WorkerTimeoutException ex) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, "worker_timeout");
			ErrorResponses.write(request, response, HttpServletResponse.SC_GATEWAY_TIMEOUT, "worker_timeout",
					"the inference worker did not answer in time");
			return;
		}
		catch (WorkerClient.WorkerUnavailableException ex) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, "worker_unavailable");
			response.setHeader("Retry-After", this.retryAfterSeconds);
			ErrorResponses.write(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "worker_unavailable",
					(ex instanceof WorkerClient.NoWorkerAvailableException) ? ex.getMessage() + "; retry later"
							: "the inference worker is unavailable; retry later");
			return;
		}
		response.setStatus(answer.status());
		if (answer.contentType() != null) {
			response.setContentType(answer.contentType());
		}
		if (answer.modelVersion() != null) {
			response.setHeader("X-Model-Version", answer.modelVersion());
		}
		if (decision != null && decision.fallback()) {
			request.setAttribute(GatewayAttributes.ROUTE_FALLBACK, Boolean.TRUE);
			response.setHeader("Warning", decision.warning(route.model(), answer.modelVersion()));
		}
		response.setContentLength(answer.body().length);
		response.getOutputStream().write(answer.body());
	}

	private ModelRouting.Decision chooseVersion(HttpServletRequest request, String model, String requestId) {
		VerifiedKey key = VerifiedKey.of(request);
		return this.routing.decide(model, requestId, (key != null) ? key.tenantId() : null,
				(key != null) ? key.apiKeyId() : null);
	}

}
