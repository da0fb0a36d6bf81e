package dev.warden.platform.system.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.CoyoteAdapter;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.coyote.OutputBuffer;
import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.Test;

/**
 * The JSON error valve on requests Tomcat refused with 400 before the application saw
 * them: a parse failure stays 400 {@code bad_request}; a request refused because graceful
 * shutdown paused the connector before its headers were read (Tomcat then finds no
 * {@code Host} header and says 400) becomes 503 {@code shutting_down} with
 * {@code Retry-After} and {@code Connection: close}.
 */
class JsonErrorReportValveTests {

	/** Tomcat's HTTP/1.1 protocol, paused or not as the test says. */
	static final class Protocol extends Http11NioProtocol {

		final boolean paused;

		Protocol(boolean paused) {
			this.paused = paused;
		}

		@Override
		public boolean isPaused() {
			return this.paused;
		}

	}

	record Answer(Response response, String body) {
	}

	private static Answer refused400(boolean paused, boolean hostHeaderRead) {
		var connector = new Connector(new Protocol(paused));
		var coyoteRequest = new org.apache.coyote.Request();
		var coyoteResponse = new org.apache.coyote.Response();
		coyoteRequest.setResponse(coyoteResponse);
		coyoteResponse.setRequest(coyoteRequest);
		if (hostHeaderRead) {
			coyoteRequest.getMimeHeaders().addValue("host").setString("gateway.example");
		}
		var written = new ByteArrayOutputStream();
		coyoteResponse.setOutputBuffer(new OutputBuffer() {
			@Override
			public int doWrite(ByteBuffer chunk) {
				int length = chunk.remaining();
				byte[] bytes = new byte[length];
				chunk.get(bytes);
				written.write(bytes, 0, length);
				return length;
			}

			@Override
			public long getBytesWritten() {
				return written.size();
			}
		});
		Request request = connector.createRequest(coyoteRequest);
		Response response = connector.createResponse(coyoteResponse);
		coyoteRequest.setNote(CoyoteAdapter.ADAPTER_NOTES, request);
		request.setResponse(response);
		response.setRequest(request);
		response.setStatus(400);
		new JsonErrorReportValve(8192).report(request, response, null);
		return new Answer(response, written.toString(StandardCharsets.UTF_8));
	}

	@Test
	void aRequestRefusedByThePauseBeforeItsHeadersWereReadIs503() {
		Answer answer = refused400(true, false);
		assertThat(answer.response().getStatus()).isEqualTo(503);
		assertThat(answer.response().getHeader("Retry-After")).isEqualTo("1");
		assertThat(answer.response().getHeader("Connection")).isEqualTo("close");
		assertThat(answer.response().getContentType()).startsWith("application/json");
		assertThat(answer.body()).contains("\"code\":\"shutting_down\"")
			.contains("\"request_id\":\"" + answer.response().getHeader("X-Request-Id") + "\"");
	}

	@Test
	void otherwiseAnUnparsableRequestStays400() {
		// not paused: the client's mistake
		Answer running = refused400(false, false);
		assertThat(running.response().getStatus()).isEqualTo(400);
		assertThat(running.body()).contains("\"code\":\"bad_request\"");
		assertThat(running.response().getHeader("Retry-After")).isNull();
		// paused, but its headers were read: Tomcat refused it for what it says
		Answer withHeaders = refused400(true, true);
		assertThat(withHeaders.response().getStatus()).isEqualTo(400);
		assertThat(withHeaders.body()).contains("\"code\":\"bad_request\"");
	}

}
