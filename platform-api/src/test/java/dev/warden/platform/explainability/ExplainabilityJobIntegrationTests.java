package dev.warden.platform.explainability;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.explainability.internal.CanonicalJson;
import dev.warden.platform.model.ModelCatalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Report jobs and reports against the real application and the closed-form models of
 * {@link LinearModelWorker}: every number of a report is checked against one computed
 * here from the rows, independently of the platform's code; the job lifecycle (cancel,
 * retry, failure with its reason, re-queue after a lost lease, automatic jobs),
 * reproducibility, immutability, the audit event and the PDF.
 */
@ExtendWith(ExplainabilityApp.Extension.class)
class ExplainabilityJobIntegrationTests {

	private static final double EPSILON = 1e-9;

	@Test
	void aReportHasTheAttributionStatisticsOfTheRowsItExplains(ExplainabilityApp app) {
		List<Map<String, String>> rows = ExplainabilityApp.tabularRows(150, 21);
		String dataset = app.uploaded("lin", "job-exact", ExplainabilityApp.csv(rows));

		JsonNode queued = app.queue("lin", 1, "{\"dataset_id\":\"" + dataset + "\",\"seed\":7,\"sample_size\":1000}");
		assertThat(queued.path("state").asString()).isEqualTo("queued");
		assertThat(queued.path("created_by").asString()).isEqualTo("alice");
		assertThat(queued.path("parameters").path("seed").asLong()).isEqualTo(7);
		JsonNode job = app.awaitJob(queued.path("id").asString(), "done", "failed");

		assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("done");
		assertThat(job.path("rows_done").asLong()).isEqualTo(150);
		assertThat(job.path("rows_total").asLong()).isEqualTo(150);
		assertThat(job.path("attempt").asInt()).isEqualTo(1);
		JsonNode report = app.report(job.path("report_id").asString());
		JsonNode content = report.path("content");
		assertThat(report.path("model").asString()).isEqualTo("lin");
		assertThat(report.path("version").asString()).isEqualTo("1");
		assertThat(report.path("dataset_id").asString()).isEqualTo(dataset);
		assertThat(report.path("model_sha256").asString()).isEqualTo(LinearModelWorker.MODEL_SHA256);
		assertThat(report.path("method").asString()).isEqualTo("integrated_gradients");
		assertThat(report.path("seed").asLong()).isEqualTo(7);
		assertThat(report.path("job_id").asString()).isEqualTo(job.path("id").asString());
		assertThat(content.path("rows_explained").asLong()).isEqualTo(150);
		assertThat(content.path("dataset").path("sha256").asString())
			.isEqualTo(ReferenceDatasetIntegrationTests.sha256(ExplainabilityApp.csv(rows).getBytes()));

		LinearModels.Model model = LinearModels.of("lin");
		Map<String, double[]> expected = new HashMap<>();
		Map<String, Map<Integer, double[]>> perClass = new HashMap<>();
		double maxDelta = 0;
		double sumDelta = 0;
		for (Map<String, String> row : rows) {
			int predicted = (model.f(row) >= 0) ? 1 : 0;
			for (LinearModels.Column column : model.columns()) {
				double a = model.attribution(column, row.get(column.name()));
				double[] sums = expected.computeIfAbsent(column.name(), (k) -> new double[2]);
				sums[0] += Math.abs(a);
				sums[1] += a;
				double[] classSums = perClass.computeIfAbsent(column.name(), (k) -> new HashMap<>())
					.computeIfAbsent(predicted, (k) -> new double[3]);
				classSums[0] += Math.abs(a);
				classSums[1] += a;
				classSums[2]++;
			}
			maxDelta = Math.max(maxDelta, Math.abs(model.delta(row)));
			sumDelta += Math.abs(model.delta(row));
		}
		List<String> order = new ArrayList<>(expected.keySet());
		order.sort((a, b) -> Double.compare(expected.get(b)[0], expected.get(a)[0]));
		assertThat(content.path("features").findValuesAsString("name")).containsExactlyElementsOf(order);
		for (JsonNode feature : content.path("features")) {
			double[] sums = expected.get(feature.path("name").asString());
			double meanAbs = sums[0] / rows.size();
			assertThat(feature.path("mean_abs_attribution").asDouble()).isCloseTo(meanAbs, within(EPSILON));
			assertThat(feature.path("mean_attribution").asDouble()).isCloseTo(sums[1] / rows.size(), within(EPSILON));
			assertThat(feature.path("interval").get(0).asDouble()).isLessThan(meanAbs);
			assertThat(feature.path("interval").get(1).asDouble()).isGreaterThan(meanAbs);
			assertThat(feature.path("confidence_level").asDouble()).isEqualTo(0.95);
			for (Map.Entry<Integer, double[]> c : perClass.get(feature.path("name").asString()).entrySet()) {
				JsonNode item = feature.path("per_class").path(Integer.toString(c.getKey()));
				assertThat(item.path("rows").asLong()).isEqualTo((long) c.getValue()[2]);
				assertThat(item.path("mean_abs_attribution").asDouble()).isCloseTo(c.getValue()[0] / c.getValue()[2],
						within(EPSILON));
			}
			long counted = feature.path("histogram").path("below").asLong()
					+ feature.path("histogram").path("above").asLong();
			for (JsonNode count : feature.path("histogram").path("counts")) {
				counted += count.asLong();
			}
			assertThat(counted).isEqualTo(150);
			assertThat(feature.path("histogram").path("edges").size()).isEqualTo(21);
		}
		JsonNode quality = content.path("quality");
		assertThat(quality.path("explanations").asLong()).isEqualTo(150);
		assertThat(quality.path("model_evaluations").asLong()).isEqualTo(7 * 150);
		assertThat(quality.path("completeness_delta").path("max").asDouble()).isCloseTo(maxDelta, within(EPSILON));
		assertThat(quality.path("completeness_delta").path("mean").asDouble()).isCloseTo(sumDelta / rows.size(),
				within(EPSILON));
		assertThat(quality.path("completeness_delta").path("p95").asDouble()).isLessThanOrEqualTo(maxDelta)
			.isGreaterThan(0);
		assertThat(content.path("baseline").path("mean_value_at_baseline").asDouble()).isEqualTo(model.bias());
		assertThat(content.path("baseline").path("sha256").asString()).isEqualTo(LinearModelWorker.BASELINE_SHA256);
		assertThat(content.path("target").path("class").asInt()).isEqualTo(1);

		// partial dependence of the top 3 features, on all 150 rows (fewer than the
		// sample of 200)
		JsonNode curves = content.path("partial_dependence");
		assertThat(curves.findValuesAsString("feature")).containsExactlyElementsOf(order.subList(0, 3));
		for (JsonNode curve : curves) {
			String feature = curve.path("feature").asString();
			assertThat(curve.path("class").asString()).isEqualTo("1");
			assertThat(curve.path("rows").asInt()).isEqualTo(150);
			assertThat(curve.path("grid").size()).isEqualTo(curve.path("values").size()).isGreaterThan(1);
			for (int i = 0; i < curve.path("grid").size(); i++) {
				JsonNode g = curve.path("grid").get(i);
				String value = g.isString() ? g.asString() : g.asString();
				double mean = 0;
				for (Map<String, String> row : rows) {
					Map<String, String> changed = new HashMap<>(row);
					changed.put(feature, value);
					mean += LinearModels.sigmoid(model.f(changed));
				}
				assertThat(curve.path("values").get(i).asDouble()).as(feature + "=" + value)
					.isCloseTo(mean / rows.size(), within(EPSILON));
			}
		}
		JsonNode x1 = curveOf(curves, "x1");
		if (x1 != null) {
			double[] grid = new double[x1.path("grid").size()];
			for (int i = 0; i < grid.length; i++) {
				grid[i] = x1.path("grid").get(i).asDouble();
			}
			double[] sorted = grid.clone();
			Arrays.sort(sorted);
			assertThat(grid).containsExactly(sorted);
		}

		// the worker chose the method; a seed is only sent with kernel_shap (the worker
		// refuses it for the others)
		JsonNode request = app.worker().explainRequests().get(app.worker().explainRequests().size() - 1);
		assertThat(request.path("parameters").has("seed")).isFalse();
		assertThat(request.path("parameters").has("method")).isFalse();
		assertThat(request.path("instances").size()).isBetween(1, 10);
	}

