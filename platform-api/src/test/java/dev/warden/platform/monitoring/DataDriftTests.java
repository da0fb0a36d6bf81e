package dev.warden.platform.monitoring;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request thread's side of {@link DataDrift}: a call is queued, or, when the queue
 * (by calls or by bytes) is full, skipped and counted; calls without a version number are
 * not observed. The parser thread is not started here, so the queue stays as filled.
 */
class DataDriftTests {

	private static final byte[] BODY = new byte[40];

	private static DataDrift drift(SimpleMeterRegistry meters, int capacity, long maxBytes) {
		DriftProperties properties = new DriftProperties(true, Duration.ofSeconds(10), Duration.ofSeconds(60), capacity,
				DataSize.ofBytes(maxBytes), Duration.ofSeconds(1), Duration.ofSeconds(30), true, 256);
		return new DataDrift(null, null, properties, meters);
	}

	private static double skipped(SimpleMeterRegistry meters) {
		return meters.get("warden.monitoring.drift.skipped.requests").tag("reason", "queue_full").counter().count();
	}

	@Test
	void aCallThatFindsTheQueueFullIsSkippedAndCounted() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		DataDrift drift = drift(meters, 2, 1_000_000);
		for (int i = 0; i < 5; i++) {
			drift.observe("income", "1", 1_800_000_000L, false, BODY, BODY);
		}
		assertThat(skipped(meters)).isEqualTo(3);
		assertThat(meters.get("warden.monitoring.drift.queue.calls").gauge().value()).isEqualTo(2);
		assertThat(drift.idle()).isFalse();
	}

	@Test
	void theQueueIsAlsoBoundedByBytes() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		DataDrift drift = drift(meters, 100, 200);
		// 80 bytes a call: two fit in 200, the third would make 240
		drift.observe("income", "1", 0, false, BODY, BODY);
		drift.observe("income", "1", 0, false, BODY, BODY);
		drift.observe("income", "1", 0, false, BODY, BODY);
		assertThat(skipped(meters)).isEqualTo(1);
		assertThat(meters.get("warden.monitoring.drift.queue.calls").gauge().value()).isEqualTo(2);
	}

	@Test
	void callsWithoutAVersionNumberAreNotObserved() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		DataDrift drift = drift(meters, 1, 1_000_000);
		drift.observe("income", null, 0, false, BODY, BODY);
		drift.observe("income", "v2", 0, false, BODY, BODY);
		drift.observe("income", "1", 0, false, null, BODY);
		assertThat(meters.get("warden.monitoring.drift.queue.calls").gauge().value()).isZero();
		assertThat(skipped(meters)).isZero();
		assertThat(drift.idle()).isTrue();
	}

}
