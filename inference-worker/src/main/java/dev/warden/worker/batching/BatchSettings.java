package dev.warden.worker.batching;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;

/**
 * How the requests of one model are batched.
 *
 * @param enabled {@code false}: every request is its own TensorFlow call on the request
 * thread (no queue)
 * @param maxBatchSize most rows in one TensorFlow call; a request with more rows is split
 * into chunks of at most this many rows (each chunk is batched like a request of its own,
 * the answers are joined in order)
 * @param maxQueueDelay longest time the first request of a batch waits for more requests
 * to join it, counted from its arrival; a plain number is microseconds ({@code 500} = 500
 * µs; {@code 2ms} also works). The wait only happens while other requests are in flight:
 * a lone client is dispatched at once
 * @param maxQueueSize most requests waiting for a batch (per model, every version and
 * signature together); one more is rejected at once (HTTP 503, {@code Retry-After}, code
 * {@code overloaded})
 * @param batchThreads most batches of this model running at the same time (each runs on
 * the thread of one of the waiting requests, there are no dedicated threads)
 */
public record BatchSettings(@DefaultValue("true") boolean enabled, @DefaultValue("64") int maxBatchSize,
		@DefaultValue("500") @DurationUnit(ChronoUnit.MICROS) Duration maxQueueDelay,
		@DefaultValue("256") int maxQueueSize, @DefaultValue("1") int batchThreads) {

	public BatchSettings {
		if (maxBatchSize < 1) {
			throw new IllegalArgumentException("max-batch-size must be at least 1, got " + maxBatchSize);
		}
		if (maxQueueDelay == null || maxQueueDelay.isNegative()) {
			throw new IllegalArgumentException("max-queue-delay must not be negative, got " + maxQueueDelay);
		}
		if (maxQueueSize < 1) {
			throw new IllegalArgumentException("max-queue-size must be at least 1, got " + maxQueueSize);
		}
		if (batchThreads < 1) {
			throw new IllegalArgumentException("batch-threads must be at least 1, got " + batchThreads);
		}
	}

}
