package dev.warden.platform.requestlog;

import java.security.GeneralSecurityException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.google.crypto.tink.Aead;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.PayloadCrypto.Direction;
import dev.warden.platform.crypto.RedactionPolicy;
import dev.warden.platform.crypto.Redactor;
import dev.warden.platform.requestlog.internal.GroupCommitWriter;
import dev.warden.platform.requestlog.internal.GroupCommitWriter.Outcome;
import dev.warden.platform.requestlog.internal.LogRecord;
import dev.warden.platform.system.TimeOrderedIds;
import dev.warden.platform.tenant.DataKeyDestroyedException;
import dev.warden.platform.tenant.TenantDataKeys;

/**
 * Writes one {@code request_log} row per request. Thread-safe. The calling (request)
 * thread encrypts the payloads with the tenant's key and hands the row to the
 * group-commit writer, which commits the rows of many concurrent requests in one
 * transaction on a connection pool of its own (with {@code synchronous_commit = on}).
 * <p>
 * Contract: when {@link #write} returns normally the row is committed, or &mdash; only
 * with fail-open on &mdash; kept in the bounded in-memory spill to be written when the
 * database is back. When it throws {@link RequestLogUnavailableException} the caller must
 * withhold its answer.
 */
@Component
public class RequestLogWriter implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(RequestLogWriter.class);

	private final boolean enabled;

	private final TenantDataKeys dataKeys;

	private final RedactionPolicy redaction;

	private final RequestLogSettings settings;

	private final long writeTimeoutNanos;

	private final HikariDataSource pool;

	private final GroupCommitWriter writer;

	/**
	 * Data-plane requests being processed whose record has not been submitted yet: the
	 * writer's commit delay waits for more records only while this is positive.
	 */
	private final AtomicInteger processing = new AtomicInteger();

	RequestLogWriter(DataSource dataSource, TenantDataKeys dataKeys, RedactionPolicy redaction,
			RequestLogSettings settings, RequestLogProperties properties, MeterRegistry meters) {
		this.enabled = properties.enabled();
		this.dataKeys = dataKeys;
		this.redaction = redaction;
		this.settings = settings;
		this.writeTimeoutNanos = properties.writeTimeout().toNanos();
		this.pool = (dataSource instanceof HikariDataSource hikari) ? pool(hikari, properties) : null;
		this.writer = new GroupCommitWriter((this.pool != null) ? this.pool : dataSource, properties.queueCapacity(),
				properties.maxBatchSize(), properties.writerThreads(), properties.spillCapacity(),
				properties.spillRetryInterval().toMillis(), settings::failOpen, meters, LogRecord::insert,
				properties.commitDelay().toNanos(), () -> othersInFlight(properties.commitSiblings()));
	}

	/**
	 * The requests still being processed when there are at least {@code siblings} of
	 * them, else 0 (too few to be worth waiting for).
	 */
	private int othersInFlight(int siblings) {
		int processing = this.processing.get();
		return (processing >= siblings) ? processing : 0;
	}

	/**
	 * Marks a data-plane request whose record will be written as being processed (until
	 * {@link #requestProcessed}), so that the commit delay
	 * ({@code warden.request-log.commit-delay}) can wait for its record. Every call must
	 * be followed by exactly one call of {@link #requestProcessed}, also when processing
	 * fails.
	 */
	public void processingRequest() {
		this.processing.incrementAndGet();
	}

	/** The request marked by {@link #processingRequest} is about to write its record. */
	public void requestProcessed() {
		this.processing.decrementAndGet();
	}

	/**
	 * A pool of its own, configured like the application's: the writer never queues
	 * behind request transactions for a connection, fails fast
	 * ({@code connection-timeout}) when the database is down, and its commits are durable
	 * whatever the server's default.
	 */
	static HikariDataSource pool(HikariDataSource main, RequestLogProperties properties) {
		HikariConfig config = new HikariConfig();
		main.copyStateTo(config);
		config.setPoolName(main.getPoolName() + "-request-log");
		config.setMaximumPoolSize(properties.writerThreads());
		config.setMinimumIdle(properties.writerThreads());
		// a batch that one statement writes runs as its own transaction (one round trip);
		// the writer turns auto-commit off for the larger ones
		config.setAutoCommit(true);
		config.setConnectionTimeout(properties.connectionTimeout().toMillis());
		config.setConnectionInitSql("SET synchronous_commit = on");
		// named, not detected: Hikari reads the default isolation from its first
		// connection, and if the database goes away during that read it keeps an unset
		// level that every later connection is refused with ("Transaction isolation level
		// -1 not supported"), so the pool never recovers. PostgreSQL's default.
		config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
		// the application pool already proved the database reachable; a later outage must
		// not fail start-up here
		config.setInitializationFailTimeout(-1);
		return new HikariDataSource(config);
	}

	public void write(RequestLogEntry entry) {
		if (!this.enabled) {
			// warden.request-log.enabled=false: benchmarks only (announced in the log and
			// the audit trail at start)
			return;
		}
		CompletableFuture<Outcome> done = this.writer.submit(record(entry));
		try {
			done.get(this.writeTimeoutNanos, TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RequestLogUnavailableException unavailable) ? unavailable
					: new RequestLogUnavailableException(ex.getCause());
		}
		catch (TimeoutException ex) {
			if (this.settings.failOpen()) {
				// the writer still owns the record: it commits or spills it later
				log.warn("Request log: record of request {} not committed in time; answer released (fail-open)",
						entry.requestId());
				return;
			}
			throw new RequestLogUnavailableException("request log write timed out");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RequestLogUnavailableException(ex);
		}
	}

	private LogRecord record(RequestLogEntry entry) {
		UUID id = TimeOrderedIds.next(entry.occurredAt());
		byte[] request = null;
		byte[] response = null;
		Integer redactions = null;
		if (entry.tenantId() != null) {
			try {
				Aead aead = this.dataKeys.aead(entry.tenantId());
				// personal data is redacted from the stored copy before it is encrypted
				// (policies/logging.yaml)
				Redactor.Bytes redactedRequest = redact(entry.tenantId(), entry.requestPayload());
				Redactor.Bytes redactedResponse = redact(entry.tenantId(), entry.responsePayload());
				redactions = redactedRequest.count() + redactedResponse.count();
				request = encrypt(aead, redactedRequest.payload(), entry.tenantId(), id, entry.requestId(),
						Direction.REQUEST);
				response = encrypt(aead, redactedResponse.payload(), entry.tenantId(), id, entry.requestId(),
						Direction.RESPONSE);
			}
			catch (DataKeyDestroyedException shredded) {
				// the tenant was deleted while this request ran: keep the metadata, there
				// is no key for payloads
			}
		}
		return new LogRecord(id, entry.requestId(), entry.occurredAt(), entry.tenantId(), entry.apiKeyId(),
				entry.model(), entry.modelVersion(), entry.method(), entry.path(), entry.status(),
				entry.latencyMicros(), entry.requestBytes(), entry.responseBytes(), entry.errorCode(), request,
				response, redactions);
	}

	private Redactor.Bytes redact(UUID tenantId, byte[] payload) {
		if (payload == null || payload.length == 0) {
			return new Redactor.Bytes(payload, 0);
		}
		return this.redaction.redact(tenantId, payload);
	}

	private static byte[] encrypt(Aead aead, byte[] plaintext, UUID tenantId, UUID recordId, String requestId,
			Direction direction) {
		if (plaintext == null || plaintext.length == 0) {
			return null;
		}
		try {
			return PayloadCrypto.encryptPayload(aead, plaintext, tenantId, recordId, requestId, direction);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("payload encryption failed", ex);
		}
	}

	@Override
	public void destroy() {
		this.writer.close();
		if (this.pool != null) {
			this.pool.close();
		}
	}

}
