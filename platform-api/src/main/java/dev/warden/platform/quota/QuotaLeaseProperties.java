package dev.warden.platform.quota;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.warden.platform.quota.internal.QuotaLeases;

/**
 * The quota fast path ({@code warden.quota.lease.*}): how many tokens a gateway replica
 * may take from a shared bucket in one database transaction. See {@link QuotaLeases} and
 * docs/gateway.md.
 *
 * @param maxTokens most tokens in one lease (WARDEN_QUOTA_LEASE_MAX_TOKENS); 1 turns
 * leasing off (one transaction per request and bucket)
 * @param rateTimeToLive how long leased rate tokens stay usable before they are dropped
 * (WARDEN_QUOTA_LEASE_RATE_TTL); bounds how late a leased token can admit a request
 * @param rateShare a rate lease is at most this fraction of the plan's burst and of one
 * second's refill (so at most {@code rateShare × burst} tokens per replica are ever in
 * flight)
 * @param monthlyShare a monthly lease is at most this fraction of the tenant's remaining
 * monthly requests (so the leases shrink to 1, the exact path, as the month's quota runs
 * out)
 */
@ConfigurationProperties("warden.quota.lease")
record QuotaLeaseProperties(@DefaultValue("64") long maxTokens, @DefaultValue("100ms") Duration rateTimeToLive,
		@DefaultValue("0.1") double rateShare, @DefaultValue("0.015625") double monthlyShare) {

	QuotaLeaseProperties {
		if (maxTokens < 1) {
			throw new IllegalArgumentException("warden.quota.lease.max-tokens must be >= 1, was " + maxTokens);
		}
		if (!(rateShare > 0 && rateShare <= 1) || !(monthlyShare > 0 && monthlyShare <= 1)) {
			throw new IllegalArgumentException("warden.quota.lease shares must be in (0, 1]");
		}
	}

	/** Leasing off: every request is one transaction per bucket. */
	static QuotaLeaseProperties exact() {
		return new QuotaLeaseProperties(1, Duration.ZERO, 1, 1);
	}

}
