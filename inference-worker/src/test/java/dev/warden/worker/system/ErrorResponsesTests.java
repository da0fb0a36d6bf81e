package dev.warden.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one error body, as the exception handler returns it and as filters write it: the
 * same bytes, fields in the documented order, the request's id.
 */
class ErrorResponsesTests {

	private static final String EXPECTED = "{\"error\":{\"code\":\"payload_too_large\","
			+ "\"message\":\"too \\\"big\\\"\",\"request_id\":\"req-1\"}}";

	private final MockHttpServletRequest request = new MockHttpServletRequest();

	ErrorResponsesTests() {
		request.setAttribute(RequestIds.ATTRIBUTE, "req-1");
	}

	@Test
	void filtersWriteTheErrorJsonWithStatusTypeAndLength() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();

		ErrorResponses.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "payload_too_large", "too \"big\"");

		assertThat(response.getStatus()).isEqualTo(413);
		assertThat(response.getContentType()).isEqualTo("application/json");
		assertThat(response.getContentAsString(StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
		assertThat(response.getContentLength()).isEqualTo(EXPECTED.getBytes(StandardCharsets.UTF_8).length);
	}

	@Test
	void handlerEntitiesCarryTheSameBody() {
		ResponseEntity<?> entity = ErrorResponses.entity(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
				"too \"big\"", request);

		assertThat(entity.getStatusCode().value()).isEqualTo(413);
		assertThat(entity.getHeaders().getContentType()).hasToString("application/json");
		assertThat(JsonMapper.builder().build().writeValueAsString(entity.getBody())).isEqualTo(EXPECTED);
	}

	@Test
	void withoutTheFilterAFreshIdIsUsed() {
		assertThat(RequestIds.of(new MockHttpServletRequest())).isNotBlank();
		assertThat(RequestIds.choose("abc-123")).isEqualTo("abc-123");
		assertThat(RequestIds.choose("bad id with spaces")).isNotEqualTo("bad id with spaces");
	}

}
