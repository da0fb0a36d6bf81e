package dev.warden.platform.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.model.ModelCatalogue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data plane as an attacker probes it: paths and bodies.
 *
 * <p>
 * Paths (issue: percent-encoded path characters bypassed grants, scopes and row limits).
 * Every endpoint form of both protocols is sent in every spelling we could think of —
 * each character of the model name encoded, encoded and double-encoded delimiters, mixed
 * case, trailing and double slashes, dot segments (plain and encoded), path parameters,
 * NUL and white space, look-alike and overlong UTF-8 colons, backslashes, query strings —
 * over a raw socket, so that no client library normalises anything, by:
 * <ul>
 * <li>INTRUDER: a key of tenant A against {@code secret-b}, granted only to tenant
 * B;</li>
 * <li>METADATA_ONLY: a key of A scoped to the {@code metadata} operation, predicting with
 * {@code open};</li>
 * <li>MODEL_SCOPED: a key of A scoped to the model {@code open}, calling
 * {@code other};</li>
 * <li>ROWS: a key of A on a plan of at most 2 rows per request, sending 3 rows to
 * {@code open};</li>
 * <li>OWNER: tenant B, the positive control: the forms that name the same route must be
 * served.</li>
 * </ul>
 * The stand-in worker is deliberately lenient (it decodes repeatedly, drops path
 * parameters, normalises dot segments and treats an encoded colon as a colon), as a
 * worker behind a careless gateway would be, and marks every answer with the model it
 * served: a bypass would show as a 2xx or as that marker. Every refusal must be a 4xx
 * with the documented JSON error, and every path the worker receives must be the
 * canonical one.
 *
 * <p>
 * Bodies (issue: a multipart body was parsed and spooled to disk before the plan's size
 * check, and a body without a Content-Type was accepted): anything but JSON is refused
 * before it is read, and the request log counts the bytes that were read.
 */
class DataPlaneSecurityIntegrationTests {

	private static final String ONE_ROW = "{\"instances\":[{\"x\":1}]}";

	private static final String THREE_ROWS = "{\"instances\":[{\"x\":1},{\"x\":2},{\"x\":3}]}";

	/**
	 * Endpoint templates: method and path with {@code {m}} for the model; those with a
	 * body predict or explain.
	 */
	private static final List<String[]> ENDPOINTS = List.of(new String[] { "POST", "/v1/models/{m}:predict" },
			new String[] { "POST", "/v1/models/{m}/versions/1:predict" },
			new String[] { "POST", "/v1/models/{m}/labels/stable:predict" },
			new String[] { "POST", "/v1/models/{m}:classify" }, new String[] { "POST", "/v1/models/{m}:regress" },
			new String[] { "POST", "/v1/models/{m}:explain" }, new String[] { "GET", "/v1/models/{m}" },
			new String[] { "GET", "/v1/models/{m}/versions/1" }, new String[] { "GET", "/v1/models/{m}/metadata" },
			new String[] { "GET", "/v1/models/{m}/labels/stable/metadata" },
			new String[] { "POST", "/v2/models/{m}/infer" }, new String[] { "POST", "/v2/models/{m}/versions/1/infer" },
			new String[] { "GET", "/v2/models/{m}" }, new String[] { "GET", "/v2/models/{m}/ready" },
			new String[] { "GET", "/v2/models/{m}/versions/1/ready" });

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static WardenFixture warden;

	static WardenTestApp app;

	/** Every path the worker received, by the X-Request-Id it came with. */
	static final ConcurrentMap<String, String> received = new ConcurrentHashMap<>();

	static String intruder;

	static String metadataOnly;

	static String modelScoped;

	static String rows;

	static String owner;

