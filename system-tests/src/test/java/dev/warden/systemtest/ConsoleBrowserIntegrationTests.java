package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person's path through the console in a real headless Chromium: the OIDC login on the
 * embedded authorization server, then the dashboard with the model and its signature read
 * from the gateway, and the workers page with the worker that serves it; the header
 * reached by keyboard, and every console page opened once as an administrator (each
 * screenshot is also an accessibility check).
 */
@ExtendWith(WardenClusterExtension.class)
class ConsoleBrowserIntegrationTests {

	private WebDriver browser;

	@BeforeEach
	void openBrowser() {
		browser = HeadlessChromium.open();
	}

	@AfterEach
	void closeBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void anAdminLogsInAndSeesTheModelWithItsSignature(WardenCluster cluster) throws Exception {
		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		browser.get(cluster.console() + "/");

		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys("admin");
		browser.findElement(By.name("password")).sendKeys(WardenCluster.ADMIN_PASSWORD);
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();

		try {
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "income"));
			var page = browser.findElement(By.tagName("body")).getText();
			assertThat(page).contains("income", "serving_default", "age", "native_country", "probability", "class_id");
			assertThat(page).contains("admin");
		}
		finally {
			screenshot("console-dashboard.png");
		}

		// the workers page: the configured worker, healthy, serving income (reloaded
		// until
		// the gateway's health check and the worker's report say so)
		try {
			wait.until((driver) -> {
				driver.get(cluster.console() + "/workers");
				var worker = driver.findElements(By.cssSelector("section[data-worker='configured-1']"));
				if (worker.isEmpty() || worker.get(0).findElements(By.cssSelector(".health-up")).isEmpty()) {
					return false;
				}
				var income = worker.get(0).findElements(By.cssSelector("tr[data-model='income'] td"));
				return !income.isEmpty() && !income.get(0).getText().equals("none");
			});
			var worker = browser.findElement(By.cssSelector("section[data-worker='configured-1']")).getText();
			assertThat(worker).contains(cluster.worker(), "configured", "healthy", "income")
				.doesNotContain("unhealthy");
			assertThat(browser.findElement(By.tagName("body")).getText())
				.contains("view of the gateway replica that answered");
		}
		finally {
			screenshot("console-workers.png");
		}
	}

	@Test
	void aVersionThatFailedToLoadIsShownWithItsError(WardenCluster cluster) throws Exception {
		String broken = cluster.brokenModel();
		awaitFailedInCatalogue(cluster, broken);
		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		browser.get(cluster.console() + "/");

		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys("admin");
		browser.findElement(By.name("password")).sendKeys(WardenCluster.ADMIN_PASSWORD);
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();

		try {
			wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), broken));
			// the catalogue's state of the version follows the worker's reports, which
			// retry the load: reloaded until the page shows the failure
			wait.until((driver) -> {
				if (driver.findElement(By.tagName("body")).getText().contains("Failed to load:")) {
					return true;
				}
				driver.navigate().refresh();
				return false;
			});
			var page = browser.findElement(By.tagName("body")).getText();
			assertThat(page).contains("END", "Failed to load:", "cannot load SavedModel " + broken + "/1");
		}
		finally {
			screenshot("console-failed-version.png");
		}
	}

	/**
	 * The keyboard path from the top of the dashboard (the skip link first, then the
	 * header's links, each visibly outlined when focused), then every console page not
	 * opened by another browser test, each kept as a screenshot and so checked with
	 * axe-core.
	 */
	@Test
	void anAdminTabsThroughTheHeaderAndOpensEveryPage(WardenCluster cluster) throws Exception {
		var admin = Http.bearer(cluster.adminToken());
		String version = availableVersion(cluster, admin, "income");
		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		browser.get(cluster.console() + "/");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username")));
		screenshot("console-sign-in.png");
		browser.findElement(By.name("username")).sendKeys("admin");
		browser.findElement(By.name("password")).sendKeys(WardenCluster.ADMIN_PASSWORD);
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Sign out"));

		// from the top of the page: the skip link, the brand, then each header link
		browser.get(cluster.console() + "/");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("nav.nav")));
		List<String> navLinks = browser.findElements(By.cssSelector("nav.nav a"))
			.stream()
			.map((link) -> link.getAttribute("href"))
			.toList();
		assertThat(navLinks).hasSizeGreaterThanOrEqualTo(8);
		List<String> focused = new ArrayList<>();
		for (int i = 0; i < navLinks.size() + 2; i++) {
			new Actions(browser).sendKeys(Keys.TAB).perform();
			WebElement active = browser.switchTo().activeElement();
			assertThat(visiblyFocused(active)).as("focus ring of %s", active.getAttribute("outerHTML")).isTrue();
			focused.add((i == 0) ? active.getAttribute("class") : active.getAttribute("href"));
			if (i == 0) {
				assertThat(active.getText()).isEqualTo("Skip to content");
				assertThat(active.isDisplayed()).isTrue();
				screenshot("console-keyboard-skip-link.png");
			}
		}
		assertThat(focused.get(0)).isEqualTo("skip-link");
		assertThat(focused.get(1)).isEqualTo(cluster.console() + "/");
		assertThat(focused.subList(2, focused.size())).containsExactlyElementsOf(navLinks);
		// the skip link moves the keyboard to the page's content
		browser.navigate().refresh();
		new Actions(browser).sendKeys(Keys.TAB).sendKeys(Keys.ENTER).perform();
		assertThat(browser.getCurrentUrl()).endsWith("#main");

		// every page no other browser test opens as an administrator
		Map<String, String> pages = new LinkedHashMap<>();
		pages.put("/tenants", "console-tenants-admin.png");
		pages.put("/quota-plans", "console-quota-plans-admin.png");
		pages.put("/promotions", "console-promotions.png");
		pages.put("/alerts", "console-alerts.png");
		pages.put("/audit", "console-audit.png");
		pages.put("/request-log", "console-request-log-admin.png");
		pages.put("/exports", "console-exports-admin.png");
		String base = "/models/income/versions/" + version;
		pages.put(base + "/explainability", "console-explainability-admin.png");
		pages.put(base + "/fairness", "console-fairness.png");
		pages.put(base + "/model-card", "console-model-card.png");
		pages.put(base + "/promotion", "console-promotion.png");
		for (var page : pages.entrySet()) {
			browser.get(cluster.console() + page.getKey());
			try {
				wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
				assertThat(browser.findElement(By.tagName("body")).getText()).as(page.getKey())
					.doesNotContain("could not be loaded", "Whitelabel", "Exception");
			}
			finally {
				screenshot(page.getValue());
			}
		}
		// a page that does not exist: the console's 404 page
		browser.get(cluster.console() + "/no-such-page");
		try {
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
			assertThat(browser.findElement(By.tagName("body")).getText()).contains("404");
		}
		finally {
			screenshot("console-not-found.png");
		}
		// signing out ends on the signed-out page
		browser.get(cluster.console() + "/");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form[action='/logout'] button")))
			.click();
		wait.until(ExpectedConditions.urlContains("/signed-out"));
		screenshot("console-signed-out.png");
	}

	/** Whether the element shows a focus indicator: an outline or a box-shadow ring. */
	private boolean visiblyFocused(WebElement element) {
		String outline = element.getCssValue("outline-style");
		String width = element.getCssValue("outline-width");
		String shadow = element.getCssValue("box-shadow");
		return (!"none".equals(outline) && !width.startsWith("0")) || (shadow != null && !"none".equals(shadow));
	}

	private static String availableVersion(WardenCluster cluster, Map<String, String> admin, String model)
			throws Exception {
		var deadline = java.time.Instant.now().plus(Duration.ofMinutes(2));
		while (java.time.Instant.now().isBefore(deadline)) {
			for (var version : Http.get(cluster.gateway() + "/api/admin/models/" + model, admin)
				.json()
				.path("versions")) {
				if ("AVAILABLE".equals(version.path("state").asString())) {
					return version.path("version").asString();
				}
			}
			Thread.sleep(250);
		}
		throw new AssertionError("no AVAILABLE version of " + model + " within 2 minutes");
	}

	private static void awaitFailedInCatalogue(WardenCluster cluster, String model) throws Exception {
		var admin = Http.bearer(cluster.adminToken());
		var deadline = java.time.Instant.now().plus(Duration.ofMinutes(2));
		while (java.time.Instant.now().isBefore(deadline)) {
			var listed = Http.get(cluster.gateway() + "/api/admin/models/" + model, admin);
			if (listed.status() == 200 && listed.body().contains("\"error\":\"cannot load SavedModel")) {
				return;
			}
			Thread.sleep(250);
		}
		throw new AssertionError("model " + model + " is not reported as failed by the admin API within 2 minutes");
	}

	@Test
	void aWrongPasswordIsRefusedOnTheLoginPage(WardenCluster cluster) throws Exception {
		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		browser.get(cluster.console() + "/");

		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys("admin");
		browser.findElement(By.name("password")).sendKeys("not-the-password");
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();

		wait.until(ExpectedConditions.urlContains("error"));
		assertThat(browser.findElement(By.tagName("body")).getText()).doesNotContain("serving_default");
		assertThat(browser.findElements(By.name("password"))).isNotEmpty();
	}

	private void screenshot(String name) throws Exception {
		HeadlessChromium.screenshot(browser, name);
	}

}
