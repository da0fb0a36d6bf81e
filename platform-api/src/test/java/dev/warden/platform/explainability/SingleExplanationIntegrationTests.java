package dev.warden.platform.explainability;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code POST /api/admin/models/{m}/versions/{v}/explain}, the console's single
 * explanation: forwarded to the worker for that version, answered in the admin API's
 * shape, audited without the row.
 */
@ExtendWith(ExplainabilityApp.Extension.class)
class SingleExplanationIntegrationTests {

	private static final String ROW = "{\"x1\":1.5,\"color\":\"red\",\"n\":4,\"x2\":-0.5}";

	@Test
	void complianceExplainsARowAndTheCallIsAuditedWithoutTheRow(ExplainabilityApp app) {
		HttpResponse<String> response = Http.send("POST", app.url("/api/admin/models/lin/versions/1/explain"),
				"{\"instances\":[" + ROW + "],\"parameters\":{\"method\":\"kernel_shap\"}}",
				app.warden().as("carol-explains", "COMPLIANCE"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = Json.read(response.body());
		assertThat(body.path("model").asString()).isEqualTo("lin");
		assertThat(body.path("version").asString()).isEqualTo("1");
		assertThat(body.path("predictions").get(0).path("class_id").asInt()).isEqualTo(1);
		JsonNode explanation = body.path("explanations").get(0);
		assertThat(explanation.path("method").asString()).isEqualTo("kernel_shap");
		LinearModels.Model model = LinearModels.of("lin");
		Map<String, String> row = Map.of("x1", "1.5", "color", "red", "n", "4", "x2", "-0.5");
		for (JsonNode attribution : explanation.path("attributions")) {
			LinearModels.Column column = model.columns()
				.stream()
				.filter((c) -> c.name().equals(attribution.path("feature").asString()))
				.findFirst()
				.orElseThrow();
			assertThat(attribution.path("attribution").asDouble())
				.isCloseTo(model.attribution(column, row.get(column.name())), within(1e-12));
		}
		assertThat(explanation.path("attributions").size()).isEqualTo(4);
		assertThat(explanation.path("value_at_input").asDouble()).isCloseTo(model.f(row), within(1e-12));
		assertThat(explanation.path("value_at_baseline").asDouble()).isEqualTo(model.bias());
		assertThat(explanation.path("model_evaluations").asLong()).isEqualTo(7);
		assertThat(app.worker().explainRequests()).anySatisfy((request) -> {
			assertThat(request.path("parameters").path("method").asString()).isEqualTo("kernel_shap");
			assertThat(request.path("instances").get(0).path("x1").asDouble()).isEqualTo(1.5);
		});
		JsonNode event = Json
			.read(Http
				.get(app.url("/api/admin/audit-events?target_type=model_version&target_id=lin/1&size=1"), app.admin())
				.body())
			.path("content")
			.get(0);
		assertThat(event.path("action").asString()).isEqualTo("model.explained");
		assertThat(event.path("actor").asString()).isEqualTo("carol-explains");
		assertThat(event.path("details").path("rows").asInt()).isEqualTo(1);
		assertThat(event.path("details").path("method").asString()).isEqualTo("kernel_shap");
		assertThat(event.path("details").toString()).doesNotContain("red").doesNotContain("1.5");
	}

	@Test
	void aTextIsExplainedTokenByToken(ExplainabilityApp app) {
		HttpResponse<String> response = Http.send("POST", app.url("/api/admin/models/txt/versions/1/explain"),
				"{\"instances\":[{\"text\":\"win a free cruise\"}]}", app.admin());

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode tokens = Json.read(response.body()).path("explanations").get(0).path("tokens");
		assertThat(tokens.findValuesAsString("token")).containsExactly("win", "a", "free", "cruise");
		assertThat(tokens.get(2).path("start").asInt()).isEqualTo(6);
		assertThat(tokens.get(2).path("end").asInt()).isEqualTo(10);
		assertThat(tokens.get(2).path("attribution").asDouble()).isEqualTo(2.0);
		// the worker names no column for a text model's tokens
		assertThat(tokens.get(2).path("feature").isNull()).isTrue();
	}

	@Test
	void badCallsAreClientErrors(ExplainabilityApp app) {
		String path = "/api/admin/models/lin/versions/1/explain";
		StringBuilder many = new StringBuilder("{\"instances\":[");
		for (int i = 0; i < 11; i++) {
			many.append((i > 0) ? "," : "").append(ROW);
		}
		many.append("]}");

		assertThat(Http.send("POST", app.url(path), "{}", app.admin()).statusCode()).isEqualTo(400);
		assertThat(Http.send("POST", app.url(path), "{\"instances\":[]}", app.admin()).statusCode()).isEqualTo(400);
		assertThat(Http.send("POST", app.url(path), many.toString(), app.admin()).statusCode()).isEqualTo(400);
		assertThat(
				Http.send("POST", app.url(path), "{\"instances\":[" + ROW + "],\"rows\":1}", app.admin()).statusCode())
			.isEqualTo(400);
		assertThat(Http.send("POST", app.url(path), "[1]", app.admin()).statusCode()).isEqualTo(400);
		assertThat(Http.send("POST", app.url(path), "{\"instances\":", app.admin()).statusCode()).isEqualTo(400);
		HttpResponse<String> refused = Http.send("POST", app.url(path), "{\"instances\":[{\"x1\":\"abc\"}]}",
				app.admin());
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(Json.read(refused.body()).path("error").path("code").asString()).isEqualTo("invalid_input");
		assertThat(Http
			.send("POST", app.url("/api/admin/models/lin/versions/7/explain"), "{\"instances\":[" + ROW + "]}",
					app.admin())
			.statusCode()).isEqualTo(404);
		assertThat(
				Http.send("POST", app.url(path), "{\"instances\":[" + ROW + "]}", app.warden().as("eve")).statusCode())
			.isEqualTo(403);
	}

}
