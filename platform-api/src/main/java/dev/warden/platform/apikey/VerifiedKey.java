package dev.warden.platform.apikey;

import java.util.UUID;

/** The caller identified by a valid API key on the data plane, with the key's scopes. */
public record VerifiedKey(UUID apiKeyId, UUID tenantId, String tenantName, String plan, KeyScopes scopes) {

	/** Request attribute under which the gateway stores the verified key. */
	public static final String ATTRIBUTE = VerifiedKey.class.getName();

}