	@BeforeAll
	static void start() throws Exception {
		Files.writeString(policiesDir.resolve("quotas.yaml"), """
				default_plan: roomy
				plans:
				  roomy:
				    requests_per_second: 100000
				    burst: 100000
				    max_request_bytes: 65536
				  two-rows:
				    requests_per_second: 100000
				    burst: 100000
				    max_request_bytes: 65536
				    max_rows_per_request: 2
				""");
		warden = WardenFixture.start(dataDir, FakeWorker.start(DataPlaneSecurityIntegrationTests::lenientWorker),
				Map.of("warden.policies-dir", policiesDir.toString()));
		app = warden.app();
		assertThat(app.bean(ModelCatalogue.class).sync()).isEqualTo(3);
		String a = warden.tenant("path-tenant-a", "roomy");
		String b = warden.tenant("path-tenant-b", "roomy");
		String c = warden.tenant("path-tenant-c", "two-rows");
		HttpResponse<String> granted = Http.send("PUT", app.url("/api/admin/models/secret-b/grants"),
				"{\"tenants\":[\"" + b + "\"]}", warden.admin());
		assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
		intruder = warden.key(a, "{\"name\":\"intruder\"}").key();
		metadataOnly = warden.key(a, "{\"name\":\"metadata-only\",\"operations\":[\"metadata\"]}").key();
		modelScoped = warden.key(a, "{\"name\":\"open-only\",\"models\":[\"open\"]}").key();
		rows = warden.key(c, "{\"name\":\"rows\"}").key();
		owner = warden.key(b, "{\"name\":\"owner\"}").key();
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
	}

	@Test
	void noSpellingOfAPathReachesAModelTheTenantIsNotGranted() throws IOException {
		List<String> failures = new ArrayList<>();
		int sent = 0;
		for (String[] endpoint : ENDPOINTS) {
			for (String path : spellings(endpoint[1], "secret-b")) {
				Answer answer = send(endpoint[0], path, intruder, "POST".equals(endpoint[0]) ? ONE_ROW : null);
				sent++;
				failures.addAll(refused(answer, "secret-b"));
			}
		}
		assertThat(sent).isGreaterThan(600);
		assertThat(failures).isEmpty();
	}

	@Test
	void noSpellingOfAPathGetsPastAKeysOperationScope() throws IOException {
		List<String> failures = new ArrayList<>();
		for (String[] endpoint : ENDPOINTS) {
			if (!"POST".equals(endpoint[0])) {
				continue;
			}
			for (String path : spellings(endpoint[1], "open")) {
				Answer answer = send(endpoint[0], path, metadataOnly, ONE_ROW);
				failures.addAll(refused(answer, "open"));
				if (answer.status() == 403 && !answer.body().contains("insufficient_scope")) {
					failures.add(answer + ": a 403 that is not insufficient_scope");
				}
			}
		}
		assertThat(failures).isEmpty();
		Answer canonical = send("POST", "/v1/models/open:predict", metadataOnly, ONE_ROW);
		assertThat(canonical.status()).isEqualTo(403);
		assertThat(canonical.body()).contains("this key lacks the operation 'predict'");
	}

	@Test
	void noSpellingOfAPathGetsPastAKeysModelScope() throws IOException {
		List<String> failures = new ArrayList<>();
		for (String[] endpoint : ENDPOINTS) {
			for (String path : spellings(endpoint[1], "other")) {
				Answer answer = send(endpoint[0], path, modelScoped, "POST".equals(endpoint[0]) ? ONE_ROW : null);
				failures.addAll(refused(answer, "other"));
			}
		}
		assertThat(failures).isEmpty();
	}

	@Test
	void noSpellingOfAFeedbackPathGetsPastTheGrantOrTheKeysScopes() throws IOException {
		String feedback = "{\"outcomes\":[{\"request_id\":\"x\",\"label\":1}]}";
		List<String> failures = new ArrayList<>();
		for (String template : List.of("/v1/models/{m}:feedback", "/v1/models/{m}/versions/1:feedback")) {
			for (String path : spellings(template, "secret-b")) {
				failures.addAll(refused(send("POST", path, intruder, feedback), "secret-b"));
			}
			for (String path : spellings(template, "open")) {
				failures.addAll(refused(send("POST", path, metadataOnly, feedback), "open"));
			}
			for (String path : spellings(template, "other")) {
				failures.addAll(refused(send("POST", path, modelScoped, feedback), "other"));
			}
		}
		assertThat(failures).isEmpty();
		assertThat(send("POST", "/v1/models/open:feedback", metadataOnly, feedback).body())
			.contains("this key lacks the operation 'feedback'");
		// the positive control: the owner is answered (its request id names no
		// prediction)
		Answer owned = send("POST", "/v1/models/secr%65t-b:feedback", owner, feedback);
		assertThat(owned.status()).isEqualTo(200);
		assertThat(owned.body()).contains("\"reason\":\"unknown_request_id\"");
		assertThat(received.get(owned.requestId())).as("feedback is never forwarded").isNull();
	}

