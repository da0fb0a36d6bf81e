package dev.warden.platform.explainability;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Explanation reports on an evaluation dataset: its stored rows hold a label and
 * sensitive cells after the model's columns (a sensitive input twice), and neither the
 * explanations nor the partial dependence see them. Model {@code bare}, which no other
 * test uses: an evaluation dataset of a model gets automatic fairness checks, which would
 * show in other tests' job lists.
 */
@ExtendWith(ExplainabilityApp.Extension.class)
class EvaluationDatasetExplanationIntegrationTests {

	@Test
	void anExplanationReportOnAnEvaluationDatasetSendsAndCountsOnlyTheModelsColumns(ExplainabilityApp app) {
		List<Map<String, String>> rows = ExplainabilityApp.tabularRows(90, 31);
		StringBuilder csv = new StringBuilder("x1,color,n,x2,outcome,group\n");
		for (int i = 0; i < rows.size(); i++) {
			Map<String, String> row = rows.get(i);
			csv.append(row.get("x1"))
				.append(',')
				.append(row.get("color"))
				.append(',')
				.append(row.get("n"))
				.append(',')
				.append(row.get("x2"))
				.append(',')
				.append(i % 3 == 0 ? "yes" : "no")
				.append(',')
				.append(i % 2 == 0 ? "a" : "b")
				.append('\n');
		}
		java.net.http.HttpResponse<String> uploaded = dev.warden.platform.Http.send("POST",
				app.url("/api/admin/models/bare/reference-datasets?name=eval-explained&label=outcome"
						+ "&positive_label=yes&sensitive=group&sensitive=color&sensitive=n&bands=n:3"),
				csv.toString(), ExplainabilityApp.withContentType(app.admin(), "text/csv"));
		assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
		String dataset = dev.warden.platform.Json.field(uploaded.body(), "id");
		int requestsBefore = app.worker().explainRequests().size();

		JsonNode job = app.awaitJob(app.queue("bare", 1, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString(),
				"done", "failed");

		assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("done");
		assertThat(job.path("kind").asString()).isEqualTo("explanation");
		assertThat(job.path("fairness_report_id").isNull()).isTrue();
		// (other tests' jobs of the tabular models may have explained meanwhile: what
		// matters is that no instance carried a label or a sensitive-only cell)
		List<JsonNode> requests = app.worker().explainRequests();
		int instances = 0;
		for (JsonNode request : requests.subList(requestsBefore, requests.size())) {
			for (JsonNode instance : request.path("instances")) {
				if (instance.has("x1") || instance.has("outcome") || instance.has("group")) {
					assertThat(instance.propertyNames()).containsExactlyInAnyOrder("color", "n", "x1", "x2");
					instances++;
				}
			}
		}
		assertThat(instances).isGreaterThanOrEqualTo(90);
		JsonNode content = app.report(job.path("report_id").asString()).path("content");
		assertThat(content.path("rows_explained").asLong()).isEqualTo(90);
		assertThat(content.path("features").findValuesAsString("name")).containsExactlyInAnyOrder("color", "n", "x1",
				"x2");
		LinearModels.Model model = LinearModels.of("bare");
		Map<String, Double> sums = new HashMap<>();
		for (Map<String, String> row : rows) {
			for (LinearModels.Column column : model.columns()) {
				sums.merge(column.name(), Math.abs(model.attribution(column, row.get(column.name()))), Double::sum);
			}
		}
		for (JsonNode feature : content.path("features")) {
			assertThat(feature.path("mean_abs_attribution").asDouble())
				.isCloseTo(sums.get(feature.path("name").asString()) / rows.size(), within(1e-9));
		}
		for (JsonNode curve : content.path("partial_dependence")) {
			assertThat(curve.path("feature").asString()).isIn("color", "n", "x1", "x2");
			for (JsonNode value : curve.path("grid")) {
				assertThat(value.asString()).isNotIn("yes", "no", "a", "b");
			}
		}
	}

}
