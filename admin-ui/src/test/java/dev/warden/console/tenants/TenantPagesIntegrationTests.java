package dev.warden.console.tenants;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.warden.console.Pages;
import dev.warden.console.StubTenantsApi;
import dev.warden.console.StubbedConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.warden.console.Pages.between;
import static dev.warden.console.Pages.csrf;
import static dev.warden.console.Pages.last;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tenant and API key pages over real HTTP against the stand-in admin API: the list
 * with paging and search, creating a tenant (with platform-api's 400 and 409 next to the
 * field), the tenant page with usage and keys, issuing a key (the secret on the answer
 * page only), key validation errors next to their fields, confirmed revoke, suspend and
 * delete (the tenant's name typed), and a compliance user who sees everything, gets no
 * control and whose forged posts are answered with platform-api's 403 as a message.
 */
class TenantPagesIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String FORBIDDEN = "platform-api answered 403: your role does not allow this operation.";

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void theListIsPagedAndSearchedByName() throws Exception {
		var browser = console.browser("compliance");

		String first = browser.get(console.url("/tenants")).body();
		assertThat(first).contains("<a href=\"/tenants\">Tenants</a>")
			.contains("<a href=\"/tenants/tn-1\">acme</a>", "<td>standard</td>", "2025-01-02T03:04:05Z",
					"<span class=\"badge status-active\">active</span>")
			.contains("tenant-25", "rel=\"next\" href=\"/tenants?page=1\"")
			.doesNotContain("tenant-26", "rel=\"prev\"");
		assertThat(Pages.all(java.util.regex.Pattern.compile("data-tenant=\""), first, 0)).hasSize(25);
		assertThat(console.platformApi().requests()).contains("GET /api/admin/tenants?page=0&size=25");

		String second = browser.get(console.url("/tenants?page=1")).body();
		assertThat(second).contains("tenant-26", "tenant-30", "rel=\"prev\" href=\"/tenants?page=0\"", "Page 2")
			.doesNotContain(">acme<", "rel=\"next\"");

		String search = browser.get(console.url("/tenants?q=TENANT-1")).body();
		assertThat(search).contains("tenant-10", "tenant-19", "(10)").doesNotContain("tenant-20", ">acme<");
		assertThat(console.platformApi().requests()).contains("GET /api/admin/tenants?page=0&size=500");
		assertThat(browser.get(console.url("/tenants?q=nobody")).body()).contains("No tenant&#39;s name contains");
	}

	@Test
	void theQuotaPlansPageShowsThePlansInForceToEveryRole() throws Exception {
		for (String user : new String[] { "compliance", "admin" }) {
			String page = console.browser(user).get(console.url("/quota-plans")).body();
			assertThat(page)
				.contains("<a href=\"/quota-plans\">Quota plans</a>", "Plans in force",
						"quotas.yaml SHA-256 " + "ab".repeat(32))
				.contains("data-plan=\"enterprise\"", "data-plan=\"free\"", "data-plan=\"standard\"")
				.contains("no monthly quota")
				.doesNotContain("<form class=\"form");
			// the default plan is marked
			assertThat(page.substring(page.indexOf("data-plan=\"free\""))).startsWith("data-plan=\"free\"")
				.contains("<span class=\"badge\">default</span>");
		}
		assertThat(console.platformApi().requests()).contains("GET /api/admin/quota-plans");
		// the tenant forms offer the plans platform-api has in force
		String tenants = console.browser("admin").get(console.url("/tenants")).body();
		assertThat(tenants).contains("<option value=\"enterprise\">enterprise</option>",
				"<option value=\"free\">free</option>", "<option value=\"standard\">standard</option>");
	}

	@Test
	void anAdministratorCreatesATenantAndRefusalsAreShownNextToTheField() throws Exception {
		var admin = console.browser("admin");
		String page = admin.get(console.url("/tenants")).body();
		assertThat(page).contains("class=\"form card create-tenant\"",
				"<option value=\"enterprise\">enterprise</option>");

		HttpResponse<String> created = admin.postForm(console.url("/tenants"),
				Map.of("_csrf", csrf(page), "name", "globex", "plan", "enterprise"));
		assertThat(created.statusCode()).isEqualTo(302);
		assertThat(created.headers().firstValue("Location").orElseThrow()).endsWith("/tenants/tn-new-31");
		assertThat(admin.followRedirects(created).body()).contains("Tenant globex created with plan enterprise.");
		assertThat(JSON.readTree(last(console.platformApi().postsTo("/api/admin/tenants")).body()))
			.isEqualTo(JSON.readTree("{\"name\":\"globex\",\"plan\":\"enterprise\"}"));

		HttpResponse<String> duplicate = admin.postForm(console.url("/tenants"),
				Map.of("_csrf", csrf(page), "name", "acme", "plan", "free"));
		assertThat(duplicate.statusCode()).isEqualTo(409);
		assertThat(between(duplicate.body(), "id=\"tenant-name\"", "</div>")).contains("value=\"acme\"",
				"aria-invalid=\"true\"",
				"id=\"tenant-name-error\">platform-api answered 409: a tenant named &#39;acme&#39; already exists.");
		assertThat(duplicate.body()).contains("<option value=\"free\" selected=\"selected\">free</option>");

		HttpResponse<String> blank = admin.postForm(console.url("/tenants"),
				Map.of("_csrf", csrf(page), "name", " ", "plan", ""));
		assertThat(blank.statusCode()).isEqualTo(400);
		assertThat(blank.body())
			.contains("id=\"tenant-name-error\">platform-api answered 400: name: must not be blank.</span>");
	}

	@Test
	void theTenantPageShowsDetailsUsageAndKeysAndComplianceGetsNoControl() throws Exception {
		var browser = console.browser("compliance");

		String page = browser.get(console.url("/tenants/tn-1")).body();

		assertThat(between(page, "id=\"details\"", "</section>")).contains("acme", "tn-1", "standard",
				"<span class=\"badge status-active\">active</span>");
		assertThat(between(page, "id=\"usage\"", "</section>")).contains("<dd>7</dd>", "Quotas of plan standard",
				"250 used, 750 left; starts again 2027-01-01T00:00:00Z", "<progress max=\"100\" value=\"25\"",
				"50 (100)", "1048576");
		String ci = between(page, "data-key=\"k-1\"", "</tr>");
		assertThat(ci).contains("ci-pipeline", "wdn_abcdefghijkl", "predict, metadata", "<td>income</td>",
				"2027-01-01T00:00:00Z", "status-active", "2025-03-01T10:00:00Z",
				"{&quot;requests_per_second&quot;:5,&quot;burst&quot;:10}");
		String old = between(page, "data-key=\"k-2\"", "</tr>");
		assertThat(old).contains("old-batch", "status-revoked", "all granted", "<td>never</td>");
		// read-only: no form but signing out, no link to an action
		assertThat(page.split("<form", -1)).hasSize(2);
		assertThat(page).doesNotContain("/suspend", "/delete", "/revoke", "/reactivate", "issue-key", "change-plan",
				"Actions</th>");
	}

	@Test
	void anIssuedKeysSecretIsShownOnceOnTheAnswerPage() throws Exception {
		var admin = console.browser("admin");
		String page = admin.get(console.url("/tenants/tn-1")).body();
		assertThat(page).contains("class=\"form card issue-key\"", "href=\"/tenants/tn-1/suspend\"",
				"href=\"/tenants/tn-1/delete\"", "action=\"/tenants/tn-1/plan\"");

		HttpResponse<String> answer = post(admin, "/tenants/tn-1/keys",
				List.of("_csrf", csrf(page), "name", "scoring", "operations", "predict", "operations", "metadata",
						"models", "income", "expires", "2030-01-01", "requests_per_second", "5", "burst", ""));

		String secret = StubTenantsApi.secret(1);
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.headers().firstValue("Location")).isEmpty();
		assertThat(answer.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
		assertThat(answer.body()).contains("value=\"" + secret + "\"", "It is shown on this page only",
				"data-copy-from=\"new-key-secret\" hidden", "<script src=\"/js/copy-secret.js\" defer></script>",
				"predict, metadata", "2030-01-01T00:00:00Z");
		assertThat(answer.body().split(java.util.regex.Pattern.quote(secret), -1)).hasSize(2);
		JsonNode sent = JSON.readTree(last(console.platformApi().postsTo("/api/admin/tenants/tn-1/keys")).body());
		assertThat(sent).isEqualTo(JSON.readTree("""
				{"name":"scoring","models":["income"],"operations":["predict","metadata"],
				 "expires_at":"2030-01-01T00:00:00Z","quota":{"requests_per_second":5}}"""));

		// never again: not on the tenant page, which lists the key by its prefix
		String after = admin.get(console.url("/tenants/tn-1")).body();
		assertThat(after).doesNotContain(secret).contains("scoring", "wdn_Tk0000000001");
		HttpResponse<String> script = admin.get(console.url("/js/copy-secret.js"));
		assertThat(script.statusCode()).isEqualTo(200);
		assertThat(script.body()).contains("navigator.clipboard");
	}

	@Test
	void refusalsOfAKeyAreShownNextToTheirFieldsWithTheFormAsTyped() throws Exception {
		var admin = console.browser("admin");
		String csrf = csrf(admin.get(console.url("/tenants/tn-1")).body());

		HttpResponse<String> past = post(admin, "/tenants/tn-1/keys",
				List.of("_csrf", csrf, "name", "late", "operations", "predict", "expires", "2020-01-01"));
		assertThat(past.statusCode()).isEqualTo(400);
		assertThat(between(past.body(), "id=\"key-expires\"", "</div>")).contains("value=\"2020-01-01\"",
				"platform-api answered 400: expires_at: must be in the future.");
		assertThat(between(past.body(), "id=\"key-name\"", ">")).contains("value=\"late\"");

		HttpResponse<String> loose = post(admin, "/tenants/tn-1/keys",
				List.of("_csrf", csrf, "name", "loose", "operations", "predict", "burst", "1000"));
		assertThat(loose.statusCode()).isEqualTo(400);
		assertThat(between(loose.body(), "id=\"key-burst\"", "</div>")).contains("value=\"1000\"",
				"quota.burst: 1000 is looser than the plan&#39;s 100.");

		HttpResponse<String> none = post(admin, "/tenants/tn-1/keys", List.of("_csrf", csrf, "name", "none"));
		assertThat(none.statusCode()).isEqualTo(400);
		assertThat(between(none.body(), "id=\"key-operations-error\"", "</span>"))
			.contains("operations: must list at least one of");
		assertThat(none.body()).doesNotContain("type=\"checkbox\" name=\"operations\" value=\"predict\" checked");

		HttpResponse<String> notADate = post(admin, "/tenants/tn-1/keys",
				List.of("_csrf", csrf, "name", "x", "operations", "predict", "expires", "tomorrow"));
		assertThat(notADate.statusCode()).isEqualTo(400);
		assertThat(between(notADate.body(), "id=\"key-expires-error\"", "</span>"))
			.contains("expires_at: &#39;tomorrow&#39; is not a date like 2027-01-01.");
		assertThat(console.platformApi().tenants().keys("tn-1")).hasSize(2);
	}

	@Test
	void revokingAKeyIsConfirmedAndItsQuotaCanBeChanged() throws Exception {
		var admin = console.browser("admin");
		String page = admin.get(console.url("/tenants/tn-1")).body();
		assertThat(between(page, "data-key=\"k-1\"", "</tr>")).contains("href=\"/tenants/tn-1/keys/k-1/revoke\"");
		assertThat(between(page, "data-key=\"k-2\"", "</tr>")).doesNotContain("/revoke", "<form");

		String confirm = admin.get(console.url("/tenants/tn-1/keys/k-1/revoke")).body();
		assertThat(confirm).contains("wdn_abcdefghijkl", "ci-pipeline", "refused with 401",
				"action=\"/tenants/tn-1/keys/k-1/revoke\"");
		assertThat(console.platformApi().tenants().keys("tn-1").get(0).path("status").asString()).isEqualTo("active");

		HttpResponse<String> revoked = admin.followRedirects(
				admin.postForm(console.url("/tenants/tn-1/keys/k-1/revoke"), Map.of("_csrf", csrf(confirm))));
		assertThat(revoked.body()).contains("Key wdn_abcdefghijkl (ci-pipeline) is revoked");
		assertThat(console.platformApi().tenants().keys("tn-1").get(0).path("status").asString()).isEqualTo("revoked");

		console.platformApi().tenants().reset();
		HttpResponse<String> quota = admin.followRedirects(admin.postForm(console.url("/tenants/tn-1/keys/k-1/quota"),
				Map.of("_csrf", csrf(page), "requests_per_second", "2", "burst", "4")));
		assertThat(quota.body()).contains("Key wdn_abcdefghijkl has a new quota override.");
		assertThat(JSON.readTree(last(console.platformApi().patchesTo("/api/admin/tenants/tn-1/keys/k-1")).body()))
			.isEqualTo(JSON.readTree("{\"quota\":{\"requests_per_second\":2,\"burst\":4}}"));
		HttpResponse<String> loose = admin.postForm(console.url("/tenants/tn-1/keys/k-1/quota"),
				Map.of("_csrf", csrf(page), "requests_per_second", "3", "burst", "1000"));
		assertThat(loose.statusCode()).isEqualTo(400);
		String keyRow = between(loose.body(), "data-key=\"k-1\"", "</tr>");
		assertThat(keyRow).contains("<details class=\"quota-edit\" open=\"open\">");
		assertThat(between(keyRow, "id=\"q-k-1-burst\"", "</div>")).contains("value=\"1000\"", "aria-invalid=\"true\"",
				"Not changed: platform-api answered 400: quota.burst: 1000 is looser than " + "the plan&#39;s 100.");
		assertThat(between(keyRow, "id=\"q-k-1-requests_per_second\"", "</div>")).contains("value=\"3\"")
			.doesNotContain("Not changed");
		assertThat(between(loose.body(), "data-key=\"k-2\"", "</tr>")).doesNotContain("open=\"open\"");
		assertThat(JSON.readTree(last(console.platformApi().patchesTo("/api/admin/tenants/tn-1/keys/k-1")).body()))
			.as("the refused override changed nothing")
			.isEqualTo(JSON.readTree("{\"quota\":{\"requests_per_second\":3,\"burst\":1000}}"));
		HttpResponse<String> cleared = admin
			.followRedirects(admin.postForm(console.url("/tenants/tn-1/keys/k-1/quota"), Map.of("_csrf", csrf(page))));
		assertThat(cleared.body()).contains("has no quota override now");
		assertThat(JSON.readTree(last(console.platformApi().patchesTo("/api/admin/tenants/tn-1/keys/k-1")).body()))
			.isEqualTo(JSON.readTree("{\"quota\":null}"));
	}

	@Test
	void planSuspendReactivateAndDeleteWithTheNameTyped() throws Exception {
		var admin = console.browser("admin");
		String page = admin.get(console.url("/tenants/tn-1")).body();
		String csrf = csrf(page);

		assertThat(admin
			.followRedirects(
					admin.postForm(console.url("/tenants/tn-1/plan"), Map.of("_csrf", csrf, "plan", "enterprise")))
			.body()).contains("The plan of acme is now enterprise");
		assertThat(JSON.readTree(last(console.platformApi().patchesTo("/api/admin/tenants/tn-1")).body()))
			.isEqualTo(JSON.readTree("{\"plan\":\"enterprise\"}"));
		assertThat(admin
			.followRedirects(admin.postForm(console.url("/tenants/tn-1/plan"), Map.of("_csrf", csrf, "plan", "gold")))
			.body()).contains("The plan was not changed: platform-api answered 400: plan: unknown plan &#39;gold&#39;");

		String suspend = admin.get(console.url("/tenants/tn-1/suspend")).body();
		assertThat(suspend).contains("Suspend tenant acme?", "403 tenant_suspended",
				"action=\"/tenants/tn-1/suspend\"");
		String suspended = admin
			.followRedirects(admin.postForm(console.url("/tenants/tn-1/suspend"), Map.of("_csrf", csrf)))
			.body();
		assertThat(suspended).contains("Tenant acme is suspended", "status-suspended",
				"action=\"/tenants/tn-1/reactivate\"");
		assertThat(admin.followRedirects(admin.postForm(console.url("/tenants/tn-1/reactivate"), Map.of("_csrf", csrf)))
			.body()).contains("Tenant acme is active again");

		String delete = admin.get(console.url("/tenants/tn-1/delete")).body();
		assertThat(delete).contains("will be crypto-shredded", "can never be read again",
				"type the tenant's name, <strong>acme</strong>", "name=\"confirm_name\"");
		HttpResponse<String> wrong = admin.postForm(console.url("/tenants/tn-1/delete"),
				Map.of("_csrf", csrf, "confirm_name", "acm"));
		assertThat(wrong.statusCode()).isEqualTo(400);
		assertThat(wrong.body()).contains("&#39;acm&#39; is not the tenant&#39;s name, acme: nothing was deleted.");
		assertThat(console.platformApi().tenants().tenant("tn-1")).isNotNull();

		HttpResponse<String> deleted = admin.postForm(console.url("/tenants/tn-1/delete"),
				Map.of("_csrf", csrf, "confirm_name", "acme"));
		assertThat(deleted.headers().firstValue("Location").orElseThrow()).endsWith("/tenants");
		assertThat(admin.followRedirects(deleted).body()).contains("Tenant acme deleted",
				"its encrypted payloads can never be read again");
		assertThat(console.platformApi().tenants().tenant("tn-1")).isNull();
		assertThat(console.platformApi().requests()).contains("DELETE /api/admin/tenants/tn-1");
		assertThat(admin.get(console.url("/tenants/tn-1")).statusCode()).isEqualTo(404);
	}

	@Test
	void forgedPostsOfAComplianceUserGetPlatformApisRefusalAsAMessage() throws Exception {
		var compliance = console.browser("compliance");
		String csrf = csrf(compliance.get(console.url("/tenants/tn-1")).body());

		HttpResponse<String> create = compliance.postForm(console.url("/tenants"),
				Map.of("_csrf", csrf, "name", "forged", "plan", "free"));
		assertThat(create.statusCode()).isEqualTo(403);
		assertThat(create.body()).contains("The tenant was not created: " + FORBIDDEN).doesNotContain("create-tenant");

		HttpResponse<String> key = post(compliance, "/tenants/tn-1/keys",
				List.of("_csrf", csrf, "name", "forged", "operations", "predict"));
		assertThat(key.statusCode()).isEqualTo(403);
		assertThat(key.body()).doesNotContain(StubTenantsApi.SECRET_PREFIX, "issue-key");
		// the refusal concerns the whole form, which this user is not shown: the message
		// is on the page all the same
		assertThat(key.body()).contains("No key was issued: " + FORBIDDEN);

		assertThat(compliance
			.followRedirects(compliance.postForm(console.url("/tenants/tn-1/keys/k-1/revoke"), Map.of("_csrf", csrf)))
			.body()).contains("The key was not revoked: " + FORBIDDEN);
		assertThat(compliance
			.followRedirects(compliance.postForm(console.url("/tenants/tn-1/suspend"), Map.of("_csrf", csrf)))
			.body()).contains("The tenant was not suspended: " + FORBIDDEN);
		HttpResponse<String> delete = compliance.postForm(console.url("/tenants/tn-1/delete"),
				Map.of("_csrf", csrf, "confirm_name", "acme"));
		assertThat(delete.statusCode()).isEqualTo(403);
		assertThat(delete.body()).contains("The tenant was not deleted: " + FORBIDDEN);

		assertThat(console.platformApi().tenants().tenant("tn-1").path("status").asString()).isEqualTo("active");
		assertThat(console.platformApi().tenants().keys("tn-1")).hasSize(2);
		assertThat(console.platformApi().tenants().keys("tn-1").get(0).path("status").asString()).isEqualTo("active");
	}

	@Test
	void anUnreachableOrFailingPlatformApiIsAMessage() throws Exception {
		var browser = console.browser("admin");
		console.platformApi().failing("/api/admin/tenants");

		assertThat(browser.get(console.url("/tenants")).body()).contains("Tenants could not be loaded.",
				"platform-api answered 503: database is down.");
		HttpResponse<String> tenant = browser.get(console.url("/tenants/tn-1"));
		assertThat(tenant.statusCode()).isEqualTo(200);
		assertThat(tenant.body()).contains("The tenant could not be loaded.", "Usage could not be loaded.",
				"API keys could not be loaded.");
	}

	private static HttpResponse<String> post(AuthorizationCodeFlowClient browser, String path, List<String> fields)
			throws Exception {
		StringBuilder body = new StringBuilder();
		for (int i = 0; i < fields.size(); i += 2) {
			if (!body.isEmpty()) {
				body.append('&');
			}
			body.append(URLEncoder.encode(fields.get(i), StandardCharsets.UTF_8))
				.append('=')
				.append(URLEncoder.encode(fields.get(i + 1), StandardCharsets.UTF_8));
		}
		URI uri = console.url(path);
		return browser.post(uri, "application/x-www-form-urlencoded", body.toString());
	}

}
