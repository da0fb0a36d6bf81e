package dev.warden.console.compliance;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ComplianceExport;
import dev.warden.console.adminapi.Downloads;
import dev.warden.console.adminapi.ExportClient;
import dev.warden.console.adminapi.Page;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Compliance exports: the form that starts one (audit trail or request-log metadata, a
 * tenant or all, a time range, a format), whose answer is the file streamed from
 * platform-api through the console; the signed manifest and the public signing keyset as
 * downloads; and the list of earlier exports with their status, row count and SHA-256. An
 * export is a form post (it is recorded and audited by platform-api), so it carries the
 * CSRF token and is never started by following a link.
 */
@Controller
@RequestMapping("/exports")
class ExportsController {

	static final Set<String> TYPES = Set.of("audit", "request-log");

	static final Set<String> FORMATS = Set.of("csv", "ndjson", "pdf");

	private static final Map<String, String> CONTENT_TYPES = Map.of("csv", "text/csv", "ndjson", "application/x-ndjson",
			"pdf", MediaType.APPLICATION_PDF_VALUE);

	private static final String VIEW = "compliance/exports";

	private static final int HISTORY_SIZE = 20;

	private final ExportClient exports;

	private final AdminApiClient adminApi;

	private final Clock clock = Clock.systemUTC();

	ExportsController(ExportClient exports, AdminApiClient adminApi) {
		this.exports = exports;
		this.adminApi = adminApi;
	}

	@GetMapping
	String page(@RequestParam(name = "history_page", defaultValue = "0") String historyPage, ModelMap page) {
		LocalDate today = LocalDate.now(this.clock);
		Map<String, String> form = new LinkedHashMap<>();
		form.put("type", "audit");
		form.put("tenant", "all");
		form.put("from", today.minusDays(30).toString());
		form.put("to", today.plusDays(1).toString());
		form.put("format", "csv");
		return render(page, form, parse(historyPage));
	}

	/**
	 * Streams the export to the browser as a file. A refusal by platform-api comes before
	 * the first byte: the page is shown again with the form as sent and the reason next
	 * to the field it concerns.
	 */
	@PostMapping("/download")
	String download(@RequestParam(name = "type", defaultValue = "") String type,
			@RequestParam(name = "tenant", defaultValue = "all") String tenant,
			@RequestParam(name = "from", defaultValue = "") String from,
			@RequestParam(name = "to", defaultValue = "") String to,
			@RequestParam(name = "format", defaultValue = "csv") String format, ModelMap page,
			HttpServletResponse response) {
		Map<String, String> form = new LinkedHashMap<>();
		form.put("type", type);
		form.put("tenant", tenant.isBlank() ? "all" : tenant.trim());
		form.put("from", from.trim());
		form.put("to", to.trim());
		form.put("format", format);
		Map<String, String> errors = new LinkedHashMap<>();
		if (!TYPES.contains(type)) {
			errors.put("type", "Choose the audit trail or the request log.");
		}
		if (!FORMATS.contains(format)) {
			errors.put("format", "Choose CSV, NDJSON or PDF.");
		}
		if (from.isBlank()) {
			errors.put("from", "Give the start of the range, e.g. 2026-11-01.");
		}
		if (to.isBlank()) {
			errors.put("to", "Give the end of the range, e.g. 2026-12-01.");
		}
		if (errors.isEmpty()) {
			AdminApiException[] refused = new AdminApiException[1];
			String fileName = "warden-" + type + "-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
				.format(this.clock.instant().atOffset(ZoneOffset.UTC)) + "." + format;
			String failure = Downloads.send(response, fileName, CONTENT_TYPES.get(format), (reader) -> {
				try {
					this.exports.export(type, format, form.get("tenant"), form.get("from"), form.get("to"), reader);
				}
				catch (AdminApiException ex) {
					refused[0] = ex;
					throw ex;
				}
			});
			if (failure == null) {
				return null;
			}
			errors.put(fieldOf(refused[0]), failure);
			response.setStatus((refused[0] != null && refused[0].status() >= 400) ? refused[0].status() : 502);
		}
		else {
			response.setStatus(400);
		}
		page.addAttribute("errors", errors);
		return render(page, form, 0);
	}

	/** The export's signed manifest as a file. */
	@GetMapping("/{id}/manifest")
	String manifest(@PathVariable String id, HttpServletResponse response, RedirectAttributes flash) {
		String failure = Downloads.send(response, "warden-export-" + id + ".manifest.json",
				MediaType.APPLICATION_JSON_VALUE, (reader) -> this.exports.manifest(id, reader));
		if (failure == null) {
			return null;
		}
		flash.addFlashAttribute("historyMessage",
				Message.error("The manifest of export " + id + " could not be downloaded: " + failure));
		return "redirect:/exports#history";
	}

	/** The installation's public signing keyset (Tink JSON) as a file. */
	@GetMapping("/public-key")
	String publicKey(HttpServletResponse response, RedirectAttributes flash) {
		String failure = Downloads.send(response, "warden-public-key.json", MediaType.APPLICATION_JSON_VALUE,
				this.exports::publicKey);
		if (failure == null) {
			return null;
		}
		flash.addFlashAttribute("historyMessage",
				Message.error("The public signing key could not be downloaded: " + failure));
		return "redirect:/exports#verify";
	}

	private String render(ModelMap page, Map<String, String> form, int historyPage) {
		page.addAttribute("form", form);
		if (!page.containsAttribute("errors")) {
			page.addAttribute("errors", Map.of());
		}
		try {
			page.addAttribute("tenants", this.adminApi.tenants().content());
		}
		catch (AdminApiException ex) {
			page.addAttribute("tenantsError", ex.getMessage());
		}
		try {
			Page<ComplianceExport> history = this.exports.exports(historyPage, HISTORY_SIZE);
			page.addAttribute("history", history.content());
			page.addAttribute("historyPage", historyPage);
			page.addAttribute("historyNext", history.nextPage());
		}
		catch (AdminApiException ex) {
			page.addAttribute("historyError", ex.getMessage());
		}
		return VIEW;
	}

	/** The form field an error of platform-api concerns ({@code action} for none). */
	static String fieldOf(AdminApiException ex) {
		if (ex == null || ex.code() == null) {
			return "action";
		}
		String message = (ex.platformMessage() != null) ? ex.platformMessage() : "";
		return switch (ex.code()) {
			case "invalid_format", "export_too_large_for_pdf" -> "format";
			case "invalid_tenant" -> "tenant";
			case "not_found" -> message.contains("tenant") ? "tenant" : "action";
			case "invalid_range" -> "from";
			// platform-api's message starts with the parameter's name
			case "invalid_date", "missing_parameter" -> message.startsWith("to") ? "to" : "from";
			default -> "action";
		};
	}

	private static int parse(String text) {
		try {
			return Math.max(0, Integer.parseInt(text.trim()));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}
