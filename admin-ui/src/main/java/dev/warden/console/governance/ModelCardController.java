package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.List;

import dev.warden.console.adminapi.AdminApiClient;
import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.Downloads;
import dev.warden.console.adminapi.ModelCardClient;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The model card page of a model version: the composed card, its completeness, its
 * governance section with overrides set apart, its revisions (one shown on request), the
 * exports, and for administrators the edit form. A saved edit is answered with a redirect
 * to the page; a refused one (409 when the card changed since the form was filled, 400
 * naming a field, 403) with the page itself, the form as typed and the reason, with
 * platform-api's status.
 */
@Controller
@RequestMapping("/models/{model}/versions/{version}/model-card")
class ModelCardController {

	static final String VIEW = "governance/model-card";

	private final AdminApiClient adminApi;

	private final ModelCardClient cards;

	ModelCardController(AdminApiClient adminApi, ModelCardClient cards) {
		this.adminApi = adminApi;
		this.cards = cards;
	}

	@GetMapping
	String page(@PathVariable String model, @PathVariable String version,
			@RequestParam(name = "revision", required = false) String revision, Authentication user, ModelMap page) {
		JsonNode card = load(model, version, revision, user, page);
		if (card != null && VersionPage.isAdmin(user)) {
			ModelCardView view = (ModelCardView) page.get("card");
			page.addAttribute("form", ModelCardForm.of(card, view.revision()));
		}
		return VIEW;
	}

	/**
	 * Saves the form as a new revision, based on the revision the form was filled from.
	 */
	@PostMapping
	String edit(@PathVariable String model, @PathVariable String version,
			@RequestParam MultiValueMap<String, String> form, Authentication user, HttpServletResponse response,
			ModelMap page, RedirectAttributes flash) {
		ModelCardForm submitted = ModelCardForm.submitted(form);
		try {
			JsonNode saved = this.cards.edit(model, version, submitted.request());
			String revision = (saved != null) ? ModelCardView.of(saved).revision() : null;
			flash.addFlashAttribute("cardMessage",
					Message.ok((revision != null) ? "Saved as revision " + revision + "." : "Saved."));
			return "redirect:/models/{model}/versions/{version}/model-card";
		}
		catch (AdminApiException ex) {
			load(model, version, null, user, page);
			page.addAttribute("form", submitted);
			response.setStatus(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value());
			page.addAttribute("editError", editError(ex, submitted.revision()));
			return VIEW;
		}
	}

	/** The card's JSON export, streamed from platform-api. */
	@GetMapping("/export.json")
	ModelAndView exportJson(@PathVariable String model, @PathVariable String version, HttpServletResponse response,
			RedirectAttributes flash) {
		return export(model, version, "json", MediaType.APPLICATION_JSON_VALUE, response, flash);
	}

	/** The card's PDF export, streamed from platform-api. */
	@GetMapping("/export.pdf")
	ModelAndView exportPdf(@PathVariable String model, @PathVariable String version, HttpServletResponse response,
			RedirectAttributes flash) {
		return export(model, version, "pdf", MediaType.APPLICATION_PDF_VALUE, response, flash);
	}

	private ModelAndView export(String model, String version, String format, String contentType,
			HttpServletResponse response, RedirectAttributes flash) {
		String failure = Downloads.send(response, model + "-" + version + "-model-card." + format, contentType,
				(reader) -> this.cards.export(model, version, format, reader));
		if (failure == null) {
			return null;
		}
		flash.addFlashAttribute("cardMessage", Message
			.error("The " + format.toUpperCase(java.util.Locale.ROOT) + " export could not be downloaded: " + failure));
		return new ModelAndView("redirect:/models/{model}/versions/{version}/model-card");
	}

	/**
	 * Adds the card, its revisions and the revision asked for to the page; returns the
	 * card as sent, or null when it could not be loaded.
	 */
	private JsonNode load(String model, String version, String revision, Authentication user, ModelMap page) {
		VersionPage.load(this.adminApi, model, version, user, page);
		page.addAttribute("tab", "model-card");
		JsonNode card = null;
		try {
			card = this.cards.card(model, version);
			page.addAttribute("card", ModelCardView.of(card));
		}
		catch (AdminApiException ex) {
			page.addAttribute("cardError", ex.getMessage());
		}
		try {
			page.addAttribute("revisions", revisions(this.cards.revisions(model, version)));
		}
		catch (AdminApiException ex) {
			page.addAttribute("revisionsError", ex.getMessage());
		}
		if (revision != null && !revision.isBlank()) {
			page.addAttribute("shownRevisionNumber", revision);
			try {
				JsonNode stored = this.cards.revision(model, version, revision.trim());
				JsonNode content = stored.path("content").isObject() ? stored.path("content") : stored;
				page.addAttribute("shownRevision", ModelCardView.of(content));
				page.addAttribute("shownRevisionInfo", Revision.of(stored));
			}
			catch (AdminApiException ex) {
				page.addAttribute("revisionError", "Revision " + revision + " could not be loaded: " + ex.getMessage());
			}
		}
		return card;
	}

	private static List<Revision> revisions(JsonNode answer) {
		JsonNode list = answer.isArray() ? answer : answer.path("content");
		List<Revision> revisions = new ArrayList<>();
		for (JsonNode revision : Values.list(list)) {
			revisions.add(Revision.of(revision));
		}
		return revisions;
	}

	private static String editError(AdminApiException ex, String basedOn) {
		if (ex.status() == 409) {
			return "Not saved: the card was changed by someone else after you opened it (your edit was based on "
					+ "revision " + basedOn + "). " + ex.getMessage()
					+ " Your text is kept in the form below; open the page again to see the current card, then "
					+ "make your changes there.";
		}
		return "Not saved: " + ex.getMessage();
	}

	/**
	 * One revision of the card, as the history lists it.
	 *
	 * @param revision its number
	 * @param createdBy who wrote it
	 * @param createdAt when
	 * @param comment why
	 * @param contentSha256 the digest of its sections
	 */
	record Revision(String revision, String createdBy, String createdAt, String comment, String contentSha256) {

		static Revision of(JsonNode revision) {
			return new Revision(Values.text(Values.first(revision, "revision", "number")),
					Values.text(revision.path("created_by")), Values.text(revision.path("created_at")),
					Values.text(revision.path("comment")), Values.text(revision.path("content_sha256")));
		}

	}

}