	@Test
	void sameSeedReproducesTheReportExactlyAndAnotherSeedChangesTheIntervals(ExplainabilityApp app) {
		String dataset = app.uploaded("lin", "job-repro", ExplainabilityApp.csv(ExplainabilityApp.tabularRows(140, 5)));
		String body = "{\"dataset_id\":\"" + dataset + "\",\"seed\":11,\"sample_size\":90,\"method\":\"kernel_shap\"}";

		JsonNode first = app.awaitJob(app.queue("lin", 1, body).path("id").asString(), "done", "failed");
		JsonNode second = app.awaitJob(app.queue("lin", 1, body).path("id").asString(), "done", "failed");
		JsonNode other = app.awaitJob(
				app.queue("lin", 1, body.replace("\"seed\":11", "\"seed\":12")).path("id").asString(), "done",
				"failed");

		assertThat(app.worker().explainRequests()).anySatisfy((request) -> {
			assertThat(request.path("parameters").path("method").asString()).isEqualTo("kernel_shap");
			assertThat(request.path("parameters").path("seed").asLong()).isEqualTo(11);
		});
		JsonNode a = app.report(first.path("report_id").asString());
		JsonNode b = app.report(second.path("report_id").asString());
		JsonNode c = app.report(other.path("report_id").asString());
		assertThat(a.path("id").asString()).isNotEqualTo(b.path("id").asString());
		assertThat(a.path("content").path("rows_explained").asLong()).isEqualTo(90);
		assertThat(b.path("content_sha256").asString()).isEqualTo(a.path("content_sha256").asString());
		assertThat(CanonicalJson.write(b.path("content"))).isEqualTo(CanonicalJson.write(a.path("content")));
		// the digest can be recomputed from the JSON the API answers
		assertThat(CanonicalJson.sha256(a.path("content"))).isEqualTo(a.path("content_sha256").asString());
		assertThat(c.path("content_sha256").asString()).isNotEqualTo(a.path("content_sha256").asString());
		assertThat(c.path("content").path("features").get(0).path("interval").toString())
			.isNotEqualTo(a.path("content").path("features").get(0).path("interval").toString());

		JsonNode list = Json
			.read(Http.get(app.url("/api/admin/models/lin/versions/1/explainability-reports?size=500"), app.admin())
				.body());
		assertThat(list.path("content").findValuesAsString("id")).contains(a.path("id").asString(),
				b.path("id").asString());
		assertThat(list.path("content").get(0).path("content").isNull()).isTrue();
	}

