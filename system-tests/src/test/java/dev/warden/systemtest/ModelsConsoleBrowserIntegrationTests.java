package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The models pages in a real headless Chromium against the real cluster: an administrator
 * creates a model by uploading a real SavedModel in the browser (with the progress bar),
 * watches the worker make it AVAILABLE without reloading the page, uploads a second
 * version, sets it as a 10 % canary with the weight slider (a larger weight is refused by
 * the promotion policy, in platform-api's words, next to the slider), pins a tenant to
 * the canary, sees promoting it refused by the policy, rolls it back, grants the model to
 * the pinned tenant only and sees a reset refused, each change confirmed on its own page;
 * on a model its policy lets administrators route directly, a canary is promoted and the
 * routing reset. Predictions through the gateway carry the {@code X-Model-Version} the
 * routing names (or the 404 the grants imply), and platform-api audited each change. Then
 * a compliance officer sees the model without any control, and a change forged in that
 * officer's browser is answered with platform-api's 403 as a message. Every page visited
 * is kept as a screenshot.
 */
@ExtendWith(WardenClusterExtension.class)
class ModelsConsoleBrowserIntegrationTests {

	private static final String INCOME_ROW = """
			{"instances":[{"age":39,"workclass":"State-gov","fnlwgt":77516,"education":"Bachelors",
			 "education_num":13,"marital_status":"Never-married","occupation":"Adm-clerical",
			 "relationship":"Not-in-family","race":"White","sex":"Male","capital_gain":2174,"capital_loss":0,
			 "hours_per_week":40,"native_country":"United-States"}]}""";

	/**
	 * The model routed without approval ({@code policies/promotion-models.yaml} of the
	 * system tests); only this test uses it.
	 */
	private static final String DIRECT = "console-direct";

	private WebDriver browser;

	@AfterEach
	void closeBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void anAdminUploadsRoutesAndRollsBackAndComplianceOnlyReads(WardenCluster cluster, @TempDir Path dir)
			throws Exception {
		String model = "console-" + UUID.randomUUID().toString().substring(0, 8);
		Path archive = dir.resolve("income.zip");
		Files.write(archive, Http.zip(cluster.modelVersionDir));
		browser = HeadlessChromium.open();
		var wait = new WebDriverWait(browser, Duration.ofSeconds(90));
		signIn(cluster, wait, "admin", WardenCluster.ADMIN_PASSWORD, "/models");

		// a new model by its first upload, from the list page
		assertThat(browser.findElement(By.cssSelector("nav.nav a")).getText()).isEqualTo("Models");
		WebElement upload = browser.findElement(By.cssSelector("form.upload-model"));
		upload.findElement(By.id("upload-name")).sendKeys(model);
		upload.findElement(By.id("upload-file")).sendKeys(archive.toAbsolutePath().toString());
		upload.findElement(By.id("upload-confirm")).click();
		screenshot("console-models.png");
		upload.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"),
				"Version 1 of " + model + " was uploaded and validated by a worker"));
		assertThat(browser.getCurrentUrl()).endsWith("/models/" + model + "?uploaded=1");
		// the worker's state follows without reloading the page (htmx)
		awaitAvailable(wait, "1");
		screenshot("console-model-uploaded.png");

		// the second version, from the model page
		WebElement next = browser.findElement(By.cssSelector("form.upload-model"));
		next.findElement(By.id("upload-file")).sendKeys(archive.toAbsolutePath().toString());
		next.findElement(By.id("upload-confirm")).click();
		next.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"),
				"Version 2 of " + model + " was uploaded"));
		// the upload changes nothing for tenants: version 1 became stable, version 2
		// waits
		// for a canary or a promotion (the promotion policy requires approval)
		awaitSettled(wait, "2");
		WebElement two = browser.findElement(By.id("version-2"));
		assertThat(two.getText()).contains("SHA-256", "admin", "serving_default", "DT_FLOAT");
		assertThat(browser
			.findElement(
					By.xpath("//section[@id='routing']//dt[normalize-space()='Stable version']/following-sibling::dd"))
			.getText()).isEqualTo("1");
		assertThat(two.findElement(By.linkText("Promotion")).getAttribute("href"))
			.endsWith("/models/" + model + "/versions/2/promotion");

		// a canary above what the policy allows without approval is refused next to the
		// slider
		setCanary(wait, "2", 50);
		WebElement refused = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("canary-error")));
		assertThat(refused.getText()).contains("Nothing was changed: platform-api answered 409");
		// the refusal is also summed up at the top of the page, with a link to the slider
		assertThat(browser.findElement(By.id("change-refused")).getText())
			.contains("Nothing was changed: platform-api answered 409", "Go to the control");
		assertThat(refused.findElement(By.tagName("a")).getAttribute("href"))
			.endsWith("/models/" + model + "/versions/2/promotion");
		screenshot("console-model-canary-refused.png");

		// 10 %: allowed
		setCanary(wait, "2", 10);
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("routing"),
				"Version 2 of " + model + " now answers 10 % of the calls that name no version."));
		assertThat(browser.findElement(By.id("routing")).getText()).contains("version 2 at 10 %");
		scrollTo("routing");
		screenshot("console-model-routing.png");

		String pinnedTenant = cluster.newTenant("pinned", "enterprise");
		String pinnedKey = cluster.newKey(pinnedTenant, "pinned");
		String otherKey = cluster.newTenantKey("unpinned", "enterprise");
		// the canary answers some request ids, the stable version the rest (enterprise
		// plan: the 40 calls of a round fit its rate)
		assertThat(awaitVersions(cluster, model, otherKey, Set.of("1", "2"))).containsExactlyInAnyOrder("1", "2");

		// pin a tenant, chosen by name, to the canary
		browser.get(cluster.console() + "/models/" + model);
		WebElement pin = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("pin-tenant")));
		new Select(pin).selectByValue(pinnedTenant);
		new Select(browser.findElement(By.id("pin-version"))).selectByValue("2");
		openConfirmation(wait, "Pin", "Pin to version 2");
		screenshot("console-model-pin-confirm.png");
		confirm("Pin");
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("routing"), "Pinned"));
		assertThat(awaitVersions(cluster, model, pinnedKey, Set.of("2"))).containsExactly("2");

		// promoting the canary changes the stable version, which this model's policy
		// reserves for an approved promotion request: refused, with a link to request it
		assertThat(openConfirmation(wait, "Promote the canary", "Promote the canary of " + model))
			.contains("Canary version 2 becomes the stable version");
		confirm("Promote the canary");
		WebElement notPromoted = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("promote-error")));
		assertThat(notPromoted.getText()).contains("Nothing was changed: platform-api answered 409",
				"approved promotion request");
		assertThat(notPromoted.findElement(By.tagName("a")).getAttribute("href"))
			.endsWith("/models/" + model + "/versions/2/promotion");
		screenshot("console-model-promote-refused.png");

		// roll back: the unpinned tenant gets the stable version only, the pin stays
		assertThat(openConfirmation(wait, "Roll back", "Roll back the canary")).contains("version 2 at 10 %");
		screenshot("console-model-rollback-confirm.png");
		confirm("Roll back");
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("routing"), "was rolled back"));
		assertThat(awaitVersions(cluster, model, otherKey, Set.of("1"))).containsExactly("1");
		assertThat(awaitVersions(cluster, model, pinnedKey, Set.of("2"))).containsExactly("2");
		scrollTo("routing");
		screenshot("console-model-rolled-back.png");

		// grants: only the pinned tenant may call the model now, any other tenant's call
		// is answered as if the model did not exist
		WebElement grants = browser.findElement(By.id("grants"));
		grants.findElement(By.cssSelector("input[name=scope][value=list]")).click();
		grants.findElement(By.cssSelector("input[name=tenants][value='" + pinnedTenant + "']")).click();
		assertThat(openConfirmation(wait, "Replace the grants", "Change who may call " + model)).contains(
				"Only these tenants may call " + model + ": pinned-", "404 model_not_found", "Now: every tenant.");
		screenshot("console-model-grants-confirm.png");
		confirm("Replace the grants");
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("grants"),
				"The grants of " + model + " were replaced."));
		assertThat(browser.findElement(By.id("grants")).getText())
			.contains("Only these tenants may call this model: pinned-");
		assertThat(awaitVersions(cluster, model, otherKey, Set.of("404 model_not_found")))
			.as("another tenant's calls once the grants name only the pinned tenant")
			.containsExactly("404 model_not_found");
		assertThat(awaitVersions(cluster, model, pinnedKey, Set.of("2"))).containsExactly("2");

		// resetting the routing would let the newest version serve instead of the
		// approved stable one: refused as well
		openConfirmation(wait, "Reset the routing", "Reset the routing of " + model);
		confirm("Reset the routing");
		WebElement notReset = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("reset-error")));
		assertThat(notReset.getText()).contains("Nothing was changed: platform-api answered 409",
				"would let its newest version serve");

		// a promotion request of version 2 from its promotion page (this model's own, so
		// no other test's requests are touched): refused by a rule or pending, it is
		// stored and has its page
		browser.get(cluster.console() + "/models/" + model + "/versions/2/promotion");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.request-promotion")));
		browser.findElement(By.cssSelector("form.request-promotion input[name=target][value=stable]")).click();
		browser.findElement(By.id("request-comment")).sendKeys("Version 2 after its canary");
		confirm("Request the promotion");
		By requestLink = By.cssSelector("#requests a[href^='/promotions/']");
		wait.until((driver) -> driver.getCurrentUrl().matches(".*/promotions/[^/?#]+$")
				|| !driver.findElements(requestLink).isEmpty());
		if (!browser.getCurrentUrl().matches(".*/promotions/[^/?#]+$")) {
			browser.findElement(requestLink).click();
			wait.until(ExpectedConditions.urlMatches(".*/promotions/[^/?#]+$"));
		}
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Promotion request"));
		assertThat(browser.findElement(By.tagName("main")).getText()).contains(model, "Version 2 after its canary");
		screenshot("console-promotion-request.png");

		var admin = Http.bearer(cluster.adminToken());
		assertThat(actions(cluster, admin, "model", model)).contains("model.canary_set", "model.pin_set",
				"model.canary_rolled_back", "model.grants_changed");

		// a model whose policy lets administrators route it directly (the system tests'
		// policies/promotion-models.yaml): with no stable version its newest version
		// answers; a canary of version 1 at 50 %, promoted, then the routing reset
		for (int i = 0; i < 2; i++) {
			var uploaded = Http.postFile(cluster.gateway() + "/api/admin/models/" + DIRECT + "/versions", admin, "file",
					"income.zip", Files.readAllBytes(archive));
			assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
		}
		assertThat(awaitVersions(cluster, DIRECT, otherKey, Set.of("2"))).containsExactly("2");
		browser.get(cluster.console() + "/models/" + DIRECT);
		setCanary(wait, "1", 50);
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("routing"),
				"Version 1 of " + DIRECT + " now answers 50 % of the calls that name no version."));
		assertThat(awaitVersions(cluster, DIRECT, otherKey, Set.of("1", "2"))).containsExactlyInAnyOrder("1", "2");
		assertThat(openConfirmation(wait, "Promote the canary", "Promote the canary of " + DIRECT))
			.contains("Canary version 1 becomes the stable version of " + DIRECT + " (now version 2)");
		confirm("Promote the canary");
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("routing"),
				"Version 1 is now the stable version of " + DIRECT + "."));
		assertThat(awaitVersions(cluster, DIRECT, otherKey, Set.of("1"))).containsExactly("1");
		assertThat(openConfirmation(wait, "Reset the routing", "Reset the routing of " + DIRECT))
			.contains("The stable version (version 1)");
		screenshot("console-model-reset-confirm.png");
		confirm("Reset the routing");
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("routing"),
				"The routing of " + DIRECT + " was reset"));
		assertThat(browser
			.findElement(
					By.xpath("//section[@id='routing']//dt[normalize-space()='Stable version']/following-sibling::dd"))
			.getText()).startsWith("none");
		assertThat(awaitVersions(cluster, DIRECT, otherKey, Set.of("2"))).containsExactly("2");
		assertThat(actions(cluster, admin, "model", DIRECT)).contains("model.canary_set", "model.canary_promoted",
				"model.routing_reset");
		assertThat(actions(cluster, admin, "model_version", model + "/1")).contains("model_version.uploaded");
		browser.quit();

		// compliance: everything visible, nothing to press; a forged change is refused
		browser = HeadlessChromium.open();
		wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		signIn(cluster, wait, "compliance", WardenCluster.COMPLIANCE_PASSWORD, "/models/" + model);
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("version-2")));
		assertThat(browser.findElement(By.id("pins")).getText()).contains("pinned-");
		assertThat(browser.findElements(By.cssSelector("main form"))).isEmpty();
		assertThat(browser.findElements(By.cssSelector("input[type=range], input[type=file]"))).isEmpty();
		screenshot("console-model-compliance.png");

		String csrf = browser.findElement(By.cssSelector("form[action='/logout'] input[name=_csrf]"))
			.getAttribute("value");
		((JavascriptExecutor) browser).executeScript(
				"""
						var form = document.createElement('form');
						form.method = 'post';
						form.action = arguments[0];
						[['_csrf', arguments[1]], ['action', 'canary'], ['version', '2'], ['weight', '5']].forEach(function (f) {
						  var input = document.createElement('input');
						  input.type = 'hidden'; input.name = f[0]; input.value = f[1];
						  form.appendChild(input);
						});
						document.body.appendChild(form);
						form.submit();""",
				"/models/" + model + "/apply", csrf);
		WebElement forbidden = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("canary-error")));
		assertThat(forbidden.getText()).contains("Nothing was changed: platform-api answered 403");
		screenshot("console-model-compliance-refused.png");
		JsonNode routing = Http.get(cluster.gateway() + "/api/admin/models/" + model + "/routing", admin).json();
		assertThat(routing.path("canary").isNull()).as(routing.toString()).isTrue();
	}

	/**
	 * Presses the control that opens a change's confirmation page ({@code control} and an
	 * ellipsis) and returns what the page says the change will do, once its heading
	 * shows.
	 */
	private String openConfirmation(WebDriverWait wait, String control, String heading) {
		browser.findElement(By.xpath("//button[normalize-space()='" + control + "…']")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), heading));
		return browser.findElement(By.cssSelector(".confirm")).getText();
	}

	/** Presses the button that applies a change on its confirmation page. */
	private void confirm(String button) {
		browser.findElement(By.xpath("//button[normalize-space()='" + button + "']")).click();
	}

	/**
	 * Chooses the canary version, moves the slider with the keyboard to the weight,
	 * confirms.
	 */
	private void setCanary(WebDriverWait wait, String version, int weight) throws Exception {
		new Select(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("canary-version"))))
			.selectByValue(version);
		WebElement slider = browser.findElement(By.id("canary-weight"));
		slider.sendKeys(Keys.HOME);
		for (int i = 1; i < weight; i++) {
			slider.sendKeys(Keys.ARROW_RIGHT);
		}
		assertThat(browser.findElement(By.id("canary-weight-value")).getText()).isEqualTo(weight + " %");
		assertThat(openConfirmation(wait, "Set the canary", "Route " + weight + " % of"))
			.contains("Version " + version + " will answer " + weight + " %");
		if (weight == 10) {
			screenshot("console-model-canary-confirm.png");
		}
		confirm("Set the canary");
	}

	/** Waits until the version's status, refreshed by the page itself, says AVAILABLE. */
	private void awaitAvailable(WebDriverWait wait, String version) {
		awaitSettled(wait, version);
		assertThat(browser.findElement(By.id("status-" + version)).getText()).contains("State: AVAILABLE");
	}

	/** Waits until the version's status, refreshed by the page itself, is final. */
	private void awaitSettled(WebDriverWait wait, String version) {
		wait.until(ExpectedConditions
			.presenceOfElementLocated(By.cssSelector("#status-" + version + "[data-settled='true']")));
	}

	/**
	 * The versions that answer 40 predictions with different request ids, once they are
	 * exactly the expected ones (at most 60 s: routing changes reach every replica within
	 * half a second, but a version routed to for the first time is loaded then).
	 */
	private static Set<String> awaitVersions(WardenCluster cluster, String model, String key, Set<String> expected)
			throws Exception {
		var deadline = Instant.now().plus(Duration.ofSeconds(60));
		Set<String> seen;
		do {
			seen = new HashSet<>();
			// new request ids every round: the canary's share is chosen by a hash of
			// model
			// and request id, and for 1.5 % of model names none of 40 fixed ids falls
			// into
			// a 10 % canary
			for (int i = 0; i < 40; i++) {
				Map<String, String> headers = new LinkedHashMap<>(Http.bearer(key));
				headers.put("X-Request-Id", "models-console-" + UUID.randomUUID());
				var answer = Http.postJson(cluster.gateway() + "/v1/models/" + model + ":predict", headers, INCOME_ROW);
				seen.add((answer.status() == 200) ? answer.header("X-Model-Version")
						: answer.status() + " " + answer.json().path("error").path("code").asString());
			}
			if (seen.equals(expected)) {
				return seen;
			}
			Thread.sleep(200);
		}
		while (Instant.now().isBefore(deadline));
		return seen;
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

	private static java.util.List<String> actions(WardenCluster cluster, Map<String, String> admin, String type,
			String id) throws Exception {
		JsonNode events = Http
			.get(cluster.gateway() + "/api/admin/audit-events?target_type=" + type + "&target_id=" + id, admin)
			.json();
		return events.path("content").valueStream().map((event) -> event.path("action").asString()).toList();
	}

	private void scrollTo(String id) {
		((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView();", browser.findElement(By.id(id)));
	}

	private void screenshot(String name) throws Exception {
		HeadlessChromium.screenshot(browser, name);
	}

}
