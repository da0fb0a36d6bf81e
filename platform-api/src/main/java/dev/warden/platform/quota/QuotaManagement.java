package dev.warden.platform.quota;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import org.springframework.stereotype.Service;

/**
 * Per-API-key token buckets built from the tenant's plan. In memory per replica for now (see quotas.yaml).
 * Thread-safe.
 */
@Service
public class QuotaManagement {

	private final QuotaPlans plans;

	private final ConcurrentMap<UUID, PlanBucket> buckets = new ConcurrentHashMap<>();

	QuotaManagement(QuotaPlans plans) {
		this.plans = plans;
	}

	/** The plan, falling back to the default plan for an unknown name. */
	public QuotaPlan plan(String name) {
		return this.plans.find(name).orElseGet(() -> this.plans.find(this.plans.defaultPlan()).orElseThrow());
	}

	/** Takes one token from the key's bucket. */
	public Decision consume(UUID apiKeyId, String planName) {
		QuotaPlan plan = plan(planName);
		PlanBucket bucket = this.buckets.get(apiKeyId);
		if (bucket == null || !bucket.plan().equals(plan)) {
			// a new key, or its tenant's plan changed: start a bucket for the (new) plan
			bucket = this.buckets.compute(apiKeyId, (id, existing) -> (existing != null && existing.plan().equals(plan))
					? existing : PlanBucket.of(plan));
		}
		ConsumptionProbe probe = bucket.bucket().tryConsumeAndReturnRemaining(1);
		long resetSeconds = ceilSeconds(probe.getNanosToWaitForReset());
		long retryAfter = probe.isConsumed() ? 0 : Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
		return new Decision(probe.isConsumed(), plan, probe.getRemainingTokens(), resetSeconds, retryAfter);
	}

	private static long ceilSeconds(long nanos) {
		return (nanos <= 0) ? 0 : (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
	}

	/**
	 * Outcome of one consume.
	 *
	 * @param remaining tokens left after this request
	 * @param resetSeconds seconds until the bucket is full again
	 * @param retryAfterSeconds when rejected, seconds to wait (>= 1); 0 when allowed
	 */
	public record Decision(boolean allowed, QuotaPlan plan, long remaining, long resetSeconds,
			long retryAfterSeconds) {
	}

	private record PlanBucket(QuotaPlan plan, Bucket bucket) {

		static PlanBucket of(QuotaPlan plan) {
			Bandwidth limit = Bandwidth.builder()
				.capacity(plan.burst())
				.refillGreedy(plan.requestsPerSecond(), java.time.Duration.ofSeconds(1))
				.build();
			return new PlanBucket(plan, Bucket.builder().addLimit(limit).build());
		}

	}

}
