package dev.warden.platform.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.routing.ModelRouting;
import dev.warden.platform.system.ErrorResponses;
import dev.warden.platform.system.RequestIds;
import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;
import dev.warden.platform.worker.WorkerProperties;

/**
 * The data plane's last step: forwards the TF Serving / Open Inference Protocol paths to a worker (path, query,
 * body bytes, Content-Type, X-Request-Id) and answers with the worker's status, body, Content-Type and
 * X-Model-Version.
 *
 * <p>A call that names a model but no version or label ({@code POST /v1/models/{m}:predict}, {@code :classify},
 * {@code :regress}, {@code POST /v2/models/{m}/infer}) asks {@link ModelRouting} which version must answer (pin,
 * canary, stable); when it names one, the path is rewritten to that version
 * ({@code /v1/models/{m}/versions/{v}:predict}, {@code /v2/models/{m}/versions/{v}/infer}). The worker is chosen by
 * {@link WorkerClient#forward}. No healthy worker: 503 {@code worker_unavailable} with {@code Retry-After}; a worker
 * slower than the model's response timeout: 504 {@code worker_timeout}.
 */
@RestController
class GatewayController {

	private static final Pattern V1_PATH = Pattern
		.compile("/v1/models/([^/:]+)(?:/versions/([0-9]{1,18})|/labels/([^/:]+))?(:[A-Za-z]+|/metadata)?/?");

	private static final Pattern V2_PATH = Pattern
		.compile("/v2/models/([^/]+)(?:/versions/([0-9]{1,18}))?(/infer|/ready)?/?");

	private final WorkerClient worker;

	private final ModelRouting routing;

	private final String retryAfterSeconds;

	GatewayController(WorkerClient worker, ModelRouting routing, WorkerProperties properties) {
		this.worker = worker;
		this.routing = routing;
		this.retryAfterSeconds = Long.toString(Math.max(1, (properties.retryAfter().toMillis() + 999) / 1000));
	}

	@RequestMapping(path = { "/v1/**", "/v2/**" }, method = { RequestMethod.GET, RequestMethod.POST })
	void forward(HttpServletRequest request, HttpServletResponse response) throws IOException {
		Long max = (Long) request.getAttribute(GatewayAttributes.MAX_REQUEST_BYTES);
		long limit = (max != null) ? max : Integer.MAX_VALUE - 8;
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
		}
		if (body.length > limit) {
			QuotaFilter.tooLarge(request, response, limit);
			return;
		}
		if (QuotaFilter.tooManyRows(request, response, body)) {
			return;
		}
		request.setAttribute(GatewayAttributes.REQUEST_BODY, body);
		String requestId = RequestIds.of(request);
		Route route = route(request, requestId);
		String target = route.path() + ((request.getQueryString() != null) ? "?" + request.getQueryString() : "");
		WorkerResponse answer;
		try {
			answer = this.worker.forward(route.model(), route.version(), route.label(), request.getMethod(), target,
					body, request.getContentType(), requestId);
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
		response.setContentLength(answer.body().length);
		response.getOutputStream().write(answer.body());
	}

	/** The model, version and label a request names, and the path it is forwarded to. */
	private Route route(HttpServletRequest request, String requestId) {
		String uri = request.getRequestURI();
		Matcher v1 = V1_PATH.matcher(uri);
		if (v1.matches()) {
			String model = decode(v1.group(1));
			Long version = (v1.group(2) != null) ? Long.valueOf(v1.group(2)) : null;
			String label = (v1.group(3) != null) ? decode(v1.group(3)) : null;
			String verb = v1.group(4);
			if (version == null && label == null && verb != null && verb.startsWith(":")
					&& "POST".equals(request.getMethod())) {
				Long chosen = chooseVersion(request, model, requestId);
				if (chosen != null) {
					return new Route(model, chosen, null, "/v1/models/" + v1.group(1) + "/versions/" + chosen + verb);
				}
			}
			return new Route(model, version, label, uri);
		}
		Matcher v2 = V2_PATH.matcher(uri);
		if (v2.matches()) {
			String model = decode(v2.group(1));
			Long version = (v2.group(2) != null) ? Long.valueOf(v2.group(2)) : null;
			if (version == null && "/infer".equals(v2.group(3)) && "POST".equals(request.getMethod())) {
				Long chosen = chooseVersion(request, model, requestId);
				if (chosen != null) {
					return new Route(model, chosen, null, "/v2/models/" + v2.group(1) + "/versions/" + chosen + "/infer");
				}
			}
			return new Route(model, version, null, uri);
		}
		return new Route(null, null, null, uri);
	}

	private Long chooseVersion(HttpServletRequest request, String model, String requestId) {
		VerifiedKey key = (VerifiedKey) request.getAttribute(VerifiedKey.ATTRIBUTE);
		return this.routing.version(model, requestId, (key != null) ? key.tenantId() : null,
				(key != null) ? key.apiKeyId() : null);
	}

	private static String decode(String segment) {
		try {
			return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return segment;
		}
	}

	private record Route(String model, Long version, String label, String path) {
	}

}
