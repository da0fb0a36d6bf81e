package dev.warden.platform.modelcard;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.modelcard.internal.CardDigest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Model cards against the real application: versions come from a stand-in worker's
 * listing through the catalogue's sync; fairness and explainability reports are rows
 * inserted as their modules store them (content following the fairness report contract
 * and docs/explainability.md), since the fairness check is built elsewhere; governance
 * sections come from the contributors of {@link TestContributors}. Covered: revisions,
 * their audit events and immutability, stale edits, refused edits naming the field,
 * roles, carry-over and shipped cards, completeness, the quantitative analysis traced
 * back to its reports, governance with overrides, the JSON export (Model Card Toolkit
 * field names, Annex IV) and the PDF, and concurrent first reads.
 */
class ModelCardIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	/** Model → versions the stand-in worker lists as AVAILABLE. */
	private static final Map<String, SortedSet<Long>> LISTING = new ConcurrentHashMap<>();

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	@BeforeAll
	static void start() throws Exception {
		for (String model : List.of("mc-edit", "mc-bad", "mc-roles", "mc-carry", "mc-partial", "mc-quant", "mc-gov",
				"mc-export", "mc-race", "mc-fresh", "income", "spam")) {
			LISTING.put(model, new TreeSet<>(List.of(1L)));
		}
		HttpServer worker = FakeWorker.start((exchange) -> {
			FakeWorker.readBody(exchange);
			if (exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals("/v1/models")) {
				FakeWorker.answer(exchange, 200, listing());
			}
			else {
				FakeWorker.answer(exchange, 404, "{\"error\":\"not here\"}");
			}
		}, 4);
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("spring.main.sources", TestContributors.class.getName());
		settings.put("warden.explainability.reference-data.register-shipped", "false");
		settings.put("warden.explainability.jobs.auto-queue", "false");
		warden = WardenFixture.start(dataDir, worker, settings);
		warden.app().bean(ModelCatalogue.class).sync();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	// ---- revisions ----

	@Test
	void anEditIsANewAuditedRevisionAndEarlierRevisionsStayAsTheyWere() {
		JsonNode first = card("mc-edit", 1);
		assertThat(first.path("revision").asInt()).isEqualTo(1);
		assertThat(first.path("revision_created_by").asString()).isEqualTo("system");
		assertThat(first.path("revision_comment").asString()).startsWith("empty");
		assertThat(first.path("model_details").path("name").asString()).isEqualTo("mc-edit");
		assertThat(first.path("model_details").path("version").path("name").asString()).isEqualTo("1");

		String body = edit(1, "first description",
				"""
						"model_details": {"overview": "Scores things.", "owners": [{"name": "Team A", "contact": "a@example.com"}],
						                  "version": {"diff": "first version"}},
						"considerations": {"limitations": [{"description": "Only for tests."}]}""");
		HttpResponse<String> edited = put("mc-edit", 1, body, warden.admin());
		assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
		JsonNode second = Json.read(edited.body());
		assertThat(second.path("revision").asInt()).isEqualTo(2);
		assertThat(second.path("revision_created_by").asString()).isEqualTo("alice");
		assertThat(second.path("revision_comment").asString()).isEqualTo("first description");
		assertThat(second.path("model_details").path("overview").asString()).isEqualTo("Scores things.");
		assertThat(second.path("model_details").path("version").path("diff").asString()).isEqualTo("first version");
		assertThat(card("mc-edit", 1).path("revision").asInt()).isEqualTo(2);

		// the earlier revision is unchanged, and each digest can be recomputed
		JsonNode one = revision("mc-edit", 1, 1);
		JsonNode two = revision("mc-edit", 1, 2);
		assertThat(one.path("content").path("model_details").isEmpty()).isTrue();
		assertThat(one.path("content").path("considerations").isEmpty()).isTrue();
		assertThat(two.path("content").path("model_details").path("owners").get(0).path("name").asString())
			.isEqualTo("Team A");
		assertThat(CardDigest.sha256(one.path("content"))).isEqualTo(one.path("content_sha256").asString());
		assertThat(CardDigest.sha256(two.path("content"))).isEqualTo(two.path("content_sha256").asString())
			.isEqualTo(second.path("content_sha256").asString());
		JsonNode list = get("/api/admin/models/mc-edit/versions/1/model-card/revisions", warden.admin());
		assertThat(list.path("content").findValuesAsString("created_by")).containsExactly("alice", "system");
		assertThat(list.path("content").get(0).path("revision").asInt()).isEqualTo(2);
		assertThat(list.path("content").get(0).path("content").isNull()).isTrue();

		// audited: the creation by system, the edit by alice with revision and digest
		List<AuditTrail.AuditEvent> events = warden.app().bean(AuditTrail.class).recent(10, "model_card", "mc-edit/1");
		assertThat(events).extracting(AuditTrail.AuditEvent::action)
			.containsExactly("model_card.edited", "model_card.created");
		AuditTrail.AuditEvent audited = events.get(0);
		assertThat(audited.actor()).isEqualTo("alice");
		assertThat(audited.details().get("revision")).isEqualTo(2);
		assertThat(audited.details().get("based_on")).isEqualTo(1);
		assertThat(audited.details().get("content_sha256")).isEqualTo(two.path("content_sha256").asString());
		assertThat(audited.details().get("comment")).isEqualTo("first description");
		assertThat(events.get(1).actor()).isEqualTo("system");

		// the table refuses changes
		assertThatThrownBy(() -> warden.app()
			.jdbc()
			.sql("UPDATE model_card_revisions SET comment = 'rewritten' WHERE model = 'mc-edit'")
			.update()).isInstanceOf(DataAccessException.class)
			.rootCause()
			.hasMessageContaining("model_card_revisions rows are immutable (UPDATE refused)");
		assertThatThrownBy(
				() -> warden.app().jdbc().sql("DELETE FROM model_card_revisions WHERE model = 'mc-edit'").update())
			.isInstanceOf(DataAccessException.class)
			.rootCause()
			.hasMessageContaining("model_card_revisions rows are immutable (DELETE refused)");

		// an edit based on an old revision is refused, and changes nothing
		HttpResponse<String> stale = put("mc-edit", 1,
				edit(1, "late", "\"model_details\": {\"overview\": \"Something else.\"}"), warden.admin());
		assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
		assertThat(Json.read(stale.body()).path("error").path("code").asString()).isEqualTo("stale_revision");
		assertThat(Json.read(stale.body()).path("error").path("message").asString()).contains("revision 2");
		assertThat(card("mc-edit", 1).path("model_details").path("overview").asString()).isEqualTo("Scores things.");

		HttpResponse<String> third = put("mc-edit", 1,
				edit(2, "second", "\"model_details\": {\"overview\": \"Scores things well.\"}"), warden.admin());
		assertThat(third.statusCode()).as(third.body()).isEqualTo(200);
		assertThat(Json.read(third.body()).path("revision").asInt()).isEqualTo(3);
		// a section left out of the edit is written empty
		assertThat(Json.read(third.body()).path("considerations").isEmpty()).isTrue();
	}

	@Test
	void badEditsAreRefusedNamingTheField() {
		card("mc-bad", 1);
		Map<String, String> cases = new LinkedHashMap<>();
		cases.put(edit(1, "c", "\"model_details\": {\"overview\": 5}"), "model_details.overview must be a string");
		cases.put(edit(1, "c", "\"model_detail\": {}"), "unknown field 'model_detail'");
		cases.put(edit(1, "c", "\"considerations\": {\"limitations\": [{\"description\": \"x\", \"severity\": 3}]}"),
				"unknown field considerations.limitations[0].severity");
		cases.put(edit(1, "c", "\"model_details\": {\"overview\": \"" + "x".repeat(10_001) + "\"}"),
				"model_details.overview must be at most 10000 characters");
		cases.put(edit(1, "c", "\"model_details\": {\"name\": \"other\"}"),
				"model_details.name is filled in by the platform");
		cases.put(edit(1, "c", "\"model_details\": {\"version\": {\"date\": \"2020-01-01\"}}"),
				"model_details.version.date is filled in by the platform");
		cases.put(edit(1, "c", "\"quantitative_analysis\": {\"performance_metrics\": []}"),
				"quantitative_analysis is filled in from the version's fairness and explainability reports");
		cases.put(
				edit(1, "c", "\"model_details\": {\"licenses\": [{\"identifier\": \"MIT\", \"custom_text\": \"x\"}]}"),
				"model_details.licenses[0] must have exactly one of identifier, custom_text");
		cases.put(edit(1, "c", "\"model_parameters\": {\"data\": [{\"name\": \"d\", \"link\": \"ftp://x/y\"}]}"),
				"model_parameters.data[0].link must be an absolute http or https URL");
		cases.put(edit(1, "c", "\"model_details\": {\"owners\": [{\"name\": \"a\\u0007b\"}]}"),
				"model_details.owners[0].name must not contain control characters");
		cases.put(edit(1, "c", "\"considerations\": []"), "considerations must be an object, not an array");
		cases.put(edit(1, "c", "\"model_parameters\": {\"data\": [null]}"),
				"model_parameters.data[0] must be an object, not null");
		cases.put("{\"comment\": \"c\"}", "revision is required");
		cases.put("{\"revision\": \"1\", \"comment\": \"c\"}", "revision must be a whole number");
		cases.put("{\"revision\": 1}", "comment is required");
		cases.put("[]", "the body must be a JSON object");
		for (Map.Entry<String, String> bad : cases.entrySet()) {
			HttpResponse<String> refused = put("mc-bad", 1, bad.getKey(), warden.admin());
			assertThat(refused.statusCode()).as(bad.getValue() + ": " + refused.body()).isEqualTo(400);
			JsonNode error = Json.read(refused.body()).path("error");
			assertThat(error.path("code").asString()).as(refused.body()).isEqualTo("invalid_model_card");
			assertThat(error.path("message").asString()).contains(bad.getValue());
		}
		HttpResponse<String> malformed = put("mc-bad", 1, "{\"revision\": 1,", warden.admin());
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(card("mc-bad", 1).path("revision").asInt()).isEqualTo(1);
		assertThat(warden.app().bean(AuditTrail.class).recent(10, "model_card", "mc-bad/1"))
			.extracting(AuditTrail.AuditEvent::action)
			.containsExactly("model_card.created");
	}

	@Test
	void complianceReadsTheCardButOnlyAnAdministratorEditsIt() {
		String[] carol = warden.as("carol", "COMPLIANCE");
		assertThat(Http.get(url("/api/admin/models/mc-roles/versions/1/model-card"), carol).statusCode())
			.isEqualTo(200);
		assertThat(Http.get(url("/api/admin/models/mc-roles/versions/1/model-card/revisions"), carol).statusCode())
			.isEqualTo(200);
		assertThat(Http.get(url("/api/admin/models/mc-roles/versions/1/model-card/revisions/1"), carol).statusCode())
			.isEqualTo(200);
		assertThat(Http.get(url("/api/admin/models/mc-roles/versions/1/model-card/export?format=json"), carol)
			.statusCode()).isEqualTo(200);
		HttpResponse<String> refused = put("mc-roles", 1, edit(1, "c", "\"model_details\": {\"overview\": \"x\"}"),
				carol);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(Json.read(refused.body()).path("error").path("code").asString()).isEqualTo("forbidden");
		assertThat(Http
			.send("PUT", url("/api/admin/models/mc-roles/versions/1/model-card"), edit(1, "c", "\"model_details\": {}"),
					"Content-Type", "application/json")
			.statusCode()).isEqualTo(401);
		assertThat(card("mc-roles", 1).path("revision").asInt()).isEqualTo(1);

		assertThat(Http.get(url("/api/admin/models/no-such-model/versions/1/model-card"), carol).statusCode())
			.isEqualTo(404);
		assertThat(Http.get(url("/api/admin/models/mc-roles/versions/9/model-card"), carol).statusCode())
			.isEqualTo(404);
		assertThat(put("mc-roles", 9, edit(1, "c", "\"model_details\": {}"), warden.admin()).statusCode())
			.isEqualTo(404);
		assertThat(Http.get(url("/api/admin/models/mc-roles/versions/1/model-card/revisions/7"), carol).statusCode())
			.isEqualTo(404);
		HttpResponse<String> format = Http
			.get(url("/api/admin/models/mc-roles/versions/1/model-card/export?format=xml"), carol);
		assertThat(format.statusCode()).isEqualTo(400);
		assertThat(Json.read(format.body()).path("error").path("code").asString()).isEqualTo("invalid_parameter");

		JsonNode docs = Json.read(Http.get(url("/v3/api-docs")).body()).path("paths");
		assertThat(docs.has("/api/admin/models/{model}/versions/{version}/model-card")).isTrue();
		assertThat(docs.path("/api/admin/models/{model}/versions/{version}/model-card").has("put")).isTrue();
		assertThat(docs.has("/api/admin/models/{model}/versions/{version}/model-card/export")).isTrue();
	}

	// ---- where a card starts ----

	@Test
	void aNewVersionStartsFromTheNearestEarlierVersionsLatestCard() {
		card("mc-carry", 1);
		HttpResponse<String> edited = put("mc-carry", 1, edit(1, "described", """
				"model_details": {"overview": "Version one.", "version": {"diff": "the first"}},
				"considerations": {"limitations": [{"description": "Old data."}]}"""), warden.admin());
		assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
		LISTING.get("mc-carry").addAll(List.of(2L, 3L));
		warden.app().bean(ModelCatalogue.class).sync();

		JsonNode two = card("mc-carry", 2);
		assertThat(two.path("revision").asInt()).isEqualTo(1);
		assertThat(two.path("revision_created_by").asString()).isEqualTo("system");
		assertThat(two.path("revision_comment").asString()).isEqualTo("carried over from version 1");
		assertThat(two.path("model_details").path("overview").asString()).isEqualTo("Version one.");
		assertThat(two.path("considerations").path("limitations").get(0).path("description").asString())
			.isEqualTo("Old data.");
		// the change note describes version 1, not version 2
		assertThat(two.path("model_details").path("version").has("diff")).isFalse();
		assertThat(two.path("model_details").path("version").path("name").asString()).isEqualTo("2");

		HttpResponse<String> changed = put("mc-carry", 2, edit(1, "retrained", """
				"model_details": {"overview": "Version two.", "version": {"diff": "more data"}},
				"considerations": {"limitations": [{"description": "Newer data."}]}"""), warden.admin());
		assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
		JsonNode three = card("mc-carry", 3);
		assertThat(three.path("revision_comment").asString()).isEqualTo("carried over from version 2");
		assertThat(three.path("model_details").path("overview").asString()).isEqualTo("Version two.");
		// version 1's card is unchanged
		assertThat(card("mc-carry", 1).path("model_details").path("overview").asString()).isEqualTo("Version one.");
	}

	@Test
	void theReferenceModelsStartFromTheirShippedCards() throws IOException {
		for (String model : List.of("income", "spam")) {
			JsonNode card = card(model, 1);
			JsonNode shipped = shipped(model);
			assertThat(card.path("revision").asInt()).isEqualTo(1);
			assertThat(card.path("revision_comment").asString()).isEqualTo("shipped");
			assertThat(card.path("revision_created_by").asString()).isEqualTo("system");
			assertThat(card.path("model_details").path("overview").asString())
				.isEqualTo(shipped.path("model_details").path("overview").asString());
			assertThat(card.path("considerations")).isEqualTo(shipped.path("considerations"));
			assertThat(card.path("model_parameters")).isEqualTo(shipped.path("model_parameters"));
			// complete but for the numbers, which only a fairness report gives
			assertThat(card.path("completeness").path("complete").asBoolean()).isFalse();
			assertThat(card.path("completeness").path("missing").findValuesAsString("path"))
				.containsExactly("quantitative_analysis");
			assertThat(card.path("completeness").path("missing").get(0).path("reason").asString())
				.isEqualTo("no fairness report yet");
		}
		ModelCards cards = warden.app().bean(ModelCards.class);
		assertThat(cards.missingSections("income", 1)).containsExactly("quantitative_analysis");

		insertFairnessReport("income", 1, fairnessContent(0.85), Instant.now());
		JsonNode complete = card("income", 1);
		assertThat(complete.path("completeness").path("complete").asBoolean()).isTrue();
		assertThat(complete.path("completeness").path("missing").isEmpty()).isTrue();
		assertThat(cards.missingSections("income", 1)).isEmpty();
		assertThat(complete.path("quantitative_analysis").path("performance_metrics").isEmpty()).isFalse();
	}

	@Test
	void completenessListsExactlyTheMissingFields() {
		card("mc-partial", 1);
		HttpResponse<String> edited = put("mc-partial", 1, edit(1, "partly described", """
				"model_details": {"overview": "Partly.", "owners": [{"name": "Team B"}],
				                  "licenses": [{"identifier": "Apache-2.0"}]},
				"model_parameters": {"model_architecture": "A tree.", "data": [{"name": "train"}],
				                     "input_format": "  "},
				"considerations": {"users": [{"description": "Analysts."}], "use_cases": [{"description": ""}],
				                   "ethical_considerations": [{"name": "Bias", "mitigation_strategy": "Checks."},
				                                              {"name": "Privacy"}]}"""), warden.admin());
		assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
		List<String> expected = List.of("model_parameters.input_format", "model_parameters.output_format",
				"considerations.use_cases", "considerations.limitations",
				"considerations.ethical_considerations[1].mitigation_strategy", "quantitative_analysis");
		JsonNode completeness = Json.read(edited.body()).path("completeness");
		assertThat(completeness.path("complete").asBoolean()).isFalse();
		assertThat(completeness.path("missing").findValuesAsString("path")).containsExactlyElementsOf(expected);
		assertThat(warden.app().bean(ModelCards.class).missingSections("mc-partial", 1))
			.containsExactlyElementsOf(expected);

		// asked about a card nobody has read, inside a read-only transaction: judged by
		// the
		// content it will start with, and nothing is written
		TransactionTemplate readOnly = new TransactionTemplate(warden.app().bean(PlatformTransactionManager.class));
		readOnly.setReadOnly(true);
		List<String> fresh = readOnly
			.execute((status) -> warden.app().bean(ModelCards.class).missingSections("mc-fresh", 1));
		assertThat(fresh).containsExactly("model_details.overview", "model_details.owners", "model_details.licenses",
				"model_parameters.model_architecture", "model_parameters.data", "model_parameters.input_format",
				"model_parameters.output_format", "considerations.users", "considerations.use_cases",
				"considerations.limitations", "considerations.ethical_considerations", "quantitative_analysis");
		assertThat(warden.app()
			.jdbc()
			.sql("SELECT count(*) FROM model_card_revisions WHERE model = 'mc-fresh'")
			.query(Long.class)
			.single()).isZero();
	}

	// ---- computed parts ----

	@Test
	void theQuantitativeAnalysisComesFromTheVersionsLatestReportsAndNamesThem() {
		Instant uploaded = Instant.parse("2026-11-30T08:15:00Z");
		String archive = "ab".repeat(32);
		warden.app()
			.jdbc()
			.sql("UPDATE model_versions SET sha256 = :sha, size_bytes = 4096, uploaded_by = 'dave', "
					+ "uploaded_at = :at, archive_format = 'zip' WHERE version = 1 "
					+ "AND model_id = (SELECT id FROM models WHERE name = 'mc-quant')")
			.param("sha", archive)
			.param("at", Timestamp.from(uploaded))
			.update();
		JsonNode before = card("mc-quant", 1);
		assertThat(before.path("quantitative_analysis").path("performance_metrics").isEmpty()).isTrue();
		assertThat(before.path("quantitative_analysis").path("note").asString()).contains("no fairness report yet");

		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		insertFairnessReport("mc-quant", 1, fairnessContent(0.80), now.minusSeconds(60));
		ObjectNode fairness = fairnessContent(0.85);
		UUID latest = insertFairnessReport("mc-quant", 1, fairness, now);
		ObjectNode explanation = explanationContent();
		UUID explained = insertExplanationReport("mc-quant", 1, explanation, now);

		JsonNode card = card("mc-quant", 1);
		JsonNode analysis = card.path("quantitative_analysis");
		JsonNode metrics = analysis.path("performance_metrics");
		// every number is the one at its source, with its interval
		for (JsonNode metric : metrics) {
			JsonNode source = metric.path("source");
			JsonNode at = source.path("report").asString().equals("fairness")
					? fairness.at(source.path("path").asString()) : explanation.at(source.path("path").asString());
			assertThat(source.path("id").asString()).isIn(latest.toString(), explained.toString());
			double value = at.isNumber() ? at.doubleValue() : at.path("value").doubleValue();
			assertThat(metric.path("value").doubleValue()).as(metric.toString()).isEqualTo(value);
			if (at.has("ci_low")) {
				assertThat(metric.path("confidence_interval").path("lower_bound").doubleValue())
					.isEqualTo(at.path("ci_low").doubleValue());
				assertThat(metric.path("confidence_interval").path("upper_bound").doubleValue())
					.isEqualTo(at.path("ci_high").doubleValue());
			}
		}
		assertThat(metric(metrics, "accuracy", null).path("value").doubleValue()).isEqualTo(0.85);
		for (String type : List.of("accuracy", "precision", "true_positive_rate", "false_positive_rate",
				"selection_rate")) {
			assertThat(metric(metrics, type, null).path("confidence_interval").isObject()).as(type).isTrue();
		}
		assertThat(metric(metrics, "selection_rate", "sex=Female").path("value").doubleValue()).isEqualTo(0.07);
		assertThat(metric(metrics, "selection_rate", "sex=Male").path("value").doubleValue()).isEqualTo(0.25);
		assertThat(metric(metrics, "true_positive_rate", "sex=Male").path("value").doubleValue()).isEqualTo(0.64);
		assertThat(metric(metrics, "selection_rate", "sex=Female × race=Black").path("value").doubleValue())
			.isEqualTo(0.05);
		JsonNode flagged = metric(metrics, "four_fifths_ratio", "sex=Female");
		assertThat(flagged.path("value").doubleValue()).isEqualTo(0.28);
		assertThat(flagged.path("flagged").asBoolean()).isTrue();
		assertThat(flagged.path("flag").asString()).contains("below 0.8").contains("sex=Male");
		assertThat(metric(metrics, "four_fifths_ratio", "sex=Female × race=Black").path("flagged").asBoolean())
			.isTrue();
		// only flagged ratios: Male's is 1.0 and not listed
		assertThat(find(metrics, "four_fifths_ratio", "sex=Male")).isNull();
		assertThat(metric(metrics, "demographic_parity_difference", "sex (all groups)").path("value").doubleValue())
			.isEqualTo(0.18);
		// a suppressed group gives no metric but is listed with the reason
		assertThat(find(metrics, "selection_rate", "sex=X")).isNull();
		assertThat(analysis.path("suppressed_groups").get(0).path("slice").asString()).isEqualTo("sex=X");
		assertThat(analysis.path("suppressed_groups").get(0).path("reason").asString()).isEqualTo("n = 12 < 30");
		// an undefined metric is listed, never turned into a number
		assertThat(find(metrics, "true_positive_rate", "sex=Female × race=Black")).isNull();
		assertThat(analysis.path("undefined_metrics").get(0).path("slice").asString())
			.isEqualTo("sex=Female × race=Black");
		assertThat(analysis.path("undefined_metrics").get(0).path("reason").asString())
			.isEqualTo("no actual positives in the group");
		// the top five features of the explainability report, in its order
		List<String> features = new ArrayList<>();
		for (JsonNode metric : metrics) {
			if (metric.path("type").asString().equals("mean_abs_attribution")) {
				features.add(metric.path("feature").asString());
			}
		}
		assertThat(features).containsExactly("relationship", "marital_status", "capital_gain", "education_num", "age");
		assertThat(analysis.path("sources").path("fairness_report").path("id").asString()).isEqualTo(latest.toString());
		assertThat(analysis.path("sources").path("explainability_report").path("id").asString())
			.isEqualTo(explained.toString());
		assertThat(analysis.path("sources").path("explainability_report").path("method").asString())
			.isEqualTo("integrated_gradients");

		// what the platform knows about the version
		assertThat(card.path("model_details").path("version").path("date").asString()).isEqualTo(uploaded.toString());
		JsonNode provenance = card.path("provenance");
		assertThat(provenance.path("uploaded_by").asString()).isEqualTo("dave");
		assertThat(provenance.path("archive_sha256").asString()).isEqualTo(archive);
		assertThat(provenance.path("files_sha256").path("value").asString()).isEqualTo("cd".repeat(32));
		assertThat(provenance.path("files_sha256").path("source").asString()).contains(latest.toString());
	}

	@Test
	void contributorsAddTheirGovernanceSectionsAndOverridesAreMarked() throws Exception {
		JsonNode card = card("mc-gov", 1);
		assertThat(card.path("governance").path("promotion")).isEqualTo(JSON.readTree(TestContributors.PROMOTION));
		assertThat(card.path("overrides").size()).isEqualTo(1);
		assertThat(card.path("overrides").get(0).path("section").asString()).isEqualTo("promotion");
		assertThat(card.path("overrides").get(0).path("override").path("rule").asString())
			.isEqualTo("fairness.four_fifths");
		// a contributor that fails does not take the card down
		assertThat(card.path("governance").path("broken").path("error").asString()).contains("could not be computed");
		assertThat(card("mc-bad", 1).path("governance").has("promotion")).isFalse();
		assertThat(card("mc-bad", 1).path("overrides").isEmpty()).isTrue();

		String text = pdfText("mc-gov", 1);
		assertThat(text).contains("OVERRIDE RECORDED", "See section 5, Governance", "5. Governance", "promotion",
				"fairness.four_fifths", "accepted for the demonstration", "history[0].approved_by");
	}

	@Test
	void theJsonExportHasTheToolkitsFieldNamesAndTheAnnexIvMapping() throws Exception {
		card("mc-export", 1);
		ObjectNode content = (ObjectNode) shipped("income");
		ObjectNode body = content.deepCopy();
		body.put("revision", 1);
		body.put("comment", "described like income");
		((ObjectNode) body.path("model_details")).putObject("version").put("diff", "first release");
		HttpResponse<String> edited = put("mc-export", 1, body.toString(), warden.admin());
		assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
		insertFairnessReport("mc-export", 1, fairnessContent(0.84), Instant.now());

		HttpResponse<String> response = Http.get(url("/api/admin/models/mc-export/versions/1/model-card/export"),
				warden.admin());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Disposition").orElse(""))
			.contains("model-card-mc-export-1.json");
		JsonNode export = Json.read(response.body());
		JsonNode mct = export.path("model_card");
		assertThat(mct.propertyNames()).containsExactly("schema_version", "model_details", "model_parameters",
				"quantitative_analysis", "considerations");
		assertThat(mct.path("model_details").propertyNames()).containsExactly("name", "overview", "documentation",
				"owners", "version", "licenses", "references", "citations");
		assertThat(mct.path("model_details").path("version").propertyNames()).containsExactly("name", "date", "diff");
		assertThat(mct.path("model_details").path("owners").get(0).has("contact")).isTrue();
		assertThat(mct.path("model_details").path("licenses").get(0).has("custom_text")).isTrue();
		assertThat(mct.path("model_details").path("citations").get(0).propertyNames()).containsExactly("style",
				"citation");
		assertThat(mct.path("model_parameters").propertyNames()).containsExactly("model_architecture", "data",
				"input_format", "output_format");
		JsonNode dataset = mct.path("model_parameters").path("data").get(0);
		assertThat(dataset.propertyNames()).contains("name", "link", "sensitive", "description");
		assertThat(dataset.path("sensitive").path("sensitive_data"))
			.isEqualTo(dataset.path("sensitive").path("sensitive_attributes"));
		assertThat(mct.path("quantitative_analysis").propertyNames()).containsExactly("performance_metrics",
				"graphics");
		JsonNode accuracy = metric(mct.path("quantitative_analysis").path("performance_metrics"), "accuracy", null);
		assertThat(accuracy.path("value").doubleValue()).isEqualTo(0.84);
		assertThat(accuracy.path("confidence_interval").propertyNames()).containsExactly("lower_bound", "upper_bound");
		assertThat(mct.path("considerations").propertyNames()).containsExactly("users", "use_cases", "limitations",
				"tradeoffs", "ethical_considerations");
		assertThat(mct.path("considerations").path("ethical_considerations").get(0).propertyNames())
			.containsExactly("name", "mitigation_strategy");
		assertThat(export.path("completeness").path("complete").asBoolean()).isTrue();
		assertThat(export.path("revision").asInt()).isEqualTo(2);

		JsonNode sections = export.path("annex_iv").path("sections");
		assertThat(sections.findValuesAsString("status")).hasSize(9);
		Map<Integer, JsonNode> bySection = new TreeMap<>();
		sections.forEach((section) -> bySection.put(section.path("section").asInt(), section));
		assertThat(bySection.keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
		assertThat(bySection.get(7).path("status").asString()).isEqualTo("missing");
		assertThat(bySection.get(7).path("missing").get(0).asString()).contains("harmonised standards");
		assertThat(bySection.get(8).path("status").asString()).isEqualTo("missing");
		assertThat(bySection.get(8).path("missing").get(0).asString()).contains("declaration of conformity");
		assertThat(bySection.get(9).path("status").asString()).isEqualTo("missing");
		assertThat(bySection.get(1).path("status").asString()).isEqualTo("partial");
		assertThat(bySection.get(4).path("status").asString()).isEqualTo("covered");
		assertThat(bySection.get(6).path("status").asString()).isEqualTo("covered");
		// no governance record for this version: human oversight is not evidenced
		assertThat(bySection.get(3).path("status").asString()).isEqualTo("partial");
		assertThat(bySection.get(3).path("missing").get(0).asString()).contains("no governance record");

		String text = pdfText("mc-export", 1);
		assertThat(text).contains("Model card: mc-export version 1", "1. Model details", "2. Model parameters",
				"3. Quantitative analysis", "4. Considerations", "5. Governance", "6. Completeness",
				"7. EU AI Act Annex IV mapping", "Ethical considerations", "selection_rate", "0.8400",
				"harmonised standards", "declaration of conformity");
		assertThat(text).doesNotContain("OVERRIDE RECORDED");
	}

	@Test
	void concurrentFirstReadsCreateTheCardOnce() throws Exception {
		int readers = 8;
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(readers);
		try {
			List<Future<HttpResponse<String>>> answers = new ArrayList<>();
			for (int i = 0; i < readers; i++) {
				Callable<HttpResponse<String>> read = () -> {
					go.await();
					return Http.get(url("/api/admin/models/mc-race/versions/1/model-card"), warden.admin());
				};
				answers.add(pool.submit(read));
			}
			go.countDown();
			for (Future<HttpResponse<String>> answer : answers) {
				HttpResponse<String> response = answer.get();
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
				assertThat(Json.read(response.body()).path("revision").asInt()).isEqualTo(1);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(warden.app()
			.jdbc()
			.sql("SELECT count(*) FROM model_card_revisions WHERE model = 'mc-race'")
			.query(Long.class)
			.single()).isEqualTo(1);
		assertThat(warden.app().bean(AuditTrail.class).recent(10, "model_card", "mc-race/1"))
			.extracting(AuditTrail.AuditEvent::action)
			.containsExactly("model_card.created");
	}

	// ---- requests, fixtures and report rows ----

	private static String listing() {
		List<Map<String, Object>> models = new ArrayList<>();
		new TreeMap<>(LISTING).forEach((name, versions) -> {
			List<Map<String, String>> listed = new ArrayList<>();
			versions.forEach((v) -> listed.add(Map.of("version", Long.toString(v), "state", "AVAILABLE")));
			models.add(Map.of("name", name, "versions", listed));
		});
		return JSON.writeValueAsString(Map.of("models", models));
	}

	private static String url(String path) {
		return warden.app().url(path);
	}

	private static JsonNode card(String model, long version) {
		return get("/api/admin/models/" + model + "/versions/" + version + "/model-card", warden.admin());
	}

	private static JsonNode revision(String model, long version, int revision) {
		return get("/api/admin/models/" + model + "/versions/" + version + "/model-card/revisions/" + revision,
				warden.admin());
	}

	private static JsonNode get(String path, String[] headers) {
		HttpResponse<String> response = Http.get(url(path), headers);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Json.read(response.body());
	}

	private static HttpResponse<String> put(String model, long version, String body, String[] headers) {
		return Http.send("PUT", url("/api/admin/models/" + model + "/versions/" + version + "/model-card"), body,
				headers);
	}

	/** An edit's body: the revision it is based on, a comment and the sections given. */
	private static String edit(int revision, String comment, String sections) {
		return "{\"revision\": " + revision + ", \"comment\": \"" + comment + "\", " + sections + "}";
	}

	private static JsonNode shipped(String model) throws IOException {
		try (InputStream in = ModelCardIntegrationTests.class.getClassLoader()
			.getResourceAsStream("model-cards/" + model + ".json")) {
			return JSON.readTree(in);
		}
	}

	private static String pdfText(String model, long version) throws Exception {
		HttpResponse<byte[]> pdf = CLIENT.send(HttpRequest
			.newBuilder(URI
				.create(url("/api/admin/models/" + model + "/versions/" + version + "/model-card/export?format=pdf")))
			.header("Authorization", warden.bearer("carol", "COMPLIANCE"))
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
		return text.toString();
	}

	private static JsonNode metric(JsonNode metrics, String type, String slice) {
		JsonNode found = find(metrics, type, slice);
		assertThat(found).as(type + " " + slice + " in " + metrics).isNotNull();
		return found;
	}

	private static JsonNode find(JsonNode metrics, String type, String slice) {
		for (JsonNode metric : metrics) {
			boolean sameSlice = (slice == null) ? !metric.has("slice") : slice.equals(metric.path("slice").asString());
			if (metric.path("type").asString().equals(type) && sameSlice) {
				return metric;
			}
		}
		return null;
	}

	/** A fairness report's content as the contract in docs describes it. */
	private static ObjectNode fairnessContent(double accuracy) {
		String content = """
				{"model": "m", "version": 1, "model_sha256": "%s",
				 "dataset": {"id": "x", "name": "adult_validation", "sha256": "ef", "rows": 9550},
				 "label": "label", "positive_label": "1", "positive_class": 1, "threshold": 0.5,
				 "software_version": "0.1.0-SNAPSHOT",
				 "settings": {"seed": 42, "resamples": 1000, "confidence_level": 0.95, "min_group_size": 30,
				              "min_positives": 10, "max_intersection_order": 2,
				              "bootstrap": "stratified: each group resampled within itself", "interval": "wilson"},
				 "overall": {"n": 9550, "positives": 2251, "predicted_positives": 1800,
				             "confusion": {"tp": 1400, "fp": 400, "tn": 6899, "fn": 851},
				             "metrics": {"base_rate": {"value": 0.2357, "ci_low": 0.227, "ci_high": 0.244},
				                         "selection_rate": {"value": 0.1885, "ci_low": 0.181, "ci_high": 0.196},
				                         "accuracy": {"value": %s, "ci_low": %s, "ci_high": %s},
				                         "tpr": {"value": 0.622, "ci_low": 0.602, "ci_high": 0.642},
				                         "fpr": {"value": 0.0548, "ci_low": 0.0498, "ci_high": 0.0602},
				                         "fnr": {"value": 0.378, "ci_low": 0.358, "ci_high": 0.398},
				                         "precision": {"value": 0.778, "ci_low": 0.758, "ci_high": 0.796}}},
				 "theil_index": {"value": 0.11, "ci_low": 0.1, "ci_high": 0.12},
				 "attributes": [
				  {"name": "sex", "columns": ["sex"], "reference": "Male", "reference_source": "declared",
				   "groups": [
				    {"group": "Female", "n": 3100, "positives": 350, "predicted_positives": 217, "suppressed": false,
				     "metrics": {"selection_rate": {"value": 0.07, "ci_low": 0.061, "ci_high": 0.08},
				                 "tpr": {"value": 0.51, "ci_low": 0.46, "ci_high": 0.56}}},
				    {"group": "Male", "n": 6438, "positives": 1900, "predicted_positives": 1609, "suppressed": false,
				     "metrics": {"selection_rate": {"value": 0.25, "ci_low": 0.239, "ci_high": 0.261},
				                 "tpr": {"value": 0.64, "ci_low": 0.62, "ci_high": 0.66}}},
				    {"group": "X", "n": 12, "positives": 1, "suppressed": true, "suppressed_reason": "n = 12 < 30"}],
				   "against_reference": [{"group": "Female",
				                          "statistical_parity_difference": {"value": -0.18, "ci_low": -0.19, "ci_high": -0.17}}],
				   "between_groups": {"demographic_parity_difference": {"value": 0.18, "ci_low": 0.17, "ci_high": 0.19},
				                      "demographic_parity_ratio": {"value": 0.28, "ci_low": 0.24, "ci_high": 0.33},
				                      "equalized_odds_difference": {"value": 0.13, "ci_low": 0.08, "ci_high": 0.18},
				                      "equalized_odds_ratio": {"value": 0.4, "ci_low": 0.3, "ci_high": 0.5}},
				   "four_fifths": [{"group": "Female", "ratio": {"value": 0.28, "ci_low": 0.24, "ci_high": 0.33},
				                    "highest_rate_group": "Male", "below_four_fifths": true},
				                   {"group": "Male", "ratio": {"value": 1.0}, "highest_rate_group": "Male",
				                    "below_four_fifths": false}],
				   "suppressed": [{"group": "X", "n": 12, "positives": 1, "reason": "n = 12 < 30"}]},
				  {"name": "sex × race", "columns": ["sex", "race"], "reference": "Male × White",
				   "reference_source": "declared",
				   "groups": [
				    {"group": "Female × Black", "n": 400, "positives": 0, "predicted_positives": 20, "suppressed": false,
				     "metrics": {"selection_rate": {"value": 0.05, "ci_low": 0.033, "ci_high": 0.076},
				                 "tpr": {"value": null, "reason": "no actual positives in the group"}}},
				    {"group": "Male × White", "n": 5600, "positives": 1750, "predicted_positives": 1456,
				     "suppressed": false,
				     "metrics": {"selection_rate": {"value": 0.26, "ci_low": 0.249, "ci_high": 0.272},
				                 "tpr": {"value": 0.65, "ci_low": 0.63, "ci_high": 0.67}}}],
				   "between_groups": {"demographic_parity_difference": {"value": 0.21, "ci_low": 0.19, "ci_high": 0.23},
				                      "equalized_odds_difference": {"value": null, "reason": "a group has no actual positives"}},
				   "four_fifths": [{"group": "Female × Black", "ratio": {"value": 0.19, "ci_low": 0.13, "ci_high": 0.29},
				                    "highest_rate_group": "Male × White", "below_four_fifths": true}],
				   "suppressed": []}],
				 "definitions": [{"metric": "statistical_parity_difference", "formula": "s_g − s_ref",
				                  "sign": "negative: the group is selected less than the reference", "convention_of": "AIF360"}]}
				"""
			.formatted("cd".repeat(32), accuracy, accuracy - 0.01, accuracy + 0.01);
		return (ObjectNode) JSON.readTree(content);
	}

	/** An explainability report's content with seven features, by importance. */
	private static ObjectNode explanationContent() {
		ObjectNode content = JSON.createObjectNode();
		content.put("method", "integrated_gradients");
		content.put("rows_explained", 1000);
		var features = content.putArray("features");
		String[] names = { "relationship", "marital_status", "capital_gain", "education_num", "age", "occupation",
				"sex" };
		for (int i = 0; i < names.length; i++) {
			double mean = 0.1 - i * 0.01;
			ObjectNode feature = features.addObject();
			feature.put("name", names[i]);
			feature.put("mean_abs_attribution", mean);
			feature.putArray("interval").add(mean - 0.002).add(mean + 0.002);
		}
		return content;
	}

	private static UUID dataset(String model) {
		UUID id = UUID.randomUUID();
		warden.app()
			.jdbc()
			.sql("INSERT INTO reference_datasets (id, model, name, source, columns, row_count, chunk_count, sha256, "
					+ "data_key, kek_id, created_at, created_by) VALUES (:id, :model, :name, 'upload', '[]'::jsonb, "
					+ "0, 0, 'ef', :key, 'test', now(), 'test')")
			.param("id", id)
			.param("model", model)
			.param("name", "mc-" + id)
			.param("key", new byte[] { 1 })
			.update();
		return id;
	}

	private static UUID job(String model, long version, UUID dataset, String kind) {
		UUID id = UUID.randomUUID();
		warden.app()
			.jdbc()
			.sql("INSERT INTO explainability_jobs (id, model, version, dataset_id, parameters, state, created_by, "
					+ "created_at, kind) VALUES (:id, :model, :version, :dataset, '{}'::jsonb, 'cancelled', 'test', "
					+ "now(), :kind)")
			.param("id", id)
			.param("model", model)
			.param("version", version)
			.param("dataset", dataset)
			.param("kind", kind)
			.update();
		return id;
	}

	private static UUID insertFairnessReport(String model, long version, ObjectNode content, Instant at) {
		UUID dataset = dataset(model);
		UUID id = UUID.randomUUID();
		warden.app()
			.jdbc()
			.sql("INSERT INTO fairness_reports (id, model, version, dataset_id, dataset_sha256, model_sha256, "
					+ "threshold, seed, parameters, content, content_sha256, created_at, job_id) VALUES (:id, :model, "
					+ ":version, :dataset, 'ef', :modelSha, 0.5, 42, '{}'::jsonb, CAST(:content AS jsonb), :digest, :at, "
					+ ":job)")
			.param("id", id)
			.param("model", model)
			.param("version", version)
			.param("dataset", dataset)
			.param("modelSha", content.path("model_sha256").asString())
			.param("content", content.toString())
			.param("digest", CardDigest.sha256(content))
			.param("at", Timestamp.from(at))
			.param("job", job(model, version, dataset, "fairness"))
			.update();
		return id;
	}

	private static UUID insertExplanationReport(String model, long version, ObjectNode content, Instant at) {
		UUID dataset = dataset(model);
		UUID id = UUID.randomUUID();
		warden.app()
			.jdbc()
			.sql("INSERT INTO explainability_reports (id, model, version, dataset_id, dataset_sha256, model_sha256, "
					+ "method, seed, sample_size, parameters, content, content_sha256, created_at, job_id) VALUES "
					+ "(:id, :model, :version, :dataset, 'ef', :modelSha, 'integrated_gradients', 42, 1000, "
					+ "'{}'::jsonb, CAST(:content AS jsonb), :digest, :at, :job)")
			.param("id", id)
			.param("model", model)
			.param("version", version)
			.param("dataset", dataset)
			.param("modelSha", "cd".repeat(32))
			.param("content", content.toString())
			.param("digest", CardDigest.sha256(content))
			.param("at", Timestamp.from(at))
			.param("job", job(model, version, dataset, "explanation"))
			.update();
		return id;
	}

}
