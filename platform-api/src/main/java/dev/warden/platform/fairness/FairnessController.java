package dev.warden.platform.fairness;

import java.util.Optional;
import java.util.UUID;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.warden.platform.explainability.ExplainabilityJob;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Fairness checks and reports: queue a check of a version (ADMIN), list a version's
 * checks and reports, read a report as JSON or PDF (ADMIN, COMPLIANCE). A check is a job
 * of the explainability queue: read, cancel and retry it under
 * {@code /api/admin/explainability/jobs/{id}}.
 */
@RestController
class FairnessController {

	private final FairnessChecks checks;

	private final FairnessReports reports;

	private final ObjectProvider<FairnessLimits> limits;

	FairnessController(FairnessChecks checks, FairnessReports reports, ObjectProvider<FairnessLimits> limits) {
		this.checks = checks;
		this.reports = reports;
		this.limits = limits;
	}

	/**
	 * Queues a fairness check of the version on an evaluation dataset: 202 with the job
	 * (kind {@code fairness}); every field of the body is optional.
	 */
	@PostMapping(path = "/api/admin/models/{model}/versions/{version}/fairness-checks",
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<ExplainabilityJob> queue(@PathVariable String model, @PathVariable long version,
			@RequestBody(required = false) FairnessChecks.CheckRequest body, Authentication user) {
		ExplainabilityJob job = this.checks.queue(model, version,
				(body != null) ? body : FairnessChecks.CheckRequest.DEFAULTS, user.getName());
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.location(ServletUriComponentsBuilder.fromCurrentContextPath()
				.path("/api/admin/explainability/jobs/{id}")
				.build(job.id()))
			.body(job);
	}

	/** The version's fairness checks (jobs), newest first. */
	@GetMapping(path = "/api/admin/models/{model}/versions/{version}/fairness-checks",
			produces = MediaType.APPLICATION_JSON_VALUE)
	Page<ExplainabilityJob> checks(@PathVariable String model, @PathVariable long version, PageRequest page) {
		return this.checks.list(model, version, page);
	}

	/**
	 * The version's fairness reports, newest first (without {@code content}: read one
	 * report for it).
	 */
	@GetMapping(path = "/api/admin/models/{model}/versions/{version}/fairness-reports",
			produces = MediaType.APPLICATION_JSON_VALUE)
	Page<FairnessReport> reports(@PathVariable String model, @PathVariable long version, PageRequest page) {
		return this.reports.list(model, version, page);
	}

	/** A fairness report with its content. */
	@GetMapping(path = "/api/admin/fairness/reports/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	FairnessReport report(@PathVariable UUID id) {
		return this.reports.get(id);
	}

	/**
	 * The report as a PDF: charts per attribute with the four-fifths line, the tables
	 * with their intervals, the definitions.
	 */
	@GetMapping("/api/admin/fairness/reports/{id}/pdf")
	ResponseEntity<byte[]> pdf(@PathVariable UUID id) {
		FairnessReport report = this.reports.get(id);
		FairnessThresholds thresholds = this.limits.stream()
			.map((source) -> source.limits(report.model()))
			.flatMap(Optional::stream)
			.findFirst()
			.orElse(FairnessThresholds.DEFAULT);
		byte[] pdf = this.reports.pdf(id, thresholds);
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_PDF)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"fairness-report-" + id + ".pdf\"")
			.body(pdf);
	}

}
