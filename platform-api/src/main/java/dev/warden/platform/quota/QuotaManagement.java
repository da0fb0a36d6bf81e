package dev.warden.platform.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.BucketNotFoundException;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.RemoteBucketBuilder;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.warden.platform.quota.internal.AsyncCommitDataSource;
import dev.warden.platform.quota.internal.QuotaLeases;

/**
 * Quotas enforced with Bucket4j buckets whose state lives in PostgreSQL (table
 * {@code quota_buckets}, Bucket4j's select-for-update proxy manager), so every gateway
 * replica draws from the same buckets and limits are exact across replicas:
 * <ul>
 * <li>rate: one bucket per API key, capacity {@code burst}, greedy refill
 * {@code requests_per_second} per second;</li>
 * <li>monthly: one counter bucket per tenant and calendar month (UTC) whose spent tokens
 * are the requests admitted this month; a request is admitted while the count stays
 * within {@code requests_per_month} (a request that would pass it is given back and
 * refused). The limit is applied when counting, not stored in the bucket, so a changed
 * quota applies to the very next request and the requests already used this month stay
 * used.</li>
 * </ul>
 * A key with a {@linkplain QuotaOverride quota override} is limited by
 * {@code min(plan, override)} per field, and by a monthly bucket of its own when the
 * override has {@code requests_per_month}.
 * <p>
 * The rate bucket is consumed first, then the key's monthly bucket, then the tenant's,
 * each only when the previous allowed the request, so a request refused for its rate
 * never spends monthly quota. Bucket proxies are cached per bucket id and use
 * {@link Optimizations#batching()}: concurrent consumes of one bucket on one replica
 * share one transaction. On top of them, {@link QuotaLeases} takes tokens in small leases
 * (taken from the shared buckets before they admit anything, so never over-admitting the
 * monthly quota; see {@link QuotaLeaseProperties} and docs/gateway.md for the bounds).
 * <p>
 * <b>Changed limits.</b> A bucket's id never contains its limits; its configuration is
 * <em>versioned</em> instead (Bucket4j's implicit configuration replacement): the version
 * is the newest of the plans' version (when the current {@code quotas.yaml} was
 * recorded), the tenant's {@code updated_at} (plan moves) and the key's
 * {@code quota_updated_at} (override changes), all in microseconds of the database clock,
 * so every replica computes the same version. A consume whose version is newer than the
 * stored one replaces the stored configuration in the same transaction; an older
 * replica's (smaller) version never downgrades it. Rate buckets inherit their tokens
 * {@link TokensInheritanceStrategy#AS_IS as is}, capped by the new burst: a lowered limit
 * grants no fresh burst (a bucket id with a fingerprint of the limits would, and would
 * leave a row behind per change). Monthly counters need no replacement (see above).
 * Thread-safe.
 */
@Service
public class QuotaManagement {

	/** The limit named in a refusal: the key's rate bucket. */
	public static final String RATE = "rate";

	/** The limit named in a refusal: the tenant's monthly quota. */
	public static final String MONTHLY = "monthly";

	/** The limit named in a refusal: the key's own monthly quota (from its override). */
	public static final String KEY_MONTHLY = "key_monthly";

	private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

	/** Capacity of a monthly counter bucket: far above any monthly quota. */
	static final long MONTHLY_COUNTER_CAPACITY = 1L << 50;

	private final QuotaPlans plans;

	private final ProxyManager<String> proxies;

	private final Clock clock;

	private final JdbcClient jdbc;

	/**
	 * Optimised (batching) proxies by bucket id, with the configuration version they were
	 * built for.
	 */
	private final ConcurrentMap<String, Cached> buckets = new ConcurrentHashMap<>();

	private final QuotaLeases leases = new QuotaLeases(QuotaLeases.LongNanoClock.SYSTEM);

	private final QuotaLeaseProperties leasing;

