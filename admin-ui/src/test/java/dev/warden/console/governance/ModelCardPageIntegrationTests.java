package dev.warden.console.governance;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.console.Pages;
import dev.warden.console.StubbedConsole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static dev.warden.console.Pages.between;
import static dev.warden.console.Pages.csrf;
import static dev.warden.console.Pages.last;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model card page of a model version over real HTTP against the stand-in admin API:
 * every section of the composed card, the quantitative analysis with intervals and each
 * metric's source report, the missing fields, an override set apart in the governance
 * section, the revisions, the exports, and the edit form: what it sends, that it is based
 * on the revision shown (a concurrent edit makes it a 409 the page explains, keeping what
 * was typed), and that a compliance officer has none.
 */
class ModelCardPageIntegrationTests {

	private static final String PAGE = "/models/income/versions/1/model-card";

	private static final String API = "/api/admin/models/income/versions/1/model-card";

	private static final String EDIT_FORM = "class=\"form card edit-card\"";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void theCardShowsEverySectionWithItsRevision() throws Exception {
		HttpResponse<String> page = console.browser("compliance").get(console.url(PAGE));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("<dt>Revision</dt><dd class=\"revision\">3</dd>", "limitations from the fairness report")
			.contains("Predicts whether a person&#39;s income exceeds 50K a year from census attributes.")
			.contains("<td>Platform team</td><td>platform@example.com</td>",
					"<li>https://archive.ics.uci.edu/dataset/2/adult</li>", "Becker, B. and Kohavi, R. (1996)")
			.contains("<dt>Changes from the previous version</dt><dd>first version</dd>") // what
																							// the
																							// platform
																							// knows
																							// of
																							// the
																							// version,
																							// shown
																							// as
																							// sent
			.contains("<h3>Provenance</h3>", "<code>uploaded_by</code></dt><dd>admin</dd>",
					"<code>archive_sha256</code></dt><dd>a5c41e</dd>",
					"<code>files_sha256</code></dt><dd>{&quot;value&quot;:&quot;30de130de1&quot;")
			.contains("A feed-forward network over one-hot and normalised census columns.",
					"<td>adult_train</td><td>inference-worker/src/main/resources/datasets/adult</td><td>sex, race</td>")
			.contains("<li>Platform operators demonstrating the platform</li>", "The census is from 1994 and US-only")
			// an empty repeated field says so
			.contains("<h4>Trade-offs</h4>", "none given")
			.contains("href=\"/models/income/versions/1/model-card/export.json\"",
					"href=\"/models/income/versions/1/model-card/export.pdf\"")
			.doesNotContain("could not be loaded");
	}

