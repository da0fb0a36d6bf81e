package dev.warden.worker.system;

import java.util.Locale;
import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised outside the controllers (by the container or a filter) reach the servlet
 * error page; answer them with the same JSON body ({@link ErrorResponses}) instead of
 * Spring Boot's default error body.
 */
@RestController
class FallbackErrorController implements ErrorController {

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
				? HttpStatus.resolve(value) : HttpStatus.NOT_FOUND;
		String errorCode = switch (status) {
			case NOT_FOUND -> "not_found";
			case METHOD_NOT_ALLOWED -> "method_not_allowed";
			case UNSUPPORTED_MEDIA_TYPE -> "unsupported_media_type";
			case BAD_REQUEST -> "invalid_argument";
			default -> status.is5xxServerError() ? "internal" : status.name().toLowerCase(Locale.ROOT);
		};
		String message = status.is5xxServerError() ? "internal error" : status.getReasonPhrase();
		return ErrorResponses.entity(status, errorCode, message, request);
	}

}
