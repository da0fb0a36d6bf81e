package dev.warden.platform.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.Await;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.model.ModelArchives.ArchivedVersion;
import dev.warden.platform.model.ModelArchives.ModelStoreUnavailableException;
import dev.warden.platform.model.internal.VerifiedArchiveStream;

import static dev.warden.platform.model.TestArchives.zip;
import static dev.warden.platform.model.ModelStoreCalls.get;
import static dev.warden.platform.model.ModelStoreCalls.listed;
import static dev.warden.platform.model.ModelStoreCalls.padded;
import static dev.warden.platform.model.ModelStoreCalls.sha256;
import static dev.warden.platform.model.ModelStoreCalls.upload;
import static dev.warden.platform.model.ModelStoreCalls.unzip;
import static dev.warden.platform.model.ModelStoreCalls.writeFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The model store with its archives in S3-compatible object storage, against a real
 * S3-compatible server on this machine ({@link S3Server}) and the real application
 * (embedded PostgreSQL, real JWTs): an upload becomes one content-addressed object and a
 * row without chunks, and is served to workers with the registration token only, the
 * recorded bytes; a second gateway on the same database and bucket lists, serves and
 * numbers after it; a version stored in PostgreSQL before the switch is still served; a
 * version of the directory store is imported into the bucket; an object changed behind
 * the platform's back is never served as the recorded archive; an object whose row is not
 * committed is deleted again; a bucket that cannot be used fails the start.
 */
class S3ModelStoreIntegrationTests {

	private static final String TOKEN = "s3-model-store-t0ken";

	private static final String BUCKET = "warden-models";

	private static final String PREFIX = "test-store";

	@TempDir
	static Path dataDir;

	static S3Server s3Server;

	static S3Client s3;

	static Map<String, byte[]> savedModel;

	static Path store;

	static StubValidationWorker worker;

	static WardenFixture warden;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws Exception {
		savedModel = TestArchives.incomeSavedModel();
		s3Server = S3Server.start(Files.createDirectories(dataDir.resolve("s3")));
		s3 = s3Server.client();
		s3.createBucket((bucket) -> bucket.bucket(BUCKET));
		store = dataDir.resolve("models");
		// a version already in the directory store (as `warden train` leaves it)
		writeFiles(store.resolve("s3-trained/2"), savedModel);
		worker = new StubValidationWorker(savedModel.get("saved_model.pb"));
		warden = WardenFixture.start(dataDir, s3Settings(worker.url(), store));
		app = warden.app();
	}

	@AfterAll
	static void stop() throws Exception {
		try (S3Server closedLast = s3Server; S3Client client = s3; StubValidationWorker stub = worker) {
			if (warden != null) {
				warden.close();
			}
		}
	}

	static Map<String, Object> s3Settings(String workerUrl, Path directoryStore) {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("warden.worker.url", workerUrl);
		settings.put("warden.models.store", directoryStore.toString());
		settings.put("warden.registration.token", TOKEN);
		settings.put("warden.models.archive-store", "s3");
		settings.put("warden.models.s3.endpoint", s3Server.endpoint());
		settings.put("warden.models.s3.region", S3Server.REGION);
		settings.put("warden.models.s3.bucket", BUCKET);
		settings.put("warden.models.s3.prefix", "/" + PREFIX + "/");
		settings.put("warden.models.s3.path-style", "true");
		settings.put("warden.models.s3.access-key-id", S3Server.ACCESS_KEY);
		settings.put("warden.models.s3.secret-access-key", S3Server.SECRET_KEY);
		return settings;
	}

