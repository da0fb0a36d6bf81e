package dev.warden.worker.system;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.warden.worker.batching.QueueFullException;
import dev.warden.worker.explain.ExplanationException;
import dev.warden.worker.manager.ServableNotFoundException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import org.springframework.web.util.DisconnectedClientHelper;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * The one mapping from exceptions to the error JSON
 * {@code {"error":{"code","message","request_id"}}} (built by {@link ErrorResponses}),
 * for every controller of the worker. Messages of unexpected failures (and of TensorFlow,
 * which names graph internals) are never passed to the client.
 */
@RestControllerAdvice
class ApiExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	@ExceptionHandler(ApiException.class)
	ResponseEntity<Map<String, Object>> api(ApiException ex, HttpServletRequest request) {
		return error(ex.status(), ex.code(), ex.getMessage(), request);
	}

	@ExceptionHandler(ExplanationException.class)
	ResponseEntity<Map<String, Object>> explanation(ExplanationException ex, HttpServletRequest request) {
		return error(HttpStatus.BAD_REQUEST, "invalid_argument", ex.getMessage(), request);
	}

	@ExceptionHandler(ServableNotFoundException.class)
	ResponseEntity<Map<String, Object>> notFound(ServableNotFoundException ex, HttpServletRequest request) {
		return error(HttpStatus.NOT_FOUND, "model_not_found", ex.getMessage(), request);
	}

	@ExceptionHandler(QueueFullException.class)
	ResponseEntity<Map<String, Object>> overloaded(QueueFullException ex, HttpServletRequest request) {
		ResponseEntity<Map<String, Object>> response = error(HttpStatus.SERVICE_UNAVAILABLE, "overloaded",
				ex.getMessage(), request);
		return ResponseEntity.status(response.getStatusCode())
			.headers(response.getHeaders())
			.header(HttpHeaders.RETRY_AFTER, Integer.toString(ex.retryAfterSeconds()))
			.body(response.getBody());
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<Map<String, Object>> methodNotAllowed(HttpRequestMethodNotSupportedException ex,
			HttpServletRequest request) {
		ResponseEntity<Map<String, Object>> response = error(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
				"method " + ex.getMethod() + " is not allowed here" + (ex.getSupportedMethods() != null
						? " (allowed: " + String.join(", ", ex.getSupportedMethods()) + ")" : ""),
				request);
		if (ex.getSupportedHttpMethods() == null) {
			return response;
		}
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(response.getHeaders());
		headers.setAllow(ex.getSupportedHttpMethods());
		return new ResponseEntity<>(response.getBody(), headers, response.getStatusCode());
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	ResponseEntity<Map<String, Object>> unsupportedMediaType(HttpMediaTypeNotSupportedException ex,
			HttpServletRequest request) {
		return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
				"content type " + (ex.getContentType() != null ? ex.getContentType() : "(none)")
						+ " is not supported; send application/json",
				request);
	}

	@ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
	ResponseEntity<Map<String, Object>> notAcceptable(HttpMediaTypeNotAcceptableException ex,
			HttpServletRequest request) {
		return error(HttpStatus.NOT_ACCEPTABLE, "not_acceptable", "responses are application/json", request);
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException ex, HttpServletRequest request) {
		return error(HttpStatus.BAD_REQUEST, "invalid_argument", "request body is missing or unreadable", request);
	}

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<Map<String, Object>> noResource(NoResourceFoundException ex, HttpServletRequest request) {
		return error(HttpStatus.NOT_FOUND, "not_found", "no such endpoint: " + request.getRequestURI(), request);
	}

	@ExceptionHandler(TFInvalidArgumentException.class)
	ResponseEntity<Map<String, Object>> modelRejected(TFInvalidArgumentException ex, HttpServletRequest request) {
		log.info("Model rejected a validated request: {}", ex.getMessage());
		return error(HttpStatus.BAD_REQUEST, "invalid_argument", "the model rejected the input", request);
	}

	@ExceptionHandler(TensorFlowException.class)
	ResponseEntity<Map<String, Object>> modelFailed(TensorFlowException ex, HttpServletRequest request) {
		log.warn("Model execution failed", ex);
		return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "model execution failed", request);
	}

	/**
	 * Anything else: a 4xx that Spring raised keeps its status, the rest is a 500 without
	 * details. A client that went away (a scrape or a call given up while its answer was
	 * being written) is not an error of the worker: logged at debug, and no answer is
	 * attempted. Neither is one when the answer has already started (its status and
	 * headers are sent, under a content type the error JSON may not have): rethrown, so
	 * that the connection is closed and the client sees an answer cut short.
	 */
	@ExceptionHandler(Exception.class)
	ResponseEntity<Map<String, Object>> unexpected(Exception ex, HttpServletRequest request,
			HttpServletResponse response) throws Exception {
		if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
			log.debug("Client gone during {} {}: {}", request.getMethod(), request.getRequestURI(), ex.toString());
			return null;
		}
		if (response.isCommitted()) {
			log.warn("Failed after the answer to {} {} had started: {}", request.getMethod(), request.getRequestURI(),
					ex.toString());
			throw ex;
		}
		if (ex instanceof org.springframework.web.ErrorResponse errorResponse) {
			HttpStatus status = HttpStatus.resolve(errorResponse.getStatusCode().value());
			if (status != null && status.is4xxClientError()) {
				return error(status, status.name().toLowerCase(java.util.Locale.ROOT), status.getReasonPhrase(),
						request);
			}
		}
		log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), ex);
		return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "internal error", request);
	}

	private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String message,
			HttpServletRequest request) {
		return ErrorResponses.entity(status, code, message, request);
	}

}
