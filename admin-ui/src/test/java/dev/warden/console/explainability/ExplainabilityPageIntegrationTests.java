package dev.warden.console.explainability;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.warden.console.Pages;
import dev.warden.console.StubExplainabilityApi;
import dev.warden.console.StubbedConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static dev.warden.console.Pages.all;
import static dev.warden.console.Pages.between;
import static dev.warden.console.Pages.csrf;
import static dev.warden.console.Pages.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The explainability page of a model version over real HTTP, signed in through the
 * embedded authorization server, against the stand-in admin API: what the charts draw
 * (read back from the SVG in the HTML), what each role sees and may do, the interactive
 * explanation as bars and highlighted text, and how refusals and failures of platform-api
 * are shown.
 */
class ExplainabilityPageIntegrationTests {

	private static final String INCOME_PAGE = "/models/income/versions/1/explainability";

	private static final String SPAM_PAGE = "/models/spam/versions/1/explainability";

	private static final Pattern IMPORTANCE_BAR = Pattern
		.compile("<rect class=\"bar\" x=\"([^\"]+)\" y=\"([^\"]+)\" width=\"([^\"]+)\"");

	private static final Pattern ATTRIBUTION_BAR = Pattern
		.compile("<rect class=\"bar (positive|negative)\" x=\"([^\"]+)\" y=\"([^\"]+)\" width=\"([^\"]+)\"");

	private static final Pattern FEATURE_NAME = Pattern.compile("<code class=\"feature-name\">([^<]*)</code>");

	private static final Pattern ATTRIBUTION_LABEL = Pattern
		.compile("<g class=\"bar-row\" aria-label=\"([^\"]*): [^\"]*\" role=\"group\">");

	private static final Pattern PD_PLOT = Pattern.compile(
			"<svg[^>]*class=\"chart partial-dependence\"[^>]*data-feature=\"([^\"]*)\"[^>]*>.*?<polyline class=\"pd-line\" points=\"([^\"]*)\"",
			Pattern.DOTALL);

	private static final Pattern MARK = Pattern.compile(
			"<mark class=\"([^\"]*)\" title=\"[^\"]*\" data-start=\"(\\d+)\" data-end=\"(\\d+)\" data-attribution=\"([^\"]*)\">([^<]*)</mark>");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void dashboardLinksEveryVersionToItsExplainabilityPage() throws Exception {
		HttpResponse<String> dashboard = signIn("compliance");

		assertThat(dashboard.body()).contains("href=\"/models/income/versions/1/explainability\"",
				"href=\"/models/spam/versions/1/explainability\"");
	}

	@Test
	void pageShowsTheLatestReportWithItsIdentityAndDigests() throws Exception {
		var browser = console.browser("compliance");

		HttpResponse<String> page = browser.get(console.url(INCOME_PAGE));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("Latest report", "<code>r-2</code>", "income version 1", "adult_validation", "kernel_shap",
					">42<", ">1000<", "2026-11-30T10:00:00Z", "30de130de1", "da7a5e7da7a5e7", "c0ffeec0ffee",
					"ba5e11neba5e11ne")
			.contains("href=\"/models/income/versions/1/explainability/reports/r-2/pdf\"")
			// the older report is listed with a link
			.contains("href=\"/models/income/versions/1/explainability?report=r-1\"")
			.doesNotContain("could not be loaded");
	}

