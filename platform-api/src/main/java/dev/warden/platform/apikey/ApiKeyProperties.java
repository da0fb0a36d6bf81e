package dev.warden.platform.apikey;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.warden.platform.apikey.internal.LastUseRecorder;

/**
 * API key settings ({@code warden.keys.*}).
 *
 * @param maxActivePerTenant most keys a tenant may have that are active and not expired
 * (WARDEN_KEYS_MAX_ACTIVE_PER_TENANT); creating one more is answered 409
 * {@code key_limit_reached}. Revoked and expired keys do not count
 * @param lastUsedFlushInterval how often {@link LastUseRecorder} writes the last use of
 * the keys it recorded in memory, and how long after the start it first does
 * (WARDEN_KEYS_LAST_USED_FLUSH_INTERVAL)
 * @param indexRefreshInterval how often each replica reloads its whole in-memory index of
 * API keys from the database (WARDEN_KEYS_INDEX_REFRESH_INTERVAL), the safety net behind
 * the change notifications; at least 1 s
 * @param indexMaxLag how long the in-memory index is trusted after its notification
 * connection was last seen working (WARDEN_KEYS_INDEX_MAX_LAG): the bound within which a
 * revocation or suspension takes effect on every replica. When the connection has been
 * down for longer, keys are verified against the database per request until it is back.
 * At least 500 ms (the connection is checked every 200 ms)
 */
@ConfigurationProperties("warden.keys")
record ApiKeyProperties(@DefaultValue("100") int maxActivePerTenant, @DefaultValue("5s") Duration lastUsedFlushInterval,
		@DefaultValue("30s") Duration indexRefreshInterval, @DefaultValue("1s") Duration indexMaxLag) {

	ApiKeyProperties {
		if (maxActivePerTenant < 1) {
			throw new IllegalArgumentException("warden.keys.max-active-per-tenant must be at least 1");
		}
		if (indexRefreshInterval.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("warden.keys.index-refresh-interval must be at least 1s");
		}
		if (indexMaxLag.compareTo(Duration.ofMillis(500)) < 0) {
			throw new IllegalArgumentException("warden.keys.index-max-lag must be at least 500ms");
		}
	}

}
