package dev.warden.platform.usage;

import java.time.Instant;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.warden.platform.quota.QuotaManagement;
import dev.warden.platform.quota.QuotaOverride;
import dev.warden.platform.quota.QuotaPlan;

/**
 * What is left of a tenant's quotas, read without consuming anything: the plan's limits
 * and what is left of the tenant's monthly quota this calendar month, from
 * {@link QuotaManagement#remaining} (the shared counter across all replicas, plus the
 * tokens this replica has leased and not used yet). Thread-safe.
 */
@Component
class QuotaStatus {

	private final QuotaManagement quotas;

	QuotaStatus(QuotaManagement quotas) {
		this.quotas = quotas;
	}

	Quota of(UUID tenantId, String planName, Instant now) {
		QuotaPlan plan = this.quotas.plan(planName);
		Monthly monthly = null;
		if (plan.hasMonthlyQuota()) {
			QuotaManagement.Remaining remaining = this.quotas.remaining(tenantId, null, planName, QuotaOverride.NONE);
			long left = Math.max(0, Math.min(remaining.monthlyRemaining(), plan.requestsPerMonth()));
			monthly = new Monthly(plan.requestsPerMonth(), plan.requestsPerMonth() - left, left,
					remaining.monthResetsAt());
		}
		return new Quota(plan.name(), new Rate(plan.requestsPerSecond(), plan.burst()), monthly, plan.maxRequestBytes(),
				plan.maxRowsPerRequest(), plan.explainCost(), plan.explanationRowLimit());
	}

	/**
	 * The quota part of a usage answer. {@code monthly} is {@code null} for a plan
	 * without monthly quota. {@code explainCost} is what one explanation request costs
	 * (in requests of the rate and monthly quotas).
	 */
	record Quota(String plan, Rate rate, Monthly monthly, long maxRequestBytes, long maxRowsPerRequest,
			long explainCost, long maxRowsPerExplanation) {
	}

	record Rate(long requestsPerSecond, long burst) {
	}

	/**
	 * {@code used}/{@code remaining} of the current calendar month (UTC), across all
	 * replicas.
	 */
	record Monthly(long limit, long used, long remaining, Instant resetsAt) {
	}

}