	@Autowired
	QuotaManagement(QuotaPlans plans, DataSource dataSource, QuotaProperties properties, JdbcClient jdbc,
			QuotaLeaseProperties leasing) {
		this(plans,
				Bucket4jPostgreSQL
					.selectForUpdateBasedBuilder(
							properties.durableCommit() ? dataSource : new AsyncCommitDataSource(dataSource))
					.primaryKeyMapper(PrimaryKeyMapper.STRING)
					.table("quota_buckets")
					.idColumn("id")
					.stateColumn("state")
					.build(),
				Clock.systemUTC(), jdbc, leasing);
	}

	QuotaManagement(QuotaPlans plans, ProxyManager<String> proxies, Clock clock, JdbcClient jdbc) {
		this(plans, proxies, clock, jdbc, QuotaLeaseProperties.exact());
	}

	QuotaManagement(QuotaPlans plans, ProxyManager<String> proxies, Clock clock, JdbcClient jdbc,
			QuotaLeaseProperties leasing) {
		this.plans = plans;
		this.proxies = proxies;
		this.clock = clock;
		this.jdbc = jdbc;
		this.leasing = leasing;
	}

	/** The plan, falling back to the default plan for an unknown name. */
	public QuotaPlan plan(String name) {
		return this.plans.find(name).orElseGet(() -> this.plans.find(this.plans.defaultPlan()).orElseThrow());
	}

	/**
	 * The limits that apply to a key of a tenant on the named plan:
	 * {@code min(plan, override)} per field.
	 */
	public QuotaPlan effectivePlan(String planName, QuotaOverride override) {
		return override.applyTo(plan(planName));
	}

	/**
	 * Same as {@link #consume(UUID, UUID, String, QuotaOverride, long)} for a key without
	 * override.
	 */
	public Decision consume(UUID apiKeyId, UUID tenantId, String planName) {
		return consume(apiKeyId, tenantId, planName, QuotaOverride.NONE, 0);
	}

	/**
	 * Takes one request from the key's rate bucket and, when that allows it, from the
	 * key's monthly bucket (if its override has one) and the tenant's monthly bucket.
	 * Blocks for one database transaction per bucket (shared with concurrent callers of
	 * the same bucket).
	 * @param configVersion the newer of the tenant's {@code updated_at} and the key's
	 * {@code quota_updated_at}, in microseconds since the epoch (0 if neither is set)
	 * @throws RuntimeException when the database cannot be reached (the caller answers
	 * 5xx; nothing is admitted)
	 */
	public Decision consume(UUID apiKeyId, UUID tenantId, String planName, QuotaOverride override, long configVersion) {
		return consume(apiKeyId, tenantId, planName, override, configVersion, 1);
	}

