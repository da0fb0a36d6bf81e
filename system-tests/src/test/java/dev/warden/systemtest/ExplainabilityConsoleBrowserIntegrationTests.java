package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The console's explainability page of the real {@code income} model in a real headless
 * Chromium: the cluster registers the model's shipped reference dataset and a report job
 * runs once the version is AVAILABLE; the page then shows the global importance chart
 * (one bar per input of the serving signature) and the explain form, and a row explained
 * with integrated gradients comes back as attribution bars.
 */
@ExtendWith(WardenClusterExtension.class)
class ExplainabilityConsoleBrowserIntegrationTests {

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
	void theReportOfIncomeIsChartedAndARowIsExplainedWithIntegratedGradients(WardenCluster cluster) throws Exception {
		var admin = Http.bearer(cluster.adminToken());
		JsonNode model = Http.get(cluster.gateway() + "/api/admin/models/income", admin).json();
		String version = null;
		int inputs = 0;
		for (JsonNode v : model.path("versions")) {
			if ("AVAILABLE".equals(v.path("state").asString())) {
				version = v.path("version").asString();
				inputs = v.path("signature_defs").path("serving_default").path("inputs").size();
			}
		}
		assertThat(version).as(model.toString()).isNotNull();
		assertThat(inputs).isGreaterThan(1);
		awaitReport(cluster, admin, version);

		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		browser.get(cluster.console() + "/models/income/versions/" + version + "/explainability");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys("admin");
		browser.findElement(By.name("password")).sendKeys(WardenCluster.ADMIN_PASSWORD);
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();
		// the login lands on the dashboard: open the page again, signed in
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Sign out"));
		browser.get(cluster.console() + "/models/income/versions/" + version + "/explainability");
		try {
			wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.chart.importance")));
			var bars = browser.findElements(By.cssSelector("svg.chart.importance rect.bar"));
			assertThat(bars).hasSize(inputs);
			assertThat(bars)
				.allSatisfy((bar) -> assertThat(Double.parseDouble(bar.getAttribute("width"))).isPositive());
			assertThat(browser.findElements(By.cssSelector("svg.chart.attributions"))).isEmpty();

			WebElement form = browser.findElement(By.cssSelector("form.explain-form"));
			var fields = form.findElements(By.cssSelector(".field-grid input[type=text]"));
			assertThat(fields).hasSize(inputs);
			for (WebElement field : fields) {
				if (field.getAttribute("value").isBlank()) {
					field.sendKeys((field.getAttribute("inputmode") != null) ? "40" : "Private");
				}
			}
			new Select(form.findElement(By.id("explain-method"))).selectByValue("integrated_gradients");
			form.findElement(By.cssSelector("button[type=submit]")).click();

			wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.chart.attributions")));
			assertThat(browser.findElements(By.id("explain-error"))).isEmpty();
			var attributions = browser.findElements(By.cssSelector("svg.chart.attributions rect.bar"));
			assertThat(attributions).hasSize(inputs);
			assertThat(browser.findElement(By.cssSelector("article.explanation")).getText())
				.contains("integrated_gradients");
		}
		finally {
			screenshot("console-explainability.png");
		}
	}

	/** Waits (up to 45 s) until an explanation report job of the version is done. */
	private static void awaitReport(WardenCluster cluster, java.util.Map<String, String> admin, String version)
			throws Exception {
		var deadline = Instant.now().plus(Duration.ofSeconds(45));
		String last = "";
		while (Instant.now().isBefore(deadline)) {
			var jobs = Http.get(cluster.gateway()
					+ "/api/admin/explainability/jobs?kind=explanation&model=income&version=" + version, admin);
			last = jobs.body();
			for (JsonNode job : jobs.json().path("content")) {
				if ("done".equals(job.path("state").asString())) {
					return;
				}
			}
			Thread.sleep(500);
		}
		throw new AssertionError("no report job of income " + version + " was done within 45 s: " + last);
	}

	private void screenshot(String name) throws Exception {
		HeadlessChromium.screenshot(browser, name);
	}

}
