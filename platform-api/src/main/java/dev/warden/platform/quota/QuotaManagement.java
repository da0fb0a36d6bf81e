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

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.BucketNotFoundException;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Quotas enforced with Bucket4j buckets whose state lives in PostgreSQL (table {@code quota_buckets}, Bucket4j's
 * select-for-update proxy manager), so every gateway replica draws from the same buckets and limits are exact
 * across replicas:
 * <ul>
 * <li>rate: one bucket per API key, capacity {@code burst}, greedy refill {@code requests_per_second} per
 * second;</li>
 * <li>monthly: one bucket per tenant and calendar month (UTC), capacity {@code requests_per_month}, no refill
 * within the month (its aligned refill falls on the first instant of the next month, when the next month's bucket
 * takes over anyway).</li>
 * </ul>
 * The rate bucket is consumed first and the monthly one only when the rate allowed the request, so a request
 * refused for its rate never spends monthly quota. Bucket proxies are cached per bucket id and use
 * {@link Optimizations#batching()}: concurrent consumes of one bucket on one replica share one transaction. On top
 * of them, {@link QuotaLeases} takes tokens in small leases (consumed from the shared bucket before they admit
 * anything, so never over-admitting the monthly quota; see {@link QuotaLeaseProperties} and docs/gateway.md for the
 * bounds). Thread-safe.
 */
@Service
public class QuotaManagement {

	/** The limit named in a refusal. */
	public static final String RATE = "rate";

	/** The limit named in a refusal. */
	public static final String MONTHLY = "monthly";

	private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

	private final QuotaPlans plans;

	private final ProxyManager<String> proxies;

	private final Clock clock;

	/** Optimised (batching) proxies by bucket id; created once per id and replica. */
	private final ConcurrentMap<String, BucketProxy> buckets = new ConcurrentHashMap<>();

	private final QuotaLeases leases = new QuotaLeases(QuotaLeases.LongNanoClock.SYSTEM);

	private final QuotaLeaseProperties leasing;

	@Autowired
	QuotaManagement(QuotaPlans plans, DataSource dataSource, QuotaProperties properties,
			QuotaLeaseProperties leasing) {
		this(plans, Bucket4jPostgreSQL.selectForUpdateBasedBuilder(
				properties.durableCommit() ? dataSource : new AsyncCommitDataSource(dataSource))
			.primaryKeyMapper(PrimaryKeyMapper.STRING)
			.table("quota_buckets")
			.idColumn("id")
			.stateColumn("state")
			.build(), Clock.systemUTC(), leasing);
	}

	QuotaManagement(QuotaPlans plans, ProxyManager<String> proxies, Clock clock) {
		this(plans, proxies, clock, QuotaLeaseProperties.exact());
	}

	QuotaManagement(QuotaPlans plans, ProxyManager<String> proxies, Clock clock, QuotaLeaseProperties leasing) {
		this.plans = plans;
		this.proxies = proxies;
		this.clock = clock;
		this.leasing = leasing;
	}

	/** The plan, falling back to the default plan for an unknown name. */
	public QuotaPlan plan(String name) {
		return this.plans.find(name).orElseGet(() -> this.plans.find(this.plans.defaultPlan()).orElseThrow());
	}

	/**
	 * Takes one request from the key's rate bucket and, when that allows it, from the tenant's monthly bucket.
	 * Blocks for one database transaction (shared with concurrent callers of the same bucket).
	 * @throws RuntimeException when the database cannot be reached (the caller answers 5xx; nothing is admitted)
	 */
	public Decision consume(UUID apiKeyId, UUID tenantId, String planName) {
		QuotaPlan plan = plan(planName);
		String rateId = "rate:" + apiKeyId + ":" + plan.requestsPerSecond() + "/" + plan.burst();
		QuotaLeases.Outcome rate = tryConsume(rateId, () -> rateConfiguration(plan), ratePolicy(plan));
		long rateReset = ceilSeconds(rate.probe().getNanosToWaitForReset());
		if (!rate.consumed()) {
			long retryAfter = Math.max(1, ceilSeconds(rate.probe().getNanosToWaitForRefill()));
			return new Decision(false, RATE, plan, plan.burst(), 0, retryAfter, retryAfter,
					this.clock.instant().plusSeconds(retryAfter));
		}
		if (!plan.hasMonthlyQuota()) {
			return new Decision(true, null, plan, plan.burst(), rate.remaining(), rateReset, 0, null);
		}
		Instant now = this.clock.instant();
		YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
		Instant monthStart = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
		Instant nextMonth = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
		String monthlyId = "month:" + tenantId + ":" + month;
		QuotaLeases.Outcome monthly = tryConsume(monthlyId,
				() -> monthlyConfiguration(plan, Duration.between(monthStart, nextMonth), nextMonth), monthlyPolicy());
		long untilNextMonth = Math.max(1, ceilSeconds(Duration.between(now, nextMonth).toNanos()));
		if (!monthly.consumed()) {
			return new Decision(false, MONTHLY, plan, plan.requestsPerMonth(), 0, untilNextMonth, untilNextMonth,
					nextMonth);
		}
		// the headers describe whichever limit is closer to exhaustion
		if (monthly.remaining() < rate.remaining()) {
			return new Decision(true, null, plan, plan.requestsPerMonth(), monthly.remaining(), untilNextMonth, 0,
					null);
		}
		return new Decision(true, null, plan, plan.burst(), rate.remaining(), rateReset, 0, null);
	}

	/**
	 * Rate leases: at most {@code rateShare} of the burst and of one second's refill, at most a quarter of what the
	 * shared bucket had left, usable for {@code rateTimeToLive}. Small plans (burst or rate under 10 / rateShare)
	 * always take 1: the exact path.
	 */
	private QuotaLeases.LeasePolicy ratePolicy(QuotaPlan plan) {
		long cap = Math.min(this.leasing.maxTokens(), (long) Math.floor(
				Math.min(plan.burst(), plan.requestsPerSecond()) * this.leasing.rateShare()));
		if (cap <= 1) {
			return QuotaLeases.LeasePolicy.EXACT;
		}
		return new QuotaLeases.LeasePolicy((remaining) -> (remaining < 0) ? 1 : Math.min(cap, remaining / 4),
				this.leasing.rateTimeToLive().toNanos());
	}

	/** Monthly leases: at most {@code monthlyShare} of the remaining monthly requests; no time to live. */
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
	 * Gives this replica's unused monthly lease tokens back to the shared buckets (rate tokens are dropped: they
	 * refill anyway). Runs on shutdown.
	 */
	@PreDestroy
	void returnUnusedLeases() {
		try {
			this.leases.returnUnused(this.buckets::get, (id) -> id.startsWith("month:"));
		}
		catch (RuntimeException ex) {
			// database already gone: the unused tokens of this replica's leases stay consumed (under-admission)
		}
	}

	private QuotaLeases.Outcome tryConsume(String id,
			java.util.function.Supplier<BucketConfiguration> configuration, QuotaLeases.LeasePolicy policy) {
		try {
			return this.leases.take(id, (key) -> proxy(key, configuration), policy);
		}
		catch (BucketNotFoundException ex) {
			// the row was deleted behind our back: recreate it through a plain proxy (same transaction semantics)
			this.buckets.remove(id);
			ConsumptionProbe probe = this.proxies.builder().build(id, configuration).tryConsumeAndReturnRemaining(1);
			return new QuotaLeases.Outcome(probe.isConsumed(), probe.getRemainingTokens(), probe);
		}
	}

	private BucketProxy proxy(String id, java.util.function.Supplier<BucketConfiguration> configuration) {
		return this.buckets.computeIfAbsent(id, (key) -> {
			// create the bucket's row explicitly without the optimisation: a batching proxy's first burst on a
			// missing bucket can fail with BucketNotFoundException instead of creating it
			this.proxies.builder().build(key, configuration).getAvailableTokens();
			if (key.startsWith("month:")) {
				forgetOtherMonths(key.substring(key.lastIndexOf(':')));
			}
			return this.proxies.builder().withOptimization(Optimizations.batching()).build(key, configuration);
		});
	}

	/** Drops cached proxies and leases of earlier months (their buckets are never used again). */
	private void forgetOtherMonths(String monthSuffix) {
		this.buckets.keySet().removeIf((key) -> key.startsWith("month:") && !key.endsWith(monthSuffix));
		this.leases.forget((key) -> key.startsWith("month:") && !key.endsWith(monthSuffix));
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

	static BucketConfiguration monthlyConfiguration(QuotaPlan plan, Duration monthLength, Instant nextMonth) {
		return BucketConfiguration.builder()
			.addLimit(Bandwidth.builder()
				.capacity(plan.requestsPerMonth())
				.refillIntervallyAligned(plan.requestsPerMonth(), monthLength, nextMonth)
				.id(MONTHLY)
				.build())
			.build();
	}

	private static long ceilSeconds(long nanos) {
		return (nanos <= 0) ? 0 : (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
	}

	/**
	 * Outcome of one consume.
	 *
	 * @param allowed whether the request may proceed
	 * @param limitHit {@link #RATE} or {@link #MONTHLY} when refused, {@code null} when allowed
	 * @param limit the limit the headers describe: {@code burst}, or {@code requests_per_month} when the monthly
	 * quota is closer to exhaustion or was hit
	 * @param remaining requests left under that limit after this one
	 * @param resetSeconds seconds until that limit is fully available again
	 * @param retryAfterSeconds when refused, seconds to wait (>= 1); 0 when allowed
	 * @param resetsAt when refused, the instant the limit that was hit admits a request again; {@code null} when
	 * allowed
	 */
	public record Decision(boolean allowed, String limitHit, QuotaPlan plan, long limit, long remaining,
			long resetSeconds, long retryAfterSeconds, Instant resetsAt) {
	}

}
