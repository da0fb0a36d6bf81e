package dev.warden.console.monitoring;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Model;
import dev.warden.console.adminapi.ModelVersion;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.ServingHealthClient;
import dev.warden.console.adminapi.Tenant;
import dev.warden.console.adminapi.TenantClient;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The monitoring dashboard ({@code /monitoring}, every console role, read-only): serving
 * health of every model or one model (and version), of every tenant or one tenant (by
 * name), over the last hour, day or 30 days, as charts with their numbers as text and a
 * table; and the same numbers as JSON ({@code /monitoring/series}) for the page's script,
 * which redraws the charts from it without reloading the page. Both are read from
 * {@code GET /api/admin/monitoring/serving} with the signed-in user's token.
 */
@Controller
class MonitoringController {

	/** The tenant named in the filter is looked up in pages this big… */
	static final int TENANT_PAGE_SIZE = 500;

	/** …and at most this many of them. */
	static final int TENANT_MAX_PAGES = 20;

	private final ServingHealthClient serving;

	private final AdminApiClient adminApi;

	private final TenantClient tenants;

	private final Clock clock = Clock.systemUTC();

	MonitoringController(ServingHealthClient serving, AdminApiClient adminApi, TenantClient tenants) {
		this.serving = serving;
		this.adminApi = adminApi;
		this.tenants = tenants;
	}

	@GetMapping("/monitoring")
	String page(@RequestParam(name = "model", required = false) String model,
			@RequestParam(name = "version", required = false) String version,
			@RequestParam(name = "tenant", required = false) String tenant,
			@RequestParam(name = "window", required = false) String window,
			@RequestParam(name = "step", required = false) String step, ModelMap page, HttpServletResponse response) {
		MonitoringFilters filters = MonitoringFilters.of(model, version, tenant, window, step);
		page.addAttribute("filters", filters);
		page.addAttribute("windows", MonitoringFilters.WINDOWS.values());
		page.addAttribute("steps", List.of("1m", "5m", "1h"));
		page.addAttribute("seriesUrl", "/monitoring/series?" + filters.query());
		page.addAttribute("columns", ServingCharts.COLUMNS);
		choices(filters, page);
		Result result = load(filters);
		page.addAttribute("fieldErrors", result.fieldErrors());
		page.addAttribute("seriesError", result.error());
		page.addAttribute("charts", result.charts());
		page.addAttribute("refreshSeconds",
				(filters.chosenWindow() != null) ? filters.chosenWindow().refreshSeconds() : 0);
		response.setStatus(result.status());
		return "monitoring/monitoring";
	}

	@GetMapping("/monitoring/series")
	ResponseEntity<Map<String, Object>> series(@RequestParam(name = "model", required = false) String model,
			@RequestParam(name = "version", required = false) String version,
			@RequestParam(name = "tenant", required = false) String tenant,
			@RequestParam(name = "window", required = false) String window,
			@RequestParam(name = "step", required = false) String step) {
		MonitoringFilters filters = MonitoringFilters.of(model, version, tenant, window, step);
		Result result = load(filters);
		if (result.charts() != null) {
			return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(result.charts().json());
		}
		Map<String, Object> error = new LinkedHashMap<>();
		error.put("message",
				(result.error() != null) ? result.error() : String.join(" ", result.fieldErrors().values()));
		error.put("fields", result.fieldErrors());
		return ResponseEntity.status((result.status() == 200) ? HttpStatus.BAD_GATEWAY.value() : result.status())
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("error", error));
	}

	/**
	 * The models of the catalogue (with the chosen model's versions) and the tenants'
	 * names to choose from.
	 */
	private void choices(MonitoringFilters filters, ModelMap page) {
		List<String> models = new ArrayList<>();
		List<String> versions = new ArrayList<>();
		try {
			Page<Model> catalogue = this.adminApi.models();
			for (Model model : catalogue.content()) {
				models.add(model.name());
				if (model.name().equals(filters.model())) {
					model.versions().stream().map(ModelVersion::version).forEach(versions::add);
				}
			}
		}
		catch (AdminApiException ex) {
			page.addAttribute("modelsError", ex.getMessage());
		}
		if (filters.model() != null && !models.contains(filters.model())) {
			models.add(filters.model());
		}
		page.addAttribute("models", models);
		page.addAttribute("versions", versions);
		try {
			page.addAttribute("tenantNames",
					this.tenants.list(0, TENANT_PAGE_SIZE).content().stream().map(Tenant::name).toList());
		}
		catch (AdminApiException ex) {
			page.addAttribute("tenantNames", List.of());
		}
	}

	private Result load(MonitoringFilters filters) {
		Map<String, String> problems = filters.problems();
		if (!problems.isEmpty()) {
			return new Result(400, problems, null, null);
		}
		String tenantId = null;
		if (filters.tenant() != null) {
			try {
				tenantId = tenantId(filters.tenant());
			}
			catch (AdminApiException ex) {
				return new Result(200, Map.of(), "The tenants could not be read: " + ex.getMessage(), null);
			}
			if (tenantId == null) {
				return new Result(404, Map.of("tenant", "tenant: no tenant is named '" + filters.tenant() + "'"), null,
						null);
			}
		}
		Instant now = this.clock.instant();
		try {
			return new Result(200, Map.of(), null, ServingCharts.of(this.serving.serving(filters.model(),
					filters.version(), tenantId, filters.from(now), now, filters.effectiveStep())));
		}
		catch (AdminApiException ex) {
			String field = field(ex, filters);
			if (field == null) {
				return new Result(200, Map.of(), ex.getMessage(), null);
			}
			String message = (ex.platformMessage() != null) ? ex.platformMessage() : ex.getMessage();
			return new Result(ex.status(), Map.of(field, message), null, null);
		}
	}

	/**
	 * The filter platform-api's refusal concerns: the parameter its message starts with
	 * ({@code from}/{@code to} are the window's), or the model for a 404; null for
	 * anything else (unreachable, 5xx…).
	 */
	private static String field(AdminApiException ex, MonitoringFilters filters) {
		if (ex.status() == 404 && filters.model() != null) {
			return "model";
		}
		if (ex.status() != 400 || ex.platformMessage() == null) {
			return null;
		}
		String message = ex.platformMessage();
		int colon = message.indexOf(':');
		String parameter = (colon > 0) ? message.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
		return switch (parameter) {
			case "model", "version", "tenant", "step" -> parameter;
			case "from", "to", "from/to" -> "window";
			default -> null;
		};
	}

	/**
	 * The id of the live tenant with this name (exactly as typed, else ignoring case), or
	 * null when none has it.
	 */
	private String tenantId(String name) {
		Tenant ignoringCase = null;
		Integer next = 0;
		int read = 0;
		while (next != null && read < TENANT_MAX_PAGES) {
			Page<Tenant> listed = this.tenants.list(next, TENANT_PAGE_SIZE);
			for (Tenant tenant : listed.content()) {
				if (name.equals(tenant.name())) {
					return tenant.id();
				}
				if (ignoringCase == null && name.equalsIgnoreCase(tenant.name())) {
					ignoringCase = tenant;
				}
			}
			next = listed.nextPage();
			read++;
		}
		return (ignoringCase != null) ? ignoringCase.id() : null;
	}

	/**
	 * What the filters gave.
	 *
	 * @param status the page's HTTP status
	 * @param fieldErrors messages by the filter they concern
	 * @param error a message about platform-api itself (unreachable, 5xx), or null
	 * @param charts the numbers, or null when there are none
	 */
	record Result(int status, Map<String, String> fieldErrors, String error, ServingCharts charts) {
	}

}
