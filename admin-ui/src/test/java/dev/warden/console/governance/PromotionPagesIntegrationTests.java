package dev.warden.console.governance;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.console.Pages;
import dev.warden.console.StubPlatformApi;
import dev.warden.console.StubbedConsole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static dev.warden.console.Pages.between;
import static dev.warden.console.Pages.csrf;
import static dev.warden.console.Pages.last;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promotion pages over real HTTP against the stand-in admin API: requests with their
 * rule-by-rule results and overrides set apart, the filter, who is offered which decision
 * (four eyes: the requester may withdraw, another administrator approve or reject, a
 * compliance officer nothing), what the forms send, a refusal of platform-api for failed
 * rules turned into a justification field per rule, and failures shown as messages.
 */
class PromotionPagesIntegrationTests {

	private static final String VERSION_PAGE = "/models/income/versions/1/promotion";

	private static final String REQUESTS = "/api/admin/models/income/versions/1/promotion-requests";

	private static final String REQUEST_FORM = "class=\"form card request-promotion\"";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void theRequestsShowTheirRuleResultsAndOverridesStandOut() throws Exception {
		var browser = console.browser("compliance");
		String body = browser.get(console.url("/promotions")).body();
		assertThat(body).contains("href=\"/promotions\">Promotions</a>");

		String overridden = between(body, "data-request=\"p-3\"", "</article>");
		assertThat(body).contains("<article class=\"card promotion-request has-override\" data-request=\"p-3\">");
		assertThat(overridden)
			.contains("<span class=\"badge override\">override</span>", ">pending<",
					"version <span>1</span> → <span class=\"target\">stable</span>", "ship it for the demo")
			.contains("<tr class=\"rule rule-overridden\" data-rule=\"fairness.four_fifths_ratio.sex\">")
			.contains("<td>Female: 0.322 [0.272, 0.372]</td>", "<td>≥ 0.8</td>",
					"href=\"/models/income/versions/1/fairness?report=f-2\">f-2</a>", "Female: 0.322 &lt; 0.8")
			.contains(
					"<strong>Override justification:</strong> <span>Reference model for the demo; never used for decisions about people.</span>")
			.contains("<td>|value| ≤ 0.1</td>", "<td>at most 30 days old</td>",
					"href=\"/models/income/versions/1/explainability?report=r-2\">r-2</a>")
			.contains("<tr class=\"rule rule-passed\" data-rule=\"model_card_complete\">");
		String refused = between(body, "data-request=\"p-2\"", "</article>");
		assertThat(refused)
			.contains(">refused<", "canary at 20%",
					"<tr class=\"rule rule-failed\" data-rule=\"fairness.four_fifths_ratio.sex\">")
			.doesNotContain("badge override");
		assertThat(between(body, "data-request=\"p-1\"", "</article>")).contains(">approved<",
				"<strong>reviewer</strong>", ": rules pass", "no stable version: nothing to compare with",
				"<td>margin 0.01</td>", "Approvals (1 of 1 required)", "Decided by <strong>reviewer</strong>");
		// the policy's digest, as the request carries it
		assertThat(overridden).contains("<code>policy_sha256</code></dt><dd>9011c7</dd>");
		// a compliance officer decides nothing
		assertThat(body).doesNotContain("/approve\"", "/reject\"", "/withdraw\"");
	}

	@Test
	void theListIsFilteredByModelAndState() throws Exception {
		var browser = console.browser("compliance");

		String body = browser.get(console.url("/promotions?model=income&state=pending")).body();

		assertThat(console.platformApi().requests())
			.contains("GET /api/admin/promotion-requests?model=income&state=pending");
		assertThat(body).contains("data-request=\"p-3\"")
			.doesNotContain("data-request=\"p-2\"", "data-request=\"p-1\"")
			.contains("<option value=\"income\" selected=\"selected\">income</option>",
					"<option value=\"pending\" selected=\"selected\">pending</option>");
		assertThat(browser.get(console.url("/promotions?state=withdrawn")).body())
			.contains("No promotion requests match.");
	}