	@Test
	void importanceChartDrawsTheFeaturesInOrderWithBarsProportionalToTheirValues() throws Exception {
		String body = console.browser("compliance").get(console.url(INCOME_PAGE)).body();

		List<String> expectedNames = new ArrayList<>(StubExplainabilityApi.INCOME_IMPORTANCE.keySet());
		assertThat(all(FEATURE_NAME, body, 1).stream().map(Pages::unescape).toList())
			.containsExactlyElementsOf(expectedNames);

		List<Double> values = new ArrayList<>(StubExplainabilityApi.INCOME_IMPORTANCE.values());
		List<Double> widths = all(IMPORTANCE_BAR, body, 3).stream().map(Double::parseDouble).toList();
		assertThat(widths).hasSameSizeAs(values);
		// one scale for bars and whiskers: the largest interval end (0.45) fills 380
		// units
		double scale = 380 / 0.45;
		for (int i = 0; i < values.size(); i++) {
			assertThat(widths.get(i)).as("bar of " + expectedNames.get(i))
				.isCloseTo(values.get(i) * scale, within(0.01));
		}
		assertThat(widths).isSortedAccordingTo((a, b) -> Double.compare(b, a));
		List<Double> ys = all(IMPORTANCE_BAR, body, 2).stream().map(Double::parseDouble).toList();
		assertThat(ys).isSorted();
		// the interval of the top feature is a whisker from 0.38 to 0.45 on the same
		// scale
		assertThat(body)
			.contains("x1=\"" + coordinate(200 + 0.38 * scale) + "\" x2=\"" + coordinate(200 + 0.45 * scale) + "\"");
		// each bar is labelled with the feature's value
		assertThat(body).contains(">0.412</text>", ">0.205</text>", ">0.004</text>");
	}

	@Test
	void partialDependenceIsAPolylinePerTopFeature() throws Exception {
		String body = console.browser("compliance").get(console.url(INCOME_PAGE)).body();

		Map<String, String> plots = new LinkedHashMap<>();
		Matcher plot = PD_PLOT.matcher(body);
		while (plot.find()) {
			plots.put(plot.group(1), plot.group(2));
		}
		assertThat(plots).containsOnlyKeys("capital_gain", "education", "age");
		// capital_gain: grid 0 … 20000, values 0.21 … 0.74 rising: from the lower left to
		// the upper right corner of the plot area (x 64 … 320, y 168 … 14)
		List<String> points = List.of(plots.get("capital_gain").split(" "));
		assertThat(points).hasSize(5);
		assertThat(points.get(0)).isEqualTo("64.00,168.00");
		assertThat(points.get(4)).isEqualTo("320.00,14.00");
		// 5000 is a quarter of the way along the x axis
		assertThat(points.get(2)).startsWith("128.00,");
		// a categorical grid is spaced evenly, each category labelled
		assertThat(plots.get("education").split(" ")).hasSize(4);
		assertThat(body).contains(">HS-grad</text>", ">Doctorate</text>", ">average prediction</text>");
	}

	@Test
	void qualityFiguresAreShown() throws Exception {
		String body = console.browser("compliance").get(console.url(INCOME_PAGE)).body();

		assertThat(body).contains("Explanations</th><td>1000", "Model evaluations</th><td>256000")
			.contains("Efficiency error, max</th><td>3.100e-07", "Efficiency error, p95</th><td>1.900e-07");
	}

	@Test
	void olderReportIsShownWhenChosen() throws Exception {
		String body = console.browser("compliance").get(console.url(INCOME_PAGE + "?report=r-1")).body();

		assertThat(body).contains("<code>r-1</code>", "integrated_gradients", "Completeness delta, max</th><td>0.004")
			.contains("(shown)")
			.doesNotContain("Latest report");
		// per-class figures given as objects, the confidence as confidence_level, the
		// baseline's values under "value", the target as text
		assertThat(body).contains("<span>1</span>: <span>0.27</span>", "(0.9)", "<dt>age</dt><dd>37.5</dd>",
				"<dt>target</dt><dd>predicted class</dd>", "0b5e");
		assertThat(console.browser("compliance").get(console.url(INCOME_PAGE + "?report=r-1")).body())
			.doesNotContain("mean_attribution");
	}

	@Test
	void everythingFromPlatformApiIsEscaped() throws Exception {
		var browser = console.browser("admin");
		String income = browser.get(console.url(INCOME_PAGE)).body();
		String spam = browser.get(console.url(SPAM_PAGE)).body();
		String explained = explainIncome(browser, Map.of("input.age", "39")).body();

		for (String body : List.of(income, spam, explained)) {
			// the only scripts are the console's own files (htmx from the layout)
			assertThat(body.replaceAll("<script src=\"/(webjars|js)/[^\"<>]+\" defer></script>", ""))
				.doesNotContain("<script");
		}
		assertThat(income).contains("&lt;script&gt;alert(&quot;feature&quot;)&lt;/script&gt;");
		assertThat(spam).contains("&lt;script&gt;alert(&#39;token&#39;)&lt;/script&gt;");
		assertThat(explained).contains("&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;");
	}

