package dev.warden.console.adminapi;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One alert as the admin API describes it ({@code GET /api/admin/monitoring/alerts}).
 *
 * @param version the model version, {@code ""} for a rule read over every version
 * @param comparison {@code above}, {@code below} or {@code verdict} (drift)
 * @param evidence what the value was read from
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Alert(String id, String rule, String kind, String model, String version, String state, String comparison,
		Double threshold, String window, Double value, @JsonProperty("last_value") Double lastValue,
		Map<String, Object> evidence, @JsonProperty("opened_at") String openedAt,
		@JsonProperty("last_seen_at") String lastSeenAt, @JsonProperty("closed_at") String closedAt) {

	public Alert {
		evidence = (evidence != null) ? evidence : Map.of();
	}

}