	@Test
	void theRequesterMayWithdrawAndAnotherAdministratorApproveOrReject() throws Exception {
		String asRequester = between(console.browser("admin").get(console.url("/promotions")).body(),
				"data-request=\"p-3\"", "</article>");
		assertThat(asRequester).contains("action=\"/promotions/p-3/withdraw\"")
			.doesNotContain("/approve\"", "/reject\"");

		String asReviewer = console.browser("reviewer").get(console.url("/promotions")).body();
		assertThat(between(asReviewer, "data-request=\"p-3\"", "</article>"))
			.contains("action=\"/promotions/p-3/approve\"", "action=\"/promotions/p-3/reject\"")
			.doesNotContain("/withdraw\"");
		// an administrator who approved already is not offered a second approval
		assertThat(between(asReviewer, "data-request=\"p-6\"", "</article>"))
			.contains("Approvals (1 of 2 required)", "<strong>reviewer</strong>", ": fine by me")
			.doesNotContain("<form");
		// decided requests offer nothing
		assertThat(between(asReviewer, "data-request=\"p-2\"", "</article>")).doesNotContain("<form");
		assertThat(between(asReviewer, "data-request=\"p-1\"", "</article>")).doesNotContain("<form");
	}

	@Test
	void aSecondAdministratorApprovesWhileTheRequestersApprovalIsRefused() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/promotions/p-3")).body());
		HttpResponse<String> own = admin.followRedirects(
				admin.postForm(console.url("/promotions/p-3/approve"), Map.of("_csrf", csrf, "comment", "mine")));
		assertThat(own.body()).contains(
				"Promotion request p-3 was not approved: platform-api answered 403: the requester admin cannot approve their own promotion request.");

		var reviewer = console.browser("reviewer");
		HttpResponse<String> approved = reviewer.postForm(console.url("/promotions/p-3/approve"), Map.of("_csrf",
				csrf(reviewer.get(console.url("/promotions/p-3")).body()), "comment", "justifications read"));

		assertThat(approved.statusCode()).isEqualTo(302);
		assertThat(approved.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/promotions/p-3"));
		assertThat(reviewer.followRedirects(approved).body()).contains(
				"Promotion request p-3 approved and applied: the routing has changed.",
				"<h1>Promotion request <code>p-3</code></h1>");
		StubPlatformApi.Post sent = last(console.platformApi().postsTo("/api/admin/promotion-requests/p-3/approve"));
		assertThat(JSON.readTree(sent.body())).isEqualTo(JSON.readTree("{\"comment\":\"justifications read\"}"));
		assertThat(Pages.subject(sent.authorization())).isEqualTo("reviewer");
	}

	@Test
	void aRejectionNeedsACommentAndTheRequesterWithdraws() throws Exception {
		var reviewer = console.browser("reviewer");
		String csrf = csrf(reviewer.get(console.url("/promotions/p-3")).body());
		int before = console.platformApi().postsTo("/api/admin/promotion-requests/p-3/reject").size();

		assertThat(reviewer
			.followRedirects(reviewer.postForm(console.url("/promotions/p-3/reject"), Map.of("_csrf", csrf)))
			.body()).contains("Promotion request p-3 was not rejected: a rejection needs a comment saying why.");
		assertThat(console.platformApi().postsTo("/api/admin/promotion-requests/p-3/reject")).hasSize(before);

		assertThat(reviewer.followRedirects(reviewer.postForm(console.url("/promotions/p-3/reject"),
				Map.of("_csrf", csrf, "comment", "the overrides are not enough")))
			.body()).contains("Promotion request p-3 rejected.");
		assertThat(last(console.platformApi().postsTo("/api/admin/promotion-requests/p-3/reject")).body())
			.isEqualTo("{\"comment\":\"the overrides are not enough\"}");

		var admin = console.browser("admin");
		assertThat(admin.followRedirects(admin.postForm(console.url("/promotions/p-3/withdraw"),
				Map.of("_csrf", csrf(admin.get(console.url("/promotions/p-3")).body()))))
			.body()).contains("Promotion request p-3 withdrawn.");
		assertThat(reviewer
			.followRedirects(reviewer.postForm(console.url("/promotions/p-1/approve"), Map.of("_csrf", csrf)))
			.body())
			.contains("was not approved: platform-api answered 409: promotion request p-1 is approved, not pending.");
	}

