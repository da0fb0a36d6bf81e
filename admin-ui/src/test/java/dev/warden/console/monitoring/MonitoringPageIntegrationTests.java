package dev.warden.console.monitoring;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.warden.console.StubbedConsole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.warden.console.Pages.between;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitoring page over real HTTP against the stand-in admin API: the filters, the
 * totals and the table from the stand-in's numbers, the JSON the page's script redraws
 * the charts from, platform-api's refusals next to the filter they concern, a console
 * refusal of a bad window, both roles reading it, and a Content-Security-Policy without
 * inline script.
 */
class MonitoringPageIntegrationTests {

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void theLastHourOfAModelAndTenantIsShownAsTotalsChartsAndATable() throws Exception {
		var browser = console.browser("admin");
		var response = browser.get(console.url("/monitoring?model=income&tenant=acme&window=hour"));
		assertThat(response.statusCode()).isEqualTo(200);
		String html = response.body();
		assertThat(html).contains("<a href=\"/monitoring\">Monitoring</a>")
			.contains("<option value=\"income\" selected=\"selected\">income</option>",
					"<option value=\"hour\" selected=\"selected\">Last hour</option>", "value=\"acme\"",
					"<option value=\"tenant-02\">")
			.contains("data-series-url=\"/monitoring/series?model=income&amp;tenant=acme&amp;window=hour\"",
					"data-refresh-seconds=\"10\"")
			.contains("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "/webjars/uplot/1.6.30/dist/uPlot.min.css",
					"/js/monitoring-charts.js")
			.contains("Model income", "tenant acme", "in steps of 1m")
			.doesNotContain("<form method=\"post\"", "method=\"post\" class=\"form");
		// the tenant's name became its id for platform-api, and the window one hour of 1m
		// steps
		String call = console.platformApi()
			.requests()
			.stream()
			.filter((r) -> r.startsWith("GET /api/admin/monitoring/serving"))
			.reduce((a, b) -> b)
			.orElseThrow();
		assertThat(URLDecoder.decode(call, StandardCharsets.UTF_8)).contains("model=income", "tenant=tn-1", "step=1m");
		// totals, in text
		String totals = between(html, "serving-totals", "</dl>");
		assertThat(total(totals, "requests")).isEqualTo("180");
		assertThat(total(totals, "answers")).isEqualTo("2xx: 167, 4xx: 9, 5xx: 4");
		assertThat(total(totals, "error-rate")).isEqualTo("2.22 %");
		assertThat(total(totals, "p50")).isEqualTo("12 ms");
		assertThat(total(totals, "p95")).isEqualTo("48 ms");
		assertThat(total(totals, "p99")).isEqualTo("95 ms");
		assertThat(total(totals, "mean")).isEqualTo("13 ms");
		assertThat(total(totals, "max")).isEqualTo("120 ms");
		assertThat(total(totals, "quota")).isEqualTo("requests_per_second: 5");
		assertThat(total(totals, "errors")).contains("rate_limited: 5", "worker_unavailable: 4", "unauthorized: 1");
		assertThat(html).contains("data-empty hidden");
		// a figure per chart (drawn by the script) and a table of the two steps with
		// requests
		for (String chart : List.of("requests", "latency", "error-rate", "errors", "quota")) {
			assertThat(html).contains("data-chart=\"" + chart + "\"");
		}
		String table = between(html, "<tbody data-rows>", "</tbody>");
		assertThat(table.split("<tr>", -1)).hasSize(3);
		String busy = between(table, "<tr>", "</tr>");
		assertThat(busy).contains("<td>120</td>", "<td>2</td>", "<td>12</td>", "<td>48</td>", "<td>95</td>",
				"<td>3.33 %</td>", "<td>worker_unavailable: 4, rate_limited: 5, invalid_argument: 1</td>",
				"<td>requests_per_second: 5</td>");
		assertThat(html).contains("<th scope=\"col\">p95 (ms)</th>", "<th scope=\"row\">");
	}

