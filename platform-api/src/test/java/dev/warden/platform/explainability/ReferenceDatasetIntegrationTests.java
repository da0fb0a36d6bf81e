package dev.warden.platform.explainability;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference datasets through the admin API against the real application: CSV uploads
 * (streamed past the 64 KiB admin body limit, validated against the serving signature the
 * worker reports, stored encrypted in chunks), shipped datasets, listing, roles and
 * crypto-shredding deletion. Models {@code lin} and {@code txt}; dataset names start with
 * {@code rd-}.
 */
@ExtendWith(ExplainabilityApp.Extension.class)
class ReferenceDatasetIntegrationTests {

	@Test
	void csvUploadIsStoredWithItsDigestRowCountAndColumnsAndAudited(ExplainabilityApp app) throws Exception {
		String csv = ExplainabilityApp.csv(ExplainabilityApp.tabularRows(130, 1));

		HttpResponse<String> response = app.upload("lin", "rd-upload", csv);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		JsonNode dataset = Json.read(response.body());
		assertThat(response.headers().firstValue("Location")).hasValueSatisfying((location) -> assertThat(location)
			.endsWith("/api/admin/models/lin/reference-datasets/" + dataset.path("id").asString()));
		assertThat(dataset.path("model").asString()).isEqualTo("lin");
		assertThat(dataset.path("name").asString()).isEqualTo("rd-upload");
		assertThat(dataset.path("source").asString()).isEqualTo("upload");
		assertThat(dataset.path("row_count").asLong()).isEqualTo(130);
		assertThat(dataset.path("sha256").asString()).isEqualTo(sha256(csv.getBytes(StandardCharsets.UTF_8)));
		assertThat(dataset.path("created_by").asString()).isEqualTo("alice");
		assertThat(dataset.path("created_at").asString()).isNotBlank();
		assertThat(dataset.path("columns").findValuesAsString("name")).containsExactly("color", "n", "x1", "x2");
		assertThat(dataset.path("columns").findValuesAsString("dtype")).containsExactly("DT_STRING", "DT_INT64",
				"DT_FLOAT", "DT_FLOAT");
		UUID id = UUID.fromString(dataset.path("id").asString());
		assertThat(app.warden()
			.app()
			.jdbc()
			.sql("SELECT count(*) FROM reference_dataset_chunks WHERE dataset_id = :id")
			.param("id", id)
			.query(Long.class)
			.single()).isEqualTo(3);
		JsonNode events = Json.read(
				Http.get(app.url("/api/admin/audit-events?target_type=reference_dataset&target_id=" + id), app.admin())
					.body());
		assertThat(events.path("content").get(0).path("action").asString())
			.isEqualTo("explainability.dataset_registered");
		assertThat(events.path("content").get(0).path("details").path("sha256").asString())
			.isEqualTo(dataset.path("sha256").asString());
		assertThat(events.path("content").get(0).path("details").path("rows").asLong()).isEqualTo(130);
	}

	@Test
	void storedChunksAreEncryptedAndBoundToTheirDataset(ExplainabilityApp app) {
		String marker = "zebra-striped";
		StringBuilder csv = new StringBuilder("x1,color,n,x2\n");
		for (int i = 0; i < 60; i++) {
			csv.append(i).append(".5,").append(marker).append(',').append(i % 5).append(",1.25\n");
		}
		String id = app.uploaded("lin", "rd-encrypted", csv.toString());

		List<byte[]> chunks = app.warden()
			.app()
			.jdbc()
			.sql("SELECT ciphertext FROM reference_dataset_chunks WHERE dataset_id = :id ORDER BY chunk_no")
			.param("id", UUID.fromString(id))
			.query((rs, row) -> rs.getBytes(1))
			.list();

		assertThat(chunks).hasSize(2);
		for (byte[] chunk : chunks) {
			String bytes = new String(chunk, StandardCharsets.ISO_8859_1);
			assertThat(bytes).doesNotContain(marker).doesNotContain("1.25").doesNotContain("color");
		}
		byte[] key = app.warden()
			.app()
			.jdbc()
			.sql("SELECT data_key FROM reference_datasets WHERE id = :id")
			.param("id", UUID.fromString(id))
			.query((rs, row) -> rs.getBytes(1))
			.single();
		assertThat(new String(key, StandardCharsets.ISO_8859_1)).doesNotContain("AES");
	}

