package dev.warden.platform.monitoring;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.monitoring.ServingHealthReports.ServingReport;

/**
 * {@code GET /api/admin/monitoring/serving} (ADMIN or COMPLIANCE, as every admin read):
 * one model's (or, without {@code model}, every model's) serving health over time from
 * the per-minute rows every replica flushed.
 */
@RestController
@Tag(name = "Monitoring",
		description = "Serving health per tenant, model and version from per-minute aggregates in PostgreSQL: "
				+ "requests, answers by status class, errors by code, quota rejections, latency percentiles, "
				+ "rows per request. docs/monitoring.md")
class ServingHealthController {

	private final ServingHealthReports reports;

	ServingHealthController(ServingHealthReports reports) {
		this.reports = reports;
	}

	@GetMapping(path = "/api/admin/monitoring/serving", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A model's (or every model's) serving health over time",
			description = "Points of one step each (1m, 5m or 1h; by default the smallest that gives at most 1,500 "
					+ "points) from `from` (default: 24 hours before `to`) to `to` (default: now), rounded out to "
					+ "whole steps, at most 31 days; steps without requests included. Per point: requests, answers "
					+ "by status class, error rate (5xx), errors by code, quota rejections by limit, latency "
					+ "p50/p95/p99 (the upper bound of the histogram bucket that holds them), mean and maximum, "
					+ "rows per request. Rows are flushed every warden.monitoring.serving.flush-interval (10 s). "
					+ "400 invalid_parameter naming the parameter; 404 a model neither the catalogue nor any "
					+ "row knows.")
	ServingReport serving(
			@Parameter(description = "the model; absent: every model (then without version)") @RequestParam(
					required = false) String model,
			@Parameter(description = "only this answering version") @RequestParam(required = false) String version,
			@Parameter(description = "only this tenant (id)") @RequestParam(required = false) UUID tenant,
			@Parameter(description = "ISO-8601 instant, e.g. 2026-12-06T10:00:00Z") @RequestParam(
					required = false) String from,
			@Parameter(description = "ISO-8601 instant, exclusive") @RequestParam(required = false) String to,
			@Parameter(description = "1m, 5m or 1h") @RequestParam(required = false) String step) {
		return this.reports.report(model, version, tenant, from, to, step);
	}

}