	@Test
	void theSeriesAreJsonInTheShapeTheScriptReads() throws Exception {
		var browser = console.browser("compliance");
		var response = browser.get(console.url("/monitoring/series?model=income&window=day&step=5m"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		JsonNode series = JSON.readTree(response.body());
		assertThat(series.path("step").asString()).isEqualTo("5m");
		assertThat(series.path("step_seconds").asLong()).isEqualTo(300);
		assertThat(series.path("requests").asLong()).isEqualTo(180);
		int steps = series.path("times").size();
		assertThat(steps).isBetween(288, 289);
		assertThat(series.path("times").get(1).asLong() - series.path("times").get(0).asLong()).isEqualTo(300);
		JsonNode charts = series.path("charts");
		assertThat(charts.size()).isEqualTo(5);
		JsonNode requests = charts.get(0);
		assertThat(requests.path("id").asString()).isEqualTo("requests");
		assertThat(requests.path("unit").asString()).isEqualTo("requests/s");
		JsonNode perSecond = requests.path("series").get(0).path("values");
		assertThat(perSecond.size()).isEqualTo(steps);
		assertThat(perSecond.get(steps - 3).asDouble()).isEqualTo(0.4);
		assertThat(perSecond.get(steps - 2).asDouble()).isEqualTo(0.2);
		assertThat(perSecond.get(0).asDouble()).isZero();
		JsonNode latency = charts.get(1).path("series");
		assertThat(latency.findValuesAsString("label")).containsExactly("p50", "p95", "p99");
		assertThat(latency.get(2).path("values").get(steps - 3).asDouble()).isEqualTo(95.0);
		// a step without requests has no latency: a gap, not a zero
		assertThat(latency.get(0).path("values").get(0).isNull()).isTrue();
		assertThat(charts.get(2).path("series").get(0).path("values").get(steps - 3).asDouble()).isEqualTo(3.333);
		// errors: the four codes with most errors, the rest as "other"
		JsonNode errors = charts.get(3).path("series");
		assertThat(errors.findValuesAsString("label")).containsExactly("rate_limited", "worker_unavailable",
				"invalid_argument", "payload_too_large", "other");
		assertThat(errors.get(4).path("values").get(steps - 2).asDouble()).isEqualTo(2.0);
		assertThat(errors.get(0).path("values").get(steps - 3).asDouble()).isEqualTo(5.0);
		JsonNode quota = charts.get(4).path("series");
		assertThat(quota.findValuesAsString("label")).containsExactly("requests_per_second");
		assertThat(series.path("totals").path("p99").asString()).isEqualTo("95 ms");
		assertThat(series.path("columns").size()).isEqualTo(9);
		assertThat(series.path("rows").size()).isEqualTo(2);
		assertThat(series.path("rows").get(1).get(1).asString()).isEqualTo("60");
	}

	@Test
	void newRequestsShowInTheSeriesAndTheTenantsViewCoversEveryModel() throws Exception {
		var browser = console.browser("admin");
		console.platformApi().monitoring().moreRequests(42);
		JsonNode series = JSON.readTree(browser.get(console.url("/monitoring/series?tenant=acme")).body());
		assertThat(series.path("requests").asLong()).isEqualTo(222);
		assertThat(series.path("totals").path("requests").asString()).isEqualTo("222");
		String call = console.platformApi().requests().get(console.platformApi().requests().size() - 1);
		assertThat(call).contains("/api/admin/monitoring/serving?", "tenant=tn-1").doesNotContain("model=");
		String page = browser.get(console.url("/monitoring?tenant=acme")).body();
		assertThat(page).contains("All models", "tenant acme",
				"<option value=\"\" selected=\"selected\">All models</option>");
		// the tenant page links to it
		assertThat(browser.get(console.url("/tenants/tn-1")).body())
			.contains("<a href=\"/monitoring?tenant=acme\">Traffic</a>");
	}

	@Test
	void aWindowWithoutRequestsSaysSo() throws Exception {
		String html = console.browser("compliance").get(console.url("/monitoring?model=spam&window=30d")).body();
		assertThat(html).contains("<p class=\"alert info monitoring-empty\" data-empty>No requests in this window.</p>",
				"in steps of 1h");
		assertThat(total(between(html, "serving-totals", "</dl>"), "requests")).isEqualTo("0");
		assertThat(between(html, "<tbody data-rows>", "</tbody>")).doesNotContain("<tr>");
	}

	@Test
	void refusalsAreShownNextToTheFilterTheyConcern() throws Exception {
		var browser = console.browser("admin");
		// platform-api: an unknown model is its 404, a bad version its 400
		var unknown = browser.get(console.url("/monitoring?model=nosuch&window=hour"));
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(between(unknown.body(), "id=\"monitoring-model-error\"", "</span>"))
			.contains("model nosuch not found");
		assertThat(unknown.body()).contains("aria-describedby=\"monitoring-model-error\"")
			.doesNotContain("data-chart=", "Exception");
		var version = browser.get(console.url("/monitoring?model=income&version=v2"));
		assertThat(version.statusCode()).isEqualTo(400);
		assertThat(between(version.body(), "id=\"monitoring-version-error\"", "</span>"))
			.contains("version: must be a version number (1 to 18 digits)");
		var versionAlone = browser.get(console.url("/monitoring?version=3"));
		assertThat(between(versionAlone.body(), "id=\"monitoring-version-error\"", "</span>"))
			.contains("version: is only taken together with model");
		// the console: an unknown window, a step the window is not drawn in, an unknown
		// tenant
		var window = browser.get(console.url("/monitoring?model=income&window=week"));
		assertThat(window.statusCode()).isEqualTo(400);
		assertThat(between(window.body(), "id=\"monitoring-window-error\"", "</span>"))
			.contains("window: must be hour, day or 30d");
		var step = browser.get(console.url("/monitoring?model=income&window=30d&step=1m"));
		assertThat(step.statusCode()).isEqualTo(400);
		assertThat(between(step.body(), "id=\"monitoring-step-error\"", "</span>"))
			.contains("step: last 30 days is drawn in steps of 1h");
		var tenant = browser.get(console.url("/monitoring?tenant=nobody"));
		assertThat(tenant.statusCode()).isEqualTo(404);
		assertThat(between(tenant.body(), "id=\"monitoring-tenant-error\"", "</span>"))
			.contains("tenant: no tenant is named &#39;nobody&#39;");
		// the JSON answers the same refusals with their field
		var json = browser.get(console.url("/monitoring/series?model=income&window=week"));
		assertThat(json.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(json.body()).path("error").path("fields").path("window").asString())
			.isEqualTo("window: must be hour, day or 30d");
		var notFound = browser.get(console.url("/monitoring/series?model=nosuch"));
		assertThat(notFound.statusCode()).isEqualTo(404);
		assertThat(JSON.readTree(notFound.body()).path("error").path("message").asString())
			.isEqualTo("model nosuch not found");
	}

	@Test
	void platformApiFailingIsAMessageNotABlankChart() throws Exception {
		console.platformApi().failing("/api/admin/monitoring/serving");
		var browser = console.browser("compliance");
		var response = browser.get(console.url("/monitoring?model=income"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body())
			.contains("Serving health could not be loaded.", "platform-api answered 503: database is down.")
			.doesNotContain("data-chart=");
		var json = browser.get(console.url("/monitoring/series?model=income"));
		assertThat(json.statusCode()).isEqualTo(502);
		assertThat(JSON.readTree(json.body()).path("error").path("message").asString())
			.isEqualTo("platform-api answered 503: database is down.");
	}

	@Test
	void bothRolesReadItUnderAPolicyWithoutInlineScript() throws Exception {
		for (String user : List.of("admin", "compliance")) {
			var response = console.browser(user).get(console.url("/monitoring"));
			assertThat(response.statusCode()).as(user).isEqualTo(200);
			assertThat(response.body()).contains("All models", "in steps of 1m").doesNotContain("<script>");
			assertThat(response.headers().firstValue("Content-Security-Policy"))
				.hasValueSatisfying((csp) -> assertThat(csp).startsWith("default-src 'self'")
					.doesNotContain("unsafe-inline", "unsafe-eval"));
		}
		var script = console.browser("compliance").get(console.url("/js/monitoring-charts.js"));
		assertThat(script.statusCode()).isEqualTo(200);
		assertThat(script.body()).contains("setData", "data-series-url").doesNotContain("innerHTML", "eval(");
	}

	private static String total(String totals, String key) {
		return between(totals, "data-total=\"" + key + "\">", "</dd>");
	}

}
