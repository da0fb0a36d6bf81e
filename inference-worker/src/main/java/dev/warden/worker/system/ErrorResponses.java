package dev.warden.worker.system;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.HandlerExceptionResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one builder of the worker's error JSON
 * {@code {"error":{"code","message","request_id"}}} (TF Serving clients read it): as a
 * response entity for the exception handler and the error page, or written straight to
 * the servlet response by filters, which run outside Spring MVC.
 */
public final class ErrorResponses {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ErrorResponses() {
	}

	public static Map<String, Object> body(String code, String message, String requestId) {
		Map<String, Object> error = new LinkedHashMap<>();
		error.put("code", code);
		error.put("message", message);
		error.put("request_id", requestId);
		return Map.of("error", error);
	}

	public static ResponseEntity<Map<String, Object>> entity(HttpStatus status, String code, String message,
			HttpServletRequest request) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.body(body(code, message, RequestIds.of(request)));
	}

	public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String code,
			String message) throws IOException {
		byte[] json = JSON.writeValueAsBytes(body(code, message, RequestIds.of(request)));
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(json.length);
		response.getOutputStream().write(json);
	}

	/**
	 * Answers an exception thrown by a filter that serves a request itself (outside the
	 * dispatcher) exactly as the same exception from a controller is answered: through
	 * the dispatcher's exception resolver ({@code ApiExceptionHandler}). What it cannot
	 * resolve is rethrown to the container.
	 */
	public static void resolve(HandlerExceptionResolver resolver, HttpServletRequest request,
			HttpServletResponse response, Exception ex) throws IOException, ServletException {
		if (resolver.resolveException(request, response, null, ex) != null) {
			return;
		}
		if (ex instanceof IOException io) {
			throw io;
		}
		if (ex instanceof ServletException servlet) {
			throw servlet;
		}
		throw new ServletException(ex);
	}

}
