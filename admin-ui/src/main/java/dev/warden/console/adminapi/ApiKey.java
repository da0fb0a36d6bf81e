package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An API key's metadata; the admin API never returns the secret part, and neither does
 * this type.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiKey(String id, String prefix, String name, @JsonProperty("created_at") String createdAt,
		@JsonProperty("last_used_at") String lastUsedAt, String status) {
}
