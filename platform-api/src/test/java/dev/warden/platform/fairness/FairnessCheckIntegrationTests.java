package dev.warden.platform.fairness;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.explainability.ContentDigest;
import dev.warden.platform.model.ModelCatalogue;

import static dev.warden.platform.fairness.EvaluationDatasetIntegrationTests.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

/**
 * Fairness checks against the real application, the real metric engine and a stand-in
 * worker whose probability of class 1 is the row's {@code score}: per-group counts and a
 * disparity recomputed here from the rows, reproducibility (same inputs, same digest),
 * the job life cycle (cancel, failure with its reason), immutability and the audit event,
 * the automatic check of a new version and of the reference model {@code income}, roles
 * and request validation. Models {@code scored}, {@code slow}, {@code plain},
 * {@code classless} and {@code income}; dataset names start with {@code fc-}.
 */
@ExtendWith(FairnessApp.Extension.class)
class FairnessCheckIntegrationTests {

	private static final String SPEC = "&label=outcome&positive_label=yes&sensitive=sex&sensitive=region"
			+ "&sensitive=age&reference=sex:M&bands=age:30,50";

	private static final String[] COLUMNS = { "age", "score", "outcome", "region", "sex" };

	@Test
	void aCheckCountsEveryGroupAsTheRowsSay(FairnessApp app) {
		List<Map<String, String>> rows = FairnessApp.rows(200, 11);
		String csv = FairnessApp.csv(rows, COLUMNS);
		String dataset = app.uploaded("scored", "fc-counts", SPEC, csv).path("id").asString();
		int before = app.worker().predictRequests.size();

		JsonNode queued = app.check("scored", 1,
				"{\"dataset_id\":\"" + dataset + "\",\"threshold\":0.6,\"resamples\":200,\"batch_size\":64}");
		assertThat(queued.path("kind").asString()).isEqualTo("fairness");
		assertThat(queued.path("state").asString()).isEqualTo("queued");
		assertThat(queued.path("created_by").asString()).isEqualTo("alice");
		JsonNode job = app.awaitDone(queued.path("id").asString());

		assertThat(job.path("rows_done").asLong()).isEqualTo(200);
		assertThat(job.path("rows_total").asLong()).isEqualTo(200);
		assertThat(job.path("report_id").isNull()).isTrue();
		JsonNode report = app.report(job.path("fairness_report_id").asString());
		assertThat(report.path("model").asString()).isEqualTo("scored");
		assertThat(report.path("version").asString()).isEqualTo("1");
		assertThat(report.path("dataset_id").asString()).isEqualTo(dataset);
		assertThat(report.path("dataset_sha256").asString()).isEqualTo(sha256(csv));
		assertThat(report.path("model_sha256").asString()).isEqualTo(ScoreWorker.MODEL_SHA256);
		assertThat(report.path("threshold").asDouble()).isEqualTo(0.6);
		assertThat(report.path("seed").asLong()).isEqualTo(42);
		assertThat(report.path("job_id").asString()).isEqualTo(job.path("id").asString());
		assertThat(report.path("parameters").path("batch_size").asInt()).isEqualTo(64);
		JsonNode content = report.path("content");
		assertThat(content.path("model").asString()).isEqualTo("scored");
		assertThat(content.path("version").asLong()).isEqualTo(1);
		assertThat(content.path("model_sha256").asString()).isEqualTo(ScoreWorker.MODEL_SHA256);
		assertThat(content.path("dataset").path("id").asString()).isEqualTo(dataset);
		assertThat(content.path("dataset").path("name").asString()).isEqualTo("fc-counts");
		assertThat(content.path("dataset").path("sha256").asString()).isEqualTo(sha256(csv));
		assertThat(content.path("dataset").path("rows").asLong()).isEqualTo(200);
		assertThat(content.path("label").asString()).isEqualTo("outcome");
		assertThat(content.path("positive_label").asString()).isEqualTo("yes");
		assertThat(content.path("positive_class").asInt()).isEqualTo(1);
		assertThat(content.path("threshold").asDouble()).isEqualTo(0.6);
		assertThat(content.path("software_version").asString()).isNotBlank();
		assertThat(content.path("settings").path("seed").asLong()).isEqualTo(42);
		assertThat(content.path("settings").path("resamples").asInt()).isEqualTo(200);

		Function<Map<String, String>, boolean[]> outcome = (
				row) -> new boolean[] { row.get("outcome").equals("yes"), Double.parseDouble(row.get("score")) >= 0.6 };
		assertCounts(content.path("overall"), counts(rows, (row) -> "all", outcome).get("all"));
		assertThat(content.path("attributes").findValuesAsString("name")).containsExactly("sex", "region", "age",
				"sex × region", "sex × age", "region × age");
		Map<String, Function<Map<String, String>, String>> groupOf = new LinkedHashMap<>();
		groupOf.put("sex", (row) -> row.get("sex"));
		groupOf.put("region", (row) -> row.get("region"));
		groupOf.put("age", FairnessCheckIntegrationTests::ageBand);
		groupOf.put("sex × region", (row) -> row.get("sex") + " × " + row.get("region"));
		groupOf.put("sex × age", (row) -> row.get("sex") + " × " + ageBand(row));
		groupOf.put("region × age", (row) -> row.get("region") + " × " + ageBand(row));
		for (JsonNode attribute : content.path("attributes")) {
			Map<String, long[]> expected = counts(rows, groupOf.get(attribute.path("name").asString()), outcome);
			List<String> groups = new ArrayList<>();
			for (JsonNode group : attribute.path("groups")) {
				groups.add(group.path("group").asString());
				assertCounts(group, expected.get(group.path("group").asString()));
			}
			assertThat(groups).as(attribute.path("name").asString())
				.containsExactlyInAnyOrderElementsOf(expected.keySet());
		}
		JsonNode sex = content.path("attributes").get(0);
		assertThat(sex.path("reference").asString()).isEqualTo("M");
		assertThat(sex.path("reference_source").asString()).isEqualTo("declared");
		assertThat(content.path("attributes").get(1).path("reference_source").asString()).isEqualTo("largest_group");
		// a disparity by hand: the selection rate of F minus that of M
		Map<String, long[]> bySex = counts(rows, (row) -> row.get("sex"), outcome);
		double spd = selectionRate(bySex.get("F")) - selectionRate(bySex.get("M"));
		JsonNode female = sex.path("against_reference").get(0);
		assertThat(female.path("group").asString()).isEqualTo("F");
		assertThat(female.path("statistical_parity_difference").path("value").asDouble()).isCloseTo(spd, within(1e-12));

		// the worker got the model's columns only, in batches of 64 across chunks of 50
		List<Integer> sizes = new ArrayList<>();
		List<ScoreWorker.Call> requests = app.worker().predictRequests;
		for (ScoreWorker.Call call : requests.subList(before, requests.size())) {
			if (call.model().equals("scored")) {
				sizes.add(call.body().path("instances").size());
				call.body()
					.path("instances")
					.forEach((instance) -> assertThat(instance.propertyNames()).containsExactlyInAnyOrder("region",
							"score"));
			}
		}
		assertThat(sizes).containsExactly(64, 64, 64, 8);
	}

