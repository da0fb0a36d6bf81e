package dev.warden.platform.quota.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.LongUnaryOperator;

import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.ConsumptionProbe;

/**
 * The quota fast path: a replica takes tokens from a shared (PostgreSQL) bucket in small
 * leases and hands them out to requests from an in-memory counter, so that most requests
 * cost no database transaction. The tokens of a lease are consumed from the shared bucket
 * <em>before</em> any of them admits a request, so leasing never admits more than the
 * shared bucket granted:
 * <ul>
 * <li>a lease's size comes from a {@link LeasePolicy} and shrinks as the shared bucket
 * empties (down to 1, which is the exact, one-transaction-per-request path);</li>
 * <li>a lease may have a time to live: unused tokens of an expired lease are dropped
 * (never used late), which bounds how far the leased tokens can shift in time (used for
 * the per-second rate buckets);</li>
 * <li>unused tokens of leases without a time to live (monthly buckets) are given back to
 * the shared bucket by {@link #returnUnused}, called on shutdown; a replica that dies
 * holding a lease strands at most that lease's tokens (under-admission, never
 * over-admission).</li>
 * </ul>
 * One lease per bucket id and replica; at most one thread per bucket id talks to the
 * database at a time, the others wait for its lease. Thread-safe.
 */
public final class QuotaLeases {

	private final Map<String, Lease> leases = new ConcurrentHashMap<>();

	private final LongNanoClock clock;

	public QuotaLeases(LongNanoClock clock) {
		this.clock = clock;
	}

	/**
	 * Takes one token for the bucket {@code id}; see
	 * {@link #take(String, long, LeasePolicy, Source, long)}.
	 */
	public Outcome take(String id, long version, LeasePolicy policy, Source source) {
		return take(id, version, policy, source, 1);
	}

	/**
	 * Takes {@code tokens} tokens for the bucket {@code id}, all or none: from the
	 * replica's current lease when it has enough left (no database access), otherwise by
	 * leasing from the shared bucket through {@code source}. A lease is never smaller
	 * than the tokens one request needs; tokens of a partial grant that does not cover
	 * the request are given back, so a refused request holds nothing.
	 * @param id the bucket id
	 * @param version the limits the lease is valid for (a lease taken under other limits
	 * is not used: its unused tokens are given back, or dropped for leases with a time to
	 * live)
	 * @param policy lease size (from the shared bucket's last known remaining tokens) and
	 * time to live
	 * @param source takes tokens from the shared bucket
	 * @param tokens what the request costs (at least 1)
	 * @return the outcome; {@code remaining} is the shared bucket's remaining tokens at
	 * the last lease plus this replica's unused leased tokens
	 */
	public Outcome take(String id, long version, LeasePolicy policy, Source source, long tokens) {
		if (tokens < 1) {
			throw new IllegalArgumentException("a request costs at least one token, not " + tokens);
		}
		if (policy == LeasePolicy.EXACT) {
			// no lease and no lock: concurrent callers share the proxy's batched
			// transactions
			Grant grant = covering(source, source.lease(tokens), tokens);
			return new Outcome(grant.granted() > 0, grant.remaining(), grant.probe());
		}
		Lease lease = this.leases.computeIfAbsent(id, (key) -> new Lease());
		Outcome fast = lease.takeLocal(this.clock.nanoTime(), version, tokens);
		if (fast != null) {
			return fast;
		}
		synchronized (lease) {
			long now = this.clock.nanoTime();
			fast = lease.takeLocal(now, version, tokens);
			if (fast != null) {
				return fast;
			}
			if (lease.version != version) {
				long stale = lease.available.getAndSet(0);
				if (stale > 0 && lease.expiresAt == Long.MAX_VALUE) {
					source.giveBack(stale);
				}
				lease.sharedRemaining = -1;
			}
			// what is left of a live lease (fewer tokens than this request costs) counts
			// towards it
			long held = (lease.version == version && now < lease.expiresAt) ? lease.available.getAndSet(0) : 0;
			long need = tokens - held;
			long size = Math.max(need, policy.leaseSize().applyAsLong(lease.sharedRemaining));
			Grant grant = covering(source, source.lease(size), need);
			if (grant.granted() == 0 && size > need) {
				// not enough left for a lease: fall back to the exact path for this one
				// request
				grant = covering(source, source.lease(need), need);
			}
			lease.sharedRemaining = grant.remaining();
			lease.lastProbe = grant.probe();
			lease.version = version;
			if (grant.granted() == 0) {
				// refused: the held tokens stay in the lease for cheaper requests
				lease.available.set(held);
				return new Outcome(false, grant.remaining() + held, grant.probe());
			}
			// the request's tokens come out of the lease, the rest wait in memory
			lease.expiresAt = (policy.timeToLiveNanos() > 0) ? now + policy.timeToLiveNanos() : Long.MAX_VALUE;
			lease.available.set(held + grant.granted() - tokens);
			return new Outcome(true, grant.remaining() + held + grant.granted() - tokens, grant.probe());
		}
	}

