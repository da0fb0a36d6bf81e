package dev.warden.console.compliance;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.console.Pages;
import dev.warden.console.StubComplianceApi;
import dev.warden.console.StubbedConsole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.warden.console.Pages.between;
import static dev.warden.console.Pages.last;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compliance exports page over real HTTP against the stand-in admin API: the form and
 * what it sends to the admin API, the file streamed through the console, refusals next to
 * the field they concern in platform-api's words, the manifest and public key downloads,
 * the list of earlier exports and the offline verification command.
 */
class ExportsPageIntegrationTests {

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void thePageListsEarlierExportsAndSaysHowToVerifyOne() throws Exception {
		for (String user : new String[] { "compliance", "admin" }) {
			HttpResponse<String> page = console.browser(user).get(console.url("/exports"));

			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(last(console.platformApi().requests())).isEqualTo("GET /api/admin/exports?page=0&size=20");
			String completed = between(page.body(), "data-export=\"x-1\"", "</tr>");
			assertThat(completed).contains("audit trail", "csv", "<code>all</code>", "completed", "<td>1</td>",
					"5fd0aa", "href=\"/exports/x-1/manifest\"");
			String failed = between(page.body(), "data-export=\"x-2\"", "</tr>");
			assertThat(failed).contains("request-log", "ndjson", "t-1", "failed").doesNotContain("/manifest");
			// the form starts with every tenant over the last 30 days (to tomorrow,
			// exclusive)
			assertThat(Pages.formFields(page.body(), "class=\"form export-form\"")).containsEntry("tenant", "all")
				.containsEntry("to", java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).toString())
				.containsKey("_csrf");
			assertThat(page.body()).contains("href=\"/exports/public-key\"")
				.contains("bin/warden-verify-export --export audit.csv --manifest audit.manifest.json "
						+ "--public-key warden-public-key.json")
				.contains("<option value=\"t-1\">acme</option>", "<option value=\"pdf\">PDF</option>",
						"<option value=\"request-log\">Request log (metadata)</option>");
		}
	}

	@Test
	void anExportStreamsThroughTheConsoleWithTheChosenParameters() throws Exception {
		var browser = console.browser("compliance");
		String page = browser.get(console.url("/exports")).body();
		Map<String, String> fields = new LinkedHashMap<>(Pages.formFields(page, "class=\"form export-form\""));
		fields.put("type", "audit");
		fields.put("tenant", "t-1");
		fields.put("from", "2026-11-01");
		fields.put("to", "2026-12-01T00:00:00+01:00");
		fields.put("format", "csv");

		HttpResponse<String> file = browser.postForm(console.url("/exports/download"), fields);

		assertThat(file.statusCode()).isEqualTo(200);
		assertThat(file.body()).isEqualTo(StubComplianceApi.AUDIT_CSV);
		assertThat(file.headers().firstValue("Content-Type")).hasValueSatisfying((type) -> type.startsWith("text/csv"));
		assertThat(file.headers().firstValue("Content-Disposition"))
			.hasValueSatisfying((disposition) -> assertThat(disposition).startsWith("attachment")
				.containsPattern("warden-audit-\\d{8}T\\d{6}Z\\.csv"));
		String sent = last(console.platformApi().requests());
		assertThat(sent).startsWith("GET /api/admin/exports/audit?");
		assertThat(Pages.query(sent.substring(sent.indexOf('?') + 1))).containsEntry("format", java.util.List.of("csv"))
			.containsEntry("tenant", java.util.List.of("t-1"))
			.containsEntry("from", java.util.List.of("2026-11-01"))
			.containsEntry("to", java.util.List.of("2026-12-01T00:00:00+01:00"));
	}

	@Test
	void aRefusedExportIsShownNextToTheFieldInPlatformApisWords() throws Exception {
		var browser = console.browser("compliance");
		String page = browser.get(console.url("/exports")).body();
		Map<String, String> fields = new LinkedHashMap<>(Pages.formFields(page, "class=\"form export-form\""));
		fields.put("type", "request-log");
		fields.put("format", "ndjson");
		fields.put("from", "last tuesday");

		HttpResponse<String> refused = browser.postForm(console.url("/exports/download"), fields);

		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.headers().firstValue("Content-Disposition")).isEmpty();
		assertThat(Pages.unescape(between(refused.body(), "id=\"from-error\"", "</p>")))
			.contains("platform-api answered 400: from: 'last tuesday' is not an ISO-8601 instant");
		// the form comes back as sent
		Map<String, String> again = Pages.formFields(refused.body(), "class=\"form export-form\"");
		assertThat(again).containsEntry("from", "last tuesday");
		assertThat(refused.body()).contains("<option value=\"request-log\" selected=\"selected\">",
				"<option value=\"ndjson\" selected=\"selected\">NDJSON</option>");

		fields.put("from", "2026-12-01");
		fields.put("to", "2026-11-01");
		HttpResponse<String> backwards = browser.postForm(console.url("/exports/download"), fields);
		assertThat(between(backwards.body(), "id=\"from-error\"", "</p>")).contains("from must be before to");

		fields.put("to", "");
		HttpResponse<String> missing = browser.postForm(console.url("/exports/download"), fields);
		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(between(missing.body(), "id=\"to-error\"", "</p>")).contains("Give the end of the range");
	}

	@Test
	void aFailingExportIsShownAtTheAction() throws Exception {
		var browser = console.browser("admin");
		String page = browser.get(console.url("/exports")).body();
		Map<String, String> fields = new LinkedHashMap<>(Pages.formFields(page, "class=\"form export-form\""));
		fields.put("type", "audit");
		fields.put("format", "csv");
		console.platformApi().failing("/api/admin/exports/audit");

		HttpResponse<String> failed = browser.postForm(console.url("/exports/download"), fields);

		assertThat(failed.statusCode()).isEqualTo(503);
		assertThat(between(failed.body(), "id=\"export-error\"", "</div>"))
			.contains("platform-api answered 503: database is down.");
		// without the CSRF token no export starts
		int before = console.platformApi().requests().size();
		Map<String, String> forged = new LinkedHashMap<>(fields);
		forged.remove("_csrf");
		assertThat(browser.postForm(console.url("/exports/download"), forged).statusCode()).isEqualTo(403);
		assertThat(console.platformApi().requests()).hasSize(before);
	}

	@Test
	void theManifestAndThePublicKeyDownloadBesideTheExport() throws Exception {
		var browser = console.browser("compliance");

		HttpResponse<String> manifest = browser.get(console.url("/exports/x-1/manifest"));
		HttpResponse<String> key = browser.get(console.url("/exports/public-key"));
		HttpResponse<String> none = browser.followRedirects(browser.get(console.url("/exports/x-2/manifest")));

		assertThat(manifest.statusCode()).isEqualTo(200);
		assertThat(manifest.body()).isEqualTo(StubComplianceApi.MANIFEST);
		assertThat(manifest.headers().firstValue("Content-Disposition"))
			.hasValueSatisfying((value) -> assertThat(value).contains("warden-export-x-1.manifest.json"));
		assertThat(key.statusCode()).isEqualTo(200);
		assertThat(key.body()).isEqualTo(StubComplianceApi.PUBLIC_KEY);
		assertThat(key.headers().firstValue("Content-Disposition"))
			.hasValueSatisfying((value) -> assertThat(value).contains("warden-public-key.json"));
		assertThat(none.body()).contains(
				"The manifest of export x-2 could not be downloaded: platform-api answered 409: export x-2 failed: it has no manifest.");
	}

	@Test
	void aFailingListOfExportsLeavesTheFormUsable() throws Exception {
		var browser = console.browser("compliance");
		console.platformApi().failing("/api/admin/exports");

		String page = browser.get(console.url("/exports")).body();

		assertThat(page)
			.contains("Earlier exports could not be loaded.", "platform-api answered 503: database is down.")
			.contains("class=\"form export-form\"");
	}

}
