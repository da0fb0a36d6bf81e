package dev.warden.platform.apikey;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.internal.LastUseRecorder;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code last_used_at} is recorded in memory per verified request and written in one
 * batched statement per flush. The periodic flush is pushed out of the way (1 h) so that
 * the test drives it; a statement-level trigger counts the UPDATE statements that touch
 * {@code last_used_at}.
 */
class LastUseIntegrationTests {

	@TempDir
	static Path dataDir;

	static WardenTestApp app;

	@BeforeAll
	static void start() {
		app = WardenTestApp.start(dataDir, Map.of("warden.keys.last-used-flush-interval", "1h"));
		app.jdbc().sql("CREATE TABLE test_last_used_writes (n int)").update();
		app.jdbc()
			.sql("CREATE FUNCTION test_count_last_used() RETURNS trigger LANGUAGE plpgsql AS $$ "
					+ "BEGIN INSERT INTO test_last_used_writes VALUES (1); RETURN NULL; END $$")
			.update();
		app.jdbc()
			.sql("CREATE TRIGGER test_last_used AFTER UPDATE OF last_used_at ON api_keys "
					+ "FOR EACH STATEMENT EXECUTE FUNCTION test_count_last_used()")
			.update();
	}

	@AfterAll
	static void stop() {
		app.close();
	}

	private static long writes() {
		return app.jdbc().sql("SELECT count(*) FROM test_last_used_writes").query(Long.class).single();
	}

	@Test
	void manyRequestsOfSeveralKeysAreWrittenInOneStatementPerFlush() {
		Tenant tenant = app.bean(TenantManagement.class).create("last-used", "free", "test");
		ApiKeyManagement keys = app.bean(ApiKeyManagement.class);
		LastUseRecorder recorder = app.bean(LastUseRecorder.class);
		String first = keys.create(tenant.id(), "first", "test").rawKey();
		String second = keys.create(tenant.id(), "second", "test").rawKey();
		String unused = keys.create(tenant.id(), "unused", "test").rawKey();
		assertThat(unused).isNotBlank();
		recorder.flush();
		long writesBefore = writes();
		long statementsBefore = recorder.statements();

		Instant before = Instant.now();
		for (int i = 0; i < 20; i++) {
			assertThat(keys.verify(first)).isPresent();
			assertThat(keys.verify(second)).isPresent();
		}
		// nothing written per request
		assertThat(writes()).isEqualTo(writesBefore);
		assertThat(keys.list(tenant.id())).allSatisfy((key) -> assertThat(key.lastUsedAt()).isNull());

		assertThat(recorder.flush()).isEqualTo(2);
		assertThat(writes()).isEqualTo(writesBefore + 1);
		assertThat(recorder.statements()).isEqualTo(statementsBefore + 1);
		assertThat(keys.list(tenant.id())).satisfiesExactly(
				(key) -> assertThat(key.lastUsedAt()).isAfterOrEqualTo(before.minusMillis(1)),
				(key) -> assertThat(key.lastUsedAt()).isAfterOrEqualTo(before.minusMillis(1)),
				(key) -> assertThat(key.lastUsedAt()).isNull());

		// an empty flush issues no statement
		assertThat(recorder.flush()).isZero();
		assertThat(writes()).isEqualTo(writesBefore + 1);
	}

	@Test
	void aFlushNeverMovesTheStoredValueBack() {
		Tenant tenant = app.bean(TenantManagement.class).create("last-used-order", "free", "test");
		ApiKeyManagement keys = app.bean(ApiKeyManagement.class);
		LastUseRecorder recorder = app.bean(LastUseRecorder.class);
		ApiKey key = keys.create(tenant.id(), "k", "test").key();
		Instant later = Instant.parse("2030-01-01T00:00:00Z");
		recorder.record(key.id(), later);
		recorder.flush();
		// another replica flushing an older use afterwards
		recorder.record(key.id(), Instant.parse("2029-01-01T00:00:00Z"));
		recorder.flush();
		assertThat(keys.list(tenant.id())).singleElement()
			.satisfies((listed) -> assertThat(listed.lastUsedAt()).isEqualTo(later));
	}

}
