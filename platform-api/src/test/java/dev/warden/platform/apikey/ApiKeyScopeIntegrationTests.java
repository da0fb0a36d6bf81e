package dev.warden.platform.apikey;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FixedAnswerWorker;
import dev.warden.platform.Http;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scoped, expiring and revocable keys end to end over HTTP: the admin API creates them, the data plane enforces
 * them in front of an in-test worker stand-in. Two gateway instances share one database, as replicas do.
 */
class ApiKeyScopeIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final Pattern FIELD = Pattern.compile("\"(id|key)\":\"([^\"]+)\"");

	@TempDir
	static Path dataDir;

	static HttpServer worker;

	static TestIssuer issuer;

	static WardenTestApp app;

	/** A second replica: same database, same master key, its own port and caches. */
	static WardenTestApp replica;

	@BeforeAll
	static void start() throws Exception {
		worker = FixedAnswerWorker.start();
		issuer = new TestIssuer();
		Map<String, Object> common = Map.of("warden.worker.url", "http://127.0.0.1:" + worker.getAddress().getPort(),
				"warden.security.issuer-uri", issuer.issuer());
		app = WardenTestApp.start(dataDir, common);
		Map<String, Object> second = new java.util.HashMap<>(common);
		second.putAll(app.databaseProperties());
		replica = WardenTestApp.start(dataDir, second);
	}

	@AfterAll
	static void stop() throws Exception {
		replica.close();
		app.close();
		issuer.close();
		worker.stop(0);
	}

	/** Answers every call with 200 and a small JSON body. */
	private static String[] admin() {
		return new String[] { "Authorization", "Bearer " + issuer.token("alice", "ADMIN"), "Content-Type",
				"application/json" };
	}

	private static String tenant(String name) {
		HttpResponse<String> created = Http.send("POST", app.url("/api/admin/tenants"),
				"{\"name\":\"" + name + "\",\"plan\":\"standard\"}", admin());
		assertThat(created.statusCode()).isEqualTo(201);
		return field(created.body(), "id");
	}

	/** Creates a key; returns {id, raw key}. */
	private static String[] key(String tenantId, String body) {
		HttpResponse<String> created = Http.send("POST", app.url("/api/admin/tenants/" + tenantId + "/keys"), body,
				admin());
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return new String[] { field(created.body(), "id"), field(created.body(), "key") };
	}

	private static String field(String json, String name) {
		Matcher matcher = FIELD.matcher(json);
		while (matcher.find()) {
			if (matcher.group(1).equals(name)) {
				return matcher.group(2);
			}
		}
		throw new AssertionError("no " + name + " in " + json);
	}

	private static HttpResponse<String> predict(WardenTestApp on, String model, String key) {
		return Http.postJson(on.url("/v1/models/" + model + ":predict"), PREDICT, "X-API-Key", key);
	}

	@Test
	void keyScopedToAModelAndOperationsIsRefusedOutsideThemNamingTheMissingScope() {
		String tenantId = tenant("scope-a");
		String raw = key(tenantId, "{\"name\":\"narrow\",\"models\":[\"income\"],\"operations\":[\"predict\",\"metadata\"]}")[1];

		assertThat(predict(app, "income", raw).statusCode()).isEqualTo(200);
		assertThat(Http.get(app.url("/v1/models/income/metadata"), "X-API-Key", raw).statusCode()).isEqualTo(200);

		HttpResponse<String> otherModel = predict(app, "spam", raw);
		assertThat(otherModel.statusCode()).isEqualTo(403);
		assertThat(otherModel.body()).contains("\"code\":\"insufficient_scope\"", "model 'spam'", "\"request_id\"");

		HttpResponse<String> explain = Http.postJson(app.url("/v1/models/income:explain"), PREDICT, "X-API-Key", raw);
		assertThat(explain.statusCode()).isEqualTo(403);
		assertThat(explain.body()).contains("\"code\":\"insufficient_scope\"", "operation 'explain'");

		assertThat(Http.get(app.url("/v2/health/ready"), "X-API-Key", raw).statusCode()).isEqualTo(200);
	}

	@Test
	void keyWithoutThePredictOperationCannotPredictOnV1OrV2() {
		String tenantId = tenant("scope-b");
		String raw = key(tenantId, "{\"name\":\"read-only\",\"operations\":[\"metadata\"]}")[1];
		HttpResponse<String> v1 = predict(app, "income", raw);
		assertThat(v1.statusCode()).isEqualTo(403);
		assertThat(v1.body()).contains("operation 'predict'");
		HttpResponse<String> v2 = Http.postJson(app.url("/v2/models/income/infer"), "{}", "X-API-Key", raw);
		assertThat(v2.statusCode()).isEqualTo(403);
		assertThat(v2.body()).contains("operation 'predict'");
		assertThat(Http.get(app.url("/v2/models/income/ready"), "X-API-Key", raw).statusCode()).isEqualTo(200);
	}

	@Test
	void listingShowsScopesExpiryAndStatusButNeverTheSecret() {
		String tenantId = tenant("scope-list");
		String[] created = key(tenantId,
				"{\"name\":\"dated\",\"models\":[\"income\"],\"expires_at\":\"2999-01-01T00:00:00Z\"}");
		HttpResponse<String> list = Http.get(app.url("/api/admin/tenants/" + tenantId + "/keys"), admin());
		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(list.body()).contains("\"prefix\":\"wdn_", "\"name\":\"dated\"", "\"models\":[\"income\"]",
				"\"operations\":[\"predict\",\"explain\",\"metadata\"]", "\"expires_at\":\"2999-01-01T00:00:00Z\"",
				"\"status\":\"active\"", "\"created_at\"", "\"last_used_at\"");
		assertThat(list.body()).doesNotContain(created[1], created[1].substring(17), "hash");
	}

	@Test
	void suspendedTenantGets403UntilReactivated() {
		String tenantId = tenant("scope-suspended");
		String raw = key(tenantId, "{\"name\":\"ci\"}")[1];
		assertThat(Http.send("POST", app.url("/api/admin/tenants/" + tenantId + ":suspend"), null, admin())
			.statusCode()).isEqualTo(200);

		HttpResponse<String> refused = predict(replica, "income", raw);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).contains("\"code\":\"tenant_suspended\"", "suspended");
		assertThat(refused.headers().firstValue("WWW-Authenticate")).isEmpty();

		Http.send("POST", app.url("/api/admin/tenants/" + tenantId + ":reactivate"), null, admin());
		assertThat(predict(replica, "income", raw).statusCode()).isEqualTo(200);
	}

	@Test
	void deletedTenantsKeyGets401() {
		String tenantId = tenant("scope-deleted");
		String raw = key(tenantId, "{\"name\":\"ci\"}")[1];
		assertThat(predict(app, "income", raw).statusCode()).isEqualTo(200);
		assertThat(Http.send("DELETE", app.url("/api/admin/tenants/" + tenantId), null, admin()).statusCode())
			.isEqualTo(204);
		HttpResponse<String> refused = predict(app, "income", raw);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.body()).contains("\"code\":\"invalid_api_key\"");
	}

	@Test
	void expiredKeyGets401AndIsListedAsExpired() {
		String tenantId = tenant("scope-expired");
		String[] created = key(tenantId, "{\"name\":\"short\",\"expires_at\":\"2999-01-01T00:00:00Z\"}");
		assertThat(predict(app, "income", created[1]).statusCode()).isEqualTo(200);
		// the clock cannot be moved in the running app, so the stored expiry is moved into the past
		app.jdbc()
			.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = CAST(:id AS uuid)")
			.param("id", created[0])
			.update();
		HttpResponse<String> refused = predict(app, "income", created[1]);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.body()).contains("\"code\":\"invalid_api_key\"");
		assertThat(Http.get(app.url("/api/admin/tenants/" + tenantId + "/keys"), admin()).body())
			.contains("\"status\":\"expired\"");
	}

	@Test
	void keyRevokedOnOneReplicaIsRefusedByTheOtherOnTheNextRequest() {
		String tenantId = tenant("scope-revoke");
		String[] created = key(tenantId, "{\"name\":\"ci\"}");
		assertThat(predict(replica, "income", created[1]).statusCode()).isEqualTo(200);

		HttpResponse<String> revoked = Http.send("DELETE",
				app.url("/api/admin/tenants/" + tenantId + "/keys/" + created[0]), null, admin());
		assertThat(revoked.statusCode()).isEqualTo(200);
		assertThat(revoked.body()).contains("\"status\":\"revoked\"");

		HttpResponse<String> refused = predict(replica, "income", created[1]);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();

		Map<String, Object> audit = app.jdbc()
			.sql("SELECT actor, details::text AS details FROM audit_events WHERE action = 'api_key.revoked' "
					+ "AND target_id = :id")
			.param("id", created[0])
			.query()
			.singleRow();
		assertThat(audit).containsEntry("actor", "alice");
		assertThat((String) audit.get("details")).contains("\"after\": {\"status\": \"revoked\"}");
	}

	@Test
	void revokeVerbDoesTheSameAndRevokingTwiceChangesNothing() {
		String tenantId = tenant("scope-revoke-verb");
		String[] created = key(tenantId, "{\"name\":\"ci\"}");
		String url = app.url("/api/admin/tenants/" + tenantId + "/keys/" + created[0] + ":revoke");
		assertThat(Http.send("POST", url, null, admin()).body()).contains("\"status\":\"revoked\"");
		assertThat(Http.send("POST", url, null, admin()).statusCode()).isEqualTo(200);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'api_key.revoked' AND target_id = :id")
			.param("id", created[0])
			.query(Long.class)
			.single()).isEqualTo(1L);
		assertThat(predict(app, "income", created[1]).statusCode()).isEqualTo(401);
	}

	@Test
	void badKeyRequestsAreJsonErrors() {
		String tenantId = tenant("scope-bad");
		String keys = app.url("/api/admin/tenants/" + tenantId + "/keys");
		HttpResponse<String> operation = Http.send("POST", keys, "{\"name\":\"x\",\"operations\":[\"train\"]}",
				admin());
		assertThat(operation.statusCode()).isEqualTo(400);
		assertThat(operation.body()).contains("\"code\":\"validation_failed\"", "unknown operation 'train'");

		HttpResponse<String> past = Http.send("POST", keys, "{\"name\":\"x\",\"expires_at\":\"2020-01-01T00:00:00Z\"}",
				admin());
		assertThat(past.statusCode()).isEqualTo(400);
		assertThat(past.body()).contains("expires_at: must be in the future");

		HttpResponse<String> badDate = Http.send("POST", keys, "{\"name\":\"x\",\"expires_at\":\"tomorrow\"}",
				admin());
		assertThat(badDate.statusCode()).isEqualTo(400);
		assertThat(badDate.body()).contains("\"code\":\"malformed_body\"");

		HttpResponse<String> model = Http.send("POST", keys, "{\"name\":\"x\",\"models\":[\"../etc\"]}", admin());
		assertThat(model.statusCode()).isEqualTo(400);
		assertThat(model.body()).contains("is not a model name");

		HttpResponse<String> empty = Http.send("POST", keys, "{\"name\":\"x\",\"models\":[]}", admin());
		assertThat(empty.statusCode()).isEqualTo(400);

		HttpResponse<String> malformedKeyId = Http.send("DELETE", keys + "/not-a-uuid", null, admin());
		assertThat(malformedKeyId.statusCode()).isEqualTo(400);
		assertThat(malformedKeyId.body()).contains("\"code\":\"invalid_parameter\"");

		HttpResponse<String> otherTenantsKey = Http.send("DELETE",
				keys + "/00000000-0000-0000-0000-000000000000", null, admin());
		assertThat(otherTenantsKey.statusCode()).isEqualTo(404);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM api_keys WHERE tenant_id = CAST(:id AS uuid)")
			.param("id", tenantId)
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void anotherTenantsKeyCannotBeRevokedThroughThisTenant() {
		String owner = tenant("scope-owner");
		String other = tenant("scope-other");
		String[] created = key(owner, "{\"name\":\"ci\"}");
		HttpResponse<String> response = Http.send("DELETE",
				app.url("/api/admin/tenants/" + other + "/keys/" + created[0]), null, admin());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(predict(app, "income", created[1]).statusCode()).isEqualTo(200);
	}

}
