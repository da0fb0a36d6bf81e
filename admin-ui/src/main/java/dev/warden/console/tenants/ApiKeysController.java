package dev.warden.console.tenants;

import java.util.Map;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.ApiKeyClient;
import dev.warden.console.adminapi.IssuedKey;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.QuotaPlanClient;
import dev.warden.console.adminapi.TenantClient;
import dev.warden.console.adminapi.TenantKey;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A tenant's API keys: issuing one (the raw secret is shown once, on the page that
 * answers the form post itself: never in a redirect, a URL, a flash attribute or a log,
 * and the page is not cached), changing a key's quota override, and revoking a key after
 * a confirmation page. platform-api decides every action; its refusals are shown next to
 * the field or action they concern.
 */
@Controller
class ApiKeysController {

	static final String ISSUED_VIEW = "tenants/key-issued";

	static final String REVOKE_VIEW = "tenants/revoke-key";

	private final TenantClient tenants;

	private final ApiKeyClient keys;

	private final QuotaPlanClient plans;

	ApiKeysController(TenantClient tenants, ApiKeyClient keys, QuotaPlanClient plans) {
		this.tenants = tenants;
		this.keys = keys;
		this.plans = plans;
	}

	@PostMapping("/tenants/{id}/keys")
	String create(@PathVariable String id, @RequestParam MultiValueMap<String, String> form, Authentication user,
			HttpServletResponse response, ModelMap page) {
		KeyForm submitted = KeyForm.submitted(form);
		Map<String, String> errors;
		int status;
		try {
			IssuedKey issued = this.keys.create(id, submitted.request());
			// the one answer that carries the secret: not stored by the browser or a
			// proxy
			response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
			response.setHeader("Pragma", "no-cache");
			TenantPage.tenant(this.tenants, id, page);
			page.addAttribute("issued", issued);
			return ISSUED_VIEW;
		}
		catch (IllegalArgumentException ex) {
			errors = Map.of("expires_at", ex.getMessage());
			status = HttpStatus.BAD_REQUEST.value();
		}
		catch (AdminApiException ex) {
			errors = FieldErrors.of(ex, KeyForm.FIELDS);
			status = ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value();
		}
		response.setStatus(status);
		page.addAttribute("keyForm", submitted);
		page.addAttribute("keyErrors", errors);
		TenantPage.load(this.tenants, this.keys, TenantPage.planNames(this.plans), id, 0, user, page);
		return TenantPage.VIEW;
	}

	@GetMapping("/tenants/{id}/keys/{keyId}/revoke")
	String confirmRevoke(@PathVariable String id, @PathVariable String keyId, ModelMap page) {
		TenantPage.tenant(this.tenants, id, page);
		page.addAttribute("keyId", keyId);
		page.addAttribute("key", find(id, keyId));
		return REVOKE_VIEW;
	}

	@PostMapping("/tenants/{id}/keys/{keyId}/revoke")
	String revoke(@PathVariable String id, @PathVariable String keyId, RedirectAttributes flash) {
		try {
			TenantKey key = this.keys.revoke(id, keyId);
			flash.addFlashAttribute("keysMessage", Message.ok("Key " + key.prefix() + " (" + key.name()
					+ ") is revoked: every call with it is refused with 401 from now on."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("keysMessage", Message.error("The key was not revoked: " + ex.getMessage()));
		}
		return "redirect:/tenants/{id}";
	}

	/**
	 * Sets or (all fields empty) removes the key's quota override.
	 */
	@PostMapping("/tenants/{id}/keys/{keyId}/quota")
	String quota(@PathVariable String id, @PathVariable String keyId, @RequestParam MultiValueMap<String, String> form,
			Authentication user, HttpServletResponse response, ModelMap page, RedirectAttributes flash) {
		KeyForm.QuotaForm submitted = KeyForm.QuotaForm.submitted(form);
		Map<String, Object> quota = submitted.request();
		try {
			TenantKey key = this.keys.setQuota(id, keyId, quota);
			flash.addFlashAttribute("keysMessage",
					Message.ok(quota.isEmpty() ? "Key " + key.prefix() + " has no quota override now: its plan applies."
							: "Key " + key.prefix() + " has a new quota override."));
			return "redirect:/tenants/{id}";
		}
		catch (AdminApiException ex) {
			// the page again, with this key's quota form open as typed and the refusal
			// next to the field it names (or at the top of that form)
			response.setStatus(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value());
			page.addAttribute("quotaKeyId", keyId);
			page.addAttribute("quotaForm", submitted);
			page.addAttribute("quotaErrors", FieldErrors.of(ex, KeyForm.QuotaForm.FIELDS));
			TenantPage.load(this.tenants, this.keys, TenantPage.planNames(this.plans), id, 0, user, page);
			return TenantPage.VIEW;
		}
	}

	/**
	 * The key among the tenant's first keys, or null when it is not there or unreadable.
	 */
	private TenantKey find(String tenantId, String keyId) {
		try {
			Page<TenantKey> listed = this.keys.list(tenantId, 0, 500);
			return listed.content().stream().filter((key) -> keyId.equals(key.id())).findFirst().orElse(null);
		}
		catch (AdminApiException ex) {
			return null;
		}
	}

}
