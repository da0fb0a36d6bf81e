package dev.warden.platform.system;

import java.util.Map;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingPathVariableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The single mapping from exceptions to the documented error JSON; bad input never
 * becomes a 500.
 */
@RestControllerAdvice
class ApiExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	private final DatabaseTimeouts database;

	ApiExceptionHandler(DatabaseTimeouts database) {
		this.database = database;
	}

	@ExceptionHandler(ApiException.class)
	ResponseEntity<Map<String, Object>> api(ApiException ex, HttpServletRequest request) {
		return error(ex.status(), ex.code(), ex.getMessage(), request);
	}

	@ExceptionHandler(MethodArgumentNotValidException.class)
	ResponseEntity<Map<String, Object>> invalid(MethodArgumentNotValidException ex, HttpServletRequest request) {
		String message = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map(ApiExceptionHandler::describe)
			.collect(Collectors.joining("; "));
		if (message.isEmpty()) {
			message = "request body is invalid";
		}
		return error(HttpStatus.BAD_REQUEST, "validation_failed", message, request);
	}

	@ExceptionHandler(HandlerMethodValidationException.class)
	ResponseEntity<Map<String, Object>> invalidParameters(HandlerMethodValidationException ex,
			HttpServletRequest request) {
		String message = ex.getParameterValidationResults()
			.stream()
			.map(r -> r.getMethodParameter().getParameterName() + ": "
					+ r.getResolvableErrors()
						.stream()
						.map(e -> e.getDefaultMessage())
						.collect(Collectors.joining(", ")))
			.collect(Collectors.joining("; "));
		return error(HttpStatus.BAD_REQUEST, "validation_failed", message, request);
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<Map<String, Object>> typeMismatch(MethodArgumentTypeMismatchException ex,
			HttpServletRequest request) {
		// names the parameter and the type it needs, never the value (docs/security.md)
		String expected = (ex.getRequiredType() != null) ? ex.getRequiredType().getSimpleName() : "a valid value";
		return error(HttpStatus.BAD_REQUEST, "invalid_parameter", ex.getName() + ": is not a valid " + expected,
				request);
	}

	@ExceptionHandler(MissingServletRequestParameterException.class)
	ResponseEntity<Map<String, Object>> missing(MissingServletRequestParameterException ex,
			HttpServletRequest request) {
		return error(HttpStatus.BAD_REQUEST, "invalid_parameter", ex.getParameterName() + ": is required", request);
	}

	/**
	 * A body that is not JSON, breaks the strict reading rules
	 * ({@link JsonConfiguration}: duplicate keys, trailing content, nulls in arrays,
	 * refused text or timestamps) or has a value of the wrong type. The message names the
	 * field; it never echoes the whole body.
	 */
	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException ex, HttpServletRequest request) {
		Throwable cause = ex.getMostSpecificCause();
		if (cause instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
			String reason;
			if (mismatch instanceof JsonConfiguration.RefusedValueException) {
				reason = mismatch.getOriginalMessage();
			}
			else if (mismatch instanceof InvalidNullException) {
				reason = "must not be null";
			}
			else {
				reason = "expected "
						+ ((mismatch.getTargetType() != null) ? describe(mismatch.getTargetType()) : "another type");
			}
			return error(HttpStatus.BAD_REQUEST, "malformed_body", "field '" + field(mismatch) + "': " + reason,
					request);
		}
		if (cause instanceof StreamReadException parse) {
			return error(HttpStatus.BAD_REQUEST, "malformed_body",
					"request body is not valid JSON: " + abbreviate(parse.getOriginalMessage()), request);
		}
		return error(HttpStatus.BAD_REQUEST, "malformed_body", "request body is missing or is not valid JSON", request);
	}

	/** {@code quota.burst}, {@code models[0]}. */
	private static String field(MismatchedInputException mismatch) {
		StringBuilder field = new StringBuilder();
		for (JacksonException.Reference reference : mismatch.getPath()) {
			if (reference.getPropertyName() != null) {
				field.append(field.isEmpty() ? "" : ".").append(reference.getPropertyName());
			}
			else {
				field.append('[').append(reference.getIndex()).append(']');
			}
		}
		return field.toString();
	}

	private static String abbreviate(String message) {
		String line = String.valueOf(message).lines().findFirst().orElse("");
		return (line.length() > 200) ? line.substring(0, 200) + "..." : line;
	}

	/**
	 * Tomcat could not decode the query string (malformed percent-encoding or bytes that
	 * are not UTF-8); it raises this when a parameter is first read.
	 */
	@ExceptionHandler(InvalidParameterException.class)
	ResponseEntity<Map<String, Object>> undecodableParameters(InvalidParameterException ex,
			HttpServletRequest request) {
		MalformedRequests.Answer answer = MalformedRequests.of(ex);
		return error(answer.status(), answer.code(), answer.message(), request);
	}

	/**
	 * Spring Security's firewall checks parameter names and values when they are first
	 * read, which may be in a controller: a name or value with a control character is
	 * refused here.
	 */
	@ExceptionHandler(RequestRejectedException.class)
	ResponseEntity<Map<String, Object>> rejected(RequestRejectedException ex, HttpServletRequest request) {
		return error(HttpStatus.BAD_REQUEST, "invalid_parameter",
				"a query parameter name or value contains characters that are not allowed (e.g. control characters)",
				request);
	}

	/** A path variable that is present but empty once converted (e.g. a blank id). */
	@ExceptionHandler(MissingPathVariableException.class)
	ResponseEntity<Map<String, Object>> missingPathVariable(MissingPathVariableException ex,
			HttpServletRequest request) {
		if (!ex.isMissingAfterConversion()) {
			// the mapping and the method disagree: a bug, not bad input
			return unexpected(ex, request);
		}
		return error(HttpStatus.BAD_REQUEST, "invalid_parameter", ex.getVariableName() + ": must not be blank",
				request);
	}

	private static String describe(Class<?> type) {
		if (type == String.class || type.isEnum()) {
			return "a string";
		}
		if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
			return "a number";
		}
		if (type == Boolean.class || type == boolean.class) {
			return "true or false";
		}
		if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
			return "an array";
		}
		return "an object";
	}

	/** Raised while the container parses a multipart body, before any controller runs. */
	@ExceptionHandler(MaxUploadSizeExceededException.class)
	ResponseEntity<Map<String, Object>> uploadTooLarge(MaxUploadSizeExceededException ex, HttpServletRequest request) {
		String limit = (ex.getMaxUploadSize() > 0) ? " of " + ex.getMaxUploadSize() + " bytes" : "";
		return error(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
				"the uploaded file is larger than the limit" + limit, request);
	}

	@ExceptionHandler(MissingServletRequestPartException.class)
	ResponseEntity<Map<String, Object>> missingPart(MissingServletRequestPartException ex, HttpServletRequest request) {
		return error(HttpStatus.BAD_REQUEST, "invalid_parameter",
				"multipart field '" + ex.getRequestPartName() + "' is required", request);
	}

	@ExceptionHandler(MultipartException.class)
	ResponseEntity<Map<String, Object>> malformedMultipart(MultipartException ex, HttpServletRequest request) {
		return error(HttpStatus.BAD_REQUEST, "malformed_body", "the multipart request body cannot be read", request);
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	ResponseEntity<Map<String, Object>> unsupported(HttpMediaTypeNotSupportedException ex, HttpServletRequest request) {
		return error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
				"content type " + ex.getContentType() + " is not supported; use application/json", request);
	}

	@ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
	ResponseEntity<Map<String, Object>> notAcceptable(HttpMediaTypeNotAcceptableException ex,
			HttpServletRequest request) {
		return error(HttpStatus.NOT_ACCEPTABLE, "not_acceptable", "only application/json responses are available",
				request);
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException ex, HttpServletRequest request) {
		return error(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
				"method " + ex.getMethod() + " is not allowed here", request);
	}

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<Map<String, Object>> noResource(NoResourceFoundException ex, HttpServletRequest request) {
		return error(HttpStatus.NOT_FOUND, "not_found", "no endpoint " + request.getRequestURI(), request);
	}

	/**
	 * The database did not answer in time (socket timeout, no pooled connection, server
	 * gone): 503 with {@code Retry-After}, never a 500 or a hang.
	 */
	@ExceptionHandler(Exception.class)
	ResponseEntity<Map<String, Object>> unexpected(Exception ex, HttpServletRequest request,
			HttpServletResponse response) throws Exception {
		if (response.isCommitted()) {
			// the status and length were sent: no error body can follow; rethrown so
			// that the container closes the connection and the client sees an answer
			// cut short (a streamed archive whose source failed), not a complete one
			throw ex;
		}
		return unexpected(ex, request);
	}

	private ResponseEntity<Map<String, Object>> unexpected(Exception ex, HttpServletRequest request) {
		if (DatabaseUnavailable.is(ex)) {
			log.warn("Database unavailable on {} {} (request {}): {}", request.getMethod(), request.getRequestURI(),
					RequestIds.of(request), ex.toString());
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.header("Retry-After", this.database.retryAfterSeconds())
				.body(ErrorResponses.body("database_unavailable", "the database did not answer in time; retry later",
						RequestIds.of(request)));
		}
		log.error("Unexpected error on {} {} (request {})", request.getMethod(), request.getRequestURI(),
				RequestIds.of(request), ex);
		return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error", request);
	}

	private static String describe(FieldError error) {
		return error.getField() + ": " + error.getDefaultMessage();
	}

	private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String code, String message,
			HttpServletRequest request) {
		return ResponseEntity.status(status).body(ErrorResponses.body(code, message, RequestIds.of(request)));
	}

}