	@Test
	void theSameInputsReproduceTheContentAndItsDigest(FairnessApp app) {
		String dataset = app.uploaded("scored", "fc-repro", SPEC, FairnessApp.csv(FairnessApp.rows(160, 12), COLUMNS))
			.path("id")
			.asString();
		String body = "{\"dataset_id\":\"" + dataset + "\",\"resamples\":300,\"seed\":7}";

		JsonNode first = app.awaitDone(app.check("scored", 1, body).path("id").asString());
		JsonNode second = app.awaitDone(app.check("scored", 1, body).path("id").asString());
		JsonNode other = app
			.awaitDone(app.check("scored", 1, body.replace("\"seed\":7", "\"seed\":8")).path("id").asString());

		JsonNode a = app.report(first.path("fairness_report_id").asString());
		JsonNode b = app.report(second.path("fairness_report_id").asString());
		JsonNode c = app.report(other.path("fairness_report_id").asString());
		assertThat(a.path("id").asString()).isNotEqualTo(b.path("id").asString());
		assertThat(b.path("content_sha256").asString()).isEqualTo(a.path("content_sha256").asString());
		assertThat(ContentDigest.canonical(b.path("content"))).isEqualTo(ContentDigest.canonical(a.path("content")));
		// anyone can recompute the digest from the JSON the API answers
		assertThat(ContentDigest.sha256(a.path("content"))).isEqualTo(a.path("content_sha256").asString());
		assertThat(c.path("content_sha256").asString()).isNotEqualTo(a.path("content_sha256").asString());
		JsonNode interval = a.path("content").path("attributes").get(0).path("against_reference").get(0);
		JsonNode otherInterval = c.path("content").path("attributes").get(0).path("against_reference").get(0);
		assertThat(otherInterval.path("statistical_parity_difference").path("value"))
			.isEqualTo(interval.path("statistical_parity_difference").path("value"));
		assertThat(otherInterval.path("statistical_parity_difference").toString())
			.isNotEqualTo(interval.path("statistical_parity_difference").toString());
	}

