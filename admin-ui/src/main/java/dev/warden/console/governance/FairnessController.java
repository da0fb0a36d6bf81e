package dev.warden.console.governance;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Downloads;
import dev.warden.console.adminapi.EvaluationSpec;
import dev.warden.console.adminapi.ExplainabilityClient;
import dev.warden.console.adminapi.ExplainabilityJob;
import dev.warden.console.adminapi.FairnessClient;
import dev.warden.console.adminapi.FairnessReport;
import dev.warden.console.adminapi.JobActions;
import dev.warden.console.adminapi.ModelVersion;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.ReferenceDataset;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The fairness page of a model version and its actions. The page is assembled from
 * several admin API calls, each on its own, so one failing shows a message in its section
 * while the others still render; an unknown model or version is the console's 404 page.
 * Actions (run, cancel and retry a fairness check; upload an evaluation dataset) are form
 * posts answered with a redirect back to the page, which shows the outcome in the section
 * concerned; platform-api decides whether the user may do them.
 */
@Controller
@RequestMapping("/models/{model}/versions/{version}/fairness")
class FairnessController {

	static final String VIEW = "governance/fairness";

	private static final String PAGE = "redirect:/models/{model}/versions/{version}/fairness";

	private final AdminApiClient adminApi;

	private final FairnessClient fairness;

	private final ExplainabilityClient explainability;

	FairnessController(AdminApiClient adminApi, FairnessClient fairness, ExplainabilityClient explainability) {
		this.adminApi = adminApi;
		this.fairness = fairness;
		this.explainability = explainability;
	}

