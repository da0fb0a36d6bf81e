package dev.warden.platform.routing.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;

/**
 * Records when a routed version (stable or canary) can be served by no worker, so that
 * calls naming no version are answered by another one, and when it can again: once per
 * transition, not per request. Each replica notices a transition in memory (a lock-free
 * check on the request path) and hands it to one background thread, which inserts or
 * deletes the model's row in {@code model_route_fallbacks}; only the replica whose insert
 * or delete changed a row appends the audit event ({@code model.route_fallback},
 * {@code model.route_restored}, actor {@code system}) in the same transaction, so the
 * replicas record each transition once between them. Every answer given by another
 * version counts in {@code warden.routing.fallback.answers{model}}, and a transition is
 * logged as a warning.
 */
@Component
public class RouteFallbacks implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(RouteFallbacks.class);

	static final String ANSWERS = "warden.routing.fallback.answers";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final MeterRegistry meters;

	/** Routed versions this replica currently answers with another version. */
	private final Set<Key> active = ConcurrentHashMap.newKeySet();

	private final ExecutorService recorder = Executors.newSingleThreadExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "route-fallback-recorder");
		thread.setDaemon(true);
		return thread;
	});

	RouteFallbacks(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.meters = meters;
	}

	/**
	 * A call to {@code model} routed to {@code routedVersion} is answered by another
	 * version because no worker can serve it ({@code reason}).
	 */
	public void fellBack(String model, long routedVersion, String reason) {
		Counter.builder(ANSWERS)
			.description("Calls naming no version answered by another version than the routed one")
			.tag("model", model)
			.register(this.meters)
			.increment();
		Key key = new Key(model, routedVersion);
		if (this.active.add(key)) {
			log.warn("Model {} version {} can be served by no worker ({}); calls naming no version are answered by "
					+ "another version", model, routedVersion, reason);
			submit(() -> recordFallback(key, reason));
		}
	}

	/** {@code routedVersion} of {@code model} is served again (or no longer routed). */
	public void restored(String model, long routedVersion) {
		if (this.active.isEmpty()) {
			// the request path's usual case: nothing to end
			return;
		}
		Key key = new Key(model, routedVersion);
		if (this.active.remove(key)) {
			log.info("Model {} version {} is served again", model, routedVersion);
			submit(() -> recordRestored(key, "served again"));
		}
	}

	/**
	 * Ends the fallbacks of versions that are no longer routed (a rollback removed the
	 * canary, a promotion changed the stable version).
	 * @param routed the routed versions by model
	 */
	public void retainRouted(Map<String, Set<Long>> routed) {
		for (Key key : Set.copyOf(this.active)) {
			Set<Long> versions = routed.get(key.model());
			if ((versions == null || !versions.contains(key.version())) && this.active.remove(key)) {
				submit(() -> recordRestored(key, "no longer routed"));
			}
		}
	}

	/** Whether this replica answers calls routed to this version with another one. */
	public boolean active(String model, long routedVersion) {
		return this.active.contains(new Key(model, routedVersion));
	}

	private void submit(Runnable task) {
		try {
			this.recorder.execute(() -> {
				try {
					task.run();
				}
				catch (RuntimeException ex) {
					log.warn("A routing fallback transition could not be recorded: {}", ex.getMessage());
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// shutting down
		}
	}

	private void recordFallback(Key key, String reason) {
		this.transactions.executeWithoutResult((status) -> {
			int inserted = this.jdbc.sql(
					"INSERT INTO model_route_fallbacks (model_id, routed_version, reason) SELECT id, :version, :reason "
							+ "FROM models WHERE name = :model ON CONFLICT (model_id, routed_version) DO NOTHING")
				.param("model", key.model())
				.param("version", key.version())
				.param("reason", reason)
				.update();
			if (inserted > 0) {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("model", key.model());
				details.put("routed_version", key.version());
				details.put("reason", reason);
				details.put("answered_by",
						"the newest version a worker has AVAILABLE (the stable version first, for a " + "canary)");
				this.audit.append("system", "model.route_fallback", "model", key.model(), details);
			}
		});
	}

	private void recordRestored(Key key, String why) {
		this.transactions.executeWithoutResult((status) -> {
			int deleted = this.jdbc
				.sql("DELETE FROM model_route_fallbacks f USING models m WHERE f.model_id = m.id AND m.name = :model "
						+ "AND f.routed_version = :version")
				.param("model", key.model())
				.param("version", key.version())
				.update();
			if (deleted > 0) {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("model", key.model());
				details.put("routed_version", key.version());
				details.put("reason", why);
				this.audit.append("system", "model.route_restored", "model", key.model(), details);
			}
		});
	}

	/** Waits for the transitions handed over so far to be recorded (tests, shutdown). */
	public void flush() throws InterruptedException {
		CountDownLatch done = new CountDownLatch(1);
		submit(done::countDown);
		done.await(30, TimeUnit.SECONDS);
	}

	@Override
	public void destroy() throws InterruptedException {
		this.recorder.shutdown();
		this.recorder.awaitTermination(5, TimeUnit.SECONDS);
	}

	private record Key(String model, long version) {
	}

}
