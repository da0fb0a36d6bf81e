package dev.warden.worker.storesync;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.WorkerApplication;
import dev.warden.worker.source.DesiredState;
import dev.warden.worker.source.PlatformDesiredState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model store sync over real HTTP with real SavedModels: an HTTP server plays the
 * platform's model store ({@code /internal/v1/model-store}, refusing calls without the
 * registration token) and a real worker with an empty local store syncs from it. The
 * listed {@code income/1} is downloaded and unpacked into the store before the worker's
 * startup pass, so it is AVAILABLE (and the worker ready) as soon as the worker has
 * started, and answers predictions; {@code tampered/1}, whose archive (another real,
 * loadable SavedModel) does not have the listed SHA-256, is refused at every poll and
 * never unpacked, loaded or served, until the platform serves the listed archive; an
 * archive with the listed SHA-256 whose entries leave the version directory (zip-slip) is
 * refused and writes nothing outside it. A worker whose platform cannot be reached starts
 * after {@code sync-startup-wait} with its local store as it is.
 */
class StoreSyncIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String TOKEN = "sync-t0ken";

	private static final String ROW = """
			{"age":39,"workclass":"State-gov","fnlwgt":77516,"education":"Bachelors","education_num":13,\
			"marital_status":"Never-married","occupation":"Adm-clerical","relationship":"Not-in-family","race":"White",\
			"sex":"Male","capital_gain":2174,"capital_loss":0,"hours_per_week":40,"native_country":"United-States"}""";

	/**
	 * What the platform lists, by "model/version": the archive served and the listed
	 * SHA-256.
	 */
	static final Map<String, Served> served = new ConcurrentHashMap<>();

	static final List<String> requests = new CopyOnWriteArrayList<>();

	static final List<String> refusedCalls = new CopyOnWriteArrayList<>();

	static HttpServer platform;

	static Path store;

	record Served(byte[] archive, String listedSha256) {
	}

	@BeforeAll
	static void start() throws IOException {
		Path root = TrainedModels.newStore("sync");
		store = Files.createDirectory(root.resolve("models"));
		byte[] income = zipOf(TrainedModels.income(), "");
		served.put("income/1", new Served(income, sha256(income)));
		// a loadable SavedModel, but not the archive the platform lists
		byte[] other = zipOf(TrainedModels.otherIncome(), "");
		served.put("tampered/1", new Served(other, sha256(income)));
		byte[] escaping = zipOf(TrainedModels.income(), "../escape-");
		served.put("escape/1", new Served(escaping, sha256(escaping)));
		platform = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		platform.createContext("/internal/v1/model-store", (exchange) -> handle(exchange, served));
		platform.start();
	}

	@AfterAll
	static void stop() {
		platform.stop(0);
	}

	private static void handle(HttpExchange exchange, Map<String, Served> served) throws IOException {
		String path = exchange.getRequestURI().getPath();
		requests.add(path);
		if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
			refusedCalls.add(path);
			send(exchange, 401, "{\"error\":{\"code\":\"invalid_registration_token\"}}".getBytes());
			return;
		}
		if (path.equals("/internal/v1/model-store")) {
			StringBuilder listing = new StringBuilder("{\"versions\":[");
			served.forEach((key, version) -> {
				String[] parts = key.split("/");
				if (listing.charAt(listing.length() - 1) != '[') {
					listing.append(',');
				}
				listing.append("{\"model\":\"")
					.append(parts[0])
					.append("\",\"version\":")
					.append(parts[1])
					.append(",\"sha256\":\"")
					.append(version.listedSha256())
					.append("\",\"size_bytes\":")
					.append(version.archive().length)
					.append(",\"created_at\":\"2026-12-07T00:00:00Z\"}");
			});
			send(exchange, 200, listing.append("]}").toString().getBytes(StandardCharsets.UTF_8));
			return;
		}
		String[] parts = path.split("/");
		// /internal/v1/model-store/{model}/versions/{version}/archive
		Served version = (parts.length == 8) ? served.get(parts[4] + "/" + parts[6]) : null;
		if (version == null) {
			send(exchange, 404, "{\"error\":{\"code\":\"model_version_not_found\"}}".getBytes());
			return;
		}
		send(exchange, 200, version.archive());
	}

	private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
		exchange.sendResponseHeaders(status, body.length);
		exchange.getResponseBody().write(body);
		exchange.close();
	}

	@Test
	void aListedVersionIsSyncedAndServedAndATamperedOneIsNeverUnpackedNorServed() throws Exception {
		ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerApplication.class).run(
				"--server.port=0", "--spring.main.banner-mode=off", "--warden.worker.model-store.path=" + store,
				"--warden.worker.model-store.poll-interval=200ms", "--warden.worker.model-store.sync=true",
				"--warden.registration.platform-url=http://127.0.0.1:" + platform.getAddress().getPort(),
				"--warden.registration.token=" + TOKEN, "--warden.registration.interval=1h");
		String port = worker.getEnvironment().getProperty("local.server.port");
		try {
			// copied before the startup pass and loaded by it: AVAILABLE, and the worker
			// ready, as soon as it has started
			assertThat(available(port, "income")).as("income/1 AVAILABLE when the worker has started").isTrue();
			assertThat(call(port, "GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
			assertThat(store.resolve("income/1/saved_model.pb"))
				.hasSameBinaryContentAs(TrainedModels.income().resolve("saved_model.pb"));
			HttpResponse<String> predicted = call(port, "POST", "/v1/models/income:predict",
					"{\"instances\":[" + ROW + "]}");
			assertThat(predicted.statusCode()).as(predicted.body()).isEqualTo(200);
			assertThat(JSON.readTree(predicted.body()).path("predictions").get(0).has("probabilities")).isTrue();
			assertThat(predicted.headers().firstValue("X-Model-Version")).hasValue("1");

			// the tampered and the escaping archives are downloaded again at later polls,
			// and refused each time
			await(() -> count("/internal/v1/model-store/tampered/versions/1/archive") >= 3
					&& count("/internal/v1/model-store/escape/versions/1/archive") >= 3,
					"the refused archives retried");
			assertThat(store.resolve("tampered")).satisfiesAnyOf((dir) -> assertThat(dir).doesNotExist(),
					(dir) -> assertThat(dir).isEmptyDirectory());
			assertThat(store.resolve("escape")).satisfiesAnyOf((dir) -> assertThat(dir).doesNotExist(),
					(dir) -> assertThat(dir).isEmptyDirectory());
			assertThat(call(port, "GET", "/v1/models/tampered", null).statusCode()).isEqualTo(404);
			assertThat(call(port, "GET", "/v1/models/escape", null).statusCode()).isEqualTo(404);
			try (Stream<Path> everything = Files.walk(store.getParent())) {
				assertThat(everything.map((path) -> path.getFileName().toString()))
					.noneMatch((name) -> name.startsWith("escape-"));
			}
			String metrics = call(port, "GET", "/actuator/prometheus", null).body();
			assertThat(counter(metrics, "synced")).isGreaterThanOrEqualTo(1);
			assertThat(counter(metrics, "refused")).isGreaterThanOrEqualTo(4);
			assertThat(refusedCalls).as("every call carried the registration token").isEmpty();

			// once the platform serves the listed archive, the next poll takes it
			byte[] other = served.get("tampered/1").archive();
			served.put("tampered/1", new Served(other, sha256(other)));
			await(() -> available(port, "tampered"), "tampered/1 synced once its archive is the listed one");
			assertThat(store.resolve("tampered/1/saved_model.pb"))
				.hasSameBinaryContentAs(TrainedModels.otherIncome().resolve("saved_model.pb"));

			// the escaping archive is still downloaded at every pass: once the passes
			// stop, none has left its temporary directory behind
			worker.getBean(StoreSync.class).stop();
			try (Stream<Path> entries = Files.list(store)) {
				assertThat(entries.map((path) -> path.getFileName().toString()))
					.as("no temporary directory left behind")
					.noneMatch((name) -> name.startsWith(StoreSync.TEMP_PREFIX));
			}
		}
		finally {
			worker.close();
		}
	}

	@Test
	void aWorkerWhosePlatformCannotBeReachedStartsAfterTheStartupWaitWithItsLocalStore() throws Exception {
		Path empty = Files.createDirectory(store.getParent().resolve("unreachable"));
		int closed;
		try (var socket = new java.net.ServerSocket(0)) {
			closed = socket.getLocalPort();
		}
		long started = System.nanoTime();
		ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerApplication.class).run(
				"--server.port=0", "--spring.main.banner-mode=off", "--warden.worker.model-store.path=" + empty,
				"--warden.worker.model-store.poll-interval=200ms", "--warden.worker.model-store.sync=true",
				"--warden.worker.model-store.sync-startup-wait=1s",
				"--warden.registration.platform-url=http://127.0.0.1:" + closed, "--warden.registration.token=" + TOKEN,
				"--warden.registration.interval=1h");
		try {
			String port = worker.getEnvironment().getProperty("local.server.port");
			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the startup waited for the platform")
				.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
			assertThat(call(port, "GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);
			assertThat(call(port, "GET", "/v1/models/income", null).statusCode()).isEqualTo(404);
		}
		finally {
			worker.close();
		}
	}

	/**
	 * The local store as a bounded cache: with {@code sync-keep-latest=2} only the two
	 * newest listed versions and the one the platform routes are copied; once a newer
	 * version is listed, the copied version that fell out of those is deleted (directory
	 * and marker), and a version put into the store by hand is never deleted.
	 */
	@Test
	void onlyTheNewestAndTheRoutedVersionsAreCachedAndAVersionThatFallsOutIsDeleted() throws Exception {
		byte[] income = zipOf(TrainedModels.income(), "");
		Map<String, Served> cached = new ConcurrentHashMap<>();
		for (int version = 1; version <= 4; version++) {
			cached.put("cached/" + version, new Served(income, sha256(income)));
		}
		HttpServer own = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		own.createContext("/internal/v1/model-store", (exchange) -> handle(exchange, cached));
		own.start();
		Path local = Files.createDirectory(store.getParent().resolve("cache"));
		TrainedModels.copyInto(TrainedModels.income(), local, "cached", 0);
		ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerApplication.class).run(
				"--server.port=0", "--spring.main.banner-mode=off", "--warden.worker.model-store.path=" + local,
				"--warden.worker.model-store.poll-interval=200ms", "--warden.worker.model-store.sync=true",
				"--warden.worker.model-store.sync-keep-latest=2",
				"--warden.registration.platform-url=http://127.0.0.1:" + own.getAddress().getPort(),
				"--warden.registration.token=" + TOKEN, "--warden.registration.interval=1h");
		try {
			String port = worker.getEnvironment().getProperty("local.server.port");
			assertThat(local.resolve("cached/4")).isDirectory();
			assertThat(local.resolve("cached/3")).isDirectory();
			assertThat(local.resolve("cached/2")).doesNotExist();
			assertThat(local.resolve("cached/1")).doesNotExist();

			// the platform routes version 1 to this worker: copied, loaded, nothing
			// deleted
			SortedMap<String, SortedSet<Long>> routes = new TreeMap<>();
			routes.put("cached", new TreeSet<>(List.of(1L)));
			worker.getBean(PlatformDesiredState.class).offer(new DesiredState(1, routes));
			await(() -> versionAvailable(port, "cached", 1), "cached/1 copied and AVAILABLE");
			assertThat(local.resolve("cached/3")).isDirectory();
			assertThat(local.resolve("cached/2")).doesNotExist();

			// a newer version: copied, and version 3 falls out of the two newest
			cached.put("cached/5", new Served(income, sha256(income)));
			await(() -> Files.isDirectory(local.resolve("cached/5")) && !Files.exists(local.resolve("cached/3")),
					"cached/5 copied and cached/3 deleted");
			assertThat(local.resolve("cached/4")).isDirectory();
			assertThat(local.resolve("cached/1")).isDirectory();
			assertThat(local.resolve("cached/0")).as("a version not copied by the sync stays").isDirectory();
			assertThat(local.resolve(StoreSync.MARKERS).resolve("cached/3")).doesNotExist();
			assertThat(local.resolve(StoreSync.MARKERS).resolve("cached/5")).exists();
			assertThat(versionAvailable(port, "cached", 1)).isTrue();
			assertThat(counter(call(port, "GET", "/actuator/prometheus", null).body(), "evicted")).isEqualTo(1);
			try (Stream<Path> entries = Files.list(local)) {
				assertThat(entries.map((path) -> path.getFileName().toString()))
					.noneMatch((name) -> name.startsWith(StoreSync.TEMP_PREFIX));
			}
		}
		finally {
			worker.close();
			own.stop(0);
		}
	}

	private static boolean versionAvailable(String port, String model, long version) {
		try {
			HttpResponse<String> status = call(port, "GET", "/v1/models/" + model + "/versions/" + version, null);
			return status.statusCode() == 200 && status.body().contains("AVAILABLE");
		}
		catch (Exception ex) {
			return false;
		}
	}

	private static long count(String path) {
		return requests.stream().filter(path::equals).count();
	}

	private static double counter(String metrics, String outcome) {
		return metrics.lines()
			.filter((line) -> line.startsWith("warden_worker_model_store_sync_total{")
					&& line.contains("outcome=\"" + outcome + "\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private static boolean available(String port, String model) {
		try {
			HttpResponse<String> status = call(port, "GET", "/v1/models/" + model, null);
			if (status.statusCode() != 200) {
				return false;
			}
			for (JsonNode version : JSON.readTree(status.body()).path("model_version_status")) {
				if ("AVAILABLE".equals(version.path("state").asString())) {
					return true;
				}
			}
			return false;
		}
		catch (Exception ex) {
			return false;
		}
	}

	private static void await(BooleanSupplier condition, String what) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("waited 90 s for: " + what).isLessThan(deadline);
			Thread.sleep(100);
		}
	}

	private static HttpResponse<String> call(String port, String method, String path, String json) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + TOKEN);
		if (json != null) {
			request.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(json));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A zip of {@code dir}'s files, each name prefixed with {@code prefix}. */
	private static byte[] zipOf(Path dir, String prefix) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted().toList()) {
				if (Files.isRegularFile(path)) {
					zip.putNextEntry(new ZipEntry(prefix + dir.relativize(path).toString().replace('\\', '/')));
					Files.copy(path, zip);
					zip.closeEntry();
				}
			}
		}
		return bytes.toByteArray();
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
