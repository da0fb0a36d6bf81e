package dev.warden.platform.model;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Await;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static dev.warden.platform.model.TestArchives.zip;
import static dev.warden.platform.model.ModelStoreCalls.get;
import static dev.warden.platform.model.ModelStoreCalls.listed;
import static dev.warden.platform.model.ModelStoreCalls.padded;
import static dev.warden.platform.model.ModelStoreCalls.sha256;
import static dev.warden.platform.model.ModelStoreCalls.upload;
import static dev.warden.platform.model.ModelStoreCalls.unzip;
import static dev.warden.platform.model.ModelStoreCalls.writeFiles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model store in PostgreSQL against the real application (embedded PostgreSQL, real
 * JWTs, real directory store): an upload is archived in the database, listed and served
 * to workers by {@code /internal/v1/model-store} with the registration token only, and
 * the archive unpacks to exactly the uploaded files; a second gateway on the same
 * database with a directory of its own lists and serves it too, and numbers its own
 * upload after it; a version found in the directory store at start is imported. The
 * worker's validation endpoint is played by {@link StubValidationWorker}.
 */
class ModelStoreIntegrationTests {

	private static final String TOKEN = "model-store-t0ken";

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
		// a version already in the directory store (as `warden train` leaves it) before
		// the gateway starts
		writeFiles(store.resolve("trained/3"), savedModel);
		worker = new StubValidationWorker(savedModel.get("saved_model.pb"));
		warden = WardenFixture.start(dataDir, Map.of("warden.worker.url", worker.url(), "warden.models.store",
				store.toString(), "warden.registration.token", TOKEN));
		app = warden.app();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
		worker.close();
	}

	@Test
	void anUploadIsArchivedInTheDatabaseListedAndServedToWorkersWithTheToken() throws Exception {
		// 2.5 MiB that do not compress: the archive spans three chunks
		Map<String, byte[]> files = padded(savedModel, 7);
		HttpResponse<String> uploaded = upload(app, warden.bearer("alice", "ADMIN"), "m-store", zip(files));
		assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
		assertThat(Json.read(uploaded.body()).path("version").asString()).isEqualTo("1");

		JsonNode listed = listed(app, TOKEN, "m-store", 1);
		assertThat(listed).as("listing of m-store/1").isNotNull();
		assertThat(listed.path("size_bytes").asLong()).isGreaterThan(2L * 1024 * 1024);
		assertThat(listed.path("created_at").asString()).isNotBlank();
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM model_store_chunks WHERE model = 'm-store' AND version = 1")
			.query(Long.class)
			.single()).isEqualTo(3L);

		HttpResponse<byte[]> archive = get(app, "/internal/v1/model-store/m-store/versions/1/archive", TOKEN);
		assertThat(archive.statusCode()).isEqualTo(200);
		String sha256 = sha256(archive.body());
		assertThat(sha256).isEqualTo(listed.path("sha256").asString());
		assertThat((long) archive.body().length).isEqualTo(listed.path("size_bytes").asLong());
		assertThat(archive.headers().firstValueAsLong("Content-Length")).hasValue(archive.body().length);
		assertThat(archive.headers().firstValue("ETag")).hasValue("\"" + sha256 + "\"");
		assertThat(archive.headers().firstValue("Digest"))
			.hasValue("sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)));
		assertThat(unzip(archive.body())).containsOnlyKeys(files.keySet())
			.allSatisfy((name, content) -> assertThat(content).as(name).isEqualTo(files.get(name)));
		assertThat(store.resolve("m-store/1/assets.extra/padding.bin"))
			.hasBinaryContent(files.get("assets.extra/padding.bin"));
	}

	@Test
	void withoutTheRegistrationTokenTheModelStoreIsRefusedAndAnUnknownVersionIs404() throws Exception {
		assertThat(upload(app, warden.bearer("alice", "ADMIN"), "m-private", zip(savedModel)).statusCode())
			.isEqualTo(201);
		String archive = "/internal/v1/model-store/m-private/versions/1/archive";
		for (String path : new String[] { "/internal/v1/model-store", archive }) {
			HttpResponse<byte[]> missing = get(app, path, null);
			assertThat(missing.statusCode()).as(path).isEqualTo(401);
			assertThat(
					Json.read(new String(missing.body(), StandardCharsets.UTF_8)).path("error").path("code").asString())
				.isEqualTo("invalid_registration_token");
			assertThat(get(app, path, "wrong-token").statusCode()).as(path).isEqualTo(401);
			// an admin token is not a worker's token
			HttpResponse<String> admin = Http.get(app.url(path), "Authorization", warden.bearer("alice", "ADMIN"));
			assertThat(admin.statusCode()).as(path).isEqualTo(401);
		}
		assertThat(get(app, archive, TOKEN).statusCode()).isEqualTo(200);

		HttpResponse<byte[]> unknown = get(app, "/internal/v1/model-store/m-private/versions/99/archive", TOKEN);
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(Json.read(new String(unknown.body(), StandardCharsets.UTF_8)).path("error").path("code").asString())
			.isEqualTo("model_version_not_found");
		assertThat(get(app, "/internal/v1/model-store/no-such-model/versions/1/archive", TOKEN).statusCode())
			.isEqualTo(404);
		assertThat(get(app, "/internal/v1/model-store/m-private/versions/x/archive", TOKEN).statusCode())
			.isEqualTo(404);
		// not in the admin API's OpenAPI document
		HttpResponse<String> openApi = Http.get(app.url("/v3/api-docs"));
		assertThat(openApi.statusCode()).isEqualTo(200);
		assertThat(openApi.body()).doesNotContain("model-store");
	}

	@Test
	void aSecondGatewayWithItsOwnDirectoryListsAndServesTheVersionAndNumbersAfterIt() throws Exception {
		assertThat(upload(app, warden.bearer("alice", "ADMIN"), "m-shared", zip(savedModel)).statusCode())
			.isEqualTo(201);
		JsonNode first = listed(app, TOKEN, "m-shared", 1);
		assertThat(first).isNotNull();

		Path otherStore = Files.createDirectories(dataDir.resolve("other-machine-models"));
		try (StubValidationWorker otherWorker = new StubValidationWorker(savedModel.get("saved_model.pb"))) {
			Map<String, Object> properties = new LinkedHashMap<>();
			properties.put("warden.security.issuer-uri", warden.issuer().issuer());
			properties.put("warden.worker.url", otherWorker.url());
			properties.put("warden.models.store", otherStore.toString());
			properties.put("warden.registration.token", TOKEN);
			properties.putAll(app.databaseProperties());
			try (WardenTestApp replica = WardenTestApp.start(dataDir, properties)) {
				JsonNode onReplica = listed(replica, TOKEN, "m-shared", 1);
				assertThat(onReplica).isNotNull();
				assertThat(onReplica.path("sha256").asString()).isEqualTo(first.path("sha256").asString());
				HttpResponse<byte[]> archive = get(replica, "/internal/v1/model-store/m-shared/versions/1/archive",
						TOKEN);
				assertThat(archive.statusCode()).isEqualTo(200);
				assertThat(sha256(archive.body())).isEqualTo(first.path("sha256").asString());
				assertThat(otherStore.resolve("m-shared")).doesNotExist();

				// its directory has no m-shared/1: the database's store numbers its
				// upload
				HttpResponse<String> second = upload(replica, warden.bearer("alice", "ADMIN"), "m-shared",
						zip(savedModel));
				assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
				assertThat(Json.read(second.body()).path("version").asString()).isEqualTo("2");
				assertThat(otherStore.resolve("m-shared/2/saved_model.pb")).exists();
				assertThat(listed(app, TOKEN, "m-shared", 2)).isNotNull();
			}
		}
	}

	@Test
	void aVersionInTheDirectoryStoreAtStartIsImported() throws Exception {
		JsonNode imported = Await.within(Duration.ofSeconds(30), () -> listed(app, TOKEN, "trained", 3),
				(found) -> found != null);
		assertThat(imported).as("trained/3 imported at start").isNotNull();
		HttpResponse<byte[]> archive = get(app, "/internal/v1/model-store/trained/versions/3/archive", TOKEN);
		assertThat(archive.statusCode()).isEqualTo(200);
		assertThat(sha256(archive.body())).isEqualTo(imported.path("sha256").asString());
		assertThat(unzip(archive.body())).containsOnlyKeys(savedModel.keySet())
			.allSatisfy((name, content) -> assertThat(content).as(name).isEqualTo(savedModel.get(name)));
		assertThat(app.jdbc()
			.sql("SELECT source FROM model_store_archives WHERE model = 'trained' AND version = 3")
			.query(String.class)
			.single()).isEqualTo("import");

		// a version added to the directory later is imported by the next scan, once
		writeFiles(store.resolve("trained/4"), savedModel);
		assertThat(app.bean(ModelStoreImport.class).importOnce()).isEqualTo(1);
		assertThat(app.bean(ModelStoreImport.class).importOnce()).isZero();
		JsonNode fourth = listed(app, TOKEN, "trained", 4);
		assertThat(fourth).isNotNull();
		// the same files give the same archive
		assertThat(fourth.path("sha256").asString()).isEqualTo(imported.path("sha256").asString());

		// an upload is numbered after the imported versions
		HttpResponse<String> uploaded = upload(app, warden.bearer("alice", "ADMIN"), "trained", zip(savedModel));
		assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
		assertThat(Json.read(uploaded.body()).path("version").asString()).isEqualTo("5");
	}

}
