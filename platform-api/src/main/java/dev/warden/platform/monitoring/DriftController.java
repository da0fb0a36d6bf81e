package dev.warden.platform.monitoring;

import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.warden.platform.explainability.ExplainabilityJob;

/**
 * Data drift of a model version: its reference profile (and a job to compute it again),
 * its live counts and its drift statistics per window. Reads for ADMIN and COMPLIANCE,
 * the job for ADMIN (as every admin write).
 */
@RestController
@Tag(name = "Monitoring",
		description = "Serving health and data drift from aggregates in PostgreSQL. docs/monitoring.md")
class DriftController {

	private final DriftReports reports;

	private final ProfileJobKind profiles;

	DriftController(DriftReports reports, ProfileJobKind profiles) {
		this.reports = reports;
		this.profiles = profiles;
	}

	@PostMapping(path = "/api/admin/models/{model}/versions/{version}/drift-profiles",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Compute the version's reference profile again",
			description = "Queues a job of kind `profile` on the model's newest reference dataset with the binning "
					+ "settings of policies/monitoring.yaml (audited as explainability.job_queued; the stored profile "
					+ "as monitoring.profile_created). 202 with the job; 404 unknown version; 409 "
					+ "no_reference_dataset.")
	ResponseEntity<ExplainabilityJob> queue(@PathVariable String model, @PathVariable long version,
			Authentication user) {
		ExplainabilityJob job = this.profiles.queue(model, version, user.getName());
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.location(ServletUriComponentsBuilder.fromCurrentContextPath()
				.path("/api/admin/explainability/jobs/{id}")
				.build(job.id()))
			.body(job);
	}

	@GetMapping(path = "/api/admin/models/{model}/versions/{version}/drift-profile",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The version's reference profile",
			description = "The newest profile: per input its kind (and why), bins (quantile edges, categories with "
					+ "other and missing, token-count edges and hash buckets) and the reference's counts, the "
					+ "prediction's class and score bins, the settings. 404 unknown version or no profile yet.")
	Map<String, Object> profile(@PathVariable String model, @PathVariable long version) {
		return this.reports.profile(model, version);
	}

	@GetMapping(path = "/api/admin/models/{model}/versions/{version}/drift/live",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The version's live counts over a range",
			description = "Counts in the reference profile's bins summed over the flushed chunks of every replica "
					+ "in [from, to) (default: the policy's window before now), with requests, samples (rows) and "
					+ "requests skipped because the observation queue was full. 400 invalid_parameter; 404 unknown "
					+ "version or no profile.")
	Map<String, Object> live(@PathVariable String model, @PathVariable long version,
			@Parameter(description = "ISO-8601 instant") @RequestParam(required = false) String from,
			@Parameter(description = "ISO-8601 instant, exclusive") @RequestParam(required = false) String to) {
		return this.reports.live(model, version, from, to);
	}

	@GetMapping(path = "/api/admin/models/{model}/versions/{version}/drift",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The version's drift statistics per window",
			description = "Per window of [from, to) (window: the policy's, default 1h; from: one window before to; "
					+ "to: now; at most 31 days and 1,000 windows) and per input and the prediction: PSI, "
					+ "Jensen-Shannon distance (base 2) and for ordered bins the binned KS statistic, each with its "
					+ "bins, reference and live counts, sample sizes, thresholds and verdict (drift, no_drift, "
					+ "insufficient_data below min_samples). 400 invalid_parameter; 404 unknown version or no "
					+ "profile.")
	Map<String, Object> drift(@PathVariable String model, @PathVariable long version,
			@Parameter(description = "ISO-8601 instant") @RequestParam(required = false) String from,
			@Parameter(description = "ISO-8601 instant, exclusive") @RequestParam(required = false) String to,
			@Parameter(description = "e.g. 30m, 1h, 1d") @RequestParam(required = false) String window) {
		return this.reports.drift(model, version, from, to, window);
	}

}
