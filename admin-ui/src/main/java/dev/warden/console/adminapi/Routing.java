package dev.warden.console.adminapi;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which version answers a call that names none: pins first, then the canary for its share
 * of requests, then the stable version (else the workers' latest).
 *
 * @param model the model
 * @param stableVersion the stable version, or {@code null}
 * @param canary the canary, or {@code null}
 * @param pins the pins of tenants and API keys; never {@code null}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Routing(String model, @JsonProperty("stable_version") Long stableVersion, Canary canary, List<Pin> pins) {

	public Routing {
		pins = (pins == null) ? List.of() : List.copyOf(pins);
	}

	/**
	 * The canary.
	 *
	 * @param version the canary version
	 * @param weight the share of requests it answers, in percent
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record Canary(long version, int weight) {
	}

	/**
	 * A pin.
	 *
	 * @param subjectType {@code tenant} or {@code api_key}
	 * @param subjectId the tenant's or key's id
	 * @param version the version it is pinned to
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record Pin(@JsonProperty("subject_type") String subjectType, @JsonProperty("subject_id") String subjectId,
			long version) {
	}

}
