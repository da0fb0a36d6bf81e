package dev.warden.console.explainability;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Downloads;
import dev.warden.console.adminapi.ExplainabilityClient;
import dev.warden.console.adminapi.ExplainabilityJob;
import dev.warden.console.adminapi.ExplainabilityReport;
import dev.warden.console.adminapi.JobActions;
import dev.warden.console.adminapi.ModelVersion;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.ReferenceDataset;
import dev.warden.console.adminapi.Signature;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The explainability page of a model version and its actions. The page is assembled from
 * several admin API calls, each on its own, so one failing shows a message in its section
 * while the others still render; an unknown model or version is the console's 404 page.
 * Actions (start, cancel and retry jobs; upload, import and delete datasets) are form
 * posts answered with a redirect back to the page, which shows the outcome in the section
 * concerned; platform-api decides whether the user may do them, and its refusal (403) is
 * such an outcome. The explain form is answered with the page itself, the result next to
 * the form, with the status platform-api gave a refused request.
 */
@Controller
@RequestMapping("/models/{model}/versions/{version}/explainability")
class ExplainabilityController {

	static final String VIEW = "explainability/version";

	private static final String PAGE = "redirect:/models/{model}/versions/{version}/explainability";

	/** Datasets the worker ships, offered for import. */
	static final List<String> SHIPPED_DATASETS = List.of("adult_validation", "spamassassin_validation");

	/** The shipped dataset each reference model's reports use. */
	private static final Map<String, String> SHIPPED_FOR_MODEL = Map.of("income", "adult_validation", "spam",
			"spamassassin_validation");

	private final AdminApiClient adminApi;

	private final ExplainabilityClient explainability;

	ExplainabilityController(AdminApiClient adminApi, ExplainabilityClient explainability) {
		this.adminApi = adminApi;
		this.explainability = explainability;
	}

