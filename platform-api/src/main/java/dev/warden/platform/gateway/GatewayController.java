package dev.warden.platform.gateway;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.RequestIds;
import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;

/**
 * The data plane's last step: forwards the TF Serving / Open Inference Protocol paths to the worker verbatim
 * (path, query, body bytes, Content-Type, X-Request-Id) and answers with the worker's status, body,
 * Content-Type and X-Model-Version.
 */
@RestController
class GatewayController {

	private final WorkerClient worker;

	GatewayController(WorkerClient worker) {
		this.worker = worker;
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
		String target = request.getRequestURI() + ((request.getQueryString() != null) ? "?" + request.getQueryString() : "");
		WorkerResponse answer;
		try {
			answer = this.worker.exchange(request.getMethod(), target, body, request.getContentType(),
					RequestIds.of(request));
		}
		catch (WorkerClient.WorkerUnavailableException ex) {
			request.setAttribute(GatewayAttributes.ERROR_CODE, "worker_unavailable");
			throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "worker_unavailable",
					"the inference worker is unavailable; retry later");
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

}
