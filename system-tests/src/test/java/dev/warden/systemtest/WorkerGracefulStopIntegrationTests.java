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
 * One of two real worker processes stopped gracefully (SIGTERM) while clients predict
 * through the gateway: it deregisters and finishes what it is serving, the gateway
 * retries a refused call on the other worker, so no client sees an error, and every 2xx
 * has its request-log row. The worker stays stopped: the next class that needs it starts
 * it ({@link WardenCluster#ensureSecondWorker()}).
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerGracefulStopIntegrationTests {

	private static final int CLIENTS = 4;

	WardenCluster cluster;

	String apiKey;

	String adminToken;

	@BeforeAll
	void createTenantAndKey(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		adminToken = cluster.adminToken();
		apiKey = cluster.newTenantKey("graceful-worker", "enterprise");
	}

	private JsonNode worker(String id) throws Exception {
		var response = Http.get(cluster.gateway() + "/api/admin/workers", Http.bearer(adminToken));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		for (JsonNode worker : response.json().path("content")) {
			if (worker.path("id").asString().equals(id)) {
				return worker;
			}
		}
		return null;
	}

	private boolean servesIncome(String id) throws Exception {
		JsonNode worker = worker(id);
		return worker != null && worker.path("healthy").asBoolean()
				&& worker.path("models").path("income").path("versions").size() > 0;
	}

	private void await(String what, WorkerFailoverIntegrationTests.CheckedCondition condition) throws Exception {
		var deadline = Instant.now().plus(Duration.ofMinutes(2));
		while (!condition.met()) {
			assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
			Thread.sleep(100);
		}
	}

	@Test
	void stoppingOneOfTwoWorkersUnderLoadLosesNoRequest() throws Exception {
		cluster.ensureSecondWorker();
		await("both workers serving income",
				() -> servesIncome("configured-1") && servesIncome(WardenCluster.SECOND_WORKER_ID));
		long secondBefore = worker(WardenCluster.SECOND_WORKER_ID).path("forwarded").asLong();
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
					var requestId = "graceful-worker-" + client + "-" + n;
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
			}, "graceful-worker-client-" + c);
			thread.start();
			clients.add(thread);
		}
		int atStop;
		try {
			await("load on the second worker",
					() -> worker(WardenCluster.SECOND_WORKER_ID).path("forwarded").asLong() > secondBefore + 30);
			atStop = completed.get();
			cluster.stopSecondWorker();
			await("the stopped worker's deregistration", () -> worker(WardenCluster.SECOND_WORKER_ID) == null);
			await("more load after the stop", () -> completed.get() > atStop + 200);
		}
		finally {
			stop.set(true);
			for (Thread client : clients) {
				client.join(60_000);
			}
		}
		System.out.printf("worker graceful stop: %d requests from %d clients, %d of them after SIGTERM, %d errors%n",
				completed.get(), CLIENTS, completed.get() - atStop, errors.size());
		assertThat(errors).as("client errors (of %d requests)", completed.get()).isEmpty();
		assertThat(succeeded).hasSize(completed.get());
		try (var db = cluster.database()) {
			var query = db.prepareStatement(
					"select count(distinct request_id) from request_log where status = 200 and request_id = any(?)");
			query.setArray(1, db.createArrayOf("text", succeeded.toArray()));
			var row = query.executeQuery();
			assertThat(row.next()).isTrue();
			assertThat(row.getLong(1)).isEqualTo(succeeded.size());
		}
	}

}
