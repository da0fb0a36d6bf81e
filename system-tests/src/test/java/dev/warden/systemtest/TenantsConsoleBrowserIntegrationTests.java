package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The tenant and API key pages in a real headless Chromium against the real cluster: an
 * administrator creates a tenant, issues it a key scoped to {@code income}, copies the
 * secret from the one page that shows it, the key predicts through the gateway, the
 * administrator revokes it and the same call is refused; platform-api audited each step.
 * Then a compliance officer sees the tenant and its keys without any control, and a form
 * post forged in that officer's browser is answered with platform-api's 403 as a message.
 * Every page visited is kept as a screenshot.
 */
@ExtendWith(WardenClusterExtension.class)
class TenantsConsoleBrowserIntegrationTests {

	private static final String INCOME_ROW = """
			{"instances":[{"age":39,"workclass":"State-gov","fnlwgt":77516,"education":"Bachelors",
			 "education_num":13,"marital_status":"Never-married","occupation":"Adm-clerical",
			 "relationship":"Not-in-family","race":"White","sex":"Male","capital_gain":2174,"capital_loss":0,
			 "hours_per_week":40,"native_country":"United-States"}]}""";

	private static final String INCOME_TWO_ROWS = INCOME_ROW.replace("}]}", "},") + INCOME_ROW.substring(14);

	private WebDriver browser;

