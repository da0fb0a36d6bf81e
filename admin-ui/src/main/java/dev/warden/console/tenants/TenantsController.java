package dev.warden.console.tenants;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ApiKeyClient;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.QuotaPlanClient;
import dev.warden.console.adminapi.Tenant;
import dev.warden.console.adminapi.TenantClient;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The tenants page (search by name, paging, create) and the tenant page's tenant actions
 * (change plan, suspend, reactivate, delete). Suspending and deleting are confirmed on a
 * page of their own; deleting asks for the tenant's name, since it destroys the tenant's
 * data key and with it every encrypted payload. platform-api decides every action; its
 * refusals (403 for a role without {@code ADMIN}, 400 naming a field, 409 for a duplicate
 * name) are shown next to what they concern.
 */
@Controller
class TenantsController {

	static final String LIST_VIEW = "tenants/tenants";

	static final String CONFIRM_VIEW = "tenants/confirm";

	static final int PAGE_SIZE = 25;

	/** A search reads the tenants in pages this big… */
	static final int SEARCH_PAGE_SIZE = 500;

	/** …and at most this many of them. */
	static final int SEARCH_MAX_PAGES = 20;

	private final TenantClient tenants;

	private final ApiKeyClient keys;

	private final QuotaPlanClient plans;

	TenantsController(TenantClient tenants, ApiKeyClient keys, QuotaPlanClient plans) {
		this.tenants = tenants;
		this.keys = keys;
		this.plans = plans;
	}

	@GetMapping("/tenants")
	String list(@RequestParam(name = "q", defaultValue = "") String query,
			@RequestParam(name = "page", defaultValue = "0") int number, Authentication user, ModelMap page) {
		if (TenantPage.isAdmin(user)) {
			page.addAttribute("form", new TenantForm("", ""));
		}
		loadList(query, number, user, page);
		return LIST_VIEW;
	}

	@PostMapping("/tenants")
	String create(@RequestParam(name = "name", defaultValue = "") String name,
			@RequestParam(name = "plan", defaultValue = "") String plan, Authentication user,
			HttpServletResponse response, ModelMap page, RedirectAttributes flash) {
		try {
			Tenant created = this.tenants.create(name.trim(), plan);
			flash.addFlashAttribute("tenantMessage", Message.ok("Tenant " + created.name() + " created with plan "
					+ created.plan() + ". Issue it an API key below."));
			flash.addAttribute("id", created.id());
			return "redirect:/tenants/{id}";
		}
		catch (AdminApiException ex) {
			response.setStatus(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value());
			page.addAttribute("form", new TenantForm(name, plan));
			page.addAttribute("formErrors", FieldErrors.of(ex, List.of("name", "plan")));
			loadList("", 0, user, page);
			return LIST_VIEW;
		}
	}

	@GetMapping("/tenants/{id}")
	String tenant(@PathVariable String id, @RequestParam(name = "keys_page", defaultValue = "0") int keysPage,
			Authentication user, ModelMap page) {
		TenantPage.load(this.tenants, this.keys, TenantPage.planNames(this.plans), id, keysPage, user, page);
		return TenantPage.VIEW;
	}

