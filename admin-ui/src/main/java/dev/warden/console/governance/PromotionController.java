package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Model;
import dev.warden.console.adminapi.ModelVersion;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.PromotionClient;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The promotion pages: every promotion request (filtered by model and state) with its
 * rule-by-rule results, one request with the forms to decide it (approve or reject: an
 * administrator other than the requester; withdraw: the requester), and a version's
 * requests with the form to request its promotion. platform-api decides every action (it
 * refuses an approval by the requester or the version's uploader with 403, a request
 * whose rules fail without overrides with 409 {@code promotion_refused}); its refusals
 * are shown as messages.
 */
@Controller
class PromotionController {

	static final String LIST_VIEW = "governance/promotions";

	static final String REQUEST_VIEW = "governance/promotion-request";

	static final String VERSION_VIEW = "governance/version-promotion";

	static final List<String> STATES = List.of("pending", "approved", "rejected", "refused", "withdrawn", "superseded");

	private final AdminApiClient adminApi;

	private final PromotionClient promotions;

	PromotionController(AdminApiClient adminApi, PromotionClient promotions) {
		this.adminApi = adminApi;
		this.promotions = promotions;
	}

	@GetMapping("/promotions")
	String list(@RequestParam(name = "model", defaultValue = "") String model,
			@RequestParam(name = "state", defaultValue = "") String state, Authentication user, ModelMap page) {
		page.addAttribute("model", model.trim());
		page.addAttribute("state", state.trim());
		page.addAttribute("states", STATES);
		page.addAttribute("canManage", VersionPage.isAdmin(user));
		try {
			Page<Model> models = this.adminApi.models();
			page.addAttribute("models", models.content().stream().map(Model::name).toList());
		}
		catch (AdminApiException ex) {
			// the filter then takes a model name as typed
			page.addAttribute("models", List.of());
		}
		try {
			Page<JsonNode> requests = this.promotions.requests(model.trim(), state.trim());
			page.addAttribute("requests", views(requests.content(), user));
			page.addAttribute("moreRequests", requests.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("requestsError", ex.getMessage());
		}
		return LIST_VIEW;
	}

	@GetMapping("/promotions/{id}")
	String request(@PathVariable String id, Authentication user, ModelMap page) {
		page.addAttribute("canManage", VersionPage.isAdmin(user));
		try {
			page.addAttribute("request", Shown.of(PromotionView.of(this.promotions.request(id)), user));
		}
		catch (AdminApiException ex) {
			if (ex.status() == 404 || ex.status() == 400) {
				throw new ResponseStatusException(HttpStatus.NOT_FOUND);
			}
			page.addAttribute("requestError", ex.getMessage());
		}
		page.addAttribute("requestId", id);
		return REQUEST_VIEW;
	}

	@PostMapping("/promotions/{id}/approve")
	String approve(@PathVariable String id, @RequestParam(name = "comment", defaultValue = "") String comment,
			RedirectAttributes flash) {
		try {
			JsonNode answer = this.promotions.approve(id, comment);
			String state = (answer != null) ? Values.text(answer.path("state")) : null;
			flash.addFlashAttribute("requestMessage",
					Message.ok("approved".equals(state)
							? "Promotion request " + id + " approved and applied: the routing has changed."
							: "Your approval of promotion request " + id + " is recorded; it is applied when the "
									+ "approvals the policy asks for are complete."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("requestMessage",
					Message.error("Promotion request " + id + " was not approved: " + ex.getMessage()));
		}
		return "redirect:/promotions/{id}";
	}

	@PostMapping("/promotions/{id}/reject")
	String reject(@PathVariable String id, @RequestParam(name = "comment", defaultValue = "") String comment,
			RedirectAttributes flash) {
		if (comment.isBlank()) {
			flash.addFlashAttribute("requestMessage", Message
				.error("Promotion request " + id + " was not rejected: a rejection needs a comment saying why."));
			return "redirect:/promotions/{id}";
		}
		try {
			this.promotions.reject(id, comment);
			flash.addFlashAttribute("requestMessage", Message.ok("Promotion request " + id + " rejected."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("requestMessage",
					Message.error("Promotion request " + id + " was not rejected: " + ex.getMessage()));
		}
		return "redirect:/promotions/{id}";
	}

	@PostMapping("/promotions/{id}/withdraw")
	String withdraw(@PathVariable String id, @RequestParam(name = "comment", defaultValue = "") String comment,
			RedirectAttributes flash) {
		try {
			this.promotions.withdraw(id, comment);
			flash.addFlashAttribute("requestMessage", Message.ok("Promotion request " + id + " withdrawn."));
		}
		catch (AdminApiException ex) {
			flash.addFlashAttribute("requestMessage",
					Message.error("Promotion request " + id + " was not withdrawn: " + ex.getMessage()));
		}
		return "redirect:/promotions/{id}";
	}

	@GetMapping("/models/{model}/versions/{version}/promotion")
	String version(@PathVariable String model, @PathVariable String version, Authentication user, ModelMap page) {
		List<PromotionView.Rule> failed = loadVersion(model, version, user, page);
		if (VersionPage.isAdmin(user)) {
			page.addAttribute("form", PromotionForm.blank(failed));
		}
		return VERSION_VIEW;
	}

	/**
	 * Requests the promotion of the version. A request platform-api refuses is answered
	 * with the page, the form as typed and the reason, with platform-api's status; a
	 * refusal for failed rules adds a justification field for each of them.
	 */
	@PostMapping("/models/{model}/versions/{version}/promotion")
	String requestPromotion(@PathVariable String model, @PathVariable String version,
			@RequestParam MultiValueMap<String, String> form, Authentication user, HttpServletResponse response,
			ModelMap page, RedirectAttributes flash) {
		PromotionForm submitted = PromotionForm.submitted(form);
		try {
			JsonNode created = this.promotions.requestPromotion(model, version, submitted.request());
			String id = Values.text(created.path("id"));
			String state = Values.text(created.path("state"));
			flash.addFlashAttribute("requestMessage",
					Message.ok("Promotion request " + ((id != null) ? id + " " : "") + "stored"
							+ ((state != null) ? " as " + state : "")
							+ ": another administrator (not you, not the version's uploader) must approve it."));
			if (id != null) {
				flash.addAttribute("id", id);
				return "redirect:/promotions/{id}";
			}
			return "redirect:/models/{model}/versions/{version}/promotion";
		}
		catch (InvalidForm ex) {
			loadVersion(model, version, user, page);
			response.setStatus(HttpStatus.BAD_REQUEST.value());
			page.addAttribute("form", submitted);
			page.addAttribute("formError", "Not requested: " + ex.getMessage());
			return VERSION_VIEW;
		}
		catch (AdminApiException ex) {
			loadVersion(model, version, user, page);
			response.setStatus(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value());
			List<PromotionView.Rule> failed = refusedRules(ex);
			if (!failed.isEmpty()) {
				page.addAttribute("refusedRules", failed);
				page.addAttribute("form", submitted.withFailedRules(failed));
				page.addAttribute("formError",
						"Refused: the promotion policy is not met. Failed rules: "
								+ String.join(", ", failed.stream().map(PromotionView.Rule::id).toList())
								+ ". Give a written justification for each rule you override, or fix what fails. "
								+ ex.getMessage());
			}
			else {
				page.addAttribute("form", submitted);
				page.addAttribute("formError", "Not requested: " + ex.getMessage());
			}
			return VERSION_VIEW;
		}
	}

	/**
	 * Adds the version, what the rules say about it now and its requests to the page;
	 * returns the rules that fail now (when the dry run cannot be read: those of the
	 * version's newest request if it was refused), each of which the form offers to
	 * override.
	 */
	private List<PromotionView.Rule> loadVersion(String model, String version, Authentication user, ModelMap page) {
		VersionPage.load(this.adminApi, model, version, user, page);
		page.addAttribute("tab", "promotion");
		List<PromotionView.Rule> failed = null;
		try {
			PromotionEvaluation evaluation = PromotionEvaluation.of(this.promotions.evaluate(model, version));
			page.addAttribute("evaluation", evaluation);
			failed = evaluation.failedRules();
		}
		catch (AdminApiException ex) {
			page.addAttribute("evaluationError", ex.getMessage());
		}
		List<Shown> requests = new ArrayList<>();
		try {
			Page<JsonNode> all = this.promotions.requests(model, null);
			for (Shown shown : views(all.content(), user)) {
				if (ModelVersion.sameNumber(version, shown.request().version())) {
					requests.add(shown);
				}
			}
			page.addAttribute("requests", requests);
			page.addAttribute("moreRequests", all.hasMore());
		}
		catch (AdminApiException ex) {
			page.addAttribute("requestsError", ex.getMessage());
		}
		if (failed == null) {
			failed = (!requests.isEmpty() && "refused".equalsIgnoreCase(requests.get(0).request().state()))
					? requests.get(0).request().failedRules() : List.of();
		}
		return failed;
	}

	/**
	 * The failed rules a 409 {@code promotion_refused} names: its {@code rules} list (in
	 * the error object or beside it), the failed ones if their status is given.
	 */
	static List<PromotionView.Rule> refusedRules(AdminApiException ex) {
		if (ex.status() != 409 || ex.body() == null) {
			return List.of();
		}
		JsonNode rules = Values.first(ex.body().path("error"), "rules", "failed_rules");
		if (rules.isMissingNode()) {
			rules = Values.first(ex.body(), "rules", "failed_rules");
		}
		List<PromotionView.Rule> failed = new ArrayList<>();
		for (JsonNode rule : Values.list(rules)) {
			PromotionView.Rule parsed = rule.isString()
					? new PromotionView.Rule(rule.asString(), "failed", null, null, null, null, null, null)
					: PromotionView.Rule.of(rule, java.util.Map.of());
			if (parsed.id() != null && (parsed.status() == null || parsed.failed())) {
				failed.add(parsed);
			}
		}
		return failed;
	}

	private static List<Shown> views(List<JsonNode> requests, Authentication user) {
		return requests.stream().map((request) -> Shown.of(PromotionView.of(request), user)).toList();
	}

	/**
	 * A request as the signed-in user sees it.
	 *
	 * @param request the request
	 * @param mayDecide whether the page offers approve and reject (an administrator who
	 * did not ask for it and has not approved it yet; platform-api also refuses the
	 * version's uploader)
	 * @param mayWithdraw whether the page offers withdraw (the requester)
	 */
	record Shown(PromotionView request, boolean mayDecide, boolean mayWithdraw) {

		static Shown of(PromotionView request, Authentication user) {
			boolean admin = VersionPage.isAdmin(user);
			boolean requester = VersionPage.isUser(user, request.requestedBy());
			boolean approved = request.approvals()
				.stream()
				.anyMatch((approval) -> VersionPage.isUser(user, approval.by()));
			return new Shown(request, admin && request.pending() && !requester && !approved,
					admin && request.pending() && requester);
		}

	}

}
