package dev.warden.console.compliance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ApiKey;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.RequestLogClient;
import dev.warden.console.adminapi.RequestLogFilters;
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
 * The request log: record metadata, newest first, filtered by tenant, API key, model,
 * version, status and time range (ISO-8601 instants typed as text, passed as typed:
 * platform-api checks them and its 400 is shown next to the field it names) and paged;
 * and the break-glass view of one record's payloads. The view is a form post with a
 * written justification, answered with the payloads in that response only: they are never
 * put in a URL, a flash attribute, the session or a cache
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
			@RequestParam(name = "key", defaultValue = "") String key,
			@RequestParam(name = "model", defaultValue = "") String model,
			@RequestParam(name = "version", defaultValue = "") String version,
			@RequestParam(name = "status", defaultValue = "") String status,
			@RequestParam(name = "from", defaultValue = "") String from,
			@RequestParam(name = "to", defaultValue = "") String to,
			@RequestParam(name = "page", defaultValue = "0") String pageNumber,
			@RequestParam(name = "size", defaultValue = "") String sizeText, ModelMap page) {
		RequestLogFilters filters = new RequestLogFilters(tenant.strip(), key.strip(), model.strip(), version.strip(),
				status.strip(), from.strip(), to.strip());
		int number = parse(pageNumber, 0, 0, Integer.MAX_VALUE);
		int size = parse(sizeText, DEFAULT_SIZE, 1, MAX_SIZE);
		page.addAttribute("tenant", filters.tenantId());
		page.addAttribute("key", filters.apiKeyId());
		page.addAttribute("model", filters.model());
		page.addAttribute("version", filters.version());
		page.addAttribute("status", filters.status());
		page.addAttribute("from", filters.from());
		page.addAttribute("to", filters.to());
		page.addAttribute("size", size);
		page.addAttribute("pageNumber", number);
		page.addAttribute("filterQuery", filterQuery(filters, size));
		Map<String, String> tenantNames = tenants(page);
		try {
			Page<RequestLogRecord> records = this.requestLog.records(filters, number, size);
			page.addAttribute("records", records.content());
			page.addAttribute("nextPage", records.nextPage());
			page.addAttribute("keyPrefixes", keyPrefixes(records.content()));
		}
		catch (AdminApiException ex) {
			if (ex.status() == 400) {
				// a 400 is about a filter: shown next to the field whose parameter it
				// names
				page.addAttribute("fieldErrors", Map.of(field(ex), ex.getMessage()));
			}
			else {
				page.addAttribute("recordsError", ex.getMessage());
			}
		}
		page.addAttribute("tenantNames", tenantNames);
		return "compliance/request-log";
	}

	/**
	 * The form field a 400 of platform-api concerns: its message starts with the name of
	 * the parameter ({@code status: must be ...}, or
	 * {@code query parameter 'model': must be ...}); {@code filter} (the form as a whole)
	 * when it names none of the filters.
	 */
	static String field(AdminApiException refused) {
		return FIELDS.getOrDefault(refused.refusedParameter(), "filter");
	}

	/** The form field of each admin API parameter. */
	private static final Map<String, String> FIELDS = Map.of("tenant_id", "tenant", "api_key_id", "key", "model",
			"model", "version", "version", "status", "status", "from", "from", "to", "to", "size", "size");

	/**
	 * The console's query string of the filters that are set and the page size, for the
	 * pager's links (each value URL-encoded; the page number is appended).
	 */
	private static String filterQuery(RequestLogFilters filters, int size) {
		StringBuilder query = new StringBuilder();
		Map<String, String> console = new LinkedHashMap<>();
		console.put("tenant", filters.tenantId());
		console.put("key", filters.apiKeyId());
		console.put("model", filters.model());
		console.put("version", filters.version());
		console.put("status", filters.status());
		console.put("from", filters.from());
		console.put("to", filters.to());
		console.forEach((name, value) -> {
			if (!value.isEmpty()) {
				query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&');
			}
		});
		return query.append("size=").append(size).toString();
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