	@Test
	void aRefusalForFailedRulesNamesThemAndOffersAJustificationFieldForEach() throws Exception {
		var admin = console.browser("admin");
		String page = admin.get(console.url(VERSION_PAGE)).body();
		assertThat(page).contains("Request a promotion", "data-request=\"p-3\"", "data-request=\"p-2\"")
			.doesNotContain("data-request=\"p-1\"");
		Map<String, String> form = Pages.formFields(page, REQUEST_FORM);
		assertThat(form).containsEntry("target", "stable").containsKey("canary_weight").containsKey("comment");
		form.put("comment", "promote for the demo");

		HttpResponse<String> refused = admin.postForm(console.url(VERSION_PAGE), form);

		assertThat(refused.statusCode()).isEqualTo(409);
		assertThat(JSON.readTree(last(console.platformApi().postsTo(REQUESTS)).body()))
			.isEqualTo(JSON.readTree("{\"target\":\"stable\",\"comment\":\"promote for the demo\"}"));
		assertThat(between(refused.body(), "id=\"form-error\">", "</div>")).contains(
				"Refused: the promotion policy is not met. Failed rules: fairness.four_fifths_ratio.sex, fairness.equalized_odds_difference.sex.")
			.contains("platform-api answered 409: the promotion policy of income is not met");
		assertThat(between(refused.body(), "class=\"refused-rules\"", "</ul>"))
			.contains("<code>fairness.four_fifths_ratio.sex</code>", ": observed Female: 0.322 [0.272, 0.372]",
					", threshold ≥ 0.8")
			.contains("<code>fairness.equalized_odds_difference.sex</code>")
			.doesNotContain("model_card_complete");
		Map<String, String> again = Pages.formFields(refused.body(), REQUEST_FORM);
		assertThat(again).containsEntry("comment", "promote for the demo")
			.containsEntry("override.fairness.four_fifths_ratio.sex", "")
			.containsEntry("override.fairness.equalized_odds_difference.sex", "");

		// a justification too short for platform-api
		Map<String, String> tooShort = new LinkedHashMap<>(again);
		tooShort.put("override.fairness.four_fifths_ratio.sex", "demo");
		tooShort.put("override.fairness.equalized_odds_difference.sex", "demo only");
		HttpResponse<String> shortAnswer = admin.postForm(console.url(VERSION_PAGE), tooShort);
		assertThat(shortAnswer.statusCode()).isEqualTo(400);
		assertThat(shortAnswer.body()).contains("Not requested: platform-api answered 400: overrides[",
				"].justification: at least 20 characters of text.");

		// both overridden: the request is stored, pending another administrator
		again.put("override.fairness.four_fifths_ratio.sex",
				"Reference model for the demo; never used for decisions about people.");
		again.put("override.fairness.equalized_odds_difference.sex",
				"The gap is within the interval of the previous version; tracked in the card.");
		HttpResponse<String> stored = admin.postForm(console.url(VERSION_PAGE), again);

		assertThat(stored.statusCode()).isEqualTo(302);
		assertThat(stored.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/promotions/p-4"));
		assertThat(JSON.readTree(last(console.platformApi().postsTo(REQUESTS)).body())).isEqualTo(JSON.readTree(
				"""
						{"target":"stable","comment":"promote for the demo","overrides":[
						 {"rule":"fairness.four_fifths_ratio.sex","justification":"Reference model for the demo; never used for decisions about people."},
						 {"rule":"fairness.equalized_odds_difference.sex","justification":"The gap is within the interval of the previous version; tracked in the card."}]}"""));
	}

	@Test
	void theVersionPageShowsWhatThePolicySaysNowAndOffersAnOverrideForEachFailingRule() throws Exception {
		var admin = console.browser("admin");

		String income = admin.get(console.url(VERSION_PAGE)).body();

		String evaluation = between(income, "id=\"evaluation\"", "</section>");
		assertThat(evaluation)
			.contains("<dt>Needs approval</dt><dd>yes</dd>", "<dt>Canary without approval</dt><dd>up to 10%</dd>",
					"<dt>Approvals required</dt><dd>1</dd>", "9011c7")
			.contains("<tr class=\"rule rule-failed\" data-rule=\"fairness.four_fifths_ratio.sex\">")
			.contains("<tr class=\"rule rule-failed\" data-rule=\"fairness.equalized_odds_difference.sex\">")
			.contains("<tr class=\"rule rule-passed\" data-rule=\"fairness.report\">",
					"created at 2026-12-02T10:00:00Z; 1.0 days old; dataset adult_validation",
					"<td>at most 30 days old</td>");
		assertThat(Pages.formFields(income, REQUEST_FORM)).containsEntry("override.fairness.four_fifths_ratio.sex", "")
			.containsEntry("override.fairness.equalized_odds_difference.sex", "")
			.doesNotContainKey("override.fairness.four_fifths_ratio.race");
		assertThat(console.platformApi().requests())
			.contains("GET /api/admin/models/income/versions/1/promotion-evaluation");

		// every rule of spam passes: nothing to override
		String spam = admin.get(console.url("/models/spam/versions/1/promotion")).body();
		assertThat(Pages.formFields(spam, REQUEST_FORM).keySet()).noneMatch((name) -> name.startsWith("override."));

		// without the dry run the page says so and still offers the form
		console.platformApi().failing("/api/admin/models/income/versions/1/promotion-evaluation");
		String failed = admin.get(console.url(VERSION_PAGE)).body();
		assertThat(failed).contains("The rules could not be evaluated.", "Request a promotion");
	}

	@Test
	void aCanaryNeedsAWeightAndSendsIt() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models/spam/versions/1/promotion")).body());
		int before = console.platformApi().postsTo("/api/admin/models/spam/versions/1/promotion-requests").size();

		HttpResponse<String> noWeight = admin.postForm(console.url("/models/spam/versions/1/promotion"),
				Map.of("_csrf", csrf, "target", "canary", "canary_weight", "", "comment", ""));
		assertThat(noWeight.statusCode()).isEqualTo(400);
		assertThat(noWeight.body())
			.contains("Not requested: A canary needs a weight: the percentage of calls it gets, 1 to 100.");
		assertThat(console.platformApi().postsTo("/api/admin/models/spam/versions/1/promotion-requests"))
			.hasSize(before);

		HttpResponse<String> canary = admin.postForm(console.url("/models/spam/versions/1/promotion"),
				Map.of("_csrf", csrf, "target", "canary", "canary_weight", "20", "comment", "a fifth"));
		assertThat(canary.statusCode()).isEqualTo(302);
		assertThat(admin.followRedirects(canary).body()).contains(
				"Promotion request p-5 stored as pending: another administrator (not you, not the version&#39;s uploader) must approve it.");
		assertThat(JSON.readTree(
				last(console.platformApi().postsTo("/api/admin/models/spam/versions/1/promotion-requests")).body()))
			.isEqualTo(JSON.readTree("{\"target\":\"canary\",\"canary_weight\":20,\"comment\":\"a fifth\"}"));
	}

