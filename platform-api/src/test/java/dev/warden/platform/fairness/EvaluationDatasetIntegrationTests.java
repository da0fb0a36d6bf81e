package dev.warden.platform.fairness;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.crypto.KeyEncryptionKeys;
import dev.warden.platform.explainability.internal.DatasetCrypto;
import dev.warden.platform.explainability.internal.RowChunks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Evaluation datasets through the admin API: the CSV upload with {@code label},
 * {@code positive_label}, {@code sensitive}, {@code reference} and {@code bands}, the
 * stored layout (model columns, then label, then sensitive columns, a sensitive input
 * stored twice), every validation problem as a 400 naming the row, line and column (and
 * 413 past the size limit) with nothing stored, and the evaluation spec of shipped
 * datasets (built in, given in the body, or none). Models {@code scored}, {@code income},
 * {@code census} to {@code census3}; dataset names start with {@code ev-}.
 */
@ExtendWith(FairnessApp.Extension.class)
class EvaluationDatasetIntegrationTests {

	private static final String SPEC = "&label=outcome&positive_label=yes&sensitive=sex&sensitive=region"
			+ "&sensitive=age&reference=sex:M&bands=age:30,50&reference=age:30%20to%20%3C50";

	private static final String[] COLUMNS = { "age", "score", "outcome", "region", "sex" };

	@Test
	void anEvaluationDatasetKeepsItsSpecAndStoresLabelAndSensitiveCellsAfterTheInputs(FairnessApp app)
			throws Exception {
		List<Map<String, String>> rows = FairnessApp.rows(120, 1);

		JsonNode dataset = app.uploaded("scored", "ev-spec", SPEC, FairnessApp.csv(rows, COLUMNS));

		assertThat(dataset.path("row_count").asLong()).isEqualTo(120);
		assertThat(dataset.path("columns").findValuesAsString("name")).containsExactly("region", "score");
		JsonNode evaluation = dataset.path("evaluation");
		assertThat(evaluation.path("label").asString()).isEqualTo("outcome");
		assertThat(evaluation.path("positive_label").asString()).isEqualTo("yes");
		assertThat(evaluation.path("sensitive").findValuesAsString("name")).containsExactly("sex", "region", "age");
		assertThat(evaluation.path("sensitive").get(0).path("reference").asString()).isEqualTo("M");
		assertThat(evaluation.path("sensitive").get(1).has("reference")).isFalse();
		assertThat(evaluation.path("sensitive").get(1).has("bands")).isFalse();
		assertThat(evaluation.path("sensitive").get(2).path("reference").asString()).isEqualTo("30 to <50");
		assertThat(evaluation.path("sensitive").get(2).path("bands").get(0).asDouble()).isEqualTo(30.0);
		assertThat(evaluation.path("sensitive").get(2).path("bands").get(1).asDouble()).isEqualTo(50.0);
		String id = dataset.path("id").asString();
		JsonNode read = app.get("/api/admin/models/scored/reference-datasets/" + id);
		assertThat(read.path("evaluation")).isEqualTo(evaluation);
		JsonNode listed = app.get("/api/admin/models/scored/reference-datasets?size=500");
		for (JsonNode item : listed.path("content")) {
			if (item.path("id").asString().equals(id)) {
				assertThat(item.path("evaluation")).isEqualTo(evaluation);
			}
		}
		JsonNode stored = Json.read(app.warden()
			.app()
			.jdbc()
			.sql("SELECT evaluation::text FROM reference_datasets WHERE id = :id")
			.param("id", UUID.fromString(id))
			.query(String.class)
			.single());
		assertThat(stored.path("sensitive").get(2).path("bands").toString()).isEqualTo("[30,50]");

		// the stored cells: region, score (the model's), outcome (the label), sex,
		// region, age (the sensitive columns; region twice)
		List<String[]> first = chunk(app, id, 0);
		assertThat(first).hasSize(FairnessApp.CHUNK_ROWS);
		for (int i = 0; i < first.size(); i++) {
			Map<String, String> row = rows.get(i);
			assertThat(first.get(i)).containsExactly(row.get("region"), row.get("score"), row.get("outcome"),
					row.get("sex"), row.get("region"), row.get("age"));
		}

		JsonNode events = app.get("/api/admin/audit-events?target_type=reference_dataset&target_id=" + id);
		assertThat(events.path("content").get(0).path("details").path("evaluation").path("label").asString())
			.isEqualTo("outcome");
	}

