package dev.warden.platform.apikey;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.warden.platform.Await;
import dev.warden.platform.Http;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenFixture.CreatedKey;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scoped, expiring and revocable keys end to end over HTTP: the admin API creates them,
 * the data plane enforces them in front of an in-test worker stand-in. Two gateway
 * instances share one database, as replicas do.
 */
@ExtendWith(SharedWardenExtension.class)
class ApiKeyScopeIntegrationTests {

	/** How soon every replica must see a revocation, expiry or suspension. */
	private static final Duration BOUND = Duration.ofSeconds(1);

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	static WardenFixture warden;

	static WardenTestApp app;

	/** A second replica: same database, same master key, its own port and caches. */
	static WardenTestApp replica;

	@BeforeAll
	static void use(WardenFixture shared) {
		warden = shared;
		app = shared.app();
		replica = shared.replica();
	}

	/** A tenant on the plan {@code standard}. */
	private static String tenant(String name) {
		return warden.tenant(name, "standard");
	}

	private static HttpResponse<String> predict(WardenTestApp on, String model, String key) {
		return Http.postJson(on.url("/v1/models/" + model + ":predict"), PREDICT, "X-API-Key", key);
	}

	@Test
	void keyScopedToAModelAndOperationsIsRefusedOutsideThemNamingTheMissingScope() {
		String tenantId = tenant("scope-a");
		String raw = warden
			.key(tenantId, "{\"name\":\"narrow\",\"models\":[\"income\"],\"operations\":[\"predict\",\"metadata\"]}")
			.key();

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
		String raw = warden.key(tenantId, "{\"name\":\"read-only\",\"operations\":[\"metadata\"]}").key();
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
		CreatedKey created = warden.key(tenantId,
				"{\"name\":\"dated\",\"models\":[\"income\"],\"expires_at\":\"2999-01-01T00:00:00Z\"}");
		HttpResponse<String> list = Http.get(app.url("/api/admin/tenants/" + tenantId + "/keys"), warden.admin());
		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(list.body()).contains("\"prefix\":\"wdn_", "\"name\":\"dated\"", "\"models\":[\"income\"]",
				"\"operations\":[\"predict\",\"explain\",\"metadata\",\"feedback\"]",
				"\"expires_at\":\"2999-01-01T00:00:00Z\"", "\"status\":\"active\"", "\"created_at\"",
				"\"last_used_at\"");
		assertThat(list.body()).doesNotContain(created.key(), created.key().substring(17), "hash");
	}

	@Test
	void suspendedTenantGets403UntilReactivated() {
		String tenantId = tenant("scope-suspended");
		String raw = warden.key(tenantId, "{\"name\":\"ci\"}").key();
		assertThat(Http.send("POST", app.url("/api/admin/tenants/" + tenantId + ":suspend"), null, warden.admin())
			.statusCode()).isEqualTo(200);

		// the other replica within the bound of 1 s (its key index is notified)
		HttpResponse<String> refused = Await.within(BOUND, () -> predict(replica, "income", raw),
				(response) -> response.statusCode() == 403);
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).contains("\"code\":\"tenant_suspended\"", "suspended");
		assertThat(refused.headers().firstValue("WWW-Authenticate")).isEmpty();

