package dev.warden.platform.audit;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail.Head;
import dev.warden.platform.audit.internal.AuditCanonical;
import dev.warden.platform.audit.internal.AuditCanonical.DigestContent;
import dev.warden.platform.crypto.SigningKeys;

/**
 * Signed digests of the audit chain. A digest covers the events after the previous digest
 * up to the head, names the head's hash, links to the previous digest by its hash and is
 * signed with {@link SigningKeys}. It is written under the chain's head lock, so it
 * always describes a committed prefix of the chain exactly, and several replicas never
 * write two digests for the same events. Thread-safe.
 */
@Service
class AuditDigests implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(AuditDigests.class);

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail trail;

	private final SigningKeys keys;

	private final Duration interval;

	AuditDigests(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail trail, SigningKeys keys,
			AuditProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.trail = trail;
		this.keys = keys;
		this.interval = properties.digestInterval();
	}

	/**
	 * Runs {@link #scheduled()} every {@code warden.audit.digest-interval}, the first
	 * time that long after the start.
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(new FixedDelayTask(this::scheduled, this.interval, this.interval));
	}

	/**
	 * Periodic digest ({@code warden.audit.digest-interval}); skipped when no event was
	 * added since the last.
	 */
	void scheduled() {
		this.transactions.executeWithoutResult((status) -> {
			Optional<Digest> digest = create(false);
			digest.ifPresent((d) -> log.info("Audit digest {} signed: events {}..{}, head {}", d.number(), d.firstSeq(),
					d.lastSeq(), d.headHash()));
		});
	}

	/**
	 * Writes a digest now, also when no event was added (it then re-attests the head), in
	 * a new transaction; the request is itself audited ({@code audit.digest_created}) and
	 * covered by the digest.
	 */
	public Digest createNow(String actor) {
		return this.transactions.execute((status) -> {
			this.trail.lockHead();
			Digest previous = latest().orElse(null);
			this.trail.append(actor, "audit.digest_created", "audit_digest",
					String.valueOf((previous != null) ? previous.number() + 1 : 1),
					Map.of("previous_digest", (previous != null) ? previous.number() : 0));
			return create(true).orElseThrow();
		});
	}

	/** The most recent digests first. */
	public List<Digest> recent(int limit) {
		return recent(0, limit);
	}

	/** The most recent digests first, skipping the {@code offset} most recent ones. */
	public List<Digest> recent(long offset, int limit) {
		return this.jdbc.sql("SELECT * FROM audit_digests ORDER BY number DESC OFFSET :offset LIMIT :limit")
			.param("offset", offset)
			.param("limit", limit)
			.query((rs, row) -> new Digest(rs.getLong("number"), rs.getLong("first_seq"), rs.getLong("last_seq"),
					rs.getLong("event_count"), rs.getString("head_hash"), rs.getString("prev_digest_hash"),
					rs.getObject("created_at", OffsetDateTime.class).toInstant(), rs.getString("key_id"),
					rs.getString("digest_hash"), rs.getBytes("signature")))
			.list();
	}

	Optional<Digest> latest() {
		return recent(1).stream().findFirst();
	}

	/** Must run in a transaction; takes the chain's head lock. */
	private Optional<Digest> create(boolean evenIfEmpty) {
		Head head = this.trail.lockHead();
		if (head.hash() == null) {
			head = this.trail.seal(head.seq());
		}
		Digest previous = latest().orElse(null);
		long lastCovered = (previous != null) ? previous.lastSeq() : 0;
		if (!evenIfEmpty && head.seq() == lastCovered) {
			return Optional.empty();
		}
		DigestContent content = new DigestContent((previous != null) ? previous.number() + 1 : 1, lastCovered + 1,
				head.seq(), head.seq() - lastCovered, head.hash(),
				(previous != null) ? previous.digestHash() : AuditCanonical.GENESIS_HASH,
				Instant.now().truncatedTo(ChronoUnit.MICROS), this.keys.keyId());
		byte[] canonical = AuditCanonical.canonical(content);
		String digestHash = AuditCanonical.sha256Hex(canonical);
		byte[] signature = this.keys.sign(canonical);
		this.jdbc
			.sql("INSERT INTO audit_digests (number, first_seq, last_seq, event_count, head_hash, prev_digest_hash, "
					+ "created_at, key_id, digest_hash, signature) VALUES (:number, :firstSeq, :lastSeq, :count, "
					+ ":headHash, :prevDigestHash, :createdAt, :keyId, :digestHash, :signature)")
			.param("number", content.number())
			.param("firstSeq", content.firstSeq())
			.param("lastSeq", content.lastSeq())
			.param("count", content.eventCount())
			.param("headHash", content.headHash())
			.param("prevDigestHash", content.prevDigestHash())
			.param("createdAt", Timestamp.from(content.createdAt()))
			.param("keyId", content.keyId())
			.param("digestHash", digestHash)
			.param("signature", signature)
			.update();
		return Optional.of(new Digest(content.number(), content.firstSeq(), content.lastSeq(), content.eventCount(),
				content.headHash(), content.prevDigestHash(), content.createdAt(), content.keyId(), digestHash,
				signature));
	}

	/**
	 * One signed digest. {@code signature} is the Ed25519 signature (Tink format) of the
	 * canonical digest content; {@code digestHash} its SHA-256, which the next digest
	 * names as {@code prevDigestHash}.
	 */
	public record Digest(long number, long firstSeq, long lastSeq, long eventCount, String headHash,
			String prevDigestHash, Instant createdAt, String keyId, String digestHash, byte[] signature) {
	}

}
