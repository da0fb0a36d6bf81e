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
 * {@link Optimizations#batching()}: concurrent consumes of one bucket on one replica share one transaction, which
 * keeps the count exact (no local allowance). Thread-safe.
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

	@Autowired
	QuotaManagement(QuotaPlans plans, DataSource dataSource, QuotaProperties properties) {
		this(plans, Bucket4jPostgreSQL.selectForUpdateBasedBuilder(
				properties.durableCommit() ? dataSource : new AsyncCommitDataSource(dataSource))
			.primaryKeyMapper(PrimaryKeyMapper.STRING)
			.table("quota_buckets")
			.idColumn("id")
			.stateColumn("state")
			.build(), Clock.systemUTC());
	}

	QuotaManagement(QuotaPlans plans, ProxyManager<String> proxies, Clock clock) {
		this.plans = plans;
		this.proxies = proxies;
		this.clock = clock;
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
		ConsumptionProbe rate = tryConsume(rateId, () -> rateConfiguration(plan));
		long rateReset = ceilSeconds(rate.getNanosToWaitForReset());
		if (!rate.isConsumed()) {
			long retryAfter = Math.max(1, ceilSeconds(rate.getNanosToWaitForRefill()));
			return new Decision(false, RATE, plan, plan.burst(), 0, retryAfter, retryAfter,
					this.clock.instant().plusSeconds(retryAfter));
		}
		if (!plan.hasMonthlyQuota()) {
			return new Decision(true, null, plan, plan.burst(), rate.getRemainingTokens(), rateReset, 0, null);
		}
		Instant now = this.clock.instant();
		YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
		Instant monthStart = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
		Instant nextMonth = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
		String monthlyId = "month:" + tenantId + ":" + month;
		ConsumptionProbe monthly = tryConsume(monthlyId,
				() -> monthlyConfiguration(plan, Duration.between(monthStart, nextMonth), nextMonth));
		long untilNextMonth = Math.max(1, ceilSeconds(Duration.between(now, nextMonth).toNanos()));
		if (!monthly.isConsumed()) {
			return new Decision(false, MONTHLY, plan, plan.requestsPerMonth(), 0, untilNextMonth, untilNextMonth,
					nextMonth);
		}
		// the headers describe whichever limit is closer to exhaustion
		if (monthly.getRemainingTokens() < rate.getRemainingTokens()) {
			return new Decision(true, null, plan, plan.requestsPerMonth(), monthly.getRemainingTokens(),
					untilNextMonth, 0, null);
		}
		return new Decision(true, null, plan, plan.burst(), rate.getRemainingTokens(), rateReset, 0, null);
	}

	private ConsumptionProbe tryConsume(String id, java.util.function.Supplier<BucketConfiguration> configuration) {
		BucketProxy bucket = this.buckets.computeIfAbsent(id, (key) -> {
			// create the bucket's row explicitly without the optimisation: a batching proxy's first burst on a
			// missing bucket can fail with BucketNotFoundException instead of creating it
			this.proxies.builder().build(key, configuration).getAvailableTokens();
			if (key.startsWith("month:")) {
				forgetOtherMonths(key.substring(key.lastIndexOf(':')));
			}
			return this.proxies.builder().withOptimization(Optimizations.batching()).build(key, configuration);
		});
		try {
			return bucket.tryConsumeAndReturnRemaining(1);
		}
		catch (BucketNotFoundException ex) {
			// the row was deleted behind our back: recreate it through a plain proxy (same transaction semantics)
			return this.proxies.builder().build(id, configuration).tryConsumeAndReturnRemaining(1);
		}
	}

	/** Drops cached proxies of earlier months (their buckets are never used again). */
	private void forgetOtherMonths(String monthSuffix) {
		this.buckets.keySet().removeIf((key) -> key.startsWith("month:") && !key.endsWith(monthSuffix));
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
