package dev.warden.worker.benchmark;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.warden.worker.system.ApiException;
import dev.warden.worker.system.ErrorResponses;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * The HTTP floor for benchmarks: {@code POST /internal/v1/noop} takes a predict body,
 * parses it into a JSON tree (as the predict path did before it decoded bodies with a
 * streaming parser; kept so that the floor stays comparable with earlier runs) and
 * answers a fixed ~100-byte prediction-shaped JSON, without touching a model.
 * <p>
 * It is served the way {@code :predict} is ({@code serving.DirectInferenceFilter}): by
 * the last filter of the chain, after every filter a data-plane request goes through,
 * without Spring MVC's dispatch, the answer written with a {@link JsonGenerator} into the
 * response's buffer and errors through the dispatcher's exception resolver. So the
 * difference between this and {@code :predict} under the same load is what validation,
 * batching and TensorFlow cost, on the same server stack. (Until 2026-12-07 both went
 * through MVC; a benchmark comparing a build from before with one from after compares
 * each build's predict with its own floor.) Like the data-plane paths it is not in the
 * {@code http.server.requests} observation. Not part of the serving API; the gateway does
 * not route to it. Off unless {@code warden.worker.benchmark.noop-enabled} is
 * {@code true} ({@code bench/run.sh} and {@code bench/worker-ab.sh} turn it on), so that
 * a production worker exposes no endpoint that exists only for measurements.
 */
@Component
@ConditionalOnBooleanProperty("warden.worker.benchmark.noop-enabled")
@Order(Ordered.LOWEST_PRECEDENCE)
class NoopFilter extends OncePerRequestFilter {

	static final String PATH = "/internal/v1/noop";

	private static final JsonMapper JSON = JsonMapper.builder()
		.disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
		.disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
		.build();

	private static final Map<String, Object> ANSWER = Map.of("predictions",
			List.of(Map.of("probability", 0.25f, "class_id", 0L, "probabilities", List.of(0.75f, 0.25f))), "noop",
			true);

	private final HandlerExceptionResolver errors;

	NoopFilter(@Qualifier("handlerExceptionResolver") HandlerExceptionResolver errors) {
		this.errors = errors;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !PATH.equals(request.getRequestURI());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			if (!"POST".equals(request.getMethod())) {
				throw new HttpRequestMethodNotSupportedException(request.getMethod(), List.of("POST"));
			}
			JsonNode root;
			try {
				root = JSON.readTree(request.getInputStream().readAllBytes());
			}
			catch (JacksonException ex) {
				throw ApiException.invalidArgument("request body is not valid JSON");
			}
			if (root == null || !root.isObject()) {
				throw ApiException.invalidArgument("request body must be a JSON object");
			}
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentType("application/json");
			try (JsonGenerator json = JSON.createGenerator(response.getOutputStream())) {
				json.writePOJO(ANSWER);
			}
		}
		catch (Exception ex) {
			ErrorResponses.resolve(this.errors, request, response, ex);
		}
	}

}