	@Test
	void jobsShowTheirStateProgressAndFailure() throws Exception {
		String body = console.browser("compliance").get(console.url(INCOME_PAGE)).body();

		assertThat(body)
			.contains("<code>j-3</code>", ">running<", "<progress value=\"1200\" max=\"4000\">",
					"1200 / 4000 rows (30%)")
			.contains("<code>j-2</code>", ">failed<", "worker w-1 unavailable: connection refused", "attempt 2",
					"256 / 1000 rows (25%)")
			.contains("<code>j-1</code>", ">done<", "href=\"/models/income/versions/1/explainability?report=r-2\"")
			.contains("{&quot;method&quot;:&quot;kernel_shap&quot;,&quot;seed&quot;:3,&quot;sample_size&quot;:4000}");
	}

	@Test
	void adminSeesTheFormsToManageJobsAndDatasets() throws Exception {
		String body = console.browser("admin").get(console.url(INCOME_PAGE)).body();

		assertThat(body)
			.contains("action=\"/models/income/versions/1/explainability/jobs/j-3/cancel\"",
					"action=\"/models/income/versions/1/explainability/jobs/j-2/retry\"")
			.doesNotContain("jobs/j-1/cancel", "jobs/j-1/retry", "jobs/j-3/retry")
			.contains("action=\"/models/income/versions/1/explainability/reports\"", "Run the report",
					"<option value=\"d-1\">adult_validation (4000 rows)</option>")
			.contains("enctype=\"multipart/form-data\"", "action=\"/models/income/versions/1/explainability/datasets\"")
			.contains("<option value=\"adult_validation\" selected=\"selected\">adult_validation</option>")
			.contains("action=\"/models/income/versions/1/explainability/datasets/d-1/delete\"")
			.contains("class=\"form explain-form\"");
		assertThat(console.browser("admin").get(console.url(SPAM_PAGE)).body()).contains(
				"<option value=\"spamassassin_validation\" selected=\"selected\">spamassassin_validation</option>");
	}

	@Test
	void complianceSeesEverythingAndTheExplainFormButNoControls() throws Exception {
		String body = console.browser("compliance").get(console.url(INCOME_PAGE)).body();

		assertThat(body)
			.contains("Latest report", "<code>j-3</code>", "adult_validation", "class=\"form explain-form\"")
			.doesNotContain("/cancel\"", "/retry\"", "Run the report", "multipart/form-data", "/delete\"",
					"Use the shipped dataset");
	}

	@Test
	void platformRefusalOfAComplianceUserIsShownAsAMessage() throws Exception {
		var browser = console.browser("compliance");
		String csrf = csrf(browser.get(console.url(INCOME_PAGE)).body());

		HttpResponse<String> cancel = browser.postForm(console.url(INCOME_PAGE + "/jobs/j-3/cancel"),
				Map.of("_csrf", csrf));
		assertThat(cancel.statusCode()).isEqualTo(302);
		HttpResponse<String> page = browser.followRedirects(cancel);

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("Job j-3 was not cancelled: platform-api answered 403: this needs the ADMIN role.")
			.contains("Latest report");
		assertThat(Pages
			.roles(last(console.platformApi().postsTo("/api/admin/explainability/jobs/j-3/cancel")).authorization()))
			.containsExactly("COMPLIANCE");

		HttpResponse<String> delete = browser.followRedirects(
				browser.postForm(console.url(INCOME_PAGE + "/datasets/d-1/delete"), Map.of("_csrf", csrf)));
		assertThat(delete.body()).contains("Dataset d-1 was not deleted: platform-api answered 403");
	}

