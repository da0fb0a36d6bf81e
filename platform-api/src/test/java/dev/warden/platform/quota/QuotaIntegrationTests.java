package dev.warden.platform.quota;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.FixedAnswerWorker;
import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quotas across replicas: two gateway instances on one database, many threads firing at
 * both. The monthly quota admits exactly its count in total; the rate bucket admits at
 * most burst + rate × elapsed.
 */
class QuotaIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final int MONTHLY = 50;

	private static final int RATE = 5;

	private static final int BURST = 10;

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static WardenFixture warden;

	static WardenTestApp app;

	static WardenTestApp replica;

	@BeforeAll
	static void start() throws Exception {
		Files.writeString(policiesDir.resolve("quotas.yaml"), """
				default_plan: metered
				plans:
				  metered:
				    requests_per_second: 100000
				    burst: 100000
				    requests_per_month: %d
				    max_request_bytes: 65536
				    max_rows_per_request: 3
				  slow:
				    requests_per_second: %d
				    burst: %d
				    max_request_bytes: 65536
				  explaining:
				    requests_per_second: 1
				    burst: 100
				    requests_per_month: 25
				    max_request_bytes: 65536
				    explain_cost: 10
				    max_rows_per_explanation: 2
				""".formatted(MONTHLY, RATE, BURST));
		warden = WardenFixture.start(dataDir, FixedAnswerWorker.start(),
				Map.of("warden.policies-dir", policiesDir.toString()));
		app = warden.app();
		replica = warden.replica();
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
	}

	/** Creates a tenant on the plan and a key; returns the raw key. */
	private static String keyForNewTenant(String name, String plan) {
		return warden.key(warden.tenant(name, plan), "{\"name\":\"load\"}").key();
	}

	/**
	 * Fires {@code total} predicts from 16 threads, alternating between the two replicas.
	 */
	private static List<HttpResponse<String>> fire(String key, int total) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(16);
		try {
			List<Future<HttpResponse<String>>> futures = new ArrayList<>();
			for (int i = 0; i < total; i++) {
				WardenTestApp target = (i % 2 == 0) ? app : replica;
				futures.add(threads
					.submit(() -> Http.postJson(target.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key)));
			}
			List<HttpResponse<String>> responses = new ArrayList<>();
			for (Future<HttpResponse<String>> future : futures) {
				responses.add(future.get());
			}
			return responses;
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void monthlyQuotaAdmitsExactlyItsCountAcrossTwoReplicas() throws Exception {
		String key = keyForNewTenant("quota-monthly", "metered");

		List<HttpResponse<String>> responses = fire(key, 3 * MONTHLY);

		long accepted = responses.stream().filter((r) -> r.statusCode() == 200).count();
		assertThat(accepted).isEqualTo(MONTHLY);
		ConcurrentLinkedQueue<HttpResponse<String>> refused = new ConcurrentLinkedQueue<>(
				responses.stream().filter((r) -> r.statusCode() != 200).toList());
		assertThat(refused).hasSize(2 * MONTHLY).allSatisfy((r) -> assertThat(r.statusCode()).isEqualTo(429));

		String nextMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1) + "T00:00:00Z";
		HttpResponse<String> one = refused.peek();
		assertThat(one.body()).contains("\"code\":\"rate_limited\"", "\"limit\":\"monthly\"",
				"\"resets_at\":\"" + nextMonth + "\"", "50 requests per calendar month", "\"request_id\"");
		assertThat(Long.parseLong(one.headers().firstValue("Retry-After").orElseThrow())).isGreaterThanOrEqualTo(1);
		assertThat(one.headers().firstValue("RateLimit-Limit")).hasValue(Integer.toString(MONTHLY));
		assertThat(one.headers().firstValue("RateLimit-Remaining")).hasValue("0");
		assertThat(one.headers().firstValue("RateLimit-Reset")).isPresent();

		// still refused on both replicas afterwards
		assertThat(Http.postJson(app.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key).statusCode())
			.isEqualTo(429);
		assertThat(Http.postJson(replica.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key).statusCode())
			.isEqualTo(429);
	}

	@Test
	void monthlyQuotaIsPerTenantAndAcceptedResponsesCarryTheHeaders() throws Exception {
		String key = keyForNewTenant("quota-headers", "metered");
		HttpResponse<String> first = Http.postJson(replica.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key);
		assertThat(first.statusCode()).isEqualTo(200);
		// the monthly quota (50) is closer to exhaustion than the huge burst, so the
		// headers describe it
		assertThat(first.headers().firstValue("RateLimit-Limit")).hasValue(Integer.toString(MONTHLY));
		assertThat(first.headers().firstValue("RateLimit-Remaining")).hasValue(Integer.toString(MONTHLY - 1));
		assertThat(Long.parseLong(first.headers().firstValue("RateLimit-Reset").orElseThrow())).isPositive();
	}

	@Test
	void rateBucketAdmitsAtMostBurstPlusRateTimesElapsedAcrossTwoReplicas() throws Exception {
		String key = keyForNewTenant("quota-rate", "slow");

		long started = System.nanoTime();
		List<HttpResponse<String>> responses = fire(key, 200);
		double elapsedSeconds = (System.nanoTime() - started) / 1e9;

		long accepted = responses.stream().filter((r) -> r.statusCode() == 200).count();
		assertThat(accepted).isGreaterThanOrEqualTo(BURST);
		assertThat((double) accepted).isLessThanOrEqualTo(BURST + RATE * elapsedSeconds);
		List<HttpResponse<String>> refused = responses.stream().filter((r) -> r.statusCode() != 200).toList();
		assertThat(refused).isNotEmpty().allSatisfy((r) -> {
			assertThat(r.statusCode()).isEqualTo(429);
			assertThat(r.body()).contains("\"limit\":\"rate\"", "5 requests/second", "burst of 10");
			assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isGreaterThanOrEqualTo(1);
			assertThat(r.headers().firstValue("RateLimit-Limit")).hasValue(Integer.toString(BURST));
			assertThat(r.headers().firstValue("RateLimit-Remaining")).hasValue("0");
		});
	}

	@Test
	void bucketStateIsStoredInTheSharedDatabase() {
		String key = keyForNewTenant("quota-table", "metered");
		assertThat(Http.postJson(app.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key).statusCode())
			.isEqualTo(200);
		assertThat(replica.jdbc()
			.sql("SELECT count(*) FROM quota_buckets WHERE id LIKE 'month-count:%' AND state IS NOT NULL")
			.query(Long.class)
			.single()).isPositive();
	}

	@Test
	void asynchronousBucketCommitsDoNotLeakIntoThePooledConnections() throws Exception {
		String key = keyForNewTenant("quota-durability", "metered");
		fire(key, 20);
		javax.sql.DataSource pool = app.bean(javax.sql.DataSource.class);
		List<java.sql.Connection> borrowed = new ArrayList<>();
		try {
			// every connection of the pool (10 by default), each still with the server's
			// durable setting
			for (int i = 0; i < 10; i++) {
				java.sql.Connection connection = pool.getConnection();
				borrowed.add(connection);
				try (java.sql.Statement statement = connection.createStatement();
						java.sql.ResultSet result = statement.executeQuery("SHOW synchronous_commit")) {
					result.next();
					assertThat(result.getString(1)).isEqualTo("on");
				}
			}
		}
		finally {
			for (java.sql.Connection connection : borrowed) {
				connection.close();
			}
		}
	}

	@Test
	void predictWithMoreRowsThanThePlanAllowsIs400NamingTheLimit() {
		String key = keyForNewTenant("quota-rows", "metered");
		String three = "{\"instances\":[{\"age\":1},{\"age\":2},{\"age\":3}]}";
		String four = "{\"instances\":[{\"age\":1},{\"age\":2},{\"age\":3},{\"age\":4}]}";
		assertThat(Http.postJson(app.url("/v1/models/income:predict"), three, "X-API-Key", key).statusCode())
			.isEqualTo(200);
		HttpResponse<String> v1 = Http.postJson(app.url("/v1/models/income:predict"), four, "X-API-Key", key);
		assertThat(v1.statusCode()).isEqualTo(400);
		assertThat(v1.body()).contains("\"code\":\"too_many_rows\"", "max_rows_per_request 3", "\"request_id\"");
		HttpResponse<String> columns = Http.postJson(replica.url("/v1/models/income:predict"),
				"{\"inputs\":{\"age\":[1,2,3,4]}}", "X-API-Key", key);
		assertThat(columns.statusCode()).isEqualTo(400);
		HttpResponse<String> v2 = Http.postJson(app.url("/v2/models/income/infer"),
				"{\"inputs\":[{\"name\":\"age\",\"datatype\":\"FP32\",\"shape\":[4,1],\"data\":[1,2,3,4]}]}",
				"X-API-Key", key);
		assertThat(v2.statusCode()).isEqualTo(400);
		assertThat(v2.body()).contains("too_many_rows");
		assertThat(Http
			.postJson(app.url("/v2/models/income/infer"),
					"{\"inputs\":[{\"name\":\"age\",\"datatype\":\"FP32\",\"shape\":[3,1],\"data\":[1,2,3]}]}",
					"X-API-Key", key)
			.statusCode()).isEqualTo(200);
	}

	@Test
	void anExplanationCostsThePlansExplainCostAllOrNothingAndHasItsOwnRowLimit() {
		String key = keyForNewTenant("quota-explain", "explaining");
		String explain = "{\"instances\":[{\"age\":39}],\"parameters\":{\"method\":\"kernel_shap\"}}";
		// month 25, explain_cost 10: two explanations (20) fit, the third (30) does not
		for (int i = 0; i < 2; i++) {
			HttpResponse<String> admitted = Http.postJson(app.url("/v1/models/income:explain"), explain, "X-API-Key",
					key);
			assertThat(admitted.statusCode()).isEqualTo(200);
			assertThat(admitted.headers().firstValue("Warden-Quota-Cost")).hasValue("10");
			assertThat(admitted.headers().firstValue("RateLimit-Remaining")).hasValue(Long.toString(25 - 10 * (i + 1)));
		}
		HttpResponse<String> refused = Http.postJson(replica.url("/v1/models/income:explain"), explain, "X-API-Key",
				key);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(Json.read(refused.body()).at("/error/cost").asLong()).isEqualTo(10);
		assertThat(Json.read(refused.body()).at("/error/limit").asString()).isEqualTo("monthly");
		assertThat(Json.read(refused.body()).at("/error/message").asString()).contains("costs 10 requests");
		// all or nothing: the refused explanation took nothing from the month, so five
		// predictions still fit in it
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> predict = Http.postJson(app.url("/v1/models/income:predict"), PREDICT, "X-API-Key",
					key);
			assertThat(predict.statusCode()).as("prediction %d", i).isEqualTo(200);
			assertThat(predict.headers().firstValue("Warden-Quota-Cost")).hasValue("1");
		}
		assertThat(Http.postJson(app.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key).statusCode())
			.isEqualTo(429);

		String rows = keyForNewTenant("quota-explain-rows", "explaining");
		HttpResponse<String> tooMany = Http.postJson(app.url("/v1/models/income:explain"),
				"{\"instances\":[{\"age\":1},{\"age\":2},{\"age\":3}]}", "X-API-Key", rows);
		assertThat(tooMany.statusCode()).isEqualTo(400);
		assertThat(tooMany.body()).contains("too_many_rows", "max_rows_per_explanation 2");
	}

}
