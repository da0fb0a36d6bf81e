package dev.warden.platform.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.monitoring.Alerts.Alert;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * {@code GET /api/admin/monitoring/alerts} and {@code GET …/alerts/{id}} (ADMIN or
 * COMPLIANCE, as every admin read): the alerts the rules of {@code monitoring.yaml}
 * opened, and one alert with its webhook deliveries.
 */
@RestController
@Tag(name = "Alerts",
		description = "Alerts opened by the rules of policies/monitoring.yaml (error rate, p99 latency, drift, live "
				+ "accuracy, live fairness), with their webhook deliveries. docs/monitoring.md#alerts")
class AlertController {

	private final Alerts alerts;

	AlertController(Alerts alerts) {
		this.alerts = alerts;
	}

	@GetMapping(path = "/api/admin/monitoring/alerts", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Alerts, newest opened first",
			description = "state open (default), closed or all; model; from/to (ISO-8601 instants): alerts that were "
					+ "open at some time in [from, to). Paged. 400 invalid_parameter naming the parameter.")
	Page<Alert> list(PageRequest page,
			@Parameter(description = "open (default), closed or all") @RequestParam(required = false) String state,
			@Parameter(description = "only this model") @RequestParam(required = false) String model,
			@Parameter(description = "ISO-8601 instant") @RequestParam(required = false) String from,
			@Parameter(description = "ISO-8601 instant, exclusive") @RequestParam(required = false) String to) {
		return this.alerts.list(state, model, from, to, page);
	}

	@GetMapping(path = "/api/admin/monitoring/alerts/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "One alert with its webhook deliveries and their attempts",
			description = "404 not_found for an unknown id; 400 invalid_parameter for an id that is not a UUID.")
	Map<String, Object> get(@PathVariable String id) {
		UUID uuid;
		try {
			uuid = UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("invalid_parameter", "id: is not an alert id (a UUID)");
		}
		Alert alert = this.alerts.get(uuid).orElseThrow(() -> ApiException.notFound("alert " + id));
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("alert", alert);
		out.put("deliveries", this.alerts.deliveries(uuid));
		return out;
	}

}
