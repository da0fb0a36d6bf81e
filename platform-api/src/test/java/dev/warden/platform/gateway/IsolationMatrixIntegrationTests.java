package dev.warden.platform.gateway;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Await;
import dev.warden.platform.apikey.internal.ApiKeyFormat;
import dev.warden.platform.apikey.internal.ApiKeyRepository;
import dev.warden.platform.apikey.internal.KeyIndex;
import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenFixture.CreatedKey;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.model.ModelCatalogue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tenant-isolation matrix: every data-plane endpoint called by every kind of caller,
 * with the exact status each cell must get, and no answer to one tenant naming another
 * tenant's identifiers or data. Model {@code secret} is granted only to tenant A; model
 * {@code shared} to all. The worker stand-in marks every answer with the model it served,
 * so a leaked answer would be recognisable. The same matrix is in
 * {@code docs/security.md}.
 */
class IsolationMatrixIntegrationTests {

	/**
	 * Expected status per endpoint (rows) and caller (columns):
	 * <ul>
	 * <li>OWN: a valid key of tenant A, which is granted {@code secret};</li>
	 * <li>OTHER: a valid key of tenant B, which is not granted {@code secret};</li>
	 * <li>REVOKED, EXPIRED: keys of tenant A that were revoked / have expired;</li>
	 * <li>SUSPENDED: a valid key of tenant C, which is suspended;</li>
	 * <li>NONE: no key; MALFORMED: {@code Authorization: Bearer} with something that is
	 * not a key.</li>
	 * </ul>
	 */
	private static final String MATRIX = """
			endpoint                                           OWN OTHER REVOKED EXPIRED SUSPENDED NONE MALFORMED
			GET  /v1/models                                    200 200   401     401     403       401  401
			GET  /v1/models/secret                             200 404   401     401     403       401  401
			GET  /v1/models/secret/metadata                    200 404   401     401     403       401  401
			POST /v1/models/secret:predict                     200 404   401     401     403       401  401
			POST /v1/models/secret/versions/1:predict          200 404   401     401     403       401  401
			POST /v1/models/secret/labels/stable:predict       200 404   401     401     403       401  401
			POST /v1/models/secret:explain                     200 404   401     401     403       401  401
			POST /v1/models/shared:predict                     200 200   401     401     403       401  401
			GET  /v1/usage                                     200 200   401     401     403       401  401
			POST /v2/models/secret/infer                       200 404   401     401     403       401  401
			GET  /v2/models/secret                             200 404   401     401     403       401  401
			GET  /v2/models/secret/ready                       200 404   401     401     403       401  401
			GET  /v2/health/live                               200 200   401     401     403       401  401
			GET  /v2/health/ready                              200 200   401     401     403       401  401
			POST /v1/models/secret:feedback                    200 404   401     401     403       401  401
			POST /v1/models/shared:feedback                    200 200   401     401     403       401  401
			""";

	/**
	 * Error code expected in a refused cell, by status (OTHER's 404 is the answer for a
	 * model that does not exist).
	 */
	private static final Map<String, String> CODES = Map.of("401:NONE", "missing_api_key", "401", "invalid_api_key",
			"403", "tenant_suspended", "404", "model_not_found");

	private static final String PREDICT = "{\"instances\":[{\"age\":39,\"note\":\"PRIVATE-PAYLOAD-OF-%s\"}]}";

	/**
	 * Feedback on OWN's prediction of the model (rows 4 and 8 of the matrix: the
	 * predictions of {@code secret} and {@code shared} by OWN), whoever sends it.
	 */
	private static final String FEEDBACK = "{\"outcomes\":[{\"request_id\":\"iso-%d-OWN\",\"label\":1}]}";

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	static WardenTestApp app;

	/**
	 * Caller name to its {@code Authorization} header value ({@code null}: no header).
	 */
	static final Map<String, String> callers = new LinkedHashMap<>();

	/** Identifiers per tenant (A, B, C): tenant id, name, key ids and prefixes. */
	static final Map<String, List<String>> identifiers = new LinkedHashMap<>();

