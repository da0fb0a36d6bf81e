package dev.warden.platform.worker.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;

import org.springframework.stereotype.Component;

import dev.warden.platform.worker.WorkerInventory;
import dev.warden.platform.worker.WorkerProperties;

/**
 * The workers the gateway routes to: the configured ones ({@code warden.worker.urls}) and
 * the live registrations (refreshed from the database by {@link WorkerMonitor}). A
 * registration whose URL is also configured is ignored (the configured entry is polled
 * for the same facts).
 *
 * <p>
 * {@link #choose} picks, among the healthy workers that serve what the request names, the
 * one with the fewest requests in flight from this gateway (ties broken at random) whose
 * circuit breaker grants a permission. The caller must then report the outcome to that
 * breaker exactly once. Thread-safe: the worker list is replaced, never changed in place.
 */
@Component
public class WorkerPool {

	private final List<Worker> configured;

	private final CircuitBreakerConfig breakerConfig;

	private volatile Map<String, Worker> registered = Map.of();

	private volatile List<Worker> all;

	public WorkerPool(WorkerProperties properties) {
		WorkerProperties.CircuitBreakerSettings settings = properties.circuitBreaker();
		this.breakerConfig = CircuitBreakerConfig.custom()
			.slidingWindowType(SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(settings.slidingWindowSize())
			.minimumNumberOfCalls(settings.minimumNumberOfCalls())
			.failureRateThreshold(settings.failureRateThreshold())
			.waitDurationInOpenState(settings.waitInOpenState())
			.permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
			// every failure is reported explicitly with onError; nothing is classified by
			// exception type
			.recordException((ex) -> true)
			.build();
		List<Worker> workers = new ArrayList<>();
		List<String> urls = properties.configuredUrls();
		for (int i = 0; i < urls.size(); i++) {
			workers.add(new Worker("configured-" + (i + 1), urls.get(i), Worker.Source.CONFIGURED, this.breakerConfig));
		}
		this.configured = List.copyOf(workers);
		this.all = this.configured;
	}

	/** Every worker known now, configured first. */
	public List<Worker> workers() {
		return this.all;
	}

	public List<Worker> configured() {
		return this.configured;
	}

	/**
	 * Replaces the registered workers with the live registrations; a worker whose id and
	 * URL are unchanged keeps its in-flight count and circuit breaker.
	 */
	public void registrations(List<Registration> live) {
		Set<String> configuredUrls = new HashSet<>();
		this.configured.forEach((w) -> configuredUrls.add(w.url()));
		Map<String, Worker> previous = this.registered;
		Map<String, Worker> next = new HashMap<>();
		for (Registration registration : live) {
			if (configuredUrls.contains(registration.url())) {
				continue;
			}
			Worker worker = previous.get(registration.id());
			if (worker == null || !worker.url().equals(registration.url())) {
				worker = new Worker(registration.id(), registration.url(), Worker.Source.REGISTERED,
						this.breakerConfig);
			}
			worker.inventory(registration.inventory());
			next.put(registration.id(), worker);
		}
		List<Worker> workers = new ArrayList<>(this.configured);
		next.values().stream().sorted((a, b) -> a.id().compareTo(b.id())).forEach(workers::add);
		this.registered = Map.copyOf(next);
		this.all = List.copyOf(workers);
	}

	/**
	 * The healthy worker for a request, or {@code null} when none can take it.
	 * Preference: workers known to serve the model's version (or label), then workers
	 * known to serve the model, then workers whose inventory is not known yet; within the
	 * first tier that has a healthy worker, the fewest in flight wins. A worker answering
	 * a version or model it does not serve answers 404 itself, so the later tiers never
	 * turn a client error into a 503.
	 * @param target what the request names
	 * @param exclude a worker already tried for this request, or {@code null}
	 */
	public Worker choose(Target target, Worker exclude) {
		List<Worker> exact = new ArrayList<>();
		List<Worker> model = new ArrayList<>();
		List<Worker> unknown = new ArrayList<>();
		List<Worker> any = new ArrayList<>();
		for (Worker worker : this.all) {
			if (worker == exclude || !worker.healthy()) {
				continue;
			}
			WorkerInventory inventory = worker.inventory();
			if (inventory == null) {
				unknown.add(worker);
			}
			else if (target.model() == null) {
				exact.add(worker);
			}
			else if (target.version() != null ? inventory.serves(target.model(), target.version())
					: (target.label() != null ? inventory.servesLabel(target.model(), target.label())
							: inventory.serves(target.model()))) {
				exact.add(worker);
			}
			else if (inventory.serves(target.model())) {
				model.add(worker);
			}
			else {
				any.add(worker);
			}
		}
		for (List<Worker> tier : List.of(exact, model, unknown, any)) {
			Worker chosen = leastOutstanding(tier);
			if (chosen != null) {
				return chosen;
			}
		}
		return null;
	}

	/**
	 * The fewest in flight among {@code candidates} whose breaker grants a call; the
	 * permission is taken.
	 */
	private static Worker leastOutstanding(List<Worker> candidates) {
		if (candidates.isEmpty()) {
			return null;
		}
		List<Worker> order = new ArrayList<>(candidates);
		// random tie-break: shuffle, then a stable sort by in-flight count
		java.util.Collections.shuffle(order, ThreadLocalRandom.current());
		Map<Worker, Integer> snapshot = new HashMap<>();
		for (Worker worker : order) {
			snapshot.put(worker, worker.inFlight());
		}
		order.sort((a, b) -> Integer.compare(snapshot.get(a), snapshot.get(b)));
		for (Worker worker : order) {
			if (worker.breaker().tryAcquirePermission()) {
				return worker;
			}
		}
		return null;
	}

	/**
	 * What a request names.
	 *
	 * @param model the model, or {@code null} for calls about no model (health, listing)
	 * @param version the version, or {@code null}
	 * @param label the version label, or {@code null}
	 */
	public record Target(String model, Long version, String label) {

		static final Target ANY = new Target(null, null, null);

	}

	/**
	 * A live registration as read from the database.
	 *
	 * @param id the worker's id
	 * @param url its base URL
	 * @param inventory what it serves
	 */
	public record Registration(String id, String url, WorkerInventory inventory) {
	}

}