	@Test
	void complianceHasNoRequestFormAndAPostedOneIsRefused() throws Exception {
		var browser = console.browser("compliance");
		String page = browser.get(console.url(VERSION_PAGE)).body();

		assertThat(page).contains("Requests for this version", "data-request=\"p-3\"")
			.doesNotContain(REQUEST_FORM, "Request a promotion");

		HttpResponse<String> refused = browser.postForm(console.url(VERSION_PAGE),
				Map.of("_csrf", csrf(page), "target", "stable"));
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).contains("Not requested: platform-api answered 403: this needs the ADMIN role.");
	}

	@Test
	void failuresAreMessagesAndAnUnknownRequestIsNotFound() throws Exception {
		var browser = console.browser("admin");
		console.platformApi().failing("/api/admin/promotion-requests");

		HttpResponse<String> list = browser.get(console.url("/promotions"));
		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(list.body()).contains("Promotion requests could not be loaded.",
				"platform-api answered 503: database is down.");
		HttpResponse<String> version = browser.get(console.url(VERSION_PAGE));
		assertThat(version.statusCode()).isEqualTo(200);
		assertThat(version.body()).contains("Promotion requests could not be loaded.", "Request a promotion");
		HttpResponse<String> one = browser.get(console.url("/promotions/p-3"));
		assertThat(one.statusCode()).isEqualTo(200);
		assertThat(one.body()).contains("The promotion request could not be loaded.").doesNotContain("Exception");

		console.platformApi().failing(false);
		assertThat(browser.get(console.url("/promotions/p-404")).statusCode()).isEqualTo(404);
		assertThat(browser.get(console.url("/models/income/versions/9/promotion")).statusCode()).isEqualTo(404);
	}

}
