package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Routing over two real worker processes serving the same model store: the first
 * configured on the gateway, the second registered with heartbeats. Several client
 * threads send predictions through the gateway while the second worker is killed
 * (SIGKILL, connections dropped mid-request, no deregistration): no client sees an error,
 * because a call that loses its worker is retried once on the other, and every 2xx answer
 * has its request-log row.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerFailoverIntegrationTests {

	private static final int CLIENTS = 4;

	WardenCluster cluster;

	String adminToken;

	String apiKey;

	@BeforeAll
	void createTenantAndKey(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		adminToken = cluster.adminToken();
		apiKey = cluster.newTenantKey("failover", "enterprise");
	}

	/**
	 * The workers the gateway routes to (one page: the list is paged, and two workers fit
	 * on the first).
	 */
	private JsonNode workers() throws Exception {
		var response = Http.get(cluster.gateway() + "/api/admin/workers", Http.bearer(adminToken));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.json().path("next_page").isNull()).isTrue();
		return response.json().path("content");
	}

	private JsonNode worker(JsonNode workers, String id) {
		for (JsonNode worker : workers) {
			if (worker.path("id").asString().equals(id)) {
				return worker;
			}
		}
		return null;
	}

	private boolean servesIncome(JsonNode worker) {
		return worker != null && worker.path("healthy").asBoolean()
				&& worker.path("models").path("income").path("versions").size() > 0;
	}

	private void await(String what, CheckedCondition condition) throws Exception {
		var deadline = Instant.now().plus(Duration.ofMinutes(2));
		while (!condition.met()) {
			assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
			Thread.sleep(100);
		}
	}

	@FunctionalInterface
	interface CheckedCondition {

		boolean met() throws Exception;

	}

	@Test
	void killingOneOfTwoWorkersUnderLoadLosesNoRequest() throws Exception {
		cluster.ensureSecondWorker();
		await("both workers serving income", () -> {
			var workers = workers();
			return servesIncome(worker(workers, "configured-1"))
					&& servesIncome(worker(workers, WardenCluster.SECOND_WORKER_ID));
		});
		// earlier tests already sent calls to both workers: count this test's share from
		// here
		var before = workers();
		long firstBefore = worker(before, "configured-1").path("forwarded").asLong();
		long secondBefore = worker(before, WardenCluster.SECOND_WORKER_ID).path("forwarded").asLong();
		var body = JsonMapper.shared().writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS));
		var stop = new AtomicBoolean();
		var completed = new AtomicInteger();
		List<String> succeeded = Collections.synchronizedList(new ArrayList<>());
		List<String> errors = Collections.synchronizedList(new ArrayList<>());
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < CLIENTS; c++) {
			int client = c;
			var thread = new Thread(() -> {
				for (int n = 0; !stop.get(); n++) {
					var requestId = "failover-" + client + "-" + n;
					var headers = new HashMap<>(Http.bearer(apiKey));
					headers.put("X-Request-Id", requestId);
					try {
						var response = Http.postJson(cluster.gateway() + "/v1/models/income:predict", headers, body);
						if (response.status() == 200) {
							succeeded.add(requestId);
						}
						else {
							errors.add(requestId + ": " + response.status() + " " + response.body());
						}
					}
					catch (Exception ex) {
						errors.add(requestId + ": " + ex);
					}
					completed.incrementAndGet();
				}
			}, "failover-client-" + c);
			thread.start();
			clients.add(thread);
		}
		int[] afterKillStart = { 0 };
		try {
			// both workers take a share of the load before one of them dies
			await("load on both workers", () -> {
				var workers = workers();
				return worker(workers, "configured-1").path("forwarded").asLong() > firstBefore + 30
						&& worker(workers, WardenCluster.SECOND_WORKER_ID).path("forwarded").asLong() > secondBefore
								+ 30;
			});
			cluster.killSecondWorker();
			int atKill = completed.get();
			afterKillStart[0] = atKill;
			// the dead worker stays registered until three heartbeats are missed: load
			// goes on through all of it
			await("the killed worker's registration to expire",
					() -> worker(workers(), WardenCluster.SECOND_WORKER_ID) == null);
			await("more load after the expiry", () -> completed.get() > atKill + 200);
		}
		finally {
			stop.set(true);
			for (Thread client : clients) {
				client.join(60_000);
			}
		}
		System.out.printf("worker failover: %d requests from %d clients, %d of them after the kill, %d errors%n",
				completed.get(), CLIENTS, completed.get() - afterKillStart[0], errors.size());
		assertThat(errors).as("client errors (of %d requests)", completed.get()).isEmpty();
		assertThat(succeeded).hasSize(completed.get());

		// every 2xx is in the request log
		try (var db = cluster.database()) {
			var query = db.prepareStatement(
					"select count(distinct request_id) from request_log where status = 200 and request_id = any(?)");
			query.setArray(1, db.createArrayOf("text", succeeded.toArray()));
			var row = query.executeQuery();
			assertThat(row.next()).isTrue();
			assertThat(row.getLong(1)).isEqualTo(succeeded.size());
		}
		var survivor = worker(workers(), "configured-1");
		assertThat(survivor.path("healthy").asBoolean()).isTrue();
		assertThat(survivor.path("circuit_breaker").asString()).isEqualTo("CLOSED");
	}

}
