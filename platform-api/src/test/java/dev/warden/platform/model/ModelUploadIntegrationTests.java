package dev.warden.platform.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static dev.warden.platform.model.TestArchives.HARDLINK;
import static dev.warden.platform.model.TestArchives.SYMLINK;
import static dev.warden.platform.model.TestArchives.gzip;
import static dev.warden.platform.model.TestArchives.tarGz;
import static dev.warden.platform.model.TestArchives.with;
import static dev.warden.platform.model.TestArchives.without;
import static dev.warden.platform.model.TestArchives.zip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/admin/models/{model}/versions} against the real application (embedded
 * PostgreSQL, real JWTs, real model store on disk). The archives are built from a real
 * SavedModel exported by the worker's {@code IncomeModelTrainer} (test resource
 * {@code saved-model/income}); the worker's validation endpoint is played by
 * {@link StubValidationWorker}, which shares no directory with the gateway: it is sent
 * each version's archive.
 */
class ModelUploadIntegrationTests {

	private static final long MAX_BYTES = 512 * 1024;

	private static final long MAX_UNCOMPRESSED = 2 * 1024 * 1024;

	private static final int MAX_ENTRIES = 64;

	@TempDir
	static Path dataDir;

	static Path store;

	static Map<String, byte[]> savedModel;

	static StubValidationWorker worker;

	static WardenFixture warden;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws Exception {
		savedModel = TestArchives.incomeSavedModel();
		store = dataDir.resolve("models");
		worker = new StubValidationWorker(savedModel.get("saved_model.pb"));
		warden = WardenFixture.start(dataDir,
				Map.of("warden.worker.url", worker.url(), "warden.models.store", store.toString(),
						"warden.models.upload.max-bytes", MAX_BYTES, "warden.models.upload.max-uncompressed-bytes",
						MAX_UNCOMPRESSED, "warden.models.upload.max-entries", MAX_ENTRIES));
		app = warden.app();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
		worker.close();
	}