	@Test
	void noSpellingOfAPredictPathGetsPastThePlansRowLimit() throws IOException {
		List<String> failures = new ArrayList<>();
		for (String template : List.of("/v1/models/{m}:predict", "/v1/models/{m}/versions/1:predict",
				"/v2/models/{m}/infer")) {
			for (String path : spellings(template, "open")) {
				String body = template.startsWith("/v2")
						? "{\"inputs\":[{\"name\":\"x\",\"shape\":[3,1]," + "\"datatype\":\"FP32\",\"data\":[1,2,3]}]}"
						: THREE_ROWS;
				Answer answer = send("POST", path, rows, body);
				failures.addAll(refused(answer, "open"));
			}
		}
		assertThat(failures).isEmpty();
		Answer canonical = send("POST", "/v1/models/open:predict", rows, THREE_ROWS);
		assertThat(canonical.status()).isEqualTo(400);
		assertThat(canonical.body()).contains("too_many_rows");
	}

	@Test
	void theOwnerIsServedOnEverySpellingOfTheSameRouteAndTheWorkerOnlySeesCanonicalPaths() throws IOException {
		List<String> failures = new ArrayList<>();
		for (String[] endpoint : ENDPOINTS) {
			String canonical = endpoint[1].replace("{m}", "secret-b");
			for (String path : List.of(canonical, encodeModelName(endpoint[1], "secret-b", true),
					encodeModelName(endpoint[1], "secret-b", false), canonical + "?version=9&model=open")) {
				Answer answer = send(endpoint[0], path, owner, "POST".equals(endpoint[0]) ? ONE_ROW : null);
				if (answer.status() != 200 || !answer.body().contains("WORKER-OUTPUT-OF-secret-b")) {
					failures.add(answer + ": the owner was not served");
				}
				String forwarded = received.get(answer.requestId());
				String expected = canonical.startsWith("/v1/models/secret-b:")
						|| canonical.equals("/v2/models/secret-b/infer") ? null : canonical;
				if (forwarded == null || (expected != null && !forwarded.equals(expected))) {
					failures.add(answer + ": the worker received " + forwarded + ", expected " + canonical);
				}
				else if (!DataPlaneRoute.parse(forwarded).path().equals(forwarded)) {
					failures.add(answer + ": the worker received a path that is not canonical: " + forwarded);
				}
			}
		}
		assertThat(failures).isEmpty();
	}

	@Test
	void everyRefusedSpellingIsInTheRequestLogWithoutTheRawNameOfAModel() throws IOException {
		Answer answer = send("POST", "/v1/models/secret-b%3Apredict", intruder, ONE_ROW);
		assertThat(answer.status()).isEqualTo(404);
		Map<String, Object> logged = app.jdbc()
			.sql("SELECT status, model, path, error_code FROM request_log WHERE request_id = :id")
			.param("id", answer.requestId())
			.query()
			.singleRow();
		assertThat(logged).containsEntry("status", 404)
			.containsEntry("error_code", "not_found")
			.containsEntry("path", "/v1/models/secret-b%3Apredict");
		assertThat(logged.get("model")).isNull();
		Answer spelled = send("POST", "/v1/models/secr%65t-b:predict", intruder, ONE_ROW);
		assertThat(spelled.status()).isEqualTo(404);
		Map<String, Object> canonical = app.jdbc()
			.sql("SELECT model, path, error_code FROM request_log WHERE request_id = :id")
			.param("id", spelled.requestId())
			.query()
			.singleRow();
		assertThat(canonical).containsEntry("model", "secret-b")
			.containsEntry("path", "/v1/models/secret-b:predict")
			.containsEntry("error_code", "model_not_found");
	}

