package dev.warden.platform.monitoring.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory counters of serving health: what a drain returns, minute windows leaving
 * the ring, the bounds, and concurrent recording while draining (nothing lost, nothing
 * counted twice).
 */
class ServingCountersTests {

	private static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000a1");

	@Test
	void aDrainReturnsOneRowPerKeyWithEveryCountAndResetsThem() {
		ServingCounters counters = new ServingCounters();
		long minute = 29_000_000;
		counters.record(minute, TENANT, "m", "3", 200, null, 120, null, 2);
		counters.record(minute, TENANT, "m", "3", 200, null, 80, null, 5);
		counters.record(minute, TENANT, "m", "", 429, "rate_limited", 30, "rate", -1);
		counters.record(minute, TENANT, "m", "3", 503, "worker_unavailable", 9_000, null, 1);
		counters.record(minute + 1, TENANT, "m", "3", 200, null, 60, null, 1);
		Map<ServingKey, ServingRow> rows = byKey(counters.drain(minute + 1));
		assertThat(rows).hasSize(3);
		ServingRow v3 = rows.get(new ServingKey(minute, TENANT, "m", "3"));
		assertThat(v3.requests()).isEqualTo(3);
		assertThat(v3.statusClasses()).containsExactly(0, 2, 0, 0, 1);
		assertThat(v3.errors()).containsExactly(Map.entry("worker_unavailable", 1L));
		assertThat(v3.quotaRejections()).isEmpty();
		assertThat(v3.latencyMicrosSum()).isEqualTo(9_200);
		assertThat(v3.latencyMicrosMax()).isEqualTo(9_000);
		assertThat(v3.latencyBuckets()[LatencyHistogram.bucket(120)]).isEqualTo(1);
		assertThat(v3.latencyBuckets()[LatencyHistogram.bucket(80)]).isEqualTo(1);
		assertThat(v3.latencyBuckets()[LatencyHistogram.bucket(9_000)]).isEqualTo(1);
		assertThat(v3.rowsRequests()).isEqualTo(3);
		assertThat(v3.rowsSum()).isEqualTo(8);
		assertThat(v3.rowsMax()).isEqualTo(5);
		ServingRow refused = rows.get(new ServingKey(minute, TENANT, "m", ""));
		assertThat(refused.statusClasses()).containsExactly(0, 0, 0, 1, 0);
		assertThat(refused.quotaRejections()).containsExactly(Map.entry("rate", 1L));
		assertThat(refused.rowsRequests()).isZero();
		assertThat(rows.get(new ServingKey(minute + 1, TENANT, "m", "3")).requests()).isEqualTo(1);

		assertThat(counters.drain(minute + 1)).as("nothing new").isEmpty();
		counters.record(minute + 1, TENANT, "m", "3", 200, null, 60, null, 1);
		assertThat(counters.drain(minute + 1)).singleElement()
			.satisfies((row) -> assertThat(row.requests()).isEqualTo(1));
	}

	@Test
	void aWindowThatLeftTheRingIsDrainedOnceMoreAndALateRequestGetsAFreshOne() {
		ServingCounters counters = new ServingCounters();
		long minute = 29_000_000;
		counters.record(minute, TENANT, "m", "1", 200, null, 10, null, -1);
		// two minutes later the window leaves the ring at this drain
		assertThat(counters.drain(minute + 2)).hasSize(1);
		// a request that arrived in that minute and finished only now
		counters.record(minute, TENANT, "m", "1", 200, null, 10, null, -1);
		counters.record(minute + 2, TENANT, "m", "1", 200, null, 10, null, -1);
		Map<ServingKey, ServingRow> rows = byKey(counters.drain(minute + 2));
		assertThat(rows.get(new ServingKey(minute, TENANT, "m", "1")).requests()).isEqualTo(1);
		assertThat(rows.get(new ServingKey(minute + 2, TENANT, "m", "1")).requests()).isEqualTo(1);
		// a request of a minute sixteen minutes before the one in its ring slot
		counters.record(minute + 18, TENANT, "m", "1", 200, null, 10, null, -1);
		counters.record(minute + 2, TENANT, "m", "1", 200, null, 10, null, -1);
		rows = byKey(counters.drain(minute + 18));
		assertThat(rows.get(new ServingKey(minute + 18, TENANT, "m", "1")).requests()).isEqualTo(1);
		assertThat(rows.get(new ServingKey(minute + 2, TENANT, "m", "1")).requests()).isEqualTo(1);
	}

