package dev.warden.platform.export;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What a user asked to export: rows with {@code from <= occurred_at < to}, of one tenant
 * or of all ({@code tenantId} null).
 */
record ExportRequest(ExportType type, ExportFormat format, UUID tenantId, Instant from, Instant to, String actor) {

	/** The request as audit-event details (a new mutable map). */
	Map<String, Object> describe() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("export_type", this.type.label());
		details.put("format", this.format.label());
		details.put("tenant_id", (this.tenantId != null) ? this.tenantId.toString() : "all");
		details.put("from", this.from.toString());
		details.put("to", this.to.toString());
		return details;
	}

}
