package dev.warden.platform.quota;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quota fast path against the real PostgreSQL buckets: two replicas (two
 * {@link QuotaManagement} instances on one database) leasing from the same buckets never
 * admit more than the shared bucket holds, give their unused monthly tokens back on
 * shutdown (so the month's total admitted is exact), and need far fewer database
 * transactions than requests.
 */
class QuotaLeaseIntegrationTests {

	private static final int MONTHLY = 3000;

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static WardenTestApp app;

	static QuotaPlans plans;

	@BeforeAll
	static void start() throws Exception {
		Files.writeString(policiesDir.resolve("quotas.yaml"), """
				default_plan: leased
				plans:
				  leased:
				    requests_per_second: 100000
				    burst: 100000
				    requests_per_month: %d
				    max_request_bytes: 65536
				  steady:
				    requests_per_second: 200
				    burst: 200
				    max_request_bytes: 65536
				  tiny:
				    requests_per_second: 5
				    burst: 10
				    max_request_bytes: 65536
				""".formatted(MONTHLY));
		app = WardenTestApp.start(dataDir, Map.of("warden.policies-dir", policiesDir.toString()));
		plans = app.bean(QuotaPlans.class);
	}

	@AfterAll
	static void stop() {
		if (app != null) {
			app.close();
		}
	}

	private static QuotaManagement replica(CountingDataSource database, QuotaLeaseProperties leasing) {
		ProxyManager<String> proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(database)
			.primaryKeyMapper(PrimaryKeyMapper.STRING)
			.table("quota_buckets")
			.idColumn("id")
			.stateColumn("state")
			.build();
		return new QuotaManagement(plans, proxies, Clock.systemUTC(), app.jdbc(), leasing);
	}

	private static QuotaLeaseProperties leasing() {
		return new QuotaLeaseProperties(64, Duration.ofMillis(100), 0.1, 1.0 / 64);
	}

	/**
	 * Fires {@code total} consumes from 16 threads, alternating between the replicas;
	 * returns how many were admitted.
	 */
	private static long fire(List<QuotaManagement> replicas, UUID tenant, List<UUID> keys, String plan, int total)
			throws Exception {
		AtomicLong admitted = new AtomicLong();
		AtomicLong next = new AtomicLong();
		ExecutorService pool = Executors.newFixedThreadPool(16);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < 16; t++) {
				futures.add(pool.submit(() -> {
					long i;
					while ((i = next.getAndIncrement()) < total) {
						QuotaManagement replica = replicas.get((int) (i % replicas.size()));
						UUID key = keys.get((int) (i % keys.size()));
						if (replica.consume(key, tenant, plan).allowed()) {
							admitted.incrementAndGet();
						}
					}
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get();
			}
		}
		finally {
			pool.shutdown();
		}
		return admitted.get();
	}

	@Test
	void monthlyLeasesNeverOverAdmitAndTheMonthsTotalIsExactOnceUnusedTokensAreReturned() throws Exception {
		CountingDataSource database = new CountingDataSource(app.bean(DataSource.class));
		QuotaManagement first = replica(database, leasing());
		QuotaManagement second = replica(database, leasing());
		UUID tenant = UUID.randomUUID();
		List<UUID> keys = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());

		// well under the month's quota: every request is admitted, with far fewer
		// transactions than requests
		long before = database.connections.get();
		long admitted = fire(List.of(first, second), tenant, keys, "leased", 2000);
		long transactions = database.connections.get() - before;
		assertThat(admitted).isEqualTo(2000);
		assertThat(transactions).as("database transactions for 2000 requests on two buckets each").isLessThan(2000 / 4);

		// the first replica stops: its unused monthly tokens go back to the shared bucket
		first.returnUnusedLeases();
		// the second replica alone drains the month: exactly the quota is admitted in
		// total, not one more
		long rest = fire(List.of(second), tenant, keys, "leased", 3 * MONTHLY);
		assertThat(admitted + rest).isEqualTo(MONTHLY);
		second.returnUnusedLeases();
		assertThat(replica(database, leasing()).consume(keys.get(0), tenant, "leased").allowed()).isFalse();
	}

	@Test
	void requestsCostingSeveralTokensNeverOverAdmitAndTheMonthsTotalStaysExact() throws Exception {
		CountingDataSource database = new CountingDataSource(app.bean(DataSource.class));
		QuotaManagement first = replica(database, leasing());
		QuotaManagement second = replica(database, leasing());
		UUID tenant = UUID.randomUUID();
		UUID key = UUID.randomUUID();
		// explanations (7 tokens each) from two replicas until the month is spent
		long explanations = 0;
		for (int i = 0; i < MONTHLY; i++) {
			QuotaManagement replica = (i % 2 == 0) ? first : second;
			if (replica.consume(key, tenant, "leased", QuotaOverride.NONE, 0, 7).allowed()) {
				explanations++;
			}
		}
		assertThat(7 * explanations).isLessThanOrEqualTo(MONTHLY);
		first.returnUnusedLeases();
		second.returnUnusedLeases();
		// what the explanations left is exactly what single requests can still take
		long rest = fire(List.of(replica(database, leasing())), tenant, List.of(key), "leased", MONTHLY);
		assertThat(7 * explanations + rest).isEqualTo(MONTHLY);
	}

	@Test
	void bothReplicasTogetherNeverAdmitMoreThanTheMonthlyQuota() throws Exception {
		CountingDataSource database = new CountingDataSource(app.bean(DataSource.class));
		QuotaManagement first = replica(database, leasing());
		QuotaManagement second = replica(database, leasing());
		UUID tenant = UUID.randomUUID();
		long admitted = fire(List.of(first, second), tenant, List.of(UUID.randomUUID(), UUID.randomUUID()), "leased",
				2 * MONTHLY);
		// leases shrink to single tokens as the month runs out; tokens still leased by
		// one replica when the other
		// finds the bucket empty are the only possible shortfall, and they are given back
		// on shutdown
		assertThat(admitted).isLessThanOrEqualTo(MONTHLY);
		first.returnUnusedLeases();
		second.returnUnusedLeases();
		long rest = fire(List.of(replica(database, leasing())), tenant, List.of(UUID.randomUUID()), "leased", MONTHLY);
		assertThat(admitted + rest).isEqualTo(MONTHLY);
	}

	@Test
	void rateLeasesStayWithinTheBurstPlusRefillPlusOneLeasePerReplica() throws Exception {
		CountingDataSource database = new CountingDataSource(app.bean(DataSource.class));
		QuotaManagement first = replica(database, leasing());
		QuotaManagement second = replica(database, leasing());
		UUID key = UUID.randomUUID();
		long start = System.nanoTime();
		long admitted = fire(List.of(first, second), UUID.randomUUID(), List.of(key), "steady", 4000);
		double elapsed = (System.nanoTime() - start) / 1e9;
		// plan steady: burst 200, 200/s; a lease is at most 0.1 × 200 = 20 tokens, one
		// per replica
		assertThat((double) admitted).isLessThanOrEqualTo(200 + 200 * elapsed + 2 * 20);
		assertThat(admitted).isGreaterThanOrEqualTo(200 - 2 * 20);
	}

	@Test
	void smallPlansAndLeasingOffTakeOneTokenPerTransaction() throws Exception {
		CountingDataSource database = new CountingDataSource(app.bean(DataSource.class));
		QuotaManagement tiny = replica(database, leasing());
		UUID key = UUID.randomUUID();
		long start = System.nanoTime();
		long admitted = fire(List.of(tiny), UUID.randomUUID(), List.of(key), "tiny", 200);
		double elapsed = (System.nanoTime() - start) / 1e9;
		// burst 10 and 5/s: a lease would be under 2 tokens, so the exact path is used
		// and the burst holds exactly
		// (plus what refilled while the 200 requests ran)
		assertThat(admitted).isGreaterThanOrEqualTo(10);
		assertThat((double) admitted).isLessThanOrEqualTo(10 + 5 * Math.ceil(elapsed));

		CountingDataSource exactDatabase = new CountingDataSource(app.bean(DataSource.class));
		QuotaManagement exact = replica(exactDatabase, QuotaLeaseProperties.exact());
		UUID tenant = UUID.randomUUID();
		UUID otherKey = UUID.randomUUID();
		for (int i = 0; i < 20; i++) {
			assertThat(exact.consume(otherKey, tenant, "leased").allowed()).isTrue();
		}
		// bucket creation plus at least one transaction per request and bucket
		assertThat(exactDatabase.connections.get()).isGreaterThanOrEqualTo(2 * 20);
	}

	@Test
	void leaseSettingsAreValidated() {
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> new QuotaLeaseProperties(0, Duration.ofMillis(100), 0.1, 0.01))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("max-tokens");
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> new QuotaLeaseProperties(64, Duration.ofMillis(100), 0, 0.01))
			.isInstanceOf(IllegalArgumentException.class);
	}

	/** Counts the connections (one per Bucket4j transaction) taken from the real pool. */
	static final class CountingDataSource extends DelegatingDataSource {

		final AtomicLong connections = new AtomicLong();

		CountingDataSource(DataSource delegate) {
			super(delegate);
		}

		@Override
		public Connection getConnection() throws SQLException {
			this.connections.incrementAndGet();
			return super.getConnection();
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			this.connections.incrementAndGet();
			return super.getConnection(username, password);
		}

	}

}