	@GetMapping
	String page(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "report", required = false) String reportId, Authentication user, ModelMap page) {
		VersionPage.load(this.adminApi, model, version, user, page);
		page.addAttribute("tab", "fairness");
		String shownId = reportId;
		try {
			Page<FairnessReport> reports = this.fairness.reports(model, version);
			page.addAttribute("reports", reports.content());
			page.addAttribute("moreReports", reports.hasMore());
			if (shownId == null && !reports.content().isEmpty()) {
				shownId = reports.content().get(0).id();
			}
		}
		catch (AdminApiException ex) {
			page.addAttribute("reportsError", ex.getMessage());
		}
		if (shownId != null) {
			page.addAttribute("latestShown", reportId == null);
			try {
				FairnessReport report = this.fairness.report(shownId);
				if (!model.equals(report.model()) || !ModelVersion.sameNumber(version, report.version())) {
					page.addAttribute("reportError",
							"Report " + shownId + " is not a report of " + model + " version " + version + ".");
				}
				else {
					page.addAttribute("report", FairnessReportView.of(report));
				}
			}
			catch (AdminApiException ex) {
				page.addAttribute("reportError", "Report " + shownId + " could not be loaded: " + ex.getMessage());
			}
		}
		try {
			Page<ExplainabilityJob> checks = this.fairness.checks(model, version);
			page.addAttribute("checks", checks.content());
			page.addAttribute("moreChecks", checks.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("checksError", ex.getMessage());
		}
		try {
			Page<ReferenceDataset> datasets = this.explainability.referenceDatasets(model);
			page.addAttribute("datasets", datasets.content());
			page.addAttribute("evaluationDatasets",
					datasets.content().stream().filter(ReferenceDataset::hasEvaluationSpec).toList());
			page.addAttribute("moreDatasets", datasets.hasMore());
			Map<String, String> names = new HashMap<>();
			datasets.content()
				.stream()
				.filter((dataset) -> dataset.id() != null && dataset.name() != null)
				.forEach((dataset) -> names.put(dataset.id(), dataset.name()));
			page.addAttribute("datasetNames", names);
			page.addAttribute("specs",
					datasets.content()
						.stream()
						.filter(ReferenceDataset::hasEvaluationSpec)
						.collect(LinkedHashMap<String, EvaluationSpecView>::new,
								(map, dataset) -> map.put(dataset.id(), EvaluationSpecView.of(dataset.evaluation())),
								Map::putAll));
		}
		catch (AdminApiException ex) {
			page.addAttribute("datasetsError", ex.getMessage());
		}
		if (!page.containsAttribute("uploadForm")) {
			page.addAttribute("uploadForm", Map.of());
		}
		return VIEW;
	}

	@PostMapping("/checks")
	String runCheck(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "dataset_id", defaultValue = "") String datasetId,
			@RequestParam(name = "threshold", defaultValue = "") String threshold,
			@RequestParam(name = "resamples", defaultValue = "") String resamples,
			@RequestParam(name = "seed", defaultValue = "") String seed, RedirectAttributes flash) {
		Message message;
		try {
			ExplainabilityJob job = this.fairness.startCheck(model, version,
					FairnessForms.checkParameters(datasetId, threshold, resamples, seed));
			message = Message.ok((job != null && job.id() != null) ? "Fairness check " + job.id() + " queued."
					: "Fairness check queued.");
		}
		catch (InvalidForm | AdminApiException ex) {
			message = Message.error("The fairness check was not started: " + ex.getMessage());
		}
		flash.addFlashAttribute("checksMessage", message);
		return PAGE + "#checks";
	}

	@PostMapping("/jobs/{id}/cancel")
	String cancelCheck(@PathVariable String model, @PathVariable String version, @PathVariable String id,
			RedirectAttributes flash) {
		flash.addFlashAttribute("checksMessage", JobActions.cancel(this.explainability, "Fairness check", id));
		return PAGE + "#checks";
	}

	@PostMapping("/jobs/{id}/retry")
	String retryCheck(@PathVariable String model, @PathVariable String version, @PathVariable String id,
			RedirectAttributes flash) {
		flash.addFlashAttribute("checksMessage", JobActions.retry(this.explainability, "Fairness check", id));
		return PAGE + "#checks";
	}

	/**
	 * Uploads a CSV file as an evaluation dataset of the model; the file streams through
	 * to platform-api with the evaluation spec as query parameters. A refused upload
	 * comes back with the fields as typed.
	 */
	@PostMapping("/datasets")
	String uploadDataset(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "file", required = false) MultipartFile file,
			@RequestParam(name = "name", defaultValue = "") String name,
			@RequestParam(name = "label", defaultValue = "") String label,
			@RequestParam(name = "positive_label", defaultValue = "") String positiveLabel,
			@RequestParam(name = "sensitive", defaultValue = "") String sensitive,
			@RequestParam(name = "references", defaultValue = "") String references,
			@RequestParam(name = "bands", defaultValue = "") String bands, RedirectAttributes flash) {
		Message message;
		String datasetName = name.isBlank()
				? ReferenceDataset.nameFor((file != null) ? file.getOriginalFilename() : null, "evaluation")
				: name.trim();
		try {
			EvaluationSpec spec = FairnessForms.evaluationSpec(label, positiveLabel, sensitive, references, bands);
			if (file == null || file.isEmpty()) {
				throw new InvalidForm("choose a CSV file that is not empty.");
			}
			try (InputStream csv = file.getInputStream()) {
				ReferenceDataset dataset = this.fairness.uploadEvaluationDataset(model, datasetName, spec, csv,
						file.getSize());
				String rows = (dataset != null && dataset.rowCount() != null) ? " with " + dataset.rowCount() + " rows"
						: "";
				message = Message.ok("Evaluation dataset "
						+ ((dataset != null && dataset.name() != null) ? dataset.name() : datasetName) + " registered"
						+ rows + ".");
			}
		}
		catch (InvalidForm | AdminApiException ex) {
			message = Message.error("The evaluation dataset was not uploaded: " + ex.getMessage());
		}
		catch (IOException ex) {
			message = Message.error("The evaluation dataset was not uploaded: the file could not be read.");
		}
		if ("error".equals(message.kind())) {
			Map<String, String> typed = new LinkedHashMap<>();
			typed.put("name", name);
			typed.put("label", label);
			typed.put("positive_label", positiveLabel);
			typed.put("sensitive", sensitive);
			typed.put("references", references);
			typed.put("bands", bands);
			flash.addFlashAttribute("uploadForm", typed);
		}
		flash.addFlashAttribute("datasetsMessage", message);
		return PAGE + "#datasets";
	}

	/**
	 * The report's PDF, streamed from platform-api; when platform-api refuses or fails,
	 * back to the page with the reason.
	 */
	@GetMapping("/reports/{id}/pdf")
	ModelAndView pdf(@PathVariable String model, @PathVariable String version, @PathVariable String id,
			HttpServletResponse response, RedirectAttributes flash) {
		String failure = Downloads.send(response, model + "-" + version + "-fairness-" + id + ".pdf",
				MediaType.APPLICATION_PDF_VALUE, (reader) -> this.fairness.reportPdf(id, reader));
		if (failure == null) {
			return null;
		}
		flash.addFlashAttribute("reportMessage",
				Message.error("The PDF of report " + id + " could not be downloaded: " + failure));
		return new ModelAndView(PAGE + "?report={id}#report");
	}

}