	@Test
	void thePositiveClassAndTheThresholdDecideWhatIsPredictedPositive(FairnessApp app) {
		List<Map<String, String>> rows = FairnessApp.rows(90, 13);
		String dataset = app.uploaded("scored", "fc-class", SPEC, FairnessApp.csv(rows, COLUMNS)).path("id").asString();

		JsonNode job = app.awaitDone(app
			.check("scored", 1,
					"{\"dataset_id\":\"" + dataset + "\",\"positive_class\":0,\"threshold\":0.75,\"resamples\":0,"
							+ "\"min_group_size\":1,\"min_positives\":1}")
			.path("id")
			.asString());

		JsonNode content = app.report(job.path("fairness_report_id").asString()).path("content");
		assertThat(content.path("positive_class").asInt()).isZero();
		long[] expected = counts(rows, (row) -> "all", (row) -> new boolean[] { row.get("outcome").equals("yes"),
				1 - Double.parseDouble(row.get("score")) >= 0.75 })
			.get("all");
		assertCounts(content.path("overall"), expected);
		// without resamples, no bootstrap interval
		JsonNode spd = content.path("attributes")
			.get(0)
			.path("against_reference")
			.get(0)
			.path("statistical_parity_difference");
		assertThat(spd.has("ci_low")).isFalse();
	}

