package dev.warden.platform.usage;

import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.usage.UsageReports.UsageReport;

/**
 * {@code GET /api/admin/tenants/{id}/usage} (ADMIN or COMPLIANCE, as every admin read):
 * any tenant's usage, in the same shape as {@code GET /v1/usage}; 404 for an unknown or
 * deleted tenant.
 */
@RestController
class TenantUsageController {

	private final UsageReports reports;

	TenantUsageController(UsageReports reports) {
		this.reports = reports;
	}

	@GetMapping(path = "/api/admin/tenants/{id}/usage", produces = MediaType.APPLICATION_JSON_VALUE)
	UsageReport usage(@PathVariable UUID id, @RequestParam(required = false) String from,
			@RequestParam(required = false) String to) {
		return this.reports.report(id, from, to);
	}

}
