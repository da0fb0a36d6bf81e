package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person's path through the console in a real headless Chromium: the OIDC login on the
 * embedded authorization server, then the dashboard with the model and its signature read
 * from the gateway, and the workers page with the worker that serves it.
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
			var page = browser.findElement(By.tagName("body")).getText();
			assertThat(page).contains("END", "Failed to load:", "cannot load SavedModel " + broken + "/1");
		}
		finally {
			screenshot("console-failed-version.png");
		}
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