	/**
	 * Takes {@code cost} requests at once (all or none) from the key's rate bucket and,
	 * when that allows it, from the monthly buckets; otherwise as
	 * {@link #consume(UUID, UUID, String, QuotaOverride, long)}. An explanation costs the
	 * plan's {@link QuotaPlan#explainCost()}.
	 * @param cost requests of quota this request costs, from 1 to the plan's burst
	 */
	public Decision consume(UUID apiKeyId, UUID tenantId, String planName, QuotaOverride override, long configVersion,
			long cost) {
		QuotaPlan base = plan(planName);
		QuotaPlan plan = override.applyTo(base);
		long version = Math.max(this.plans.version(), configVersion);
		boolean rateOverridden = plan.requestsPerSecond() != base.requestsPerSecond() || plan.burst() != base.burst();
		String rateId = rateId(apiKeyId);
		Supplier<BucketConfiguration> rateConfiguration = () -> rateConfiguration(plan);
		QuotaLeases.Outcome rate = this.leases.take(rateId, version, ratePolicy(plan), new QuotaLeases.Source() {

			@Override
			public QuotaLeases.Grant lease(long tokens) {
				ConsumptionProbe probe = tryConsume(rateId, version, TokensInheritanceStrategy.AS_IS, rateConfiguration,
						tokens);
				return new QuotaLeases.Grant(probe.isConsumed() ? tokens : 0, probe.getRemainingTokens(), probe);
			}

			@Override
			public void giveBack(long tokens) {
				// rate leases expire instead
			}

		}, cost);
		long rateReset = ceilSeconds(rate.probe().getNanosToWaitForReset());
		if (!rate.consumed()) {
			long retryAfter = Math.max(1, ceilSeconds(rate.probe().getNanosToWaitForRefill()));
			String message = "rate limit exceeded: "
					+ (rateOverridden ? "this key's quota override allows " : "plan '" + plan.name() + "' allows ")
					+ plan.requestsPerSecond() + " requests/second with a burst of " + plan.burst() + costs(cost)
					+ "; retry after " + retryAfter + " s";
			return new Decision(false, RATE, plan, plan.burst(), 0, retryAfter, retryAfter,
					this.clock.instant().plusSeconds(retryAfter), message);
		}
		Decision allowed = new Decision(true, null, plan, plan.burst(), rate.remaining(), rateReset, 0, null, null);
		long keyMonthly = override.keyMonthly(base);
		if (keyMonthly == 0 && !plan.hasMonthlyQuota()) {
			return allowed;
		}
		Month month = Month.of(this.clock.instant());
		if (keyMonthly > 0) {
			long used = consumeMonthly(keyMonthId(apiKeyId, month.month()), keyMonthly, month, cost);
			if (used > keyMonthly) {
				return new Decision(false, KEY_MONTHLY, plan, keyMonthly, 0, month.secondsLeft(), month.secondsLeft(),
						month.next(),
						"monthly quota of this key exceeded: its quota override allows " + keyMonthly
								+ " requests per calendar month (UTC)" + costs(cost) + "; it resets at "
								+ month.next());
			}
			allowed = closer(allowed, keyMonthly, keyMonthly - used, month);
		}
		if (plan.hasMonthlyQuota()) {
			long used = consumeMonthly(monthId(tenantId, month.month()), plan.requestsPerMonth(), month, cost);
			if (used > plan.requestsPerMonth()) {
				return new Decision(false, MONTHLY, plan, plan.requestsPerMonth(), 0, month.secondsLeft(),
						month.secondsLeft(), month.next(),
						"monthly quota exceeded: plan '" + plan.name() + "' allows " + plan.requestsPerMonth()
								+ " requests per calendar month (UTC)" + costs(cost) + "; it resets at "
								+ month.next());
			}
			allowed = closer(allowed, plan.requestsPerMonth(), plan.requestsPerMonth() - used, month);
		}
		return allowed;
	}

	private static String costs(long cost) {
		return (cost > 1) ? ", and this request costs " + cost + " requests (an explanation)" : "";
	}

	/**
	 * Counts {@code cost} requests in a monthly counter bucket unless that would pass the
	 * limit.
	 * @return the requests counted this month including this one when it was admitted
	 * ({@code <= limit}), or {@code limit + 1} when it was refused (and not counted)
	 */
	private long consumeMonthly(String id, long limit, Month month, long cost) {
		Supplier<BucketConfiguration> configuration = () -> counterConfiguration(month);
		// a lease is valid for one limit: a changed quota starts a new lease (the old
		// one's tokens are given back)
		QuotaLeases.Outcome outcome = this.leases.take(id, limit, monthlyPolicy(), new QuotaLeases.Source() {

			@Override
			public QuotaLeases.Grant lease(long tokens) {
				ConsumptionProbe probe = tryConsume(id, -1, null, configuration, tokens);
				if (!probe.isConsumed()) {
					return new QuotaLeases.Grant(0, 0, probe);
				}
				long used = MONTHLY_COUNTER_CAPACITY - probe.getRemainingTokens();
				// over the limit: give the excess back, so that the counter holds only
				// admitted (or leased) requests
				// (a concurrent request may see the count too high until then and be
				// refused: never over-admission)
				long excess = Math.min(tokens, Math.max(0, used - limit));
				if (excess > 0) {
					giveBack(excess);
				}
				return new QuotaLeases.Grant(tokens - excess, Math.max(0, limit - (used - excess)), probe);
			}

			@Override
			public void giveBack(long tokens) {
				Cached cached = QuotaManagement.this.buckets.get(id);
				(cached != null ? cached.bucket() : QuotaManagement.this.proxies.builder().build(id, configuration))
					.addTokens(tokens);
			}

		}, cost);
		return outcome.consumed() ? limit - outcome.remaining() : limit + 1;
	}

