package dev.warden.platform.audit;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.crypto.tink.PublicKeyVerify;

import dev.warden.platform.audit.internal.AuditCanonical;
import dev.warden.platform.audit.internal.AuditCanonical.DigestContent;
import dev.warden.platform.audit.internal.AuditCanonical.EventContent;

/**
 * Walks the audit chain and its signed digests and reports the first broken link. Needs
 * only a JDBC connection and the public signing keyset: used by the admin API
 * ({@code GET /api/admin/audit/verify}) and by the offline command
 * {@link VerifyAuditCommand}.
 * <p>
 * Checks, in sequence order, stopping at the first failure: the sequence numbers run 1,
 * 2, 3… without a gap; each event's hash is the SHA-256 of its canonical content
 * ({@link AuditCanonical}); each event's {@code prev_hash} is the hash of the event
 * before it (the first: {@link AuditCanonical#GENESIS_HASH}); no event lies beyond the
 * chain head and the head's hash is that of its event; every digest is numbered 1, 2, 3…,
 * links to the previous one by hash, covers the events right after the previous one, is
 * signed by the given key, and names as head hash the hash of its last event. A digest's
 * problems are reported at its last sequence number.
 * <p>
 * Reads in one REPEATABLE READ read-only transaction on the given connection (a
 * consistent snapshot), and streams the events (constant memory). Not thread-safe; create
 * one per verification.
 */
final class AuditChainVerifier {

	private static final int FETCH_SIZE = 1000;

	private final PublicKeyVerify signatures;

	/**
	 * @param signatures verifier for the digest signatures (see
	 * {@code SigningKeys.verifier})
	 */
	public AuditChainVerifier(PublicKeyVerify signatures) {
		this.signatures = signatures;
	}

	/** What can be wrong with a link of the chain. */
	public enum Problem {

		/** The stored hash is not the SHA-256 of the event's canonical content. */
		CONTENT_HASH_MISMATCH,
		/** The event's {@code prev_hash} is not the hash of the event before it. */
		PREV_HASH_MISMATCH,
		/** A sequence number is missing (deleted event, or a truncated chain). */
		MISSING_SEQUENCE,
		/**
		 * An event lies beyond the recorded chain head, or the head's hash differs from
		 * its event's.
		 */
		HEAD_MISMATCH,
		/**
		 * A digest's signature does not verify with the public key (or its own hash is
		 * wrong).
		 */
		DIGEST_SIGNATURE_INVALID,
		/**
		 * A digest names a head hash other than the hash of the event at its last
		 * sequence.
		 */
		DIGEST_HEAD_MISMATCH,
		/**
		 * Digests are not numbered consecutively, do not link by hash, or do not cover
		 * consecutive ranges.
		 */
		DIGEST_CHAIN_BROKEN

	}

	/**
	 * The first broken link.
	 *
	 * @param seq the sequence number where the chain breaks
	 * @param digest the digest number when a digest is at fault, else {@code null}
	 */
	public record BrokenLink(Problem problem, long seq, Long digest, String message) {
	}

	/**
	 * Outcome of a verification.
	 *
	 * @param valid whether every check passed
	 * @param eventsChecked events read (up to the first broken link)
	 * @param digestsChecked digests whose every check passed
	 * @param headSeq the sequence number of the chain head
	 * @param firstBrokenLink {@code null} when valid
	 */
	public record Result(boolean valid, long eventsChecked, long digestsChecked, long headSeq,
			BrokenLink firstBrokenLink) {
	}

	/**
	 * Verifies the chain and digests visible through {@code connection}; leaves its
	 * settings as they were.
	 */
	public Result verify(Connection connection) throws SQLException {
		boolean autoCommit = connection.getAutoCommit();
		int isolation = connection.getTransactionIsolation();
		boolean readOnly = connection.isReadOnly();
		connection.setAutoCommit(false);
		connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
		connection.setReadOnly(true);
		try {
			return walk(connection);
		}
		finally {
			connection.rollback();
			connection.setReadOnly(readOnly);
			connection.setTransactionIsolation(isolation);
			connection.setAutoCommit(autoCommit);
		}
	}

