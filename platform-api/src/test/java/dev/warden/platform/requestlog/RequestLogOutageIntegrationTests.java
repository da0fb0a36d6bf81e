package dev.warden.platform.requestlog;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Http;
import dev.warden.platform.RestartablePostgres;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.apikey.internal.KeyIndex;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway against a PostgreSQL that is stopped and started again while clients
 * predict through it: no 2xx without its committed {@code request_log} row, 503 while the
 * database is away (fail closed), 2xx again once it is back, without restarting the
 * gateway. Also the fail-open switch (admin API, audited) under the same outage.
 */
class RequestLogOutageIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path pgDir;

	static RestartablePostgres postgres;

	static WardenFixture warden;

	static TestIssuer issuer;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws Exception {
		postgres = new RestartablePostgres(pgDir);
		warden = WardenFixture.start(dataDir, FakeWorker.start(RequestLogOutageIntegrationTests::echoWorker, 8),
				Map.of("warden.database.url", postgres.jdbcUrl(), "warden.database.username", "postgres",
						"warden.request-log.settings-refresh-interval", "200ms"));
		issuer = warden.issuer();
		app = warden.app();
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
		postgres.close();
	}

	private static void echoWorker(HttpExchange exchange) throws IOException {
		FakeWorker.readBody(exchange);
		exchange.getResponseHeaders().add("X-Model-Version", "1");
		FakeWorker.answer(exchange, 200, "{\"predictions\":[0.25]}");
	}

	private static String newKey(String tenantName) {
		Tenant tenant = app.bean(TenantManagement.class).create(tenantName, "enterprise", "test");
		return app.bean(ApiKeyManagement.class).create(tenant.id(), "test", "test").rawKey();
	}

	/**
	 * One answered call: when it was sent and answered (System.nanoTime), its id and
	 * status.
	 */
	record Call(String requestId, long sent, long answered, int status, String body) {
	}

	@Test
	void restartingPostgresUnderLoadNeverReleasesAnUnloggedAnswerAndTheGatewayRecovers() throws Exception {
		String key = newKey("outage-closed");
		ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
		AtomicBoolean running = new AtomicBoolean(true);
		int clients = 4;
		CountDownLatch finished = new CountDownLatch(clients);
		for (int c = 0; c < clients; c++) {
			int client = c;
			Thread thread = new Thread(() -> {
				try {
					for (int n = 0; running.get(); n++) {
						String id = "closed-" + client + "-" + n;
						long sent = System.nanoTime();
						HttpResponse<String> response = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT,
								"X-API-Key", key, "X-Request-Id", id);
						calls.add(new Call(id, sent, System.nanoTime(), response.statusCode(), response.body()));
					}
				}
				finally {
					finished.countDown();
				}
			}, "outage-client-" + c);
			thread.setDaemon(true);
			thread.start();
		}

		awaitCalls(calls, (call) -> call.status() == 200, 50);
		postgres.stop();
		long down = System.nanoTime();
		awaitCalls(calls, (call) -> call.sent() > down, 8);
		long restarting = System.nanoTime();
		postgres.start();
		long up = System.nanoTime();
		awaitCalls(calls, (call) -> call.sent() > up && call.status() == 200, 50);
		running.set(false);
		assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();

		List<Call> all = new ArrayList<>(calls);
		List<Call> duringOutage = all.stream()
			.filter((call) -> call.sent() > down && call.answered() < restarting)
			.toList();
		assertThat(duringOutage).isNotEmpty().allSatisfy((call) -> assertThat(call.status()).isEqualTo(503));
		assertThat(duringOutage).anySatisfy((call) -> assertThat(call.body()).contains("\"request_id\":\""));
		assertThat(all.stream().filter((call) -> call.sent() < down && call.status() == 200)).isNotEmpty();
		assertThat(all.stream().filter((call) -> call.sent() > up && call.status() == 200)).isNotEmpty();
		assertThat(all).allSatisfy((call) -> assertThat(call.status()).isIn(200, 503));

		Set<String> ok = new HashSet<>();
		all.stream().filter((call) -> call.status() / 100 == 2).forEach((call) -> ok.add(call.requestId()));
		List<String> logged = app.jdbc()
			.sql("SELECT request_id FROM request_log WHERE status = 200 AND request_id = ANY(:ids)")
			.param("ids", ok.toArray(String[]::new))
			.query(String.class)
			.list();
		assertThat(new HashSet<>(logged)).isEqualTo(ok);
		assertThat(logged).hasSameSizeAs(ok);
	}

	@Test
	void failOpenIsSwitchedByAnAuditedAdminCallAndSpilledRecordsAreWrittenWhenTheDatabaseIsBack() throws Exception {
		String key = newKey("outage-open");
		String admin = "Bearer " + issuer.token("alice", "ADMIN");
		HttpResponse<String> forbidden = Http.send("PUT", app.url("/api/admin/settings/request-log"),
				"{\"failOpen\":true}", "Content-Type", "application/json", "Authorization",
				"Bearer " + issuer.token("carol", "COMPLIANCE"));
		assertThat(forbidden.statusCode()).isEqualTo(403);
		HttpResponse<String> invalid = Http.send("PUT", app.url("/api/admin/settings/request-log"), "{}",
				"Content-Type", "application/json", "Authorization", admin);
		assertThat(invalid.statusCode()).isEqualTo(400);
		assertThat(invalid.body()).contains("\"code\":\"validation_failed\"", "failOpen");
		HttpResponse<String> on = Http.send("PUT", app.url("/api/admin/settings/request-log"), "{\"failOpen\":true}",
				"Content-Type", "application/json", "Authorization", admin);
		try {
			assertThat(on.statusCode()).isEqualTo(200);
			assertThat(on.body()).contains("\"fail_open\":true", "\"source\":\"stored\"", "\"updated_by\":\"alice\"");
			Map<String, Object> audit = app.jdbc()
				.sql("SELECT actor, details::text AS details FROM audit_events "
						+ "WHERE action = 'request_log.settings_changed' ORDER BY occurred_at DESC LIMIT 1")
				.query()
				.singleRow();
			assertThat(audit).containsEntry("actor", "alice");
			assertThat((String) audit.get("details")).contains("\"fail_open\": true", "\"previous_fail_open\": false");
			HttpResponse<String> again = Http.send("PUT", app.url("/api/admin/settings/request-log"),
					"{\"fail_open\":true}", "Content-Type", "application/json", "Authorization", admin);
			assertThat(again.statusCode()).isEqualTo(200);
			assertThat(app.jdbc()
				.sql("SELECT count(*) FROM audit_events WHERE action = 'request_log.settings_changed'")
				.query(Long.class)
				.single()).as("setting the stored value again is not a change").isEqualTo(1);
			HttpResponse<String> read = Http.get(app.url("/api/admin/settings/request-log"), "Authorization",
					"Bearer " + issuer.token("carol", "COMPLIANCE"));
			assertThat(read.statusCode()).isEqualTo(200);
			assertThat(read.body()).contains("\"fail_open\":true");
			// another replica would see it within the refresh interval: simulate one by
			// re-reading the table
			RequestLogSettings settings = app.bean(RequestLogSettings.class);
			settings.refresh();
			assertThat(settings.failOpen()).isTrue();

			MeterRegistry meters = app.bean(MeterRegistry.class);
			postgres.stop();
			// keys are verified in memory until the key index has not seen its database
			// connection for warden.keys.index-max-lag; from then on against the database
			KeyIndex keyIndex = app.bean(KeyIndex.class);
			long stale = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (keyIndex.current() && System.nanoTime() < stale) {
				Thread.onSpinWait();
			}
			assertThat(keyIndex.current()).isFalse();
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				String id = "open-" + i;
				ids.add(id);
				HttpResponse<String> response = Http.postJson(app.url("/v1/models/echo:predict"), PREDICT, "X-API-Key",
						key, "X-Request-Id", id);
				// the key cannot be verified without the database, but that answer is
				// released, not withheld
				assertThat(response.statusCode()).isEqualTo(503);
				assertThat(response.body()).contains("\"code\":\"service_unavailable\"")
					.doesNotContain("log_unavailable");
			}
			assertThat(meters.get("warden.request.log.spill.depth").gauge().value()).isGreaterThanOrEqualTo(5);
			assertThat(settings.failOpen()).isTrue();
			postgres.start();

			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			List<Map<String, Object>> rows = List.of();
			while (rows.size() < ids.size() && System.nanoTime() < deadline) {
				Thread.sleep(200);
				try {
					rows = app.jdbc()
						.sql("SELECT request_id, status, error_code FROM request_log WHERE request_id = ANY(:ids)")
						.param("ids", ids.toArray(String[]::new))
						.query()
						.listOfRows();
				}
				catch (RuntimeException ex) {
					// the pool is still reconnecting
				}
			}
			assertThat(rows).hasSize(ids.size())
				.allSatisfy((row) -> assertThat(row).containsEntry("status", 503)
					.containsEntry("error_code", "service_unavailable"));
			// the writer empties its spill right after the commit that made the rows
			// visible
			while (meters.get("warden.request.log.spill.depth").gauge().value() > 0 && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(meters.get("warden.request.log.spill.depth").gauge().value()).isZero();
		}
		finally {
			postgres.start();
			awaitDatabase();
			HttpResponse<String> off = Http.send("PUT", app.url("/api/admin/settings/request-log"),
					"{\"fail_open\":false}", "Content-Type", "application/json", "Authorization", admin);
			assertThat(off.statusCode()).isEqualTo(200);
			assertThat(off.body()).contains("\"fail_open\":false");
		}
	}

	private static void awaitDatabase() throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (System.nanoTime() < deadline) {
			try {
				app.jdbc().sql("SELECT 1").query(Integer.class).single();
				return;
			}
			catch (RuntimeException ex) {
				Thread.sleep(200);
			}
		}
	}

	private static void awaitCalls(ConcurrentLinkedQueue<Call> calls, java.util.function.Predicate<Call> matching,
			int count) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (calls.stream().filter(matching).count() < count) {
			assertThat(System.nanoTime()).as("waiting for %d matching calls", count).isLessThan(deadline);
			Thread.sleep(50);
		}
	}

}
