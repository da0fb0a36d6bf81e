package dev.warden.platform.gateway;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;

/**
 * Data-plane filter after the quota, just before the forwarder
 * ({@link GatewayForwarder}): answers the 404 {@code model_not_found} for a call that
 * {@link ModelGrantFilter} found not granted. Running after the quota filter makes the
 * answer indistinguishable from the one for a model that does not exist: the call
 * consumes a token and carries the same {@code RateLimit-*} headers, and a caller over
 * its limit gets the same 429 either way.
 */
class DeniedModelAnswer extends HttpFilter implements Ordered {

	/**
	 * After the quota filter. Its answer carries the same headers as one relayed from the
	 * worker: the security headers every data-plane answer gets
	 * ({@link DataPlaneRouteFilter}) and the quota's {@code RateLimit-*}.
	 */
	public static final int ORDER = QuotaFilter.ORDER + 5;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Object model = request.getAttribute(ModelGrantFilter.DENIED_MODEL);
		if (model instanceof String denied) {
			ModelGrantFilter.notFound(request, response, denied);
			return;
		}
		chain.doFilter(request, response);
	}

}