	@Test
	void reportsAreImmutableAndTheirDigestIsInTheAuditTrail(ExplainabilityApp app) {
		String dataset = app.uploaded("lin", "job-immutable",
				ExplainabilityApp.csv(ExplainabilityApp.tabularRows(40, 6)));
		JsonNode job = app.awaitJob(app.queue("lin", 1, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString(),
				"done", "failed");
		String reportId = job.path("report_id").asString();
		JsonNode report = app.report(reportId);

		Throwable update = org.assertj.core.api.Assertions.catchThrowable(() -> app.warden()
			.app()
			.jdbc()
			.sql("UPDATE explainability_reports SET content_sha256 = 'x' WHERE id = :id")
			.param("id", UUID.fromString(reportId))
			.update());
		Throwable delete = org.assertj.core.api.Assertions.catchThrowable(() -> app.warden()
			.app()
			.jdbc()
			.sql("DELETE FROM explainability_reports WHERE id = :id")
			.param("id", UUID.fromString(reportId))
			.update());

		assertThat(update).rootCause().hasMessageContaining("explainability reports are immutable (UPDATE refused)");
		assertThat(delete).rootCause().hasMessageContaining("explainability reports are immutable (DELETE refused)");
		assertThat(app.report(reportId).path("content_sha256").asString())
			.isEqualTo(report.path("content_sha256").asString());
		JsonNode events = Json
			.read(Http.get(app.url("/api/admin/audit-events?target_type=explainability_report&target_id=" + reportId),
					app.admin())
				.body());
		JsonNode event = events.path("content").get(0);
		assertThat(event.path("action").asString()).isEqualTo("explainability.report_created");
		assertThat(event.path("details").path("content_sha256").asString())
			.isEqualTo(report.path("content_sha256").asString());
		assertThat(event.path("details").path("model").asString()).isEqualTo("lin");
		assertThat(event.path("details").path("version").asLong()).isEqualTo(1);
		assertThat(event.path("details").path("dataset_id").asString()).isEqualTo(dataset);
		assertThat(event.path("details").path("dataset_sha256").asString())
			.isEqualTo(report.path("dataset_sha256").asString());
	}

	@Test
	void thePdfHasTheTitleBlockChartsAndTopFeature(ExplainabilityApp app) throws Exception {
		String dataset = app.uploaded("lin", "job-pdf", ExplainabilityApp.csv(ExplainabilityApp.tabularRows(60, 8)));
		JsonNode job = app.awaitJob(app.queue("lin", 1, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString(),
				"done", "failed");
		JsonNode report = app.report(job.path("report_id").asString());

		HttpResponse<byte[]> pdf = java.net.http.HttpClient.newHttpClient()
			.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI
					.create(app.url("/api/admin/explainability/reports/" + report.path("id").asString() + "/pdf")))
				.headers(app.compliance())
				.build(), HttpResponse.BodyHandlers.ofByteArray());

		assertThat(pdf.statusCode()).isEqualTo(200);
		assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
		StringBuilder text = new StringBuilder();
		try (PdfReader reader = new PdfReader(pdf.body())) {
			PdfTextExtractor extractor = new PdfTextExtractor(reader);
			for (int page = 1; page <= reader.getNumberOfPages(); page++) {
				text.append(extractor.getTextFromPage(page)).append('\n');
			}
		}
		String top = report.path("content").path("features").get(0).path("name").asString();
		assertThat(text.toString()).contains("Explainability report: lin version 1")
			.contains(report.path("content_sha256").asString())
			.contains(LinearModelWorker.MODEL_SHA256)
			.contains("job-pdf")
			.contains("Global importance")
			.contains("Partial dependence")
			.contains("Quality")
			.contains(top);
		assertThat(Http.get(app.url("/api/admin/explainability/reports/" + UUID.randomUUID() + "/pdf"), app.admin())
			.statusCode()).isEqualTo(404);
	}

