package dev.warden.platform.worker;

import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.warden.platform.system.MetricLabels;
import dev.warden.platform.system.MetricsProperties;
import dev.warden.platform.worker.internal.Worker;
import dev.warden.platform.worker.internal.WorkerPool;

/**
 * Which worker answered the data plane's calls, the retries on another worker, and each
 * worker's circuit-breaker state:
 * <ul>
 * <li>{@code warden.gateway.worker.calls} (counter) by {@code worker} (its id) and
 * {@code outcome}: {@code 2xx} … {@code 5xx} for an answer, {@code timeout},
 * {@code unreachable}; one per attempt, so a retried call counts twice;</li>
 * <li>{@code warden.gateway.worker.retries} (counter) by {@code reason}:
 * {@code unreachable}, {@code unavailable} (503), {@code version_not_found} (404 for a
 * version the inventories said the worker had);</li>
 * <li>{@code warden.gateway.worker.breaker.state} (gauge) by {@code worker} and
 * {@code state} ({@code closed}, {@code open}, {@code half_open}): 1 for the state the
 * breaker is in, else 0; no value once the worker has left the pool.</li>
 * </ul>
 * Worker ids take at most {@code warden.metrics.max-label-values} values (registered
 * workers may come with new ids). Counters are cached per worker.
 */
final class WorkerMetrics {

	enum Outcome {

		ANSWER_1XX("1xx"), ANSWER_2XX("2xx"), ANSWER_3XX("3xx"), ANSWER_4XX("4xx"), ANSWER_5XX("5xx"),
		TIMEOUT("timeout"), UNREACHABLE("unreachable");

		private final String label;

		Outcome(String label) {
			this.label = label;
		}

		static Outcome of(int status) {
			return (status >= 100 && status < 600) ? values()[status / 100 - 1] : ANSWER_5XX;
		}

	}

	enum RetryReason {

		UNREACHABLE, UNAVAILABLE, VERSION_NOT_FOUND

	}

	private static final String[] BREAKER_STATES = { "closed", "open", "half_open" };

	private final MeterRegistry meters;

	private final WorkerPool pool;

	private final MetricLabels workerIds;

	private final ConcurrentHashMap<String, Counter[]> calls = new ConcurrentHashMap<>();

	private final Counter[] retries = new Counter[RetryReason.values().length];

	WorkerMetrics(MeterRegistry meters, MetricsProperties properties, WorkerPool pool) {
		this.meters = meters;
		this.pool = pool;
		this.workerIds = properties.labels();
		for (RetryReason reason : RetryReason.values()) {
			this.retries[reason.ordinal()] = Counter.builder("warden.gateway.worker.retries")
				.description("data-plane calls sent to a second worker, by why the first did not do")
				.tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
				.register(meters);
		}
	}

	void call(Worker worker, Outcome outcome) {
		String id = this.workerIds.of(worker.id());
		Counter[] counters = this.calls.get(id);
		if (counters == null) {
			counters = this.calls.computeIfAbsent(id, this::register);
		}
		counters[outcome.ordinal()].increment();
	}

	void retry(RetryReason reason) {
		this.retries[reason.ordinal()].increment();
	}

	private Counter[] register(String id) {
		Counter[] counters = new Counter[Outcome.values().length];
		for (Outcome outcome : Outcome.values()) {
			counters[outcome.ordinal()] = Counter.builder("warden.gateway.worker.calls")
				.description("data-plane calls sent to a worker, by worker and outcome")
				.tag("worker", id)
				.tag("outcome", outcome.label)
				.register(this.meters);
		}
		if (!MetricLabels.OTHER.equals(id)) {
			for (String state : BREAKER_STATES) {
				Gauge.builder("warden.gateway.worker.breaker.state", () -> breakerIs(id, state))
					.description("1 for the state the worker's circuit breaker is in, else 0")
					.tag("worker", id)
					.tag("state", state)
					.register(this.meters);
			}
		}
		return counters;
	}

	/** Read at scrape time from the pool's current worker of that id. */
	private double breakerIs(String id, String state) {
		for (Worker worker : this.pool.workers()) {
			if (worker.id().equals(id)) {
				CircuitBreaker.State current = worker.breaker().getState();
				return current.name().toLowerCase(java.util.Locale.ROOT).equals(state) ? 1 : 0;
			}
		}
		return Double.NaN;
	}

}
