package dev.warden.platform.apikey;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.Await;
import dev.warden.platform.Http;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenFixture.CreatedKey;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.internal.ApiKeyRepository;
import dev.warden.platform.apikey.internal.KeyIndex;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateways on one database: keys are verified from each replica's in-memory index,
 * and a change made through one replica (or directly in the database) reaches the other
 * within the documented bound of 1 s, through the database's notifications; after the
 * notification connection is killed the replica reconnects and reloads what it missed.
 */
@ExtendWith(SharedWardenExtension.class)
class KeyIndexIntegrationTests {

	private static final Duration BOUND = Duration.ofSeconds(1);

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	static WardenFixture warden;

	static WardenTestApp a;

	static WardenTestApp b;

	@BeforeAll
	static void use(WardenFixture shared) {
		warden = shared;
		a = shared.app();
		b = shared.replica();
	}

	private static int predict(WardenTestApp on, String key) {
		return Http.postJson(on.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key).statusCode();
	}

	private static int awaitStatus(WardenTestApp on, String key, int expected, Duration limit) {
		return Await.within(limit, () -> predict(on, key), (status) -> status == expected);
	}

	private static KeyIndex index(WardenTestApp on) {
		return on.bean(KeyIndex.class);
	}

	private static void awaitCurrent(WardenTestApp on) {
		assertThat(Await.within(Duration.ofSeconds(30), () -> index(on).current(), (current) -> current)).isTrue();
	}

	@Test
	void keyCreatedOnOneGatewayIsUsableOnTheOtherWithinTheBound() {
		awaitCurrent(b);
		String tenantId = warden.tenant("index-created", "standard");
		CreatedKey created = warden.key(tenantId);
		assertThat(awaitStatus(b, created.key(), 200, BOUND)).isEqualTo(200);
	}

	@Test
	void keyRevokedThroughOneGatewayIsRefusedByTheOtherWithinTheBound() {
		String tenantId = warden.tenant("index-revoked", "standard");
		CreatedKey created = warden.key(tenantId);
		assertThat(awaitStatus(b, created.key(), 200, BOUND)).isEqualTo(200);
		awaitCurrent(b);

		assertThat(Http
			.send("DELETE", a.url("/api/admin/tenants/" + tenantId + "/keys/" + created.id()), null, warden.admin())
			.statusCode()).isEqualTo(200);
		// the replica that made the change applies it after its commit
		assertThat(predict(a, created.key())).isEqualTo(401);
		assertThat(awaitStatus(b, created.key(), 401, BOUND)).isEqualTo(401);
	}

	@Test
	void tenantSuspendedThroughOneGatewayIsRefusedByTheOtherWithinTheBoundAndBackAfterReactivation() {
		String tenantId = warden.tenant("index-suspended", "standard");
		CreatedKey created = warden.key(tenantId);
		assertThat(awaitStatus(b, created.key(), 200, BOUND)).isEqualTo(200);
		awaitCurrent(b);

		assertThat(Http.send("POST", a.url("/api/admin/tenants/" + tenantId + ":suspend"), null, warden.admin())
			.statusCode()).isEqualTo(200);
		assertThat(predict(a, created.key())).isEqualTo(403);
		assertThat(awaitStatus(b, created.key(), 403, BOUND)).isEqualTo(403);

		assertThat(Http.send("POST", a.url("/api/admin/tenants/" + tenantId + ":reactivate"), null, warden.admin())
			.statusCode()).isEqualTo(200);
		assertThat(predict(a, created.key())).isEqualTo(200);
		assertThat(awaitStatus(b, created.key(), 200, BOUND)).isEqualTo(200);
	}

	@Test
	void aChangeMadeDirectlyInTheDatabaseReachesBothGatewaysWithinTheBound() {
		String tenantId = warden.tenant("index-sql", "standard");
		CreatedKey created = warden.key(tenantId);
		assertThat(awaitStatus(b, created.key(), 200, BOUND)).isEqualTo(200);
		awaitCurrent(a);
		awaitCurrent(b);

		a.jdbc()
			.sql("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = CAST(:id AS uuid)")
			.param("id", created.id())
			.update();
		assertThat(awaitStatus(a, created.key(), 401, BOUND)).isEqualTo(401);
		assertThat(awaitStatus(b, created.key(), 401, BOUND)).isEqualTo(401);
	}

	@Test
	void verifiedRequestsRunNoKeyLookupInTheDatabase() {
		String tenantId = warden.tenant("index-no-select", "standard");
		CreatedKey created = warden.key(tenantId);
		assertThat(awaitStatus(b, created.key(), 200, BOUND)).isEqualTo(200);
		awaitCurrent(b);
		ApiKeyRepository repository = b.bean(ApiKeyRepository.class);

		long before = repository.candidateLookups();
		for (int i = 0; i < 50; i++) {
			assertThat(predict(b, created.key())).isEqualTo(200);
		}
		assertThat(repository.candidateLookups()).isEqualTo(before);
		// a key the index does not hold is looked up, as before the index existed (a key
		// created on another replica works at once)
		for (int i = 0; i < 5; i++) {
			assertThat(predict(b, "wdn_ZZZZZZZZZZZZ_" + "0".repeat(32))).isEqualTo(401);
		}
		assertThat(repository.candidateLookups()).isEqualTo(before + 5);
	}

	@Test
	void afterItsConnectionIsKilledTheListenerReconnectsAndReloadsAChangeThatWasNeverNotified() {
		String tenantId = warden.tenant("index-reconnect", "standard");
		CreatedKey created = warden.key(tenantId);
		assertThat(awaitStatus(b, created.key(), 200, BOUND)).isEqualTo(200);
		awaitCurrent(b);
		long reconnects = index(b).reconnects();

		// suspend the tenant without its trigger, so that no notification can tell any
		// replica, and commit
		new TransactionTemplate(a.bean(PlatformTransactionManager.class)).executeWithoutResult((tx) -> {
			a.jdbc().sql("ALTER TABLE tenants DISABLE TRIGGER tenants_notify").update();
			a.jdbc()
				.sql("UPDATE tenants SET status = 'suspended' WHERE id = CAST(:id AS uuid)")
				.param("id", tenantId)
				.update();
			a.jdbc().sql("ALTER TABLE tenants ENABLE TRIGGER tenants_notify").update();
		});
		// then kill every listener connection, waiting for them to end
		assertThat(a.jdbc()
			.sql("WITH listeners AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = :name) "
					+ "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM listeners")
			.param("name", KeyIndex.APPLICATION_NAME)
			.query(Long.class)
			.single()).isGreaterThanOrEqualTo(2);
		long killed = System.nanoTime();

		// back once it has reconnected and finished a full reload that began after the
		// kill
		// (so after the change's commit); until then the old index may still be current
		assertThat(Await.within(Duration.ofSeconds(30), () -> index(b).reconnects() > reconnects
				&& index(b).lastReloadStarted() - killed > 0 && index(b).current(), (back) -> back))
			.isTrue();
		ApiKeyRepository repository = b.bean(ApiKeyRepository.class);
		long lookups = repository.candidateLookups();
		assertThat(predict(b, created.key())).isEqualTo(403);
		// refused by the reloaded index (the key is in it, its tenant now suspended), not
		// by a lookup in the database
		assertThat(repository.candidateLookups()).isEqualTo(lookups);
	}

}