	@PostMapping("/tenants/{id}/plan")
	String changePlan(@PathVariable String id, @RequestParam(name = "plan", defaultValue = "") String plan,
			RedirectAttributes flash) {
		try {
			Tenant tenant = this.tenants.changePlan(id, plan);
			flash.addFlashAttribute("planMessage", Message.ok("The plan of " + tenant.name() + " is now "
					+ tenant.plan() + "; its keys get the plan's limits from their next call on."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("planMessage", Message.error("The plan was not changed: " + ex.getMessage()));
		}
		return "redirect:/tenants/{id}";
	}

	@GetMapping("/tenants/{id}/suspend")
	String confirmSuspend(@PathVariable String id, ModelMap page) {
		Tenant tenant = TenantPage.tenant(this.tenants, id, page);
		page.addAttribute("confirm", Confirm.suspend(id, (tenant != null) ? tenant.name() : id));
		return CONFIRM_VIEW;
	}

	@PostMapping("/tenants/{id}/suspend")
	String suspend(@PathVariable String id, RedirectAttributes flash) {
		try {
			Tenant tenant = this.tenants.suspend(id);
			flash.addFlashAttribute("tenantMessage", Message.ok("Tenant " + tenant.name()
					+ " is suspended: every call with one of its keys is refused with 403 tenant_suspended."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("tenantMessage", Message.error("The tenant was not suspended: " + ex.getMessage()));
		}
		return "redirect:/tenants/{id}";
	}

	@PostMapping("/tenants/{id}/reactivate")
	String reactivate(@PathVariable String id, RedirectAttributes flash) {
		try {
			Tenant tenant = this.tenants.reactivate(id);
			flash.addFlashAttribute("tenantMessage",
					Message.ok("Tenant " + tenant.name() + " is active again: its keys are accepted."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("tenantMessage",
					Message.error("The tenant was not reactivated: " + ex.getMessage()));
		}
		return "redirect:/tenants/{id}";
	}

	@GetMapping("/tenants/{id}/delete")
	String confirmDelete(@PathVariable String id, ModelMap page) {
		Tenant tenant = TenantPage.tenant(this.tenants, id, page);
		page.addAttribute("confirm", Confirm.delete(id, (tenant != null) ? tenant.name() : null));
		return CONFIRM_VIEW;
	}

	/**
	 * Deletes the tenant once the name typed is the tenant's; otherwise, or when
	 * platform-api refuses, the confirmation page again with the reason.
	 */
	@PostMapping("/tenants/{id}/delete")
	String delete(@PathVariable String id, @RequestParam(name = "confirm_name", defaultValue = "") String typed,
			HttpServletResponse response, ModelMap page, RedirectAttributes flash) {
		Tenant tenant = TenantPage.tenant(this.tenants, id, page);
		String name = (tenant != null) ? tenant.name() : null;
		page.addAttribute("confirm", Confirm.delete(id, name));
		if (name == null) {
			response.setStatus(HttpStatus.BAD_GATEWAY.value());
			return CONFIRM_VIEW;
		}
		if (!name.equals(typed.trim())) {
			response.setStatus(HttpStatus.BAD_REQUEST.value());
			page.addAttribute("confirmError", typed.isBlank() ? "Type the tenant's name, " + name + ", to delete it."
					: "'" + typed.trim() + "' is not the tenant's name, " + name + ": nothing was deleted.");
			return CONFIRM_VIEW;
		}
		try {
			this.tenants.delete(id);
			flash.addFlashAttribute("listMessage", Message.ok("Tenant " + name
					+ " deleted: its keys are revoked and its data key is destroyed, so its encrypted payloads can "
					+ "never be read again."));
			return "redirect:/tenants";
		}
		catch (AdminApiException ex) {
			response.setStatus(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value());
			page.addAttribute("confirmError", "The tenant was not deleted: " + ex.getMessage());
			return CONFIRM_VIEW;
		}
	}

	/**
	 * One page of the tenants, or, with a search, the tenants whose name contains it
	 * (ignoring case). platform-api's list cannot filter by name, so a search reads the
	 * list (up to {@link #SEARCH_MAX_PAGES} pages of {@link #SEARCH_PAGE_SIZE}) and says
	 * when it stopped before the end.
	 */
	private void loadList(String query, int number, Authentication user, ModelMap page) {
		String q = query.trim();
		int current = Math.max(0, number);
		page.addAttribute("q", q);
		page.addAttribute("page", current);
		page.addAttribute("canManage", TenantPage.isAdmin(user));
		page.addAttribute("plans", TenantPage.plans(TenantPage.planNames(this.plans), null));
		try {
			if (q.isEmpty()) {
				Page<Tenant> listed = this.tenants.list(current, PAGE_SIZE);
				page.addAttribute("tenants", listed.content());
				page.addAttribute("nextPage", listed.nextPage());
				page.addAttribute("previousPage", (current > 0) ? current - 1 : null);
				return;
			}
			String needle = q.toLowerCase(Locale.ROOT);
			List<Tenant> matches = new ArrayList<>();
			Integer next = 0;
			int read = 0;
			while (next != null && read < SEARCH_MAX_PAGES) {
				Page<Tenant> listed = this.tenants.list(next, SEARCH_PAGE_SIZE);
				for (Tenant tenant : listed.content()) {
					if (tenant.name() != null && tenant.name().toLowerCase(Locale.ROOT).contains(needle)) {
						matches.add(tenant);
					}
				}
				next = listed.nextPage();
				read++;
			}
			page.addAttribute("tenants", matches);
			page.addAttribute("searchIncomplete", (next != null) ? read * SEARCH_PAGE_SIZE : null);
		}
		catch (AdminApiException ex) {
			page.addAttribute("tenantsError", ex.getMessage());
		}
	}

	/**
	 * The create form as typed.
	 *
	 * @param name the tenant's name
	 * @param plan the plan, empty for platform-api's default plan
	 */
	record TenantForm(String name, String plan) {
	}

	/**
	 * A confirmation page.
	 *
	 * @param tenantId the tenant
	 * @param title the page's heading
	 * @param consequences what the action does, in plain words, one paragraph each
	 * @param action where the form posts
	 * @param button the button's label
	 * @param danger whether the action destroys something
	 * @param nameToType the name to type to confirm, or null when no name is asked for
	 */
	record Confirm(String tenantId, String title, List<String> consequences, String action, String button,
			boolean danger, String nameToType) {

		static Confirm suspend(String id, String name) {
			return new Confirm(id, "Suspend tenant " + name + "?",
					List.of("Every call to the gateway with one of its API keys is refused with 403 "
							+ "tenant_suspended from the next request on.",
							"Its keys, usage and data stay; reactivate it to accept its keys again."),
					"/tenants/" + id + "/suspend", "Suspend " + name, false, null);
		}

		static Confirm delete(String id, String name) {
			String shown = (name != null) ? name : id;
			return new Confirm(id, "Delete tenant " + shown + "?",
					List.of("This cannot be undone. The encrypted request and response payloads of "
							+ shown + " will be crypto-shredded: its data key is destroyed, so they can never be read "
							+ "again, by anybody, not even through break-glass access.",
							"Every API key of the tenant is revoked at once. Request-log metadata and audit events are kept.",
							"Its name may then be used by a new tenant."),
					"/tenants/" + id + "/delete", "Delete " + shown + " and shred its payloads", true, name);
		}

	}

}