	@Test
	void theQuantitativeAnalysisShowsIntervalsAndTheSourceOfEachMetric() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE)).body();
		String metrics = between(body, "class=\"table compact performance-metrics\"", "</table>");
		assertThat(metrics)
			.contains("<code>accuracy</code> </th>", "<td>all rows</td>", "<td>0.848</td>", "<td>[0.840, 0.855]</td>")
			.contains("<code class=\"details\">/overall/metrics/accuracy</code>")
			.contains("<td>sex=Female</td>", "<td>0.082</td>", "<td>[0.073, 0.092]</td>")
			.contains("<tr class=\"flagged\">",
					"<code>four_fifths_ratio</code> <span class=\"badge below\">below 0.8 of "
							+ "the highest selection rate (Male)</span>",
					"<td>[0.272, 0.372]</td>")
			.contains("href=\"/models/income/versions/1/fairness?report=f-2\">fairness f-2</a>")
			.contains("<td>feature=capital_gain</td>", "<td>[0.380, 0.450]</td>",
					"href=\"/models/income/versions/1/explainability?report=r-2\">explainability r-2</a>");
		// what the card says it could not give a number for
		assertThat(body).contains("<caption>undefined_metrics</caption>", "no actual positives in the group")
			.contains("<caption>suppressed_groups</caption>", "<td>Amer-Indian-Eskimo</td>");
	}

	@Test
	void completenessNamesTheMissingFields() throws Exception {
		var browser = console.browser("compliance");

		String income = browser.get(console.url(PAGE)).body();
		assertThat(between(income, "class=\"completeness\"", "</ul>")).contains(
				"Incomplete: 2 required fields missing.",
				"<li><code>model_details.licenses</code> <span>— no licence</span></li>",
				"<li><code>considerations.ethical_considerations</code> <span>— none given</span></li>");
		String spam = browser.get(console.url("/models/spam/versions/1/model-card")).body();
		assertThat(spam).contains("<strong>Complete.</strong>").doesNotContain("Incomplete");
	}

	@Test
	void anOverrideInTheGovernanceSectionStandsOut() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE)).body();
		String governance = between(body, "id=\"governance\"", "</section>");
		assertThat(body).contains("Overridden rules on this card: 1.", "href=\"#governance\"");
		assertThat(governance).contains("<h4>promotion</h4>")
			.contains("<div class=\"override-box\" role=\"note\">", "<span class=\"badge override\">override</span>")
			.contains("<dt>rule</dt><dd>fairness.four_fifths_ratio.sex</dd>",
					"<dt>justification</dt><dd>Reference model for the demo; never used for decisions about people.</dd>",
					"<dt>by</dt><dd>admin</dd>", "<dt>request id</dt><dd>p-3</dd>",
					"<dt>request state</dt><dd>pending</dd>")
			// the rest of the contribution as it came
			.contains("<caption>requests</caption>", "<td>p-3</td>");
		assertThat(console.browser("compliance").get(console.url("/models/spam/versions/1/model-card")).body())
			.contains("Nothing recorded for this version yet.")
			.doesNotContain("override-box", "Overridden rules");
	}

	@Test
	void complianceReadsTheCardWithoutAnEditForm() throws Exception {
		var browser = console.browser("compliance");
		String body = browser.get(console.url(PAGE)).body();

		assertThat(body).contains("Model details", "Quantitative analysis", "Revisions")
			.doesNotContain(EDIT_FORM, "name=\"revision\"", "Edit the card");

		// posted anyway, platform-api refuses it; the refusal is a message on the page
		HttpResponse<String> refused = browser.postForm(console.url(PAGE),
				Map.of("_csrf", csrf(body), "revision", "3", "comment", "try", "model_details.overview", "changed"));
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).contains("Not saved: platform-api answered 403: this needs the ADMIN role.");
		assertThat(Pages.roles(last(console.platformApi().putsTo(API)).authorization())).containsExactly("COMPLIANCE");
	}

	@Test
	void anAdminsEditIsSentAsTheSectionsBasedOnTheRevisionShown() throws Exception {
		var browser = console.browser("admin");
		String body = browser.get(console.url(PAGE)).body();
		Map<String, String> form = Pages.formFields(body, EDIT_FORM);
		// the form holds what the card says, and room for more entries
		assertThat(form).containsEntry("revision", "3")
			.containsEntry("model_details.owners[0].name", "Platform team")
			.containsEntry("model_details.version.diff", "first version")
			.containsEntry("model_details.owners[1].name", "")
			.containsEntry("model_details.owners[2].name", "")
			.containsEntry("model_parameters.data[0].sensitive_attributes", "sex\nrace")
			.containsEntry("considerations.limitations[0].description",
					"The census is from 1994 and US-only; women are selected far less often (see the quantitative analysis).")
			.doesNotContainKey("model_details.owners[3].name");

		Map<String, String> edited = new LinkedHashMap<>(form);
		edited.put("model_details.overview", "Predicts income > 50K.");
		edited.put("model_details.licenses[0].identifier", "Apache-2.0");
		edited.put("model_details.owners[0].contact", "");
		edited.put("considerations.ethical_considerations[0].name", "Lower selection rates for women");
		edited.put("considerations.ethical_considerations[0].mitigation_strategy",
				"Promotion needs an override with a justification");
		edited.put("considerations.use_cases[0].description", "");
		edited.put("comment", "licence and ethics");
		HttpResponse<String> saved = browser.postForm(console.url(PAGE), edited);

		assertThat(saved.statusCode()).isEqualTo(302);
		assertThat(browser.followRedirects(saved).body()).contains("Saved as revision 4.");
		assertThat(JSON.readTree(last(console.platformApi().putsTo(API)).body())).isEqualTo(JSON.readTree(
				"""
						{"model_details":{"overview":"Predicts income > 50K.","documentation":"docs/models.md",
						  "version":{"diff":"first version"},
						  "owners":[{"name":"Platform team"}],"licenses":[{"identifier":"Apache-2.0"}],
						  "references":[{"reference":"https://archive.ics.uci.edu/dataset/2/adult"}],
						  "citations":[{"style":"text","citation":"Becker, B. and Kohavi, R. (1996). Adult. UCI Machine Learning Repository."}]},
						 "model_parameters":{"model_architecture":"A feed-forward network over one-hot and normalised census columns.",
						  "input_format":"14 census columns as named inputs","output_format":"probability of income > 50K",
						  "data":[{"name":"adult_train","link":"inference-worker/src/main/resources/datasets/adult",
						   "sensitive":{"sensitive_attributes":["sex","race"]},"description":"UCI Adult, 1994 census extract, training split."}]},
						 "considerations":{"users":[{"description":"Platform operators demonstrating the platform"}],
						  "limitations":[{"description":"The census is from 1994 and US-only; women are selected far less often (see the quantitative analysis)."}],
						  "ethical_considerations":[{"name":"Lower selection rates for women","mitigation_strategy":"Promotion needs an override with a justification"}]},
						 "revision":3,"comment":"licence and ethics"}"""));
	}

	@Test
	void anEditBasedOnARevisionSomeoneElseReplacedIsRefusedWithTheTextKept() throws Exception {
		var admin = console.browser("admin");
		var reviewer = console.browser("reviewer");
		Map<String, String> adminForm = Pages.formFields(admin.get(console.url(PAGE)).body(), EDIT_FORM);
		Map<String, String> reviewerForm = Pages.formFields(reviewer.get(console.url(PAGE)).body(), EDIT_FORM);

		reviewerForm.put("comment", "reviewer's change");
		assertThat(reviewer.postForm(console.url(PAGE), reviewerForm).statusCode()).isEqualTo(302);
		adminForm.put("model_details.overview", "My overview, typed while the reviewer saved.");
		adminForm.put("comment", "admin's change");
		HttpResponse<String> stale = admin.postForm(console.url(PAGE), adminForm);

		assertThat(stale.statusCode()).isEqualTo(409);
		assertThat(between(stale.body(), "id=\"edit-error\">", "</div>")).contains(
				"Not saved: the card was changed by someone else after you opened it (your edit was based on revision 3).")
			.contains("platform-api answered 409: the card is at revision 4, the edit is based on revision 3.")
			.contains("Your text is kept in the form below");
		assertThat(Pages.formFields(stale.body(), EDIT_FORM))
			.containsEntry("model_details.overview", "My overview, typed while the reviewer saved.")
			.containsEntry("comment", "admin&#39;s change".replace("&#39;", "'"))
			.containsEntry("revision", "3");
		// the card shown above the form is the current one
		assertThat(stale.body()).contains("<dd class=\"revision\">4</dd>");
	}

	@Test
	void badInputIsShownWithTheFieldPlatformApiNames() throws Exception {
		var browser = console.browser("admin");
		Map<String, String> form = Pages.formFields(browser.get(console.url(PAGE)).body(), EDIT_FORM);
		form.put("model_details.overview", "x".repeat(5001));
		form.put("comment", "too long");

		HttpResponse<String> refused = browser.postForm(console.url(PAGE), form);

		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body())
			.contains("Not saved: platform-api answered 400: model_details.overview: at most 5000 characters.");
	}

	@Test
	void theRevisionsAreListedAndAStoredOneCanBeRead() throws Exception {
		var browser = console.browser("compliance");
		String body = browser.get(console.url(PAGE)).body();
		String revisions = between(body, "class=\"table compact revision-list\"", "</table>");
		assertThat(revisions).contains(">3</a>", ">2</a>", ">1</a>", "<td>shipped</td>",
				"href=\"/models/income/versions/1/model-card?revision=1#revision\"");

		String first = browser.get(console.url(PAGE + "?revision=1")).body();

		assertThat(between(first, "class=\"card stored-revision\"", "</article>")).contains("Revision 1 as written",
				"by system at 2026-11-28T08:00:00Z: shipped", "The shipped card of the reference income model.",
				"feed-forward network", "1994 census");
		assertThat(browser.get(console.url(PAGE + "?revision=7")).body())
			.contains("Revision 7 could not be loaded: platform-api answered 404");
	}

	@Test
	void theExportsAreStreamedFromPlatformApi() throws Exception {
		var browser = console.browser("compliance");

		HttpResponse<String> json = browser.get(console.url(PAGE + "/export.json"));
		assertThat(json.statusCode()).isEqualTo(200);
		assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
		assertThat(json.headers().firstValue("Content-Disposition"))
			.hasValueSatisfying((value) -> assertThat(value).contains("income-1-model-card.json"));
		assertThat(json.body()).contains("\"annex_iv\"");
		assertThat(console.platformApi().requests()).contains("GET " + API + "/export?format=json");

		HttpResponse<String> pdf = browser.get(console.url(PAGE + "/export.pdf"));
		assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
		assertThat(pdf.body()).startsWith("%PDF-1.4").contains("stand-in model card");

		console.platformApi().failing(API + "/export");
		HttpResponse<String> failed = browser.get(console.url(PAGE + "/export.pdf"));
		assertThat(failed.statusCode()).isEqualTo(302);
		assertThat(browser.followRedirects(failed).body())
			.contains("The PDF export could not be downloaded: platform-api answered 503: database is down.");
	}

	@Test
	void aFailingCardCallIsAMessageNeverAnErrorPage() throws Exception {
		var browser = console.browser("admin");
		console.platformApi().failing(API);

		HttpResponse<String> page = browser.get(console.url(PAGE));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("The model card could not be loaded.", "Revisions could not be loaded.", "database is down")
			.doesNotContain(EDIT_FORM, "Exception");
		assertThat(browser.get(console.url("/models/income/versions/9/model-card")).statusCode()).isEqualTo(404);
	}

}