	@Test
	void adminStartsCancelsAndRetriesReportJobs() throws Exception {
		var browser = console.browser("admin");
		String csrf = csrf(browser.get(console.url(INCOME_PAGE)).body());

		String started = browser
			.followRedirects(browser.postForm(console.url(INCOME_PAGE + "/reports"), Map.of("_csrf", csrf, "dataset_id",
					"d-1", "method", "kernel_shap", "seed", "7", "sample_size", "200")))
			.body();
		assertThat(started).contains("Report job j-4 queued.");
		assertThat(JSON
			.readTree(last(console.platformApi().postsTo("/api/admin/models/income/versions/1/explainability-reports"))
				.body()))
			.isEqualTo(JSON.readTree("""
					{"dataset_id":"d-1","method":"kernel_shap","seed":7,"sample_size":200}"""));

		String defaults = browser.followRedirects(browser.postForm(console.url(INCOME_PAGE + "/reports"),
				Map.of("_csrf", csrf, "dataset_id", "", "method", "", "seed", "", "sample_size", "")))
			.body();
		assertThat(defaults).contains("Report job j-4 queued.");
		assertThat(last(console.platformApi().postsTo("/api/admin/models/income/versions/1/explainability-reports"))
			.body()).isEqualTo("{}");

		int before = console.platformApi().postsTo("/api/admin/models/income/versions/1/explainability-reports").size();
		String notANumber = browser
			.followRedirects(
					browser.postForm(console.url(INCOME_PAGE + "/reports"), Map.of("_csrf", csrf, "seed", "seven")))
			.body();
		assertThat(notANumber)
			.contains("The report was not started: Seed must be a whole number, not &#39;seven&#39;.");
		assertThat(console.platformApi().postsTo("/api/admin/models/income/versions/1/explainability-reports"))
			.hasSize(before);

		String refused = browser
			.followRedirects(
					browser.postForm(console.url(INCOME_PAGE + "/reports"), Map.of("_csrf", csrf, "sample_size", "0")))
			.body();
		assertThat(refused).contains(
				"The report was not started: platform-api answered 400: sample_size must be between 1 and 100000.");

		assertThat(browser
			.followRedirects(browser.postForm(console.url(INCOME_PAGE + "/jobs/j-3/cancel"), Map.of("_csrf", csrf)))
			.body()).contains("Job j-3 cancelled.");
		assertThat(browser
			.followRedirects(browser.postForm(console.url(INCOME_PAGE + "/jobs/j-2/retry"), Map.of("_csrf", csrf)))
			.body()).contains("Job j-2 queued again (attempt 3).");
	}

	@Test
	void adminUploadsACsvFileImportsTheShippedDatasetAndDeletesOne() throws Exception {
		var browser = console.browser("admin");
		String csrf = csrf(browser.get(console.url(INCOME_PAGE)).body());
		String csv = "age,workclass,capital_gain\n39,State-gov,2174\n50,Self-emp-not-inc,0\n";

		HttpResponse<String> upload = browser.post(console.url(INCOME_PAGE + "/datasets"),
				"multipart/form-data; boundary=" + Pages.BOUNDARY,
				Pages.multipart(Map.of("_csrf", csrf, "name", "my rows"), "rows.csv", csv));
		assertThat(upload.statusCode()).isEqualTo(302);
		assertThat(browser.followRedirects(upload).body()).contains("Dataset uploaded registered with 2 rows.");
		assertThat(last(console.platformApi().postsTo("/api/admin/models/income/reference-datasets")).body())
			.isEqualTo(csv);
		assertThat(console.platformApi().requests())
			.contains("POST /api/admin/models/income/reference-datasets?name=my%20rows");

		String bad = browser.followRedirects(browser.post(console.url(INCOME_PAGE + "/datasets"),
				"multipart/form-data; boundary=" + Pages.BOUNDARY, Pages.multipart(Map.of("_csrf", csrf, "name", ""),
						"bad.csv", "age,workclass\n39,State-gov\nabc,Private\n")))
			.body();
		assertThat(bad).contains(
				"The dataset was not uploaded: platform-api answered 400: row 2, column &#39;age&#39;: &#39;abc&#39; is not a number.");
		assertThat(console.platformApi().requests())
			.contains("POST /api/admin/models/income/reference-datasets?name=bad");

		String shipped = browser.followRedirects(browser.postForm(console.url(INCOME_PAGE + "/datasets/shipped"),
				Map.of("_csrf", csrf, "dataset", "adult_validation")))
			.body();
		assertThat(shipped).contains("Dataset adult_validation registered with 4000 rows.");
		assertThat(last(console.platformApi().postsTo("/api/admin/models/income/reference-datasets/shipped")).body())
			.isEqualTo("{\"dataset\":\"adult_validation\"}");

		String deleted = browser
			.followRedirects(browser.postForm(console.url(INCOME_PAGE + "/datasets/d-1/delete"), Map.of("_csrf", csrf)))
			.body();
		assertThat(deleted).contains("Dataset d-1 deleted.");
		assertThat(console.platformApi().requests()).contains("DELETE /api/admin/models/income/reference-datasets/d-1");
	}

