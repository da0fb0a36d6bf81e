package dev.warden.console.audit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.AuditEvent;
import dev.warden.console.adminapi.Page;

import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The audit trail: on every load a verification of the whole chain by platform-api, and
 * the events, newest first, filtered by action, actor, target and time range (passed as
 * typed: platform-api checks them and its 400 is shown next to the field it names) and
 * paged, each event's details as readable lines. The verification and the events are
 * loaded on their own, so one failing shows a message while the other still renders.
 */
@Controller
class AuditPageController {

	static final int DEFAULT_SIZE = 50;

	static final int MAX_SIZE = 500;

	/** Each form field and the admin API parameter it is sent as. */
	private static final Map<String, String> PARAMETERS = parameters();

	private final AdminApiClient adminApi;

	AuditPageController(AdminApiClient adminApi) {
		this.adminApi = adminApi;
	}

	private static Map<String, String> parameters() {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("action", "action");
		parameters.put("actor", "actor");
		parameters.put("targetType", "target_type");
		parameters.put("target", "target_id");
		parameters.put("from", "from");
		parameters.put("to", "to");
		return parameters;
	}

	@GetMapping("/audit")
	String audit(@RequestParam(name = "action", defaultValue = "") String action,
			@RequestParam(name = "actor", defaultValue = "") String actor,
			@RequestParam(name = "targetType", defaultValue = "") String targetType,
			@RequestParam(name = "target", defaultValue = "") String target,
			@RequestParam(name = "from", defaultValue = "") String from,
			@RequestParam(name = "to", defaultValue = "") String to,
			@RequestParam(name = "page", defaultValue = "0") String pageNumber,
			@RequestParam(name = "size", defaultValue = "") String sizeText, ModelMap page) {
		Map<String, String> form = new LinkedHashMap<>();
		form.put("action", action.strip());
		form.put("actor", actor.strip());
		form.put("targetType", targetType.strip());
		form.put("target", target.strip());
		form.put("from", from.strip());
		form.put("to", to.strip());
		int number = parse(pageNumber, 0, Integer.MAX_VALUE, 0);
		int size = parse(sizeText, 1, MAX_SIZE, DEFAULT_SIZE);
		page.addAttribute("filters", form);
		page.addAttribute("size", size);
		page.addAttribute("pageNumber", number);
		page.addAttribute("filterQuery", filterQuery(form, size));
		page.addAttribute("filtered", form.values().stream().anyMatch((value) -> !value.isEmpty()));
		try {
			page.addAttribute("verification", this.adminApi.verifyAudit());
		}
		catch (AdminApiException ex) {
			page.addAttribute("verificationError", ex.getMessage());
		}
		Map<String, String> parameters = new LinkedHashMap<>();
		form.forEach((field, value) -> {
			if (!value.isEmpty()) {
				parameters.put(PARAMETERS.get(field), value);
			}
		});
		try {
			Page<AuditEvent> events = this.adminApi.auditEvents(parameters, number, size);
			page.addAttribute("events", events.content());
			page.addAttribute("details",
					events.content().stream().map((event) -> AuditDetails.of(event.details())).toList());
			page.addAttribute("nextPage", events.nextPage());
		}
		catch (AdminApiException ex) {
			if (ex.status() == 400) {
				page.addAttribute("fieldErrors", Map.of(field(ex), ex.getMessage()));
			}
			else {
				page.addAttribute("eventsError", ex.getMessage());
			}
		}
		return "audit/audit";
	}

	/**
	 * The form field a 400 of platform-api concerns: its message starts with the name of
	 * the parameter ({@code action: must be ...}, or
	 * {@code query parameter 'actor': ...}); {@code filter} (the form as a whole) when it
	 * names none of them.
	 */
	static String field(AdminApiException refused) {
		String parameter = refused.refusedParameter();
		if (parameter.equals("size")) {
			return "size";
		}
		for (Map.Entry<String, String> entry : PARAMETERS.entrySet()) {
			if (entry.getValue().equals(parameter)) {
				return entry.getKey();
			}
		}
		return "filter";
	}

	/** The query string of the filters that are set and the page size, for the pager. */
	private static String filterQuery(Map<String, String> form, int size) {
		StringBuilder query = new StringBuilder();
		form.forEach((name, value) -> {
			if (!value.isEmpty()) {
				query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&');
			}
		});
		return query.append("size=").append(size).toString();
	}

	private static int parse(String text, int min, int max, int otherwise) {
		try {
			int value = Integer.parseInt(text.strip());
			return (value < min || value > max) ? otherwise : value;
		}
		catch (NumberFormatException ex) {
			return otherwise;
		}
	}

}
