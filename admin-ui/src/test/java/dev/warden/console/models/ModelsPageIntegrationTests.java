package dev.warden.console.models;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.warden.console.Pages;
import dev.warden.console.StubModelsApi;
import dev.warden.console.StubbedConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import static dev.warden.console.Pages.between;
import static dev.warden.console.Pages.csrf;
import static dev.warden.console.Pages.last;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The models pages over real HTTP against the stand-in admin API: the list, the model
 * page, uploads (the archive arrives intact, refusals next to the field, the new
 * version's state followed until it settles), grants and routing changes confirmed before
 * they are made, platform-api's 400, 404, 409 and 503 next to their control, and a
 * compliance user who sees everything, gets no control and whose forged post is answered
 * with platform-api's 403 as a message.
 */
class ModelsPageIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String FORBIDDEN = "platform-api answered 403: your role does not allow this operation.";

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void theListShowsEveryModelWithRoutingGrantsAndStates() throws Exception {
		var admin = console.browser("admin");
		String page = admin.get(console.url("/models")).body();

		assertThat(page).contains("<a href=\"/models\">Models</a><a href=\"/tenants\">Tenants</a>");
		String income = between(page, "data-model=\"income\"", "</tr>");
		assertThat(income).contains("<a href=\"/models/income\">income</a>", "<td>2</td>", "<td>version 1</td>",
				"<td>none</td>", "<td>all tenants</td>", "<td>2 AVAILABLE</td>");
		assertThat(between(page, "data-model=\"spam\"", "</tr>")).contains("none (newest serves)", "<td>1 tenant</td>");
		assertThat(page).contains("enctype=\"multipart/form-data\" action=\"/models\"", "id=\"upload-name\"",
				"<progress id=\"upload-progress\"", "/js/models.js");
		assertThat(console.platformApi().requests()).contains("GET /api/admin/models?page=0&size=20",
				"GET /api/admin/models/income/routing");

		String compliance = console.browser("compliance").get(console.url("/models")).body();
		assertThat(compliance).contains("<a href=\"/models/income\">income</a>")
			.doesNotContain("multipart/form-data", "upload-name");
	}

	@Test
	void theModelPageShowsVersionsSignaturesUploadsAndReportLinks() throws Exception {
		String page = console.browser("admin").get(console.url("/models/income")).body();

		String two = between(page, "id=\"version-2\"", "</article>");
		assertThat(two)
			.contains("href=\"/models/income/versions/2/explainability\"",
					"href=\"/models/income/versions/2/fairness\"", "href=\"/models/income/versions/2/model-card\"",
					"href=\"/models/income/versions/2/promotion\"")
			.contains("<code>6f1c" + "0".repeat(60) + "</code>", "40.5 KiB (41523 bytes)", "<dd>admin</dd>",
					"2026-11-28T23:30:01.123456Z")
			.contains("Signature <code>serving_default</code>", "<code>age</code>", "DT_FLOAT", "<code>[-1, 2]</code>")
			.contains("status-available", "Aspired", "(latest)", "<code>configured-1</code>")
			.doesNotContain("hx-trigger");
		assertThat(between(page, "id=\"version-1\"", "</article>")).contains("not recorded (not uploaded here)");
		assertThat(page).contains("<dt>Stable version</dt><dd>1</dd>", "<dt>Canary</dt><dd>none</dd>")
			.contains("action=\"/models/income/versions\"", "type=\"range\" id=\"canary-weight\" name=\"weight\"",
					"<output id=\"canary-weight-value\" for=\"canary-weight\">10 %</output>",
					"<label for=\"canary-weight\">")
			.contains("Every tenant may call this model.", "<span>acme</span>")
			.contains("The stable version (1) keeps answering");
		assertThat(console.browser("admin").get(console.url("/models/nope")).statusCode()).isEqualTo(404);
	}

	@Test
	void anUploadStreamsTheArchiveThroughAndTheNewVersionIsFollowedUntilItSettles() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models/income")).body());
		String archive = "PK\u0003\u0004 model bytes\r\n--not-a-boundary\r\n\u0000\u0001 end";

		HttpResponse<String> upload = admin.post(console.url("/models/income/versions"),
				"multipart/form-data; boundary=" + Pages.BOUNDARY,
				Pages.multipart(Map.of("_csrf", csrf, "confirm", "true"), "income-v3.zip", archive));
		assertThat(upload.statusCode()).isEqualTo(302);
		assertThat(upload.headers().firstValue("Location").orElseThrow()).endsWith("/models/income?uploaded=3");
		StubModelsApi.Upload received = last(console.platformApi().models().uploads());
		assertThat(received.model()).isEqualTo("income");
		assertThat(received.fileName()).isEqualTo("income-v3.zip");
		assertThat(received.content()).isEqualTo(archive.getBytes(StandardCharsets.UTF_8));

		String page = admin.followRedirects(upload).body();
		assertThat(page).contains("Version 3 of income was uploaded and validated by a worker (SHA-256 6f1c");
		String three = between(page, "id=\"version-3\"", "</article>");
		assertThat(three).contains("(just uploaded)", "hx-get=\"/models/income/versions/3/status\"",
				"hx-trigger=\"every 2s\"", "status-uploaded");

		String next = admin.get(console.url("/models/income/versions/3/status")).body();
		assertThat(next).contains("status-available", "data-settled=\"true\"")
			.doesNotContain("hx-trigger", "hx-get", "<html");
	}

	@Test
	void aNewModelIsCreatedByItsFirstUploadAndAFailedLoadShowsTheReason() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models")).body());

		HttpResponse<String> upload = admin
			.post(console.url("/models"), "multipart/form-data; boundary=" + Pages.BOUNDARY, Pages.multipart(
					Map.of("_csrf", csrf, "name", "credit", "confirm", "true"), "credit.zip", "PK\u0003\u0004broken"));
		assertThat(upload.statusCode()).isEqualTo(302);
		assertThat(upload.headers().firstValue("Location").orElseThrow()).endsWith("/models/credit?uploaded=1");
		admin.followRedirects(upload);
		String status = admin.get(console.url("/models/credit/versions/1/status")).body();
		assertThat(status).contains("status-end", "Failed to load:",
				"cannot load SavedModel: no MetaGraphDef with tag serve", "data-settled=\"true\"");
	}

	@Test
	void uploadRefusalsAreShownNextToTheirField() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models")).body());

		HttpResponse<String> badName = admin
			.post(console.url("/models"), "multipart/form-data; boundary=" + Pages.BOUNDARY, Pages
				.multipart(Map.of("_csrf", csrf, "name", "Bad Name", "confirm", "true"), "m.zip", "PK\u0003\u0004"));
		assertThat(badName.statusCode()).isEqualTo(400);
		assertThat(between(badName.body(), "id=\"upload-name\"", "</div>")).contains("value=\"Bad Name\"",
				"aria-invalid=\"true\"",
				"id=\"upload-name-error\">Nothing was uploaded: platform-api answered 400: model name &#39;Bad Name&#39; must match");

		HttpResponse<String> notAnArchive = admin.post(console.url("/models/income/versions"),
				"multipart/form-data; boundary=" + Pages.BOUNDARY,
				Pages.multipart(Map.of("_csrf", csrf, "confirm", "true"), "notes.txt", "hello"));
		assertThat(notAnArchive.statusCode()).isEqualTo(400);
		assertThat(between(notAnArchive.body(), "id=\"upload-file\"", "</div>")).contains(
				"id=\"upload-file-error\">Nothing was uploaded: platform-api answered 400: the file is neither a zip nor a gzip archive.");

		HttpResponse<String> tooLarge = admin.post(console.url("/models/income/versions"),
				"multipart/form-data; boundary=" + Pages.BOUNDARY,
				Pages.multipart(Map.of("_csrf", csrf, "confirm", "true"), "huge.zip", "PK\u0003\u0004 huge"));
		assertThat(tooLarge.statusCode()).isEqualTo(413);
		assertThat(between(tooLarge.body(), "id=\"upload-file\"", "</div>")).contains(
				"id=\"upload-file-error\">Nothing was uploaded: platform-api answered 413: the file is larger than the upload limit of 268435456 bytes.");

		int before = console.platformApi().models().uploads().size();
		HttpResponse<String> unconfirmed = admin.post(console.url("/models/income/versions"),
				"multipart/form-data; boundary=" + Pages.BOUNDARY,
				Pages.multipart(Map.of("_csrf", csrf), "m.zip", "PK\u0003\u0004"));
		assertThat(unconfirmed.statusCode()).isEqualTo(400);
		assertThat(unconfirmed.body()).contains("id=\"upload-confirm-error\">Tick the box to confirm the upload");
		assertThat(console.platformApi().models().uploads()).hasSize(before);
	}

	@Test
	void aCanaryIsConfirmedBeforeItIsSetAndTheApprovalRefusalLinksToPromotion() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models/income")).body());

		HttpResponse<String> confirm = admin.postForm(console.url("/models/income/confirm"),
				Map.of("_csrf", csrf, "action", "canary", "version", "2", "weight", "15"));
		assertThat(confirm.statusCode()).isEqualTo(200);
		assertThat(confirm.body()).contains("Route 15 % of income to version 2?",
				"Version 2 will answer 15 % of the calls to income", "the stable version (now version 1)",
				"action=\"/models/income/apply\"", "name=\"weight\" value=\"15\"", "Set the canary</button>",
				"href=\"/models/income\">Cancel</a>");
		assertThat(console.platformApi().putsTo("/api/admin/models/income/canary")).isEmpty();

		HttpResponse<String> applied = admin.postForm(console.url("/models/income/apply"),
				Pages.formFields(confirm.body(), "action=\"/models/income/apply\""));
		assertThat(applied.statusCode()).isEqualTo(302);
		assertThat(JSON.readTree(last(console.platformApi().putsTo("/api/admin/models/income/canary")).body()))
			.isEqualTo(JSON.readTree("{\"version\":2,\"weight\":15}"));
		String page = admin.followRedirects(applied).body();
		assertThat(page).contains("Version 2 of income now answers 15 % of the calls that name no version.",
				"<dt>Canary</dt><dd>version 2 at 15 %</dd>", "Promote the canary…", "Roll back…");

		HttpResponse<String> tooLarge = admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "canary", "version", "2", "weight", "50"));
		assertThat(tooLarge.statusCode()).isEqualTo(409);
		assertThat(between(tooLarge.body(), "id=\"canary-error\"", "</div>")).contains(
				"Nothing was changed: platform-api answered 409: a canary of version 2 at 50 % of model income needs an approved promotion request",
				"href=\"/models/income/versions/2/promotion\"");

		HttpResponse<String> unknown = admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "canary", "version", "9", "weight", "5"));
		assertThat(unknown.statusCode()).isEqualTo(409);
		assertThat(between(unknown.body(), "id=\"canary-error\"", "</div>"))
			.contains("version 9 of model income is not in the catalogue");

		HttpResponse<String> badWeight = admin.postForm(console.url("/models/income/confirm"),
				Map.of("_csrf", csrf, "action", "canary", "version", "2", "weight", "0"));
		assertThat(badWeight.statusCode()).isEqualTo(400);
		assertThat(between(badWeight.body(), "id=\"canary-error\"", "</div>"))
			.contains("The weight is a whole number of percent from 1 to 100.");
	}

	@Test
	void promoteRollbackAndResetAreConfirmedAndTheirRefusalsShown() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models/income")).body());

		HttpResponse<String> noCanary = admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "rollback"));
		assertThat(noCanary.statusCode()).isEqualTo(409);
		assertThat(between(noCanary.body(), "id=\"rollback-error\"", "</div>"))
			.contains("platform-api answered 409: model income has no canary.");

		admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "canary", "version", "2", "weight", "10"));
		String confirm = admin
			.postForm(console.url("/models/income/confirm"), Map.of("_csrf", csrf, "action", "rollback"))
			.body();
		assertThat(confirm).contains("Roll back the canary of income?",
				"The canary (version 2 at 10 %) is removed: every call that names no version goes to the stable version (version 1).");
		HttpResponse<String> rolledBack = admin.postForm(console.url("/models/income/apply"),
				Pages.formFields(confirm, "action=\"/models/income/apply\""));
		assertThat(rolledBack.statusCode()).isEqualTo(302);
		assertThat(console.platformApi().posts()).contains("/api/admin/models/income:rollback ");

		admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "canary", "version", "2", "weight", "10"));
		String promote = admin
			.postForm(console.url("/models/income/confirm"), Map.of("_csrf", csrf, "action", "promote"))
			.body();
		assertThat(promote).contains("Promote the canary of income?",
				"Canary version 2 becomes the stable version of income (now version 1)");
		HttpResponse<String> promoted = admin.postForm(console.url("/models/income/apply"),
				Pages.formFields(promote, "action=\"/models/income/apply\""));
		assertThat(promoted.statusCode()).isEqualTo(409);
		assertThat(between(promoted.body(), "id=\"promote-error\"", "</div>")).contains(
				"platform-api answered 409: making version 2 the stable version of model income (now version 1) needs an approved promotion request.",
				"href=\"/models/income/versions/2/promotion\"");
		assertThat(between(promoted.body(), "id=\"change-refused\"", "</div>")).contains("href=\"#promote-error\"");

		String reset = admin.postForm(console.url("/models/income/confirm"), Map.of("_csrf", csrf, "action", "reset"))
			.body();
		assertThat(reset).contains("Reset the routing of income?", "danger-zone", "Pins stay.");
		admin.postForm(console.url("/models/income/apply"), Pages.formFields(reset, "action=\"/models/income/apply\""));
		assertThat(console.platformApi().requests()).contains("DELETE /api/admin/models/income/routing");
	}

	@Test
	void aTenantIsPinnedByNameAndThePinRemovedAfterConfirmation() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models/income")).body());

		String confirm = admin
			.postForm(console.url("/models/income/confirm"),
					Map.of("_csrf", csrf, "action", "pin", "tenant", "tn-1", "api_key", "", "version", "2"))
			.body();
		assertThat(confirm).contains("Pin to version 2 of income?", "Tenant acme will be answered by version 2");
		HttpResponse<String> pinned = admin.postForm(console.url("/models/income/apply"),
				Pages.formFields(confirm, "action=\"/models/income/apply\""));
		assertThat(pinned.statusCode()).isEqualTo(302);
		assertThat(JSON.readTree(last(console.platformApi().putsTo("/api/admin/models/income/pins/tn-1")).body()))
			.isEqualTo(JSON.readTree("{\"version\":2}"));
		String page = admin.followRedirects(pinned).body();
		assertThat(between(page, "id=\"pins\"", "</table>")).contains("tenant acme", "<code>tn-1</code>", "<td>2</td>",
				"aria-label=\"Remove the pin of tenant acme\"");

		HttpResponse<String> badKey = admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "pin", "api_key", "not-a-key", "version", "1"));
		assertThat(badKey.statusCode()).isEqualTo(400);
		assertThat(between(badKey.body(), "id=\"pin-error\"", "</div>"))
			.contains("platform-api answered 400: &#39;not-a-key&#39; is not a tenant or API key id (a UUID).");

		String unpin = admin
			.postForm(console.url("/models/income/confirm"),
					Map.of("_csrf", csrf, "action", "unpin", "subject", "tn-1"))
			.body();
		assertThat(unpin).contains("The pin of Tenant acme to version 2 is removed");
		admin.postForm(console.url("/models/income/apply"), Pages.formFields(unpin, "action=\"/models/income/apply\""));
		assertThat(console.platformApi().requests()).contains("DELETE /api/admin/models/income/pins/tn-1");

		HttpResponse<String> missing = admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "unpin", "subject", "tn-1"));
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(between(missing.body(), "id=\"unpin-error\"", "</div>"))
			.contains("platform-api answered 404: no pin of &#39;tn-1&#39; on model income.");
	}

	@Test
	void grantsAreChosenByTenantNameAndConfirmed() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/models/income")).body());

		HttpResponse<String> confirm = admin.post(console.url("/models/income/confirm"),
				"application/x-www-form-urlencoded",
				form(List.of("_csrf", csrf, "action", "grants", "scope", "list", "tenants", "tn-1")));
		assertThat(confirm.body()).contains("Change who may call income?", "Only these tenants may call income: acme.",
				"Now: every tenant.", "name=\"tenants\" value=\"tn-1\"");
		assertThat(console.platformApi().putsTo("/api/admin/models/income/grants")).isEmpty();
		HttpResponse<String> applied = admin.post(console.url("/models/income/apply"),
				"application/x-www-form-urlencoded",
				form(List.of("_csrf", csrf, "action", "grants", "scope", "list", "tenants", "tn-1")));
		assertThat(applied.statusCode()).isEqualTo(302);
		assertThat(JSON.readTree(last(console.platformApi().putsTo("/api/admin/models/income/grants")).body()))
			.isEqualTo(JSON.readTree("{\"tenants\":[\"tn-1\"]}"));
		assertThat(admin.followRedirects(applied).body()).contains("The grants of income were replaced.",
				"Only these tenants may call this model: acme.");

		HttpResponse<String> unknown = admin.post(console.url("/models/income/apply"),
				"application/x-www-form-urlencoded",
				form(List.of("_csrf", csrf, "action", "grants", "scope", "list", "tenants", "ghost")));
		assertThat(unknown.statusCode()).isEqualTo(400);
		assertThat(between(unknown.body(), "id=\"grants-error\"", "</div>"))
			.contains("platform-api answered 400: tenant &#39;ghost&#39; does not exist.");

		admin.postForm(console.url("/models/income/apply"), Map.of("_csrf", csrf, "action", "grants", "scope", "all"));
		assertThat(JSON.readTree(last(console.platformApi().putsTo("/api/admin/models/income/grants")).body()))
			.isEqualTo(JSON.readTree("{\"all\":true}"));
	}

	@Test
	void complianceSeesEverythingReadOnlyAndAForgedPostGetsThe403AsAMessage() throws Exception {
		AuthorizationCodeFlowClient compliance = console.browser("compliance");
		String page = compliance.get(console.url("/models/income")).body();
		assertThat(page)
			.contains("id=\"version-2\"", "<dt>Stable version</dt><dd>1</dd>", "Every tenant may call this model.")
			.doesNotContain("/confirm\"", "/apply\"", "multipart/form-data", "type=\"range\"", "name=\"tenants\"");
		String csrf = csrf(page);

		HttpResponse<String> forged = compliance.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "canary", "version", "2", "weight", "5"));
		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(between(forged.body(), "id=\"canary-error\"", "</div>"))
			.contains("Nothing was changed: " + FORBIDDEN);

		HttpResponse<String> upload = compliance.post(console.url("/models/income/versions"),
				"multipart/form-data; boundary=" + Pages.BOUNDARY,
				Pages.multipart(Map.of("_csrf", csrf, "confirm", "true"), "m.zip", "PK\u0003\u0004"));
		assertThat(upload.statusCode()).isEqualTo(403);
		assertThat(upload.body()).contains("id=\"upload-refused\"", "Nothing was uploaded: " + FORBIDDEN);
		assertThat(compliance.get(console.url("/models/income")).body()).contains("<dt>Canary</dt><dd>none</dd>");
	}

	@Test
	void platformApiFailuresAreShownInTheirSection() throws Exception {
		var admin = console.browser("admin");
		console.platformApi().failing("/api/admin/models/income/routing");
		String page = admin.get(console.url("/models/income")).body();
		assertThat(page).contains("The routing could not be loaded.", "platform-api answered 503: database is down.",
				"id=\"version-1\"");
		assertThat(admin.get(console.url("/models")).body())
			.contains("Routing could not be read: platform-api answered 503: database is down.");

		console.platformApi().failing(false);
		String csrf = csrf(admin.get(console.url("/models/income")).body());
		console.platformApi().failing("/api/admin/models/income/canary");
		HttpResponse<String> down = admin.postForm(console.url("/models/income/apply"),
				Map.of("_csrf", csrf, "action", "canary", "version", "2", "weight", "5"));
		assertThat(down.statusCode()).isEqualTo(502);
		assertThat(between(down.body(), "id=\"canary-error\"", "</div>"))
			.contains("Nothing was changed: platform-api answered 503: database is down.");

		console.platformApi().failing(true);
		assertThat(admin.get(console.url("/models")).body()).contains("Models could not be loaded.");
	}

	private static String form(List<String> pairs) {
		StringBuilder body = new StringBuilder();
		for (int i = 0; i < pairs.size(); i += 2) {
			if (body.length() > 0) {
				body.append('&');
			}
			body.append(URLEncoder.encode(pairs.get(i), StandardCharsets.UTF_8))
				.append('=')
				.append(URLEncoder.encode(pairs.get(i + 1), StandardCharsets.UTF_8));
		}
		return body.toString();
	}

}
