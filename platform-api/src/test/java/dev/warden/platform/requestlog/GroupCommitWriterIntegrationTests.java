package dev.warden.platform.requestlog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.warden.platform.requestlog.internal.GroupCommitWriter;
import dev.warden.platform.requestlog.internal.GroupCommitWriter.Outcome;
import dev.warden.platform.requestlog.internal.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The group-commit writer against a real PostgreSQL (fsync on) that the tests stop and
 * start.
 */
class GroupCommitWriterIntegrationTests {

	@TempDir
	static Path pgDir;

	static LogDatabase db;

	static JdbcClient jdbc;

	@BeforeAll
	static void start() {
		db = new LogDatabase(pgDir, 4, 1);
		jdbc = JdbcClient.create(db.main);
	}

	@AfterAll
	static void stop() {
		db.close();
	}

	private static GroupCommitWriter writer(int queueCapacity, AtomicBoolean failOpen, MeterRegistry meters) {
		return new GroupCommitWriter(db.logPool, queueCapacity, 1000, 1, 1000, 200, failOpen::get, meters);
	}

	/**
	 * Starts the stopped database again. The pool the tests read with drops its
	 * connections from before the stop (one used less than half a second before it would
	 * not be checked); the writer's own pool is left to recover by itself.
	 */
	private static void startAgain() {
		db.postgres.start();
		db.main.getHikariPoolMXBean().softEvictConnections();
	}

	private static long rows(String prefix) {
		return jdbc.sql("SELECT count(*) FROM request_log WHERE request_id LIKE :prefix")
			.param("prefix", prefix + "%")
			.query(Long.class)
			.single();
	}

	/** One request's record: submitted by client {@code client}, its {@code i}-th. */
	@FunctionalInterface
	private interface ClientRequest {

		CompletableFuture<Outcome> submit(int client, int i) throws Exception;

	}

