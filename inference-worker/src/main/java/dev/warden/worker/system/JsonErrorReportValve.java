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
 * the application (in place of Tomcat's HTML page): a request Tomcat cannot parse is 400
 * {@code bad_request}, any other status keeps its code as {@code http_<status>}. Errors
 * the application answers keep their own bodies (the valve writes only when the response
 * has none yet).
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
		HttpStatus answer = (HttpStatus.resolve(status) != null) ? HttpStatus.resolve(status) : HttpStatus.BAD_REQUEST;
		String code;
		String message;
		if (status == 400 && refusedByPause(request)) {
			answer = HttpStatus.SERVICE_UNAVAILABLE;
			code = "shutting_down";
			message = "the worker is shutting down and did not serve the request; send it to another worker";
			response.setHeader(HttpHeaders.RETRY_AFTER, "1");
			response.setHeader(HttpHeaders.CONNECTION, "close");
		}
		else if (status == 400) {
			code = "bad_request";
			message = "the request could not be parsed as HTTP";
		}
		else {
			code = "http_" + status;
			message = "the request failed with HTTP status " + status;
		}
		try {
			// such requests never reach the request-id filter: one new id, in the header
			// and the body
			request.setAttribute(RequestIds.ATTRIBUTE, RequestIds.of(request));
			response.setHeader(RequestIds.HEADER, RequestIds.of(request));
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
