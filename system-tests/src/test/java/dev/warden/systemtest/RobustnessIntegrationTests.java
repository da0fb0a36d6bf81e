package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reliability figures under hostile, slow and idle clients and under model churn, on
 * demand only ({@code -Dwarden.robustness=true}; docs/reliability.md shows the command
 * and the figures of one run):
 * <ol>
 * <li>a fuzz of at least 10,000 requests, with a fixed seed, over every public and admin
 * endpoint of the real gateway (the admin endpoints read from its OpenAPI document):
 * malformed and truncated JSON, wrong types, huge numbers, control characters, lone
 * surrogates, oversized bodies, wrong content types, odd methods, encoded paths, huge
 * query strings, many headers, malformed HTTP; no answer is a 5xx, every 4xx carries the
 * JSON error, every process stays alive; RSS sampled every 1,000 requests;</li>
 * <li>thousands of idle keep-alive connections, slowloris connections and huge headers
 * held against the gateway while a normal client predicts: its latencies against a
 * baseline, the gateway's threads, open files and RSS;</li>
 * <li>100 load/unload cycles of a model version on a worker of its own: its RSS at the
 * end within 10 % of its RSS after warm-up;</li>
 * <li>a version swap under load on that worker: no request naming no version fails, and
 * the other model's p99 during the swaps against before.</li>
 * </ol>
 * Only bounds that are functional are asserted (no 5xx, no failure, processes alive, RSS
 * within 10 %); times are reported, never asserted. The figures are printed and written
 * as a Markdown fragment to {@code target/robustness.md}.
 *
 * <p>
 * The fuzz changes nothing the other system tests rely on: mutating admin calls name only
 * objects it created (its own tenant, key, and a model name that does not exist) or ids
 * that cannot exist; any other mutating call is sent without a valid token, or with a
 * body that is not JSON at all.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@EnabledIfSystemProperty(named = "warden.robustness", matches = "true")
class RobustnessIntegrationTests {

	private static final long SEED = 20261206L;

	private static final int FUZZ_REQUESTS = 10_000;

	private static final int FUZZ_CLIENTS = 8;

	private static final int IDLE_CONNECTIONS = 2_000;

	private static final int SLOWLORIS_CONNECTIONS = 200;

	private static final int NORMAL_CLIENT_REQUESTS = 500;

	private static final int CYCLES = 100;

	private static final int WARM_UP_CYCLES = 5;

	private static final String[] CLUSTER_PROCESSES = { "platform-api", "inference-worker", "inference-worker-2",
			"admin-ui" };

	private static final String[] SAMPLED_PROCESSES = { "platform-api", "inference-worker", "inference-worker-2" };

	private static final String SPAM_TEXT = "Subject: WIN a FREE prize!!! Click now, only $9.99 for 3 days";

	private static final HttpClient WORKER_CLIENT = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	WardenCluster cluster;

	/** The figures of each part, in order, as Markdown. */
	private final Map<String, String> figures = Collections.synchronizedMap(new LinkedHashMap<>());

	private Process standaloneWorker;

	private int standaloneWorkerPort;

	private Path standaloneRoot;

	private long generation;

	@BeforeAll
	void start(WardenCluster cluster) {
		this.cluster = cluster;
	}

	@AfterAll
	void stopStandaloneWorker() throws Exception {
		if (this.standaloneWorker != null) {
			this.standaloneWorker.destroy();
			if (!this.standaloneWorker.waitFor(30, TimeUnit.SECONDS)) {
				this.standaloneWorker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	// ------------------------------------------------------------------------------------
	// 1. fuzz
	// ------------------------------------------------------------------------------------

	@Test
	@Order(1)
	void fuzzOfEveryPublicAndAdminEndpointAnswersNo5xxAndKeepsEveryProcessAlive() throws Exception {
		var fuzz = new Fuzz(this.cluster);
		fuzz.prepare();
		var rss = new RssSamples(this.cluster, SAMPLED_PROCESSES);
		rss.sample();
		var done = new AtomicInteger();
		var next = new AtomicInteger();
		var results = new FuzzResults();
		List<Thread> clients = new ArrayList<>();
		Instant started = Instant.now();
		for (int c = 0; c < FUZZ_CLIENTS; c++) {
			var thread = new Thread(() -> {
				for (int i = next.getAndIncrement(); i < FUZZ_REQUESTS; i = next.getAndIncrement()) {
					FuzzCase fuzzCase;
					try {
						fuzzCase = fuzz.generate(i);
					}
					catch (Exception ex) {
						results.generatorErrors.add(i + ": " + ex);
						continue;
					}
					if (fuzzCase.pacer() != null) {
						fuzzCase.pacer().acquire();
					}
					Answer answer = RawHttp.exchange(this.cluster.gatewayPort, fuzzCase.request(), fuzzCase.halfClose(),
							fuzzCase.method().equals("HEAD"));
					results.record(fuzzCase, answer);
					int count = done.incrementAndGet();
					if (count % 1000 == 0) {
						rss.sample();
						fuzz.refreshTokens();
					}
				}
			}, "fuzz-client-" + c);
			thread.start();
			clients.add(thread);
		}
		for (Thread client : clients) {
			client.join();
		}
		Duration took = Duration.between(started, Instant.now());
		rss.sample();
		Map<String, Boolean> alive = alive();

		var md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"%,d requests (seed %d, %d clients, %.0f s, %d admin operations from `/v3/api-docs`), "
						+ "%,d of them malformed HTTP or oversized on raw sockets.%n%n",
				results.total.get(), SEED, FUZZ_CLIENTS, took.toMillis() / 1000.0, fuzz.operations.size(),
				results.mayDrop.get()));
		md.append(results.table());
		md.append(String.format(Locale.ROOT, "%nStatus codes: %s.%n%n", results.statuses));
		md.append(String.format(Locale.ROOT,
				"5xx: %d; 503 with `Retry-After`: %d; 4xx without the JSON error `{\"error\":{\"code\",\"message\",\"request_id\"}}`: %d; "
						+ "well-formed requests without an answer: %d; admin 429 `rate_limited`: %d.%n%n",
				results.serverErrors.size(), results.retryAfter503.get(), results.withoutJsonError.size(),
				results.unanswered.size(), results.adminRateLimited.get()));
		md.append(rss.table());
		md.append(String.format(Locale.ROOT, "%nProcesses alive after the fuzz: %s.%n", alive));
		if (!results.serverErrors.isEmpty() || !results.withoutJsonError.isEmpty() || !results.unanswered.isEmpty()) {
			md.append(String.format(Locale.ROOT, "%nSamples:%n%n"));
			results.samples(md);
		}
		report("1. Fuzz", md.toString());

		assertThat(results.generatorErrors).as("cases the fuzz could not build").isEmpty();
		assertThat(results.total.get()).isGreaterThanOrEqualTo(FUZZ_REQUESTS);
		assertThat(alive.values()).as("processes alive: %s", alive).containsOnly(true);
		assertThat(results.serverErrors).as("answers >= 500").isEmpty();
		assertThat(results.withoutJsonError).as("4xx answers without the JSON error").isEmpty();
		assertThat(results.unanswered).as("well-formed requests without an answer").isEmpty();
	}

	private Map<String, Boolean> alive() {
		Map<String, Boolean> alive = new LinkedHashMap<>();
		for (String process : CLUSTER_PROCESSES) {
			alive.put(process, ProcessHandle.of(this.cluster.pid(process)).map(ProcessHandle::isAlive).orElse(false));
		}
		return alive;
	}

	/** What the fuzz sends, one case at a time, reproducible from its index. */
	static final class Fuzz {

		private static final String[] ODD_METHODS = { "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND",
				"FOO", "get", "CONNECT", "M-SEARCH", "A".repeat(300) };

		private static final String[] CONTENT_TYPES = { "text/plain", "application/x-www-form-urlencoded",
				"multipart/form-data; boundary=fuzz", "application/octet-stream", "application/json; charset=utf-16",
				"application/json;;;", "a/b/c", "application/xml", "application/vnd.warden+json", "", "*/*",
				"application/json; charset=\u00ff" };

		private static final String[] HOSTILE_TOKENS = { "null", "true", "false", "\"\"", "\"NaN\"", "NaN", "Infinity",
				"-Infinity", "\"Infinity\"", "1e309", "-1e309", "1" + "0".repeat(400), "123456789012345678901234567890",
				"-9223372036854775809", "9007199254740993", "-0", "0.0000000000000000000001e-400", "{}", "[]",
				"[[[[[[[[]]]]]]]]", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800x\"", "\"a\\u0007b\"",
				"\"\u0001raw control\"", "\"tab\tand\nnewline raw\"", "\"\uE000\"", "0x10", "01", "+1", "'single'",
				"\"\\x41\"", "\"\\uZZZZ\"", "[1,]", "{\"a\":1,}", "true false",
				"{\"a\":{\"b\":{\"c\":{\"d\":[null]}}}}", "\"" + "x".repeat(70_000) + "\"", "\"\u202e\u200b\ufeff\"",
				"\"%00%2F..%2F\"", "\"<script>alert(1)</script>\"", "\"' OR 1=1 --\"", "-1", "0", "2147483648", "1.5",
				"[\"income\"]", "{\"$ref\":\"#\"}" };

		private static final String[] HOSTILE_NAMES = { "inc%6Fme", "income%3Apredict", "%2e%2e", "..",
				"income%2F..%2Fspam", "%00", "income%00", "income;x", "%C3%AFncome", "%FF", "income%", "%",
				"a".repeat(64), "a".repeat(65), "-income", "_x", "income%20", "%E2%80%AE", "income.", "spam..x",
				"%252e%252e", "%C0%AE%C0%AE", "..%2f..%2fetc%2fpasswd", "income%23frag", "x?y" };

		private static final String[] HOSTILE_SELECTORS = { "/versions/0", "/versions/-1", "/versions/abc",
				"/versions/1234567890123456789", "/versions/999999999999999999", "/versions/", "/labels/",
				"/labels/%00", "/labels/1abc", "/labels/" + "l".repeat(70), "/versions/1/labels/stable", "/versions/01",
				"/versions/1%2F2", "//versions//1", "/./versions/1", "/versions/1/.." };

		private static final String[] V1_VERBS = { ":predict", ":predict", ":predict", ":predict", ":explain",
				":classify", ":regress", ":feedback", ":feedback", "", "", "/metadata", "/metadata",
				"/explanation-methods", "/feedback", ":explode", ":", "::predict", ":PREDICT", "/", ":predict/" };

		private static final String[] PARAM_VALUES = { "1", "0", "-1", "income", "spam", "2026-01-01T00:00:00Z", "1h",
				"1d", "true", "", "99999999999999999999", "NaN", "%00", "%FF", "x".repeat(1001), "2026-13-45T99:99:99Z",
				"9999-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z", "a%26b%3Dc", "%27%20OR%201%3D1%20--",
				"%3Cscript%3E", "%E2%80%AE", "500", "501", "1e3", "%0D%0AX-Injected:%201" };

		private final WardenCluster cluster;

		final List<Operation> operations = new ArrayList<>();

		private final Map<String, Pacer> pacers = new ConcurrentHashMap<>();

		private volatile String adminToken;

		private volatile String reviewerToken;

		private volatile String complianceToken;

		private String key;

		private String ownTenant;

		private String ownKeyId;

		private String ownKey;

		private String dataTenant;

		private final String ownModel = "fuzz-model-" + Long.toHexString(SEED);

		private byte[] oversizedDataBody;

		private byte[] oversizedAdminBody;

		Fuzz(WardenCluster cluster) {
			this.cluster = cluster;
		}

		void prepare() throws Exception {
			refreshTokens();
			this.dataTenant = this.cluster.newTenant("fuzz", "enterprise");
			this.key = this.cluster.newKey(this.dataTenant, "fuzz");
			this.ownTenant = this.cluster.newTenant("fuzz-admin", "standard");
			this.ownKey = this.cluster.newKey(this.ownTenant, "fuzz-admin");
			var keys = Http.get(this.cluster.gateway() + "/api/admin/tenants/" + this.ownTenant + "/keys",
					Http.bearer(this.adminToken));
			assertThat(keys.status()).as(keys.body()).isEqualTo(200);
			this.ownKeyId = keys.json().path("content").get(0).path("id").asString();
			var docs = Http.get(this.cluster.gateway() + "/v3/api-docs", Map.of());
			assertThat(docs.status()).as("the OpenAPI document").isEqualTo(200);
			for (Map.Entry<String, JsonNode> path : docs.json().path("paths").properties()) {
				List<String> pathParameters = parameterNames(path.getValue().path("parameters"), "query");
				for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
					if (!Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method.getKey())) {
						continue;
					}
					JsonNode operation = method.getValue();
					List<String> query = new ArrayList<>(pathParameters);
					query.addAll(parameterNames(operation.path("parameters"), "query"));
					String bodyType = null;
					if (operation.has("requestBody")) {
						var types = operation.path("requestBody").path("content").propertyNames();
						bodyType = types.isEmpty() ? "application/json" : types.iterator().next();
					}
					this.operations
						.add(new Operation(method.getKey().toUpperCase(Locale.ROOT), path.getKey(), query, bodyType));
				}
			}
			assertThat(this.operations).as("admin operations in the OpenAPI document").hasSizeGreaterThan(20);
			// one body just over the enterprise plan's 8 MiB, one just over the admin
			// API's 64 KiB: both valid JSON but for their size
			this.oversizedDataBody = padded("{\"instances\":[\"" + SPAM_TEXT + "\"]}", 8 * 1024 * 1024 + 1);
			this.oversizedAdminBody = padded("{\"name\":\"fuzz-oversized\"}", 64 * 1024 + 1);
		}

