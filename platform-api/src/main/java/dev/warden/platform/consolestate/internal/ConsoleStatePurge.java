package dev.warden.platform.consolestate.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.warden.platform.consolestate.ConsoleStateProperties;

/**
 * Deletes expired console sessions and authorizations every
 * {@code warden.console-state.purge-interval}, on a thread of its own
 * ({@code console-state-purge}), while the API is on. Every replica may run it: a delete
 * of expired rows is idempotent. A failed run (database down) is logged and retried at
 * the next interval. Stopped with the application.
 */
@Component
public class ConsoleStatePurge implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ConsoleStatePurge.class);

	private final ConsoleSessions sessions;

	private final ConsoleAuthorizations authorizations;

	private final ConsoleStateProperties properties;

	private volatile ScheduledExecutorService executor;

	ConsoleStatePurge(ConsoleSessions sessions, ConsoleAuthorizations authorizations,
			ConsoleStateProperties properties) {
		this.sessions = sessions;
		this.authorizations = authorizations;
		this.properties = properties;
	}

	@Override
	public synchronized void start() {
		if (this.executor != null || !this.properties.enabled()) {
			return;
		}
		ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "console-state-purge");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.properties.purgeInterval().toMillis();
		started.scheduleWithFixedDelay(this::runSafely, interval, interval, TimeUnit.MILLISECONDS);
		this.executor = started;
	}

	@Override
	public synchronized void stop() {
		ScheduledExecutorService running = this.executor;
		this.executor = null;
		if (running != null) {
			running.shutdownNow();
			try {
				running.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

	/** Deletes the expired rows now; returns how many sessions and authorizations. */
	public Purged purge() {
		return new Purged(this.sessions.purgeExpired(), this.authorizations.purgeExpired());
	}

	/** What one run deleted. */
	public record Purged(int sessions, int authorizations) {
	}

	private void runSafely() {
		try {
			Purged purged = purge();
			if (purged.sessions() > 0 || purged.authorizations() > 0) {
				log.debug("Deleted {} expired console sessions and {} expired authorizations", purged.sessions(),
						purged.authorizations());
			}
		}
		catch (RuntimeException ex) {
			log.warn("Expired console sessions and authorizations could not be deleted (next try in {}): {}",
					this.properties.purgeInterval(), ex.toString());
		}
	}

}
