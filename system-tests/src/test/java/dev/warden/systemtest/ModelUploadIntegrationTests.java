package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.worker.loader.DeclaredShapeModels;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model version uploaded through the admin API by an administrator is validated by the
 * real worker, stored in the shared model store and served by the worker right away,
 * through the gateway with a tenant's key.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelUploadIntegrationTests {

	WardenCluster cluster;

	String adminToken;

	String apiKey;

	@BeforeAll
	void adminAndTenant(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		adminToken = cluster.adminToken();
		// the default plan
		apiKey = cluster.newTenantKey("uploader", null);
	}

	@Test
	void anUploadedVersionIsValidatedStoredAndServedThroughTheGateway() throws Exception {
		var model = "income-upload-" + UUID.randomUUID().toString().substring(0, 6);
		var archive = Http.zip(cluster.modelVersionDir);

		var uploaded = upload(model, "model.zip", archive);

		assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
		var version = JsonMapper.shared().readTree(uploaded.body());
		assertThat(version.path("version").asString()).isEqualTo("1");
		assertThat(version.path("uploaded_by").asString()).isEqualTo("admin");
		assertThat(version.path("sha256").asString()).hasSize(64);
		assertThat(version.toString()).contains("serving_default", "native_country");
		assertThat(cluster.modelStore.resolve(model).resolve("1").resolve("saved_model.pb")).isRegularFile();

		var body = JsonMapper.shared().writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS));
		var served = awaitPrediction("/v1/models/" + model + ":predict", body);
		var reference = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(apiKey), body);
		assertThat(served.header("X-Model-Version")).isEqualTo("1");
		for (int i = 0; i < EndToEndIntegrationTests.RECORDS.size(); i++) {
			assertThat(served.json().path("predictions").get(i).path("probability").asDouble())
				.isCloseTo(reference.json().path("predictions").get(i).path("probability").asDouble(), within(1e-7));
		}
	}

	/**
	 * A worker on another machine (its own empty model store, no shared directory) copies
	 * an uploaded version from the gateway's model store in PostgreSQL, with the same
	 * bytes as the uploaded files, and serves the same predictions.
	 */
	@Test
	void aWorkerWithoutTheSharedDirectorySyncsAnUploadedVersionAndServesIt(@TempDir Path elsewhere) throws Exception {
		var model = "income-synced-" + UUID.randomUUID().toString().substring(0, 6);
		var uploaded = upload(model, "model.zip", Http.zip(cluster.modelVersionDir));
		assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
		var body = JsonMapper.shared().writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS));
		var reference = awaitPrediction("/v1/models/" + model + ":predict", body);

		Path store = Files.createDirectories(elsewhere.resolve("models"));
		int port = WardenCluster.freePort();
		Process worker = cluster.startSyncingWorker("sync-worker", store, port);
		try {
			var direct = Map.of("Authorization", "Bearer " + WardenCluster.REGISTRATION_TOKEN);
			var url = "http://127.0.0.1:" + port + "/v1/models/" + model + ":predict";
			var deadline = Instant.now().plus(Duration.ofSeconds(90));
			Http.Response served = Http.postJson(url, direct, body);
			while (served.status() != 200 && Instant.now().isBefore(deadline)) {
				Thread.sleep(250);
				served = Http.postJson(url, direct, body);
			}
			assertThat(served.status()).as("the synced version served within 90 s: %s", served.body()).isEqualTo(200);
			for (int i = 0; i < EndToEndIntegrationTests.RECORDS.size(); i++) {
				assertThat(served.json().path("predictions").get(i).path("probability").asDouble()).isCloseTo(
						reference.json().path("predictions").get(i).path("probability").asDouble(), within(1e-7));
			}
			Path synced = store.resolve(model).resolve("1");
			try (Stream<Path> files = Files.walk(cluster.modelVersionDir)) {
				for (Path file : files.filter(Files::isRegularFile).toList()) {
					assertThat(synced.resolve(cluster.modelVersionDir.relativize(file).toString()))
						.hasSameBinaryContentAs(file);
				}
			}
			// no temporary download directory left behind; the version is marked as the
			// sync's copy (the cache deletes only what it copied)
			try (Stream<Path> entries = Files.list(store)) {
				assertThat(entries.map((p) -> p.getFileName().toString())).noneMatch((n) -> n.startsWith(".sync-"));
			}
			assertThat(store.resolve(".synced").resolve(model).resolve("1")).isRegularFile();
		}
		finally {
			cluster.stopWorker(worker);
		}
	}

	@Test
	void anArchiveThatIsNotASavedModelIsRefusedAndLeavesNothingBehind() throws Exception {
		var model = "not-a-model-" + UUID.randomUUID().toString().substring(0, 6);
		var bytes = new ByteArrayOutputStream();
		try (var zip = new ZipOutputStream(bytes)) {
			zip.putNextEntry(new ZipEntry("saved_model.pb"));
			zip.write("this is not a protocol buffer".getBytes(StandardCharsets.UTF_8));
			zip.closeEntry();
		}

		var refused = upload(model, "broken.zip", bytes.toByteArray());

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(JsonMapper.shared().readTree(refused.body()).path("error").path("code").asString())
			.isEqualTo("invalid_saved_model");
		assertThat(cluster.modelStore.resolve(model)).doesNotExist();
		try (Stream<Path> entries = Files.list(cluster.modelStore)) {
			assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".incoming"));
		}
		var listed = Http.get(cluster.gateway() + "/api/admin/models/" + model, Http.bearer(adminToken));
		assertThat(listed.status()).isEqualTo(404);
	}

	/**
	 * Finding 10: an upload whose signature declares a 20,000,000-wide input made the
	 * validating worker's warm-up allocate in proportion; the real worker now refuses it
	 * before allocating, and the admin API answers 422 with the worker's reason naming
	 * the input and its declared shape. (A normal model still uploads: the test above.)
	 */
	@Test
	void anUploadDeclaringAnAbsurdlyWideInputIsRefusedWith422NamingTheInput(@TempDir Path dir) throws Exception {
		var model = "wide-" + UUID.randomUUID().toString().substring(0, 6);
		var archive = Http.zip(DeclaredShapeModels.export(dir.resolve("wide"), "pixels", 20_000_000));

		var refused = upload(model, "wide.zip", archive);

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		var error = JsonMapper.shared().readTree(refused.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("invalid_saved_model");
		assertThat(error.path("message").asString()).contains("input 'pixels'", "shape [-1, 20000000]",
				"max-input-elements");
		assertThat(error.path("request_id").asString()).isNotBlank();
		assertThat(cluster.modelStore.resolve(model)).doesNotExist();
		assertThat(Http.get(cluster.gateway() + "/api/admin/models/" + model, Http.bearer(adminToken)).status())
			.isEqualTo(404);
	}

	private Http.Response awaitPrediction(String path, String body) throws Exception {
		// the gateway asks the worker to load the version at once; poll in case it is
		// still warming up
		var deadline = Instant.now().plus(Duration.ofSeconds(60));
		Http.Response last;
		do {
			last = Http.postJson(cluster.gateway() + path, Http.bearer(apiKey), body);
			if (last.status() == 200) {
				return last;
			}
			Thread.sleep(200);
		}
		while (Instant.now().isBefore(deadline));
		throw new AssertionError("the uploaded model was not served within 60 s: " + last.status() + " " + last.body());
	}

	private Http.Response upload(String model, String filename, byte[] archive)
			throws IOException, InterruptedException {
		return Http.postFile(cluster.gateway() + "/api/admin/models/" + model + "/versions", Http.bearer(adminToken),
				"file", filename, archive);
	}

}