		Http.send("POST", app.url("/api/admin/tenants/" + tenantId + ":reactivate"), null, warden.admin());
		assertThat(
				Await.within(BOUND, () -> predict(replica, "income", raw), (response) -> response.statusCode() == 200)
					.statusCode())
			.isEqualTo(200);
	}

	@Test
	void deletedTenantsKeyGets401() {
		String tenantId = tenant("scope-deleted");
		String raw = warden.key(tenantId, "{\"name\":\"ci\"}").key();
		assertThat(predict(app, "income", raw).statusCode()).isEqualTo(200);
		assertThat(Http.send("DELETE", app.url("/api/admin/tenants/" + tenantId), null, warden.admin()).statusCode())
			.isEqualTo(204);
		HttpResponse<String> refused = predict(app, "income", raw);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.body()).contains("\"code\":\"invalid_api_key\"");
	}

	@Test
	void expiredKeyGets401AndIsListedAsExpired() {
		String tenantId = tenant("scope-expired");
		CreatedKey created = warden.key(tenantId, "{\"name\":\"short\",\"expires_at\":\"2999-01-01T00:00:00Z\"}");
		assertThat(predict(app, "income", created.key()).statusCode()).isEqualTo(200);
		// the clock cannot be moved in the running app, so the stored expiry is moved
		// into the past
		app.jdbc()
			.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = CAST(:id AS uuid)")
			.param("id", created.id())
			.update();
		// the change reaches the key index through the database's notification, within 1
		// s
		HttpResponse<String> refused = Await.within(BOUND, () -> predict(app, "income", created.key()),
				(response) -> response.statusCode() == 401);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.body()).contains("\"code\":\"invalid_api_key\"");
		assertThat(Http.get(app.url("/api/admin/tenants/" + tenantId + "/keys"), warden.admin()).body())
			.contains("\"status\":\"expired\"");
	}

	@Test
	void keyRevokedOnOneReplicaIsRefusedByTheOtherWithinOneSecond() {
		String tenantId = tenant("scope-revoke");
		CreatedKey created = warden.key(tenantId, "{\"name\":\"ci\"}");
		assertThat(predict(replica, "income", created.key()).statusCode()).isEqualTo(200);

		HttpResponse<String> revoked = Http.send("DELETE",
				app.url("/api/admin/tenants/" + tenantId + "/keys/" + created.id()), null, warden.admin());
		assertThat(revoked.statusCode()).isEqualTo(200);
		assertThat(revoked.body()).contains("\"status\":\"revoked\"");

		assertThat(predict(app, "income", created.key()).statusCode()).isEqualTo(401);
		HttpResponse<String> refused = Await.within(BOUND, () -> predict(replica, "income", created.key()),
				(response) -> response.statusCode() == 401);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();

		Map<String, Object> audit = app.jdbc()
			.sql("SELECT actor, details::text AS details FROM audit_events WHERE action = 'api_key.revoked' "
					+ "AND target_id = :id")
			.param("id", created.id())
			.query()
			.singleRow();
		assertThat(audit).containsEntry("actor", "alice");
		assertThat((String) audit.get("details")).contains("\"after\": {\"status\": \"revoked\"}");
	}

	@Test
	void revokeVerbDoesTheSameAndRevokingTwiceChangesNothing() {
		String tenantId = tenant("scope-revoke-verb");
		CreatedKey created = warden.key(tenantId, "{\"name\":\"ci\"}");
		String url = app.url("/api/admin/tenants/" + tenantId + "/keys/" + created.id() + ":revoke");
		assertThat(Http.send("POST", url, null, warden.admin()).body()).contains("\"status\":\"revoked\"");
		assertThat(Http.send("POST", url, null, warden.admin()).statusCode()).isEqualTo(200);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'api_key.revoked' AND target_id = :id")
			.param("id", created.id())
			.query(Long.class)
			.single()).isEqualTo(1L);
		assertThat(predict(app, "income", created.key()).statusCode()).isEqualTo(401);
	}

	@Test
	void badKeyRequestsAreJsonErrors() {
		String tenantId = tenant("scope-bad");
		String keys = app.url("/api/admin/tenants/" + tenantId + "/keys");
		HttpResponse<String> operation = Http.send("POST", keys, "{\"name\":\"x\",\"operations\":[\"train\"]}",
				warden.admin());
		assertThat(operation.statusCode()).isEqualTo(400);
		assertThat(operation.body()).contains("\"code\":\"validation_failed\"", "unknown operation 'train'");

		HttpResponse<String> past = Http.send("POST", keys, "{\"name\":\"x\",\"expires_at\":\"2020-01-01T00:00:00Z\"}",
				warden.admin());
		assertThat(past.statusCode()).isEqualTo(400);
		assertThat(past.body()).contains("expires_at: must be in the future");

		HttpResponse<String> badDate = Http.send("POST", keys, "{\"name\":\"x\",\"expires_at\":\"tomorrow\"}",
				warden.admin());
		assertThat(badDate.statusCode()).isEqualTo(400);
		assertThat(badDate.body()).contains("\"code\":\"malformed_body\"");

		HttpResponse<String> model = Http.send("POST", keys, "{\"name\":\"x\",\"models\":[\"../etc\"]}",
				warden.admin());
		assertThat(model.statusCode()).isEqualTo(400);
		assertThat(model.body()).contains("is not a model name");

		HttpResponse<String> empty = Http.send("POST", keys, "{\"name\":\"x\",\"models\":[]}", warden.admin());
		assertThat(empty.statusCode()).isEqualTo(400);

		HttpResponse<String> malformedKeyId = Http.send("DELETE", keys + "/not-a-uuid", null, warden.admin());
		assertThat(malformedKeyId.statusCode()).isEqualTo(400);
		assertThat(malformedKeyId.body()).contains("\"code\":\"invalid_parameter\"");

		HttpResponse<String> otherTenantsKey = Http.send("DELETE", keys + "/00000000-0000-0000-0000-000000000000", null,
				warden.admin());
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
		CreatedKey created = warden.key(owner, "{\"name\":\"ci\"}");
		HttpResponse<String> response = Http.send("DELETE",
				app.url("/api/admin/tenants/" + other + "/keys/" + created.id()), null, warden.admin());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(predict(app, "income", created.key()).statusCode()).isEqualTo(200);
	}

}
