package dev.warden.platform.explainability;

import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.system.RequestIds;

/**
 * Report jobs and reports: queue a report of a version (ADMIN), list a version's reports,
 * list, read, cancel and retry jobs of every kind (ADMIN writes), read a report as JSON
 * or PDF.
 */
@RestController
class ExplainabilityController {

	private final ExplainabilityJobs jobs;

	private final ExplainabilityReports reports;

	private final SingleExplanations explanations;

	ExplainabilityController(ExplainabilityJobs jobs, ExplainabilityReports reports, SingleExplanations explanations) {
		this.jobs = jobs;
		this.reports = reports;
		this.explanations = explanations;
	}

	/**
	 * Explains a few rows (or texts) with one version, for the console's form (ADMIN,
	 * COMPLIANCE): the worker's answer in the admin API's shape.
	 */
	@PostMapping(path = "/api/admin/models/{model}/versions/{version}/explain",
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	ObjectNode explain(@PathVariable String model, @PathVariable long version,
			@RequestBody(required = false) JsonNode body, Authentication user, HttpServletRequest request) {
		return this.explanations.explain(model, version, body, user.getName(), RequestIds.of(request));
	}

	/** Queues a report job: 202 with the job. */
	@PostMapping(path = "/api/admin/models/{model}/versions/{version}/explainability-reports",
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<ExplainabilityJob> queue(@PathVariable String model, @PathVariable long version,
			@RequestBody(required = false) ExplainabilityJobs.JobRequest body, Authentication user) {
		ExplainabilityJob job = this.jobs.queue(model, version,
				(body != null) ? body : ExplainabilityJobs.JobRequest.DEFAULTS, user.getName());
		return accepted(job);
	}

	/**
	 * A version's reports, newest first (without {@code content}: read one report for
	 * it).
	 */
	@GetMapping(path = "/api/admin/models/{model}/versions/{version}/explainability-reports",
			produces = MediaType.APPLICATION_JSON_VALUE)
	Page<ExplainabilityReport> reports(@PathVariable String model, @PathVariable long version, PageRequest page) {
		return this.reports.list(model, version, page);
	}

	/**
	 * Jobs of every kind (explanation reports and fairness checks), newest first,
	 * optionally of one kind, model, version or state.
	 */
	@GetMapping(path = "/api/admin/explainability/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
	Page<ExplainabilityJob> jobs(@RequestParam(name = "kind", required = false) String kind,
			@RequestParam(name = "model", required = false) String model,
			@RequestParam(name = "version", required = false) Long version,
			@RequestParam(name = "state", required = false) String state, PageRequest page) {
		return this.jobs.list(kind, model, version, state, page);
	}

	@GetMapping(path = "/api/admin/explainability/jobs/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	ExplainabilityJob job(@PathVariable UUID id) {
		return this.jobs.get(id);
	}

	/** Cancels a queued job at once, a running one at its next chunk. */
	@PostMapping(path = "/api/admin/explainability/jobs/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
	ExplainabilityJob cancel(@PathVariable UUID id, Authentication user) {
		return this.jobs.cancel(id, user.getName());
	}

	/** Queues a failed or cancelled job again as a new attempt: 202. */
	@PostMapping(path = "/api/admin/explainability/jobs/{id}/retry", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<ExplainabilityJob> retry(@PathVariable UUID id, Authentication user) {
		return accepted(this.jobs.retry(id, user.getName()));
	}

	@GetMapping(path = "/api/admin/explainability/reports/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	ExplainabilityReport report(@PathVariable UUID id) {
		return this.reports.get(id);
	}

	/** The report as a PDF with charts. */
	@GetMapping("/api/admin/explainability/reports/{id}/pdf")
	ResponseEntity<byte[]> pdf(@PathVariable UUID id) {
		byte[] pdf = this.reports.pdf(id);
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_PDF)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"explainability-report-" + id + ".pdf\"")
			.body(pdf);
	}

	private static ResponseEntity<ExplainabilityJob> accepted(ExplainabilityJob job) {
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.location(ServletUriComponentsBuilder.fromCurrentContextPath()
				.path("/api/admin/explainability/jobs/{id}")
				.build(job.id()))
			.body(job);
	}

}
