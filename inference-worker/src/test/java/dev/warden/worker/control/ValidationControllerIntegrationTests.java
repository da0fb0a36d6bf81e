package dev.warden.worker.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;
import dev.warden.worker.loader.DeclaredShapeModels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /internal/v1/validate} over real HTTP with a real SavedModel (the trained
 * {@link TrainedModels#income() income}: only loadability matters here): posted as the
 * version's archive, as platform-api sends every upload (the model itself is outside the
 * worker's store, as on a machine that shares no directory with the gateway), and staged
 * in the store for the path form older gateways use.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ValidationControllerIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** {@code warden.worker.max-validation-bytes} here: more than the income archive. */
	private static final int MAX_ARCHIVE_BYTES = 2 * 1024 * 1024;

	private static Path store;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> store().toString());
		registry.add("warden.worker.max-validation-bytes", () -> MAX_ARCHIVE_BYTES);
	}

	/**
	 * An empty store; each test stages its own copy of the trained model inside it (the
	 * model itself stays outside the store).
	 */
	static synchronized Path store() {
		if (store == null) {
			store = TrainedModels.newStore("validate");
		}
		return store;
	}

	@Test
	void realSavedModelIsLoadedAndItsSignatureDefsAreAnsweredInTfServingShape() throws Exception {
		String staged = stage();

		HttpResponse<String> response = validate("{\"model\":\"income\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.path("model_spec").path("name").asString()).isEqualTo("income");
		JsonNode serving = body.path("metadata").path("signature_def").path("signature_def").path("serving_default");
		assertThat(serving.path("method_name").asString()).isEqualTo("tensorflow/serving/predict");
		assertThat(serving.path("inputs").path("age").path("dtype").asString()).isEqualTo("DT_FLOAT");
		assertThat(serving.path("inputs").path("workclass").path("dtype").asString()).isEqualTo("DT_STRING");
		assertThat(serving.path("inputs").path("age").path("tensor_shape").path("dim").get(0).path("size").asString())
			.isEqualTo("-1");
		assertThat(serving.path("outputs").path("class_id").path("dtype").asString()).isEqualTo("DT_INT64");
		assertThat(serving.path("outputs").has("probabilities")).isTrue();
	}

	@Test
	void corruptSavedModelPbIsRejectedWith422AndAReadableReasonWithoutMachinePaths() throws Exception {
		String staged = stage();
		Files.write(store.resolve(staged).resolve("saved_model.pb"),
				new byte[] { 0x0a, (byte) 0xff, 0x13, 0x00, 0x7f });

		HttpResponse<String> response = validate("{\"model\":\"income\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(422);
		JsonNode error = JSON.readTree(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("invalid_saved_model");
		assertThat(error.path("message").asString()).startsWith("TensorFlow cannot load the SavedModel: ")
			.doesNotContain(store.getParent().toString())
			.doesNotContain(store.toRealPath().toString());
		assertThat(error.path("request_id").asString()).isNotBlank();
	}

	/**
	 * Finding 10: a tiny graph whose signature declares a 20,000,000-wide input made the
	 * warm-up call allocate that much; it is refused before any warm-up tensor exists,
	 * and the reason names the input and its declared shape.
	 */
	@Test
	void absurdlyWideDeclaredInputIsRejectedWith422NamingTheInputAndItsShape() throws Exception {
		String staged = ".incoming-" + UUID.randomUUID() + "/model";
		DeclaredShapeModels.export(store.resolve(staged), "pixels", 20_000_000);

		HttpResponse<String> response = validate("{\"model\":\"wide\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(422);
		JsonNode error = JSON.readTree(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("invalid_saved_model");
		assertThat(error.path("message").asString())
			.contains("input 'pixels'", "signature 'serving_default'", "shape [-1, 20000000]",
					"20000000 elements per example", "at most 1048576", "warden.worker.tensorflow.max-input-elements")
			.doesNotContain(store.toRealPath().toString());
	}

	@Test
	void declaredInputWithinTheBoundIsLoadedAndWarmedUp() throws Exception {
		String staged = ".incoming-" + UUID.randomUUID() + "/model";
		DeclaredShapeModels.export(store.resolve(staged), "pixels", 1_048_576);

		HttpResponse<String> response = validate("{\"model\":\"wide\",\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(JSON.readTree(response.body())
			.path("metadata")
			.path("signature_def")
			.path("signature_def")
			.path("serving_default")
			.path("inputs")
			.path("pixels")
			.path("tensor_shape")
			.path("dim")
			.get(1)
			.path("size")
			.asString()).isEqualTo("1048576");
	}

	@Test
	void directoryWithoutSavedModelPbIsRejectedWith422() throws Exception {
		String staged = stage();
		Files.delete(store.resolve(staged).resolve("saved_model.pb"));

		HttpResponse<String> response = validate("{\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(response.body()).contains("\"code\":\"invalid_saved_model\"", "no saved_model.pb");
	}

	@ParameterizedTest
	@ValueSource(strings = { "../trained/income/1", "..", ".", "", "/etc", "/var", ".incoming-x/../../trained",
			"no-such-dir", "a\\\\b" })
	void pathsOutsideTheStoreOrNotInItAreRefusedWith400(String path) throws Exception {
		HttpResponse<String> response = validate("{\"path\":\"" + path + "\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"code\":\"invalid_argument\"");
	}

	@Test
	void symbolicLinkLeadingOutOfTheStoreIsRefusedWith400() throws Exception {
		Path link = store.resolve(".incoming-" + UUID.randomUUID());
		Files.createSymbolicLink(link, TrainedModels.income());

		HttpResponse<String> response = validate("{\"path\":\"" + link.getFileName() + "\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("outside the model store");
	}

	@Test
	void symbolicLinkInsideTheSavedModelIsRefusedWith400() throws Exception {
		String staged = stage();
		Files.createSymbolicLink(store.resolve(staged).resolve("extra"),
				TrainedModels.income().resolve("saved_model.pb"));

		HttpResponse<String> response = validate("{\"path\":\"" + staged + "\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("symbolic links");
	}

	@Test
	void nonJsonBodyIsRefusedWithJsonError() throws Exception {
		HttpResponse<String> response = validate("{not json");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"error\"");
	}

	@Test
	void archivePostedAsTheBodyIsCheckedUnpackedValidatedAndItsTemporaryDirectoryDeleted() throws Exception {
		byte[] archive = zipOf(TrainedModels.income(), "");
		assertThat(archive.length).isLessThan(MAX_ARCHIVE_BYTES);

		HttpResponse<String> response = validateArchive(archive, sha256(archive), "income");

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.path("model_spec").path("name").asString()).isEqualTo("income");
		JsonNode serving = body.path("metadata").path("signature_def").path("signature_def").path("serving_default");
		assertThat(serving.path("method_name").asString()).isEqualTo("tensorflow/serving/predict");
		assertThat(serving.path("inputs").path("age").path("dtype").asString()).isEqualTo("DT_FLOAT");
		assertNoTemporaryDirectory();
	}

	@Test
	void archiveWhoseSha256IsNotTheAnnouncedOneIsRefusedWith400AndLeavesNothing() throws Exception {
		byte[] archive = zipOf(TrainedModels.income(), "");
		String other = sha256("something else".getBytes(StandardCharsets.UTF_8));

		HttpResponse<String> response = validateArchive(archive, other, "income");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"code\":\"sha256_mismatch\"", sha256(archive), other);
		assertNoTemporaryDirectory();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "abc", "not-a-sha-256-0000000000000000000000000000000000000000000000000000" })
	void archiveWithoutAValidSha256IsRefusedWith400(String sha256) throws Exception {
		byte[] archive = zipOf(TrainedModels.income(), "");

		HttpResponse<String> response = validateArchive(archive, sha256.isEmpty() ? null : sha256, "income");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"code\":\"invalid_argument\"", "X-Archive-Sha256");
		assertNoTemporaryDirectory();
	}

	@Test
	void zipSlipArchiveIsRefusedWith400AndWritesNothingOutsideItsDirectory() throws Exception {
		byte[] archive = zipOf(TrainedModels.income(), "../../escaped-");

		HttpResponse<String> response = validateArchive(archive, sha256(archive), "income");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"code\":\"invalid_archive\"", "parent directory");
		try (Stream<Path> all = Files.walk(store.getParent())) {
			assertThat(all.filter((path) -> path.getFileName().toString().startsWith("escaped-")).toList()).isEmpty();
		}
		assertNoTemporaryDirectory();
	}

	@Test
	void archiveWithACorruptSavedModelIsRejectedWith422AndLeavesNothing() throws Exception {
		Path copy = Files.createTempDirectory(store.getParent(), "corrupt-");
		FileSystemUtils.copyRecursively(TrainedModels.income(), copy);
		Files.write(copy.resolve("saved_model.pb"), new byte[] { 0x0a, (byte) 0xff, 0x13, 0x00, 0x7f });
		byte[] archive = zipOf(copy, "");

		HttpResponse<String> response = validateArchive(archive, sha256(archive), "income");

		assertThat(response.statusCode()).isEqualTo(422);
		JsonNode error = JSON.readTree(response.body()).path("error");
		assertThat(error.path("code").asString()).isEqualTo("invalid_saved_model");
		assertThat(error.path("message").asString()).startsWith("TensorFlow cannot load the SavedModel: ")
			.doesNotContain(store.toRealPath().toString())
			.doesNotContain(ValidationController.TEMP_PREFIX);
		assertNoTemporaryDirectory();
	}

	@Test
	void archiveDeclaredLargerThanTheLimitIsRefusedWith413BeforeItsBodyIsRead() throws Exception {
		String answer = rawExchange("POST /internal/v1/validate?model=income HTTP/1.1\r\nHost: localhost\r\n"
				+ "Content-Type: application/zip\r\nX-Archive-Sha256: " + "0".repeat(64) + "\r\nContent-Length: "
				+ (MAX_ARCHIVE_BYTES + 1) + "\r\n\r\n", null);

		assertThat(answer).startsWith("HTTP/1.1 413")
			.contains("payload_too_large", "warden.worker.max-validation-bytes");
		assertNoTemporaryDirectory();
	}

	@Test
	void chunkedArchiveLargerThanTheLimitIsRefusedWith413AndLeavesNothing() throws Exception {
		String answer = rawExchange("POST /internal/v1/validate?model=income HTTP/1.1\r\nHost: localhost\r\n"
				+ "Content-Type: application/zip\r\nX-Archive-Sha256: " + "0".repeat(64)
				+ "\r\nTransfer-Encoding: chunked\r\n\r\n", MAX_ARCHIVE_BYTES + 256 * 1024);

		assertThat(answer).startsWith("HTTP/1.1 413")
			.contains("payload_too_large", "warden.worker.max-validation-bytes");
		assertNoTemporaryDirectory();
	}

	@Test
	void otherEndpointsKeepTheGeneralLimitEvenOnTheValidationPathInJson() throws Exception {
		String answer = rawExchange(
				"POST /internal/v1/validate HTTP/1.1\r\nHost: localhost\r\n"
						+ "Content-Type: application/json\r\nContent-Length: " + (16L * 1024 * 1024 + 1) + "\r\n\r\n",
				null);

		assertThat(answer).startsWith("HTTP/1.1 413")
			.contains("payload_too_large", "limit of " + 16L * 1024 * 1024 + " bytes")
			.doesNotContain("max-validation-bytes");
	}

	/**
	 * Copies the trained SavedModel to {@code <store>/.incoming-<uuid>/model}; returns
	 * that path, relative.
	 */
	private static String stage() throws IOException {
		String relative = ".incoming-" + UUID.randomUUID() + "/model";
		FileSystemUtils.copyRecursively(TrainedModels.income(), store.resolve(relative));
		return relative;
	}

	private HttpResponse<String> validate(String body) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/validate"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> validateArchive(byte[] archive, String sha256, String model) throws Exception {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/validate?model=" + model))
			.version(HttpClient.Version.HTTP_1_1)
			.header("Content-Type", "application/zip")
			.POST(HttpRequest.BodyPublishers.ofByteArray(archive));
		if (sha256 != null) {
			request.header("X-Archive-Sha256", sha256);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Sends {@code head} on a new connection, then (when {@code chunkedBytes} is given)
	 * that many bytes in chunks, as long as the worker reads them; answers what the
	 * worker wrote back.
	 */
	private String rawExchange(String head, Integer chunkedBytes) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(head.getBytes(StandardCharsets.US_ASCII));
			if (chunkedBytes != null) {
				byte[] chunk = new byte[64 * 1024];
				try {
					for (int sent = 0; sent < chunkedBytes; sent += chunk.length) {
						out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
						out.write(chunk);
						out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
					}
					out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				}
				catch (IOException ex) {
					// the worker stopped reading and closed: its answer is what counts
				}
			}
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			byte[] buffer = new byte[8192];
			int n;
			while ((n = in.read(buffer)) >= 0) {
				answer.write(buffer, 0, n);
				String text = answer.toString(StandardCharsets.UTF_8);
				if (text.contains("\r\n\r\n") && text.trim().endsWith("}")) {
					break;
				}
			}
			return answer.toString(StandardCharsets.UTF_8);
		}
	}

	private static void assertNoTemporaryDirectory() throws IOException {
		try (Stream<Path> children = Files.list(store)) {
			List<String> left = children.map((path) -> path.getFileName().toString())
				.filter((name) -> name.startsWith(ValidationController.TEMP_PREFIX))
				.toList();
			assertThat(left).isEmpty();
		}
	}

	/**
	 * A zip of {@code dir}'s files and directories, each name prefixed with
	 * {@code prefix}.
	 */
	private static byte[] zipOf(Path dir, String prefix) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> paths = Files.walk(dir)) {
			for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
				if (Files.isRegularFile(path)) {
					zip.putNextEntry(new ZipEntry(prefix + dir.relativize(path).toString().replace('\\', '/')));
					Files.copy(path, zip);
					zip.closeEntry();
				}
			}
		}
		return bytes.toByteArray();
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

}
