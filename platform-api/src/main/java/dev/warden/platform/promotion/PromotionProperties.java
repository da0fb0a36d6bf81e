package dev.warden.platform.promotion;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the promotion flow ({@code warden.promotion.*}).
 *
 * @param policyReloadInterval how often each replica reads
 * {@code <policies dir>/promotion.yaml} for changes, and how long after the start it
 * first does (WARDEN_PROMOTION_POLICY_RELOAD_INTERVAL)
 */
@ConfigurationProperties("warden.promotion")
record PromotionProperties(@DefaultValue("1s") Duration policyReloadInterval) {

	PromotionProperties {
		if (policyReloadInterval.isNegative() || policyReloadInterval.isZero()) {
			throw new IllegalArgumentException("warden.promotion.policy-reload-interval must be positive");
		}
	}

}
