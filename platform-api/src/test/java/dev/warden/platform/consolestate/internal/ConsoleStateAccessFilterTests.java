package dev.warden.platform.consolestate.internal;

import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate of the console state API without an application: off without a token (404),
 * 401 without the token or with another, 413 for a body too large, the request handed on
 * otherwise (the integration tests cover the same through the shared application, which
 * has a token).
 */
class ConsoleStateAccessFilterTests {

	private static final String TOKEN = "the-console-state-token";

	private static MockHttpServletRequest request(String authorization) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/internal/platform/console/signing-keys");
		if (authorization != null) {
			request.addHeader("Authorization", authorization);
		}
		return request;
	}

	private static Result run(String configuredToken, MockHttpServletRequest request) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();
		new ConsoleStateAccessFilter(configuredToken).doFilter(request, response, chain);
		return new Result(response, chain.getRequest());
	}

	private record Result(MockHttpServletResponse response, ServletRequest passedOn) {
	}

	@Test
	void withoutAConfiguredTokenEveryCallIsNotFound() throws Exception {
		for (String configured : new String[] { "", "  ", null }) {
			for (String presented : new String[] { null, "Bearer ", "Bearer " + TOKEN, "Bearer  " }) {
				Result result = run(configured, request(presented));
				assertThat(result.response().getStatus()).isEqualTo(404);
				assertThat(result.response().getContentAsString()).contains("\"code\":\"not_found\"");
				assertThat(result.passedOn()).isNull();
			}
		}
	}

	@Test
	void withoutTheTokenOrWithAnotherTheCallIsUnauthorized() throws Exception {
		for (String presented : new String[] { null, "Bearer ", "Bearer other", "Basic " + TOKEN, TOKEN,
				"Bearer " + TOKEN + "x" }) {
			Result result = run(TOKEN, request(presented));
			assertThat(result.response().getStatus()).as(String.valueOf(presented)).isEqualTo(401);
			assertThat(result.response().getContentAsString()).contains("\"code\":\"unauthorized\"")
				.doesNotContain(TOKEN);
			assertThat(result.response().getHeader("WWW-Authenticate")).startsWith("Bearer");
			assertThat(result.passedOn()).isNull();
		}
	}

	@Test
	void withTheTokenTheCallIsHandedOn() throws Exception {
		Result result = run(TOKEN, request("Bearer " + TOKEN));
		assertThat(result.passedOn()).isNotNull();
		assertThat(run(TOKEN, request("bearer " + TOKEN)).passedOn()).isNotNull();
	}

	@Test
	void aBodyWithinTheLimitIsHandedOnAndALargerOneIsRefused() throws Exception {
		MockHttpServletRequest small = request("Bearer " + TOKEN);
		small.setMethod("PUT");
		small.setContent("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
		Result passed = run(TOKEN, small);
		assertThat(passed.passedOn()).isNotNull();
		assertThat(passed.passedOn().getInputStream().readAllBytes()).asString(StandardCharsets.UTF_8)
			.isEqualTo("{\"a\":1}");

		MockHttpServletRequest large = request("Bearer " + TOKEN);
		large.setMethod("PUT");
		large.setContent(new byte[ConsoleStateAccessFilter.MAX_BODY_BYTES + 1]);
		Result refused = run(TOKEN, large);
		assertThat(refused.response().getStatus()).isEqualTo(413);
		assertThat(refused.response().getContentAsString()).contains("\"code\":\"payload_too_large\"");
		assertThat(refused.passedOn()).isNull();
	}

}