	/**
	 * Rate leases: at most {@code rateShare} of the burst and of one second's refill, at
	 * most a quarter of what the shared bucket had left, usable for
	 * {@code rateTimeToLive}. Small plans (burst or rate under 2 / rateShare) always take
	 * 1: the exact path.
	 */
	private QuotaLeases.LeasePolicy ratePolicy(QuotaPlan plan) {
		long cap = Math.min(this.leasing.maxTokens(),
				(long) Math.floor(Math.min(plan.burst(), plan.requestsPerSecond()) * this.leasing.rateShare()));
		if (cap <= 1) {
			return QuotaLeases.LeasePolicy.EXACT;
		}
		return new QuotaLeases.LeasePolicy((remaining) -> (remaining < 0) ? 1 : Math.min(cap, remaining / 4),
				this.leasing.rateTimeToLive().toNanos());
	}

	/**
	 * Monthly leases: at most {@code monthlyShare} of the remaining monthly requests; no
	 * time to live.
	 */
	private QuotaLeases.LeasePolicy monthlyPolicy() {
		long max = this.leasing.maxTokens();
		if (max <= 1) {
			return QuotaLeases.LeasePolicy.EXACT;
		}
		double share = this.leasing.monthlyShare();
		return new QuotaLeases.LeasePolicy(
				(remaining) -> (remaining < 0) ? 1 : Math.min(max, (long) Math.floor(remaining * share)), 0);
	}

	/**
	 * Gives this replica's unused monthly lease tokens back to the shared counters (rate
	 * tokens are dropped: they refill anyway). Runs on shutdown, before the data source
	 * closes.
	 */
	@PreDestroy
	void returnUnusedLeases() {
		try {
			this.leases.returnUnused((id) -> {
				Cached cached = this.buckets.get(id);
				return (cached != null) ? cached.bucket() : null;
			}, (id) -> id.contains("month-count:"));
		}
		catch (RuntimeException ex) {
			// database already gone: the unused tokens of this replica's leases stay
			// counted (under-admission)
		}
	}

	/** The headers describe whichever limit is closer to exhaustion. */
	private static Decision closer(Decision current, long limit, long remaining, Month month) {
		if (remaining < current.remaining()) {
			return new Decision(true, null, current.plan(), limit, remaining, month.secondsLeft(), 0, null, null);
		}
		return current;
	}

	/**
	 * What is left of a key's quotas, without consuming anything (for usage reports).
	 * Looks up the tenant's plan and the key's override (one query), then reads the
	 * buckets; a bucket that does not exist yet is reported full and is not created.
	 * @param apiKeyId a key of the tenant, or {@code null} for the tenant's monthly quota
	 * only
	 * @throws IllegalArgumentException if the key does not belong to the tenant or the
	 * tenant does not exist
	 */
	public Remaining remaining(UUID tenantId, UUID apiKeyId) {
		if (apiKeyId == null) {
			String planName = this.jdbc.sql("SELECT plan FROM tenants WHERE id = :tenant")
				.param("tenant", tenantId)
				.query(String.class)
				.optional()
				.orElseThrow(() -> new IllegalArgumentException("no tenant " + tenantId));
			return remaining(tenantId, null, planName, QuotaOverride.NONE);
		}
		return this.jdbc
			.sql("SELECT t.plan, k.quota_requests_per_second, k.quota_burst, k.quota_requests_per_month, "
					+ "k.quota_max_request_bytes, k.quota_max_rows_per_request FROM api_keys k "
					+ "JOIN tenants t ON t.id = k.tenant_id WHERE k.id = :key AND k.tenant_id = :tenant")
			.param("key", apiKeyId)
			.param("tenant", tenantId)
			.query((rs, row) -> remaining(tenantId, apiKeyId, rs.getString("plan"),
					new QuotaOverride(rs.getObject("quota_requests_per_second", Long.class),
							rs.getObject("quota_burst", Long.class),
							rs.getObject("quota_requests_per_month", Long.class),
							rs.getObject("quota_max_request_bytes", Long.class),
							rs.getObject("quota_max_rows_per_request", Long.class))))
			.optional()
			.orElseThrow(() -> new IllegalArgumentException("no API key " + apiKeyId + " of tenant " + tenantId));
	}