	/** The tenant each caller belongs to ({@code null}: none). */
	static final Map<String, String> tenantOf = Map.of("OWN", "A", "OTHER", "B", "REVOKED", "A", "EXPIRED", "A",
			"SUSPENDED", "C");

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, FakeWorker.start(IsolationMatrixIntegrationTests::fakeWorker), Map.of());
		app = warden.app();
		assertThat(app.bean(ModelCatalogue.class).sync()).isEqualTo(2);

		String a = warden.tenant("iso-tenant-a", "enterprise");
		String b = warden.tenant("iso-tenant-b", "enterprise");
		String c = warden.tenant("iso-tenant-c", "enterprise");
		identifiers.put("A", new ArrayList<>(List.of(a, "iso-tenant-a")));
		identifiers.put("B", new ArrayList<>(List.of(b, "iso-tenant-b")));
		identifiers.put("C", new ArrayList<>(List.of(c, "iso-tenant-c")));
		HttpResponse<String> granted = Http.send("PUT", app.url("/api/admin/models/secret/grants"),
				"{\"tenants\":[\"" + a + "\"]}", warden.admin());
		assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);

		callers.put("OWN", "Bearer " + key("A", a, "{\"name\":\"own\"}").key());
		callers.put("OTHER", "Bearer " + key("B", b, "{\"name\":\"other\"}").key());
		CreatedKey revoked = key("A", a, "{\"name\":\"revoked\"}");
		assertThat(
				Http.send("DELETE", app.url("/api/admin/tenants/" + a + "/keys/" + revoked.id()), null, warden.admin())
					.statusCode())
			.isEqualTo(200);
		callers.put("REVOKED", "Bearer " + revoked.key());
		CreatedKey expired = key("A", a, "{\"name\":\"expired\",\"expires_at\":\"2999-01-01T00:00:00Z\"}");
		// the running app's clock cannot be moved, so the stored expiry is moved into the
		// past
		app.jdbc()
			.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = CAST(:id AS uuid)")
			.param("id", expired.id())
			.update();
		// the change reaches the key index through the database's notification, within 1
		// s (awaited in the index itself: a call made meanwhile would be answered and
		// counted, and this test checks that no call of this key is)
		KeyIndex index = app.bean(KeyIndex.class);
		String keyId = ApiKeyFormat.keyIdOf(expired.key());
		assertThat(Await.within(Duration.ofSeconds(1),
				() -> index.find(keyId).map(ApiKeyRepository.Candidate::expiresAt).orElse(null),
				(expiresAt) -> expiresAt != null && expiresAt.isBefore(Instant.now())))
			.isNotNull();
		callers.put("EXPIRED", "Bearer " + expired.key());
		callers.put("SUSPENDED", "Bearer " + key("C", c, "{\"name\":\"suspended\"}").key());
		assertThat(
				Http.send("POST", app.url("/api/admin/tenants/" + c + ":suspend"), null, warden.admin()).statusCode())
			.isEqualTo(200);
		callers.put("NONE", null);
		callers.put("MALFORMED", "Bearer not-a-warden-key");
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	/**
	 * Serves "shared" and "secret" on every v1/v2 path; every answer names the model it
	 * came from.
	 */
	private static void fakeWorker(HttpExchange exchange) throws IOException {
		FakeWorker.readBody(exchange);
		String path = exchange.getRequestURI().getPath();
		int status = 200;
		String out;
		if (path.equals("/v1/models")) {
			out = "{\"models\":[{\"name\":\"shared\",\"versions\":[{\"version\":\"1\",\"state\":\"AVAILABLE\"}]},"
					+ "{\"name\":\"secret\",\"versions\":[{\"version\":\"1\",\"state\":\"AVAILABLE\"}]}]}";
		}
		else if (path.startsWith("/v2/health/")) {
			out = "{\"live\":true,\"ready\":true}";
		}
		else if (path.matches("/v[12]/models/(shared|secret)([/:].*)?")) {
			String model = path.split("/")[3].split(":")[0];
			out = path.endsWith("/metadata")
					? "{\"model_spec\":{\"name\":\"" + model
							+ "\"},\"metadata\":{\"signature_def\":{\"signature_def\":{}}}}"
					: "{\"served_model\":\"" + model + "\",\"marker\":\"WORKER-OUTPUT-OF-" + model + "\"}";
		}
		else {
			status = 404;
			out = "{\"error\":{\"code\":\"model_not_found\",\"message\":\"Servable not found\",\"request_id\":\"w\"}}";
		}
		FakeWorker.answer(exchange, status, out);
	}

	/**
	 * Creates a key of the tenant (A, B or C) and remembers its id and prefix as that
	 * tenant's identifiers.
	 */
	private static CreatedKey key(String tenant, String tenantId, String body) {
		CreatedKey key = warden.key(tenantId, body);
		identifiers.get(tenant).add(key.id());
		identifiers.get(tenant).add(key.prefix());
		return key;
	}

	private static HttpResponse<String> call(String method, String path, String caller, String requestId) {
		List<String> headers = new ArrayList<>(List.of("X-Request-Id", requestId));
		if (callers.get(caller) != null) {
			headers.addAll(List.of("Authorization", callers.get(caller)));
		}
		if ("POST".equals(method)) {
			headers.addAll(List.of("Content-Type", "application/json"));
			String body = path.endsWith(":feedback") ? FEEDBACK.formatted(path.contains("/secret:") ? 4 : 8)
					: PREDICT.formatted(caller);
			return Http.send(method, app.url(path), body, headers.toArray(String[]::new));
		}
		return Http.send(method, app.url(path), null, headers.toArray(String[]::new));
	}

	@Test
	void everyEndpointAnswersEveryCallerWithTheExpectedStatusAndNeverWithAnotherTenantsData() {
		String[] lines = MATRIX.strip().split("\n");
		String[] columns = lines[0].trim().split("\\s+");
		assertThat(columns).containsExactly("endpoint", "OWN", "OTHER", "REVOKED", "EXPIRED", "SUSPENDED", "NONE",
				"MALFORMED");
		List<String> failures = new ArrayList<>();
		int cells = 0;
		for (int row = 1; row < lines.length; row++) {
			String[] cell = lines[row].trim().split("\\s+");
			String method = cell[0];
			String path = cell[1];
			for (int column = 1; column < columns.length; column++) {
				String caller = columns[column];
				int expected = Integer.parseInt(cell[column + 1]);
				String requestId = "iso-" + row + "-" + caller;
				HttpResponse<String> response = call(method, path, caller, requestId);
				cells++;
				String where = method + " " + path + " as " + caller;
				if (response.statusCode() != expected) {
					failures.add(where + ": expected " + expected + ", got " + response.statusCode() + " "
							+ response.body());
					continue;
				}
				failures.addAll(leaks(where, caller, path, response));
				if (path.endsWith(":feedback") && expected == 200) {
					// OWN's prediction is found (the stand-in's answer has no class); to
					// anyone else it does not exist
					String reason = Json.read(response.body()).path("outcomes").get(0).path("reason").asString();
					String want = "OWN".equals(caller) ? "prediction_not_readable" : "unknown_request_id";
					if (!want.equals(reason)) {
						failures.add(where + ": expected outcome " + want + " in " + response.body());
					}
				}
				if (expected >= 400) {
					String code = CODES.getOrDefault(expected + ":" + caller, CODES.get(Integer.toString(expected)));
					if (!response.body().contains("\"code\":\"" + code + "\"")) {
						failures.add(where + ": expected error code " + code + " in " + response.body());
					}
				}
				if (expected == 401 && response.headers().firstValue("WWW-Authenticate").isEmpty()) {
					failures.add(where + ": 401 without WWW-Authenticate");
				}
				// every cell is in the request log, attributed to the caller's tenant
				// when its key was verified
				Map<String, Object> logged = app.jdbc()
					.sql("SELECT status, tenant_id::text AS tenant FROM request_log WHERE request_id = :id")
					.param("id", requestId)
					.query()
					.singleRow();
				String tenant = tenantOf.get(caller);
				String expectedTenant = (tenant != null && expected != 401) ? identifiers.get(tenant).get(0) : null;
				if (!Integer.valueOf(expected).equals(logged.get("status"))
						|| !java.util.Objects.equals(expectedTenant, logged.get("tenant"))) {
					failures.add(where + ": request log has " + logged);
				}
			}
		}
		assertThat(cells).isEqualTo((lines.length - 1) * 7);
		assertThat(failures).isEmpty();
	}

	/**
	 * What in an answer to {@code caller} would reveal another tenant, or the restricted
	 * model to a non-owner.
	 */
	private static List<String> leaks(String where, String caller, String path, HttpResponse<String> response) {
		List<String> found = new ArrayList<>();
		String body = response.body();
		String tenant = tenantOf.get(caller);
		identifiers.forEach((owner, values) -> {
			if (!owner.equals(tenant) || "REVOKED".equals(caller) || "EXPIRED".equals(caller)) {
				for (String value : values) {
					if (body.contains(value)) {
						found.add(where + ": answer names " + owner + "'s identifier " + value);
					}
				}
			}
		});
		for (String other : callers.keySet()) {
			if (!other.equals(caller) && body.contains("PRIVATE-PAYLOAD-OF-" + other)) {
				found.add(where + ": answer contains the payload of " + other);
			}
		}
		if (!"OWN".equals(caller)) {
			// the only mention of the restricted model a non-owner may get: the not-found
			// answer to its own call
			String rest = body.replace("model 'secret' not found", "");
			if ("/v1/usage".equals(path)) {
				rest = withoutOwnRefusedCalls(rest);
			}
			if (rest.contains("secret")) {
				found.add(where + ": answer mentions the restricted model: " + body);
			}
		}
		return found;
	}

	/**
	 * A tenant's usage lists the models it called, so OTHER's usage shows its own refused
	 * calls to {@code secret}: allowed only when every such call was refused as a missing
	 * model (nothing served, nothing about tenant A).
	 */
	private static String withoutOwnRefusedCalls(String usage) {
		JsonNode root = Json.read(usage);
		for (JsonNode entry : root.path("usage")) {
			if ("secret".equals(entry.path("model").asString(null))) {
				JsonNode counts = entry.path("counts");
				long refusedAsMissing = counts.path("rejected_by_code").path("model_not_found").asLong();
				if (counts.path("requests").asLong() != refusedAsMissing || counts.path("rows").asLong() != 0) {
					return usage;
				}
			}
		}
		return usage.replace("\"model\":\"secret\"", "");
	}

	@Test
	void usageOfEachTenantCountsOnlyItsOwnCalls() {
		String own = callers.get("OWN");
		String other = callers.get("OTHER");
		HttpResponse<String> predicted = Http.postJson(app.url("/v1/models/shared:predict"), PREDICT.formatted("X"),
				"Authorization", own);
		assertThat(predicted.statusCode()).isEqualTo(200);
		JsonNode ownUsage = Json.read(Http.get(app.url("/v1/usage"), "Authorization", own).body());
		JsonNode otherUsage = Json.read(Http.get(app.url("/v1/usage"), "Authorization", other).body());
		assertThat(ownUsage.path("tenant").path("name").asString()).isEqualTo("iso-tenant-a");
		assertThat(otherUsage.path("tenant").path("name").asString()).isEqualTo("iso-tenant-b");
		for (JsonNode entry : otherUsage.path("usage")) {
			assertThat(identifiers.get("B")).contains(entry.path("api_key_id").asString());
		}
		for (JsonNode entry : ownUsage.path("usage")) {
			assertThat(identifiers.get("A")).contains(entry.path("api_key_id").asString());
		}
		// the revoked and expired keys of A were refused with 401: not attributable, not
		// counted
		assertThat(ownUsage.toString()).doesNotContain(identifiers.get("A").get(4), identifiers.get("A").get(6));
	}

}
