package dev.warden.platform.apikey;

import java.util.UUID;

/** The caller identified by a valid API key on the data plane. */
public record VerifiedKey(UUID apiKeyId, UUID tenantId, String tenantName, String plan) {

	/** Request attribute under which the gateway stores the verified key. */
	public static final String ATTRIBUTE = VerifiedKey.class.getName();

}
