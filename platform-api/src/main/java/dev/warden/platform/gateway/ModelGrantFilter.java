package dev.warden.platform.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.Ordered;
import org.springframework.web.util.ContentCachingResponseWrapper;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.model.ModelGrants;
import dev.warden.platform.model.ModelGrants.Access;
import dev.warden.platform.system.ErrorResponses;

/**
 * Data-plane filter after the API key: the caller's tenant must be granted the model the
 * request's {@link DataPlaneRoute} names. A model that is not granted and a model that
 * does not exist get the same answer, 404 {@code model_not_found} with the message
 * {@code model '<m>' not found}:
 * <ul>
 * <li>known and granted: forwarded;</li>
 * <li>known and not granted: marked here and answered by {@link DeniedModelAnswer} right
 * after the quota filter, without a call to the worker;</li>
 * <li>unknown to the catalogue: forwarded (the worker may serve a model the catalogue has
 * not synchronised yet), and a 404 from the worker is replaced by the same answer as
 * above, so that the bodies are identical apart from the request id.</li>
 * </ul>
 * {@code GET /v1/models} (the listing) is filtered: models that are known and not granted
 * are removed from the worker's answer. Grants are looked up in memory
 * ({@link ModelGrants#access}), never per request in the database.
 */
class ModelGrantFilter extends HttpFilter implements Ordered {

	/**
	 * After the API key (the tenant is known), before the quota (refused calls consume no
	 * quota token).
	 */
	public static final int ORDER = ApiKeyAuthenticationFilter.ORDER + 5;

	/** Request attribute: the model the caller is not granted ({@code String}). */
	static final String DENIED_MODEL = ModelGrantFilter.class.getName() + ".deniedModel";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ModelGrants grants;

	ModelGrantFilter(ModelGrants grants) {
		this.grants = grants;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		VerifiedKey key = VerifiedKey.of(request);
		if (key == null) {
			// not reachable when the filters are ordered as registered; the security
			// chain denies it anyway
			chain.doFilter(request, response);
			return;
		}
		DataPlaneRoute route = DataPlaneRouteFilter.of(request);
		String model = (route != null) ? route.model() : null;
		if (model == null) {
			if (route != null && route.endpoint() == DataPlaneRoute.Endpoint.V1_MODELS) {
				filterListing(request, response, chain, key);
			}
			else {
				chain.doFilter(request, response);
			}
			return;
		}
		switch (this.grants.access(model, key.tenantId())) {
			case GRANTED -> chain.doFilter(request, response);
			case DENIED -> {
				// answered by DeniedModelAnswer after the quota, so that the call is
				// counted and carries the same
				// RateLimit-* headers as a call to a model that does not exist
				request.setAttribute(DENIED_MODEL, model);
				chain.doFilter(request, response);
			}
			case UNKNOWN -> forwardUnknown(request, response, chain, model);
		}
	}

	private void forwardUnknown(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
			String model) throws ServletException, IOException {
		ContentCachingResponseWrapper wrapper = new ContentCachingResponseWrapper(response);
		chain.doFilter(request, wrapper);
		if (wrapper.getStatus() == HttpServletResponse.SC_NOT_FOUND) {
			wrapper.resetBuffer();
			wrapper.setHeader("X-Model-Version", null);
			notFound(request, wrapper, model);
		}
		wrapper.copyBodyToResponse();
	}

	private void filterListing(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
			VerifiedKey key) throws ServletException, IOException {
		ContentCachingResponseWrapper wrapper = new ContentCachingResponseWrapper(response);
		chain.doFilter(request, wrapper);
		if (wrapper.getStatus() == HttpServletResponse.SC_OK) {
			JsonNode body;
			try {
				body = JSON.readTree(wrapper.getContentAsByteArray());
			}
			catch (RuntimeException ex) {
				body = null;
			}
			if (body instanceof ObjectNode object && object.path("models") instanceof ArrayNode models) {
				ArrayNode kept = object.putArray("models");
				for (JsonNode entry : models) {
					if (this.grants.access(entry.path("name").asString(""), key.tenantId()) != Access.DENIED) {
						kept.add(entry);
					}
				}
				byte[] filtered = JSON.writeValueAsString(object).getBytes(StandardCharsets.UTF_8);
				wrapper.resetBuffer();
				wrapper.setContentLength(filtered.length);
				wrapper.getOutputStream().write(filtered);
			}
			else {
				// not the listing shape: a model cannot be told from it, so nothing is
				// shown
				wrapper.resetBuffer();
				request.setAttribute(GatewayAttributes.ERROR_CODE, "worker_error");
				ErrorResponses.write(request, wrapper, HttpServletResponse.SC_BAD_GATEWAY, "worker_error",
						"the inference worker returned an unexpected model listing");
			}
		}
		wrapper.copyBodyToResponse();
	}

	static void notFound(HttpServletRequest request, HttpServletResponse response, String model) throws IOException {
		request.setAttribute(GatewayAttributes.ERROR_CODE, "model_not_found");
		ErrorResponses.write(request, response, HttpServletResponse.SC_NOT_FOUND, "model_not_found",
				"model '" + model + "' not found");
	}

}