	@Test
	void reportsAreImmutableAuditedListedAndReadableByComplianceAlsoAsPdf(FairnessApp app) throws Exception {
		String dataset = app
			.uploaded("scored", "fc-immutable", SPEC, FairnessApp.csv(FairnessApp.rows(80, 14), COLUMNS))
			.path("id")
			.asString();
		JsonNode job = app.awaitDone(
				app.check("scored", 1, "{\"dataset_id\":\"" + dataset + "\",\"resamples\":50}").path("id").asString());
		String id = job.path("fairness_report_id").asString();
		JsonNode report = app.report(id);

		Throwable update = catchThrowable(() -> app.warden()
			.app()
			.jdbc()
			.sql("UPDATE fairness_reports SET content_sha256 = 'x' WHERE id = :id")
			.param("id", UUID.fromString(id))
			.update());
		Throwable delete = catchThrowable(() -> app.warden()
			.app()
			.jdbc()
			.sql("DELETE FROM fairness_reports WHERE id = :id")
			.param("id", UUID.fromString(id))
			.update());

		assertThat(update).rootCause().hasMessageContaining("fairness_reports rows are immutable (UPDATE refused)");
		assertThat(delete).rootCause().hasMessageContaining("fairness_reports rows are immutable (DELETE refused)");
		JsonNode event = app.get("/api/admin/audit-events?target_type=fairness_report&target_id=" + id)
			.path("content")
			.get(0);
		assertThat(event.path("action").asString()).isEqualTo("fairness.report_created");
		assertThat(event.path("actor").asString()).isEqualTo("system");
		assertThat(event.path("details").path("content_sha256").asString())
			.isEqualTo(report.path("content_sha256").asString());
		assertThat(event.path("details").path("model").asString()).isEqualTo("scored");
		assertThat(event.path("details").path("version").asLong()).isEqualTo(1);
		assertThat(event.path("details").path("dataset_id").asString()).isEqualTo(dataset);
		assertThat(event.path("details").path("job_id").asString()).isEqualTo(job.path("id").asString());

		HttpResponse<String> list = Http.get(app.url("/api/admin/models/scored/versions/1/fairness-reports?size=500"),
				app.compliance());
		HttpResponse<String> one = Http.get(app.url("/api/admin/fairness/reports/" + id), app.compliance());
		HttpResponse<String> checks = Http.get(app.url("/api/admin/models/scored/versions/1/fairness-checks?size=500"),
				app.compliance());
		assertThat(list.statusCode()).isEqualTo(200);
		JsonNode first = Json.read(list.body()).path("content").get(0);
		assertThat(first.path("id").asString()).isEqualTo(id);
		assertThat(first.path("content").isNull()).isTrue();
		assertThat(one.statusCode()).isEqualTo(200);
		assertThat(Json.read(one.body()).path("content_sha256").asString())
			.isEqualTo(report.path("content_sha256").asString());
		assertThat(checks.statusCode()).isEqualTo(200);
		assertThat(Json.read(checks.body()).path("content").findValuesAsString("kind")).containsOnly("fairness");
		assertThat(Json.read(checks.body()).path("content").findValuesAsString("id"))
			.contains(job.path("id").asString());
		assertThat(Http.get(app.url("/api/admin/fairness/reports/" + UUID.randomUUID()), app.admin()).statusCode())
			.isEqualTo(404);

		HttpResponse<byte[]> pdf = java.net.http.HttpClient.newHttpClient()
			.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI.create(app.url("/api/admin/fairness/reports/" + id + "/pdf")))
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
		assertThat(text.toString()).contains("Fairness report: scored version 1")
			.contains(report.path("content_sha256").asString())
			.contains(ScoreWorker.MODEL_SHA256)
			.contains("fc-immutable")
			.contains("Thresholds")
			.contains("four_fifths")
			.contains("30 to <50");
		assertThat(Http.get(app.url("/api/admin/fairness/reports/" + UUID.randomUUID() + "/pdf"), app.admin())
			.statusCode()).isEqualTo(404);
		assertThat(Http.get(app.url("/api/admin/models/scored/versions/9/fairness-reports"), app.admin()).statusCode())
			.isEqualTo(404);
	}

	@Test
	void aQueuedCheckIsCancelledAtOnceAndARunningOneAtItsNextBatch(FairnessApp app) {
		String dataset = app.uploaded("slow", "fc-cancel", SPEC, FairnessApp.csv(FairnessApp.rows(300, 15), COLUMNS))
			.path("id")
			.asString();
		JsonNode running = app.check("slow", 1, "{\"dataset_id\":\"" + dataset + "\",\"batch_size\":5}");
		JsonNode queued = app.check("slow", 1, "{\"dataset_id\":\"" + dataset + "\",\"batch_size\":5,\"seed\":1}");
		app.awaitJob(running.path("id").asString(), "running");

		HttpResponse<String> cancelQueued = app
			.post("/api/admin/explainability/jobs/" + queued.path("id").asString() + "/cancel", null);
		HttpResponse<String> compliance = Http.send("POST",
				app.url("/api/admin/explainability/jobs/" + running.path("id").asString() + "/cancel"), null,
				app.compliance());
		HttpResponse<String> cancelRunning = app
			.post("/api/admin/explainability/jobs/" + running.path("id").asString() + "/cancel", null);
		JsonNode stopped = app.awaitJob(running.path("id").asString(), "cancelled", "done", "failed");

		assertThat(cancelQueued.statusCode()).isEqualTo(200);
		assertThat(Json.read(cancelQueued.body()).path("state").asString()).isEqualTo("cancelled");
		assertThat(compliance.statusCode()).isEqualTo(403);
		assertThat(cancelRunning.statusCode()).isEqualTo(200);
		assertThat(stopped.path("state").asString()).isEqualTo("cancelled");
		assertThat(stopped.path("rows_done").asLong()).isLessThan(300);
		assertThat(stopped.path("fairness_report_id").isNull()).isTrue();
		assertThat(app.get("/api/admin/models/slow/versions/1/fairness-reports").path("content").size()).isZero();
		HttpResponse<String> retried = app
			.post("/api/admin/explainability/jobs/" + queued.path("id").asString() + "/retry", null);
		assertThat(retried.statusCode()).isEqualTo(202);
		assertThat(Json.read(retried.body()).path("attempt").asInt()).isEqualTo(2);
		app.post("/api/admin/explainability/jobs/" + queued.path("id").asString() + "/cancel", null);
	}

	@Test
	void aCheckFailsWithTheReasonWhenTheModelGivesNoProbabilitiesOrAColumnHasTooManyGroups(FairnessApp app) {
		String classless = app
			.uploaded("classless", "fc-classless", SPEC, FairnessApp.csv(FairnessApp.rows(40, 16), COLUMNS))
			.path("id")
			.asString();
		String scores = app
			.uploaded("scored", "fc-groups", "&label=outcome&positive_label=yes&sensitive=score",
					FairnessApp.csv(FairnessApp.rows(300, 17), "score", "region", "outcome"))
			.path("id")
			.asString();

		JsonNode noProbabilities = app.awaitJob(
				app.check("classless", 1, "{\"dataset_id\":\"" + classless + "\"}").path("id").asString(), "failed",
				"done");
		JsonNode tooManyGroups = app.awaitJob(
				app.check("scored", 1, "{\"dataset_id\":\"" + scores + "\"}").path("id").asString(), "failed", "done");

		assertThat(noProbabilities.path("state").asString()).isEqualTo("failed");
		assertThat(noProbabilities.path("error").asString()).contains("has no probability of class 1");
		assertThat(tooManyGroups.path("state").asString()).isEqualTo("failed");
		assertThat(tooManyGroups.path("error").asString()).contains("sensitive attribute 'score' has more than 50");
	}

	@Test
	void checkRequestsAreValidated(FairnessApp app) {
		String plain = app
			.uploaded("scored", "fc-no-spec", "", FairnessApp.csv(FairnessApp.rows(10, 18), "score", "region"))
			.path("id")
			.asString();
		app.uploaded("scored", "fc-valid", SPEC, FairnessApp.csv(FairnessApp.rows(10, 19), COLUMNS));
		String path = "/api/admin/models/scored/versions/1/fairness-checks";

		assertError(app.post("/api/admin/models/scored/versions/9/fairness-checks", "{}"), 404, "not_found",
				"version 9 of model scored");
		assertError(app.post("/api/admin/models/nope/versions/1/fairness-checks", "{}"), 404, "not_found", "nope");
		assertError(app.post(path, "{\"dataset_id\":\"" + UUID.randomUUID() + "\"}"), 404, "not_found",
				"reference dataset");
		assertError(app.post(path, "{\"dataset_id\":\"nope\"}"), 400, "validation_failed", "dataset_id");
		assertError(app.post(path, "{\"dataset_id\":\"" + plain + "\"}"), 409, "no_evaluation_spec", "fc-no-spec");
		assertError(app.post("/api/admin/models/plain/versions/1/fairness-checks", "{}"), 409, "no_evaluation_dataset",
				"model plain has no evaluation dataset");
		Map<String, String> outOfRange = new TreeMap<>();
		outOfRange.put("{\"threshold\":1.5}", "threshold");
		outOfRange.put("{\"threshold\":-0.1}", "threshold");
		outOfRange.put("{\"positive_class\":-1}", "positive_class");
		outOfRange.put("{\"seed\":-1}", "seed");
		outOfRange.put("{\"resamples\":10001}", "resamples");
		outOfRange.put("{\"resamples\":-1}", "resamples");
		outOfRange.put("{\"confidence_level\":1}", "confidence_level");
		outOfRange.put("{\"confidence_level\":0}", "confidence_level");
		outOfRange.put("{\"min_group_size\":0}", "min_group_size");
		outOfRange.put("{\"min_positives\":-1}", "min_positives");
		outOfRange.put("{\"max_intersection_order\":0}", "max_intersection_order");
		outOfRange.put("{\"max_intersection_order\":5}", "max_intersection_order");
		outOfRange.put("{\"batch_size\":0}", "batch_size");
		outOfRange.put("{\"batch_size\":10001}", "batch_size");
		outOfRange.forEach((body, field) -> assertError(app.post(path, body), 400, "validation_failed", field + ":"));
		HttpResponse<String> notANumber = app.post(path, "{\"threshold\":\"high\"}");
		assertThat(notANumber.statusCode()).isEqualTo(400);
		assertThat(Json.read(notANumber.body()).path("error").path("message").asString()).contains("threshold");
		HttpResponse<String> compliance = Http.postJson(app.url(path), "{}",
				FairnessApp.withoutContentType(app.compliance()));
		assertThat(compliance.statusCode()).isEqualTo(403);
		assertThat(Http.get(app.url("/api/admin/models/scored/versions/9/fairness-checks"), app.admin()).statusCode())
			.isEqualTo(404);
		assertThat(Http.get(app.url("/api/admin/explainability/jobs?kind=sorting"), app.admin()).statusCode())
			.isEqualTo(400);
		// the defaults: the newest evaluation dataset and warden.fairness.*
		JsonNode job = app.check("scored", 1, "");
		assertThat(job.path("parameters")).isEqualTo(Json.read("{\"threshold\":0.5,\"positive_class\":1,"
				+ "\"seed\":42,\"resamples\":1000,\"confidence_level\":0.95,\"min_group_size\":30,"
				+ "\"min_positives\":10,\"max_intersection_order\":2,\"batch_size\":256}"));
		app.awaitJob(job.path("id").asString(), "done", "failed");
		JsonNode jobs = app.get("/api/admin/explainability/jobs?kind=fairness&model=scored&size=500");
		assertThat(jobs.path("content").findValuesAsString("kind")).containsOnly("fairness");
		assertThat(jobs.path("content").findValuesAsString("id")).contains(job.path("id").asString());
	}

	@Test
	void aNewVersionAndTheReferenceModelIncomeGetOneAutomaticCheck(FairnessApp app) {
		JsonNode income = awaitAutomaticCheck(app, "income", 1);
		JsonNode done = app.awaitDone(income.path("id").asString());
		JsonNode content = app.report(done.path("fairness_report_id").asString()).path("content");
		assertThat(content.path("dataset").path("name").asString()).isEqualTo("adult_validation");
		assertThat(content.path("dataset").path("rows").asLong()).isEqualTo(FairnessApp.ADULT_ROWS);
		assertThat(content.path("label").asString()).isEqualTo("label");
		assertThat(content.path("attributes").findValuesAsString("name")).containsExactly("sex", "race", "age",
				"sex × race", "sex × age", "race × age");
		JsonNode age = content.path("attributes").get(2);
		assertThat(age.path("reference").asString()).isEqualTo("25 to <60");
		assertThat(age.path("reference_source").asString()).isEqualTo("declared");
		assertThat(age.path("groups").findValuesAsString("group")).containsExactly("<25", "25 to <60", ">=60");

		String dataset = app.uploaded("scored", "fc-auto", SPEC, FairnessApp.csv(FairnessApp.rows(60, 20), COLUMNS))
			.path("id")
			.asString();
		app.worker().listing("scored", 1, 2);
		try {
			ModelCatalogue catalogue = app.warden().app().bean(ModelCatalogue.class);
			catalogue.sync();
			JsonNode job = awaitAutomaticCheck(app, "scored", 2);
			catalogue.sync();

			assertThat(job.path("dataset_id").asString()).isEqualTo(dataset);
			assertThat(job.path("parameters").path("resamples").asInt()).isEqualTo(1000);
			app.awaitDone(job.path("id").asString());
			assertThat(app.get("/api/admin/models/scored/versions/2/fairness-checks?size=500").path("content").size())
				.isEqualTo(1);
			assertThat(app.get("/api/admin/models/income/versions/1/fairness-checks?size=500").path("content").size())
				.isEqualTo(1);
		}
		finally {
			app.worker().listing("scored", 1);
		}
	}

	private static JsonNode awaitAutomaticCheck(FairnessApp app, String model, long version) {
		for (int i = 0; i < 300; i++) {
			for (JsonNode job : app.get("/api/admin/models/" + model + "/versions/" + version + "/fairness-checks")
				.path("content")) {
				if (job.path("created_by").asString().equals("system")) {
					return job;
				}
			}
			FairnessApp.sleep(100);
		}
		throw new AssertionError("no automatic fairness check of " + model + "/" + version);
	}

	private static String ageBand(Map<String, String> row) {
		int age = Integer.parseInt(row.get("age"));
		return (age < 30) ? "<30" : (age < 50) ? "30 to <50" : ">=50";
	}

	/** tp, fp, tn, fn per group, from (actual, predicted) of each row. */
	private static Map<String, long[]> counts(List<Map<String, String>> rows,
			Function<Map<String, String>, String> group, Function<Map<String, String>, boolean[]> outcome) {
		Map<String, long[]> counts = new TreeMap<>();
		for (Map<String, String> row : rows) {
			boolean[] o = outcome.apply(row);
			long[] c = counts.computeIfAbsent(group.apply(row), (key) -> new long[4]);
			c[o[0] ? (o[1] ? 0 : 3) : (o[1] ? 1 : 2)]++;
		}
		return counts;
	}

	private static double selectionRate(long[] c) {
		return (double) (c[0] + c[1]) / (c[0] + c[1] + c[2] + c[3]);
	}

	private static void assertCounts(JsonNode node, long[] c) {
		assertThat(c).as(node.toString()).isNotNull();
		assertThat(node.path("n").asLong()).as(node.toString()).isEqualTo(c[0] + c[1] + c[2] + c[3]);
		assertThat(node.path("positives").asLong()).isEqualTo(c[0] + c[3]);
		assertThat(node.path("predicted_positives").asLong()).isEqualTo(c[0] + c[1]);
		assertThat(node.path("confusion").path("tp").asLong()).isEqualTo(c[0]);
		assertThat(node.path("confusion").path("fp").asLong()).isEqualTo(c[1]);
		assertThat(node.path("confusion").path("tn").asLong()).isEqualTo(c[2]);
		assertThat(node.path("confusion").path("fn").asLong()).isEqualTo(c[3]);
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