	@AfterEach
	void closeBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void anAdminIssuesAKeyThatPredictsUntilRevokedAndComplianceOnlyReads(WardenCluster cluster) throws Exception {
		String name = "console-" + UUID.randomUUID().toString().substring(0, 8);
		browser = HeadlessChromium.open();
		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		signIn(cluster, wait, "admin", WardenCluster.ADMIN_PASSWORD, "/tenants");

		// a new tenant, then the list searched for it
		assertThat(browser.findElement(By.cssSelector("nav.nav")).getText()).contains("Tenants");
		WebElement create = browser.findElement(By.cssSelector("form.create-tenant"));
		create.findElement(By.id("tenant-name")).sendKeys(name);
		new Select(create.findElement(By.id("tenant-plan"))).selectByValue("standard");
		create.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"),
				"Tenant " + name + " created with plan standard."));
		String tenantUrl = browser.getCurrentUrl();
		String tenantId = tenantUrl.substring(tenantUrl.lastIndexOf('/') + 1);
		assertThat(browser.findElement(By.id("usage")).getText()).contains("Quotas of plan standard");
		screenshot("console-tenant.png");
		browser.get(cluster.console() + "/tenants?q=" + name);
		WebElement listed = wait.until(ExpectedConditions
			.visibilityOfElementLocated(By.cssSelector("table.tenants tr[data-tenant='" + tenantId + "']")));
		assertThat(listed.getText()).contains(name, "standard", "active");
		screenshot("console-tenants.png");
		// the plans in force, from platform-api (policies/quotas.yaml as shipped)
		browser.get(cluster.console() + "/quota-plans");
		WebElement standard = wait.until(ExpectedConditions
			.visibilityOfElementLocated(By.cssSelector("table.quota-plans tr[data-plan='standard']")));
		assertThat(standard.getText()).contains("standard");
		assertThat(browser.findElement(By.cssSelector("table.quota-plans tr[data-plan='free']")).getText())
			.contains("default");
		screenshot("console-quota-plans.png");
		browser.get(cluster.console() + "/tenants/" + tenantId + "/delete");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-name")));
		assertThat(browser.findElement(By.cssSelector(".confirm")).getText()).contains("crypto-shredded",
				"can never be read again");
		screenshot("console-tenant-delete.png");
		browser.get(tenantUrl);

		// a key for income, predict and metadata only
		WebElement issue = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.issue-key")));
		issue.findElement(By.id("key-name")).sendKeys("scoring");
		for (String operation : new String[] { "explain", "feedback" }) {
			issue.findElement(By.cssSelector("input[name=operations][value=" + operation + "]")).click();
		}
		issue.findElement(By.id("key-models")).sendKeys("income");
		issue.findElement(By.cssSelector("button[type=submit]")).click();
		WebElement secretField = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-key-secret")));
		// the copy button is shown by the console's own script (the page works without
		// it)
		WebElement copy = browser.findElement(By.cssSelector("button.copy-secret"));
		assertThat(copy.isDisplayed()).isTrue();
		copy.click();
		wait.until(ExpectedConditions.not(ExpectedConditions.textToBe(By.cssSelector(".copy-status"), "")));
		String secret = secretField.getAttribute("value");
		assertThat(secret).startsWith("wdn_");
		assertThat(browser.getCurrentUrl()).doesNotContain(secret);
		screenshot("console-key-issued.png");

		var predicted = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(secret), INCOME_ROW);
		assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
		assertThat(predicted.json().path("predictions").size()).isEqualTo(1);

		// the key is listed by its prefix, never with its secret again
		browser.get(tenantUrl);
		WebElement row = wait.until(ExpectedConditions
			.visibilityOfElementLocated(By.xpath("//table[contains(@class,'keys')]//tr[th='scoring']")));
		assertThat(row.getText()).contains("predict, metadata", "income", "active");
		assertThat(browser.getPageSource()).doesNotContain(secret);
		String keyId = row.getAttribute("data-key");

		// a larger plan: the usage table shows its limits
		new Select(browser.findElement(By.id("tenant-plan"))).selectByValue("enterprise");
		browser.findElement(By.cssSelector("form.change-plan button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("plan-message"),
				"The plan of " + name + " is now enterprise"));
		assertThat(browser.findElement(By.id("details")).getText()).contains("enterprise");
		assertThat(browser.findElement(By.id("usage")).getText()).contains("Quotas of plan enterprise", "1000 (2000)");

		// a per-key override must be stricter than the plan: a looser burst is refused
		// next to its field with the form still open as typed, then one row per request
		// is stored and enforced by the gateway
		String quotaField = "q-" + keyId + "-";
		openQuota(wait, keyId);
		// the rate and the burst are set together
		browser.findElement(By.id(quotaField + "requests_per_second")).sendKeys("100");
		browser.findElement(By.id(quotaField + "burst")).sendKeys("5000");
		browser.findElement(By.id(quotaField + "max_rows_per_request")).sendKeys("1");
		quotaForm(keyId).findElement(By.cssSelector("button[type=submit]")).click();
		WebElement looser = wait
			.until(ExpectedConditions.visibilityOfElementLocated(By.id(quotaField + "burst-error")));
		assertThat(looser.getText()).contains("Not changed: platform-api answered 400",
				"looser than plan 'enterprise'");
		assertThat(browser.findElement(By.id(quotaField + "max_rows_per_request")).getAttribute("value"))
			.isEqualTo("1");
		((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView();", looser);
		screenshot("console-key-quota-refused.png");
		browser.findElement(By.id(quotaField + "requests_per_second")).clear();
		browser.findElement(By.id(quotaField + "burst")).clear();
		quotaForm(keyId).findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys"), "has a new quota override"));
		assertThat(browser.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).getText())
			.contains("max_rows_per_request");
		var twoRows = awaitStatus(cluster, secret, INCOME_TWO_ROWS, 400);
		assertThat(twoRows.json().path("error").path("code").asString()).isEqualTo("too_many_rows");
		assertThat(Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(secret), INCOME_ROW)
			.status()).isEqualTo(200);

		// suspended: every call with its keys refused; reactivated: accepted again
		browser.findElement(By.linkText("Suspend…")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Suspend tenant " + name));
		assertThat(browser.findElement(By.cssSelector(".confirm")).getText()).contains("tenant_suspended");
		screenshot("console-tenant-suspend.png");
		browser.findElement(By.cssSelector(".confirm form button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("details"), "is suspended"));
		assertThat(browser.findElement(By.id("details")).getText()).contains("suspended");
		var suspended = awaitStatus(cluster, secret, INCOME_ROW, 403);
		assertThat(suspended.json().path("error").path("code").asString()).isEqualTo("tenant_suspended");
		browser.findElement(By.xpath("//button[normalize-space()='Reactivate']")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("details"), "is active again"));
		awaitStatus(cluster, secret, INCOME_ROW, 200);
		row = browser.findElement(By.cssSelector("tr[data-key='" + keyId + "']"));

		row.findElement(By.linkText("Revoke…")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Revoke API key"));
		screenshot("console-key-revoke.png");
		browser.findElement(By.cssSelector("form button.danger")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys"), "is revoked"));
		assertThat(browser.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).getText()).contains("revoked");

		// the same call is refused (this replica updates its key index right after the
		// commit)
		var refused = awaitStatus(cluster, secret, INCOME_ROW, 401);
		assertThat(refused.json().path("error").path("code").asString()).isEqualTo("invalid_api_key");

		var admin = Http.bearer(cluster.adminToken());
		assertThat(actions(cluster, admin, "tenant", tenantId)).contains("tenant.created", "tenant.updated",
				"tenant.suspended", "tenant.reactivated");
		assertThat(actions(cluster, admin, "api_key", keyId)).contains("api_key.created", "api_key.quota_updated",
				"api_key.revoked");
		browser.quit();

		// compliance: everything visible, nothing to press; a forged post is refused
		browser = HeadlessChromium.open();
		wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		signIn(cluster, wait, "compliance", WardenCluster.COMPLIANCE_PASSWORD, "/tenants/" + tenantId);
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("keys")));
		assertThat(browser.findElement(By.id("details")).getText()).contains(name, "enterprise", "active");
		assertThat(browser.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).getText()).contains("scoring",
				"revoked");
		assertThat(browser.findElements(By.cssSelector("main form"))).isEmpty();
		assertThat(browser.findElements(By.partialLinkText("Revoke"))).isEmpty();
		assertThat(browser.findElements(By.partialLinkText("Suspend"))).isEmpty();
		assertThat(browser.findElements(By.partialLinkText("Delete"))).isEmpty();
		screenshot("console-tenant-compliance.png");

		String csrf = browser.findElement(By.cssSelector("form[action='/logout'] input[name=_csrf]"))
			.getAttribute("value");
		((JavascriptExecutor) browser).executeScript("""
				var form = document.createElement('form');
				form.method = 'post';
				form.action = arguments[0];
				var token = document.createElement('input');
				token.type = 'hidden'; token.name = '_csrf'; token.value = arguments[1];
				form.appendChild(token);
				document.body.appendChild(form);
				form.submit();""", "/tenants/" + tenantId + "/suspend", csrf);
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("details"), "was not suspended"));
		assertThat(browser.findElement(By.id("details")).getText())
			.contains("The tenant was not suspended: platform-api answered 403");
		screenshot("console-tenant-compliance-refused.png");
		var tenant = Http.get(cluster.gateway() + "/api/admin/tenants/" + tenantId, admin).json();
		assertThat(tenant.path("status").asString()).isEqualTo("active");
		browser.quit();

		// deleted by an administrator who types its name (a wrong name deletes nothing)
		browser = HeadlessChromium.open();
		wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		signIn(cluster, wait, "admin", WardenCluster.ADMIN_PASSWORD, "/tenants/" + tenantId);
		browser.findElement(By.linkText("Delete…")).click();
		WebElement typed = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-name")));
		typed.sendKeys(name + "-not");
		browser.findElement(By.cssSelector(".confirm form button.danger")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("confirm-error"), "nothing was deleted"));
		assertThat(Http.get(cluster.gateway() + "/api/admin/tenants/" + tenantId, admin).status()).isEqualTo(200);
		browser.findElement(By.id("confirm-name")).sendKeys(name);
		browser.findElement(By.cssSelector(".confirm form button.danger")).click();
		wait.until(
				ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Tenant " + name + " deleted"));
		assertThat(browser.getCurrentUrl()).endsWith("/tenants");
		browser.get(cluster.console() + "/tenants?q=" + name);
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
		assertThat(browser.findElements(By.cssSelector("tr[data-tenant='" + tenantId + "']"))).isEmpty();
		assertThat(Http.get(cluster.gateway() + "/api/admin/tenants/" + tenantId, admin).status()).isEqualTo(404);
		assertThat(actions(cluster, admin, "tenant", tenantId)).contains("tenant.deleted");
	}

	private void signIn(WardenCluster cluster, WebDriverWait wait, String user, String password, String path) {
		browser.get(cluster.console() + path);
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys(user);
		browser.findElement(By.name("password")).sendKeys(password);
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Sign out"));
		if (!browser.getCurrentUrl().endsWith(path)) {
			browser.get(cluster.console() + path);
		}
	}

	/** Opens the quota override form of the key (a closed details element). */
	private void openQuota(WebDriverWait wait, String keyId) {
		WebElement details = browser.findElement(By.cssSelector("tr[data-key='" + keyId + "'] details.quota-edit"));
		details.findElement(By.tagName("summary")).click();
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("q-" + keyId + "-burst")));
	}

	private WebElement quotaForm(String keyId) {
		return browser.findElement(By.cssSelector("tr[data-key='" + keyId + "'] details.quota-edit form"));
	}

	/** The gateway's answer to the prediction once it has the status (at most 10 s). */
	private static Http.Response awaitStatus(WardenCluster cluster, String key, String body, int status)
			throws Exception {
		var deadline = Instant.now().plus(Duration.ofSeconds(10));
		Http.Response last;
		do {
			last = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(key), body);
			if (last.status() == status) {
				return last;
			}
			Thread.sleep(100);
		}
		while (Instant.now().isBefore(deadline));
		throw new AssertionError("the gateway still answers " + last.status() + ": " + last.body());
	}

	private static java.util.List<String> actions(WardenCluster cluster, Map<String, String> admin, String type,
			String id) throws Exception {
		JsonNode events = Http
			.get(cluster.gateway() + "/api/admin/audit-events?target_type=" + type + "&target_id=" + id, admin)
			.json();
		return events.path("content").valueStream().map((event) -> event.path("action").asString()).toList();
	}

	private void screenshot(String name) throws Exception {
		HeadlessChromium.screenshot(browser, name);
	}

}