	@Test
	void aTextModelsReportListsTheTokensTowardsEachClass(ExplainabilityApp app) {
		String dataset = app.uploaded("txt", "job-tokens", texts(80, 14));

		JsonNode job = app.awaitJob(app.queue("txt", 1, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString(),
				"done", "failed");

		assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("done");
		JsonNode content = app.report(job.path("report_id").asString()).path("content");
		assertThat(content.path("features").get(0).path("kind").asString()).isEqualTo("text");
		assertThat(content.path("partial_dependence").isEmpty()).isTrue();
		JsonNode spam = content.path("tokens").path("1");
		JsonNode ham = content.path("tokens").path("0");
		assertThat(spam.get(0).path("token").asString()).isEqualTo("free");
		assertThat(spam.get(0).path("mean_attribution").asDouble()).isCloseTo(2.0, within(EPSILON));
		assertThat(spam.get(1).path("token").asString()).isEqualTo("win");
		assertThat(ham.get(0).path("token").asString()).isEqualTo("meeting");
		assertThat(ham.get(0).path("mean_attribution").asDouble()).isCloseTo(1.0, within(EPSILON));
		assertThat(ham.get(1).path("token").asString()).isEqualTo("report");
	}

	@Test
	void rowsTheWorkerRefusesAreSkippedAndCountedNotFatal(ExplainabilityApp app) {
		StringBuilder csv = new StringBuilder("text\n");
		for (int i = 0; i < 30; i++) {
			csv.append((i == 4 || i == 17) ? "free TOO-LONG text\n" : "meeting report number " + i + "\n");
		}
		String dataset = app.uploaded("txt", "job-skip", csv.toString());

		JsonNode job = app.awaitJob(app.queue("txt", 1, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString(),
				"done", "failed");

		assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("done");
		JsonNode content = app.report(job.path("report_id").asString()).path("content");
		assertThat(content.path("rows_explained").asLong()).isEqualTo(28);
		assertThat(content.path("quality").path("rows_skipped").asLong()).isEqualTo(2);
		assertThat(content.path("quality").path("skipped_reasons").get(0).asString())
			.contains("instances[i]: the text has too many characters");
	}

	@Test
	void aJobWhoseEveryRowIsRefusedFailsWithTheReason(ExplainabilityApp app) {
		StringBuilder csv = new StringBuilder("text\n");
		for (int i = 0; i < 40; i++) {
			csv.append("TOO-LONG ").append(i).append('\n');
		}
		String dataset = app.uploaded("txt", "job-refused", csv.toString());

		JsonNode job = app.awaitJob(app.queue("txt", 1, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString(),
				"done", "failed");

		assertThat(job.path("state").asString()).isEqualTo("failed");
		assertThat(job.path("error").asString()).contains("refused each of the first 20 rows")
			.contains("the text has too many characters");
	}

	@Test
	void aQueuedJobIsCancelledAtOnceAndARunningOneAtItsNextChunk(ExplainabilityApp app) {
		String slow = app.uploaded("slow", "job-cancel", ExplainabilityApp.csv(ExplainabilityApp.tabularRows(400, 9)));
		JsonNode running = app.queue("slow", 1, "{\"dataset_id\":\"" + slow + "\"}");
		JsonNode queued = app.queue("slow", 1, "{\"dataset_id\":\"" + slow + "\",\"seed\":3}");
		app.awaitJob(running.path("id").asString(), "running");

		HttpResponse<String> retryRunning = Http.send("POST",
				app.url("/api/admin/explainability/jobs/" + running.path("id").asString() + "/retry"), null,
				app.bearer());
		HttpResponse<String> cancelQueued = Http.send("POST",
				app.url("/api/admin/explainability/jobs/" + queued.path("id").asString() + "/cancel"), null,
				app.bearer());
		HttpResponse<String> cancelRunning = Http.send("POST",
				app.url("/api/admin/explainability/jobs/" + running.path("id").asString() + "/cancel"), null,
				app.bearer());
		JsonNode stopped = app.awaitJob(running.path("id").asString(), "cancelled", "done", "failed");

		assertThat(retryRunning.statusCode()).isEqualTo(409);
		assertThat(cancelQueued.statusCode()).isEqualTo(200);
		assertThat(Json.read(cancelQueued.body()).path("state").asString()).isEqualTo("cancelled");
		assertThat(cancelRunning.statusCode()).isEqualTo(200);
		assertThat(stopped.path("state").asString()).isEqualTo("cancelled");
		assertThat(stopped.path("rows_done").asLong()).isLessThan(400);
		assertThat(stopped.path("report_id").isNull()).isTrue();
		assertThat(app.job(queued.path("id").asString()).path("started_at").isNull()).isTrue();
		HttpResponse<String> cancelAgain = Http.send("POST",
				app.url("/api/admin/explainability/jobs/" + running.path("id").asString() + "/cancel"), null,
				app.bearer());
		assertThat(cancelAgain.statusCode()).isEqualTo(409);
		assertThat(Http
			.send("POST", app.url("/api/admin/explainability/jobs/" + UUID.randomUUID() + "/cancel"), null,
					app.bearer())
			.statusCode()).isEqualTo(404);
	}

	@Test
	void aFailedJobSaysWhyAndARetryRunsItAgainAsANewAttempt(ExplainabilityApp app) {
		String dataset = app.uploaded("flaky", "job-flaky",
				ExplainabilityApp.csv(ExplainabilityApp.tabularRows(30, 10)));
		app.worker().failing.put("flaky", true);
		JsonNode failed;
		try {
			failed = app.awaitJob(app.queue("flaky", 1, "{\"dataset_id\":\"" + dataset + "\"}").path("id").asString(),
					"failed", "done");
		}
		finally {
			app.worker().failing.put("flaky", false);
		}

		assertThat(failed.path("state").asString()).isEqualTo("failed");
		assertThat(failed.path("error").asString()).contains("500").contains("the explainer exploded");
		assertThat(failed.path("finished_at").isNull()).isFalse();
		String id = failed.path("id").asString();
		HttpResponse<String> compliance = Http.send("POST", app.url("/api/admin/explainability/jobs/" + id + "/retry"),
				null, app.compliance());
		HttpResponse<String> retried = Http.send("POST", app.url("/api/admin/explainability/jobs/" + id + "/retry"),
				null, app.bearer());
		assertThat(compliance.statusCode()).isEqualTo(403);
		assertThat(retried.statusCode()).isEqualTo(202);
		assertThat(Json.read(retried.body()).path("attempt").asInt()).isEqualTo(2);
		JsonNode done = app.awaitJob(id, "done", "failed");
		assertThat(done.path("state").asString()).isEqualTo("done");
		assertThat(done.path("error").isNull()).isTrue();
		assertThat(done.path("attempt").asInt()).isEqualTo(2);
		assertThat(Http.send("POST", app.url("/api/admin/explainability/jobs/" + id + "/retry"), null, app.bearer())
			.statusCode()).isEqualTo(409);
	}

	@Test
	void aJobWhoseRunnerDiedIsQueuedAgainAfterItsLease(ExplainabilityApp app) {
		String dataset = app.uploaded("lin", "job-lease", ExplainabilityApp.csv(ExplainabilityApp.tabularRows(20, 12)));
		UUID id = UUID.randomUUID();
		app.warden()
			.app()
			.jdbc()
			.sql("INSERT INTO explainability_jobs (id, model, version, dataset_id, parameters, state, created_by, "
					+ "created_at, started_at, runner, claim_token, lease_expires_at) VALUES (:id, 'lin', 1, :dataset, "
					+ "'{\"seed\": 42, \"sample_size\": 1000}', 'running', 'alice', now(), now() - interval '10 minutes', "
					+ "'a-replica-that-died', gen_random_uuid(), now() - interval '1 minute')")
			.param("id", id)
			.param("dataset", UUID.fromString(dataset))
			.update();

		JsonNode job = app.awaitJob(id.toString(), "done", "failed");

		assertThat(job.path("state").asString()).isEqualTo("done");
		assertThat(job.path("attempt").asInt()).isEqualTo(2);
		JsonNode events = Json.read(
				Http.get(app.url("/api/admin/audit-events?target_type=explainability_job&target_id=" + id), app.admin())
					.body());
		assertThat(events.path("content").findValuesAsString("action")).contains("explainability.job_lease_expired");
	}

	@Test
	void aVersionThatBecomesAvailableGetsOneAutomaticJob(ExplainabilityApp app) {
		// a model of its own: no other test queues jobs for auto/2
		String dataset = app.uploaded("lin", "job-auto", ExplainabilityApp.csv(ExplainabilityApp.tabularRows(25, 13)));
		app.worker().listing("lin", 1, 2);
		try {
			ModelCatalogue catalogue = app.warden().app().bean(ModelCatalogue.class);
			catalogue.sync();
			JsonNode job = awaitAutomaticJob(app, "lin", 2);
			catalogue.sync();

			assertThat(job.path("created_by").asString()).isEqualTo("system");
			assertThat(job.path("dataset_id").asString()).isEqualTo(newestDataset(app, "lin"));
			assertThat(app.awaitJob(job.path("id").asString(), "done", "failed").path("state").asString())
				.isEqualTo("done");
			JsonNode jobs = Json
				.read(Http.get(app.url("/api/admin/explainability/jobs?kind=explanation&model=lin&version=2&size=500"),
						app.admin())
					.body());
			assertThat(jobs.path("content").size()).isEqualTo(1);
			assertThat(dataset).isNotBlank();
		}
		finally {
			app.worker().listing("lin", 1);
		}
	}

	@Test
	void theReferenceModelIncomeGetsItsShippedDatasetAndAReportAutomatically(ExplainabilityApp app) {
		JsonNode job = awaitAutomaticJob(app, "income", 1);
		JsonNode done = app.awaitJob(job.path("id").asString(), "done", "failed");

		assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("done");
		JsonNode datasets = Json
			.read(Http.get(app.url("/api/admin/models/income/reference-datasets"), app.admin()).body())
			.path("content");
		assertThat(datasets.size()).isEqualTo(1);
		assertThat(datasets.get(0).path("name").asString()).isEqualTo("adult_validation");
		assertThat(datasets.get(0).path("source").asString()).isEqualTo("shipped");
		assertThat(datasets.get(0).path("created_by").asString()).isEqualTo("system");
		assertThat(datasets.get(0).path("row_count").asLong()).isEqualTo(120);
		JsonNode content = app.report(done.path("report_id").asString()).path("content");
		assertThat(content.path("features").size()).isEqualTo(14);
		assertThat(content.path("features").findValuesAsString("name")).doesNotContain("row_id", "label", "uci_file");
	}

	@Test
	void jobRequestsAreValidated(ExplainabilityApp app) {
		String base = "/api/admin/models/lin/versions/";
		assertThat(post(app, base + "9/explainability-reports", "{}").statusCode()).isEqualTo(404);
		assertThat(post(app, "/api/admin/models/nope/versions/1/explainability-reports", "{}").statusCode())
			.isEqualTo(404);
		assertThat(post(app, base + "1/explainability-reports", "{\"dataset_id\":\"" + UUID.randomUUID() + "\"}")
			.statusCode()).isEqualTo(404);
		assertThat(post(app, base + "1/explainability-reports", "{\"dataset_id\":\"nope\"}").statusCode())
			.isEqualTo(400);
		assertThat(post(app, base + "1/explainability-reports", "{\"sample_size\":0}").statusCode()).isEqualTo(400);
		assertThat(post(app, base + "1/explainability-reports", "{\"seed\":-1}").statusCode()).isEqualTo(400);
		assertThat(post(app, base + "1/explainability-reports", "{\"method\":\"Drop Table\"}").statusCode())
			.isEqualTo(400);
		assertThat(post(app, base + "x/explainability-reports", "{}").statusCode()).isEqualTo(400);
		assertThat(post(app, "/api/admin/models/flaky/versions/1/explainability-reports", "{}").statusCode()).isIn(202,
				409);
		assertThat(Http.get(app.url("/api/admin/explainability/jobs?state=sleeping"), app.admin()).statusCode())
			.isEqualTo(400);
		assertThat(Http.get(app.url("/api/admin/explainability/jobs/" + UUID.randomUUID()), app.admin()).statusCode())
			.isEqualTo(404);
		assertThat(
				Http.get(app.url("/api/admin/explainability/reports/" + UUID.randomUUID()), app.admin()).statusCode())
			.isEqualTo(404);
		HttpResponse<String> compliance = Http.postJson(app.url(base + "1/explainability-reports"), "{}",
				"Authorization", app.compliance()[1]);
		assertThat(compliance.statusCode()).isEqualTo(403);
		JsonNode list = Json
			.read(Http.get(app.url("/api/admin/explainability/jobs?model=lin&state=done&size=2"), app.compliance())
				.body());
		assertThat(list.path("size").asInt()).isEqualTo(2);
		list.path("content").forEach((job) -> assertThat(job.path("state").asString()).isEqualTo("done"));
	}

	/** Texts of spam (free, win, money, now) and ham (meeting, report, ...) words. */
	private static String texts(int rows, long seed) {
		java.util.Random random = new java.util.Random(seed);
		String[] spammy = { "free", "win", "money", "now" };
		String[] hammy = { "meeting", "report", "tomorrow", "thanks" };
		StringBuilder csv = new StringBuilder("text\n");
		for (int i = 0; i < rows; i++) {
			boolean spam = random.nextBoolean();
			String[] words = spam ? spammy : hammy;
			csv.append('"').append(spam ? "You, win" : "Re: the plan");
			for (int w = 0; w < 6; w++) {
				csv.append(' ').append(words[random.nextInt(words.length)]);
			}
			csv.append("\"\n");
		}
		return csv.toString();
	}

	private static HttpResponse<String> post(ExplainabilityApp app, String path, String body) {
		return Http.postJson(app.url(path), body, app.bearer());
	}

	private static JsonNode awaitAutomaticJob(ExplainabilityApp app, String model, long version) {
		for (int i = 0; i < 300; i++) {
			JsonNode jobs = Json
				.read(Http
					.get(app.url("/api/admin/explainability/jobs?model=" + model + "&version=" + version + "&size=500"),
							app.admin())
					.body());
			for (JsonNode job : jobs.path("content")) {
				// the queue also holds the automatic fairness checks of evaluation
				// datasets
				if (job.path("created_by").asString().equals("system")
						&& job.path("kind").asString().equals("explanation")) {
					return job;
				}
			}
			ExplainabilityApp.sleep(100);
		}
		throw new AssertionError("no automatic job for " + model + "/" + version);
	}

	private static String newestDataset(ExplainabilityApp app, String model) {
		return Json.read(Http.get(app.url("/api/admin/models/" + model + "/reference-datasets"), app.admin()).body())
			.path("content")
			.get(0)
			.path("id")
			.asString();
	}

	private static JsonNode curveOf(JsonNode curves, String feature) {
		for (JsonNode curve : curves) {
			if (curve.path("feature").asString().equals(feature)) {
				return curve;
			}
		}
		return null;
	}

}