	@Test
	void aDatasetWithoutLabelIsAPlainReferenceDataset(FairnessApp app) {
		JsonNode dataset = app.uploaded("scored", "ev-plain", "",
				FairnessApp.csv(FairnessApp.rows(10, 2), "score", "region"));

		assertThat(dataset.path("evaluation").isNull()).isTrue();
	}

	@Test
	void theHeaderMustNameTheLabelAndTheSensitiveColumns(FairnessApp app) {
		List<Map<String, String>> rows = FairnessApp.rows(10, 3);

		HttpResponse<String> noLabel = app.upload("scored", "ev-header", SPEC,
				FairnessApp.csv(rows, "age", "score", "region", "sex"));
		HttpResponse<String> unknownSensitive = app.upload("scored", "ev-header", SPEC + "&sensitive=zodiac",
				FairnessApp.csv(rows, COLUMNS));
		HttpResponse<String> unknownColumn = app.upload("scored", "ev-header",
				"&label=outcome&positive_label=yes&sensitive=sex", FairnessApp.csv(rows, COLUMNS));

		assertError(noLabel, 400, "invalid_columns", "missing columns [outcome]");
		assertThat(message(noLabel)).contains("the evaluation columns [outcome, sex, region, age]");
		assertError(unknownSensitive, 400, "invalid_columns", "missing columns [zodiac]");
		assertError(unknownColumn, 400, "invalid_columns", "unknown columns [age]");
		assertThat(names(app)).doesNotContain("ev-header");
	}

	@Test
	void badCellsAreNamedByRowLineAndColumn(FairnessApp app) {
		String header = "age,score,outcome,region,sex\n";

		HttpResponse<String> banded = app.upload("scored", "ev-cells", SPEC,
				header + "40,0.5,yes,north,M\nold,0.5,no,south,F\n");
		HttpResponse<String> infinite = app.upload("scored", "ev-cells", SPEC,
				header + "40,0.5,yes,north,M\nInfinity,0.5,no,south,F\n");
		HttpResponse<String> emptyLabel = app.upload("scored", "ev-cells", SPEC,
				header + "40,0.5, ,north,M\n33,0.5,no,south,F\n");
		HttpResponse<String> emptyBand = app.upload("scored", "ev-cells-ok", SPEC,
				header + "40,0.5,yes,north,M\n,0.5,no,south,F\n");

		assertError(banded, 400, "invalid_cell",
				"row 2 (line 3), column 'age': 'old' is not a number (the column is cut into bands)");
		assertError(infinite, 400, "invalid_cell", "row 2 (line 3), column 'age': 'Infinity' is not a finite number");
		assertError(emptyLabel, 400, "invalid_cell",
				"row 1 (line 2), column 'outcome': the label is empty; every row of an evaluation dataset needs one");
		assertThat(emptyBand.statusCode()).as(emptyBand.body()).isEqualTo(201);
		assertThat(names(app)).doesNotContain("ev-cells");
	}

	@Test
	void anEvaluationUploadOverTheLimitIs413(FairnessApp app) {
		String csv = FairnessApp.csv(FairnessApp.rows(11000, 4), COLUMNS);
		assertThat(csv.length()).isGreaterThan((int) FairnessApp.MAX_UPLOAD_BYTES);

		HttpResponse<String> response = app.upload("scored", "ev-large", SPEC, csv);

		assertError(response, 413, "payload_too_large", "larger than the limit of " + FairnessApp.MAX_UPLOAD_BYTES);
		assertThat(names(app)).doesNotContain("ev-large");
	}