	/**
	 * {@code clients} threads at once, each submitting {@code each} records one after the
	 * other (waiting for each commit, like request threads); every one must be committed.
	 */
	private static void fromClients(int clients, int each, ClientRequest request) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < clients; t++) {
				int client = t;
				done.add(pool.submit(() -> {
					for (int i = 0; i < each; i++) {
						assertThat(request.submit(client, i).get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
					}
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get();
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void concurrentRecordsAreCommittedTogetherInFewerTransactions() throws Exception {
		MeterRegistry meters = new SimpleMeterRegistry();
		try (GroupCommitWriter writer = writer(10_000, new AtomicBoolean(), meters)) {
			fromClients(32, 50,
					(client, i) -> writer.submit(LogDatabase.record("group-" + client + "-" + i, null, null, null)));
		}
		assertThat(rows("group-")).isEqualTo(32 * 50);
		assertThat(meters.get("warden.request.log.records").tag("outcome", "committed").counter().count())
			.isEqualTo(32 * 50);
		long transactions = meters.get("warden.request.log.commit").timer().count();
		assertThat(transactions).isLessThan(32 * 50);
		assertThat(meters.get("warden.request.log.batch.size").summary().max()).isGreaterThan(1);
	}

	@Test
	void twoWritersWithACommitDelayCommitEveryRecordOfManyConcurrentRequestsOnce() throws Exception {
		MeterRegistry meters = new SimpleMeterRegistry();
		java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
		try (GroupCommitWriter writer = new GroupCommitWriter(db.logPool, 10_000, 1000, 2, 0, 200, () -> false, meters,
				LogRecord::insert, TimeUnit.MILLISECONDS.toNanos(2), () -> {
					int n = inFlight.get();
					return (n >= 4) ? n : 0;
				})) {
			fromClients(32, 40, (client, i) -> {
				// like a request: in flight (a millisecond of work) until its record is
				// submitted, so that a writer gathers while the other one commits
				inFlight.incrementAndGet();
				Thread.sleep(1);
				LogRecord record = LogDatabase.record("two-writers-" + client + "-" + i, null, null, null);
				inFlight.decrementAndGet();
				return writer.submit(record);
			});
		}
		assertThat(rows("two-writers-")).isEqualTo(32 * 40);
		assertThat(jdbc.sql("SELECT count(DISTINCT request_id) FROM request_log WHERE request_id LIKE 'two-writers-%'")
			.query(Long.class)
			.single()).isEqualTo(32 * 40);
		assertThat(meters.get("warden.request.log.records").tag("outcome", "committed").counter().count())
			.isEqualTo(32 * 40);
		assertThat(meters.get("warden.request.log.commit").timer().count()).isLessThan(32 * 40);
	}

	@Test
	void aRejectedRowFailsAloneAndItsBatchNeighboursAreCommitted() throws Exception {
		jdbc.sql("CREATE OR REPLACE FUNCTION test_reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$ "
				+ "BEGIN IF NEW.request_id = 'poison' THEN RAISE EXCEPTION 'rejected row'; END IF; "
				+ "RETURN NEW; END $$")
			.update();
		jdbc.sql("CREATE TRIGGER test_reject_poison BEFORE INSERT ON request_log FOR EACH ROW "
				+ "EXECUTE FUNCTION test_reject_poison()")
			.update();
		try (GroupCommitWriter writer = writer(10_000, new AtomicBoolean(), new SimpleMeterRegistry())) {
			List<CompletableFuture<Outcome>> neighbours = new ArrayList<>();
			CompletableFuture<Outcome> poison = null;
			for (int i = 0; i < 200; i++) {
				if (i == 100) {
					poison = writer.submit(LogDatabase.record("poison", null, null, null));
				}
				neighbours.add(writer.submit(LogDatabase.record("neighbour-" + i, null, null, null)));
			}
			CompletableFuture<Outcome> rejected = poison;
			assertThatThrownBy(() -> rejected.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(RequestLogUnavailableException.class);
			for (CompletableFuture<Outcome> neighbour : neighbours) {
				assertThat(neighbour.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
			}
		}
		finally {
			jdbc.sql("DROP TRIGGER test_reject_poison ON request_log").update();
		}
		assertThat(rows("neighbour-")).isEqualTo(200);
		assertThat(rows("poison")).isZero();
	}

	@Test
	void failsClosedWhileTheDatabaseIsDownRejectsAtOnceWhenTheQueueIsFullAndRecovers() throws Exception {
		MeterRegistry meters = new SimpleMeterRegistry();
		try (GroupCommitWriter writer = writer(2, new AtomicBoolean(), meters)) {
			db.postgres.stop();
			try {
				List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
				for (int i = 0; i < 20; i++) {
					outcomes.add(writer.submit(LogDatabase.record("closed-" + i, null, null, null)));
				}
				for (CompletableFuture<Outcome> outcome : outcomes) {
					assertThatThrownBy(() -> outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
						.hasCauseInstanceOf(RequestLogUnavailableException.class);
				}
				// the writer takes one record and waits for a connection; two more fit
				// the queue; the rest is
				// refused without waiting
				assertThat(meters.get("warden.request.log.records").tag("outcome", "queue_full").counter().count())
					.isGreaterThanOrEqualTo(1);
			}
			finally {
				startAgain();
			}
			Outcome outcome = null;
			for (int attempt = 0; attempt < 50 && outcome == null; attempt++) {
				try {
					outcome = writer.submit(LogDatabase.record("closed-after", null, null, null))
						.get(30, TimeUnit.SECONDS);
				}
				catch (ExecutionException ex) {
					// a pooled connection from before the restart is found dead and
					// evicted; the next one is new
					Thread.sleep(100);
				}
			}
			assertThat(outcome).isEqualTo(Outcome.COMMITTED);
		}
		assertThat(rows("closed-")).isEqualTo(1);
	}

	@Test
	void failOpenSpillsWhileTheDatabaseIsDownAndWritesTheSpillWhenItIsBack() throws Exception {
		MeterRegistry meters = new SimpleMeterRegistry();
		try (GroupCommitWriter writer = writer(10_000, new AtomicBoolean(true), meters)) {
			db.postgres.stop();
			try {
				for (int i = 0; i < 10; i++) {
					assertThat(writer.submit(LogDatabase.record("spilled-" + i, null, null, null))
						.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.SPILLED);
				}
				assertThat(writer.spillSize()).isEqualTo(10);
			}
			finally {
				startAgain();
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (writer.spillSize() > 0 && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			assertThat(writer.spillSize()).isZero();
		}
		assertThat(rows("spilled-")).isEqualTo(10);
		assertThat(meters.get("warden.request.log.spill.depth").gauge().value()).isZero();
	}

	@Test
	void copyWritesTheSameRowsAsInsert() throws Exception {
		java.util.UUID tenant = java.util.UUID.randomUUID();
		jdbc.sql("INSERT INTO tenants (id, name, plan, data_key) VALUES (:id, 'copy-test', 'free', :key)")
			.param("id", tenant)
			.param("key", new byte[] { 1 })
			.update();
		byte[] request = "{\"instances\":[1]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
		byte[] response = new byte[] { 0, 1, 2, (byte) 255 };
		LogRecord viaInsert = LogDatabase.record("via-insert", tenant, request, response);
		LogRecord viaCopy = new LogRecord(java.util.UUID.randomUUID(), "via-copy", viaInsert.occurredAt(), tenant, null,
				"income", "1", "POST", "/v1/models/income:predict", 200, 1234, request.length, response.length,
				"some_code", request, response, 0);
		try (GroupCommitWriter writer = new GroupCommitWriter(db.logPool, 100, 1000, 1, 0, 200, () -> false,
				new SimpleMeterRegistry(), LogRecord::copy)) {
			assertThat(writer.submit(viaCopy).get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
		}
		try (GroupCommitWriter writer = writer(100, new AtomicBoolean(), new SimpleMeterRegistry())) {
			assertThat(writer.submit(viaInsert).get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
		}
		String columns = "occurred_at, tenant_id, api_key_id, model, model_version, method, path, status, "
				+ "latency_micros, request_bytes, response_bytes, request_payload, response_payload";
		var copied = jdbc.sql("SELECT id, " + columns + ", error_code FROM request_log WHERE request_id = 'via-copy'")
			.query()
			.singleRow();
		var inserted = jdbc.sql("SELECT " + columns + " FROM request_log WHERE request_id = 'via-insert'")
			.query()
			.singleRow();
		assertThat(copied.get("id")).isEqualTo(viaCopy.id());
		assertThat(copied.get("error_code")).isEqualTo("some_code");
		for (String column : columns.split(", ")) {
			assertThat(copied.get(column)).as(column).isEqualTo(inserted.get(column));
		}
		assertThat(((java.sql.Timestamp) copied.get("occurred_at")).toInstant()).isEqualTo(viaInsert.occurredAt());
	}

	private static GroupCommitWriter gathering(long delayMillis, java.util.function.IntSupplier arriving,
			MeterRegistry meters) {
		return new GroupCommitWriter(db.logPool, 100, 1000, 1, 0, 200, () -> false, meters, LogRecord::insert,
				TimeUnit.MILLISECONDS.toNanos(delayMillis), arriving);
	}

	@Test
	void theCommitDelayGathersTheRecordsOfRequestsStillBeingProcessed() throws Exception {
		MeterRegistry meters = new SimpleMeterRegistry();
		java.util.concurrent.atomic.AtomicInteger arriving = new java.util.concurrent.atomic.AtomicInteger(1);
		try (GroupCommitWriter writer = gathering(60_000, arriving::get, meters)) {
			CompletableFuture<Outcome> first = writer.submit(LogDatabase.record("gathered-1", null, null, null));
			Thread.sleep(300);
			// another request is still being processed: the first record waits for it
			assertThat(first).isNotDone();
			arriving.set(0);
			CompletableFuture<Outcome> second = writer.submit(LogDatabase.record("gathered-2", null, null, null));
			assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
			assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
		}
		assertThat(rows("gathered-")).isEqualTo(2);
		assertThat(meters.get("warden.request.log.commit").timer().count()).isEqualTo(1);
		assertThat(meters.get("warden.request.log.batch.size").summary().max()).isEqualTo(2);
	}

	/**
	 * Submits what {@code submit} submits while the writer is held up committing a record
	 * of its own (request_log locked against inserts by another transaction), so that all
	 * of it is queued before the writer takes its next batch: one batch.
	 */
	private static <T> T whileTheWriterIsHeldUp(GroupCommitWriter writer, java.util.function.Supplier<T> submit)
			throws Exception {
		T submitted;
		try (java.sql.Connection lock = db.main.getConnection()) {
			lock.setAutoCommit(false);
			try (java.sql.Statement statement = lock.createStatement()) {
				statement.execute("LOCK TABLE request_log IN SHARE MODE");
			}
			CompletableFuture<Outcome> blocker = writer.submit(LogDatabase.record("held-up", null, null, null));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (jdbc
				.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
						+ "AND query LIKE 'INSERT INTO request_log%'")
				.query(Long.class)
				.single() == 0) {
				assertThat(System.nanoTime()).as("the writer waits for the lock").isLessThan(deadline);
				Thread.sleep(20);
			}
			submitted = submit.get();
			lock.rollback();
			assertThat(blocker.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
		}
		return submitted;
	}

	@ParameterizedTest
	@ValueSource(
			ints = { 2, LogRecord.STATEMENT_ROWS, LogRecord.STATEMENT_ROWS + 1, 2 * LogRecord.STATEMENT_ROWS + 45 })
	void aBatchIsOneTransactionWhetherOneStatementWritesItOrSeveral(int size) throws Exception {
		MeterRegistry meters = new SimpleMeterRegistry();
		String prefix = "one-transaction-" + size + "-";
		try (GroupCommitWriter writer = writer(10_000, new AtomicBoolean(), meters)) {
			List<CompletableFuture<Outcome>> outcomes = whileTheWriterIsHeldUp(writer, () -> {
				List<CompletableFuture<Outcome>> futures = new ArrayList<>();
				for (int i = 0; i < size; i++) {
					futures.add(writer.submit(LogDatabase.record(prefix + i, null, null, null)));
				}
				return futures;
			});
			for (CompletableFuture<Outcome> outcome : outcomes) {
				assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
			}
		}
		// the held-up record, then the batch
		assertThat(meters.get("warden.request.log.commit").timer().count()).isEqualTo(2);
		assertThat(meters.get("warden.request.log.batch.size").summary().max()).isEqualTo(size);
		assertThat(rows(prefix)).isEqualTo(size);
		// every row of the batch was written by the same transaction
		assertThat(jdbc.sql("SELECT count(DISTINCT xmin::text) FROM request_log WHERE request_id LIKE :prefix")
			.param("prefix", prefix + "%")
			.query(Long.class)
			.single()).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(ints = { 20, LogRecord.STATEMENT_ROWS + 10 })
	void aRejectedRowRollsBackItsWholeBatchWhoseOtherRowsAreThenCommittedOneByOne(int size) throws Exception {
		jdbc.sql("CREATE OR REPLACE FUNCTION test_reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$ "
				+ "BEGIN IF NEW.request_id = 'last-poison' THEN RAISE EXCEPTION 'rejected row'; END IF; "
				+ "RETURN NEW; END $$")
			.update();
		jdbc.sql("CREATE TRIGGER test_reject_poison BEFORE INSERT ON request_log FOR EACH ROW "
				+ "EXECUTE FUNCTION test_reject_poison()")
			.update();
		MeterRegistry meters = new SimpleMeterRegistry();
		String prefix = "first-" + size + "-";
		List<CompletableFuture<Outcome>> submitted;
		try (GroupCommitWriter writer = writer(10_000, new AtomicBoolean(), meters)) {
			submitted = whileTheWriterIsHeldUp(writer, () -> {
				List<CompletableFuture<Outcome>> futures = new ArrayList<>();
				for (int i = 0; i < size - 1; i++) {
					futures.add(writer.submit(LogDatabase.record(prefix + i, null, null, null)));
				}
				// the batch's last row: in its second statement when there are two
				futures.add(writer.submit(LogDatabase.record("last-poison", null, null, null)));
				return futures;
			});
			CompletableFuture<Outcome> poison = submitted.get(size - 1);
			assertThatThrownBy(() -> poison.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(RequestLogUnavailableException.class);
			for (CompletableFuture<Outcome> neighbour : submitted.subList(0, size - 1)) {
				assertThat(neighbour.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.COMMITTED);
			}
		}
		finally {
			jdbc.sql("DROP TRIGGER test_reject_poison ON request_log").update();
		}
		assertThat(rows(prefix)).isEqualTo(size - 1);
		assertThat(rows("last-poison")).isZero();
		// nothing of the failed batch was committed with it: the held-up record, then
		// each other row on its own
		assertThat(meters.get("warden.request.log.commit").timer().count()).isEqualTo(1 + (size - 1));
		assertThat(jdbc.sql("SELECT count(DISTINCT xmin::text) FROM request_log WHERE request_id LIKE :prefix")
			.param("prefix", prefix + "%")
			.query(Long.class)
			.single()).isEqualTo(size - 1);
	}

	@Test
	void aLoneRequestsRecordIsCommittedWithoutTheDelay() throws Exception {
		try (GroupCommitWriter writer = gathering(60_000, () -> 0, new SimpleMeterRegistry())) {
			// with a delay of a minute, this completes in time only because nothing else
			// is
			// being processed
			assertThat(writer.submit(LogDatabase.record("lone", null, null, null)).get(30, TimeUnit.SECONDS))
				.isEqualTo(Outcome.COMMITTED);
		}
	}

	@Test
	void gatheringEndsAfterTheDelayWhenTheOtherRequestsDoNotArrive() throws Exception {
		MeterRegistry meters = new SimpleMeterRegistry();
		try (GroupCommitWriter writer = gathering(200, () -> 5, meters)) {
			for (int i = 0; i < 3; i++) {
				assertThat(writer.submit(LogDatabase.record("waited-" + i, null, null, null)).get(30, TimeUnit.SECONDS))
					.isEqualTo(Outcome.COMMITTED);
			}
		}
		assertThat(rows("waited-")).isEqualTo(3);
		assertThat(meters.get("warden.request.log.commit").timer().count()).isEqualTo(3);
	}

}