		private static byte[] padded(String json, int size) {
			byte[] body = new byte[size];
			Arrays.fill(body, (byte) ' ');
			byte[] start = json.getBytes(StandardCharsets.UTF_8);
			System.arraycopy(start, 0, body, 0, start.length);
			return body;
		}

		private static List<String> parameterNames(JsonNode parameters, String in) {
			List<String> names = new ArrayList<>();
			for (JsonNode parameter : parameters) {
				if (in.equals(parameter.path("in").asString())) {
					names.add(parameter.path("name").asString());
				}
			}
			return names;
		}

		void refreshTokens() {
			try {
				this.adminToken = this.cluster.adminToken();
				this.reviewerToken = this.cluster.reviewerToken();
				this.complianceToken = this.cluster.complianceToken();
			}
			catch (Exception ex) {
				throw new IllegalStateException("no fresh tokens", ex);
			}
		}

		/**
		 * The admin API allows 200 calls in a row and 1,200 a minute per user: its calls
		 * are paced at 15 a second per user, so that most of them reach the controllers.
		 */
		private Pacer pacer(String user) {
			return this.pacers.computeIfAbsent(user, (u) -> new Pacer(15));
		}

		FuzzCase generate(int index) {
			var random = new Random(SEED * 1_000_003L + index);
			int area = random.nextInt(100);
			if (area < 40) {
				return dataPlaneV1(random);
			}
			if (area < 52) {
				return dataPlaneV2(random);
			}
			if (area < 57) {
				return otherPublic(random);
			}
			if (area < 90) {
				return admin(random);
			}
			return malformedHttp(random);
		}

		/** A random UUID from the case's own generator (an id that does not exist). */
		private static String uuid(Random random) {
			return new UUID(random.nextLong(), random.nextLong()).toString();
		}

		private static <T> T pick(Random random, T[] values) {
			return values[random.nextInt(values.length)];
		}

		private static <T> T pick(Random random, List<T> values) {
			return values.get(random.nextInt(values.size()));
		}

		// the data plane

		private String model(Random random) {
			int which = random.nextInt(10);
			if (which < 4) {
				return "income";
			}
			if (which < 7) {
				return "spam";
			}
			if (which < 9) {
				return pick(random, new String[] { "fuzz-unknown-" + random.nextInt(1000), "nonexistent", "default",
						"half_plus_two", "INCOME", "income-rollback", "broken-model" });
			}
			return pick(random, HOSTILE_NAMES);
		}

		private void dataPlaneAuth(Random random, List<String[]> headers) {
			int which = random.nextInt(100);
			if (which < 78) {
				headers.add(new String[] { "Authorization", "Bearer " + this.key });
			}
			else if (which < 83) {
				headers.add(new String[] { "X-API-Key", this.key });
			}
			else if (which < 87) {
				// none
			}
			else if (which < 90) {
				headers.add(new String[] { "Authorization", "Bearer wdn_" + uuid(random) });
			}
			else if (which < 92) {
				headers.add(new String[] { "Authorization", "Bearer " + this.adminToken });
			}
			else if (which < 95) {
				headers.add(new String[] { "Authorization", "Bearer " + this.ownKey });
			}
			else if (which < 97) {
				headers.add(new String[] { "Authorization",
						pick(random, new String[] { "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "bearer " + this.key,
								"Bearer " + this.key + "x", "Bearer \u00e9" }) });
			}
			else {
				headers.add(new String[] { "Authorization", "Bearer " + this.key });
				headers.add(new String[] { "Authorization", "Bearer wdn_second" });
			}
		}

		private Object validBody(Random random, String model, String verb) {
			if (verb.equals(":feedback")) {
				return Map.of("outcomes",
						List.of(Map.of("request_id", "fuzz-" + random.nextInt(1_000_000), "label", random.nextInt(2))));
			}
			if (verb.equals(":classify") || verb.equals(":regress")) {
				return Map.of("examples", List.of(Map.of("x", random.nextDouble())));
			}
			if (model.equals("spam")) {
				return random.nextBoolean() ? Map.of("instances", List.of(SPAM_TEXT))
						: Map.of("inputs", Map.of("text", List.of(SPAM_TEXT, "Re: the build is fixed")));
			}
			List<Object> rows = new ArrayList<>();
			int n = 1 + random.nextInt(3);
			for (int i = 0; i < n; i++) {
				rows.add(EndToEndIntegrationTests.RECORDS.get(random.nextInt(EndToEndIntegrationTests.RECORDS.size())));
			}
			return Map.of("instances", rows);
		}

		private Object validV2Body(Random random, String model) {
			if (model.equals("spam")) {
				return Map.of("id", "fuzz", "inputs", List
					.of(Map.of("name", "text", "shape", List.of(1), "datatype", "BYTES", "data", List.of(SPAM_TEXT))));
			}
			var record = EndToEndIntegrationTests.RECORDS.get(random.nextInt(EndToEndIntegrationTests.RECORDS.size()));
			List<Object> inputs = new ArrayList<>();
			record.forEach((name, value) -> inputs.add(Map.of("name", name, "shape", List.of(1), "datatype",
					(value instanceof String) ? "BYTES" : "FP32", "data", List.of(value))));
			return Map.of("inputs", inputs);
		}