	/**
	 * {@link #remaining(UUID, UUID)} when the caller already knows the plan and the
	 * override.
	 */
	public Remaining remaining(UUID tenantId, UUID apiKeyId, String planName, QuotaOverride override) {
		QuotaPlan base = plan(planName);
		QuotaPlan plan = override.applyTo(base);
		Month month = Month.of(this.clock.instant());
		long rate = -1;
		if (apiKeyId != null) {
			rate = available(rateId(apiKeyId), () -> rateConfiguration(plan), plan.burst());
		}
		long keyMonthly = override.keyMonthly(base);
		long keyMonthlyLeft = -1;
		if (apiKeyId != null && keyMonthly > 0) {
			String id = keyMonthId(apiKeyId, month.month());
			// tokens this replica leased but has not used yet are still available to the
			// key
			keyMonthlyLeft = Math.max(0, keyMonthly - used(id, month) + this.leases.unused(id));
		}
		long monthlyLeft = -1;
		if (plan.hasMonthlyQuota()) {
			long used = used(monthId(tenantId, month.month()), month);
			monthlyLeft = Math.max(0,
					plan.requestsPerMonth() - used + this.leases.unused(monthId(tenantId, month.month())));
		}
		return new Remaining(plan, rate, keyMonthlyLeft, monthlyLeft, month.next());
	}

	private long available(String id, Supplier<BucketConfiguration> configuration, long full) {
		if (this.proxies.getProxyConfiguration(id).isEmpty()) {
			return full;
		}
		return this.proxies.builder().build(id, configuration).getAvailableTokens();
	}

	/**
	 * Requests counted in a monthly counter bucket; 0 when it does not exist (it is not
	 * created).
	 */
	private long used(String id, Month month) {
		long available = available(id, () -> counterConfiguration(month), MONTHLY_COUNTER_CAPACITY);
		return MONTHLY_COUNTER_CAPACITY - available;
	}

	/**
	 * @param version the configuration version, or -1 for a bucket whose configuration
	 * never changes
	 * @param inheritance how tokens are carried into a replaced configuration
	 * ({@code null} with version -1)
	 * @param tokens how many tokens to take (more than 1 for a lease)
	 */
	private ConsumptionProbe tryConsume(String id, long version, TokensInheritanceStrategy inheritance,
			Supplier<BucketConfiguration> configuration, long tokens) {
		Cached cached = this.buckets.get(id);
		if (cached == null || cached.version() != version) {
			cached = this.buckets.compute(id, (key, existing) -> {
				if (existing != null && existing.version() == version) {
					return existing;
				}
				// create the bucket's row (or replace its configuration) explicitly
				// without the optimisation: a
				// batching proxy's first burst on a missing bucket can fail with
				// BucketNotFoundException
				versioned(version, inheritance).build(key, configuration).getAvailableTokens();
				if (existing == null && key.contains("month-count:")) {
					forgetOtherMonths(key.substring(key.lastIndexOf(':')));
				}
				return new Cached(version, versioned(version, inheritance).withOptimization(Optimizations.batching())
					.build(key, configuration));
			});
		}
		try {
			return cached.bucket().tryConsumeAndReturnRemaining(tokens);
		}
		catch (BucketNotFoundException ex) {
			// the row was deleted behind our back: recreate it through a plain proxy
			// (same transaction semantics)
			return versioned(version, inheritance).build(id, configuration).tryConsumeAndReturnRemaining(tokens);
		}
	}

	private RemoteBucketBuilder<String> versioned(long version, TokensInheritanceStrategy inheritance) {
		return (version < 0) ? this.proxies.builder()
				: this.proxies.builder().withImplicitConfigurationReplacement(version, inheritance);
	}