	@Test
	void anUploadIsOneObjectInTheBucketNoChunksAndIsServedToWorkersWithTheToken() throws Exception {
		// 2.5 MiB that do not compress: more than one chunk's worth, and more than one
		// read buffer
		Map<String, byte[]> files = padded(savedModel, 11);
		HttpResponse<String> uploaded = upload(app, warden.bearer("alice", "ADMIN"), "s3-upload", zip(files));
		assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
		assertThat(Json.read(uploaded.body()).path("version").asString()).isEqualTo("1");

		JsonNode listed = listed(app, TOKEN, "s3-upload", 1);
		assertThat(listed).as("listing of s3-upload/1").isNotNull();
		String sha256 = listed.path("sha256").asString();
		long size = listed.path("size_bytes").asLong();
		assertThat(size).isGreaterThan(2L * 1024 * 1024);
		List<S3Object> objects = objects("s3-upload/");
		assertThat(objects).extracting(S3Object::key).containsExactly(PREFIX + "/s3-upload/1/" + sha256 + ".zip");
		assertThat(objects.get(0).size()).isEqualTo(size);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM model_store_chunks WHERE model = 's3-upload'")
			.query(Long.class)
			.single()).isZero();
		assertThat(app.jdbc()
			.sql("SELECT archive_store || ' ' || chunks || ' ' || object_key FROM model_store_archives "
					+ "WHERE model = 's3-upload' AND version = 1")
			.query(String.class)
			.single()).isEqualTo("s3 0 " + PREFIX + "/s3-upload/1/" + sha256 + ".zip");

		HttpResponse<byte[]> archive = get(app, "/internal/v1/model-store/s3-upload/versions/1/archive", TOKEN);
		assertThat(archive.statusCode()).isEqualTo(200);
		assertThat(sha256(archive.body())).isEqualTo(sha256);
		assertThat(archive.headers().firstValueAsLong("Content-Length")).hasValue(size);
		assertThat(archive.headers().firstValue("ETag")).hasValue("\"" + sha256 + "\"");
		assertThat(archive.headers().firstValue("Digest"))
			.hasValue("sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)));
		assertThat(unzip(archive.body())).containsOnlyKeys(files.keySet())
			.allSatisfy((name, content) -> assertThat(content).as(name).isEqualTo(files.get(name)));
		// the same bytes as the bucket holds
		assertThat(sha256(s3.getObjectAsBytes((get) -> get.bucket(BUCKET).key(objects.get(0).key())).asByteArray()))
			.isEqualTo(sha256);

		assertThat(get(app, "/internal/v1/model-store/s3-upload/versions/1/archive", null).statusCode()).isEqualTo(401);
		assertThat(get(app, "/internal/v1/model-store/s3-upload/versions/1/archive", "wrong").statusCode())
			.isEqualTo(401);
	}

