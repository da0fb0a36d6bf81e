package dev.warden.platform.system;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /error}, in place of Spring Boot's error controller: the servlet container
 * forwards here when a response was ended with {@code sendError} or an exception escaped
 * the filters (it has logged that exception already), and the answer is the documented
 * JSON error with the status that was set. {@code /error} is not an endpoint: a request
 * made to it directly (no error status set) is answered 404 {@code not_found} like any
 * path that does not exist, rather than the 500 with status 999 that Spring Boot's
 * controller gives.
 */
@RestController
class JsonErrorController implements ErrorController {

	@RequestMapping(path = "/error", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
		if (!(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code)
				|| HttpStatus.resolve(code) == null || code < 400) {
			return answer(HttpStatus.NOT_FOUND, "not_found", "no endpoint /error", request);
		}
		HttpStatus status = HttpStatus.valueOf(code);
		return switch (status) {
			case BAD_REQUEST -> answer(status, "bad_request", "the request is malformed", request);
			case UNAUTHORIZED -> answer(status, "unauthenticated", "authentication is required", request);
			case FORBIDDEN -> answer(status, "forbidden", "this operation is not allowed", request);
			case NOT_FOUND -> answer(status, "not_found", "no endpoint " + originalPath(request), request);
			case METHOD_NOT_ALLOWED -> answer(status, "method_not_allowed", "the method is not allowed here", request);
			case CONTENT_TOO_LARGE -> answer(status, "payload_too_large", "the request body is too large", request);
			case INTERNAL_SERVER_ERROR -> answer(status, "internal_error", "internal error", request);
			default -> answer(status, "http_" + code, "the request failed with HTTP status " + code, request);
		};
	}

	private static String originalPath(HttpServletRequest request) {
		Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		return (uri != null) ? String.valueOf(uri) : request.getRequestURI();
	}

	private static ResponseEntity<Map<String, Object>> answer(HttpStatus status, String code, String message,
			HttpServletRequest request) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.body(ErrorResponses.body(code, message, RequestIds.of(request)));
	}

}
