package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A tenant as the admin API describes it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Tenant(String id, String name, String plan, String status, @JsonProperty("created_at") String createdAt) {
}