		/**
		 * A body: valid for the call, or one hostile change of it, or a special one;
		 * {@code null} bytes for none.
		 */
		private byte[] body(Random random, Object valid, boolean data) {
			int which = random.nextInt(100);
			if (which < 25) {
				return Json.write(valid);
			}
			if (which < 70) {
				return Json.write(Json.mutate(valid, random, pick(random, HOSTILE_TOKENS)));
			}
			if (which < 80) {
				byte[] bytes = Json.write(valid);
				return Arrays.copyOf(bytes, random.nextInt(Math.max(1, bytes.length)));
			}
			return switch (random.nextInt(16)) {
				case 0 -> new byte[0];
				case 1 -> " \r\n\t".getBytes(StandardCharsets.UTF_8);
				case 2 -> "{".getBytes(StandardCharsets.UTF_8);
				case 3 -> pick(random, new String[] { "null", "[]", "{}", "\"text\"", "0", "true" })
					.getBytes(StandardCharsets.UTF_8);
				case 4 -> {
					byte[] bytes = new byte[1 + random.nextInt(2000)];
					random.nextBytes(bytes);
					yield bytes;
				}
				case 5 -> ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
				case 6 -> ("{\"instances\":" + "[".repeat(2_000) + "1" + "]".repeat(2_000) + "}")
					.getBytes(StandardCharsets.UTF_8);
				case 7 ->
					("\uFEFF" + new String(Json.write(valid), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
				case 8 -> {
					String once = new String(Json.write(valid), StandardCharsets.UTF_8);
					yield ("{" + once.substring(1, once.length() - 1) + "," + once.substring(1))
						.getBytes(StandardCharsets.UTF_8);
				}
				case 9 -> (new String(Json.write(valid), StandardCharsets.UTF_8) + "}{\"x\":1}")
					.getBytes(StandardCharsets.UTF_8);
				case 10 -> data ? this.oversizedDataBody : this.oversizedAdminBody;
				case 11 -> {
					List<Object> rows = new ArrayList<>();
					for (int i = 0; i < 10_001; i++) {
						rows.add("a");
					}
					yield Json.write(Map.of("instances", rows));
				}
				case 12 -> Json.write(Map.of("instances", List.of(Map.of("text", "x".repeat(1_000_000)))));
				case 13 -> new String(Json.write(valid), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
				case 14 -> Json.write(Map.of("outcomes",
						List.of(Map.of("request_id", "\u0000", "labels", List.of(-1, 10_001, Json.raw("1e400"))))));
				default -> ("{\"instances\":[{\"age\":" + "9".repeat(100_000) + "}]}").getBytes(StandardCharsets.UTF_8);
			};
		}

		private String contentType(Random random) {
			return (random.nextInt(100) < 85) ? "application/json" : pick(random, CONTENT_TYPES);
		}

		/** Many headers, a huge query string or a huge header now and then. */
		private String extras(Random random, List<String[]> headers, boolean[] mayDrop) {
			int which = random.nextInt(100);
			if (which < 5) {
				int count = pick(random, new Integer[] { 50, 99, 150, 1000 });
				for (int i = 0; i < count; i++) {
					headers.add(new String[] { "X-Fuzz-" + i, "v" + i });
				}
				mayDrop[0] = true;
			}
			else if (which < 8) {
				headers.add(new String[] { "X-Fuzz-Big", "b".repeat(pick(random, new Integer[] { 15_000, 20_000 })) });
				mayDrop[0] = true;
			}
			else if (which < 11) {
				mayDrop[0] = true;
				return "?q=" + "q".repeat(pick(random, new Integer[] { 10_000, 17_000, 40_000 }));
			}
			else if (which < 16) {
				var query = new StringBuilder("?");
				int count = 1 + random.nextInt(200);
				for (int i = 0; i < count; i++) {
					query.append((i > 0) ? "&" : "")
						.append("p")
						.append(random.nextInt(20))
						.append('=')
						.append(pick(random, PARAM_VALUES).replace("x".repeat(1001), "x"));
				}
				return query.toString();
			}
			else if (which < 18) {
				headers.add(new String[] { "X-Request-Id", pick(random, new String[] { "x".repeat(200), "\u00e9", "a b",
						"../..", "%00", "fuzz-" + random.nextInt() }) });
			}
			else if (which < 20) {
				headers.add(new String[] { "Content-Encoding", pick(random, new String[] { "gzip", "br", "x" }) });
			}
			return "";
		}

		private FuzzCase dataPlaneV1(Random random) {
			String model = model(random);
			int selector = random.nextInt(20);
			String path = "/v1/models/" + model
					+ ((selector < 12) ? ""
							: (selector < 15) ? "/versions/" + (1 + random.nextInt(2))
									: (selector < 17)
											? "/labels/" + pick(random, new String[] { "stable", "canary", "x" })
											: pick(random, HOSTILE_SELECTORS));
			String verb = pick(random, V1_VERBS);
			if (random.nextInt(50) == 0) {
				path = pick(random,
						new String[] { "/v1/models", "/v1/models/", "/v1", "/v1/usage", "/v1/usage/x",
								"/v1/models//income:predict", "/V1/models/income:predict",
								"/v1/models/income:predict;jsessionid=x" });
				verb = "";
			}
			boolean post = verb.startsWith(":") && !verb.equals(":");
			String finalVerb = verb;
			return dataPlane(random, "v1", post ? "POST" : "GET", path + verb, post,
					(r) -> validBody(r, model, finalVerb), true);
		}

		private FuzzCase dataPlaneV2(Random random) {
			String model = model(random);
			String path;
			String method = "GET";
			boolean infer = false;
			int which = random.nextInt(12);
			String version = (random.nextBoolean()) ? ""
					: "/versions/" + pick(random, new String[] { "1", "2", "0", "abc", "99999999999999999999" });
			switch (which) {
				case 0 -> path = "/v2";
				case 1 -> path = "/v2/health/live";
				case 2 -> path = "/v2/health/ready";
				case 3, 4 -> path = "/v2/models/" + model + version;
				case 5 -> path = "/v2/models/" + model + version + "/ready";
				case 6 -> path = pick(random,
						new String[] { "/v2/models/" + model + "/generate", "/v2/repository/index", "/v2/models",
								"/v2/models/" + model + "/infer/x", "/v2/health",
								"/v2/models/" + model + "/versions//infer", "/v2/%2e%2e/v1/usage" });
				default -> {
					path = "/v2/models/" + model + version + "/infer";
					method = "POST";
					infer = true;
				}
			}
			return dataPlane(random, "v2", method, path, infer, (r) -> validV2Body(r, model), false);
		}

		/**
		 * The rest of a data-plane case, drawn in this order: sometimes an odd method,
		 * the credentials, the query and extra headers, a body (always when
		 * {@code withBody}, else one time in ten) and, when {@code mayHalfClose}, whether
		 * the client half-closes.
		 */
		private FuzzCase dataPlane(Random random, String area, String method, String target, boolean withBody,
				java.util.function.Function<Random, Object> validBody, boolean mayHalfClose) {
			if (random.nextInt(100) < 12) {
				method = pick(random, ODD_METHODS);
			}
			List<String[]> headers = new ArrayList<>();
			dataPlaneAuth(random, headers);
			boolean[] mayDrop = { false };
			String query = extras(random, headers, mayDrop);
			byte[] body = null;
			if (withBody || random.nextInt(10) == 0) {
				body = body(random, validBody.apply(random), true);
				headers.add(new String[] { "Content-Type", contentType(random) });
				mayDrop[0] |= body.length > 1_000_000;
			}
			return FuzzCase.of(area, method, target + query, headers, body, mayDrop[0],
					mayHalfClose && random.nextInt(20) == 0, null);
		}

		private FuzzCase otherPublic(Random random) {
			String path = pick(random,
					new String[] { "/v1/usage", "/v1/usage", "/v1/usage?from=2026-01-01&to=x", "/v1/usage?month=13",
							"/v1/models/income/feedback?window=1h", "/v1/models/income/feedback?window=bogus&from=NaN",
							"/v1/models/spam/versions/1/feedback?min_group_size=-1", "/v3/api-docs", "/actuator/health",
							"/actuator/health/liveness", "/actuator/prometheus", "/actuator/env", "/actuator/heapdump",
							"/", "/favicon.ico", "/error", "/api", "/api/admin", "/api/admin/", "/swagger-ui.html",
							"/internal/platform/workers/heartbeat", "/internal/v1/status", "/%2e%2e/%2e%2e/etc/passwd",
							"/api/admin/..;/v1/usage", "/api/admin/tenants/..%2F..%2Factuator%2Fenv" });
			String method = path.equals("/internal/platform/workers/heartbeat") ? "POST" : "GET";
			if (random.nextInt(100) < 15) {
				method = pick(random, ODD_METHODS);
			}
			List<String[]> headers = new ArrayList<>();
			if (path.startsWith("/internal")) {
				headers.add(new String[] { "Authorization", "Bearer " + pick(random,
						new String[] { "registration-wrong", "", this.key, "registration-system-test-x" }) });
			}
			else {
				dataPlaneAuth(random, headers);
			}
			boolean[] mayDrop = { false };
			String query = path.contains("?") ? "" : extras(random, headers, mayDrop);
			byte[] body = null;
			if (method.equals("POST")) {
				body = body(random, Map.of("id", "fuzz-worker", "url", "http://127.0.0.1:1", "models", Map.of()),
						false);
				headers.add(new String[] { "Content-Type", contentType(random) });
			}
			return FuzzCase.of("other", method, path + query, headers, body, mayDrop[0], false, null);
		}

		// the admin API

		private static boolean mutating(String method) {
			return !Set.of("GET", "HEAD", "OPTIONS", "TRACE").contains(method);
		}

		/** A value for a path variable of a read: anything, existing objects included. */
		private String anyValue(Random random, String variable) {
			int which = random.nextInt(10);
			if (which < 5) {
				return safeValue(random, variable);
			}
			if (which < 8) {
				return pick(random, new String[] { "income", "spam", "1", "2", this.dataTenant, "stable", "canary" });
			}
			return pick(random, new String[] { "%00", "%2F", "..", "%2e%2e", "x".repeat(1001), "%C3%A9", "%FF", "%20",
					"-1", "9223372036854775808", "1e3", "null", "%3Cscript%3E", "a;b", "a%3Bb" });
		}

		/**
		 * A value for a path variable of a mutating call: an object the fuzz created, or
		 * an id or name that cannot exist.
		 */
		private String safeValue(Random random, String variable) {
			String name = variable.toLowerCase(Locale.ROOT);
			int which = random.nextInt(10);
			if (name.equals("tenantid") || (name.equals("id") && which < 3)) {
				return (which < 8) ? this.ownTenant : uuid(random);
			}
			if (name.equals("keyid")) {
				return (which < 7) ? this.ownKeyId : uuid(random);
			}
			if (name.equals("name") || name.equals("model")) {
				return (which < 8) ? this.ownModel : "fuzz-missing-" + random.nextInt(1000);
			}
			if (name.equals("target")) {
				return this.ownModel + pick(random, new String[] { ":rollback", ":promote", ":explode", "" });
			}
			if (name.equals("version") || name.equals("revision")) {
				return pick(random, new String[] { "1", "2", "0", "-1", "abc", "99999999999999999999" });
			}
			return pick(random, new String[] { uuid(random), "9223372036854775807", "-1",
					"fuzz-" + random.nextInt(1000), "f".repeat(300) });
		}

		private Object adminBody(Random random) {
			return pick(random, List.of(Map.of("name", "fuzz-" + random.nextInt(1000)),
					Map.of("name", "fuzz-" + random.nextInt(1000), "plan", "enterprise"), Map.of("status", "suspended"),
					Map.of("version", 1, "weight", 50), Map.of("models", List.of("income")),
					Map.of("tenants", List.of(this.ownTenant)), Map.of("all", true),
					Map.of("justification", "fuzz", "reason", "fuzz"), Map.of("dataset", "adult_validation"),
					Map.of("name", "k", "quota", Map.of("requests_per_second", 1)),
					Map.of("name", "k", "expires_at", "2027-01-01T00:00:00Z"), Map.of("holder", "x", "reason", "y"),
					Map.of("fail_open", false), Map.of("plan", "enterprise"), Map.of("sections", Map.of())));
		}

		private FuzzCase admin(Random random) {
			Operation operation = pick(random, this.operations);
			String method = (random.nextInt(100) < 85) ? operation.method() : pick(random, ODD_METHODS);
			boolean mutating = mutating(method);
			var path = new StringBuilder();
			var matcher = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(operation.path());
			int variables = 0;
			while (matcher.find()) {
				variables++;
				matcher.appendReplacement(path, java.util.regex.Matcher.quoteReplacement(
						mutating ? safeValue(random, matcher.group(1)) : anyValue(random, matcher.group(1))));
			}
			matcher.appendTail(path);
			// a mutating call that names no object of the fuzz's own could change shared
			// state:
			// it is sent without a valid token, or with a body that is no JSON at all
			boolean dangerous = mutating && variables == 0;
			List<String[]> headers = new ArrayList<>();
			Pacer pacer = null;
			int auth = random.nextInt(100);
			boolean brokenBodyOnly = false;
			if (dangerous) {
				if (auth < 50 && operation.bodyType() != null && operation.bodyType().contains("json")
						&& method.equals(operation.method())) {
					headers.add(new String[] { "Authorization", "Bearer " + this.adminToken });
					pacer = pacer("admin");
					brokenBodyOnly = true;
				}
				else {
					headers.add(new String[] { "Authorization",
							pick(random, new String[] { "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.",
									"Bearer " + this.key, "Basic YWRtaW46YWRtaW4=", "Bearer" }) });
				}
			}
			else if (auth < 35) {
				headers.add(new String[] { "Authorization", "Bearer " + this.adminToken });
				pacer = pacer("admin");
			}
			else if (auth < 65) {
				headers.add(new String[] { "Authorization", "Bearer " + this.reviewerToken });
				pacer = pacer("reviewer");
			}
			else if (auth < 80) {
				headers.add(new String[] { "Authorization", "Bearer " + this.complianceToken });
				pacer = pacer("compliance");
			}
			else if (auth < 88) {
				// none
			}
			else if (auth < 94) {
				headers.add(new String[] { "Authorization",
						"Bearer " + this.adminToken.substring(0, this.adminToken.length() - 4) + "AAAA" });
			}
			else {
				headers.add(new String[] { "Authorization", pick(random, new String[] { "Bearer " + this.key,
						"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "Basic YWRtaW46YWRtaW4=" }) });
			}
			var query = new StringBuilder();
			if (!operation.query().isEmpty() && random.nextInt(100) < 70) {
				int count = 1 + random.nextInt(operation.query().size());
				for (int i = 0; i < count; i++) {
					query.append((query.length() == 0) ? "?" : "&")
						.append(pick(random, operation.query()))
						.append('=')
						.append(pick(random, PARAM_VALUES));
				}
			}
			if (random.nextInt(100) < 5) {
				query.append((query.length() == 0) ? "?" : "&").append("unknown_parameter=1");
			}
			boolean[] mayDrop = { false };
			if (!brokenBodyOnly) {
				String extra = extras(random, headers, mayDrop);
				if (query.length() == 0) {
					query.append(extra);
				}
			}
			byte[] body = null;
			if (brokenBodyOnly) {
				body = pick(random, new byte[][] { "{".getBytes(StandardCharsets.UTF_8),
						"{\"name\":".getBytes(StandardCharsets.UTF_8), "\u0001".getBytes(StandardCharsets.UTF_8),
						"[".repeat(100_000).getBytes(StandardCharsets.UTF_8), this.oversizedAdminBody,
						"{\"a\":1,}".getBytes(StandardCharsets.UTF_8), "nul".getBytes(StandardCharsets.UTF_8) });
				headers.add(new String[] { "Content-Type", "application/json" });
			}
			else if (mutating && operation.bodyType() != null && operation.bodyType().startsWith("multipart")
					&& random.nextBoolean()) {
				byte[] file = new byte[random.nextInt(5000)];
				random.nextBytes(file);
				String boundary = "fuzz" + random.nextInt(1_000_000);
				var multipart = new ByteArrayOutputStream();
				multipart.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
						+ pick(random, new String[] { "model.zip", "../../x.zip", "\u00e9.zip", "" })
						+ "\"\r\nContent-Type: application/zip\r\n\r\n")
					.getBytes(StandardCharsets.UTF_8));
				multipart.writeBytes(file);
				if (random.nextBoolean()) {
					multipart.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
				}
				body = multipart.toByteArray();
				headers.add(new String[] { "Content-Type", "multipart/form-data; boundary=" + boundary });
			}
			else if (mutating || random.nextInt(10) == 0) {
				body = body(random, adminBody(random), false);
				headers.add(new String[] { "Content-Type", contentType(random) });
			}
			mayDrop[0] |= body != null && body.length > 64 * 1024;
			return FuzzCase.of("admin", method, path.toString() + query, headers, body, mayDrop[0], false, pacer);
		}

		// malformed HTTP on a raw socket

		private FuzzCase malformedHttp(Random random) {
			String host = "Host: localhost\r\n";
			String auth = "Authorization: Bearer " + this.key + "\r\n";
			String json = "Content-Type: application/json\r\n";
			String valid = new String(Json.write(validBody(random, "income", ":predict")), StandardCharsets.UTF_8);
			String path = pick(random, new String[] { "/v1/models/income:predict", "/v2/models/income/infer",
					"/api/admin/tenants", "/v1/usage" });
			String request = switch (random.nextInt(30)) {
				case 0 -> "GET " + path + "\r\n\r\n";
				case 1 -> "GET " + path + " HTTP/1.1\r\n\r\n";
				case 2 -> "GET " + path + " HTTP/9.9\r\n" + host + "\r\n";
				case 3 -> "GET " + path + " HTTP/2.0\r\n" + host + "\r\n";
				case 4 -> "GET http://evil.example" + path + " HTTP/1.1\r\n" + host + "\r\n";
				case 5 -> "OPTIONS * HTTP/1.1\r\n" + host + "\r\n";
				case 6 -> "GET /v1/models/inc ome HTTP/1.1\r\n" + host + "\r\n";
				case 7 -> "GET /v1/models/\u00e9\u0000x HTTP/1.1\r\n" + host + "\r\n";
				case 8 -> "GET " + path + " HTTP/1.1\r\n" + host + "NoColonHeader\r\n\r\n";
				case 9 -> "GET " + path + " HTTP/1.1\r\n" + host + "X-Folded: a\r\n  b\r\n\r\n";
				case 10 -> "GET " + path + " HTTP/1.1\n" + "Host: localhost\n\n";
				case 11 -> "GET " + path + " HTTP/1.1\r" + "Host: localhost\r\r";
				case 12 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Content-Length: 5\r\n"
						+ "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
				case 13 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Content-Length: 2\r\n"
						+ "Content-Length: 3\r\n\r\n{}x";
				case 14 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Content-Length: -1\r\n\r\n{}";
				case 15 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Content-Length: "
						+ (valid.length() + 100) + "\r\n\r\n" + valid;
				case 16 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json
						+ "Transfer-Encoding: chunked\r\n\r\nZZ\r\n" + valid + "\r\n0\r\n\r\n";
				case 17 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Transfer-Encoding: chunked\r\n\r\n"
						+ Integer.toHexString(valid.length()) + ";ext=" + "e".repeat(10_000) + "\r\n" + valid
						+ "\r\n0\r\n\r\n";
				case 18 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Transfer-Encoding: chunked\r\n\r\n"
						+ Integer.toHexString(valid.length()) + "\r\n" + valid + "\r\n0\r\n\r\n";
				case 19 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Transfer-Encoding: chunked\r\n\r\n"
						+ "7fffffffffffffff\r\n" + valid;
				case 20 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json
						+ "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n";
				case 21 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Expect: 100-continue\r\n"
						+ "Content-Length: " + valid.length() + "\r\n\r\n" + valid;
				case 22 -> "POST " + path + " HTTP/1.1\r\n" + host + auth + json + "Expect: 999-bogus\r\n"
						+ "Content-Length: " + valid.length() + "\r\n\r\n" + valid;
				case 23 -> "GET " + path + " HTTP/1.1\r\n" + host + "Host: other\r\n\r\n";
				case 24 ->
					"GET " + path + " HTTP/1.1\r\n" + host + "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
							+ "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n";
				case 25 -> "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
				case 26 -> "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003";
				case 27 -> "GET " + path + " HTTP/1.1\r\n" + host + "Content-Length: 10\r\n\r\n";
				case 28 -> "GET " + "/" + "a".repeat(70_000) + " HTTP/1.1\r\n" + host + "\r\n";
				default -> "GET " + path + "?" + "%".repeat(50) + " HTTP/1.1\r\n" + host + "\r\n";
			};
			return new FuzzCase("malformed-http", "RAW", request.substring(0, Math.min(60, request.length())),
					request.getBytes(StandardCharsets.ISO_8859_1), true, true, null);
		}

	}

	/** One admin operation of the OpenAPI document. */
	record Operation(String method, String path, List<String> query, String bodyType) {
	}

	/**
	 * One request: its area, method and target (for the report), its bytes, whether the
	 * gateway may drop the connection without an answer (malformed HTTP, oversized),
	 * whether the client half-closes after sending, and the pacer of its user.
	 */
	record FuzzCase(String area, String method, String target, byte[] request, boolean mayDrop, boolean halfClose,
			Pacer pacer) {

		static FuzzCase of(String area, String method, String target, List<String[]> headers, byte[] body,
				boolean mayDrop, boolean chunked, Pacer pacer) {
			var request = new ByteArrayOutputStream();
			var head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
			for (String[] header : headers) {
				head.append(header[0]).append(": ").append(header[1]).append("\r\n");
			}
			if (body != null) {
				head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
			}
			head.append("Connection: close\r\n\r\n");
			request.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
			if (body != null) {
				if (chunked) {
					request.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
					request.writeBytes(body);
					request.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				}
				else {
					request.writeBytes(body);
				}
			}
			String shown = (target.length() > 80) ? target.substring(0, 80) + "…(" + target.length() + " chars)"
					: target;
			return new FuzzCase(area, (method.length() > 20) ? method.substring(0, 20) + "…" : method, shown,
					request.toByteArray(), mayDrop, false, pacer);
		}

	}

	/** What the fuzz saw. */
	static final class FuzzResults {

		final AtomicInteger total = new AtomicInteger();

		final AtomicInteger mayDrop = new AtomicInteger();

		final AtomicInteger retryAfter503 = new AtomicInteger();

		final AtomicInteger adminRateLimited = new AtomicInteger();

		final Map<String, Map<String, AtomicInteger>> byArea = new ConcurrentHashMap<>();

		final Map<Integer, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());

		final List<String> serverErrors = Collections.synchronizedList(new ArrayList<>());

		final List<String> withoutJsonError = Collections.synchronizedList(new ArrayList<>());

		final List<String> unanswered = Collections.synchronizedList(new ArrayList<>());

		final List<String> generatorErrors = Collections.synchronizedList(new ArrayList<>());

		void record(FuzzCase fuzzCase, Answer answer) {
			this.total.incrementAndGet();
			if (fuzzCase.mayDrop()) {
				this.mayDrop.incrementAndGet();
			}
			String what = fuzzCase.area() + " " + fuzzCase.method() + " " + fuzzCase.target();
			String statusClass;
			if (answer.status() < 0) {
				statusClass = "no answer";
				if (!fuzzCase.mayDrop()) {
					this.unanswered.add(what + ": " + answer.failure());
				}
			}
			else {
				statusClass = (answer.status() / 100) + "xx";
				this.statuses.merge(answer.status(), 1, Integer::sum);
				if (answer.status() >= 500) {
					this.serverErrors.add(answer.status() + " " + what + ": " + answer.bodyText(300));
					if (answer.status() == 503 && answer.header("retry-after") != null) {
						this.retryAfter503.incrementAndGet();
					}
				}
				else if (answer.status() >= 400 && !fuzzCase.method().equals("HEAD") && !hasJsonError(answer.body())) {
					this.withoutJsonError.add(what + ": " + answer.status() + " " + answer.header("content-type") + " "
							+ answer.bodyText(200));
				}
				if (answer.status() == 429 && fuzzCase.area().equals("admin")) {
					this.adminRateLimited.incrementAndGet();
				}
			}
			this.byArea.computeIfAbsent(fuzzCase.area(), (a) -> new ConcurrentHashMap<>())
				.computeIfAbsent(statusClass, (c) -> new AtomicInteger())
				.incrementAndGet();
		}

		static boolean hasJsonError(byte[] body) {
			try {
				JsonNode error = JsonMapper.shared().readTree(body).path("error");
				return error.path("code").isString() && !error.path("code").asString().isEmpty()
						&& error.path("message").isString() && error.path("request_id").isString()
						&& !error.path("request_id").asString().isEmpty();
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

		String table() {
			var md = new StringBuilder("| area | requests | 2xx | 3xx | 4xx | 5xx | no answer |\n");
			md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
			for (String area : List.of("v1", "v2", "other", "admin", "malformed-http")) {
				Map<String, AtomicInteger> counts = this.byArea.getOrDefault(area, Map.of());
				int sum = counts.values().stream().mapToInt(AtomicInteger::get).sum();
				md.append("| ").append(area).append(" | ").append(sum);
				for (String statusClass : List.of("2xx", "3xx", "4xx", "5xx", "no answer")) {
					md.append(" | ").append(counts.getOrDefault(statusClass, new AtomicInteger()).get());
				}
				md.append(" |\n");
			}
			return md.toString();
		}

		void samples(StringBuilder md) {
			// up to three answers of each 5xx status, then the other findings
			Map<String, List<String>> byStatus = new TreeMap<>();
			synchronized (this.serverErrors) {
				for (String line : this.serverErrors) {
					List<String> same = byStatus.computeIfAbsent(line.substring(0, 3), (status) -> new ArrayList<>());
					if (same.size() < 3) {
						same.add(line);
					}
				}
			}
			byStatus.values()
				.forEach((lines) -> lines.forEach((line) -> md.append("- `")
					.append(line.replace('`', '\'').replace('\n', ' ').replace('\r', ' '))
					.append("`\n")));
			for (var list : List.of(this.withoutJsonError, this.unanswered)) {
				synchronized (list) {
					list.stream()
						.limit(15)
						.forEach((line) -> md.append("- `")
							.append(line.replace('`', '\'').replace('\n', ' ').replace('\r', ' '))
							.append("`\n"));
				}
			}
		}

	}

	/** Paces the calls of one admin user. */
	static final class Pacer {

		private final long intervalNanos;

		private long next;

		Pacer(int perSecond) {
			this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
		}

		void acquire() {
			long wait;
			synchronized (this) {
				long now = System.nanoTime();
				long slot = Math.max(this.next, now);
				this.next = slot + this.intervalNanos;
				wait = slot - now;
			}
			if (wait > 0) {
				try {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

	// ------------------------------------------------------------------------------------
	// 2. slow and idle clients
	// ------------------------------------------------------------------------------------

	@Test
	@Order(2)
	void idleSlowAndHugeHeaderClientsNeither5xxNorFailTheNormalClient() throws Exception {
		long openFilesLimit = openFilesLimit();
		int planned = IDLE_CONNECTIONS + SLOWLORIS_CONNECTIONS + 100;
		assertThat((long) planned).as("connections planned against ulimit -n %d", openFilesLimit)
			.isLessThan(openFilesLimit - 1000);
		String apiKey = this.cluster.newTenantKey("slow", "enterprise");
		long gateway = this.cluster.pid("platform-api");
		var client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		var body = JsonMapper.shared().writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS));
		var predict = HttpRequest.newBuilder(URI.create(this.cluster.gateway() + "/v1/models/income:predict"))
			.timeout(Duration.ofSeconds(60))
			.header("Authorization", "Bearer " + apiKey)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		normalClient(client, predict, 50);
		ProcessFigures before = ProcessFigures.of(gateway);
		Latencies baseline = normalClient(client, predict, NORMAL_CLIENT_REQUESTS);

		// how long the gateway keeps an idle keep-alive connection, and a silent one
		var keepAliveProbe = new CloseProbe(this.cluster.gatewayPort, true);
		var silentProbe = new CloseProbe(this.cluster.gatewayPort, false);

		List<Socket> idle = new ArrayList<>();
		List<Socket> slow = new ArrayList<>();
		var slowClosedByServer = new AtomicInteger();
		var slowBytes = new AtomicLong();
		var trickling = new AtomicBoolean(true);
		Thread trickle = null;
		List<String> hugeHeaders = new ArrayList<>();
		List<Integer> hugeHeaderStatuses = new ArrayList<>();
		ProcessFigures during;
		Latencies whileHeld;
		int idleOpenAtEnd;
		int slowOpenAtEnd;
		int slowClosedWhileHeld;
		Duration held;
		Instant slowSince = Instant.now();
		try {
			Instant openedAt = Instant.now();
			byte[] liveness = ("GET /actuator/health/liveness HTTP/1.1\r\nHost: localhost\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII);
			for (int i = 0; i < IDLE_CONNECTIONS; i++) {
				var socket = new Socket();
				socket.connect(new InetSocketAddress("127.0.0.1", this.cluster.gatewayPort), 10_000);
				socket.setSoTimeout(30_000);
				socket.getOutputStream().write(liveness);
				socket.getOutputStream().flush();
				Answer answer = RawHttp.readAnswer(socket.getInputStream(), false);
				assertThat(answer.status()).as("keep-alive request %d: %s", i, answer.failure()).isEqualTo(200);
				idle.add(socket);
			}
			for (int i = 0; i < SLOWLORIS_CONNECTIONS; i++) {
				var socket = new Socket();
				socket.connect(new InetSocketAddress("127.0.0.1", this.cluster.gatewayPort), 10_000);
				socket.getOutputStream()
					.write(("POST /v1/models/income:predict HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
							+ apiKey + "\r\nX-Slow: ")
						.getBytes(StandardCharsets.US_ASCII));
				slow.add(socket);
			}
			slowSince = Instant.now();
			trickle = new Thread(() -> {
				while (trickling.get()) {
					for (Socket socket : slow) {
						if (socket.isClosed()) {
							continue;
						}
						try {
							socket.getOutputStream().write('a');
							slowBytes.incrementAndGet();
						}
						catch (IOException closed) {
							slowClosedByServer.incrementAndGet();
							try {
								socket.close();
							}
							catch (IOException ignored) {
								// already gone
							}
						}
					}
					try {
						Thread.sleep(300);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "slowloris");
			trickle.start();
			Thread.sleep(2_000);

			for (int size : new int[] { 64 * 1024, 1024 * 1024 }) {
				for (int i = 0; i < 5; i++) {
					HugeHeader result = hugeHeader(this.cluster.gatewayPort, size);
					hugeHeaders.add(result.toString());
					hugeHeaderStatuses.add(result.status());
				}
			}
			during = ProcessFigures.of(gateway);
			whileHeld = normalClient(client, predict, NORMAL_CLIENT_REQUESTS);
			ProcessFigures duringAfterClient = ProcessFigures.of(gateway);
			during = during.max(duringAfterClient);
			idleOpenAtEnd = (int) idle.stream().filter(RobustnessIntegrationTests::stillOpen).count();
			slowOpenAtEnd = (int) slow.stream().filter((socket) -> !socket.isClosed()).count();
			slowClosedWhileHeld = slowClosedByServer.get();
			held = Duration.between(openedAt, Instant.now());
		}
		catch (Exception | Error ex) {
			stopTrickling(trickling, trickle, slow);
			throw ex;
		}
		finally {
			for (Socket socket : idle) {
				socket.close();
			}
		}
		// a few slowloris connections go on trickling, to see whether the gateway ever
		// closes them
		List<Socket> lingering = new ArrayList<>(slow.subList(0, 5));
		ProcessFigures after;
		Latencies afterwards;
		CloseProbe.Result keepAlive;
		CloseProbe.Result silent;
		int lingeringOpen;
		Duration lingered;
		try {
			for (Socket socket : slow.subList(5, slow.size())) {
				socket.close();
			}
			// the gateway closes its side of the connections the clients closed
			after = ProcessFigures.of(gateway);
			Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
			while (after.openFiles() > before.openFiles() + 100 && Instant.now().isBefore(deadline)) {
				Thread.sleep(500);
				after = ProcessFigures.of(gateway);
			}
			afterwards = normalClient(client, predict, NORMAL_CLIENT_REQUESTS);
			after = ProcessFigures.of(gateway);
			keepAlive = keepAliveProbe.await(Duration.ofSeconds(100));
			silent = silentProbe.await(Duration.ofSeconds(100));
			lingeringOpen = (int) lingering.stream()
				.filter((socket) -> !socket.isClosed() && stillOpen(socket))
				.count();
			lingered = Duration.between(slowSince, Instant.now());
		}
		finally {
			stopTrickling(trickling, trickle, slow);
		}
		long gatewayOpenFilesLimit = openFilesLimit(Path.of("/proc/" + gateway + "/limits"));
		Map<String, Boolean> alive = alive();

		var md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"`ulimit -n` %d. Hostile connections held for %.0f s: %,d idle keep-alive connections (one "
						+ "`GET /actuator/health/liveness` each, then nothing), %d slowloris connections (a "
						+ "prediction's request line and headers, then one header byte every 300 ms per connection, "
						+ "%,d bytes in all), and 5 requests each with a 64 KiB and a 1 MiB header value.%n%n",
				openFilesLimit, held.toMillis() / 1000.0, IDLE_CONNECTIONS, SLOWLORIS_CONNECTIONS, slowBytes.get()));
		md.append(
				"| normal client (`income:predict`, 3 rows, one at a time) | requests | failures | p50 | p99 | max |\n");
		md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
		md.append(baseline.row("baseline, no hostile clients"));
		md.append(whileHeld.row("while the hostile connections are held"));
		md.append(afterwards.row("after they are closed"));
		md.append("\n| gateway process | threads | open files | RSS |\n| --- | ---: | ---: | ---: |\n");
		md.append(before.row("before")).append(during.row("during (max of two samples)")).append(after.row("after"));
		md.append(String.format(Locale.ROOT,
				"%nStill open when the normal client finished: %,d of %,d idle connections, %d of %d slowloris "
						+ "connections (%d closed by the gateway while trickling).%n%n",
				idleOpenAtEnd, IDLE_CONNECTIONS, slowOpenAtEnd, SLOWLORIS_CONNECTIONS, slowClosedWhileHeld));
		md.append("Huge headers: ").append(String.join("; ", new TreeSet<>(hugeHeaders))).append(".\n\n");
		md.append(String.format(Locale.ROOT,
				"Slowloris connections left trickling one byte every 300 ms: %d of %d still open after %.0f s.%n%n",
				lingeringOpen, lingering.size(), lingered.toMillis() / 1000.0));
		md.append(String.format(Locale.ROOT, "The gateway's open-files limit (`/proc/<pid>/limits`): %d.%n%n",
				gatewayOpenFilesLimit));
		md.append("Idle timeouts seen: a keep-alive connection after its answer ")
			.append(keepAlive)
			.append("; a connection that never sends a byte ")
			.append(silent)
			.append(".\n");
		md.append(String.format(Locale.ROOT, "%nProcesses alive: %s.%n", alive));
		report("2. Slow and idle clients", md.toString());

		assertThat(alive.values()).as("processes alive: %s", alive).containsOnly(true);
		assertThat(hugeHeaderStatuses).as("huge headers: %s", hugeHeaders).allMatch((status) -> status < 500);
		assertThat(whileHeld.failures()).as("normal client's failures while held: %s", whileHeld.failureSamples())
			.isZero();
		assertThat(baseline.failures()).as(baseline.failureSamples().toString()).isZero();
		assertThat(afterwards.failures()).as(afterwards.failureSamples().toString()).isZero();
		assertThat(after.openFiles()).as("the gateway's open files after the hostile connections closed")
			.isLessThan(before.openFiles() + 100);
	}

	private static boolean stillOpen(Socket socket) {
		try {
			socket.setSoTimeout(1);
			return socket.getInputStream().read() >= 0;
		}
		catch (SocketTimeoutException open) {
			return true;
		}
		catch (IOException closed) {
			return false;
		}
	}

	private static void stopTrickling(AtomicBoolean trickling, Thread trickle, List<Socket> slow)
			throws IOException, InterruptedException {
		trickling.set(false);
		if (trickle != null) {
			trickle.join(5_000);
		}
		for (Socket socket : slow) {
			socket.close();
		}
	}

	private static long openFilesLimit() throws IOException {
		return openFilesLimit(Path.of("/proc/self/limits"));
	}

	private static long openFilesLimit(Path limits) throws IOException {
		for (String line : Files.readAllLines(limits)) {
			if (line.startsWith("Max open files")) {
				return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
			}
		}
		throw new IllegalStateException("no open-files limit in /proc/self/limits");
	}

	record HugeHeader(int size, int status, String code, boolean closed, String failure) {

		@Override
		public String toString() {
			String sizeName = (this.size >= 1024 * 1024) ? (this.size / (1024 * 1024)) + " MiB"
					: (this.size / 1024) + " KiB";
			if (this.status < 0) {
				return sizeName + ": no answer (" + this.failure + ")";
			}
			return sizeName + ": " + this.status + " `" + this.code + "`, connection "
					+ (this.closed ? "closed" : "left open");
		}

	}

	private static HugeHeader hugeHeader(int port, int size) throws IOException {
		try (var socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
			socket.setSoTimeout(30_000);
			String head = "GET /v1/models/income HTTP/1.1\r\nHost: localhost\r\nX-Huge: ";
			byte[] value = new byte[size];
			Arrays.fill(value, (byte) 'h');
			String failure = null;
			try {
				OutputStream out = socket.getOutputStream();
				out.write(head.getBytes(StandardCharsets.US_ASCII));
				out.write(value);
				out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
			catch (IOException ex) {
				failure = "sending: " + ex.getMessage();
			}
			Answer answer = RawHttp.readAnswer(socket.getInputStream(), false);
			if (answer.status() < 0) {
				return new HugeHeader(size, -1, null, true, (failure != null) ? failure : answer.failure());
			}
			String code = FuzzResults.hasJsonError(answer.body())
					? JsonMapper.shared().readTree(answer.body()).path("error").path("code").asString()
					: "no JSON error";
			return new HugeHeader(size, answer.status(), code, !stillOpen(socket), null);
		}
	}

	/** A normal client's sequential predictions. */
	private static Latencies normalClient(HttpClient client, HttpRequest predict, int requests) {
		var latencies = new Latencies();
		for (int i = 0; i < requests; i++) {
			long start = System.nanoTime();
			try {
				var response = client.send(predict, HttpResponse.BodyHandlers.ofString());
				latencies.add(System.nanoTime() - start,
						(response.statusCode() == 200) ? null : response.statusCode() + " " + response.body());
			}
			catch (Exception ex) {
				latencies.add(System.nanoTime() - start, ex.toString());
			}
		}
		return latencies;
	}

	/**
	 * Opens a connection and waits, on a thread of its own, until the server closes it:
	 * after one keep-alive request, or without sending anything.
	 */
	static final class CloseProbe {

		record Result(Duration after, String how) {

			@Override
			public String toString() {
				return (this.after == null) ? this.how : String.format(Locale.ROOT,
						"was closed by the gateway after %.1f s", this.after.toMillis() / 1000.0);
			}

		}

		private final Thread thread;

		private volatile Result result;

		CloseProbe(int port, boolean sendRequest) {
			this.thread = new Thread(() -> {
				try (var socket = new Socket()) {
					socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
					socket.setSoTimeout(30_000);
					if (sendRequest) {
						socket.getOutputStream()
							.write("GET /actuator/health/liveness HTTP/1.1\r\nHost: localhost\r\n\r\n"
								.getBytes(StandardCharsets.US_ASCII));
						RawHttp.readAnswer(socket.getInputStream(), false);
					}
					Instant idleSince = Instant.now();
					socket.setSoTimeout(150_000);
					try {
						int read = socket.getInputStream().read();
						this.result = new Result(Duration.between(idleSince, Instant.now()),
								(read < 0) ? "closed" : "sent data");
					}
					catch (SocketTimeoutException stillOpen) {
						this.result = new Result(null, "was still open after 150 s");
					}
					catch (IOException reset) {
						this.result = new Result(Duration.between(idleSince, Instant.now()), "reset");
					}
				}
				catch (IOException ex) {
					this.result = new Result(null, "failed: " + ex);
				}
			}, "close-probe");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		Result await(Duration atMost) throws InterruptedException {
			this.thread.join(atMost.toMillis());
			Result seen = this.result;
			return (seen != null) ? seen
					: new Result(null, "was still open after the test waited " + atMost.toSeconds() + " s more");
		}

	}

	// ------------------------------------------------------------------------------------
	// 3. load/unload cycles
	// ------------------------------------------------------------------------------------

	@Test
	@Order(3)
	void hundredLoadUnloadCyclesKeepTheWorkersRssWithinTenPercent() throws Exception {
		startStandaloneWorker();
		long pid = this.standaloneWorker.pid();
		var predictVersion2 = Json.write(Map.of("instances", List.of(EndToEndIntegrationTests.RECORDS.get(0))));
		List<Long> afterEachCycle = new ArrayList<>();
		long max = 0;
		long start = ProcessFigures.rss(pid);
		Instant began = Instant.now();
		for (int cycle = 1; cycle <= CYCLES; cycle++) {
			desiredState(List.of(1L, 2L));
			awaitIncome(Set.of(1L, 2L));
			var answer = workerCall("POST", "/v1/models/income/versions/2:predict", predictVersion2);
			assertThat(answer.statusCode()).as("cycle %d: %s", cycle, answer.body()).isEqualTo(200);
			max = Math.max(max, ProcessFigures.rss(pid));
			desiredState(List.of(1L));
			awaitIncome(Set.of(1L));
			long rss = ProcessFigures.rss(pid);
			max = Math.max(max, rss);
			afterEachCycle.add(rss);
		}
		Duration took = Duration.between(began, Instant.now());
		long baseline = afterEachCycle.get(WARM_UP_CYCLES - 1);
		long end = afterEachCycle.get(CYCLES - 1);
		double change = 100.0 * (end - baseline) / baseline;
		boolean alive = this.standaloneWorker.isAlive();
		var md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"A worker of its own (`-Xmx512m`), `income` versions 1 and 2 and `spam` 1 in its store; %d cycles of "
						+ "`PUT /internal/v1/desired-state` `{\"income\":[1,2]}` (version 2 loaded, one prediction of it) "
						+ "then `{\"income\":[1]}` (version 2 unloaded), each awaited in `GET /internal/v1/status`; "
						+ "%.0f s in all (%.2f s a cycle).%n%n",
				CYCLES, took.toMillis() / 1000.0, took.toMillis() / 1000.0 / CYCLES));
		md.append("| worker RSS | MiB |\n| --- | ---: |\n");
		md.append(
				String.format(Locale.ROOT, "| at start (version 2 and spam loaded by policy) | %.1f |%n", mib(start)));
		md.append(String.format(Locale.ROOT, "| after cycle %d (baseline) | %.1f |%n", WARM_UP_CYCLES, mib(baseline)));
		md.append(String.format(Locale.ROOT, "| after cycle 25 / 50 / 75 | %.1f / %.1f / %.1f |%n",
				mib(afterEachCycle.get(24)), mib(afterEachCycle.get(49)), mib(afterEachCycle.get(74))));
		md.append(String.format(Locale.ROOT, "| after cycle %d (end) | %.1f |%n", CYCLES, mib(end)));
		md.append(String.format(Locale.ROOT, "| maximum (sampled after every load and unload) | %.1f |%n", mib(max)));
		md.append(String.format(Locale.ROOT,
				"%nEnd against baseline: %+.1f %% (bound: within 10 %%: %s). Worker alive: %s.%n", change,
				(Math.abs(change) <= 10.0) ? "met" : "NOT met", alive));
		report("3. Load/unload cycles", md.toString());

		assertThat(alive).isTrue();
		assertThat(Math.abs(change))
			.as("RSS after %d cycles against after %d: %+.1f %%", CYCLES, WARM_UP_CYCLES, change)
			.isLessThanOrEqualTo(10.0);
	}

	private static double mib(long bytes) {
		return bytes / (1024.0 * 1024.0);
	}

	private void startStandaloneWorker() throws Exception {
		if (this.standaloneWorker != null) {
			return;
		}
		this.standaloneRoot = Files.createTempDirectory("warden-robustness-worker");
		Path store = Files.createDirectories(this.standaloneRoot.resolve("models"));
		copyVersion(this.cluster.modelVersionDir, store, "income", 1);
		copyVersion(this.cluster.modelVersionDir, store, "income", 2);
		Path spam;
		try (var versions = Files.list(this.cluster.modelStore.resolve("spam"))) {
			spam = versions.filter((dir) -> dir.getFileName().toString().matches("\\d+"))
				.max((a, b) -> Long.compare(Long.parseLong(a.getFileName().toString()),
						Long.parseLong(b.getFileName().toString())))
				.orElseThrow();
		}
		copyVersion(spam, store, "spam", 1);
		try (var socket = new ServerSocket(0)) {
			this.standaloneWorkerPort = socket.getLocalPort();
		}
		Path logs = Files.createDirectories(
				Path.of(System.getProperty("warden.logs.dir", this.standaloneRoot.resolve("logs").toString())));
		var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		var builder = new ProcessBuilder(java, "-Xmx512m", "-jar", System.getProperty("warden.worker.jar"),
				"--server.port=" + this.standaloneWorkerPort)
			.directory(this.standaloneRoot.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("robustness-worker.log").toFile()));
		builder.environment().put("WARDEN_MODEL_STORE", store.toString());
		builder.environment().put("WARDEN_DATA_DIR", this.standaloneRoot.resolve("data").toString());
		builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		builder.environment().remove("WARDEN_PLATFORM_URL");
		builder.environment().remove("WARDEN_REGISTRATION_TOKEN");
		this.standaloneWorker = builder.start();
		Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
		while (true) {
			assertThat(this.standaloneWorker.isAlive()).as("the standalone worker exited; see its log").isTrue();
			assertThat(Instant.now()).as("the standalone worker serving income and spam").isBefore(deadline);
			try {
				var status = workerCall("GET", "/internal/v1/status", null);
				if (status.statusCode() == 200) {
					JsonNode models = JsonMapper.shared().readTree(status.body()).path("models");
					if (models.path("income").path("versions").size() > 0
							&& models.path("spam").path("versions").size() > 0) {
						break;
					}
				}
			}
			catch (IOException notYetListening) {
				// keep polling
			}
			Thread.sleep(250);
		}
	}

	private static void copyVersion(Path versionDir, Path store, String model, long version) throws IOException {
		Path staging = store.resolve(model).resolve(".staging-" + version);
		try (var paths = Files.walk(versionDir)) {
			for (Path path : paths.toList()) {
				Path target = staging.resolve(versionDir.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target);
				}
			}
		}
		Files.move(staging, store.resolve(model).resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
	}

	private HttpResponse<String> workerCall(String method, String path, byte[] json)
			throws IOException, InterruptedException {
		var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.standaloneWorkerPort + path))
			.timeout(Duration.ofSeconds(60));
		if (json != null) {
			builder.header("Content-Type", "application/json");
		}
		builder.method(method,
				(json != null) ? HttpRequest.BodyPublishers.ofByteArray(json) : HttpRequest.BodyPublishers.noBody());
		return WORKER_CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
	}

	private void desiredState(List<Long> incomeVersions) throws Exception {
		this.generation++;
		var answer = workerCall("PUT", "/internal/v1/desired-state",
				Json.write(Map.of("generation", this.generation, "models", Map.of("income", incomeVersions))));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(JsonMapper.shared().readTree(answer.body()).path("accepted").asBoolean()).as(answer.body()).isTrue();
	}

	/** Waits until the worker reports exactly these income versions AVAILABLE. */
	private void awaitIncome(Set<Long> versions) throws Exception {
		Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
		while (true) {
			var status = workerCall("GET", "/internal/v1/status", null);
			JsonNode income = JsonMapper.shared().readTree(status.body()).path("models").path("income");
			Set<Long> available = new TreeSet<>();
			income.path("versions").forEach((version) -> available.add(version.asLong()));
			assertThat(income.path("failed").size()).as("failed versions: %s", income).isZero();
			if (available.equals(versions) && income.path("loading").size() == 0) {
				return;
			}
			assertThat(Instant.now()).as("waiting for income %s: %s", versions, income).isBefore(deadline);
			Thread.sleep(20);
		}
	}

	// ------------------------------------------------------------------------------------
	// 4. version swap under load
	// ------------------------------------------------------------------------------------

	@Test
	@Order(4)
	void swappingIncomesVersionUnderLoadFailsNoRequest() throws Exception {
		startStandaloneWorker();
		desiredState(List.of(1L));
		awaitIncome(Set.of(1L));
		byte[] spam = Json.write(Map.of("instances", List.of(SPAM_TEXT)));
		byte[] income = Json.write(Map.of("instances", EndToEndIntegrationTests.RECORDS));
		var phase = new AtomicInteger();
		var stop = new AtomicBoolean();
		Latencies[] spamLatencies = { new Latencies(), new Latencies() };
		var incomeRequests = new AtomicInteger();
		List<String> incomeFailures = Collections.synchronizedList(new ArrayList<>());
		Map<String, AtomicInteger> incomeVersions = new ConcurrentHashMap<>();
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < 12; c++) {
			boolean spamClient = c < 8;
			var thread = new Thread(() -> {
				while (!stop.get()) {
					int now = phase.get();
					long start = System.nanoTime();
					String failure;
					try {
						var answer = workerCall("POST",
								spamClient ? "/v1/models/spam:predict" : "/v1/models/income:predict",
								spamClient ? spam : income);
						failure = (answer.statusCode() == 200) ? null : answer.statusCode() + " " + answer.body();
						if (!spamClient && failure == null) {
							incomeVersions
								.computeIfAbsent(answer.headers().firstValue("X-Model-Version").orElse("?"),
										(v) -> new AtomicInteger())
								.incrementAndGet();
						}
					}
					catch (Exception ex) {
						failure = ex.toString();
					}
					long took = System.nanoTime() - start;
					if (spamClient) {
						if (now == 1 || now == 2) {
							spamLatencies[now - 1].add(took, failure);
						}
					}
					else {
						incomeRequests.incrementAndGet();
						if (failure != null) {
							incomeFailures.add(failure);
						}
					}
				}
			}, spamClient ? "spam-client" : "income-client");
			thread.start();
			clients.add(thread);
		}
		int swaps = 0;
		Duration swapping;
		try {
			Thread.sleep(3_000);
			phase.set(1);
			Thread.sleep(10_000);
			phase.set(2);
			Instant began = Instant.now();
			while (Duration.between(began, Instant.now()).compareTo(Duration.ofSeconds(10)) < 0 || swaps < 4) {
				long to = (swaps % 2 == 0) ? 2L : 1L;
				desiredState(List.of(to));
				awaitIncome(Set.of(to));
				swaps++;
			}
			swapping = Duration.between(began, Instant.now());
			phase.set(3);
		}
		finally {
			stop.set(true);
			for (Thread client : clients) {
				client.join(60_000);
			}
		}
		Latencies before = spamLatencies[0];
		Latencies during = spamLatencies[1];
		double ratio = during.percentile(99) / before.percentile(99);
		var md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"The same worker, 8 clients predicting `spam` and 4 predicting `income` (3 rows, no version named) "
						+ "without pause; %.0f s of load, then %d swaps of income's served version (desired state "
						+ "[1] → [2] → [1] …, each awaited) in %.1f s.%n%n",
				10.0, swaps, swapping.toMillis() / 1000.0));
		md.append(
				"| spam `:predict` | requests | failures | p50 | p99 | max |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
		md.append(before.row("10 s before the swaps")).append(during.row("during the swaps"));
		md.append(String.format(Locale.ROOT,
				"%nspam p99 during the swaps / before: %.2f× (target ≤ 2×, reported, not asserted). income: %,d "
						+ "requests, %d failed, answered by versions %s.%n",
				ratio, incomeRequests.get(), incomeFailures.size(), new TreeMap<>(incomeVersions)));
		report("4. Version swap under load", md.toString());

		assertThat(incomeFailures).as("failed income requests during the swaps").isEmpty();
		assertThat(before.failures() + during.failures())
			.as("failed spam requests: %s %s", before.failureSamples(), during.failureSamples())
			.isZero();
		assertThat(this.standaloneWorker.isAlive()).isTrue();
	}

	// ------------------------------------------------------------------------------------
	// figures
	// ------------------------------------------------------------------------------------

	private void report(String part, String markdown) throws IOException {
		this.figures.put(part, markdown);
		System.out.println("robustness " + part + "\n" + markdown);
		var md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "Machine: %d cores (`nproc`), %s memory; %s UTC.%n%n",
				Runtime.getRuntime().availableProcessors(), memory(),
				DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(Instant.now().atOffset(ZoneOffset.UTC))));
		synchronized (this.figures) {
			this.figures
				.forEach((name, text) -> md.append("#### ").append(name).append("\n\n").append(text).append('\n'));
		}
		Path target = Files.createDirectories(Path.of("target"));
		Files.writeString(target.resolve("robustness.md"), md.toString());
	}

	private static String memory() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
			if (line.startsWith("MemTotal:")) {
				long kib = Long.parseLong(line.replaceAll("\\D", ""));
				return String.format(Locale.ROOT, "%.0f GiB", kib / (1024.0 * 1024.0));
			}
		}
		return "unknown";
	}