	@Test
	void aSecondGatewayOnTheSameDatabaseAndBucketListsServesAndNumbersAfterIt() throws Exception {
		assertThat(upload(app, warden.bearer("alice", "ADMIN"), "s3-shared", zip(savedModel)).statusCode())
			.isEqualTo(201);
		JsonNode first = listed(app, TOKEN, "s3-shared", 1);
		assertThat(first).isNotNull();

		Path otherStore = Files.createDirectories(dataDir.resolve("other-machine-models"));
		try (StubValidationWorker otherWorker = new StubValidationWorker(savedModel.get("saved_model.pb"))) {
			Map<String, Object> properties = s3Settings(otherWorker.url(), otherStore);
			properties.put("warden.security.issuer-uri", warden.issuer().issuer());
			properties.putAll(app.databaseProperties());
			try (WardenTestApp replica = WardenTestApp.start(dataDir, properties)) {
				JsonNode onReplica = listed(replica, TOKEN, "s3-shared", 1);
				assertThat(onReplica).isNotNull();
				assertThat(onReplica.path("sha256").asString()).isEqualTo(first.path("sha256").asString());
				HttpResponse<byte[]> archive = get(replica, "/internal/v1/model-store/s3-shared/versions/1/archive",
						TOKEN);
				assertThat(archive.statusCode()).isEqualTo(200);
				assertThat(sha256(archive.body())).isEqualTo(first.path("sha256").asString());
				assertThat(otherStore.resolve("s3-shared")).doesNotExist();

				HttpResponse<String> second = upload(replica, warden.bearer("alice", "ADMIN"), "s3-shared",
						zip(TestArchives.with(savedModel, "assets.extra/second.txt",
								"second".getBytes(StandardCharsets.UTF_8))));
				assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
				assertThat(Json.read(second.body()).path("version").asString()).isEqualTo("2");
				JsonNode secondListed = listed(app, TOKEN, "s3-shared", 2);
				assertThat(secondListed).isNotNull();
				assertThat(objects("s3-shared/")).extracting(S3Object::key)
					.containsExactly(PREFIX + "/s3-shared/1/" + first.path("sha256").asString() + ".zip",
							PREFIX + "/s3-shared/2/" + secondListed.path("sha256").asString() + ".zip");
				// and the first gateway serves what the second stored
				HttpResponse<byte[]> fromFirst = get(app, "/internal/v1/model-store/s3-shared/versions/2/archive",
						TOKEN);
				assertThat(fromFirst.statusCode()).isEqualTo(200);
				assertThat(sha256(fromFirst.body())).isEqualTo(secondListed.path("sha256").asString());
			}
		}
		// the first gateway numbers after both
		HttpResponse<String> third = upload(app, warden.bearer("alice", "ADMIN"), "s3-shared", zip(savedModel));
		assertThat(third.statusCode()).as(third.body()).isEqualTo(201);
		assertThat(Json.read(third.body()).path("version").asString()).isEqualTo("3");
	}

	@Test
	void aVersionStoredInPostgresqlBeforeTheSwitchIsStillServedAndNumberedAfter() throws Exception {
		// stored as a gateway with the default store did (that gateway also has the
		// bucket's settings, to read versions stored there)
		Map<String, Object> postgresqlSettings = new LinkedHashMap<>(s3Settings(worker.url(), store));
		postgresqlSettings.put("warden.models.archive-store", "postgresql");
		ModelArchives beforeTheSwitch = archives(postgresqlSettings);
		Path versionDir = writeFiles(dataDir.resolve("legacy-dir"), savedModel);
		Path scratch = Files.createDirectories(dataDir.resolve("legacy-scratch"));
		ArchivedVersion legacy = app.bean(TransactionTemplate.class)
			.execute((status) -> beforeTheSwitch.store("s3-legacy", 1, versionDir, scratch, "upload"));
		try {
			assertThat(legacy.archiveStore()).isEqualTo(ModelStoreProperties.ArchiveStore.POSTGRESQL);
			assertThat(app.jdbc()
				.sql("SELECT count(*) FROM model_store_chunks WHERE model = 's3-legacy'")
				.query(Long.class)
				.single()).isEqualTo(1L);
			assertThat(objects("s3-legacy/")).isEmpty();

			HttpResponse<byte[]> archive = get(app, "/internal/v1/model-store/s3-legacy/versions/1/archive", TOKEN);
			assertThat(archive.statusCode()).isEqualTo(200);
			assertThat(sha256(archive.body())).isEqualTo(legacy.sha256());
			assertThat(unzip(archive.body())).containsOnlyKeys(savedModel.keySet());

			HttpResponse<String> next = upload(app, warden.bearer("alice", "ADMIN"), "s3-legacy", zip(savedModel));
			assertThat(next.statusCode()).as(next.body()).isEqualTo(201);
			assertThat(Json.read(next.body()).path("version").asString()).isEqualTo("2");
			ArchivedVersion inBucket = app.bean(ModelArchives.class).find("s3-legacy", 2).orElseThrow();
			assertThat(inBucket.archiveStore()).isEqualTo(ModelStoreProperties.ArchiveStore.S3);

			// and a gateway switched back to PostgreSQL reads the version in the bucket
			try (InputStream in = beforeTheSwitch.open(inBucket)) {
				assertThat(sha256(in.readAllBytes())).isEqualTo(inBucket.sha256());
			}
		}
		finally {
			beforeTheSwitch.destroy();
		}
	}