	/** Drops cached proxies of earlier months (their buckets are never used again). */
	private void forgetOtherMonths(String monthSuffix) {
		this.buckets.keySet().removeIf((key) -> key.contains("month-count:") && !key.endsWith(monthSuffix));
		this.leases.forget((key) -> key.contains("month-count:") && !key.endsWith(monthSuffix));
	}

	static String rateId(UUID apiKeyId) {
		return "rate:" + apiKeyId;
	}

	static String monthId(UUID tenantId, YearMonth month) {
		return "month-count:" + tenantId + ":" + month;
	}

	static String keyMonthId(UUID apiKeyId, YearMonth month) {
		return "key-month-count:" + apiKeyId + ":" + month;
	}

	static BucketConfiguration rateConfiguration(QuotaPlan plan) {
		return BucketConfiguration.builder()
			.addLimit(Bandwidth.builder()
				.capacity(plan.burst())
				.refillGreedy(plan.requestsPerSecond(), Duration.ofSeconds(1))
				.id(RATE)
				.build())
			.build();
	}

	/**
	 * A monthly counter: a bucket of {@link #MONTHLY_COUNTER_CAPACITY} tokens whose spent
	 * tokens are the requests admitted this month. Its only refill is aligned to the
	 * first instant of the next month, when the next month's bucket has taken over.
	 */
	static BucketConfiguration counterConfiguration(Month month) {
		return BucketConfiguration.builder()
			.addLimit(Bandwidth.builder()
				.capacity(MONTHLY_COUNTER_CAPACITY)
				.refillIntervallyAligned(MONTHLY_COUNTER_CAPACITY, month.length(), month.next())
				.id(MONTHLY)
				.build())
			.build();
	}

	private static long ceilSeconds(long nanos) {
		return (nanos <= 0) ? 0 : (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
	}

	/**
	 * The calendar month (UTC) of an instant, with its length and the seconds left in it.
	 */
	record Month(YearMonth month, Instant now) {

		static Month of(Instant now) {
			return new Month(YearMonth.from(now.atOffset(ZoneOffset.UTC)), now);
		}

		Instant start() {
			return this.month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
		}

		Instant next() {
			return this.month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
		}

		Duration length() {
			return Duration.between(start(), next());
		}

		long secondsLeft() {
			return Math.max(1, ceilSeconds(Duration.between(this.now, next()).toNanos()));
		}

	}

	private record Cached(long version, BucketProxy bucket) {
	}

	/**
	 * Outcome of one consume.
	 *
	 * @param allowed whether the request may proceed
	 * @param limitHit {@link #RATE}, {@link #KEY_MONTHLY} or {@link #MONTHLY} when
	 * refused, {@code null} when allowed
	 * @param plan the limits applied: the plan with the key's override ({@code min} per
	 * field)
	 * @param limit the limit the headers describe: {@code burst}, or a monthly quota when
	 * it is closer to exhaustion or was hit
	 * @param remaining requests left under that limit after this one
	 * @param resetSeconds seconds until that limit is fully available again
	 * @param retryAfterSeconds when refused, seconds to wait (>= 1); 0 when allowed
	 * @param resetsAt when refused, the instant the limit that was hit admits a request
	 * again; {@code null} when allowed
	 * @param message when refused, the error message naming the limit; {@code null} when
	 * allowed
	 */
	public record Decision(boolean allowed, String limitHit, QuotaPlan plan, long limit, long remaining,
			long resetSeconds, long retryAfterSeconds, Instant resetsAt, String message) {
	}

	/**
	 * What is left of a key's and its tenant's quotas; {@code -1} where there is no such
	 * limit.
	 *
	 * @param plan the limits that apply (plan with the key's override)
	 * @param rateTokens requests the key may send at once now (its rate bucket); -1 when
	 * no key was given
	 * @param keyMonthlyRemaining requests left this month under the key's own monthly
	 * quota
	 * @param monthlyRemaining requests left this month under the tenant's monthly quota
	 * @param monthResetsAt when the monthly quotas start again (the first instant of the
	 * next month, UTC)
	 */
	public record Remaining(QuotaPlan plan, long rateTokens, long keyMonthlyRemaining, long monthlyRemaining,
			Instant monthResetsAt) {
	}

}
