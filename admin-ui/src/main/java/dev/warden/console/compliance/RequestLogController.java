package dev.warden.console.compliance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ApiKey;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.RequestLogClient;
import dev.warden.console.adminapi.RequestLogPayload;
import dev.warden.console.adminapi.RequestLogRecord;
import dev.warden.console.adminapi.Tenant;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The request log: record metadata, newest first, filtered by tenant (the only filter the
 * admin API offers) and paged; and the break-glass view of one record's payloads. The
 * view is a form post with a written justification, answered with the payloads in that
 * response only: they are never put in a URL, a flash attribute, the session or a cache
 * ({@code Cache-Control: no-store}), so reloading asks platform-api again, which audits
 * every call.
 */
@Controller
@RequestMapping("/request-log")
class RequestLogController {

	static final int MIN_JUSTIFICATION = 10;

	static final int MAX_JUSTIFICATION = 2000;

	static final int DEFAULT_SIZE = 50;

	static final int MAX_SIZE = 500;

	/** At most this many tenants' keys are looked up to show key prefixes. */
	private static final int MAX_KEY_LOOKUPS = 10;

	private final RequestLogClient requestLog;

	private final AdminApiClient adminApi;

	RequestLogController(RequestLogClient requestLog, AdminApiClient adminApi) {
		this.requestLog = requestLog;
		this.adminApi = adminApi;
	}

	@GetMapping
	String page(@RequestParam(name = "tenant", defaultValue = "") String tenant,
			@RequestParam(name = "page", defaultValue = "0") String pageNumber,
			@RequestParam(name = "size", defaultValue = "") String sizeText, ModelMap page) {
		String tenantId = tenant.isBlank() ? null : tenant.trim();
		int number = parse(pageNumber, 0, 0, Integer.MAX_VALUE);
		int size = parse(sizeText, DEFAULT_SIZE, 1, MAX_SIZE);
		page.addAttribute("tenant", (tenantId != null) ? tenantId : "");
		page.addAttribute("size", size);
		page.addAttribute("pageNumber", number);
		Map<String, String> tenantNames = tenants(page);
		try {
			Page<RequestLogRecord> records = this.requestLog.records(tenantId, number, size);
			page.addAttribute("records", records.content());
			page.addAttribute("nextPage", records.nextPage());
			page.addAttribute("keyPrefixes", keyPrefixes(records.content()));
		}
		catch (AdminApiException ex) {
			// a 400 is about the filter (a tenant id that is not a UUID): shown next to
			// it
			page.addAttribute((ex.status() == 400) ? "filterError" : "recordsError", ex.getMessage());
		}
		page.addAttribute("tenantNames", tenantNames);
		return "compliance/request-log";
	}

	/** The justification form of the break-glass view of one record. */
	@GetMapping("/{id}/payload")
	String justification(@PathVariable String id, @RequestParam(name = "tenant", defaultValue = "") String tenant,
			ModelMap page) {
		page.addAttribute("recordId", id);
		page.addAttribute("tenant", tenant);
		page.addAttribute("justification", "");
		return "compliance/payload";
	}

	/**
	 * Break-glass: asks platform-api for the record's decrypted payloads with the
	 * justification and shows them in this response only.
	 */
	@PostMapping("/{id}/payload")
	String view(@PathVariable String id, @RequestParam(name = "justification", defaultValue = "") String justification,
			@RequestParam(name = "tenant", defaultValue = "") String tenant, ModelMap page,
			HttpServletResponse response) {
		response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
		page.addAttribute("recordId", id);
		page.addAttribute("tenant", tenant);
		page.addAttribute("justification", justification);
		String trimmed = justification.strip();
		if (trimmed.length() < MIN_JUSTIFICATION) {
			page.addAttribute("justificationError", "Write why you need to see this payload: at least "
					+ MIN_JUSTIFICATION + " characters (nothing was sent to platform-api).");
			response.setStatus(400);
			return "compliance/payload";
		}
		if (trimmed.length() > MAX_JUSTIFICATION) {
			page.addAttribute("justificationError", "The justification may have at most " + MAX_JUSTIFICATION
					+ " characters; it has " + trimmed.length() + " (nothing was sent to platform-api).");
			response.setStatus(400);
			return "compliance/payload";
		}
		try {
			RequestLogPayload payload = this.requestLog.payload(id, justification);
			page.addAttribute("payload", payload);
			page.addAttribute("justification", "");
		}
		catch (AdminApiException ex) {
			if ("justification_required".equals(ex.code()) || "validation_failed".equals(ex.code())
					|| "malformed_body".equals(ex.code())) {
				page.addAttribute("justificationError", ex.getMessage());
			}
			else {
				page.addAttribute("payloadError", ex.getMessage());
			}
			response.setStatus((ex.status() >= 400) ? ex.status() : 502);
		}
		return "compliance/payload";
	}

	/** The tenants suggested by the filter (first page), their names by id. */
	private Map<String, String> tenants(ModelMap page) {
		Map<String, String> names = new HashMap<>();
		List<Tenant> options = new ArrayList<>();
		try {
			Page<Tenant> tenants = this.adminApi.tenants();
			options.addAll(tenants.content());
			tenants.content().forEach((tenant) -> names.put(tenant.id(), tenant.name()));
		}
		catch (AdminApiException ex) {
			page.addAttribute("tenantsError", ex.getMessage());
		}
		page.addAttribute("tenants", options);
		return names;
	}

	/**
	 * The prefixes of the API keys on the page, by key id, looked up in the keys of the
	 * page's tenants (a tenant whose keys cannot be read shows key ids instead).
	 */
	private Map<String, String> keyPrefixes(List<RequestLogRecord> records) {
		Set<String> tenants = new LinkedHashSet<>();
		records.stream()
			.filter((record) -> record.tenantId() != null && record.apiKeyId() != null)
			.forEach((record) -> tenants.add(record.tenantId()));
		Map<String, String> prefixes = new HashMap<>();
		tenants.stream().limit(MAX_KEY_LOOKUPS).forEach((tenant) -> {
			try {
				for (ApiKey key : this.adminApi.keys(tenant).content()) {
					if (key.id() != null && key.prefix() != null) {
						prefixes.put(key.id(), key.prefix());
					}
				}
			}
			catch (AdminApiException ex) {
				// the key id is shown instead
			}
		});
		return prefixes;
	}

	private static int parse(String text, int fallback, int min, int max) {
		try {
			int value = text.isBlank() ? fallback : Integer.parseInt(text.trim());
			return Math.max(min, Math.min(max, value));
		}
		catch (NumberFormatException ex) {
			return fallback;
		}
	}

}