	@Test
	void badEvaluationParametersAreRefusedNamingTheParameter(FairnessApp app) {
		String csv = FairnessApp.csv(FairnessApp.rows(20, 5), COLUMNS);

		assertError(app.upload("scored", "ev-params", "&sensitive=sex", csv), 400, "invalid_evaluation",
				"label: name the label column");
		assertError(app.upload("scored", "ev-params", "&label=outcome&sensitive=sex", csv), 400, "invalid_evaluation",
				"positive_label: the label value of a positive outcome is required");
		assertError(app.upload("scored", "ev-params", "&label=outcome&positive_label=yes", csv), 400,
				"invalid_evaluation", "sensitive: at least one sensitive column is required");
		assertError(app.upload("scored", "ev-params", "&label=outcome&positive_label=yes&sensitive=outcome", csv), 400,
				"invalid_evaluation", "sensitive: 'outcome' is the label column");
		assertError(
				app.upload("scored", "ev-params", "&label=outcome&positive_label=yes&sensitive=sex&sensitive=sex", csv),
				400, "invalid_evaluation", "sensitive: 'sex' is named twice");
		assertError(
				app.upload("scored", "ev-params", "&label=outcome&positive_label=yes&sensitive=sex&reference=M", csv),
				400, "invalid_evaluation", "reference: 'M' is not <column>:<group>");
		assertError(
				app.upload("scored", "ev-params",
						"&label=outcome&positive_label=yes&sensitive=sex&reference=region:north", csv),
				400, "invalid_evaluation", "reference: 'region' is not a sensitive column");
		assertError(app.upload("scored", "ev-params", "&label=outcome&positive_label=yes&sensitive=age&bands=age:30,x",
				csv), 400, "invalid_evaluation", "bands: 'x' (column 'age') is not a number");
		assertError(app.upload("scored", "ev-params", "&label=outcome&positive_label=yes&sensitive=age&bands=age:50,30",
				csv), 400, "invalid_evaluation", "bands: the cut points must be strictly ascending");
		assertError(
				app.upload("scored", "ev-params", "&label=outcome&positive_label=yes&sensitive=sex&reference=sex:Q",
						FairnessApp.csv(FairnessApp.rows(20, 5), "score", "region", "outcome", "sex")),
				400, "invalid_evaluation", "the reference group 'Q' of sensitive column 'sex' is in no row");
		assertError(
				app.upload("scored", "ev-params",
						"&label=outcome&positive_label=yes&sensitive=age&bands=age:30,50&reference=age:30-50", csv),
				400, "invalid_evaluation", "the reference group '30-50' of sensitive attribute 'age' is not one of its "
						+ "bands [<30, 30 to <50, >=50]");
		assertError(app.upload("scored", "ev-params", "&label=outcome&positive_label=yes&sensitive=sex&zodiac=1", csv),
				400, "invalid_parameter", "unknown query parameter 'zodiac'");
		assertThat(names(app)).doesNotContain("ev-params");
	}

	@Test
	void theShippedAdultDatasetIsAnEvaluationDatasetWithItsBuiltInSpec(FairnessApp app) {
		JsonNode datasets = app.get("/api/admin/models/income/reference-datasets").path("content");

		assertThat(datasets.size()).isEqualTo(1);
		JsonNode dataset = datasets.get(0);
		assertThat(dataset.path("name").asString()).isEqualTo("adult_validation");
		assertThat(dataset.path("created_by").asString()).isEqualTo("system");
		assertThat(dataset.path("row_count").asLong()).isEqualTo(FairnessApp.ADULT_ROWS);
		assertThat(dataset.path("columns").findValuesAsString("name"))
			.containsExactlyElementsOf(ScoreWorker.ADULT_INPUTS);
		JsonNode evaluation = dataset.path("evaluation");
		assertThat(evaluation.path("label").asString()).isEqualTo("label");
		assertThat(evaluation.path("positive_label").asString()).isEqualTo("1");
		assertThat(evaluation.path("sensitive").findValuesAsString("name")).containsExactly("sex", "race", "age");
		assertThat(evaluation.path("sensitive").findValuesAsString("reference")).containsExactly("Male", "White",
				"25 to <60");
		assertThat(evaluation.path("sensitive").get(2).path("bands").toString()).isEqualTo("[25.0,60.0]");
	}