	@GetMapping
	String page(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "report", required = false) String reportId, Authentication user, ModelMap page) {
		Loaded loaded = load(model, version, reportId, user, page);
		if (loaded.signature() != null) {
			page.addAttribute("explainForm", ExplainForm.blank(loaded.signature(), loaded.baseline()));
		}
		return VIEW;
	}

	/**
	 * Explains the row or text of the form with the version and shows the page with the
	 * result; a request platform-api refuses shows its message next to the form, which
	 * keeps what was typed.
	 */
	@PostMapping("/explain")
	String explain(@PathVariable String model, @PathVariable String version,
			@RequestParam MultiValueMap<String, String> form, Authentication user, HttpServletResponse response,
			ModelMap page) {
		Loaded loaded = load(model, version, null, user, page);
		if (loaded.signature() == null) {
			page.addAttribute("explainError", "The form needs the version's serving signature, which is not known.");
			return VIEW;
		}
		ExplainForm submitted = ExplainForm.submitted(loaded.signature(), form);
		page.addAttribute("explainForm", submitted);
		try {
			JsonNode answer = this.explainability.explain(model, version, submitted.request());
			page.addAttribute("explanations",
					ExplanationView.of(answer, submitted.text() ? submitted.textValue() : null));
		}
		catch (ExplainForm.InvalidForm ex) {
			response.setStatus(HttpStatus.BAD_REQUEST.value());
			page.addAttribute("explainError", ex.getMessage());
		}
		catch (AdminApiException ex) {
			response.setStatus(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value());
			page.addAttribute("explainError", "Not explained: " + ex.getMessage());
		}
		return VIEW;
	}

	@PostMapping("/reports")
	String startReport(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "dataset_id", defaultValue = "") String datasetId,
			@RequestParam(name = "method", defaultValue = "") String method,
			@RequestParam(name = "seed", defaultValue = "") String seed,
			@RequestParam(name = "sample_size", defaultValue = "") String sampleSize, RedirectAttributes flash) {
		Message message;
		try {
			ExplainabilityJob job = this.explainability.startReport(model, version, blankToNull(datasetId),
					blankToNull(method), wholeNumber("Seed", seed), wholeNumber("Sample size", sampleSize));
			message = Message
				.ok((job != null && job.id() != null) ? "Report job " + job.id() + " queued." : "Report job queued.");
		}
		catch (ExplainForm.InvalidForm ex) {
			message = Message.error("The report was not started: " + ex.getMessage());
		}
		catch (AdminApiException ex) {
			message = Message.error("The report was not started: " + ex.getMessage());
		}
		flash.addFlashAttribute("jobsMessage", message);
		return PAGE + "#jobs";
	}

	@PostMapping("/jobs/{id}/cancel")
	String cancelJob(@PathVariable String model, @PathVariable String version, @PathVariable String id,
			RedirectAttributes flash) {
		flash.addFlashAttribute("jobsMessage", JobActions.cancel(this.explainability, "Job", id));
		return PAGE + "#jobs";
	}

	@PostMapping("/jobs/{id}/retry")
	String retryJob(@PathVariable String model, @PathVariable String version, @PathVariable String id,
			RedirectAttributes flash) {
		flash.addFlashAttribute("jobsMessage", JobActions.retry(this.explainability, "Job", id));
		return PAGE + "#jobs";
	}

	/**
	 * Uploads a CSV file as a reference dataset of the model; the file streams through to
	 * platform-api.
	 */
	@PostMapping("/datasets")
	String uploadDataset(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "file", required = false) MultipartFile file,
			@RequestParam(name = "name", defaultValue = "") String name, RedirectAttributes flash) {
		Message message;
		if (file == null || file.isEmpty()) {
			message = Message.error("The dataset was not uploaded: choose a CSV file that is not empty.");
		}
		else {
			String datasetName = name.isBlank() ? ReferenceDataset.nameFor(file.getOriginalFilename(), "upload")
					: name.trim();
			try (InputStream csv = file.getInputStream()) {
				ReferenceDataset dataset = this.explainability.uploadReferenceDataset(model, datasetName, csv,
						file.getSize());
				message = Message.ok(registered(dataset, datasetName));
			}
			catch (AdminApiException ex) {
				message = Message.error("The dataset was not uploaded: " + ex.getMessage());
			}
			catch (IOException ex) {
				message = Message.error("The dataset was not uploaded: the file could not be read.");
			}
		}
		flash.addFlashAttribute("datasetsMessage", message);
		return PAGE + "#datasets";
	}

	@PostMapping("/datasets/shipped")
	String importShippedDataset(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "dataset", defaultValue = "") String dataset, RedirectAttributes flash) {
		Message message;
		try {
			message = Message.ok(registered(this.explainability.importShippedDataset(model, dataset), dataset));
		}
		catch (AdminApiException ex) {
			message = Message.error("The shipped dataset was not imported: " + ex.getMessage());
		}
		flash.addFlashAttribute("datasetsMessage", message);
		return PAGE + "#datasets";
	}

	@PostMapping("/datasets/{id}/delete")
	String deleteDataset(@PathVariable String model, @PathVariable String version, @PathVariable String id,
			RedirectAttributes flash) {
		try {
			this.explainability.deleteReferenceDataset(model, id);
			flash.addFlashAttribute("datasetsMessage", Message.ok("Dataset " + id + " deleted."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("datasetsMessage",
					Message.error("Dataset " + id + " was not deleted: " + ex.getMessage()));
		}
		return PAGE + "#datasets";
	}

	/**
	 * The report's PDF, streamed from platform-api; when platform-api refuses or fails,
	 * back to the page with the reason.
	 */
	@GetMapping("/reports/{id}/pdf")
	ModelAndView pdf(@PathVariable String model, @PathVariable String version, @PathVariable String id,
			HttpServletResponse response, RedirectAttributes flash) {
		String failure = Downloads.send(response, model + "-" + version + "-report-" + id + ".pdf",
				MediaType.APPLICATION_PDF_VALUE, (reader) -> this.explainability.reportPdf(id, reader));
		if (failure == null) {
			return null;
		}
		flash.addFlashAttribute("reportMessage",
				Message.error("The PDF of report " + id + " could not be downloaded: " + failure));
		return new ModelAndView(PAGE + "?report={id}#report");
	}

	/**
	 * Adds every section of the page to the model. The version's own call decides whether
	 * the page exists: platform-api's 404 (or 400 for a malformed version number) is the
	 * console's 404.
	 */
	private Loaded load(String model, String version, String reportId, Authentication user, ModelMap page) {
		page.addAttribute("modelName", model);
		page.addAttribute("versionName", version);
		page.addAttribute("canManage", isAdmin(user));
		page.addAttribute("methods", ExplainForm.METHODS);
		page.addAttribute("shippedDatasets", SHIPPED_DATASETS);
		page.addAttribute("suggestedShipped", SHIPPED_FOR_MODEL.getOrDefault(model, SHIPPED_DATASETS.get(0)));
		Signature signature = null;
		try {
			ModelVersion modelVersion = this.adminApi.modelVersion(model, version);
			page.addAttribute("modelVersion", modelVersion);
			signature = ExplainForm.servingSignature(modelVersion.signatures());
		}
		catch (AdminApiException ex) {
			if (ex.status() == 404 || ex.status() == 400) {
				throw new ResponseStatusException(HttpStatus.NOT_FOUND);
			}
			page.addAttribute("versionError", ex.getMessage());
		}
		String shownId = reportId;
		try {
			Page<ExplainabilityReport> reports = this.explainability.reports(model, version);
			page.addAttribute("reports", reports.content());
			page.addAttribute("moreReports", reports.hasMore());
			if (shownId == null && !reports.content().isEmpty()) {
				shownId = reports.content().get(0).id();
			}
		}
		catch (AdminApiException ex) {
			page.addAttribute("reportsError", ex.getMessage());
		}
		JsonNode baseline = null;
		if (shownId != null) {
			page.addAttribute("latestShown", reportId == null);
			try {
				ExplainabilityReport report = this.explainability.report(shownId);
				if (!model.equals(report.model()) || !ModelVersion.sameNumber(version, report.version())) {
					page.addAttribute("reportError",
							"Report " + shownId + " is not a report of " + model + " version " + version + ".");
				}
				else {
					ReportView view = ReportView.of(report);
					page.addAttribute("report", view);
					baseline = (report.content() != null) ? report.content().path("baseline") : null;
				}
			}
			catch (AdminApiException ex) {
				page.addAttribute("reportError", "Report " + shownId + " could not be loaded: " + ex.getMessage());
			}
		}
		try {
			Page<ExplainabilityJob> jobs = this.explainability.jobs(model, version);
			page.addAttribute("jobs", jobs.content());
			page.addAttribute("moreJobs", jobs.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("jobsError", ex.getMessage());
		}
		try {
			Page<ReferenceDataset> datasets = this.explainability.referenceDatasets(model);
			page.addAttribute("datasets", datasets.content());
			Map<String, String> names = new HashMap<>();
			datasets.content()
				.stream()
				.filter((dataset) -> dataset.id() != null && dataset.name() != null)
				.forEach((dataset) -> names.put(dataset.id(), dataset.name()));
			page.addAttribute("datasetNames", names);
			page.addAttribute("moreDatasets", datasets.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("datasetsError", ex.getMessage());
		}
		return new Loaded(signature, baseline);
	}

	private static boolean isAdmin(Authentication user) {
		return user != null
				&& user.getAuthorities().stream().map(GrantedAuthority::getAuthority).anyMatch("ROLE_ADMIN"::equals);
	}

	private static String registered(ReferenceDataset dataset, String fallbackName) {
		if (dataset == null) {
			return "Dataset " + fallbackName + " registered.";
		}
		String rows = (dataset.rowCount() != null) ? " with " + dataset.rowCount() + " rows" : "";
		return "Dataset " + ((dataset.name() != null) ? dataset.name() : fallbackName) + " registered" + rows + ".";
	}

	private static Long wholeNumber(String label, String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new ExplainForm.InvalidForm(
					label + " must be a whole number, not '" + Figures.shorten(value, 40) + "'.");
		}
	}

	private static String blankToNull(String value) {
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	/**
	 * What the explain form needs from the loaded page.
	 *
	 * @param signature the serving signature, or null when unknown
	 * @param baseline the shown report's baseline, or null
	 */
	private record Loaded(Signature signature, JsonNode baseline) {
	}

}
