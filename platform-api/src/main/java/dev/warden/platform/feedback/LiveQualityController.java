package dev.warden.platform.feedback;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/admin/monitoring/quality} (ADMIN or COMPLIANCE, as every admin read):
 * one model's live quality over time from the counts of outcome feedback.
 */
@RestController
@Tag(name = "Monitoring")
class LiveQualityController {

	private final LiveQualityReports reports;

	LiveQualityController(LiveQualityReports reports) {
		this.reports = reports;
	}

	@GetMapping(path = "/api/admin/monitoring/quality", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A model's live quality over time, from outcome feedback",
			description = "Windows of 1h (default) or 1d of the predictions' time from `from` (default: 24 hours "
					+ "before `to`) to `to` (default: now), rounded out to whole windows, at most 31 days; windows "
					+ "without feedback included (n 0). Per window: n, whether n reaches min_group_size "
					+ "(`sufficient`), the confusion counts of the decision 'positive class or not' and the fairness "
					+ "report's rates (accuracy, selection rate, TPR, FPR, FNR, precision, base rate, error rate, "
					+ "with Wilson intervals), and per sensitive attribute the fairness report's groups, gaps "
					+ "against the reference group (differences and ratio), between groups and four-fifths ratios; "
					+ "groups below min_group_size rows or min_positives actual positives are suppressed from "
					+ "every comparison. 400 invalid_parameter naming the parameter; 404 a model neither the "
					+ "catalogue nor any feedback knows.")
	ObjectNode quality(@Parameter(description = "the model") @RequestParam String model,
			@Parameter(description = "only this answering version") @RequestParam(required = false) String version,
			@Parameter(description = "only this tenant (id)") @RequestParam(required = false) UUID tenant,
			@Parameter(description = "ISO-8601 instant, e.g. 2026-12-06T10:00:00Z") @RequestParam(
					required = false) String from,
			@Parameter(description = "ISO-8601 instant, exclusive") @RequestParam(required = false) String to,
			@Parameter(description = "1h or 1d") @RequestParam(required = false) String window,
			@Parameter(
					description = "fewer rows: no comparison (default warden.fairness.min-group-size)") @RequestParam(
							name = "min_group_size", required = false) String minGroupSize,
			@Parameter(
					description = "fewer actual positives: no comparison (default warden.fairness.min-positives)") @RequestParam(
							name = "min_positives", required = false) String minPositives) {
		return this.reports.report(model, version, tenant, from, to, window, minGroupSize, minPositives);
	}

}
