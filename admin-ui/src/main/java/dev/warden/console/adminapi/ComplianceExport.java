package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One compliance export as {@code GET /api/admin/exports} lists it: what was exported, by
 * whom, its status ({@code running}, {@code completed}, {@code failed}) and, once
 * completed, its row count and the file's SHA-256.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ComplianceExport(String id, @JsonProperty("export_type") String exportType, String format,
		@JsonProperty("tenant_id") String tenantId, String from, String to,
		@JsonProperty("requested_by") String requestedBy, @JsonProperty("requested_at") String requestedAt,
		String status, @JsonProperty("completed_at") String completedAt, @JsonProperty("row_count") Long rowCount,
		String sha256) {

	/** Whether the export finished and has a signed manifest. */
	public boolean completed() {
		return "completed".equalsIgnoreCase(this.status);
	}

}
