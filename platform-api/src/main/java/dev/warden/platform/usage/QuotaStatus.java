package dev.warden.platform.usage;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;

import org.springframework.stereotype.Component;

import dev.warden.platform.quota.QuotaManagement;
import dev.warden.platform.quota.QuotaPlan;

/**
 * What is left of a tenant's quotas, read without consuming anything: the plan's limits and the tokens left in the
 * tenant's monthly bucket of the current month (the bucket the quota step draws from, {@code month:<tenant>:<yyyy-MM>}
 * in {@code quota_buckets}, read through Bucket4j). A bucket that does not exist yet has not been drawn from this
 * month: all of the month's quota remains. Thread-safe.
 */
@Component
class QuotaStatus {

	private final QuotaManagement quotas;

	private final ProxyManager<String> buckets;

	QuotaStatus(QuotaManagement quotas, DataSource dataSource) {
		this.quotas = quotas;
		this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
			.primaryKeyMapper(PrimaryKeyMapper.STRING)
			.table("quota_buckets")
			.idColumn("id")
			.stateColumn("state")
			.build();
	}

	Quota of(UUID tenantId, String planName, Instant now) {
		QuotaPlan plan = this.quotas.plan(planName);
		Monthly monthly = null;
		if (plan.hasMonthlyQuota()) {
			YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
			String id = "month:" + tenantId + ":" + month;
			Optional<BucketConfiguration> configuration = this.buckets.getProxyConfiguration(id);
			long remaining = configuration
				.map((existing) -> this.buckets.builder().build(id, () -> existing).getAvailableTokens())
				.orElse(plan.requestsPerMonth());
			remaining = Math.max(0, Math.min(remaining, plan.requestsPerMonth()));
			monthly = new Monthly(plan.requestsPerMonth(), plan.requestsPerMonth() - remaining, remaining,
					month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
		}
		return new Quota(plan.name(), new Rate(plan.requestsPerSecond(), plan.burst()), monthly,
				plan.maxRequestBytes(), plan.maxRowsPerRequest());
	}

	/** The quota part of a usage answer. {@code monthly} is {@code null} for a plan without monthly quota. */
	record Quota(String plan, Rate rate, Monthly monthly, long maxRequestBytes, long maxRowsPerRequest) {
	}

	record Rate(long requestsPerSecond, long burst) {
	}

	/** {@code used}/{@code remaining} of the current calendar month (UTC), across all replicas. */
	record Monthly(long limit, long used, long remaining, Instant resetsAt) {
	}

}