	private Result walk(Connection connection) throws SQLException {
		long headSeq;
		String headHash;
		try (PreparedStatement statement = connection.prepareStatement("SELECT seq, hash FROM audit_chain_head");
				ResultSet rs = statement.executeQuery()) {
			if (!rs.next()) {
				return new Result(false, 0, 0, 0,
						new BrokenLink(Problem.HEAD_MISMATCH, 1, null, "the chain head row is missing"));
			}
			headSeq = rs.getLong("seq");
			headHash = rs.getString("hash");
		}
		List<StoredDigest> digests = digests(connection);
		Map<Long, BrokenLink> digestProblems = new HashMap<>();
		Map<Long, List<StoredDigest>> digestsByLastSeq = new HashMap<>();
		long digestsValid = checkDigests(digests, digestProblems, digestsByLastSeq);

		long expected = 1;
		String prevHash = AuditCanonical.GENESIS_HASH;
		long checked = 0;
		BrokenLink genesis = digestAt(0, AuditCanonical.GENESIS_HASH, digestProblems, digestsByLastSeq);
		if (genesis != null) {
			return new Result(false, 0, digestsValid, headSeq, genesis);
		}
		try (PreparedStatement statement = connection
			.prepareStatement("SELECT " + AuditTrail.COLUMNS + " FROM audit_events ORDER BY seq")) {
			statement.setFetchSize(FETCH_SIZE);
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					EventContent event = AuditTrail.content(rs);
					String stored = rs.getString("hash");
					checked++;
					long seq = event.seq();
					if (seq != expected) {
						return broken(checked, digestsValid, headSeq, Problem.MISSING_SEQUENCE, expected, null,
								"event " + expected + " is missing (the next event is " + seq + ")");
					}
					if (seq > headSeq) {
						return broken(checked, digestsValid, headSeq, Problem.HEAD_MISMATCH, seq, null,
								"event " + seq + " lies beyond the chain head (" + headSeq + ")");
					}
					String computed = AuditCanonical.hash(event);
					if (stored == null || !stored.equals(computed)) {
						return broken(checked, digestsValid, headSeq, Problem.CONTENT_HASH_MISMATCH, seq, null,
								"event " + seq + ": stored hash " + stored + " but its content hashes to " + computed);
					}
					if (!prevHash.equals(event.prevHash())) {
						return broken(checked, digestsValid, headSeq, Problem.PREV_HASH_MISMATCH, seq, null,
								"event " + seq + ": prev_hash " + event.prevHash() + " but event " + (seq - 1)
										+ " has hash " + prevHash);
					}
					if (seq == headSeq && !stored.equals(headHash)) {
						return broken(checked, digestsValid, headSeq, Problem.HEAD_MISMATCH, seq, null,
								"the chain head names hash " + headHash + " for event " + seq + ", which has "
										+ stored);
					}
					BrokenLink digest = digestAt(seq, stored, digestProblems, digestsByLastSeq);
					if (digest != null) {
						return new Result(false, checked, digestsValid, headSeq, digest);
					}
					prevHash = stored;
					expected = seq + 1;
				}
			}
		}
		long last = expected - 1;
		if (headSeq > last) {
			return broken(checked, digestsValid, headSeq, Problem.MISSING_SEQUENCE, expected, null, "event " + expected
					+ " is missing: the chain head is at " + headSeq + " but the last event is " + last);
		}
		for (StoredDigest digest : digests) {
			if (digest.content().lastSeq() > last) {
				return broken(checked, digestsValid, headSeq, Problem.MISSING_SEQUENCE, expected,
						digest.content().number(), "event " + expected + " is missing: digest "
								+ digest.content().number() + " covers events up to " + digest.content().lastSeq());
			}
		}
		if (last == 0 && headHash != null && !headHash.equals(AuditCanonical.GENESIS_HASH)) {
			return broken(checked, digestsValid, headSeq, Problem.HEAD_MISMATCH, 0, null,
					"the chain is empty but its head names hash " + headHash);
		}
		return new Result(true, checked, digestsValid, headSeq, null);
	}

	/** Checks of each digest that need no event; problems are keyed by digest number. */
	private long checkDigests(List<StoredDigest> digests, Map<Long, BrokenLink> problems,
			Map<Long, List<StoredDigest>> byLastSeq) {
		long valid = 0;
		String prevDigestHash = AuditCanonical.GENESIS_HASH;
		long prevLast = 0;
		for (int i = 0; i < digests.size(); i++) {
			StoredDigest digest = digests.get(i);
			DigestContent c = digest.content();
			byte[] canonical = AuditCanonical.canonical(c);
			BrokenLink problem = null;
			if (!signatureValid(canonical, digest.signature())) {
				problem = new BrokenLink(Problem.DIGEST_SIGNATURE_INVALID, c.lastSeq(), c.number(),
						"digest " + c.number() + ": the signature does not verify with the public key");
			}
			else if (!AuditCanonical.sha256Hex(canonical).equals(digest.digestHash())) {
				problem = new BrokenLink(Problem.DIGEST_SIGNATURE_INVALID, c.lastSeq(), c.number(),
						"digest " + c.number() + ": stored digest hash does not match its content");
			}
			else if (c.number() != i + 1) {
				problem = new BrokenLink(Problem.DIGEST_CHAIN_BROKEN, c.lastSeq(), c.number(),
						"digest " + (i + 1) + " is missing (the next digest is " + c.number() + ")");
			}
			else if (!c.prevDigestHash().equals(prevDigestHash)) {
				problem = new BrokenLink(Problem.DIGEST_CHAIN_BROKEN, c.lastSeq(), c.number(),
						"digest " + c.number() + " does not link to digest " + i + " (prev_digest_hash differs)");
			}
			else if (c.firstSeq() != prevLast + 1 || c.lastSeq() < prevLast
					|| c.eventCount() != c.lastSeq() - c.firstSeq() + 1) {
				problem = new BrokenLink(Problem.DIGEST_CHAIN_BROKEN, c.lastSeq(), c.number(),
						"digest " + c.number() + " covers events " + c.firstSeq() + ".." + c.lastSeq() + " ("
								+ c.eventCount() + ") but should start at " + (prevLast + 1));
			}
			if (problem != null) {
				problems.put(c.number(), problem);
			}
			else {
				valid++;
			}
			byLastSeq.computeIfAbsent(c.lastSeq(), (k) -> new ArrayList<>()).add(digest);
			prevDigestHash = digest.digestHash();
			prevLast = Math.max(prevLast, c.lastSeq());
		}
		return valid;
	}

	/**
	 * The first problem of the digests ending at {@code seq} (several may: a digest taken
	 * on demand with no new events re-attests the same head), given the hash of the event
	 * there.
	 */
	private static BrokenLink digestAt(long seq, String eventHash, Map<Long, BrokenLink> problems,
			Map<Long, List<StoredDigest>> byLastSeq) {
		for (StoredDigest digest : byLastSeq.getOrDefault(seq, List.of())) {
			long number = digest.content().number();
			BrokenLink problem = problems.get(number);
			if (problem != null) {
				return problem;
			}
			if (!digest.content().headHash().equals(eventHash)) {
				return new BrokenLink(Problem.DIGEST_HEAD_MISMATCH, seq, number,
						"digest " + number + " names head hash " + digest.content().headHash() + " for event " + seq
								+ ", which has " + eventHash);
			}
		}
		return null;
	}

	private boolean signatureValid(byte[] canonical, byte[] signature) {
		try {
			this.signatures.verify(signature, canonical);
			return true;
		}
		catch (GeneralSecurityException ex) {
			return false;
		}
	}

	private static Result broken(long checked, long digests, long headSeq, Problem problem, long seq, Long digest,
			String message) {
		return new Result(false, checked, digests, headSeq, new BrokenLink(problem, seq, digest, message));
	}

	private static List<StoredDigest> digests(Connection connection) throws SQLException {
		List<StoredDigest> digests = new ArrayList<>();
		try (PreparedStatement statement = connection.prepareStatement("SELECT number, first_seq, last_seq, "
				+ "event_count, head_hash, prev_digest_hash, created_at, key_id, digest_hash, signature "
				+ "FROM audit_digests ORDER BY number"); ResultSet rs = statement.executeQuery()) {
			while (rs.next()) {
				digests.add(new StoredDigest(
						new DigestContent(rs.getLong("number"), rs.getLong("first_seq"), rs.getLong("last_seq"),
								rs.getLong("event_count"), rs.getString("head_hash"), rs.getString("prev_digest_hash"),
								rs.getObject("created_at", OffsetDateTime.class).toInstant(), rs.getString("key_id")),
						rs.getString("digest_hash"), rs.getBytes("signature")));
			}
		}
		return digests;
	}

	private record StoredDigest(DigestContent content, String digestHash, byte[] signature) {
	}

}