	@Test
	void unknownPathsAndWrongMethodsGetTheSameAnswerWithOrWithoutAKey() throws IOException {
		for (String key : new String[] { intruder, owner, null, "wdn_not_a_key" }) {
			Answer unknown = send("POST", "/v1/models/secret-b:frobnicate", key, ONE_ROW);
			assertThat(unknown.status()).isEqualTo(404);
			assertThat(unknown.code()).isEqualTo("not_found");
			Answer method = send("GET", "/v1/models/secret-b:predict", key, null);
			assertThat(method.status()).isEqualTo(405);
			assertThat(method.code()).isEqualTo("method_not_allowed");
			assertThat(method.headers()).containsIgnoringCase("Allow: POST");
			// Tomcat refuses a path that is not UTF-8 before the gateway sees it
			// (bad_request); the route parser would
			// answer invalid_path
			Answer undecodable = send("GET", "/v1/models/secret-b%C3%28", key, null);
			assertThat(undecodable.status()).isEqualTo(400);
			assertThat(undecodable.code()).isIn("bad_request", "invalid_path");
		}
		// a route spelled with a character Spring Security's firewall refuses (an encoded
		// '.') gets the JSON error,
		// not the container's error page, and is logged
		Answer rejected = send("GET", "/v1/models/open%2Ebad/metadata", intruder, null);
		assertThat(rejected.status()).isEqualTo(400);
		assertThat(rejected.code()).isEqualTo("request_rejected");
		assertThat(loggedRow(rejected.requestId())).containsEntry("status", 400)
			.containsEntry("error_code", "request_rejected");
	}