	@Test
	void aShippedDatasetTakesTheSpecOfTheRequestOrNone(FairnessApp app) {
		HttpResponse<String> custom = app.post("/api/admin/models/census/reference-datasets/shipped",
				"{\"dataset\":\"adult_validation\",\"evaluation\":{\"label\":\"label\",\"positive_label\":\"0\","
						+ "\"sensitive\":[{\"name\":\"sex\"},{\"name\":\"hours_per_week\",\"bands\":[35]}]}}");
		HttpResponse<String> none = app.post("/api/admin/models/census2/reference-datasets/shipped",
				"{\"dataset\":\"adult_validation\",\"evaluation\":null}");
		HttpResponse<String> badSpec = app.post("/api/admin/models/census2/reference-datasets/shipped",
				"{\"dataset\":\"adult_validation\",\"evaluation\":{\"label\":\"label\",\"positive_label\":\"1\","
						+ "\"sensitive\":[{\"name\":\"sex\",\"bands\":\"25\"}]}}");
		HttpResponse<String> unknownKey = app.post("/api/admin/models/census2/reference-datasets/shipped",
				"{\"dataset\":\"adult_validation\",\"evaluation\":{\"label\":\"label\",\"positive\":\"1\","
						+ "\"sensitive\":[]}}");
		HttpResponse<String> doesNotFit = app.post("/api/admin/models/census3/reference-datasets/shipped",
				"{\"dataset\":\"adult_validation\",\"evaluation\":{\"label\":\"income\",\"positive_label\":\"1\","
						+ "\"sensitive\":[{\"name\":\"sex\"}]}}");

		assertThat(custom.statusCode()).as(custom.body()).isEqualTo(201);
		JsonNode evaluation = Json.read(custom.body()).path("evaluation");
		assertThat(evaluation.path("positive_label").asString()).isEqualTo("0");
		assertThat(evaluation.path("sensitive").findValuesAsString("name")).containsExactly("sex", "hours_per_week");
		assertThat(none.statusCode()).as(none.body()).isEqualTo(201);
		assertThat(Json.read(none.body()).path("evaluation").isNull()).isTrue();
		assertError(badSpec, 400, "invalid_evaluation", "evaluation.sensitive[0].bands: an array of numbers");
		assertError(unknownKey, 400, "invalid_evaluation", "evaluation: unknown field 'positive'");
		assertError(doesNotFit, 422, "dataset_does_not_fit", "missing columns [income]");
		HttpResponse<String> compliance = Http.send("POST",
				app.url("/api/admin/models/census2/reference-datasets/shipped"), "{\"dataset\":\"adult_validation\"}",
				app.compliance());
		assertThat(compliance.statusCode()).isEqualTo(403);
	}

	private static List<String[]> chunk(FairnessApp app, String id, int chunkNo) throws Exception {
		UUID uuid = UUID.fromString(id);
		Map<String, Object> key = app.warden()
			.app()
			.jdbc()
			.sql("SELECT data_key, kek_id FROM reference_datasets WHERE id = :id")
			.param("id", uuid)
			.query()
			.singleRow();
		byte[] ciphertext = app.warden()
			.app()
			.jdbc()
			.sql("SELECT ciphertext FROM reference_dataset_chunks WHERE dataset_id = :id AND chunk_no = :no")
			.param("id", uuid)
			.param("no", chunkNo)
			.query((rs, row) -> rs.getBytes(1))
			.single();
		Aead kek = app.warden().app().bean(KeyEncryptionKeys.class).unwrapping((String) key.get("kek_id"));
		Aead aead = DatasetCrypto.open((byte[]) key.get("data_key"), kek, uuid);
		return RowChunks.decode(DatasetCrypto.decryptChunk(aead, ciphertext, uuid, chunkNo));
	}

	private static List<String> names(FairnessApp app) {
		return app.get("/api/admin/models/scored/reference-datasets?size=500")
			.path("content")
			.findValuesAsString("name");
	}

	private static String message(HttpResponse<String> response) {
		return Json.read(response.body()).path("error").path("message").asString();
	}

	static void assertError(HttpResponse<String> response, int status, String code, String message) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode error = Json.read(response.body()).path("error");
		assertThat(error.path("code").asString()).as(response.body()).isEqualTo(code);
		assertThat(error.path("message").asString()).contains(message);
		assertThat(error.path("request_id").asString()).isNotBlank();
	}

}
