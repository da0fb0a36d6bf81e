package dev.warden.console.adminapi;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * An API key of a tenant with its scopes, expiry and quota override, as the key API lists
 * it; never the secret.
 *
 * @param id the key's id
 * @param prefix the public prefix ({@code wdn_…}) that names the key in logs and usage
 * @param name the name given at creation
 * @param createdAt when it was created
 * @param expiresAt when it expires, or null for never
 * @param lastUsedAt when it was last used (written in batches), or null
 * @param status {@code active}, {@code revoked} or {@code expired}
 * @param models the models it may call, or null for every model granted to the tenant
 * @param operations the operations it may call
 * @param quota its stricter override of the tenant's plan, or null for none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TenantKey(String id, String prefix, String name, @JsonProperty("created_at") String createdAt,
		@JsonProperty("expires_at") String expiresAt, @JsonProperty("last_used_at") String lastUsedAt, String status,
		List<String> models, List<String> operations, JsonNode quota) {

	/** Whether the key can still be revoked or its quota changed. */
	public boolean isActive() {
		return "active".equalsIgnoreCase(this.status);
	}

	/** Whether the key has a quota override. */
	public boolean hasQuota() {
		return this.quota != null && this.quota.isObject() && !this.quota.isEmpty();
	}

}
