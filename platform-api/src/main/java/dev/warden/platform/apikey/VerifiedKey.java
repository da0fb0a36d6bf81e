package dev.warden.platform.apikey;

import java.util.UUID;

import jakarta.servlet.ServletRequest;

import dev.warden.platform.quota.QuotaOverride;

/**
 * The caller identified by a valid API key on the data plane, with the key's scopes and
 * quota override.
 *
 * @param quota the key's quota override ({@link QuotaOverride#NONE} when it has none)
 * @param quotaVersion the newer of the tenant's {@code updated_at} and the key's
 * {@code quota_updated_at} in microseconds since the epoch (0 if neither is set):
 * versions the key's quota bucket configurations
 */
public record VerifiedKey(UUID apiKeyId, UUID tenantId, String tenantName, String plan, KeyScopes scopes,
		QuotaOverride quota, long quotaVersion) {

	/** Request attribute under which the gateway stores the verified key. */
	public static final String ATTRIBUTE = VerifiedKey.class.getName();

	/**
	 * The key the gateway verified for this request ({@link #ATTRIBUTE}), {@code null}
	 * when none was.
	 */
	public static VerifiedKey of(ServletRequest request) {
		return (VerifiedKey) request.getAttribute(ATTRIBUTE);
	}

	/** A key without quota override. */
	public VerifiedKey(UUID apiKeyId, UUID tenantId, String tenantName, String plan, KeyScopes scopes) {
		this(apiKeyId, tenantId, tenantName, plan, scopes, QuotaOverride.NONE, 0);
	}

}