	/** Latencies (and failures) of a series of calls. */
	static final class Latencies {

		private final List<Long> nanos = new ArrayList<>();

		private final List<String> failures = new ArrayList<>();

		synchronized void add(long took, String failure) {
			this.nanos.add(took);
			if (failure != null) {
				this.failures.add(failure);
			}
		}

		synchronized int failures() {
			return this.failures.size();
		}

		synchronized List<String> failureSamples() {
			return this.failures.stream().limit(5).toList();
		}

		/** Nearest-rank percentile, in milliseconds. */
		synchronized double percentile(double p) {
			if (this.nanos.isEmpty()) {
				return Double.NaN;
			}
			long[] sorted = this.nanos.stream().mapToLong(Long::longValue).sorted().toArray();
			int rank = (int) Math.ceil(p / 100.0 * sorted.length);
			return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
		}

		synchronized String row(String what) {
			return String.format(Locale.ROOT, "| %s | %,d | %d | %.1f ms | %.1f ms | %.1f ms |%n", what,
					this.nanos.size(), this.failures.size(), percentile(50), percentile(99), percentile(100));
		}

	}

	/** Threads, open files and RSS of a process, from /proc. */
	record ProcessFigures(long threads, long openFiles, long rss) {

		static ProcessFigures of(long pid) throws IOException {
			long threads = 0;
			long rss = 0;
			for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
				if (line.startsWith("Threads:")) {
					threads = Long.parseLong(line.replaceAll("\\D", ""));
				}
				else if (line.startsWith("VmRSS:")) {
					rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
				}
			}
			long files;
			try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
				files = fds.count();
			}
			return new ProcessFigures(threads, files, rss);
		}

		static long rss(long pid) throws IOException {
			return of(pid).rss();
		}

		ProcessFigures max(ProcessFigures other) {
			return new ProcessFigures(Math.max(this.threads, other.threads), Math.max(this.openFiles, other.openFiles),
					Math.max(this.rss, other.rss));
		}

		String row(String what) {
			return String.format(Locale.ROOT, "| %s | %d | %,d | %.0f MiB |%n", what, this.threads, this.openFiles,
					mib(this.rss));
		}

	}

	/** RSS of the cluster's processes, sampled again and again. */
	static final class RssSamples {

		private final WardenCluster cluster;

		private final String[] processes;

		private final Map<String, List<Long>> samples = new LinkedHashMap<>();

		RssSamples(WardenCluster cluster, String[] processes) {
			this.cluster = cluster;
			this.processes = processes;
			for (String process : processes) {
				this.samples.put(process, new ArrayList<>());
			}
		}

		synchronized void sample() {
			for (String process : this.processes) {
				try {
					this.samples.get(process).add(ProcessFigures.rss(this.cluster.pid(process)));
				}
				catch (IOException gone) {
					this.samples.get(process).add(-1L);
				}
			}
		}

		synchronized String table() {
			var md = new StringBuilder(
					"| RSS (MiB) | start | max | end | samples |\n| --- | ---: | ---: | ---: | ---: |\n");
			this.samples.forEach((process,
					values) -> md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %d |%n", process,
							mib(values.get(0)), mib(values.stream().mapToLong(Long::longValue).max().orElse(0)),
							mib(values.get(values.size() - 1)), values.size())));
			return md.toString();
		}

	}

	// ------------------------------------------------------------------------------------
	// raw HTTP and JSON
	// ------------------------------------------------------------------------------------

	/** An answer read from a socket; status -1 when none came. */
	record Answer(int status, Map<String, String> headers, byte[] body, String failure) {

		String header(String name) {
			return this.headers.get(name);
		}

		String bodyText(int max) {
			String text = new String(this.body, StandardCharsets.UTF_8);
			return (text.length() > max) ? text.substring(0, max) + "…" : text;
		}

		static Answer none(String failure) {
			return new Answer(-1, Map.of(), new byte[0], failure);
		}

	}

	/** HTTP/1.1 on a plain socket, for requests no HTTP client would send. */
	static final class RawHttp {

		private RawHttp() {
		}

		static Answer exchange(int port, byte[] request, boolean halfClose, boolean head) {
			try (var socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
				socket.setSoTimeout(30_000);
				String sendFailure = null;
				try {
					OutputStream out = socket.getOutputStream();
					out.write(request);
					out.flush();
					if (halfClose) {
						socket.shutdownOutput();
					}
				}
				catch (IOException ex) {
					// the server may answer (413, 431) and close before the whole request
					// was sent
					sendFailure = "sending: " + ex.getMessage();
				}
				Answer answer = readAnswer(socket.getInputStream(), head);
				if (answer.status() < 0 && sendFailure != null) {
					return Answer.none(sendFailure + "; " + answer.failure());
				}
				return answer;
			}
			catch (IOException ex) {
				return Answer.none("connecting: " + ex);
			}
		}

		/** Reads one answer (skipping 1xx ones). */
		static Answer readAnswer(InputStream in, boolean head) {
			var buffer = new ByteArrayOutputStream();
			byte[] chunk = new byte[16384];
			int offset = 0;
			try {
				while (true) {
					int end = indexOf(buffer.toByteArray(), offset);
					while (end < 0) {
						int read = in.read(chunk);
						if (read < 0) {
							return Answer.none((buffer.size() == 0) ? "closed without an answer"
									: "closed in the middle of an answer");
						}
						buffer.write(chunk, 0, read);
						end = indexOf(buffer.toByteArray(), offset);
					}
					byte[] bytes = buffer.toByteArray();
					String head0 = new String(bytes, offset, end - offset, StandardCharsets.ISO_8859_1);
					String[] lines = head0.split("\r\n");
					String[] statusLine = lines[0].split(" ", 3);
					int status = Integer.parseInt(statusLine[1]);
					Map<String, String> headers = new LinkedHashMap<>();
					for (int i = 1; i < lines.length; i++) {
						int colon = lines[i].indexOf(':');
						if (colon > 0) {
							headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
									lines[i].substring(colon + 1).trim());
						}
					}
					int bodyStart = end + 4;
					if (status >= 100 && status < 200) {
						offset = bodyStart;
						continue;
					}
					if (head || status == 204 || status == 304) {
						return new Answer(status, headers, new byte[0], null);
					}
					if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
						return new Answer(status, headers, readChunked(in, buffer, bodyStart), null);
					}
					String length = headers.get("content-length");
					if (length != null) {
						long wanted = Long.parseLong(length);
						while (buffer.size() - bodyStart < wanted) {
							int read = in.read(chunk);
							if (read < 0) {
								return Answer.none("closed in the middle of a body");
							}
							buffer.write(chunk, 0, read);
						}
						return new Answer(status, headers,
								Arrays.copyOfRange(buffer.toByteArray(), bodyStart, (int) (bodyStart + wanted)), null);
					}
					// no length: the body ends with the connection
					int read;
					while ((read = in.read(chunk)) >= 0) {
						buffer.write(chunk, 0, read);
					}
					return new Answer(status, headers,
							Arrays.copyOfRange(buffer.toByteArray(), bodyStart, buffer.size()), null);
				}
			}
			catch (SocketTimeoutException ex) {
				return Answer.none("no answer within 30 s");
			}
			catch (IOException | RuntimeException ex) {
				return Answer.none("reading: " + ex);
			}
		}

		private static byte[] readChunked(InputStream in, ByteArrayOutputStream buffer, int start) throws IOException {
			byte[] chunk = new byte[16384];
			while (true) {
				byte[] bytes = buffer.toByteArray();
				var body = new ByteArrayOutputStream();
				int position = start;
				boolean complete = false;
				while (true) {
					int lineEnd = indexOfCrlf(bytes, position);
					if (lineEnd < 0) {
						break;
					}
					String sizeLine = new String(bytes, position, lineEnd - position, StandardCharsets.ISO_8859_1);
					int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
					if (size == 0) {
						complete = indexOf(bytes, lineEnd) >= 0 || indexOfCrlf(bytes, lineEnd + 2) >= 0;
						break;
					}
					if (lineEnd + 2 + size + 2 > bytes.length) {
						break;
					}
					body.write(bytes, lineEnd + 2, size);
					position = lineEnd + 2 + size + 2;
				}
				if (complete) {
					return body.toByteArray();
				}
				int read = in.read(chunk);
				if (read < 0) {
					return body.toByteArray();
				}
				buffer.write(chunk, 0, read);
			}
		}

		private static int indexOf(byte[] bytes, int from) {
			for (int i = from; i + 3 < bytes.length; i++) {
				if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
					return i;
				}
			}
			return -1;
		}

		private static int indexOfCrlf(byte[] bytes, int from) {
			for (int i = from; i + 1 < bytes.length; i++) {
				if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
					return i;
				}
			}
			return -1;
		}

	}

	/**
	 * A small JSON writer that can put a raw token (valid JSON or not) anywhere, and
	 * change one value of a document to such a token.
	 */
	static final class Json {

		/** A token written as it is. */
		record Raw(String text) {
		}

		private Json() {
		}

		static Raw raw(String text) {
			return new Raw(text);
		}

		static byte[] write(Object value) {
			var out = new StringBuilder();
			write(value, out);
			byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
			// U+E000 marks where bytes that are not UTF-8 go: an encoded lone surrogate
			return replace(bytes, "\uE000".getBytes(StandardCharsets.UTF_8),
					new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF, (byte) 0xC0, (byte) 0xAF });
		}

		private static byte[] replace(byte[] bytes, byte[] what, byte[] with) {
			var out = new ByteArrayOutputStream();
			for (int i = 0; i < bytes.length; i++) {
				if (i + what.length <= bytes.length && Arrays.equals(bytes, i, i + what.length, what, 0, what.length)) {
					out.writeBytes(with);
					i += what.length - 1;
				}
				else {
					out.write(bytes[i]);
				}
			}
			return out.toByteArray();
		}

		private static void write(Object value, StringBuilder out) {
			if (value == null) {
				out.append("null");
			}
			else if (value instanceof Raw raw) {
				out.append(raw.text());
			}
			else if (value instanceof String text) {
				out.append('"');
				for (char c : text.toCharArray()) {
					switch (c) {
						case '"' -> out.append("\\\"");
						case '\\' -> out.append("\\\\");
						case '\n' -> out.append("\\n");
						case '\r' -> out.append("\\r");
						case '\t' -> out.append("\\t");
						default -> {
							if (c < 0x20) {
								out.append(String.format("\\u%04x", (int) c));
							}
							else {
								out.append(c);
							}
						}
					}
				}
				out.append('"');
			}
			else if (value instanceof Map<?, ?> map) {
				out.append('{');
				boolean first = true;
				for (Map.Entry<?, ?> entry : map.entrySet()) {
					out.append(first ? "" : ",");
					first = false;
					write(String.valueOf(entry.getKey()), out);
					out.append(':');
					write(entry.getValue(), out);
				}
				out.append('}');
			}
			else if (value instanceof List<?> list) {
				out.append('[');
				for (int i = 0; i < list.size(); i++) {
					out.append((i > 0) ? "," : "");
					write(list.get(i), out);
				}
				out.append(']');
			}
			else {
				out.append(value);
			}
		}

		/**
		 * A copy of {@code value} with one value in it (or a new field, or the whole)
		 * replaced by {@code token}.
		 */
		static Object mutate(Object value, Random random, String token) {
			if (value instanceof Map<?, ?> map && !map.isEmpty() && random.nextInt(5) > 0) {
				Map<Object, Object> copy = new LinkedHashMap<>(map);
				List<Object> keys = new ArrayList<>(copy.keySet());
				if (random.nextInt(8) == 0) {
					copy.put(pickKey(random), new Raw(token));
				}
				else {
					Object key = keys.get(random.nextInt(keys.size()));
					copy.put(key, mutate(copy.get(key), random, token));
				}
				return copy;
			}
			if (value instanceof List<?> list && !list.isEmpty() && random.nextInt(5) > 0) {
				List<Object> copy = new ArrayList<>(list);
				int index = random.nextInt(copy.size());
				copy.set(index, mutate(copy.get(index), random, token));
				return copy;
			}
			return new Raw(token);
		}

		private static String pickKey(Random random) {
			String[] keys = { "signature_name", "instances", "inputs", "unknown", "", "\u0000", "\ud800", "__proto__",
					"x".repeat(5000), "outputs", "parameters", "id" };
			return keys[random.nextInt(keys.length)];
		}

	}

}