	@Test
	void aVersionInTheDirectoryStoreIsImportedIntoTheBucket() throws Exception {
		JsonNode imported = Await.within(Duration.ofSeconds(30), () -> listed(app, TOKEN, "s3-trained", 2),
				(found) -> found != null);
		assertThat(imported).as("s3-trained/2 imported at start").isNotNull();
		String sha256 = imported.path("sha256").asString();
		assertThat(objects("s3-trained/")).extracting(S3Object::key)
			.containsExactly(PREFIX + "/s3-trained/2/" + sha256 + ".zip");
		assertThat(app.jdbc()
			.sql("SELECT source || ' ' || archive_store || ' ' || chunks FROM model_store_archives "
					+ "WHERE model = 's3-trained' AND version = 2")
			.query(String.class)
			.single()).isEqualTo("import s3 0");
		HttpResponse<byte[]> archive = get(app, "/internal/v1/model-store/s3-trained/versions/2/archive", TOKEN);
		assertThat(archive.statusCode()).isEqualTo(200);
		assertThat(sha256(archive.body())).isEqualTo(sha256);
		assertThat(unzip(archive.body())).containsOnlyKeys(savedModel.keySet())
			.allSatisfy((name, content) -> assertThat(content).as(name).isEqualTo(savedModel.get(name)));
	}

