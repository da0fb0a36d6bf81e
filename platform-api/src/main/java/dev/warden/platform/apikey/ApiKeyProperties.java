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
 */
@ConfigurationProperties("warden.keys")
record ApiKeyProperties(@DefaultValue("100") int maxActivePerTenant,
		@DefaultValue("5s") Duration lastUsedFlushInterval) {

	ApiKeyProperties {
		if (maxActivePerTenant < 1) {
			throw new IllegalArgumentException("warden.keys.max-active-per-tenant must be at least 1");
		}
	}

}
