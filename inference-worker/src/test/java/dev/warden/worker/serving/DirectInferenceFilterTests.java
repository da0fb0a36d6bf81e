package dev.warden.worker.serving;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.warden.worker.manager.ServableRequest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which requests {@link DirectInferenceFilter} serves itself and which it leaves to MVC.
 */
class DirectInferenceFilterTests {

	@Test
	void thePlainFormsOfThePredictPathNameTheirServable() {
		assertThat(DirectInferenceFilter.target("/v1/models/income:predict"))
			.isEqualTo(ServableRequest.latest("income"));
		assertThat(DirectInferenceFilter.target("/v1/models/in-come_2.x/versions/17:predict"))
			.isEqualTo(ServableRequest.version("in-come_2.x", 17));
		assertThat(DirectInferenceFilter.target("/v1/models/income/labels/stable:predict"))
			.isEqualTo(ServableRequest.label("income", "stable"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "/v1/models/income:classify", "/v1/models/income:explain", "/v1/models/income",
			"/v1/models/:predict", "/v1/models/inc%6Fme:predict", "/v1/models/inc ome:predict",
			"/v1/models/a:b:predict", "/v1/models/income/:predict", "/v1/models/income/versions/:predict",
			"/v1/models/income/versions/x1:predict", "/v1/models/income/versions/1234567890123456789:predict",
			"/v1/models/income/labels/:predict", "/v1/models/income/labels/a/b:predict",
			"/v1/models/income/other/1:predict", "/v1/models/../admin:predict", "/v1/models/..:predict",
			"/v1/models/income;x=1:predict", "/v2/models/income:predict", "/v1/models/income:predict/" })
	void everythingElseIsLeftToMvc(String uri) {
		assertThat(DirectInferenceFilter.target(uri)).isNull();
		assertThat(passedOn("POST", uri, "application/json", "{}")).isTrue();
	}

	@Test
	void thePlainFormsOfTheInferPathNameTheirServable() {
		assertThat(DirectInferenceFilter.inferTarget("/v2/models/income/infer"))
			.isEqualTo(ServableRequest.latest("income"));
		assertThat(DirectInferenceFilter.inferTarget("/v2/models/spam/versions/3/infer"))
			.isEqualTo(ServableRequest.version("spam", 3));
	}

	@ParameterizedTest
	@ValueSource(strings = { "/v2/models/infer", "/v2/models//infer", "/v2/models/inc%6Fme/infer",
			"/v2/models/income/versions/x/infer", "/v2/models/income/versions//infer",
			"/v2/models/income/labels/a/infer", "/v2/models/income/versions/1/2/infer", "/v2/models/income/ready",
			"/v2/models/income/infer/", "/v2/models/income", "/v1/models/income/infer", "/v2/models/../infer" })
	void otherV2PathsAreLeftToMvc(String uri) {
		assertThat(DirectInferenceFilter.inferTarget(uri)).isNull();
		assertThat(passedOn("POST", uri, "application/json", "{}")).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "text/plain", "application/jsonx", "application/xml", "application/json-seq", "x",
			"application/" })
	void aContentTypeMvcWouldRefuseIsLeftToMvc(String contentType) {
		assertThat(passedOn("POST", "/v1/models/income:predict", contentType, "{}")).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/json", "APPLICATION/JSON", "application/json; charset=utf-8",
			"application/problem+json", "application/vnd.example+json" })
	void jsonContentTypesAreServedDirectly(String contentType) {
		// no controller here: a request the filter takes fails inside it instead of being
		// passed on
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> passedOn("POST", "/v1/models/income:predict", contentType, "{}"))
			.isInstanceOf(AssertionError.class)
			.hasRootCauseInstanceOf(NullPointerException.class);
	}

	@Test
	void noContentTypeNoBodyAndOtherMethodsAreLeftToMvc() {
		assertThat(passedOn("POST", "/v1/models/income:predict", null, "{}")).isTrue();
		assertThat(passedOn("POST", "/v1/models/income:predict", "application/json", "")).isTrue();
		assertThat(passedOn("GET", "/v1/models/income:predict", "application/json", "{}")).isTrue();
		assertThat(passedOn("PUT", "/v1/models/income:predict", "application/json", "{}")).isTrue();
	}

	/** Whether the filter passed the request on (it has no controller to call here). */
	private static boolean passedOn(String method, String uri, String contentType, String body) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, uri);
		if (contentType != null) {
			request.setContentType(contentType);
		}
		request.setContent(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		AtomicBoolean passed = new AtomicBoolean();
		try {
			new DirectInferenceFilter(null, null, null).doFilter(request, new MockHttpServletResponse(),
					(req, res) -> passed.set(true));
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
		return passed.get();
	}

}
