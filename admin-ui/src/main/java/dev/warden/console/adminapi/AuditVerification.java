package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The result of verifying the audit trail's hash chain and signed digests.
 *
 * @param valid whether every check passed
 * @param eventsChecked events read
 * @param digestsChecked digests that verified
 * @param headSeq the chain's last sequence number
 * @param firstBrokenLink the first broken link, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditVerification(boolean valid, @JsonProperty("events_checked") long eventsChecked,
		@JsonProperty("digests_checked") long digestsChecked, @JsonProperty("head_seq") long headSeq,
		@JsonProperty("first_broken_link") BrokenLink firstBrokenLink) {

	/** Where and how the chain is broken. */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record BrokenLink(String problem, long seq, Long digest, String message) {
	}

}
