package dev.warden.platform.system.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import dev.warden.platform.system.ErrorResponses;

/**
 * Replaces Tomcat's HTML error page with the documented JSON error for the errors Tomcat
 * answers itself, before a request reaches the application: a request line and headers
 * larger than {@code server.max-http-request-header-size} become 431
 * {@code request_header_too_large}; any other request Tomcat cannot parse stays 400, as
 * {@code bad_request}. Errors the application answers keep their own bodies (the valve
 * writes only when the response has none yet). Such requests never reach the request-id
 * filter, so a new request id is made and echoed in {@code X-Request-Id}.
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
		else if (status == 400) {
			code = "bad_request";
			message = "the request could not be parsed as HTTP";
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

}
