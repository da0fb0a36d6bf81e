package dev.warden.platform.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.Ordered;
import org.springframework.dao.DataAccessException;
import org.springframework.http.MediaType;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.feedback.OutcomeFeedback;
import dev.warden.platform.feedback.OutcomeFeedback.InvalidFeedbackException;
import dev.warden.platform.model.ModelGrants;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.ErrorResponses;
import dev.warden.platform.system.RequestIds;

/**
 * Data-plane filter after the answer for a model that is not granted, before the
 * forwarder: answers {@code POST /v1/models/{m}[/versions/{v}]:feedback} itself (it is
 * never forwarded), and {@code GET /v1/models/{m}[/versions/{v}]/feedback}, the caller's
 * own live quality from its feedback (the admin API's answer for its tenant only; 404
 * {@code model_not_found} for a model neither granted to it nor with feedback of its own;
 * 400 {@code invalid_parameter}), so the call has passed every step a prediction passes:
 * the request log around it (its 2xx is logged before it is released), the route, the API
 * key and its {@code feedback} operation, the model grant (a model not granted is the
 * same 404 as a missing one), the JSON content type, the body limit and one request of
 * quota. The body is read as the forwarder reads it (at most
 * {@code max_request_bytes + 1} bytes, 413 beyond) and handed to {@link OutcomeFeedback};
 * a body that is not a valid feedback request is 400 {@code invalid_feedback} naming what
 * is wrong. The request log keeps the request ids and labels of a valid call, never its
 * sensitive attributes (and nothing of a refused body). A call to a model the catalogue
 * does not know and with no prediction of the caller among its request ids gets the 404
 * {@code model_not_found} of a missing model.
 */
class FeedbackAnswer extends HttpFilter implements Ordered {

	/** After the answer for a model that is not granted, before the forwarder. */
	public static final int ORDER = DeniedModelAnswer.ORDER + 2;

	private static final Logger log = LoggerFactory.getLogger(FeedbackAnswer.class);

	private final OutcomeFeedback feedback;

	private final ModelGrants grants;

	FeedbackAnswer(OutcomeFeedback feedback, ModelGrants grants) {
		this.feedback = feedback;
		this.grants = grants;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		DataPlaneRoute route = DataPlaneRouteFilter.of(request);
		if (route == null || !route.feedback()) {
			chain.doFilter(request, response);
			return;
		}
		VerifiedKey key = VerifiedKey.of(request);
		if (key == null) {
			// not reachable when the filters are ordered as registered
			request.setAttribute(GatewayAttributes.ERROR_CODE, "missing_api_key");
			response.setHeader("WWW-Authenticate", "Bearer realm=\"warden\"");
			ErrorResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "missing_api_key",
					"an API key is required");
			return;
		}
		if (route.endpoint() == DataPlaneRoute.Endpoint.V1_FEEDBACK_SUMMARY) {
			summary(request, response, route, key);
			return;
		}
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
		OutcomeFeedback.Answer answer;
		try {
			answer = this.feedback.submit(new OutcomeFeedback.Submission(key.tenantId(), key.apiKeyId(), route.model(),
					route.version(), body));
		}
		catch (InvalidFeedbackException ex) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, ex.code());
			ErrorResponses.write(request, response, HttpServletResponse.SC_BAD_REQUEST, ex.code(), ex.getMessage());
			return;
		}
		catch (DataAccessException ex) {
			log.error("Feedback of request {} could not be stored: database unavailable", RequestIds.of(request), ex);
			request.setAttribute(GatewayAttributes.ERROR_CODE, "service_unavailable");
			response.setHeader("Retry-After", "1");
			ErrorResponses.write(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "service_unavailable",
					"the feedback could not be stored right now; nothing was stored, retry later");
			return;
		}
		if (!answer.anyPrediction()
				&& this.grants.access(route.model(), key.tenantId()) == ModelGrants.Access.UNKNOWN) {
			ModelGrantFilter.notFound(request, response, route.model());
			return;
		}
		request.setAttribute(GatewayAttributes.REQUEST_BODY, answer.loggedRequest());
		ok(response, answer.json());
	}

	/**
	 * {@code GET /v1/models/{m}[/versions/{v}]/feedback}: the caller's own live quality
	 * (query parameters as the admin API's, each at most once).
	 */
	private void summary(HttpServletRequest request, HttpServletResponse response, DataPlaneRoute route,
			VerifiedKey key) throws IOException {
		Map<String, String> parameters = new HashMap<>();
		for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
			if (parameter.getValue().length != 1) {
				invalidParameter(request, response, "a query parameter is given more than once");
				return;
			}
			parameters.put(parameter.getKey(), parameter.getValue()[0]);
		}
		byte[] answer;
		try {
			answer = this.feedback.summary(key.tenantId(), route.model(), route.version(), parameters);
		}
		catch (ApiException ex) {
			if (ex.status().value() == HttpServletResponse.SC_NOT_FOUND) {
				ModelGrantFilter.notFound(request, response, route.model());
				return;
			}
			request.setAttribute(GatewayAttributes.ERROR_CODE, ex.code());
			ErrorResponses.write(request, response, ex.status().value(), ex.code(), ex.getMessage());
			return;
		}
		catch (DataAccessException ex) {
			log.error("Feedback summary of request {} failed: database unavailable", RequestIds.of(request), ex);
			request.setAttribute(GatewayAttributes.ERROR_CODE, "service_unavailable");
			response.setHeader("Retry-After", "1");
			ErrorResponses.write(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "service_unavailable",
					"the feedback summary cannot be read right now; retry later");
			return;
		}
		ok(response, answer);
	}

	private static void invalidParameter(HttpServletRequest request, HttpServletResponse response, String message)
			throws IOException {
		request.setAttribute(GatewayAttributes.ERROR_CODE, "invalid_parameter");
		ErrorResponses.write(request, response, HttpServletResponse.SC_BAD_REQUEST, "invalid_parameter", message);
	}

	private static void ok(HttpServletResponse response, byte[] json) throws IOException {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(json.length);
		response.getOutputStream().write(json);
	}

}