	@Test
	void aMultipartBodyIsRefusedBeforeItIsReadAndTheLogCountsWhatWasRead() throws IOException {
		String requestId = "body-multipart";
		String head = "POST /v1/models/open:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: " + requestId
				+ "\r\nAuthorization: Bearer " + intruder + "\r\nContent-Type: multipart/form-data; boundary=b\r\n"
				+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
		byte[] part = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n\r\n"
				+ "x".repeat(64 * 1024))
			.getBytes(StandardCharsets.US_ASCII);
		// the rest of a 50 MB body is never sent, so the answer must come without it; no
		// time
		// is measured: a gateway that waited for the body would fail the read
		assertThat(statusAfterChunk(head, part, false)).isEqualTo("HTTP/1.1 415");
		Map<String, Object> logged = loggedRow(requestId);
		assertThat(logged).containsEntry("status", 415).containsEntry("error_code", "unsupported_media_type");
		assertThat(((Number) logged.get("request_bytes")).longValue()).isZero();
	}

	@Test
	void aChunkedBodyOverThePlansLimitIsReadOnlyUpToTheLimitAndCounted() throws IOException {
		String requestId = "body-chunked-large";
		String head = "POST /v1/models/open:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: " + requestId
				+ "\r\nAuthorization: Bearer " + intruder + "\r\nContent-Type: application/json\r\n"
				+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
		byte[] chunk = ("{\"instances\":[\"" + "x".repeat(200 * 1024) + "\"]}").getBytes(StandardCharsets.US_ASCII);
		assertThat(statusAfterChunk(head, chunk, true)).isEqualTo("HTTP/1.1 413");
		Map<String, Object> logged = loggedRow(requestId);
		assertThat(logged).containsEntry("status", 413).containsEntry("error_code", "payload_too_large");
		// the plan admits 65,536 bytes; the gateway read one more to know the body was
		// larger, and no further
		assertThat(((Number) logged.get("request_bytes")).longValue()).isEqualTo(65_537L);
	}

	@Test
	void aBodyThatIsNotDeclaredJsonIsRefusedWith415AndJsonIsAccepted() throws IOException {
		for (String type : new String[] { null, "text/plain", "application/x-www-form-urlencoded",
				"multipart/form-data; boundary=x", "json", "application/xml", "application/json+xml", "*/*" }) {
			Answer answer = sendTyped("/v1/models/open:predict", type, ONE_ROW);
			assertThat(answer.status()).as(String.valueOf(type)).isEqualTo(415);
			assertThat(answer.code()).isEqualTo("unsupported_media_type");
			assertThat(received).doesNotContainKey(answer.requestId());
		}
		for (String type : new String[] { "application/json", "application/json; charset=utf-8", "Application/JSON",
				"application/vnd.example+json" }) {
			Answer answer = sendTyped("/v2/models/open/infer", type, "{\"inputs\":[]}");
			assertThat(answer.status()).as(type).isEqualTo(200);
		}
		// a GET needs no Content-Type
		assertThat(send("GET", "/v1/models/open/metadata", intruder, null).status()).isEqualTo(200);
	}

	/**
	 * Sends {@code head} and {@code chunk} as one chunk of a chunked body (then the last
	 * chunk when {@code last}), and reads the status line of the answer.
	 */
	private static String statusAfterChunk(String head, byte[] chunk, boolean last) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", app.port())) {
			socket.setSoTimeout(120_000);
			OutputStream out = socket.getOutputStream();
			out.write(head.getBytes(StandardCharsets.US_ASCII));
			out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.write(chunk);
			out.write((last ? "\r\n0\r\n\r\n" : "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
		}
	}

	private static Answer sendTyped(String path, String contentType, String body) throws IOException {
		String requestId = "path-typed-" + (++sequence);
		byte[] payload = body.getBytes(StandardCharsets.UTF_8);
		String head = "POST " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Request-Id: " + requestId
				+ "\r\nAuthorization: Bearer " + intruder + "\r\n"
				+ ((contentType != null) ? "Content-Type: " + contentType + "\r\n" : "") + "Content-Length: "
				+ payload.length + "\r\n\r\n";
		return exchange("POST " + path, head, payload, requestId);
	}

	private static Map<String, Object> loggedRow(String requestId) {
		return app.jdbc()
			.sql("SELECT status, error_code, request_bytes FROM request_log WHERE request_id = :id")
			.param("id", requestId)
			.query()
			.singleRow();
	}

	/**
	 * Every spelling of {@code template} for {@code model} that an attacker might try.
	 */
	static Set<String> spellings(String template, String model) {
		String path = template.replace("{m}", model);
		Set<String> out = new LinkedHashSet<>();
		out.add(path);
		out.add(encodeModelName(template, model, true));
		out.add(encodeModelName(template, model, false));
		for (int i = 0; i < model.length(); i++) {
			String one = model.substring(0, i) + "%" + hex(model.charAt(i), false) + model.substring(i + 1);
			out.add(template.replace("{m}", one));
		}
		// double encoding of the name
		out.add(template.replace("{m}", "%25" + hex(model.charAt(0), true) + model.substring(1)));
		// every reserved and otherwise interesting character, raw, encoded and
		// double-encoded, around the name
		String afterModels = template.startsWith("/v1") ? "/v1/models/" : "/v2/models/";
		String tail = path.substring(afterModels.length() + model.length());
		for (String c : List.of(":", "/", "?", "#", "[", "]", "@", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";",
				"=", "%", " ", "\t", "\u0000", "\\", ".", "~", "\"", "<", ">", "^", "`", "{", "|", "}")) {
			String encoded = percent(c);
			out.add(afterModels + model + encoded + tail);
			out.add(afterModels + encoded + model + tail);
			out.add(afterModels + model + encoded.replace("%", "%25") + tail);
		}
		// the delimiters themselves encoded, in both cases, and double-encoded
		for (String encoded : List.of("%3A", "%3a", "%253A", "%25253A")) {
			out.add(path.replace(model + ":", model + encoded));
		}
		for (String encoded : List.of("%2F", "%2f", "%252F", "%5C", "\\")) {
			out.add(afterModels.substring(0, afterModels.length() - 1) + encoded + model + tail);
			out.add(afterModels + model + tail.replace("/", encoded));
			out.add(path.replace("/models/", "/models" + encoded));
		}
		// look-alike and overlong colons and slashes
		for (String lookalike : List.of("%EF%BC%9A", "%EA%9E%89", "%C0%BA", "%E0%80%BA", "%C0%AF", "%E2%88%95")) {
			out.add(path.replace(model + ":", model + lookalike));
			out.add(path.replace(model + "/", model + lookalike));
		}
		// case
		out.add(path.toUpperCase(Locale.ROOT));
		out.add(path.replace("/v1/", "/V1/").replace("/v2/", "/V2/"));
		out.add(path.replace("/models/", "/Models/"));
		out.add(path.replace("/models/", "/MODELS/"));
		out.add(path.replace(model, model.toUpperCase(Locale.ROOT)));
		out.add(path.replace(":predict", ":PREDICT").replace("/infer", "/INFER").replace("/ready", "/Ready"));
		// slashes and dot segments
		out.add(path + "/");
		out.add(path + "//");
		out.add("/" + path);
		out.add(path.replace("/models/", "/models//"));
		out.add(path.replace("/models/", "//models/"));
		out.add(path.replace("/models/", "/models/./"));
		out.add(path.replace("/models/", "/models/x/../"));
		out.add(path.replace("/models/", "/models/%2E/"));
		out.add(path.replace("/models/", "/models/x/%2E%2E/"));
		out.add(path.replace("/models/", "/models/x/%2e%2e/"));
		out.add(path.replace("/models/", "/models/x/%252E%252E/"));
		out.add("/v1/models/open/../../" + path.substring(1));
		out.add("/v2/x/.." + path);
		out.add(path.replace("/models/", "/models/open/../"));
		out.add(path.replace("/models/", "/models/open/%2E%2E/"));
		// path parameters
		out.add(path.replace(model, model + ";v=1"));
		out.add(path.replace(model, "open;" + model));
		out.add(path.replace("/models/", "/models;x=1/"));
		// query strings and fragments
		out.add(path + "?model=" + model);
		out.add(path.replace(model, "open%3F" + model));
		out.add(path.replace(model, "open%23" + model));
		// the model named twice
		out.add(path.replace(model, "open/" + model));
		out.add(path.replace(model, model + "/" + model));
		return out;
	}

	static String encodeModelName(String template, String model, boolean upperHex) {
		StringBuilder encoded = new StringBuilder();
		for (char c : model.toCharArray()) {
			encoded.append('%').append(hex(c, upperHex));
		}
		return template.replace("{m}", encoded);
	}

	private static String hex(char c, boolean upper) {
		String hex = String.format("%02x", (int) c);
		return upper ? hex.toUpperCase(Locale.ROOT) : hex;
	}

	private static String percent(String c) {
		StringBuilder out = new StringBuilder();
		for (byte b : c.getBytes(StandardCharsets.UTF_8)) {
			out.append('%').append(String.format("%02X", b & 0xFF));
		}
		return out.toString();
	}

	/**
	 * Why an answer to an attack is not a clean refusal that leaks nothing of
	 * {@code model}'s worker output.
	 */
	private static List<String> refused(Answer answer, String model) {
		List<String> failures = new ArrayList<>();
		if (answer.status() < 400 || answer.status() >= 500) {
			failures.add(answer + ": not refused with a 4xx");
		}
		if (answer.body().contains("WORKER-OUTPUT-OF-")) {
			failures.add(answer + ": worker output reached the caller");
		}
		if (answer.code() == null) {
			failures.add(answer + ": not the documented JSON error");
		}
		String forwarded = received.get(answer.requestId());
		if (forwarded != null && lenient(forwarded).contains(model)) {
			failures.add(answer + ": the worker was asked for " + forwarded);
		}
		return failures;
	}

	/**
	 * How a careless server would read a path: decoded until stable, parameters dropped,
	 * dots resolved.
	 */
	private static String lenient(String path) {
		String decoded = path;
		for (int i = 0; i < 4; i++) {
			try {
				decoded = URLDecoder.decode(decoded.replace("+", "%2B"), StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				break;
			}
		}
		decoded = decoded.replace('\\', '/').replaceAll(";[^/:]*", "");
		List<String> segments = new ArrayList<>();
		for (String segment : decoded.split("/")) {
			if (segment.equals("..")) {
				if (!segments.isEmpty()) {
					segments.remove(segments.size() - 1);
				}
			}
			else if (!segment.isEmpty() && !segment.equals(".")) {
				segments.add(segment);
			}
		}
		return "/" + String.join("/", segments);
	}

	/**
	 * Serves any model its lenient reading of the path names; every answer is marked with
	 * that model.
	 */
	private static void lenientWorker(HttpExchange exchange) throws IOException {
		FakeWorker.readBody(exchange);
		String raw = exchange.getRequestURI().getRawPath();
		String query = exchange.getRequestURI().getRawQuery();
		String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
		if (requestId != null && requestId.startsWith("path-")) {
			received.put(requestId, raw + ((query != null) ? "?" + query : ""));
		}
		String path = lenient(raw);
		String out;
		int status = 200;
		if (path.equals("/v1/models")) {
			out = "{\"models\":[{\"name\":\"open\",\"versions\":[{\"version\":\"1\",\"state\":\"AVAILABLE\"}]},"
					+ "{\"name\":\"other\",\"versions\":[{\"version\":\"1\",\"state\":\"AVAILABLE\"}]},"
					+ "{\"name\":\"secret-b\",\"versions\":[{\"version\":\"1\",\"state\":\"AVAILABLE\"}]}]}";
		}
		else {
			Matcher named = Pattern.compile("/v[12]/models/(secret-b|open|other)").matcher(path);
			if (named.find()) {
				out = "{\"model_spec\":{\"name\":\"" + named.group(1) + "\"},\"metadata\":{\"signature_def\":"
						+ "{\"signature_def\":{}}},\"marker\":\"WORKER-OUTPUT-OF-" + named.group(1) + "\"}";
			}
			else {
				status = 404;
				out = "{\"error\":{\"code\":\"model_not_found\",\"message\":\"Servable not found\"}}";
			}
		}
		exchange.getResponseHeaders().add("X-Model-Version", "1");
		FakeWorker.answer(exchange, status, out);
	}

	private static int sequence;

	/**
	 * Sends one request over a raw socket with the path bytes exactly as given (HTTP/1.0,
	 * so the answer is not chunked). Characters outside ASCII are sent as their UTF-8
	 * bytes.
	 */
	static Answer send(String method, String path, String key, String body) throws IOException {
		String requestId = "path-" + (++sequence);
		byte[] payload = (body != null) ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
		StringBuilder head = new StringBuilder();
		head.append(method).append(' ').append(path).append(" HTTP/1.0\r\n");
		head.append("Host: 127.0.0.1:").append(app.port()).append("\r\n");
		head.append("X-Request-Id: ").append(requestId).append("\r\n");
		if (key != null) {
			head.append("Authorization: Bearer ").append(key).append("\r\n");
		}
		if (body != null) {
			head.append("Content-Type: application/json\r\n");
			head.append("Content-Length: ").append(payload.length).append("\r\n");
		}
		head.append("\r\n");
		return exchange(method + " " + path, head.toString(), payload, requestId);
	}

	private static Answer exchange(String request, String head, byte[] payload, String requestId) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", app.port())) {
			socket.setSoTimeout(60_000);
			OutputStream out = socket.getOutputStream();
			out.write(head.getBytes(StandardCharsets.UTF_8));
			out.write(payload);
			out.flush();
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			socket.getInputStream().transferTo(all);
			String text = all.toString(StandardCharsets.UTF_8);
			int split = text.indexOf("\r\n\r\n");
			String headers = (split >= 0) ? text.substring(0, split) : text;
			String responseBody = (split >= 0) ? text.substring(split + 4) : "";
			int status = Integer.parseInt(headers.substring(9, 12));
			Matcher id = Pattern.compile("(?im)^X-Request-Id: (.+)$").matcher(headers);
			return new Answer(request, status, headers, responseBody, id.find() ? id.group(1).strip() : requestId);
		}
	}

	record Answer(String request, int status, String headers, String body, String requestId) {

		/** The error code of a documented JSON error body, or {@code null}. */
		String code() {
			try {
				JsonNode error = Json.read(this.body).path("error");
				return error.path("code").isString() && error.path("message").isString() ? error.path("code").asString()
						: null;
			}
			catch (RuntimeException ex) {
				return null;
			}
		}

		@Override
		public String toString() {
			return this.request + " -> " + this.status + " " + this.body;
		}

	}

}
