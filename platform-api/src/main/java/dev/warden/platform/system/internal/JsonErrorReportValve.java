package dev.warden.platform.system.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.AbstractProtocol;

import dev.warden.platform.system.ErrorResponses;
import dev.warden.platform.system.MethodFilter;

/**
 * Replaces Tomcat's HTML error page with the documented JSON error for the errors Tomcat
 * answers itself, before a request reaches the application: a request line and headers
 * larger than {@code server.max-http-request-header-size} become 431
 * {@code request_header_too_large}; a request line with an HTTP version other than 1.0 or
 * 1.1 (Tomcat's 505) becomes 400 {@code unsupported_http_version}; Tomcat's 501 becomes
 * 405 {@code method_not_allowed} for a method Warden does not serve ({@code CONNECT}) and
 * 400 {@code unsupported_transfer_encoding} for a transfer coding other than chunked; any
 * other request Tomcat cannot parse stays 400, as {@code bad_request}. Errors the
 * application answers keep their own bodies (the valve writes only when the response has
 * none yet). Such requests never reach the request-id filter, so a new request id is made
 * and echoed in {@code X-Request-Id}.
 *
 * <p>
 * One 400 is not the client's mistake: a request that arrives just as graceful shutdown
 * pauses the connector is refused by Tomcat without reading its headers, and Tomcat then
 * finds no {@code Host} header and turns its 503 into a 400 (a race between two checks in
 * its HTTP/1.1 processor). Such a request was never served: it is answered 503
 * {@code shutting_down} with {@code Retry-After} and {@code Connection: close}, which a
 * load balancer or client may retry on another replica.
 */
public class JsonErrorReportValve extends ErrorReportValve {

	private final long maxHeaderBytes;

	public JsonErrorReportValve(long maxHeaderBytes) {
		this.maxHeaderBytes = maxHeaderBytes;
	}

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0) {
			return;
		}
		String code;
		String message;
		if (status == 400 && throwable instanceof IllegalArgumentException
				&& String.valueOf(throwable.getMessage()).contains("header is too large")) {
			status = 431;
			code = "request_header_too_large";
			message = "the request line and headers exceed " + this.maxHeaderBytes + " bytes";
		}
		else if (status == 400 && refusedByPause(request)) {
			status = 503;
			code = "shutting_down";
			message = "the gateway is shutting down and did not serve the request; send it again";
			response.setHeader("Retry-After", "1");
			response.setHeader("Connection", "close");
		}
		else if (status == 400) {
			code = "bad_request";
			message = "the request could not be parsed as HTTP";
		}
		else if (status == 501 && !MethodFilter.SERVED.contains(request.getMethod())) {
			// CONNECT and the like, refused by Tomcat before the application sees them
			status = 405;
			code = "method_not_allowed";
			message = "the method is not served by Warden";
			response.setHeader("Allow", MethodFilter.ALLOW);
		}
		else if (status == 501) {
			// a transfer coding Tomcat does not implement (e.g. gzip): the request cannot
			// be read, which is the client's mistake
			status = 400;
			code = "unsupported_transfer_encoding";
			message = "the request's Transfer-Encoding is not supported: send the body with Content-Length or "
					+ "chunked only";
		}
		else if (status == 505) {
			// the client's mistake, not the server's: a 4xx like any other request that
			// is not HTTP/1.1 or HTTP/1.0
			status = 400;
			code = "unsupported_http_version";
			message = "the request's HTTP version is not supported: use HTTP/1.1 (or HTTP/1.0)";
		}
		else {
			code = "http_" + status;
			message = "the request failed with HTTP status " + status;
		}
		String requestId = UUID.randomUUID().toString();
		byte[] body = ErrorResponses.bytes(code, message, requestId);
		try {
			response.setStatus(status);
			response.setContentType("application/json");
			response.setContentLength(body.length);
			response.setHeader("X-Request-Id", requestId);
			OutputStream out = response.getOutputStream();
			out.write(body);
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
	 * no {@code Host} header, which every HTTP/1.1 request that was read in full carries.
	 */
	static boolean refusedByPause(Request request) {
		return request.getConnector().getProtocolHandler() instanceof AbstractProtocol<?> protocol
				&& protocol.isPaused() && request.getCoyoteRequest().getMimeHeaders().getHeader("host") == null;
	}

}
