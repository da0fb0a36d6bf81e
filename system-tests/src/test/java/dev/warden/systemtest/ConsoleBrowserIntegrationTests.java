package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person's path through the console in a real headless Chromium: the OIDC login on the
 * embedded authorization server, then the dashboard with the model and its signature read
 * from the gateway.
 */
@ExtendWith(WardenClusterExtension.class)
class ConsoleBrowserIntegrationTests {

	private WebDriver browser;

	@BeforeEach
	void openBrowser() {
		var options = new ChromeOptions();
		options.setBinary(System.getProperty("warden.chromium", "/usr/bin/chromium"));
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1280,1000");
		var service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(System.getProperty("warden.chromedriver", "/usr/bin/chromedriver")))
			.usingAnyFreePort()
			.build();
		browser = new ChromeDriver(service, options);
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
		var dir = Path.of(System.getProperty("warden.logs.dir", "target"));
		Files.createDirectories(dir);
		var png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
		Files.write(dir.resolve(name), png);
	}

}
