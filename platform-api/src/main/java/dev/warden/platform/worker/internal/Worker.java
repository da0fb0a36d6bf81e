package dev.warden.platform.worker.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import dev.warden.platform.worker.WorkerInventory;

/**
 * One inference worker the gateway may route to: its base URL, where it came from
 * (configured or registered), its health, what it serves, the requests the gateway has in
 * flight to it and its circuit breaker. Thread-safe; the health fields are written by the
 * monitor and read by every request.
 */
public final class Worker {

	public enum Source {

		/**
		 * Listed in {@code warden.worker.urls} (or {@code url}); polled by the gateway.
		 */
		CONFIGURED,
		/**
		 * Registered itself with heartbeats; its registration row says what it serves.
		 */
		REGISTERED

	}

	private final String id;

	private final String url;

	private final Source source;

	private final CircuitBreaker breaker;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicLong forwarded = new AtomicLong();

	/**
	 * Last status poll (configured) or the registration (registered) says the worker is
	 * up.
	 */
	private volatile boolean reachable = true;

	/**
	 * {@code System.nanoTime()} until which a connection failure keeps the worker out of
	 * the rotation.
	 */
	private volatile long downUntil;

	/** {@code null} while unknown (never read, or a worker that does not say). */
	private volatile WorkerInventory inventory;

	public Worker(String id, String url, Source source, CircuitBreakerConfig breakerConfig) {
		this.id = id;
		this.url = url;
		this.source = source;
		this.breaker = CircuitBreaker.of("worker-" + id, breakerConfig);
	}

	public String id() {
		return this.id;
	}

	public String url() {
		return this.url;
	}

	public Source source() {
		return this.source;
	}

	public CircuitBreaker breaker() {
		return this.breaker;
	}

	public int inFlight() {
		return this.inFlight.get();
	}

	public long forwarded() {
		return this.forwarded.get();
	}

	public void started() {
		this.inFlight.incrementAndGet();
		this.forwarded.incrementAndGet();
	}

	public void finished() {
		this.inFlight.decrementAndGet();
	}

	/**
	 * Up and not in the back-off that follows a connection failure (the circuit breaker
	 * is checked separately).
	 */
	public boolean healthy() {
		return this.reachable && System.nanoTime() - this.downUntil >= 0;
	}

	/**
	 * The outcome of a status poll: a poll that reached the worker also ends a
	 * connection-failure back-off.
	 */
	public void polled(boolean reachable) {
		this.reachable = reachable;
		if (reachable) {
			this.downUntil = System.nanoTime();
		}
	}

	public boolean reachable() {
		return this.reachable;
	}

	/**
	 * A request could not connect: keep the worker out until the next successful status
	 * poll or {@code backOff}.
	 */
	public void connectionFailed(Duration backOff) {
		this.downUntil = System.nanoTime() + backOff.toNanos();
	}

	public WorkerInventory inventory() {
		return this.inventory;
	}

	public void inventory(WorkerInventory inventory) {
		this.inventory = inventory;
	}

	@Override
	public String toString() {
		return this.id + " (" + this.url + ")";
	}

}
