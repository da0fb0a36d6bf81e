package dev.warden.console.compliance;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.warden.console.Pages;
import dev.warden.console.StubComplianceApi;
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
 * The request-log page and the break-glass payload view over real HTTP, signed in through
 * the embedded authorization server, against the stand-in admin API: the filter and
 * paging passed to the admin API, the metadata shown (never a payload), the justification
 * required before anything is sent, the payload shown in the answer to the post only, and
 * platform-api's refusals shown in its words.
 */
class RequestLogPageIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String PAYLOAD_API = "/api/admin/request-log/rl-1/payload";

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void theTenantFilterAndPagingArePassedToTheAdminApi() throws Exception {
		var browser = console.browser("compliance");

		HttpResponse<String> first = browser.get(console.url("/request-log?tenant=t-1&size=1"));

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(console.platformApi().requests()).contains("GET /api/admin/request-log?tenant_id=t-1&page=0&size=1");
		String records = between(first.body(), "<tbody>", "</tbody>");
		assertThat(records)
			.contains("data-record=\"rl-1\"", "req-101", "/v1/models/income:predict", "4.321", "<td>120</td>",
					"<td>64</td>", "2026-12-01T10:00:03Z")
			// the key's prefix, read from the tenant's keys, not its id
			.contains("<code>wdn_abcdefghijkl</code>")
			.doesNotContain("rl-refused", "rl-shredded");
		// the tenant is selected in the filter, and the older page keeps filter and size
		assertThat(Pages.formFields(first.body(), "request-log-filter")).containsEntry("tenant", "t-1")
			.containsEntry("size", "1");
		assertThat(first.body()).contains("<option value=\"t-1\">acme</option>")
			.contains("href=\"/request-log?tenant=t-1&amp;size=1&amp;page=1\"")
			.doesNotContain("rel=\"prev\"")
			.doesNotContain("filters the request log by tenant only");
		// metadata only: no payload on the list
		assertThat(first.body()).doesNotContain("Adm-clerical", "probabilities");

		HttpResponse<String> second = browser.get(console.url("/request-log?tenant=t-1&size=1&page=1"));
		assertThat(console.platformApi().requests()).contains("GET /api/admin/request-log?tenant_id=t-1&page=1&size=1");
		assertThat(between(second.body(), "<tbody>", "</tbody>")).contains("rl-refused", "429", "rate_limited",
				"none stored");
		assertThat(second.body()).contains("href=\"/request-log?tenant=t-1&amp;size=1&amp;page=0\"")
			.doesNotContain("rel=\"next\"");
	}

	@Test
	void withoutAFilterEveryTenantIsListedAndEachRowWithAPayloadOffersTheBreakGlassView() throws Exception {
		String body = console.browser("admin").get(console.url("/request-log")).body();

		assertThat(console.platformApi().requests()).contains("GET /api/admin/request-log?page=0&size=50");
		assertThat(body).contains("data-record=\"rl-1\"", "data-record=\"rl-shredded\"", "data-record=\"rl-refused\"")
			.contains("href=\"/request-log/rl-1/payload\"", "href=\"/request-log/rl-shredded/payload\"")
			.doesNotContain("href=\"/request-log/rl-refused/payload\"")
			.contains("<a href=\"/request-log\">Request log</a><a href=\"/exports\">Exports</a>");
	}

	@Test
	void aJustificationIsRequiredBeforeAnythingIsSent() throws Exception {
		var browser = console.browser("compliance");
		String form = browser.get(console.url("/request-log/rl-1/payload")).body();
		assertThat(form).contains("name=\"justification\"", "required", "minlength=\"10\"", "maxlength=\"2000\"",
				"<label for=\"justification\">Justification</label>");
		int before = console.platformApi().postsTo(PAYLOAD_API).size();

		HttpResponse<String> blank = browser.postForm(console.url("/request-log/rl-1/payload"),
				Map.of("_csrf", csrf(form), "justification", "   too short "));
		HttpResponse<String> tooLong = browser.postForm(console.url("/request-log/rl-1/payload"),
				Map.of("_csrf", csrf(form), "justification", "x".repeat(2001)));

		assertThat(blank.statusCode()).isEqualTo(400);
		assertThat(between(blank.body(), "id=\"justification-error\"", "</p>")).contains("at least 10 characters");
		assertThat(tooLong.statusCode()).isEqualTo(400);
		assertThat(between(tooLong.body(), "id=\"justification-error\"", "</p>")).contains("at most 2000 characters");
		assertThat(console.platformApi().postsTo(PAYLOAD_API)).hasSize(before);
		// without the CSRF token the post is refused by the console
		assertThat(browser
			.postForm(console.url("/request-log/rl-1/payload"),
					Map.of("justification", "INC-4711: customer disputes this prediction"))
			.statusCode()).isEqualTo(403);
		assertThat(console.platformApi().postsTo(PAYLOAD_API)).hasSize(before);
	}

	@Test
	void thePayloadIsShownOnceInTheAnswerToThePost() throws Exception {
		var browser = console.browser("compliance");
		String form = browser.get(console.url("/request-log/rl-1/payload?tenant=t-1")).body();
		String justification = "INC-4711: customer disputes this prediction\nsecond line";

		HttpResponse<String> shown = browser.postForm(console.url("/request-log/rl-1/payload"),
				Map.of("_csrf", csrf(form), "justification", justification, "tenant", "t-1"));

		assertThat(shown.statusCode()).isEqualTo(200);
		StubPlatformApi.Post sent = last(console.platformApi().postsTo(PAYLOAD_API));
		assertThat(JSON.readTree(sent.body()).path("justification").asString()).isEqualTo(justification);
		assertThat(Pages.roles(sent.authorization())).containsExactly("COMPLIANCE");
		String body = Pages.unescape(shown.body());
		assertThat(body).contains(StubComplianceApi.REQUEST_PAYLOAD, StubComplianceApi.RESPONSE_PAYLOAD, "req-101",
				"recorded in the audit trail");
		// nothing to keep: no caching, the payload is in no URL, and the form is not
		// shown
		// again with it
		assertThat(shown.headers().firstValue("Cache-Control")).hasValue("no-store");
		assertThat(shown.uri().toString()).doesNotContain("Adm-clerical").endsWith("/request-log/rl-1/payload");
		assertThat(body).doesNotContain("name=\"justification\"");
		// opening the record again shows the form, not the payload
		String again = browser.get(console.url("/request-log/rl-1/payload?tenant=t-1")).body();
		assertThat(Pages.unescape(again)).doesNotContain("Adm-clerical", "probabilities");
		assertThat(again).contains("href=\"/request-log?tenant=t-1\"");
	}

	@Test
	void platformApiRefusalsAreShownInItsWords() throws Exception {
		var browser = console.browser("admin");
		String form = browser.get(console.url("/request-log/rl-shredded/payload")).body();
		String justification = "INC-4711: customer disputes this prediction";

		HttpResponse<String> shredded = browser.postForm(console.url("/request-log/rl-shredded/payload"),
				Map.of("_csrf", csrf(form), "justification", justification));
		HttpResponse<String> refused = browser.postForm(console.url("/request-log/rl-refused/payload"),
				Map.of("_csrf", csrf(form), "justification", justification));
		HttpResponse<String> unknown = browser.postForm(console.url("/request-log/rl-9/payload"),
				Map.of("_csrf", csrf(form), "justification", justification));

		assertThat(shredded.statusCode()).isEqualTo(410);
		assertThat(between(shredded.body(), "id=\"payload-error\"", "</div>"))
			.contains("platform-api answered 410: the payloads of record rl-shredded can no longer be decrypted");
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(between(refused.body(), "id=\"payload-error\"", "</div>"))
			.contains("platform-api answered 403: this needs the ADMIN or COMPLIANCE role.");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("no request-log record rl-9");
		// the form stays, with the justification as typed
		assertThat(refused.body()).contains("name=\"justification\"", justification);
	}

	@Test
	void everyFilterIsPassedToTheAdminApiAndKeptByThePager() throws Exception {
		var browser = console.browser("compliance");
		String query = "tenant=t-1&key=k-1&model=income&version=1&status=2xx&from="
				+ encode("2026-12-01T11:00:00+01:00") + "&to=" + encode("2026-12-01T10:00:04Z");

		HttpResponse<String> first = browser.get(console.url("/request-log?" + query + "&size=1"));

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(console.platformApi().requests())
			.contains("GET /api/admin/request-log?tenant_id=t-1&api_key_id=k-1&model=income&version=1&status=2xx"
					+ "&from=2026-12-01T11%3A00%3A00%2B01%3A00&to=2026-12-01T10%3A00%3A04Z&page=0&size=1");
		assertThat(between(first.body(), "<tbody>", "</tbody>")).contains("data-record=\"rl-1\"")
			.doesNotContain("rl-refused", "rl-shredded");
		assertThat(Pages.formFields(first.body(), "request-log-filter")).containsEntry("tenant", "t-1")
			.containsEntry("key", "k-1")
			.containsEntry("model", "income")
			.containsEntry("version", "1")
			.containsEntry("status", "2xx")
			.containsEntry("from", "2026-12-01T11:00:00+01:00")
			.containsEntry("to", "2026-12-01T10:00:04Z")
			.containsEntry("size", "1");
		for (String label : List.of("Tenant id", "API key id", "Model", "Version", "Status", "From (UTC, inclusive)",
				"To (UTC, exclusive)")) {
			assertThat(first.body()).contains(">" + label + "</label>");
		}

		// the status class alone, paged by one: the older page keeps every filter
		HttpResponse<String> errors = browser.get(console.url("/request-log?tenant=t-1&status=4xx&size=1"));
		assertThat(between(errors.body(), "<tbody>", "</tbody>")).contains("rl-refused").doesNotContain("rl-1\"");
		HttpResponse<String> page = browser.get(console.url("/request-log?model=income&from="
				+ encode("2026-12-01T10:00:00Z") + "&to=" + encode("2026-12-01T10:00:03Z") + "&size=1"));
		assertThat(console.platformApi().requests()).contains("GET /api/admin/request-log?model=income"
				+ "&from=2026-12-01T10%3A00%3A00Z&to=2026-12-01T10%3A00%3A03Z&page=0&size=1");
		assertThat(between(page.body(), "<tbody>", "</tbody>")).as("rl-1 is at 10:00:03, outside [from, to)")
			.contains("rl-shredded")
			.doesNotContain("rl-1\"");
		assertThat(page.body()).doesNotContain("rel=\"next\"");
		HttpResponse<String> newest = browser.get(console.url("/request-log?model=income&from="
				+ encode("2026-12-01T10:00:00Z") + "&to=" + encode("2026-12-01T10:00:04Z") + "&size=1"));
		assertThat(between(newest.body(), "<tbody>", "</tbody>")).contains("rl-1\"").doesNotContain("rl-shredded");
		assertThat(newest.body()).contains("href=\"/request-log?model=income&amp;from=2026-12-01T10%3A00%3A00Z"
				+ "&amp;to=2026-12-01T10%3A00%3A04Z&amp;size=1&amp;page=1\"");
		HttpResponse<String> older = browser.get(console.url("/request-log?model=income&from="
				+ encode("2026-12-01T10:00:00Z") + "&to=" + encode("2026-12-01T10:00:04Z") + "&size=1&page=1"));
		assertThat(console.platformApi().requests()).contains("GET /api/admin/request-log?model=income"
				+ "&from=2026-12-01T10%3A00%3A00Z&to=2026-12-01T10%3A00%3A04Z&page=1&size=1");
		assertThat(between(older.body(), "<tbody>", "</tbody>")).contains("rl-shredded").doesNotContain("rl-1\"");
		assertThat(older.body()).contains("href=\"/request-log?model=income&amp;from=2026-12-01T10%3A00%3A00Z"
				+ "&amp;to=2026-12-01T10%3A00%3A04Z&amp;size=1&amp;page=0\"");
	}

	@Test
	void eachValueTheAdminApiRefusesIsShownNextToItsField() throws Exception {
		var browser = console.browser("compliance");
		Map<String, String> refused = new java.util.LinkedHashMap<>();
		refused.put("key=wdn_abc", "key-error");
		refused.put("status=600", "status-error");
		refused.put("status=4x", "status-error");
		refused.put("from=yesterday", "from-error");
		refused.put("to=2026-12-01", "to-error");
		refused.put("model=" + "m".repeat(1001), "model-error");
		refused.put("from=" + encode("2026-12-02T00:00:00Z") + "&to=" + encode("2026-12-01T00:00:00Z"), "from-error");
		for (Map.Entry<String, String> value : refused.entrySet()) {
			HttpResponse<String> page = browser.get(console.url("/request-log?" + value.getKey()));
			assertThat(page.statusCode()).isEqualTo(200);
			String error = Pages.unescape(between(page.body(), "id=\"" + value.getValue() + "\"", "</p>"));
			assertThat(error).as(value.getKey()).contains("platform-api answered 400: ");
			String field = value.getValue().replace("-error", "");
			assertThat(page.body()).as(value.getKey())
				.contains("aria-describedby=\"" + value.getValue() + " " + field + "-help\" aria-invalid=\"true\"")
				.doesNotContain("The request log could not be loaded.")
				.doesNotContain("<tbody>");
		}
		assertThat(Pages.unescape(browser.get(console.url("/request-log?status=600")).body()))
			.contains("status: must be an HTTP status from 100 to 599");
	}

	@Test
	void aTenantIdTheAdminApiRefusesIsShownNextToTheFilter() throws Exception {
		HttpResponse<String> page = console.browser("compliance").get(console.url("/request-log?tenant=acme"));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(Pages.unescape(between(page.body(), "id=\"tenant-error\"", "</p>")))
			.contains("platform-api answered 400: tenant_id: is not a valid UUID.");
		assertThat(page.body()).doesNotContain("The request log could not be loaded.");
		assertThat(Pages.formFields(page.body(), "request-log-filter")).containsEntry("tenant", "acme");
	}

	@Test
	void aFailingAdminApiIsShownOnThePage() throws Exception {
		var browser = console.browser("compliance");
		console.platformApi().failing("/api/admin/request-log");

		HttpResponse<String> page = browser.get(console.url("/request-log"));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("The request log could not be loaded.",
				"platform-api answered 503: database is down.");
		// the tenants still load for the filter
		assertThat(page.body()).contains("<option value=\"t-1\">acme</option>");
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
