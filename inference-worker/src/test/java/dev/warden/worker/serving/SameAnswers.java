package dev.warden.worker.serving;

import java.net.http.HttpResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asserts that a request served by {@link DirectInferenceFilter} and the same request
 * served through MVC got the same answer.
 */
final class SameAnswers {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private SameAnswers() {
	}

	/** {@code income...} → {@code %69ncome...}: the same name once decoded, not plain. */
	static String percentEncodeFirst(String path) {
		return "%" + Integer.toHexString(path.charAt(0)) + path.substring(1);
	}

	/**
	 * Same status, content type and model version; the same body for a 2xx, the same
	 * error code and message otherwise (request ids differ). Returns the direct answer's
	 * body.
	 */
	static JsonNode assertSame(HttpResponse<String> direct, HttpResponse<String> mvc, String description) {
		assertThat(direct.statusCode()).as(description).isEqualTo(mvc.statusCode());
		assertThat(direct.headers().firstValue("Content-Type")).isEqualTo(mvc.headers().firstValue("Content-Type"));
		assertThat(direct.headers().firstValue("X-Model-Version"))
			.isEqualTo(mvc.headers().firstValue("X-Model-Version"));
		JsonNode a = JSON.readTree(direct.body());
		JsonNode b = JSON.readTree(mvc.body());
		if (direct.statusCode() == 200) {
			assertThat(a).isEqualTo(b);
		}
		else {
			assertThat(a.get("error").get("code")).isEqualTo(b.get("error").get("code"));
			assertThat(a.get("error").get("message")).as(description).isEqualTo(b.get("error").get("message"));
		}
		return a;
	}

}
