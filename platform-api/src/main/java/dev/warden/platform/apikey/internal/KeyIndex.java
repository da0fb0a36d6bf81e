package dev.warden.platform.apikey.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * The API keys this replica may verify, in memory, by lookup id: every active key of a
 * tenant that is not deleted, with its stored hash (never the raw key), scopes, expiry,
 * quota override and its tenant's name, plan and status.
 * <p>
 * Kept current by one thread with a dedicated database connection (application name
 * {@value #APPLICATION_NAME}, outside the pool) that {@code LISTEN}s on
 * {@value #CHANNEL}: the triggers of {@code V24__key_notifications.sql} notify the lookup
 * id of a changed key or the id of a changed tenant, and the thread reloads that key or
 * the tenant's keys. Every {@code refreshInterval} the whole index is reloaded (the
 * safety net), and after every (re)connection too, since notifications sent while it was
 * disconnected are lost. A dropped connection is reopened with a backoff from 100 ms to 5
 * s.
 * <p>
 * The index is trusted only while it is known to be current: the thread runs
 * {@code SELECT 1} on its connection every {@link #POLL} and applies what arrived with it
 * (PostgreSQL delivers a committed notification before the answer to a later statement);
 * {@link #current()} is true while the last such check started less than {@code maxLag}
 * ago. Otherwise (not loaded yet, connection down, the thread stuck) the caller verifies
 * against the database per request. Changes made by this replica are also applied right
 * after their commit ({@link #reloadKey}, {@link #reloadTenant}), so they hold from its
 * next request on. Thread-safe: reads are lock-free, writers take the index's lock.
 */
public final class KeyIndex implements SmartLifecycle {

	public static final String CHANNEL = "warden_keys";

	public static final String APPLICATION_NAME = "warden-key-listener";

	static final Duration POLL = Duration.ofMillis(200);

	private static final long MIN_BACKOFF_MILLIS = 100;

	private static final long MAX_BACKOFF_MILLIS = 5000;

	private static final Logger log = LoggerFactory.getLogger(KeyIndex.class);

	private final ApiKeyRepository keys;

	private final DataSource dataSource;

	private final long refreshNanos;

	private final long maxLagNanos;

	private final Object writeLock = new Object();

	private final AtomicLong reconnects = new AtomicLong();

	private final AtomicLong fullReloads = new AtomicLong();

	private volatile long lastReloadStarted;

	private volatile Map<String, ApiKeyRepository.Candidate> byKeyId = new ConcurrentHashMap<>();

	private volatile boolean loaded;

	/** {@link System#nanoTime()} at the start of the last successful check. */
	private volatile long checkedAt;

	private volatile boolean running;

	private volatile Connection connection;

	private Thread thread;

	public KeyIndex(ApiKeyRepository keys, DataSource dataSource, Duration refreshInterval, Duration maxLag) {
		this.keys = keys;
		this.dataSource = dataSource;
		this.refreshNanos = refreshInterval.toNanos();
		this.maxLagNanos = maxLag.toNanos();
	}

	/**
	 * Whether the index may answer: loaded, and its last check of the notification
	 * connection started less than {@code maxLag} ago.
	 */
	public boolean current() {
		return this.loaded && System.nanoTime() - this.checkedAt < this.maxLagNanos;
	}

	/**
	 * The usable key with this lookup id, or empty (unknown, revoked, or of a deleted
	 * tenant). Meaningful only while {@link #current()}.
	 */
	public Optional<ApiKeyRepository.Candidate> find(String keyId) {
		return Optional.ofNullable(this.byKeyId.get(keyId));
	}

	/** Reloads one key from the database (after a change to it). */
	public void reloadKey(String keyId) {
		synchronized (this.writeLock) {
			Optional<ApiKeyRepository.Candidate> found = this.keys.loadCandidate(keyId).filter(KeyIndex::usable);
			if (found.isPresent()) {
				this.byKeyId.put(keyId, found.get());
			}
			else {
				this.byKeyId.remove(keyId);
			}
		}
	}

	/** Reloads every key of a tenant from the database (after a change to the tenant). */
	public void reloadTenant(UUID tenantId) {
		synchronized (this.writeLock) {
			List<ApiKeyRepository.Candidate> usable = this.keys.findUsableCandidatesOfTenant(tenantId);
			this.byKeyId.values().removeIf((candidate) -> candidate.tenantId().equals(tenantId));
			usable.forEach((candidate) -> this.byKeyId.put(candidate.keyId(), candidate));
		}
	}

	/** Replaces the whole index with what the database holds now. */
	public void reloadAll() {
		synchronized (this.writeLock) {
			long started = System.nanoTime();
			Map<String, ApiKeyRepository.Candidate> fresh = new ConcurrentHashMap<>();
			this.keys.findUsableCandidates().forEach((candidate) -> fresh.put(candidate.keyId(), candidate));
			this.byKeyId = fresh;
			this.loaded = true;
			this.lastReloadStarted = started;
			this.fullReloads.incrementAndGet();
		}
	}

	/** Number of keys held. */
	public int size() {
		return this.byKeyId.size();
	}

	/**
	 * Number of times the notification connection was opened again after a failure (for
	 * tests and diagnostics).
	 */
	public long reconnects() {
		return this.reconnects.get();
	}

	/** Number of full reloads so far (for tests and diagnostics). */
	public long fullReloads() {
		return this.fullReloads.get();
	}

	/**
	 * When the last completed full reload began reading the database, in
	 * {@link System#nanoTime()} (for tests and diagnostics): a change committed before
	 * that instant is in the index.
	 */
	public long lastReloadStarted() {
		return this.lastReloadStarted;
	}

	@Override
	public void start() {
		this.running = true;
		this.thread = new Thread(this::listen, "key-index-listener");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	@Override
	public void stop() {
		this.running = false;
		closeQuietly(this.connection);
		Thread listener = this.thread;
		if (listener != null) {
			listener.interrupt();
			try {
				listener.join(5000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void listen() {
		long backoff = MIN_BACKOFF_MILLIS;
		boolean first = true;
		while (this.running) {
			try (Connection listening = open()) {
				this.connection = listening;
				listening.setAutoCommit(true);
				try (Statement statement = listening.createStatement()) {
					statement.execute("LISTEN " + CHANNEL);
				}
				if (!first) {
					this.reconnects.incrementAndGet();
				}
				first = false;
				// after LISTEN: a change committed after this snapshot is notified
				long loadStarted = System.nanoTime();
				reloadAll();
				long lastFull = loadStarted;
				this.checkedAt = loadStarted;
				backoff = MIN_BACKOFF_MILLIS;
				PGConnection pg = listening.unwrap(PGConnection.class);
				while (this.running) {
					long started = System.nanoTime();
					try (Statement statement = listening.createStatement()) {
						statement.setQueryTimeout(5);
						statement.execute("SELECT 1");
					}
					apply(pg.getNotifications());
					if (started - lastFull >= this.refreshNanos) {
						reloadAll();
						lastFull = started;
					}
					this.checkedAt = started;
					apply(pg.getNotifications((int) POLL.toMillis()));
				}
			}
			catch (SQLException | RuntimeException ex) {
				if (!this.running) {
					return;
				}
				log.warn("API key notifications interrupted; verifying keys against the database per request until "
						+ "the listener is back (retry in {} ms): {}", backoff, ex.toString());
			}
			finally {
				this.connection = null;
			}
			try {
				Thread.sleep(backoff);
			}
			catch (InterruptedException ex) {
				return;
			}
			backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
		}
	}

	private void apply(PGNotification[] notifications) {
		if (notifications == null) {
			return;
		}
		for (PGNotification notification : notifications) {
			String payload = notification.getParameter();
			if (payload.startsWith("k:")) {
				reloadKey(payload.substring(2));
			}
			else if (payload.startsWith("t:")) {
				reloadTenant(UUID.fromString(payload.substring(2)));
			}
			else {
				// unknown payload: reload everything rather than miss a change
				reloadAll();
			}
		}
	}

	private Connection open() throws SQLException {
		if (this.dataSource instanceof HikariDataSource hikari && hikari.getJdbcUrl() != null) {
			// the pool's driver settings, TLS ones included (sslmode, sslrootcert...)
			Properties properties = new Properties();
			properties.putAll(hikari.getDataSourceProperties());
			if (hikari.getUsername() != null) {
				properties.setProperty("user", hikari.getUsername());
			}
			if (hikari.getPassword() != null) {
				properties.setProperty("password", hikari.getPassword());
			}
			properties.setProperty("ApplicationName", APPLICATION_NAME);
			properties.setProperty("connectTimeout", "5");
			properties.setProperty("tcpKeepAlive", "true");
			return DriverManager.getConnection(hikari.getJdbcUrl(), properties);
		}
		// another pool: the listener holds one of its connections
		return this.dataSource.getConnection();
	}

	private static boolean usable(ApiKeyRepository.Candidate candidate) {
		return "active".equals(candidate.status()) && !"deleted".equals(candidate.tenantStatus());
	}

	private static void closeQuietly(Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				// closing to stop; nothing to do
			}
		}
	}

}