	/**
	 * The grant when it covers the request; otherwise gives a partial grant back and
	 * answers "none granted".
	 */
	private static Grant covering(Source source, Grant grant, long tokens) {
		if (grant.granted() >= tokens) {
			return grant;
		}
		if (grant.granted() > 0) {
			source.giveBack(grant.granted());
			return new Grant(0, grant.remaining() + grant.granted(), grant.probe());
		}
		return grant;
	}

	/**
	 * Gives the unused tokens of this replica's leases without a time to live back to
	 * their shared buckets and forgets all leases. Called on shutdown; best effort (a
	 * failure leaves those tokens stranded).
	 * @param bucket supplies the shared bucket's proxy for an id ({@code null} when it is
	 * not known any more)
	 * @param returnable which bucket ids' tokens may be returned (those without a time to
	 * live)
	 * @return the number of tokens given back
	 */
	public long returnUnused(Function<String, BucketProxy> bucket, Predicate<String> returnable) {
		long returned = 0;
		for (Map.Entry<String, Lease> entry : this.leases.entrySet()) {
			Lease lease = entry.getValue();
			synchronized (lease) {
				long unused = lease.available.getAndSet(0);
				BucketProxy shared = (unused > 0 && returnable.test(entry.getKey())
						&& lease.expiresAt == Long.MAX_VALUE) ? bucket.apply(entry.getKey()) : null;
				if (shared != null) {
					shared.addTokens(unused);
					returned += unused;
				}
			}
		}
		this.leases.clear();
		return returned;
	}

	/** Drops the leases whose ids match (their unused tokens are not returned). */
	public void forget(Predicate<String> ids) {
		this.leases.keySet().removeIf(ids);
	}

	/**
	 * Unused leased tokens held by this replica for {@code id} (0 when none or expired).
	 */
	public long unused(String id) {
		Lease lease = this.leases.get(id);
		return (lease == null || this.clock.nanoTime() >= lease.expiresAt) ? 0 : Math.max(0, lease.available.get());
	}

	/** Takes tokens from, and gives tokens back to, one shared bucket. */
	public interface Source {

		/**
		 * Takes up to {@code tokens} tokens (all or, for counters near their limit,
		 * fewer; 0 = refused).
		 */
		Grant lease(long tokens);

		/** Gives unused leased tokens back. */
		void giveBack(long tokens);

	}

	/**
	 * @param granted tokens taken (0 = none: the request is refused)
	 * @param remaining what the shared bucket still admits after this grant
	 * @param probe the shared bucket's probe (reset and refill times)
	 */
	public record Grant(long granted, long remaining, ConsumptionProbe probe) {
	}

	/**
	 * How to lease from one bucket.
	 *
	 * @param leaseSize maps the shared bucket's last known remaining tokens ({@code -1}
	 * before the first lease) to the number of tokens to lease (values below 1 mean 1)
	 * @param timeToLiveNanos how long leased tokens stay usable; 0 = until used or
	 * returned
	 */
	public record LeasePolicy(LongUnaryOperator leaseSize, long timeToLiveNanos) {

		/** One token per transaction: the exact path. */
		public static final LeasePolicy EXACT = new LeasePolicy((remaining) -> 1, 0);

	}

	/**
	 * @param consumed whether the request was admitted
	 * @param remaining tokens left: shared bucket at the last lease plus this replica's
	 * unused leased tokens
	 * @param probe the shared bucket's last probe (for reset / refill times), never
	 * {@code null}
	 */
	public record Outcome(boolean consumed, long remaining, ConsumptionProbe probe) {
	}

	/** Monotonic time source, replaceable in tests. */
	@FunctionalInterface
	public interface LongNanoClock {

		long nanoTime();

		LongNanoClock SYSTEM = System::nanoTime;

	}

	private static final class Lease {

		final AtomicLong available = new AtomicLong();

		volatile long expiresAt;

		volatile long sharedRemaining = -1;

		volatile long version;

		volatile ConsumptionProbe lastProbe;

		Outcome takeLocal(long now, long version, long tokens) {
			if (now >= this.expiresAt || version != this.version) {
				return null;
			}
			while (true) {
				long left = this.available.get();
				if (left < tokens) {
					return null;
				}
				if (this.available.compareAndSet(left, left - tokens)) {
					return new Outcome(true, this.sharedRemaining + left - tokens, this.lastProbe);
				}
			}
		}

	}

}