	@Test
	void anUploadLargerThanTheAdminBodyLimitIsStreamedAndOneOverItsOwnLimitIs413(ExplainabilityApp app) {
		List<Map<String, String>> rows = ExplainabilityApp.tabularRows(4000, 2);
		String csv = ExplainabilityApp.csv(rows);
		assertThat(csv.length()).isGreaterThan(64 * 1024).isLessThan((int) ExplainabilityApp.MAX_UPLOAD_BYTES);

		HttpResponse<String> accepted = app.upload("lin", "rd-large", csv);
		String tooLarge = ExplainabilityApp.csv(ExplainabilityApp.tabularRows(12000, 3));
		assertThat(tooLarge.length()).isGreaterThan((int) ExplainabilityApp.MAX_UPLOAD_BYTES);
		HttpResponse<String> refused = app.upload("lin", "rd-too-large", tooLarge);

		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
		assertThat(Json.read(accepted.body()).path("row_count").asLong()).isEqualTo(4000);
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
		assertThat(Json.read(refused.body()).path("error").path("code").asString()).isEqualTo("payload_too_large");
		assertThat(names(app, "lin")).doesNotContain("rd-too-large");
	}

	@Test
	void missingAndUnknownColumnsAreNamed(ExplainabilityApp app) {
		HttpResponse<String> response = app.upload("lin", "rd-columns", "x1,colour,n,extra\n1,red,2,3\n");

		assertThat(response.statusCode()).isEqualTo(400);
		JsonNode error = Json.read(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("invalid_columns");
		assertThat(error.path("message").asString()).contains("missing columns [color, x2]")
			.contains("unknown columns [colour, extra]");
		assertThat(error.path("request_id").asString()).isNotBlank();
	}

	@Test
	void aBadCellIsNamedByRowLineAndColumn(ExplainabilityApp app) {
		HttpResponse<String> number = app.upload("lin", "rd-cell", "x1,color,n,x2\n1.5,red,2,3\n2.5,blue,two,4\n");
		HttpResponse<String> fraction = app.upload("lin", "rd-cell", "x1,color,n,x2\n1.5,red,2.5,3\n");
		HttpResponse<String> fields = app.upload("lin", "rd-cell", "x1,color,n,x2\n1.5,red,2,3\n1,2\n");
		HttpResponse<String> quote = app.upload("lin", "rd-cell", "x1,color,n,x2\n1.5,\"red,2,3\n");
		HttpResponse<String> latin1 = Http.sendBytes("POST",
				app.url("/api/admin/models/lin/reference-datasets?name=rd-cell"),
				"x1,color,n,x2\n1.5,r\u00e9d,2,3\n".getBytes(StandardCharsets.ISO_8859_1),
				ExplainabilityApp.withContentType(app.admin(), "text/csv"));

		assertThat(number.statusCode()).isEqualTo(400);
		assertThat(Json.read(number.body()).path("error").path("message").asString())
			.isEqualTo("row 2 (line 3), column 'n': 'two' is not an integer");
		assertThat(Json.read(fraction.body()).path("error").path("message").asString())
			.isEqualTo("row 1 (line 2), column 'n': '2.5' is not an integer");
		assertThat(Json.read(fields.body()).path("error").path("message").asString())
			.isEqualTo("row 2 (line 3) has 2 fields; the header has 4");
		assertThat(quote.statusCode()).isEqualTo(400);
		assertThat(Json.read(quote.body()).path("error").path("message").asString()).startsWith("line 2: ");
		assertThat(latin1.statusCode()).isEqualTo(400);
		assertThat(Json.read(latin1.body()).path("error").path("message").asString()).contains("not UTF-8");
		assertThat(names(app, "lin")).doesNotContain("rd-cell");
	}

	@Test
	void badRequestsAreClearClientErrors(ExplainabilityApp app) {
		HttpResponse<String> json = Http.send("POST", app.url("/api/admin/models/lin/reference-datasets?name=rd-x"),
				"{}", app.admin());
		HttpResponse<String> noName = Http.send("POST", app.url("/api/admin/models/lin/reference-datasets"),
				"x1,color,n,x2\n1,red,2,3\n", ExplainabilityApp.withContentType(app.admin(), "text/csv"));
		HttpResponse<String> empty = app.upload("lin", "rd-empty", "");
		HttpResponse<String> headerOnly = app.upload("lin", "rd-empty", "x1,color,n,x2\n");
		HttpResponse<String> unknownModel = app.upload("no-such-model", "rd-x", "a\n1\n");
		HttpResponse<String> unknownParameter = Http.send("POST",
				app.url("/api/admin/models/lin/reference-datasets?name=rd-x&limit=3"), "x1,color,n,x2\n1,red,2,3\n",
				ExplainabilityApp.withContentType(app.admin(), "text/csv"));

		assertThat(json.statusCode()).isEqualTo(415);
		assertThat(noName.statusCode()).isEqualTo(400);
		assertThat(Json.read(noName.body()).path("error").path("code").asString()).isEqualTo("invalid_name");
		assertThat(empty.statusCode()).isEqualTo(400);
		assertThat(Json.read(empty.body()).path("error").path("code").asString()).isEqualTo("empty_dataset");
		assertThat(headerOnly.statusCode()).isEqualTo(400);
		assertThat(unknownModel.statusCode()).isEqualTo(404);
		assertThat(unknownParameter.statusCode()).isEqualTo(400);
	}

	@Test
	void aNameIsTakenOncePerModelUntilTheDatasetIsDeleted(ExplainabilityApp app) {
		String csv = "x1,color,n,x2\n1,red,2,3\n";
		String id = app.uploaded("lin", "rd-twice", csv);

		HttpResponse<String> again = app.upload("lin", "rd-twice", csv);
		assertThat(again.statusCode()).isEqualTo(409);

		assertThat(Http.send("DELETE", app.url("/api/admin/models/lin/reference-datasets/" + id), null, app.bearer())
			.statusCode()).isEqualTo(204);
		assertThat(app.upload("lin", "rd-twice", csv).statusCode()).isEqualTo(201);
	}

	@Test
	void deletionShredsKeyAndChunksButKeepsTheDigestAndIsAudited(ExplainabilityApp app) {
		String id = app.uploaded("lin", "rd-delete", ExplainabilityApp.csv(ExplainabilityApp.tabularRows(70, 4)));
		UUID uuid = UUID.fromString(id);

		HttpResponse<String> compliance = Http.send("DELETE", app.url("/api/admin/models/lin/reference-datasets/" + id),
				null, app.compliance());
		HttpResponse<String> deleted = Http.send("DELETE", app.url("/api/admin/models/lin/reference-datasets/" + id),
				null, app.bearer());

		assertThat(compliance.statusCode()).isEqualTo(403);
		assertThat(deleted.statusCode()).isEqualTo(204);
		assertThat(Http.get(app.url("/api/admin/models/lin/reference-datasets/" + id), app.admin()).statusCode())
			.isEqualTo(404);
		assertThat(Http.send("DELETE", app.url("/api/admin/models/lin/reference-datasets/" + id), null, app.bearer())
			.statusCode()).isEqualTo(404);
		Map<String, Object> row = app.warden()
			.app()
			.jdbc()
			.sql("SELECT data_key IS NULL AS shredded, sha256, deleted_by, "
					+ "(SELECT count(*) FROM reference_dataset_chunks WHERE dataset_id = :id) AS chunks "
					+ "FROM reference_datasets WHERE id = :id")
			.param("id", uuid)
			.query()
			.singleRow();
		assertThat(row.get("shredded")).isEqualTo(true);
		assertThat(row.get("chunks")).isEqualTo(0L);
		assertThat((String) row.get("sha256")).hasSize(64);
		assertThat(row.get("deleted_by")).isEqualTo("alice");
		JsonNode events = Json.read(
				Http.get(app.url("/api/admin/audit-events?target_type=reference_dataset&target_id=" + id), app.admin())
					.body());
		assertThat(events.path("content").get(0).path("action").asString()).isEqualTo("explainability.dataset_deleted");
		assertThat(events.path("content").get(0).path("details").path("chunks_destroyed").asLong()).isEqualTo(2);
	}

	@Test
	void complianceReadsButCannotRegister(ExplainabilityApp app) {
		String id = app.uploaded("lin", "rd-roles", "x1,color,n,x2\n1,red,2,3\n");

		HttpResponse<String> list = Http.get(app.url("/api/admin/models/lin/reference-datasets?size=500"),
				app.compliance());
		HttpResponse<String> one = Http.get(app.url("/api/admin/models/lin/reference-datasets/" + id),
				app.compliance());
		HttpResponse<String> upload = Http.send("POST",
				app.url("/api/admin/models/lin/reference-datasets?name=rd-roles-2"), "x1,color,n,x2\n1,red,2,3\n",
				ExplainabilityApp.withContentType(app.compliance(), "text/csv"));
		HttpResponse<String> shipped = Http.send("POST", app.url("/api/admin/models/txt/reference-datasets/shipped"),
				"{\"dataset\":\"spamassassin_validation\"}", app.compliance());

		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(Json.read(list.body()).path("content").findValuesAsString("id")).contains(id);
		assertThat(one.statusCode()).isEqualTo(200);
		assertThat(upload.statusCode()).isEqualTo(403);
		assertThat(shipped.statusCode()).isEqualTo(403);
	}

	@Test
	void listsArePagedNewestFirst(ExplainabilityApp app) {
		app.uploaded("lin", "rd-page-1", "x1,color,n,x2\n1,red,2,3\n");
		app.uploaded("lin", "rd-page-2", "x1,color,n,x2\n1,red,2,3\n");

		JsonNode first = Json
			.read(Http.get(app.url("/api/admin/models/lin/reference-datasets?size=1"), app.admin()).body());

		assertThat(first.path("size").asInt()).isEqualTo(1);
		assertThat(first.path("page").asInt()).isZero();
		assertThat(first.path("next_page").asInt()).isEqualTo(1);
		assertThat(first.path("content").get(0).path("name").asString()).isEqualTo("rd-page-2");
		assertThat(Http.get(app.url("/api/admin/models/nope/reference-datasets"), app.admin()).statusCode())
			.isEqualTo(404);
		assertThat(Http.get(app.url("/api/admin/models/lin/reference-datasets/" + UUID.randomUUID()), app.admin())
			.statusCode()).isEqualTo(404);
		assertThat(Http.get(app.url("/api/admin/models/lin/reference-datasets/not-a-uuid"), app.admin()).statusCode())
			.isEqualTo(400);
	}

	@Test
	void theShippedSpamDatasetBecomesTheTextInputOfATextModel(ExplainabilityApp app) {
		HttpResponse<String> response = Http.send("POST", app.url("/api/admin/models/txt/reference-datasets/shipped"),
				"{\"dataset\":\"spamassassin_validation\"}", app.admin());
		HttpResponse<String> unknown = Http.send("POST", app.url("/api/admin/models/txt/reference-datasets/shipped"),
				"{\"dataset\":\"adult_train\"}", app.admin());
		HttpResponse<String> doesNotFit = Http.send("POST", app.url("/api/admin/models/lin/reference-datasets/shipped"),
				"{\"dataset\":\"adult_validation\"}", app.admin());

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		JsonNode dataset = Json.read(response.body());
		assertThat(dataset.path("source").asString()).isEqualTo("shipped");
		assertThat(dataset.path("name").asString()).isEqualTo("spamassassin_validation");
		assertThat(dataset.path("row_count").asLong()).isEqualTo(60);
		assertThat(dataset.path("columns").findValuesAsString("name")).containsExactly("text");
		assertThat(dataset.path("sha256").asString())
			.isEqualTo(sha256(ExplainabilityApp.spamCsv(60, 11).getBytes(StandardCharsets.UTF_8)));
		assertThat(unknown.statusCode()).isEqualTo(400);
		assertThat(Json.read(unknown.body()).path("error").path("message").asString())
			.contains("adult_validation, spamassassin_validation");
		assertThat(doesNotFit.statusCode()).isEqualTo(422);
		assertThat(Json.read(doesNotFit.body()).path("error").path("message").asString())
			.contains("missing columns [color, n, x1, x2]");
	}

	private static List<String> names(ExplainabilityApp app, String model) {
		return Json
			.read(Http.get(app.url("/api/admin/models/" + model + "/reference-datasets?size=500"), app.admin()).body())
			.path("content")
			.findValuesAsString("name");
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