	@Test
	void explainFormIsPrefilledFromTheBaselineAndSendsTypedValues() throws Exception {
		var browser = console.browser("compliance");
		String page = browser.get(console.url(INCOME_PAGE)).body();
		assertThat(page).contains("name=\"input.age\" value=\"38.6\"", "name=\"input.workclass\" value=\"Private\"",
				"name=\"input.capital_gain\" value=\"1077.6\"");

		HttpResponse<String> explained = explainIncome(browser,
				Map.of("input.age", "39", "input.workclass", "State-gov", "input.capital_gain", "2174", "method",
						"integrated_gradients", "steps", "32", "seed", "5"));

		assertThat(explained.statusCode()).isEqualTo(200);
		assertThat(JSON
			.readTree(last(console.platformApi().postsTo("/api/admin/models/income/versions/1/explain")).body()))
			.isEqualTo(JSON.readTree("""
					{"instances":[{"age":39.0,"capital_gain":2174.0,"education":"HS-grad","hours_per_week":40.4,
					 "workclass":"State-gov"}],"parameters":{"method":"integrated_gradients","steps":32}}"""));
		// what was typed stays in the form
		assertThat(explained.body()).contains("name=\"input.workclass\" value=\"State-gov\"",
				"<option value=\"integrated_gradients\" selected=\"selected\">",
				"name=\"steps\" inputmode=\"numeric\" value=\"32\"");
	}

	@Test
	void explanationOfARowShowsItsFiguresAndSignedBarsByMagnitude() throws Exception {
		String body = explainIncome(console.browser("compliance"), Map.of("input.age", "39")).body();

		assertThat(body).contains("class=\"f-x\">0.73<", "class=\"f-baseline\">0.24<", ">f(baseline)<")
			.contains(">Completeness delta<", "class=\"quality-figure\">0.0004<")
			.contains("{&quot;probability&quot;:0.73,&quot;class_id&quot;:1}")
			.contains(">target class<", ">steps<");
		// sorted by |attribution|: capital_gain 0.312, education -0.143, age 0.081,
		// hours_per_week 0.027, workclass -0.019
		String chart = between(body, "class=\"chart attributions\"", "</svg>");
		assertThat(all(ATTRIBUTION_LABEL, chart, 1)).containsExactly("capital_gain", "education", "age",
				"hours_per_week", "workclass");
		Matcher bar = ATTRIBUTION_BAR.matcher(body);
		List<String> signs = new ArrayList<>();
		double[] expected = { 0.312, -0.143, 0.081, 0.027, -0.019 };
		int i = 0;
		while (bar.find()) {
			signs.add(bar.group(1));
			double width = Double.parseDouble(bar.group(4));
			double x = Double.parseDouble(bar.group(2));
			assertThat(width).isCloseTo(Math.abs(expected[i]) / 0.312 * 180, within(0.01));
			// positive bars start at the zero line (x 380), negative ones end there
			assertThat((expected[i] > 0) ? x : x + width).isCloseTo(380, within(0.01));
			i++;
		}
		assertThat(signs).containsExactly("positive", "negative", "positive", "positive", "negative");
	}

