package dev.warden.worker.system;

import java.io.IOException;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.AbstractProtocol;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * The worker's JSON error for the errors Tomcat answers itself, before a request reaches
 * the application (in place of Tomcat's HTML page), as the gateway's valve answers them:
 * a request line and headers over Tomcat's limit are 431
 * {@code request_header_too_large}; an HTTP version other than 1.0 or 1.1 (Tomcat's 505)
 * is 400 {@code unsupported_http_version}; Tomcat's 501 is 405 {@code method_not_allowed}
 * for a method the worker does not serve ({@code CONNECT}) and 400
 * {@code unsupported_transfer_encoding} for a transfer coding other than chunked; any
 * other request Tomcat cannot parse is 400 {@code bad_request}. Errors the application
 * answers keep their own bodies (the valve writes only when the response has none yet).
 *
 * <p>
 * One case is not the client's mistake: a request that arrives just as graceful shutdown
 * pauses the connector is refused by Tomcat without reading its headers, and Tomcat then
 * finds no {@code Host} header and turns its 503 into a 400 (a race between two checks in
 * its HTTP/1.1 processor). Such a request was never served: it is answered 503
 * {@code shutting_down} with {@code Retry-After} and {@code Connection: close}, which a
 * gateway retries on another worker, instead of a 400 it would pass to its client.
 */
class JsonErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0) {
			return;
		}
		HttpStatus resolved = HttpStatus.resolve(status);
		HttpStatus answer = (resolved != null) ? resolved : HttpStatus.BAD_REQUEST;
		String code;
		String message;
		if (status == 400 && refusedByPause(request)) {
			answer = HttpStatus.SERVICE_UNAVAILABLE;
			code = "shutting_down";
			message = "the worker is shutting down and did not serve the request; send it to another worker";
			response.setHeader(HttpHeaders.RETRY_AFTER, "1");
			response.setHeader(HttpHeaders.CONNECTION, "close");
		}
		else if (status == 400 && throwable instanceof IllegalArgumentException
				&& String.valueOf(throwable.getMessage()).contains("header is too large")) {
			answer = HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
			code = "request_header_too_large";
			message = "the request line and headers are larger than the worker accepts";
		}
		else if (status == 400) {
			code = "bad_request";
			message = "the request could not be parsed as HTTP";
		}
		else if (status == 501 && !MethodFilter.SERVED.contains(request.getMethod())) {
			answer = HttpStatus.METHOD_NOT_ALLOWED;
			code = "method_not_allowed";
			message = "the method is not served by the inference worker";
			response.setHeader(HttpHeaders.ALLOW, String.join(", ", MethodFilter.SERVED));
		}
		else if (status == 501) {
			// a transfer coding Tomcat does not implement: the client's mistake
			answer = HttpStatus.BAD_REQUEST;
			code = "unsupported_transfer_encoding";
			message = "the request's Transfer-Encoding is not supported: send the body with Content-Length or "
					+ "chunked only";
		}
		else if (status == 505) {
			answer = HttpStatus.BAD_REQUEST;
			code = "unsupported_http_version";
			message = "the request's HTTP version is not supported: use HTTP/1.1 (or HTTP/1.0)";
		}
		else {
			code = "http_" + status;
			message = "the request failed with HTTP status " + status;
		}
		try {
			// such requests never reach the request-id filter: one new id, in the header
			// and the body
			String requestId = RequestIds.of(request);
			request.setAttribute(RequestIds.ATTRIBUTE, requestId);
			response.setHeader(RequestIds.HEADER, requestId);
			ErrorResponses.write(request, response, answer, code, message);
			response.finishResponse();
		}
		catch (IOException | IllegalStateException ex) {
			// the client is gone or the response was committed meanwhile: nothing more to
			// say
		}
	}

	/**
	 * Whether Tomcat refused the request because its connector is paused (graceful
	 * shutdown) before it read the headers: the connector is paused and the request has
	 * no {@code Host} header, which every HTTP/1.1 request that was read in full carries
	 * (Tomcat refuses one without it before the pause matters).
	 */
	static boolean refusedByPause(Request request) {
		return request.getConnector().getProtocolHandler() instanceof AbstractProtocol<?> protocol
				&& protocol.isPaused() && request.getCoyoteRequest().getMimeHeaders().getHeader("host") == null;
	}

}