	@Test
	void anObjectChangedInTheBucketIsNeverServedAsTheRecordedArchive() throws Exception {
		assertThat(upload(app, warden.bearer("alice", "ADMIN"), "s3-tampered", zip(savedModel)).statusCode())
			.isEqualTo(201);
		JsonNode listed = listed(app, TOKEN, "s3-tampered", 1);
		String sha256 = listed.path("sha256").asString();
		String key = PREFIX + "/s3-tampered/1/" + sha256 + ".zip";
		byte[] original = s3.getObjectAsBytes((get) -> get.bucket(BUCKET).key(key)).asByteArray();
		String path = "/internal/v1/model-store/s3-tampered/versions/1/archive";

		// the same length, one byte changed: the answer is cut short before its last byte
		byte[] changed = original.clone();
		changed[changed.length / 2] ^= 0x20;
		s3.putObject((put) -> put.bucket(BUCKET).key(key), RequestBody.fromBytes(changed));
		assertThatThrownBy(() -> HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(app.url(path)))
				.header("Authorization", "Bearer " + TOKEN)
				.timeout(Duration.ofSeconds(30))
				.build(), HttpResponse.BodyHandlers.ofByteArray()))
			.isInstanceOf(IOException.class);
		// the listing keeps the recorded SHA-256, which a worker checks before unpacking
		assertThat(listed(app, TOKEN, "s3-tampered", 1).path("sha256").asString()).isEqualTo(sha256);

		// another length: refused before any byte
		s3.putObject((put) -> put.bucket(BUCKET).key(key),
				RequestBody.fromBytes(Arrays.copyOf(original, original.length + 1)));
		HttpResponse<byte[]> longer = get(app, path, TOKEN);
		assertThat(longer.statusCode()).isEqualTo(502);
		assertThat(errorCode(longer)).isEqualTo("model_store_archive_invalid");

		// gone
		s3.deleteObject((delete) -> delete.bucket(BUCKET).key(key));
		HttpResponse<byte[]> missing = get(app, path, TOKEN);
		assertThat(missing.statusCode()).isEqualTo(502);
		assertThat(errorCode(missing)).isEqualTo("model_store_archive_invalid");

		// put back, it is served again (and the connection pool survived the cut)
		s3.putObject((put) -> put.bucket(BUCKET).key(key), RequestBody.fromBytes(original));
		HttpResponse<byte[]> restored = get(app, path, TOKEN);
		assertThat(restored.statusCode()).isEqualTo(200);
		assertThat(sha256(restored.body())).isEqualTo(sha256);
	}

	@Test
	void theVerifiedStreamHoldsBackTheLastByteOfBytesThatAreNotTheRecordedArchive() throws Exception {
		byte[] bytes = "the recorded archive".getBytes(StandardCharsets.UTF_8);
		String sha256 = sha256(bytes);
		try (InputStream in = new VerifiedArchiveStream(new ByteArrayInputStream(bytes), bytes.length, sha256, "a")) {
			assertThat(in.readAllBytes()).isEqualTo(bytes);
		}
		byte[] other = bytes.clone();
		other[0] ^= 1;
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try (InputStream in = new VerifiedArchiveStream(new ByteArrayInputStream(other), bytes.length, sha256, "a")) {
			assertThatThrownBy(() -> in.transferTo(received))
				.isInstanceOf(VerifiedArchiveStream.IntegrityException.class)
				.hasMessageContaining("SHA-256");
		}
		assertThat(received.size()).isEqualTo(bytes.length - 1);
		for (byte[] wrongLength : new byte[][] { Arrays.copyOf(bytes, bytes.length - 1),
				Arrays.copyOf(bytes, bytes.length + 1) }) {
			try (InputStream in = new VerifiedArchiveStream(new ByteArrayInputStream(wrongLength), bytes.length, sha256,
					"a")) {
				assertThatThrownBy(in::readAllBytes).isInstanceOf(VerifiedArchiveStream.IntegrityException.class);
			}
		}
	}

	@Test
	void anObjectWhoseRowIsNotCommittedIsDeletedAgain() throws Exception {
		ModelArchives archives = app.bean(ModelArchives.class);
		TransactionTemplate transactions = app.bean(TransactionTemplate.class);
		Path versionDir = writeFiles(dataDir.resolve("rollback-dir"), savedModel);
		Path scratch = Files.createDirectories(dataDir.resolve("rollback-scratch"));

		// the transaction that numbers the version rolls back after the upload
		ArchivedVersion rolledBack = transactions.execute((status) -> {
			ArchivedVersion stored = archives.store("s3-rollback", 1, versionDir, scratch, "upload");
			assertThat(objects("s3-rollback/")).extracting(S3Object::key).containsExactly(stored.objectKey());
			status.setRollbackOnly();
			return stored;
		});
		assertThat(rolledBack).isNotNull();
		assertThat(objects("s3-rollback/")).isEmpty();
		assertThat(archives.find("s3-rollback", 1)).isEmpty();

		// a number taken already (the primary key refuses it): the new object goes, the
		// stored version's object stays
		ArchivedVersion kept = transactions
			.execute((status) -> archives.store("s3-rollback", 1, versionDir, scratch, "upload"));
		Path otherDir = writeFiles(dataDir.resolve("rollback-other"),
				TestArchives.with(savedModel, "assets.extra/other.txt", "other".getBytes(StandardCharsets.UTF_8)));
		assertThatThrownBy(
				() -> transactions.execute((status) -> archives.store("s3-rollback", 1, otherDir, scratch, "upload")))
			.isInstanceOf(DuplicateKeyException.class);
		assertThat(objects("s3-rollback/")).extracting(S3Object::key).containsExactly(kept.objectKey());
		// the same content again: the object under its key is the stored version's, kept
		assertThatThrownBy(
				() -> transactions.execute((status) -> archives.store("s3-rollback", 1, versionDir, scratch, "upload")))
			.isInstanceOf(DuplicateKeyException.class);
		assertThat(objects("s3-rollback/")).extracting(S3Object::key).containsExactly(kept.objectKey());
		try (InputStream in = archives.open(archives.find("s3-rollback", 1).orElseThrow())) {
			assertThat(sha256(in.readAllBytes())).isEqualTo(kept.sha256());
		}
	}

	@Test
	void aBucketThatCannotBeUsedFailsTheStartWithItsNameAndCanBeCreatedWhenAsked() throws Exception {
		Map<String, Object> missing = new LinkedHashMap<>(s3Settings(worker.url(), store));
		missing.put("warden.models.s3.bucket", "no-such-bucket");
		assertThatThrownBy(() -> archives(missing)).isInstanceOf(ModelStoreUnavailableException.class)
			.hasMessageContaining("'no-such-bucket' does not exist")
			.satisfies((ex) -> {
				FailureAnalysis analysis = new ModelStoreFailureAnalyzer().analyze(ex);
				assertThat(analysis.getDescription()).contains("no-such-bucket");
				assertThat(analysis.getAction()).contains("WARDEN_MODEL_S3_CREATE_BUCKET");
			});
		// registered, so a failed start prints that analysis instead of a stack trace
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
			.load(FailureAnalyzer.class, null, (type, name, failure) -> {
				// Spring Boot's own analyzers need the context's arguments
			})).hasAtLeastOneElementOfType(ModelStoreFailureAnalyzer.class);

		Map<String, Object> wrongSecret = new LinkedHashMap<>(s3Settings(worker.url(), store));
		wrongSecret.put("warden.models.s3.secret-access-key", "not-the-secret");
		assertThatThrownBy(() -> archives(wrongSecret)).isInstanceOf(ModelStoreUnavailableException.class)
			.hasMessageContaining("'" + BUCKET + "' cannot be reached: HTTP 403")
			.hasMessageNotContaining("not-the-secret");

		Map<String, Object> nothingListening = new LinkedHashMap<>(s3Settings(worker.url(), store));
		nothingListening.put("warden.models.s3.endpoint", "http://127.0.0.1:9");
		assertThatThrownBy(() -> archives(nothingListening)).isInstanceOf(ModelStoreUnavailableException.class)
			.hasMessageContaining("cannot be reached");

		Map<String, Object> noBucket = new LinkedHashMap<>(s3Settings(worker.url(), store));
		noBucket.remove("warden.models.s3.bucket");
		assertThatThrownBy(() -> archives(noBucket)).hasRootCauseMessage(
				"warden.models.archive-store=s3 needs warden.models.s3.bucket (WARDEN_MODEL_S3_BUCKET)");
		// the settings' string form never carries the secret
		assertThat(properties(s3Settings(worker.url(), store)).toString()).contains(S3Server.ACCESS_KEY)
			.doesNotContain(S3Server.SECRET_KEY);

		Map<String, Object> create = new LinkedHashMap<>(missing);
		create.put("warden.models.s3.create-bucket", "true");
		archives(create).destroy();
		assertThat(s3.listBuckets().buckets())
			.anySatisfy((bucket) -> assertThat(bucket.name()).isEqualTo("no-such-bucket"));
	}

	/** The model store's archives with these settings, on the application's database. */
	private static ModelArchives archives(Map<String, Object> settings) {
		return new ModelArchives(app.bean(JdbcClient.class), properties(settings));
	}

	private static ModelStoreProperties properties(Map<String, Object> settings) {
		Map<String, String> flat = new LinkedHashMap<>();
		settings.forEach((name, value) -> flat.put(name, String.valueOf(value)));
		return new Binder(new MapConfigurationPropertySource(flat)).bindOrCreate("warden.models",
				ModelStoreProperties.class);
	}

	private static List<S3Object> objects(String modelPrefix) {
		return s3.listObjectsV2((list) -> list.bucket(BUCKET).prefix(PREFIX + "/" + modelPrefix)).contents();
	}

	private static String errorCode(HttpResponse<byte[]> response) {
		return Json.read(new String(response.body(), StandardCharsets.UTF_8)).path("error").path("code").asString();
	}

}