	@Test
	void badInputShowsThePlatformMessageNextToTheFormKeepingWhatWasTyped() throws Exception {
		HttpResponse<String> page = explainIncome(console.browser("admin"), Map.of("input.age", "thirty-nine"));

		assertThat(page.statusCode()).isEqualTo(400);
		assertThat(page.body()).contains(
				"id=\"explain-error\">Not explained: platform-api answered 400: instances[0].age: expected a number, got &quot;thirty-nine&quot;.</div>")
			.contains("name=\"input.age\" value=\"thirty-nine\"")
			.doesNotContain("class=\"card explanation\"");
		assertThat(
				JSON.readTree(last(console.platformApi().postsTo("/api/admin/models/income/versions/1/explain")).body())
					.path("instances")
					.path(0)
					.path("age")
					.asString())
			.isEqualTo("thirty-nine");
	}

	@Test
	void textModelShowsTopTokensPerClassAndATextArea() throws Exception {
		String body = console.browser("compliance").get(console.url(SPAM_PAGE)).body();

		assertThat(body).contains("<caption>Towards ham</caption>", "<caption>Towards spam</caption>")
			.contains("<code>meeting</code></td><td>0.31</td><td>120</td>",
					"<code>free</code></td><td>0.52</td><td>210</td>")
			.contains("Explain a text", "<textarea id=\"explain-text\" name=\"text\"")
			.doesNotContain("name=\"input.")
			.contains("<code>j-s1</code>", ">queued<", "not started")
			.contains("<code class=\"details\">text</code>");
		assertThat(body.indexOf("<code>free</code>")).isLessThan(body.indexOf("<code>winner</code>"));
	}

	@Test
	void explanationOfATextHighlightsEachTokenAtItsOffsets() throws Exception {
		String text = "Win a FREE <b>prize</b> now!\n\nCall  <script>alert('x')</script> & café 🎉 \"today\"";
		var browser = console.browser("compliance");
		String csrf = csrf(browser.get(console.url(SPAM_PAGE)).body());

		HttpResponse<String> page = browser.postForm(console.url(SPAM_PAGE + "/explain"),
				Map.of("_csrf", csrf, "text", text, "method", "occlusion"));

		assertThat(page.statusCode()).isEqualTo(200);
		String body = page.body();
		String highlighted = between(body, "<p class=\"highlighted-text\">", "</p>");
		// the marks and the text between them are exactly the original text
		assertThat(Pages.unescape(highlighted.replaceAll("<[^>]+>", ""))).isEqualTo(text);
		List<Map<String, Object>> tokens = StubExplainabilityApi.tokens(text);
		Matcher mark = MARK.matcher(highlighted);
		int i = 0;
		while (mark.find()) {
			Map<String, Object> token = tokens.get(i);
			int start = Integer.parseInt(mark.group(2));
			int end = Integer.parseInt(mark.group(3));
			assertThat(start).isEqualTo(token.get("start"));
			assertThat(end).isEqualTo(token.get("end"));
			assertThat(Pages.unescape(mark.group(5))).isEqualTo(text.substring(start, end));
			double attribution = (Double) token.get("attribution");
			assertThat(mark.group(1)).startsWith((attribution > 0) ? "attr-pos-" : "attr-neg-");
			assertThat(mark.group(1).contains("shared-bucket")).isEqualTo(token.get("shared_bucket"));
			i++;
		}
		assertThat(i).isEqualTo(tokens.size()).isEqualTo(11);
		// the largest |attribution| (the last token's) is the strongest colour
		assertThat(highlighted).contains("class=\"attr-pos-5\" title=\"&quot;today&quot;: 0.55\"");
		assertThat(body).contains("class=\"f-x\">0.91<", "class=\"f-baseline\">0.12<", ">occlusion<")
			.contains("<caption>Tokens by |attribution|</caption>");
		assertThat(
				JSON.readTree(last(console.platformApi().postsTo("/api/admin/models/spam/versions/1/explain")).body()))
			.isEqualTo(JSON.readTree(JSON.writeValueAsString(
					Map.of("instances", List.of(Map.of("text", text)), "parameters", Map.of("method", "occlusion")))));
	}

