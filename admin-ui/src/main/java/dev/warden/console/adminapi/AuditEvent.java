package dev.warden.console.adminapi;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One event of the audit trail as the admin API describes it: {@code actor} is the token
 * subject, {@code actorName} and {@code actorIssuer} the user name and issuer of that
 * token ({@code null} for system events and events written before platform-api recorded
 * them).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditEvent(long seq, @JsonProperty("occurred_at") String occurredAt, String actor,
		@JsonProperty("actor_name") String actorName, @JsonProperty("actor_issuer") String actorIssuer,
		List<String> roles, String action, @JsonProperty("target_type") String targetType,
		@JsonProperty("target_id") String targetId, Map<String, Object> details,
		@JsonProperty("client_address") String clientAddress, @JsonProperty("request_id") String requestId,
		String hash) {

	public AuditEvent {
		roles = (roles != null) ? roles : List.of();
		details = (details != null) ? details : Map.of();
	}

}