	@Test
	void keysPastTheBoundAreNotCountedAndCodesPastTheBoundAreOther() {
		ServingCounters counters = new ServingCounters();
		long minute = 29_000_000;
		for (int i = 0; i < ServingCounters.MAX_KEYS_PER_MINUTE + 5; i++) {
			counters.record(minute, TENANT, "m-" + i, "", 200, null, 10, null, -1);
		}
		assertThat(counters.droppedOverKeyBound()).isEqualTo(5);
		// a key already admitted is still counted
		assertThat(counters.record(minute, TENANT, "m-0", "", 200, null, 10, null, -1)).isTrue();
		assertThat(counters.record(minute, TENANT, "m-new", "", 200, null, 10, null, -1)).isFalse();
		assertThat(counters.drain(minute)).hasSize(ServingCounters.MAX_KEYS_PER_MINUTE);

		for (int i = 0; i < ServingCounters.MAX_CODES + 3; i++) {
			counters.record(minute + 1, TENANT, "m", "", 500, "code-" + i, 10, null, -1);
		}
		ServingRow row = counters.drain(minute + 1).get(0);
		assertThat(row.errors()).hasSize(ServingCounters.MAX_CODES + 1).containsEntry(ServingCounters.OTHER_CODE, 3L);
		assertThat(row.errors().values().stream().mapToLong(Long::longValue).sum())
			.isEqualTo(ServingCounters.MAX_CODES + 3);
	}

	@Test
	void concurrentRecordingWhileDrainingLosesAndDoublesNothing() throws Exception {
		ServingCounters counters = new ServingCounters();
		long minute = 29_000_000;
		int threads = 8;
		int perThread = 20_000;
		List<ServingRow> drained = new ArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
		AtomicBoolean recording = new AtomicBoolean(true);
		CountDownLatch go = new CountDownLatch(1);
		try {
			Future<Integer> drainer = pool.submit(() -> {
				int drains = 0;
				go.await();
				while (recording.get()) {
					// the "current" minute moves on, so windows leave the ring while
					// threads
					// still record into them
					drained.addAll(counters.drain(minute + 1 + drains / 50));
					drains++;
				}
				return drains;
			});
			List<Future<?>> recorders = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				recorders.add(pool.submit(() -> {
					go.await();
					for (int i = 0; i < perThread; i++) {
						long at = minute + (i * 4L / perThread);
						counters.record(at, TENANT, "m", (thread % 2 == 0) ? "1" : "2", (i % 10 == 0) ? 503 : 200,
								(i % 10 == 0) ? "worker_unavailable" : null, i % 1_000, null, 3);
					}
					return null;
				}));
			}
			go.countDown();
			for (Future<?> recorder : recorders) {
				recorder.get(2, TimeUnit.MINUTES);
			}
			recording.set(false);
			assertThat(drainer.get(2, TimeUnit.MINUTES)).isPositive();
		}
		finally {
			pool.shutdownNow();
		}
		// two more drains: what was recorded after the last one, and the windows it
		// retired
		drained.addAll(counters.drain(minute + 10));
		drained.addAll(counters.drain(minute + 10));
		long n = (long) threads * perThread;
		long requests = 0;
		long errors = 0;
		long histogram = 0;
		long latencySum = 0;
		long rows = 0;
		long max = 0;
		for (ServingRow row : drained) {
			requests += row.requests();
			errors += row.errors().getOrDefault("worker_unavailable", 0L);
			for (long count : row.latencyBuckets()) {
				histogram += count;
			}
			latencySum += row.latencyMicrosSum();
			rows += row.rowsSum();
			max = Math.max(max, row.latencyMicrosMax());
		}
		assertThat(requests).isEqualTo(n);
		assertThat(errors).isEqualTo(n / 10);
		assertThat(histogram).isEqualTo(n);
		assertThat(latencySum).isEqualTo(threads * (perThread / 1_000) * (999L * 1_000 / 2));
		assertThat(rows).isEqualTo(3 * n);
		assertThat(max).isEqualTo(999);
	}

	private static Map<ServingKey, ServingRow> byKey(List<ServingRow> rows) {
		Map<ServingKey, ServingRow> byKey = new HashMap<>();
		for (ServingRow row : rows) {
			assertThat(byKey.put(row.key(), row)).as("one row per key").isNull();
		}
		return byKey;
	}

}