	@Test
	void theReportPdfIsStreamedFromPlatformApi() throws Exception {
		var browser = console.browser("compliance");

		HttpResponse<String> pdf = browser.get(console.url(INCOME_PAGE + "/reports/r-2/pdf"));

		assertThat(pdf.statusCode()).isEqualTo(200);
		assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
		assertThat(pdf.headers().firstValue("Content-Disposition")).hasValueSatisfying(
				(disposition) -> assertThat(disposition).startsWith("attachment").contains("income-1-report-r-2.pdf"));
		assertThat(pdf.body()).startsWith("%PDF-1.4").endsWith("%%EOF\n");

		HttpResponse<String> missing = browser.get(console.url(INCOME_PAGE + "/reports/r-404/pdf"));
		assertThat(missing.statusCode()).isEqualTo(302);
		assertThat(browser.followRedirects(missing).body())
			.contains("The PDF of report r-404 could not be downloaded: platform-api answered 404: no such resource.");
	}

	@Test
	void aFailingCallShowsAMessageInItsSectionOnly() throws Exception {
		var browser = console.browser("compliance");
		console.platformApi().failing("/api/admin/explainability/jobs");

		HttpResponse<String> page = browser.get(console.url(INCOME_PAGE));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("Jobs could not be loaded.", "platform-api answered 503: database is down.")
			.contains("Latest report", "class=\"chart importance\"", "adult_validation");
	}

	@Test
	void platformApiDownIsAMessageNeverAStackTrace() throws Exception {
		var browser = console.browser("admin");
		String csrf = csrf(browser.get(console.url(INCOME_PAGE)).body());
		console.platformApi().failing(true);

		HttpResponse<String> page = browser.get(console.url(INCOME_PAGE));
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body())
			.contains("The version could not be loaded.", "Reports could not be loaded.", "Jobs could not be loaded.",
					"Reference datasets could not be loaded.", "database is down")
			.doesNotContain("Exception", "at dev.warden");

		HttpResponse<String> explained = browser.postForm(console.url(INCOME_PAGE + "/explain"),
				Map.of("_csrf", csrf, "input.age", "39"));
		assertThat(explained.statusCode()).isEqualTo(200);
		assertThat(explained.body()).contains("The form needs the version&#39;s serving signature")
			.doesNotContain("Exception");
	}

	@Test
	void explainingWhilePlatformApiFailsIsABadGatewayWithAMessage() throws Exception {
		var browser = console.browser("admin");
		String csrf = csrf(browser.get(console.url(INCOME_PAGE)).body());
		console.platformApi().failing("/api/admin/models/income/versions/1/explain");

		HttpResponse<String> explained = browser.postForm(console.url(INCOME_PAGE + "/explain"),
				Map.of("_csrf", csrf, "input.age", "39"));

		assertThat(explained.statusCode()).isEqualTo(502);
		assertThat(explained.body()).contains("Not explained: platform-api answered 503: database is down.")
			.contains("name=\"input.age\" value=\"39\"");
	}

	@Test
	void unknownModelOrVersionIsAPageThatDoesNotExist() throws Exception {
		var browser = console.browser("admin");

		for (String path : List.of("/models/income/versions/9/explainability", "/models/nope/versions/1/explainability",
				"/models/income/versions/x/explainability")) {
			HttpResponse<String> page = browser.get(console.url(path));
			assertThat(page.statusCode()).as(path).isEqualTo(404);
			assertThat(page.body()).contains("There is no such page.");
		}
	}

	private static HttpResponse<String> explainIncome(AuthorizationCodeFlowClient browser, Map<String, String> fields)
			throws IOException, InterruptedException {
		String csrf = csrf(browser.get(console.url(INCOME_PAGE)).body());
		Map<String, String> form = new LinkedHashMap<>(Map.of("_csrf", csrf, "input.age", "", "input.workclass",
				"Private", "input.education", "HS-grad", "input.capital_gain", "1077.6", "input.hours_per_week", "40.4",
				"method", "", "steps", "", "seed", ""));
		form.putAll(fields);
		return browser.postForm(console.url(INCOME_PAGE + "/explain"), form);
	}

	private static HttpResponse<String> signIn(String user) throws IOException, InterruptedException {
		return new AuthorizationCodeFlowClient(console.origin()).signInToConsole(user, user + "-local");
	}

	private static String coordinate(double value) {
		return String.format(java.util.Locale.ROOT, "%.2f", value);
	}

}