	@Test
	void zipIsAcceptedRecordedAuditedAndMovedIntoTheStore() throws Exception {
		byte[] archive = zip(savedModel);

		HttpResponse<String> response = upload("m-zip", "model.zip", archive, warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(response.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/api/admin/models/m-zip/versions/1"));
		JsonNode body = Json.read(response.body());
		assertThat(body.path("name").asString()).isEqualTo("m-zip");
		assertThat(body.path("version").asString()).isEqualTo("1");
		assertThat(body.path("sha256").asString()).isEqualTo(sha256(archive));
		assertThat(body.path("size_bytes").asLong()).isEqualTo(archive.length);
		assertThat(body.path("uploaded_by").asString()).isEqualTo("alice");
		assertThat(body.path("uploaded_at").asString()).isNotBlank();
		assertThat(body.path("signature_defs").path("serving_default").path("inputs").has("age")).isTrue();
		for (Map.Entry<String, byte[]> file : savedModel.entrySet()) {
			Path stored = store.resolve("m-zip/1").resolve(file.getKey());
			if (file.getKey().endsWith("/")) {
				assertThat(stored).isDirectory();
			}
			else {
				assertThat(stored).hasBinaryContent(file.getValue());
			}
		}
		// the worker was sent the version itself, the same archive the model store keeps,
		// with its SHA-256: it needs no directory shared with this gateway
		String storedArchive = app.jdbc()
			.sql("SELECT sha256 FROM model_store_archives WHERE model = 'm-zip' AND version = 1")
			.query(String.class)
			.single();
		assertThat(worker.validatedArchives).contains(storedArchive);
		assertThat(worker.refusedArchives).isEmpty();
		assertThat(worker.reloadRequests).contains("/internal/v1/models/m-zip:reload");
		assertThat(stagingDirectories()).isEmpty();
		Map<String, Object> row = app.jdbc()
			.sql("SELECT v.sha256, v.size_bytes, v.uploaded_by, v.archive_format, v.signature_defs::text AS defs "
					+ "FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'm-zip' AND v.version = 1")
			.query()
			.singleRow();
		assertThat(row).containsEntry("sha256", sha256(archive))
			.containsEntry("size_bytes", (long) archive.length)
			.containsEntry("uploaded_by", "alice")
			.containsEntry("archive_format", "zip");
		assertThat(Json.read((String) row.get("defs"))).isEqualTo(Json.read(StubValidationWorker.SIGNATURE_DEFS));
		Map<String, Object> audit = app.jdbc()
			.sql("SELECT actor, action, target_type, details::text AS details FROM audit_events WHERE target_id = 'm-zip/1'")
			.query()
			.singleRow();
		assertThat(audit).containsEntry("actor", "alice")
			.containsEntry("action", "model_version.uploaded")
			.containsEntry("target_type", "model_version");
		assertThat((String) audit.get("details")).contains(sha256(archive));
	}

	@Test
	void tarGzWithTheSavedModelInsideOneTopLevelDirectoryIsAccepted() throws Exception {
		Map<String, byte[]> wrapped = new java.util.LinkedHashMap<>();
		wrapped.put("./", new byte[0]);
		wrapped.put("./income/", new byte[0]);
		savedModel.forEach((name, content) -> wrapped.put("./income/" + name, content));

		HttpResponse<String> response = upload("m-tar", "income-export.tgz", tarGz(wrapped),
				warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(Json.read(response.body()).path("version").asString()).isEqualTo("1");
		assertThat(store.resolve("m-tar/1/saved_model.pb")).hasBinaryContent(savedModel.get("saved_model.pb"));
		assertThat(store.resolve("m-tar/1/income")).doesNotExist();
		assertThat(app.jdbc()
			.sql("SELECT archive_format FROM model_versions v JOIN models m ON m.id = v.model_id "
					+ "WHERE m.name = 'm-tar'")
			.query(String.class)
			.single()).isEqualTo("tar.gz");
		assertThat(stagingDirectories()).isEmpty();
	}

	@Test
	void formatIsDetectedByContentNotByTheFileName() throws Exception {
		HttpResponse<String> response = upload("m-misnamed", "model.zip", tarGz(savedModel),
				warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(store.resolve("m-misnamed/1/saved_model.pb")).exists();
	}

	@Test
	void consecutiveUploadsGetConsecutiveNumbersAndNeverOverwrite() throws Exception {
		byte[] archive = zip(savedModel);

		assertThat(versionOf(upload("m-seq", "a.zip", archive, warden.bearer("alice", "ADMIN")))).isEqualTo(1);
		assertThat(versionOf(upload("m-seq", "a.zip", archive, warden.bearer("alice", "ADMIN")))).isEqualTo(2);

		assertThat(store.resolve("m-seq/1/saved_model.pb")).exists();
		assertThat(store.resolve("m-seq/2/saved_model.pb")).exists();
		HttpResponse<String> versions = Http.get(app.url("/api/admin/models/m-seq/versions"), "Authorization",
				warden.bearer("carol", "COMPLIANCE"));
		assertThat(versions.statusCode()).isEqualTo(200);
		JsonNode list = Json.read(versions.body()).path("content");
		assertThat(list.size()).isEqualTo(2);
		assertThat(list.get(1).path("version").asString()).isEqualTo("2");
		assertThat(list.get(1).path("sha256").asString()).isEqualTo(sha256(archive));
		assertThat(list.get(1).path("size_bytes").asLong()).isEqualTo(archive.length);
		assertThat(list.get(1).path("uploaded_by").asString()).isEqualTo("alice");
		assertThat(list.get(1).path("uploaded_at").asString()).isNotBlank();
		assertThat(list.get(1).path("signature_defs").has("serving_default")).isTrue();
		HttpResponse<String> model = Http.get(app.url("/api/admin/models/m-seq"), "Authorization",
				warden.bearer("alice", "ADMIN"));
		assertThat(model.body()).contains("\"sha256\":\"" + sha256(archive) + "\"", "\"uploaded_by\":\"alice\"");
		assertThat(Http
			.get(app.url("/api/admin/models/m-seq/versions/2"), "Authorization", warden.bearer("alice", "ADMIN"))
			.body()).contains("\"version\":\"2\"");
		assertThat(Http
			.get(app.url("/api/admin/models/m-seq/versions/3"), "Authorization", warden.bearer("alice", "ADMIN"))
			.statusCode()).isEqualTo(404);
	}

	@Test
	void concurrentUploadsGetDifferentNumbers() throws Exception {
		byte[] archive = zip(savedModel);
		String token = warden.bearer("alice", "ADMIN");

		List<CompletableFuture<HttpResponse<String>>> uploads = Stream.of(1, 2, 3)
			.map((i) -> CompletableFuture.supplyAsync(() -> upload("m-race", "a.zip", archive, token)))
			.toList();

		Set<Long> versions = uploads.stream().map(CompletableFuture::join).map((r) -> {
			assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
			return versionOf(r);
		}).collect(Collectors.toSet());
		assertThat(versions).containsExactlyInAnyOrder(1L, 2L, 3L);
	}

	@Test
	void numberingContinuesAfterTheHighestVersionAlreadyOnDisk() throws Exception {
		Files.createDirectories(store.resolve("m-disk/7"));

		assertThat(versionOf(upload("m-disk", "a.zip", zip(savedModel), warden.bearer("alice", "ADMIN")))).isEqualTo(8);
	}

	@Test
	void catalogueSyncFromTheWorkerKeepsTheUploadMetadata() throws Exception {
		byte[] archive = zip(savedModel);
		assertThat(versionOf(upload("m-sync", "a.zip", archive, warden.bearer("alice", "ADMIN")))).isEqualTo(1);
		// the stub answers 404 to the metadata call: the sync sees the version but no
		// signature defs
		worker
			.listing("{\"models\":[{\"name\":\"m-sync\",\"versions\":[{\"version\":\"1\",\"state\":\"AVAILABLE\"}]}]}");
		try {
			app.bean(ModelCatalogue.class).sync();
		}
		finally {
			worker.listing("{\"models\":[]}");
		}

		JsonNode version = Json.read(Http
			.get(app.url("/api/admin/models/m-sync/versions/1"), "Authorization", warden.bearer("alice", "ADMIN"))
			.body());
		assertThat(version.path("state").asString()).isEqualTo("AVAILABLE");
		assertThat(version.path("sha256").asString()).isEqualTo(sha256(archive));
		assertThat(version.path("uploaded_by").asString()).isEqualTo("alice");
		assertThat(version.path("signature_defs").has("serving_default")).isTrue();
	}

	static Stream<Arguments> rejectedUploads() {
		Map<String, byte[]> m = savedModel;
		byte[] zip = zip(m);
		byte[] zeros = new byte[(int) MAX_UNCOMPRESSED + 1];
		Map<String, byte[]> manyEntries = new java.util.LinkedHashMap<>(m);
		for (int i = 0; i < MAX_ENTRIES; i++) {
			manyEntries.put("assets/f" + i, new byte[0]);
		}
		Map<String, byte[]> twoTopLevel = new java.util.LinkedHashMap<>();
		m.forEach((name, content) -> twoTopLevel.put("a/" + name, content));
		twoTopLevel.put("b/readme.txt", "x".getBytes(StandardCharsets.UTF_8));
		return Stream.of(
				Arguments.of("zip traversal", zip(with(m, "../x", new byte[] { 1 })), 400, "unsafe_archive",
						"parent directory"),
				Arguments.of("tar traversal", tarGz(with(m, "variables/../../x", new byte[] { 1 })), 400,
						"unsafe_archive", "parent directory"),
				Arguments.of("zip absolute path", zip(with(m, "/warden-evil/x", new byte[] { 1 })), 400,
						"unsafe_archive", "absolute path"),
				Arguments.of("tar absolute path", tarGz(with(m, "/warden-evil/x", new byte[] { 1 })), 400,
						"unsafe_archive", "absolute path"),
				Arguments.of("tar symlink", tarGz(with(m, SYMLINK + "variables/link", "/etc/passwd".getBytes())), 400,
						"unsafe_archive", "symbolic link"),
				Arguments.of("tar hard link", tarGz(with(m, HARDLINK + "hard", "saved_model.pb".getBytes())), 400,
						"unsafe_archive", "hard link"),
				Arguments.of("zip symlink", TestArchives.zipWithSymlink(m, "variables/link", "/etc/passwd"), 400,
						"unsafe_archive", "symbolic link"),
				Arguments.of("tar device", tarGz(with(m, TestArchives.CHARDEV + "variables/null", new byte[0])), 400,
						"unsafe_archive", "device"),
				// zips made on Windows use '\\' as separator, which Commons Compress
				// turns into '/'
				Arguments.of("zip windows traversal", zip(with(m, "..\\x", new byte[] { 1 })), 400, "unsafe_archive",
						"parent directory"),
				Arguments.of("tar backslash", tarGz(with(m, "variables\\x", new byte[] { 1 })), 400, "unsafe_archive",
						"backslash"),
				Arguments.of("duplicate entry", tarGz(with(m, "./saved_model.pb", new byte[] { 1 })), 400,
						"invalid_archive", "duplicate entry"),
				Arguments.of("missing saved_model.pb", zip(without(m, "saved_model.pb")), 422, "not_a_saved_model",
						"no saved_model.pb"),
				Arguments.of("two top-level directories", zip(twoTopLevel), 422, "not_a_saved_model",
						"single top-level directory"),
				Arguments.of("corrupt saved_model.pb", zip(with(m, "saved_model.pb", "garbage".getBytes())), 422,
						"invalid_saved_model", "Could not parse"),
				Arguments.of("not an archive", "hello, I am a SavedModel".getBytes(), 400, "not_an_archive",
						"neither a zip nor"),
				Arguments.of("gzip without tar", gzip("just text".getBytes()), 400, "invalid_archive",
						"does not contain a tar"),
				Arguments.of("truncated zip", java.util.Arrays.copyOf(zip, 200), 400, "invalid_archive", "zip archive"),
				Arguments.of("empty file", new byte[0], 400, "empty_file", "empty"),
				Arguments.of("over the size limit", random((int) MAX_BYTES + 1024), 413, "payload_too_large",
						"larger than the limit"),
				Arguments.of("zip bomb", zip(with(m, "variables/zeros", zeros)), 413, "archive_too_large",
						"unpacks to more than"),
				Arguments.of("too many entries", zip(manyEntries), 413, "archive_too_large", "more than 64 entries"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("rejectedUploads")
	void rejectedUploadLeavesNoDirectoryNoRowAndNoAuditEvent(String label, byte[] archive, int status, String code,
			String reason) throws Exception {
		String model = "rejected-" + Math.abs(label.hashCode());

		HttpResponse<String> response = upload(model, "model.zip", archive, warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		JsonNode error = Json.read(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo(code);
		assertThat(error.path("message").asString()).contains(reason);
		assertThat(error.path("request_id").asString()).isNotBlank();
		assertNothingLeftBehind(model);
		assertThat(Path.of("/warden-evil/x")).doesNotExist();
	}

	@Test
	void uploadManyTimesOverTheLimitIsAnswered413Json() throws Exception {
		HttpResponse<String> response = upload("m-huge", "huge.zip", random((int) MAX_BYTES * 8),
				warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("\"code\":\"payload_too_large\"");
		assertNothingLeftBehind("m-huge");
	}

	@Test
	void uploadLargerThanTheAdminBodyLimitIsStillAccepted() throws Exception {
		// the admin API's 64 KiB body limit (finding 7) does not apply to archives, which
		// have their own (512 KiB here):
		// 200 KiB reach the archive check
		HttpResponse<String> response = upload("m-large", "large.bin", random(200 * 1024),
				warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(response.body()).contains("\"code\":\"not_an_archive\"");
	}

	@Test
	void workerFailureIsAnswered502AndLeavesNothingBehind() throws Exception {
		HttpResponse<String> response = upload(StubValidationWorker.FAILING_MODEL, "a.zip", zip(savedModel),
				warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.body()).contains("\"code\":\"worker_error\"");
		assertNothingLeftBehind(StubValidationWorker.FAILING_MODEL);
	}

	@Test
	void invalidModelNameIsRefused() throws Exception {
		for (String name : List.of("Income", "-x", "a.b", "x".repeat(65))) {
			HttpResponse<String> response = upload(name, "a.zip", zip(savedModel), warden.bearer("alice", "ADMIN"));
			assertThat(response.statusCode()).as(name).isEqualTo(400);
			assertThat(response.body()).contains("\"code\":\"invalid_model_name\"");
			assertNothingLeftBehind(name);
		}
	}

	@Test
	void missingFileFieldIsRefusedWith400() throws Exception {
		byte[] body = multipart("other", "a.zip", zip(savedModel));
		HttpResponse<String> response = send("m-nofile", body, warden.bearer("alice", "ADMIN"));

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"code\":\"missing_file\"");
		assertNothingLeftBehind("m-nofile");
	}

	@Test
	void complianceRoleMayNotUpload() throws Exception {
		HttpResponse<String> response = upload("m-compliance", "a.zip", zip(savedModel),
				warden.bearer("carol", "COMPLIANCE"));

		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.body()).contains("\"code\":\"forbidden\"");
		assertNothingLeftBehind("m-compliance");
	}

	@Test
	void uploadWithoutTokenIsRefusedWith401() throws Exception {
		HttpResponse<String> response = upload("m-anonymous", "a.zip", zip(savedModel), null);

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.body()).contains("\"code\":\"unauthenticated\"");
		assertNothingLeftBehind("m-anonymous");
	}

	private static void assertNothingLeftBehind(String model) throws IOException {
		if (Files.exists(store)) {
			assertThat(store.resolve(model)).doesNotExist();
			assertThat(stagingDirectories()).isEmpty();
		}
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM models WHERE name = :name")
			.param("name", model)
			.query(Long.class)
			.single()).isZero();
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'model_version.uploaded' "
					+ "AND target_id LIKE :prefix")
			.param("prefix", model + "/%")
			.query(Long.class)
			.single()).isZero();
	}

	private static List<Path> stagingDirectories() throws IOException {
		try (Stream<Path> children = Files.list(store)) {
			return children.filter((p) -> p.getFileName().toString().startsWith(".incoming-")).toList();
		}
	}

	private static long versionOf(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return Long.parseLong(Json.read(response.body()).path("version").asString());
	}

	private static HttpResponse<String> upload(String model, String fileName, byte[] content, String authorization) {
		return send(model, multipart("file", fileName, content), authorization);
	}

	private static final String BOUNDARY = "warden-test-boundary-7d1e";

	private static HttpResponse<String> send(String model, byte[] body, String authorization) {
		String url = app.url("/api/admin/models/" + model + "/versions");
		String contentType = "multipart/form-data; boundary=" + BOUNDARY;
		return (authorization != null)
				? Http.sendBytes("POST", url, body, "Content-Type", contentType, "Authorization", authorization)
				: Http.sendBytes("POST", url, body, "Content-Type", contentType);
	}

	private static byte[] multipart(String field, String fileName, byte[] content) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
				+ fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
		out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
		out.writeBytes(content);
		out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

	private static byte[] random(int size) {
		byte[] bytes = new byte[size];
		new Random(7).nextBytes(bytes);
		return bytes;
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

}
