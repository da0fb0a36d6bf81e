package dev.warden.worker.batching;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The inference meters (Prometheus names in brackets):
 * <ul>
 * <li>{@code warden.worker.requests} [{@code warden_worker_requests_total}] — requests
 * that reached inference, by {@code model}, {@code version} and {@code outcome}
 * ({@code ok}, {@code overloaded}, {@code invalid_argument}, {@code error});</li>
 * <li>{@code warden.worker.request.duration}
 * [{@code warden_worker_request_duration_seconds}] — time from entering the batching
 * layer to the answer (queue wait + TensorFlow + copying), percentiles histogram;</li>
 * <li>{@code warden.worker.batch.queue.wait} — time a request (or chunk) waited before
 * its batch started;</li>
 * <li>{@code warden.worker.batch.size} — rows per TensorFlow call (the formed batch
 * size);</li>
 * <li>{@code warden.worker.batch.requests} — requests (chunks) per TensorFlow call;</li>
 * <li>{@code warden.worker.batch.queue.depth} — requests waiting, per model (gauge);</li>
 * <li>{@code warden.worker.tensorflow.calls}
 * [{@code warden_worker_tensorflow_calls_total}] — TensorFlow calls, by model and
 * version, so that calls per request = calls / requests.</li>
 * </ul>
 * Thread-safe; meters are created on first use per model and version and cached.
 */
final class InferenceMetrics {

	static final String OK = "ok";

	static final String OVERLOADED = "overloaded";

	static final String INVALID_ARGUMENT = "invalid_argument";

	static final String ERROR = "error";

	private final MeterRegistry registry;

	private final Map<String, Map<Long, VersionMeters>> meters = new ConcurrentHashMap<>();

	InferenceMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	VersionMeters of(String model, long version) {
		return meters.computeIfAbsent(model, name -> new ConcurrentHashMap<>())
			.computeIfAbsent(version, v -> new VersionMeters(registry, model, Long.toString(v)));
	}

	void queueDepth(String model, Supplier<Number> depth) {
		Gauge.builder("warden.worker.batch.queue.depth", depth)
			.description("Requests waiting to be batched")
			.tag("model", model)
			.register(registry);
	}

	/** The meters of one model version. */
	static final class VersionMeters {

		private final Counter ok;

		private final Counter overloaded;

		private final Counter invalid;

		private final Counter error;

		private final Timer duration;

		private final Timer queueWait;

		private final DistributionSummary batchRows;

		private final DistributionSummary batchRequests;

		private final Counter tensorflowCalls;

		VersionMeters(MeterRegistry registry, String model, String version) {
			this.ok = outcome(registry, model, version, OK);
			this.overloaded = outcome(registry, model, version, OVERLOADED);
			this.invalid = outcome(registry, model, version, INVALID_ARGUMENT);
			this.error = outcome(registry, model, version, ERROR);
			this.duration = Timer.builder("warden.worker.request.duration")
				.description("Inference time of a request: queue wait, TensorFlow call and copying")
				.tags("model", model, "version", version)
				.publishPercentileHistogram()
				.minimumExpectedValue(Duration.ofNanos(20_000))
				.maximumExpectedValue(Duration.ofSeconds(10))
				.register(registry);
			this.queueWait = Timer.builder("warden.worker.batch.queue.wait")
				.description("Time a request waited in the batching queue before its batch started")
				.tags("model", model, "version", version)
				.publishPercentileHistogram()
				.minimumExpectedValue(Duration.ofNanos(1_000))
				.maximumExpectedValue(Duration.ofSeconds(10))
				.register(registry);
			this.batchRows = DistributionSummary.builder("warden.worker.batch.size")
				.description("Rows per TensorFlow call (formed batch size)")
				.baseUnit("rows")
				.tags("model", model, "version", version)
				.publishPercentileHistogram()
				.minimumExpectedValue(1.0)
				.maximumExpectedValue(4096.0)
				.register(registry);
			this.batchRequests = DistributionSummary.builder("warden.worker.batch.requests")
				.description("Requests (or chunks of split requests) per TensorFlow call")
				.tags("model", model, "version", version)
				.register(registry);
			this.tensorflowCalls = Counter.builder("warden.worker.tensorflow.calls")
				.description("TensorFlow session calls")
				.tags("model", model, "version", version)
				.register(registry);
		}

		private static Counter outcome(MeterRegistry registry, String model, String version, String outcome) {
			return Counter.builder("warden.worker.requests")
				.description("Requests that reached inference, by outcome")
				.tags("model", model, "version", version, "outcome", outcome)
				.register(registry);
		}

		void request(String outcome, long nanos) {
			switch (outcome) {
				case OK -> ok.increment();
				case OVERLOADED -> overloaded.increment();
				case INVALID_ARGUMENT -> invalid.increment();
				default -> error.increment();
			}
			duration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
		}

		void queueWait(long nanos) {
			queueWait.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
		}

		void tensorflowCall(int rows, int requests) {
			tensorflowCalls.increment();
			batchRows.record(rows);
			batchRequests.record(requests);
		}

	}

}
