package dev.warden.platform.gateway;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import dev.warden.platform.gateway.DataPlaneRoute.NoRouteException;
import dev.warden.platform.system.ErrorResponses;

/**
 * Data-plane filter right after the request log and before the API key: parses the raw
 * path once into a {@link DataPlaneRoute} and stores it under
 * {@link GatewayAttributes#ROUTE}, where every later step reads it. A path that is no
 * route gets 404 {@code not_found} (400 {@code invalid_path} if it cannot be decoded),
 * and a route called with another method gets 405 {@code method_not_allowed} with
 * {@code Allow}; both before the API key is looked at, so the answer is the same for
 * every caller and says nothing about any tenant's models.
 *
 * <p>
 * Also sets the security headers every data-plane answer carries, refusals and relayed
 * answers alike (forwarded calls do not pass Spring Security's header writer, see
 * {@link GatewayForwarder}): {@code X-Content-Type-Options: nosniff},
 * {@code Cache-Control: no-store} (answers hold tenants' predictions; no cache may keep
 * them), {@code X-Frame-Options: DENY}, and over HTTPS {@code Strict-Transport-Security}
 * (one year, sub-domains included). And it applies Spring Security's firewall (the
 * application's {@link HttpFirewall}) to the request line first, as Spring Security's
 * chain would: a path that is not normalised or carries encoded separators or dots
 * ({@code %2F}, {@code %2E}, {@code ;} …) is answered by the application's
 * {@link RequestRejectedHandler} (400 {@code request_rejected}) before it is parsed.
 */
class DataPlaneRouteFilter extends HttpFilter implements Ordered {

	/** After the request log (refusals are logged too), before the API key. */
	static final int ORDER = RequestLogFilter.ORDER + 5;

	private final HttpFirewall firewall;

	private final RequestRejectedHandler rejected;

	DataPlaneRouteFilter(HttpFirewall firewall, RequestRejectedHandler rejected) {
		this.firewall = firewall;
		this.rejected = rejected;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("X-Frame-Options", "DENY");
		if (request.isSecure()) {
			// as Spring Security writes it on the admin API: clients that honour it never
			// fall back to plain HTTP for this host
			response.setHeader("Strict-Transport-Security", "max-age=31536000 ; includeSubDomains");
		}
		try {
			this.firewall.getFirewalledRequest(request);
		}
		catch (RequestRejectedException ex) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, "request_rejected");
			this.rejected.handle(request, response, ex);
			return;
		}
		DataPlaneRoute route;
		try {
			route = DataPlaneRoute.parse(request.getRequestURI());
		}
		catch (NoRouteException ex) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, ex.code());
			ErrorResponses.write(request, response, ex.status(), ex.code(), ex.getMessage());
			return;
		}
		if (!route.endpoint().method().equals(request.getMethod())) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, "method_not_allowed");
			response.setHeader("Allow", route.endpoint().method());
			ErrorResponses.write(request, response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method_not_allowed",
					"this endpoint answers " + route.endpoint().method() + " only");
			return;
		}
		request.setAttribute(GatewayAttributes.ROUTE, route);
		chain.doFilter(request, response);
	}

	/**
	 * The route of a data-plane request, or {@code null} if it was refused (or is not a
	 * data-plane request).
	 */
	static DataPlaneRoute of(HttpServletRequest request) {
		return (DataPlaneRoute) request.getAttribute(GatewayAttributes.ROUTE);
	}

}
