package dev.warden.console.governance;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.warden.console.Pages;
import dev.warden.console.StubGovernanceApi;
import dev.warden.console.StubPlatformApi;
import dev.warden.console.StubbedConsole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.warden.console.Pages.all;
import static dev.warden.console.Pages.between;
import static dev.warden.console.Pages.csrf;
import static dev.warden.console.Pages.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The fairness page of a model version over real HTTP, signed in through the embedded
 * authorization server, against the stand-in admin API: the report's header, the rate
 * charts (read back from the SVG: bar lengths, Wilson whiskers and the four-fifths line
 * against the report's own numbers), the disparity tables with intervals and sign
 * conventions, suppressed groups and undefined metrics, the checks and what each role may
 * do with them, the evaluation dataset upload, and how platform-api's refusals and
 * failures are shown.
 */
class FairnessPageIntegrationTests {

	private static final String PAGE = "/models/income/versions/1/fairness";

	private static final Pattern SELECTION_BAR = Pattern
		.compile("<rect class=\"bar selection( below)?\" x=\"250\" y=\"[^\"]+\" width=\"([^\"]+)\"");

	private static final Pattern TPR_BAR = Pattern
		.compile("<rect class=\"bar tpr\" x=\"250\" y=\"[^\"]+\" width=\"([^\"]+)\"");

	private static final Pattern WHISKER = Pattern
		.compile("<g class=\"whisker\"[^>]*>\\s*<line x1=\"([^\"]+)\" x2=\"([^\"]+)\"");

	private static final Pattern GROUP_ROW = Pattern.compile("<g class=\"group-row ([^\"]*)\" aria-label=\"([^\"]*)\"");

	private static final Pattern FOUR_FIFTHS_LINE = Pattern.compile("<line class=\"four-fifths-line\" x1=\"([^\"]+)\"");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final JsonNode REPORT = JSON.readTree(StubGovernanceApi.FAIRNESS_REPORT_F2);

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void versionPagesAndTheDashboardLinkToTheFairnessPage() throws Exception {
		var browser = console.browser("compliance");

		assertThat(browser.get(console.url("/")).body()).contains("href=\"/models/income/versions/1/fairness\"");
		String explainability = browser.get(console.url("/models/income/versions/1/explainability")).body();
		assertThat(explainability).contains("href=\"/models/income/versions/1/fairness\"",
				"href=\"/models/income/versions/1/model-card\"", "href=\"/models/income/versions/1/promotion\"");
		// the job queue is shared: a fairness check listed there leads to its report
		assertThat(between(explainability, "data-job=\"fc-1\"", "</tr>")).contains(
				"<span class=\"badge\">fairness check</span>",
				"href=\"/models/income/versions/1/fairness?report=f-2\">fairness report f-2</a>");
	}

	@Test
	void theLatestReportShowsItsHeaderDigestsAndSettings() throws Exception {
		HttpResponse<String> page = console.browser("compliance").get(console.url(PAGE));

		assertThat(page.statusCode()).isEqualTo(200);
		String body = page.body();
		assertThat(body).contains("Latest fairness report", "<code>f-2</code>", "income version 1", "adult_validation")
			.contains("<dt>Rows</dt><dd>9550</dd>", "<dt>Threshold</dt><dd>0.5</dd>",
					"<dt>Software version</dt><dd>0.1.0-SNAPSHOT</dd>", "<dd class=\"seed\">42</dd>")
			.contains("30de130de1", "da7a5e7da7a5e7", "fa1a1e55c0de")
			.contains("stratified: each group resampled within itself", "<code>resamples</code></th><td>1000")
			.contains("href=\"/models/income/versions/1/fairness/reports/f-2/pdf\"")
			.contains("href=\"/models/income/versions/1/fairness?report=f-1\"")
			.doesNotContain("could not be loaded");
		// the overall figures with their Wilson intervals, and the Theil index
		JsonNode accuracy = REPORT.path("content").path("overall").path("metrics").path("accuracy");
		assertThat(body).contains(">accuracy</th><td>" + figure(accuracy.path("value").asDouble()) + "</td><td>["
				+ figure(accuracy.path("ci_low").asDouble()) + ", " + figure(accuracy.path("ci_high").asDouble()) + "]")
			.contains("<dd class=\"theil\">0.118 [0.112, 0.125]</dd>");
	}

	@Test
	void eachAttributeHasARateChartWithWilsonWhiskersAndTheFourFifthsLine() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE)).body();

		for (JsonNode attribute : REPORT.path("content").path("attributes").values()) {
			String name = attribute.path("name").asString();
			String section = between(body, "data-attribute=\"" + name + "\"", "</section>");
			List<JsonNode> groups = attribute.path("groups").values().stream().toList();
			List<Double> selection = all(SELECTION_BAR, section, 2).stream().map(Double::parseDouble).toList();
			List<Double> tpr = all(TPR_BAR, section, 1).stream().map(Double::parseDouble).toList();
			assertThat(selection).as(name).hasSize(groups.size());
			double highest = 0;
			for (int i = 0; i < groups.size(); i++) {
				JsonNode rate = groups.get(i).path("metrics").path("selection_rate");
				// the axis runs from 0 (x 250) to 1 (x 650)
				assertThat(selection.get(i)).as(name + " " + groups.get(i).path("group").asString())
					.isCloseTo(rate.path("value").asDouble() * 400, within(0.006));
				if (!groups.get(i).path("suppressed").asBoolean()) {
					highest = Math.max(highest, rate.path("value").asDouble());
				}
			}
			long definedTpr = groups.stream()
				.filter((group) -> !group.path("metrics").path("tpr").path("value").isNull())
				.count();
			assertThat(tpr).as(name).hasSize((int) definedTpr);
			// the selection-rate whisker of the first group is its Wilson interval
			JsonNode first = groups.get(0).path("metrics").path("selection_rate");
			assertThat(all(WHISKER, section, 1).get(0))
				.isEqualTo(coordinate(250 + first.path("ci_low").asDouble() * 400));
			assertThat(all(WHISKER, section, 2).get(0))
				.isEqualTo(coordinate(250 + first.path("ci_high").asDouble() * 400));
			// the four-fifths line: 0.8 × the highest selection rate of the groups
			// compared
			assertThat(all(FOUR_FIFTHS_LINE, section, 1)).as(name)
				.containsExactly(coordinate(250 + 0.8 * highest * 400));
			// the groups below it are marked, and they are the ones the report flags
			List<String> flagged = attribute.path("four_fifths")
				.values()
				.stream()
				.filter((entry) -> entry.path("below_four_fifths").asBoolean())
				.map((entry) -> entry.path("group").asString())
				.toList();
			List<String> marked = all(GROUP_ROW, section, 2).stream()
				.map(Pages::unescape)
				.filter((label) -> label.contains("below four fifths"))
				.map((label) -> label.substring(0, label.indexOf(':')))
				.toList();
			assertThat(marked).as(name).containsExactlyElementsOf(flagged);
		}
		String sex = between(body, "data-attribute=\"sex\"", "</section>");
		assertThat(sex).contains(">four-fifths line 0.203 = 0.8 × 0.254 (Male)</text>")
			.contains("aria-label=\"Female: selection rate 0.082 [0.073, 0.092], TPR 0.554 [0.501, 0.606], "
					+ "below four fifths of the highest rate\"");
	}

	@Test
	void disparitiesShowTheirIntervalsAndSignConventions() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE)).body();
		String sex = between(body, "data-attribute=\"sex\"", "</section>");

		// Female against Male: group − reference, negative when selected less
		assertThat(sex)
			.contains("Against the reference group Male: group − reference (negative: lower than the reference)")
			.contains("<th scope=\"row\">Female</th>")
			.contains("<td class=\"negative\">-0.172 [-0.192, -0.152]</td>")
			.contains("<td>0.322 [0.272, 0.372]</td>")
			.contains(">demographic parity difference</th><td>0.172 [0.152, 0.192]</td>")
			.contains(">equalized odds ratio</th>")
			.contains("<span class=\"badge below\">below four fifths</span>");
		assertThat(body)
			.contains("<code>statistical_parity_difference</code>", "s_g − s_ref",
					"negative: the group is selected less than the reference",
					"SageMaker Clarify&#39;s DPPL is s_ref − s_g: the opposite sign", "29 CFR 1607.4(D)", "Fairlearn")
			.contains("Below four fifths.");
	}

	@Test
	void suppressedGroupsAreListedWithTheirSizeAndReasonAndUndefinedMetricsSaySo() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE)).body();
		String race = between(body, "data-attribute=\"race\"", "</section>");
		String intersection = between(body, "data-attribute=\"sex × race\"", "</section>");

		assertThat(race).contains("Suppressed groups")
			.contains(
					"<strong>Amer-Indian-Eskimo</strong>: n = <span>22</span>, positives <span>3</span> — <span>n = 22 &lt; 30</span>")
			.contains(
					"<strong>Other</strong>: n = <span>80</span>, positives <span>8</span> — <span>positives = 8 &lt; 10</span>")
			.contains("Amer-Indian-Eskimo (suppressed)</text>")
			.contains("<span class=\"badge suppressed\">suppressed</span>");
		// a suppressed group is not compared: no disparity row of its own
		assertThat(between(race, "class=\"table compact against-reference\"", "</table>"))
			.doesNotContain("Amer-Indian-Eskimo", "Other")
			.contains("Black");
		assertThat(intersection)
			.contains("<span class=\"badge\">intersection</span>", "Female × White",
					"Reference group <strong>Male × White</strong>")
			.contains("undefined (no actual positives in the group)")
			// an interval the bootstrap could not compute from every resample says so
			.contains(">equalized odds ratio</th><td>0.116 [0.066, 0.166] (987 usable resamples)</td>");
		// banded groups are escaped text
		assertThat(body).contains("Reference group <strong>25 to &lt;60</strong>", "&gt;=60").doesNotContain("<25<");
	}

	@Test
	void anOlderReportIsShownWhenChosen() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE + "?report=f-1")).body();

		assertThat(body).contains("<code>f-1</code>", "<dd class=\"seed\">7</dd>", "(shown)", "Fairness report")
			.doesNotContain("Latest fairness report");
	}

	@Test
	void checksShowTheirStateAndProgress() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE)).body();
		String checks = between(body, "id=\"checks\"", "</section>");

		assertThat(checks)
			.contains("<code>fc-2</code>", ">running<", "(computing)", "<progress value=\"4096\" max=\"9550\">",
					"4096 / 9550 rows (42%)")
			.contains("<code>fc-1</code>", "href=\"/models/income/versions/1/fairness?report=f-2\"")
			.contains("<code>fc-0</code>", "worker w-1 unavailable: connection refused", "attempt 2");
	}

	@Test
	void complianceSeesEverythingButNoFormThatChangesSomething() throws Exception {
		var browser = console.browser("compliance");
		String body = browser.get(console.url(PAGE)).body();

		assertThat(body).contains("Latest fairness report", "<code>fc-2</code>", "adult_validation")
			.doesNotContain("Run the check", "/cancel\"", "/retry\"", "multipart/form-data");

		// a form posted anyway is refused by platform-api, and the refusal is a message
		HttpResponse<String> refused = browser.followRedirects(
				browser.postForm(console.url(PAGE + "/checks"), Map.of("_csrf", csrf(body), "threshold", "0.5")));
		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(refused.body())
			.contains("The fairness check was not started: platform-api answered 403: this needs the ADMIN role.");
		assertThat(
				Pages.roles(last(console.platformApi().postsTo("/api/admin/models/income/versions/1/fairness-checks"))
					.authorization()))
			.containsExactly("COMPLIANCE");
	}

	@Test
	void adminRunsACheckOnAnEvaluationDatasetAndCancelsAndRetriesChecks() throws Exception {
		var browser = console.browser("admin");
		String body = browser.get(console.url(PAGE)).body();
		String csrf = csrf(body);
		String runForm = between(body, "class=\"form card run-check\"", "</form>");
		// only evaluation datasets can be checked
		assertThat(runForm).contains("<option value=\"d-1\">adult_validation (4000 rows)</option>")
			.doesNotContain("d-3");

		String started = browser
			.followRedirects(browser.postForm(console.url(PAGE + "/checks"),
					Map.of("_csrf", csrf, "dataset_id", "d-1", "threshold", "0.3", "resamples", "500", "seed", "7")))
			.body();
		assertThat(started).contains("Fairness check fc-3 queued.");
		String checks = "/api/admin/models/income/versions/1/fairness-checks";
		assertThat(JSON.readTree(last(console.platformApi().postsTo(checks)).body())).isEqualTo(JSON.readTree("""
				{"dataset_id":"d-1","threshold":0.3,"resamples":500,"seed":7}"""));

		browser.followRedirects(browser.postForm(console.url(PAGE + "/checks"),
				Map.of("_csrf", csrf, "dataset_id", "", "threshold", "", "resamples", "", "seed", "")));
		assertThat(last(console.platformApi().postsTo(checks)).body()).isEqualTo("{}");

		int before = console.platformApi().postsTo(checks).size();
		String notANumber = browser
			.followRedirects(
					browser.postForm(console.url(PAGE + "/checks"), Map.of("_csrf", csrf, "threshold", "half")))
			.body();
		assertThat(notANumber)
			.contains("The fairness check was not started: Threshold must be a number, not &#39;half&#39;.");
		assertThat(console.platformApi().postsTo(checks)).hasSize(before);

		assertThat(browser
			.followRedirects(browser.postForm(console.url(PAGE + "/checks"), Map.of("_csrf", csrf, "threshold", "1.5")))
			.body()).contains("platform-api answered 400: threshold must be between 0 and 1, not 1.5.");
		assertThat(browser
			.followRedirects(
					browser.postForm(console.url(PAGE + "/checks"), Map.of("_csrf", csrf, "dataset_id", "d-3")))
			.body()).contains("platform-api answered 409: dataset d-3 has no evaluation spec");

		assertThat(browser
			.followRedirects(browser.postForm(console.url(PAGE + "/jobs/fc-2/cancel"), Map.of("_csrf", csrf)))
			.body()).contains("Fairness check fc-2 cancelled.");
		assertThat(console.platformApi().postsTo("/api/admin/explainability/jobs/fc-2/cancel")).isNotEmpty();
		assertThat(
				browser.followRedirects(browser.postForm(console.url(PAGE + "/jobs/fc-0/retry"), Map.of("_csrf", csrf)))
					.body())
			.contains("Fairness check fc-0 queued again (attempt 3).");
		assertThat(body)
			.contains("action=\"/models/income/versions/1/fairness/jobs/fc-2/cancel\"",
					"action=\"/models/income/versions/1/fairness/jobs/fc-0/retry\"")
			.doesNotContain("jobs/fc-1/cancel", "jobs/fc-1/retry");
	}

	@Test
	void evaluationDatasetsAreListedWithTheirSpec() throws Exception {
		String body = console.browser("compliance").get(console.url(PAGE)).body();
		String datasets = between(body, "id=\"datasets\"", "</section>");

		assertThat(datasets).contains("adult_validation", "<code>label</code>", "= <code>1</code> is positive")
			.contains("<li>sex (reference Male)</li>", "<li>race (reference White)</li>",
					"<li>age (bands 25, 60; reference 25 to &lt;60)</li>")
			.contains("my rows", "no evaluation spec");
	}

	@Test
	void adminUploadsAnEvaluationDatasetWithItsSpecAsQueryParameters() throws Exception {
		var browser = console.browser("admin");
		String csrf = csrf(browser.get(console.url(PAGE)).body());
		String csv = "age,workclass,sex,race,label\n39,State-gov,Male,White,0\n50,Private,Female,Black,1\n";

		HttpResponse<String> upload = browser
			.post(console.url(PAGE + "/datasets"), "multipart/form-data; boundary=" + Pages.BOUNDARY, Pages.multipart(
					Map.of("_csrf", csrf, "name", "adult_eval", "label", "label", "positive_label", "1", "sensitive",
							"sex, race,age", "references", "sex:Male\r\nrace: White\r\n", "bands", "age:25,60"),
					"rows.csv", csv));
		assertThat(upload.statusCode()).isEqualTo(302);
		assertThat(browser.followRedirects(upload).body())
			.contains("Evaluation dataset adult_eval registered with 2 rows.");
		StubPlatformApi.Post sent = last(console.platformApi().postsTo("/api/admin/models/income/reference-datasets"));
		assertThat(sent.body()).isEqualTo(csv);
		assertThat(Pages.query(sent.query())).containsEntry("name", List.of("adult_eval"))
			.containsEntry("label", List.of("label"))
			.containsEntry("positive_label", List.of("1"))
			.containsEntry("sensitive", List.of("sex", "race", "age"))
			.containsEntry("reference", List.of("sex:Male", "race:White"))
			.containsEntry("bands", List.of("age:25,60"));

		// platform-api's refusal names the problem; the fields keep what was typed
		String refused = browser
			.followRedirects(
					browser
						.post(console.url(PAGE + "/datasets"), "multipart/form-data; boundary=" + Pages.BOUNDARY,
								Pages.multipart(
										Map.of("_csrf", csrf, "name", "", "label", "outcome", "positive_label", "1",
												"sensitive", "sex", "references", "", "bands", ""),
										"no-label.csv", csv)))
			.body();
		assertThat(refused).contains(
				"The evaluation dataset was not uploaded: platform-api answered 400: the header must name the model&#39;s inputs and the evaluation columns [outcome, sex]: missing columns [outcome].")
			.contains("name=\"label\" placeholder=\"label\" value=\"outcome\"");
		assertThat(
				Pages.query(last(console.platformApi().postsTo("/api/admin/models/income/reference-datasets")).query()))
			.containsEntry("name", List.of("no-label"));

		// a reference that is not one of the sensitive columns is not sent
		int before = console.platformApi().postsTo("/api/admin/models/income/reference-datasets").size();
		String invalid = browser
			.followRedirects(
					browser.post(console.url(PAGE + "/datasets"), "multipart/form-data; boundary=" + Pages.BOUNDARY,
							Pages.multipart(
									Map.of("_csrf", csrf, "name", "x", "label", "label", "positive_label", "1",
											"sensitive", "sex", "references", "race:White", "bands", ""),
									"rows.csv", csv)))
			.body();
		assertThat(invalid).contains(
				"The evaluation dataset was not uploaded: Reference: &#39;race&#39; is not one of the sensitive columns (sex).")
			.contains("race:White</textarea>");
		assertThat(console.platformApi().postsTo("/api/admin/models/income/reference-datasets")).hasSize(before);
	}

	@Test
	void theReportPdfIsStreamedFromPlatformApi() throws Exception {
		var browser = console.browser("compliance");

		HttpResponse<String> pdf = browser.get(console.url(PAGE + "/reports/f-2/pdf"));

		assertThat(pdf.statusCode()).isEqualTo(200);
		assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
		assertThat(pdf.headers().firstValue("Content-Disposition"))
			.hasValueSatisfying((disposition) -> assertThat(disposition).startsWith("attachment")
				.contains("income-1-fairness-f-2.pdf"));
		assertThat(pdf.body()).startsWith("%PDF-1.4").contains("stand-in fairness report");

		HttpResponse<String> missing = browser.get(console.url(PAGE + "/reports/f-9/pdf"));
		assertThat(missing.statusCode()).isEqualTo(302);
		assertThat(browser.followRedirects(missing).body())
			.contains("The PDF of report f-9 could not be downloaded: platform-api answered 404: no such resource.");
	}

	@Test
	void aFailingCallShowsAMessageInItsSectionOnly() throws Exception {
		var browser = console.browser("compliance");
		console.platformApi().failing("/api/admin/models/income/versions/1/fairness-checks");

		HttpResponse<String> page = browser.get(console.url(PAGE));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("Fairness checks could not be loaded.", "platform-api answered 503: database is down.")
			.contains("Latest fairness report", "class=\"chart rates\"", "adult_validation");
	}

	@Test
	void platformApiDownIsAMessageNeverAStackTrace() throws Exception {
		var browser = console.browser("admin");
		console.platformApi().failing(true);

		HttpResponse<String> page = browser.get(console.url(PAGE));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("The version could not be loaded.", "Fairness reports could not be loaded.",
					"Fairness checks could not be loaded.", "Datasets could not be loaded.", "database is down")
			.doesNotContain("Exception", "at dev.warden");
	}

	@Test
	void unknownModelOrVersionIsAPageThatDoesNotExist() throws Exception {
		var browser = console.browser("admin");

		for (String path : List.of("/models/income/versions/9/fairness", "/models/nope/versions/1/fairness")) {
			HttpResponse<String> page = browser.get(console.url(path));
			assertThat(page.statusCode()).as(path).isEqualTo(404);
			assertThat(page.body()).contains("There is no such page.");
		}
	}

	private static String figure(double value) {
		return String.format(Locale.ROOT, "%.3f", value);
	}

	private static String coordinate(double value) {
		return String.format(Locale.ROOT, "%.2f", value);
	}

}
