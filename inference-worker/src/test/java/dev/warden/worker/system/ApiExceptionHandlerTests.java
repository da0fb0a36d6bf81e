package dev.warden.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The last resort of the worker's error handling: a client that went away and an answer
 * that had already started are not answered with the error JSON; anything else is a 500
 * without details.
 */
class ApiExceptionHandlerTests {

	private final ApiExceptionHandler handler = new ApiExceptionHandler();

	private final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/actuator/prometheus");

	@Test
	void aClientThatWentAwayGetsNoAnswer() throws Exception {
		var response = new MockHttpServletResponse();
		response.setContentType("application/openmetrics-text");
		response.getOutputStream().write(new byte[100]);
		response.flushBuffer();
		assertThat(this.handler.unexpected(new ClientAbortException(new IOException("Broken pipe")), this.request,
				response))
			.isNull();
	}

	@Test
	void aFailureAfterTheAnswerStartedIsRethrownSoThatTheConnectionIsClosed() throws Exception {
		var response = new MockHttpServletResponse();
		response.getOutputStream().write(new byte[100]);
		response.flushBuffer();
		var failure = new IllegalStateException("source failed mid-stream");
		assertThatThrownBy(() -> this.handler.unexpected(failure, this.request, response)).isSameAs(failure);
	}

	@Test
	void anyOtherFailureIsA500WithoutDetails() throws Exception {
		var answer = this.handler.unexpected(new IllegalStateException("secret detail"), this.request,
				new MockHttpServletResponse());
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
		assertThat(answer.getBody().toString()).contains("internal").doesNotContain("secret detail");
	}

}
