package dev.warden.platform.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;

/**
 * Writes the documented error JSON {@code {"error":{"code","message","request_id"}}}
 * directly to a servlet response, for filters and security handlers that run outside
 * Spring MVC.
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

	public static byte[] bytes(String code, String message, String requestId) {
		return JSON.writeValueAsString(body(code, message, requestId)).getBytes(StandardCharsets.UTF_8);
	}

	public static void write(HttpServletRequest request, HttpServletResponse response, int status, String code,
			String message) throws IOException {
		byte[] bytes = bytes(code, message, RequestIds.of(request));
		response.setStatus(status);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(bytes.length);
		response.getOutputStream().write(bytes);
	}

}
