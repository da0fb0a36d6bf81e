package dev.warden.console.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.CatalogModel;
import dev.warden.console.adminapi.ModelAdminClient;
import dev.warden.console.adminapi.Routing;
import dev.warden.console.adminapi.RoutingClient;
import dev.warden.console.adminapi.TenantClient;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Changes of a model's grants and routing, each in two steps: the form posts to
 * {@code /models/{m}/confirm}, which changes nothing and answers a page saying what the
 * change will do; its button posts the same change to {@code /models/{m}/apply}, which
 * makes the call. platform-api decides: its refusal (403 for a role without
 * {@code ADMIN}, 400, 404, 409 such as {@code approval_required}, 503) is shown on the
 * model page next to the control it concerns, with platform-api's status.
 */
@Controller
class ModelChangesController {

	static final String CONFIRM_VIEW = "models/confirm";

	private final ModelAdminClient models;

	private final RoutingClient routing;

	private final TenantClient tenants;

	ModelChangesController(ModelAdminClient models, RoutingClient routing, TenantClient tenants) {
		this.models = models;
		this.routing = routing;
		this.tenants = tenants;
	}

	@PostMapping("/models/{name}/confirm")
	String confirm(@PathVariable String name, @RequestParam Map<String, String> fields,
			@RequestParam(name = "tenants", required = false) List<String> tenantIds, Authentication user,
			HttpServletResponse response, ModelMap page) {
		Map<String, String> errors = new LinkedHashMap<>();
		ModelChange change = ModelChange.read(fields, (tenantIds != null) ? tenantIds : List.of(), errors);
		ModelPage.load(this.models, this.routing, this.tenants, name, user, page);
		if (change == null) {
			response.setStatus(HttpStatus.BAD_REQUEST.value());
			page.addAttribute("errors", errors);
			return ModelPage.VIEW;
		}
		@SuppressWarnings("unchecked")
		Map<String, String> tenantNames = (Map<String, String>) page.get("tenantNames");
		page.addAttribute("change", change);
		page.addAttribute("confirmTitle", change.title(name));
		page.addAttribute("consequences", change.consequences(name, (CatalogModel) page.get("model"),
				(Routing) page.get("routing"), tenantNames));
		page.addAttribute("hidden", change.fields());
		return CONFIRM_VIEW;
	}

	@PostMapping("/models/{name}/apply")
	String apply(@PathVariable String name, @RequestParam Map<String, String> fields,
			@RequestParam(name = "tenants", required = false) List<String> tenantIds, Authentication user,
			HttpServletResponse response, ModelMap page, RedirectAttributes flash) {
		Map<String, String> errors = new LinkedHashMap<>();
		ModelChange change = ModelChange.read(fields, (tenantIds != null) ? tenantIds : List.of(), errors);
		if (change != null) {
			try {
				String done = apply(name, change);
				flash.addFlashAttribute(change.action().equals("grants") ? "grantsMessage" : "routingMessage",
						Message.ok(done));
				flash.addAttribute("name", name);
				return "redirect:/models/{name}";
			}
			catch (AdminApiException ex) {
				response.setStatus(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value());
				errors.put(ModelChange.control(change.action()), "Nothing was changed: " + ex.getMessage());
				if ("approval_required".equals(ex.code()) && change.version() != null) {
					page.addAttribute("approvalVersion", change.version());
				}
				else if ("approval_required".equals(ex.code())) {
					page.addAttribute("approvalVersion", "");
				}
			}
		}
		else {
			response.setStatus(HttpStatus.BAD_REQUEST.value());
		}
		ModelPage.load(this.models, this.routing, this.tenants, name, user, page);
		page.addAttribute("errors", errors);
		return ModelPage.VIEW;
	}

	private String apply(String name, ModelChange change) {
		return switch (change.action()) {
			case "canary" -> change.done(name, this.routing.setCanary(name, change.version(), change.weight()));
			case "promote" -> change.done(name, this.routing.promote(name));
			case "rollback" -> change.done(name, this.routing.rollback(name));
			case "reset" -> change.done(name, this.routing.reset(name));
			case "pin" -> change.done(name, this.routing.pin(name, change.subject(), change.version()));
			case "unpin" -> change.done(name, this.routing.unpin(name, change.subject()));
			default -> {
				this.models.replaceGrants(name, change.all(), change.tenants());
				yield change.done(name, null);
			}
		};
	}

}
