package dev.warden.platform.monitoring.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixed latency histogram: its documented bounds, bucketing and percentiles. */
class LatencyHistogramTests {

	@Test
	void boundsFollowTheDocumentedRule() {
		long[] bounds = LatencyHistogram.bounds();
		assertThat(bounds).hasSize(LatencyHistogram.BUCKETS - 1);
		for (int k = 0; k <= 40; k++) {
			assertThat(bounds[k]).as("bound %d", k).isEqualTo(Math.round(50 * Math.pow(2, k / 2.0)));
		}
		assertThat(bounds[41]).isEqualTo(60_000_000L);
		assertThat(LatencyHistogram.upperBound(42)).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void aLatencyFallsInTheFirstBucketWhoseBoundHoldsIt() {
		assertThat(LatencyHistogram.bucket(0)).isZero();
		assertThat(LatencyHistogram.bucket(-5)).isZero();
		assertThat(LatencyHistogram.bucket(50)).isZero();
		assertThat(LatencyHistogram.bucket(51)).isEqualTo(1);
		assertThat(LatencyHistogram.bucket(71)).isEqualTo(1);
		assertThat(LatencyHistogram.bucket(72)).isEqualTo(2);
		assertThat(LatencyHistogram.bucket(1_000)).isEqualTo(9);
		assertThat(LatencyHistogram.bucket(52_428_800)).isEqualTo(40);
		assertThat(LatencyHistogram.bucket(52_428_801)).isEqualTo(41);
		assertThat(LatencyHistogram.bucket(60_000_000)).isEqualTo(41);
		assertThat(LatencyHistogram.bucket(60_000_001)).isEqualTo(42);
		assertThat(LatencyHistogram.bucket(Long.MAX_VALUE)).isEqualTo(42);
		for (long micros = 0; micros < 200_000; micros += 7) {
			int bucket = LatencyHistogram.bucket(micros);
			assertThat(micros).isGreaterThan(LatencyHistogram.lowerBound(bucket))
				.isLessThanOrEqualTo(LatencyHistogram.upperBound(bucket));
		}
	}

	@Test
	void percentilesAreTheBoundOfTheBucketHoldingTheRankOrTheMaximumInIt() {
		long[] counts = new long[LatencyHistogram.BUCKETS];
		long[] latencies = { 40, 90, 95, 1_000, 1_050, 1_100, 1_120, 5_000, 5_100, 70_000 };
		long max = 0;
		for (long latency : latencies) {
			counts[LatencyHistogram.bucket(latency)]++;
			max = Math.max(max, latency);
		}
		// rank 5 of 10 is 1,050 µs, in (800, 1131]
		assertThat(LatencyHistogram.quantile(counts, 0.5, max)).isEqualTo(1_131);
		// rank 10 is the largest, 70,000 µs, in (51200, 72408]: the maximum is the
		// tighter
		// bound
		assertThat(LatencyHistogram.quantile(counts, 0.95, max)).isEqualTo(70_000);
		assertThat(LatencyHistogram.quantile(counts, 0.99, max)).isEqualTo(70_000);
		assertThat(LatencyHistogram.quantile(counts, 0.1, max)).isEqualTo(50);
		assertThat(LatencyHistogram.quantile(new long[LatencyHistogram.BUCKETS], 0.5, 0)).isNull();
	}

	@Test
	void theOverflowBucketIsReadAsTheMaximum() {
		long[] counts = new long[LatencyHistogram.BUCKETS];
		counts[42] = 1;
		assertThat(LatencyHistogram.quantile(counts, 0.5, 75_000_000)).isEqualTo(75_000_000);
	}

	@Test
	void mergedHistogramsGiveThePercentilesOfAllTheirLatencies() {
		long[] a = new long[LatencyHistogram.BUCKETS];
		long[] b = new long[LatencyHistogram.BUCKETS];
		long[] all = new long[LatencyHistogram.BUCKETS];
		for (long latency = 100; latency <= 100_000; latency += 100) {
			long[] half = (latency % 200 == 0) ? a : b;
			half[LatencyHistogram.bucket(latency)]++;
			all[LatencyHistogram.bucket(latency)]++;
		}
		long[] merged = new long[LatencyHistogram.BUCKETS];
		for (int k = 0; k < merged.length; k++) {
			merged[k] = a[k] + b[k];
		}
		assertThat(merged).isEqualTo(all);
		// 1,000 latencies of 100 µs steps: p95 is 95,000 µs, in (72408, 102400]
		assertThat(LatencyHistogram.quantile(merged, 0.95, 100_000)).isEqualTo(100_000);
		assertThat(LatencyHistogram.quantile(merged, 0.5, 100_000)).isEqualTo(51_200);
	}

}
