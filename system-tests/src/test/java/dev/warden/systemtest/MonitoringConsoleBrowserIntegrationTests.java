package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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

/**
 * The monitoring page in a real headless Chromium against the real cluster: a tenant's
 * predictions through the gateway show on the page as drawn charts and as numbers once
 * the gateway has flushed them; more predictions raise the numbers while the page stays
 * loaded (a marker set on the document survives); the filters change the view through
 * htmx, the URL following them, and a refused filter is explained next to it. A
 * compliance officer reads the tenant's view across its models, with nothing to change.
 * Every page visited is kept as a screenshot.
 */
@ExtendWith(WardenClusterExtension.class)
class MonitoringConsoleBrowserIntegrationTests {

	private static final String INCOME_ROW = """
			{"instances":[{"age":39,"workclass":"State-gov","fnlwgt":77516,"education":"Bachelors",
			 "education_num":13,"marital_status":"Never-married","occupation":"Adm-clerical",
			 "relationship":"Not-in-family","race":"White","sex":"Male","capital_gain":2174,"capital_loss":0,
			 "hours_per_week":40,"native_country":"United-States"}]}""";

	/** The gateway flushes its serving counters every 10 s; this is ample. */
	private static final Duration FLUSHED = Duration.ofSeconds(90);

	private WebDriver browser;

	@AfterEach
	void closeBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void aTenantsPredictionsAreChartedAndTheNumbersRiseWithoutReloading(WardenCluster cluster) throws Exception {
		String tenantId = cluster.newTenant("monitoring", "standard");
		String key = cluster.newKey(tenantId, "charts");
		var admin = Http.bearer(cluster.adminToken());
		String name = Http.get(cluster.gateway() + "/api/admin/tenants/" + tenantId, admin)
			.json()
			.path("name")
			.asString();
		predict(cluster, key, 5);
		awaitFlushed(cluster, admin, tenantId, 5);

		browser = HeadlessChromium.open();
		var wait = new WebDriverWait(browser, FLUSHED);
		String path = "/monitoring?model=income&tenant=" + URLEncoder.encode(name, StandardCharsets.UTF_8)
				+ "&window=hour";
		signIn(cluster, wait, "admin", WardenCluster.ADMIN_PASSWORD, path);
		assertThat(browser.findElement(By.cssSelector("nav.nav")).getText()).contains("Monitoring");
		// the numbers as the page was rendered, then the charts drawn by the script
		assertThat(total("requests")).isEqualTo("5");
		assertThat(total("answers")).isEqualTo("2xx: 5");
		assertThat(total("error-rate")).isEqualTo("0 %");
		assertThat(total("p99")).endsWith(" ms");
		assertThat(browser.findElements(By.cssSelector("tbody[data-rows] tr"))).isNotEmpty();
		for (String chart : List.of("requests", "latency", "error-rate")) {
			WebElement canvas = wait.until(ExpectedConditions
				.visibilityOfElementLocated(By.cssSelector("figure[data-chart='" + chart + "'] canvas")));
			assertThat(canvas.getSize().getWidth()).as(chart).isGreaterThan(200);
			assertThat(browser.findElement(By.cssSelector("figure[data-chart='" + chart + "'] .u-legend")).getText())
				.isNotBlank();
		}
		assertThat(browser.findElement(By.cssSelector("figure[data-chart='latency'] .u-legend")).getText())
			.contains("p50", "p95", "p99");
		assertThat(browser.findElement(By.cssSelector("figure[data-chart='errors']")).getText())
			.contains("None in this window.");
		wait.until(ExpectedConditions.attributeToBeNotEmpty(browser.findElement(By.id("monitoring")),
				"data-refreshed-at"));
		screenshot("console-monitoring.png");

		// more requests: the page's numbers go up without a reload
		js("document.documentElement.setAttribute('data-marker', 'still-here');");
		predict(cluster, key, 3);
		wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-total='requests']"), "8"));
		assertThat(total("answers")).isEqualTo("2xx: 8");
		assertThat(marker()).isEqualTo("still-here");
		assertThat(browser.getCurrentUrl()).endsWith(path);
		screenshot("console-monitoring-updated.png");
		js("document.getElementById('charts').scrollIntoView();");
		screenshot("console-monitoring-charts.png");

		// the filters through htmx: the view and the URL change, the page is not reloaded
		new Select(browser.findElement(By.id("monitoring-window"))).selectByValue("day");
		browser.findElement(By.cssSelector("form.monitoring-filters button[type=submit]")).click();
		wait.until(ExpectedConditions.urlContains("window=day"));
		wait.until(
				ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-range]"), "in steps of 5m"));
		assertThat(total("requests")).isEqualTo("8");
		wait.until(
				ExpectedConditions.visibilityOfElementLocated(By.cssSelector("figure[data-chart='requests'] canvas")));
		assertThat(marker()).isEqualTo("still-here");
		screenshot("console-monitoring-day.png");

		// a filter platform-api refuses: its words next to the field
		WebElement version = browser.findElement(By.id("monitoring-version"));
		version.clear();
		version.sendKeys("v2");
		browser.findElement(By.cssSelector("form.monitoring-filters button[type=submit]")).click();
		WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("monitoring-version-error")));
		assertThat(error.getText()).contains("version: must be a version number");
		assertThat(browser.findElement(By.id("monitoring-version")).getAttribute("aria-invalid")).isEqualTo("true");
		assertThat(browser.findElements(By.cssSelector("figure[data-chart]"))).isEmpty();
		assertThat(marker()).isEqualTo("still-here");
		screenshot("console-monitoring-refused.png");
		browser.quit();

		// compliance reads the tenant's view across its models; the page has nothing to
		// change
		browser = HeadlessChromium.open();
		wait = new WebDriverWait(browser, FLUSHED);
		signIn(cluster, wait, "compliance", WardenCluster.COMPLIANCE_PASSWORD,
				"/monitoring?tenant=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
		assertThat(browser.findElement(By.id("monitoring-model")).getAttribute("value")).isEmpty();
		assertThat(total("requests")).isEqualTo("8");
		wait.until(
				ExpectedConditions.visibilityOfElementLocated(By.cssSelector("figure[data-chart='requests'] canvas")));
		assertThat(browser.findElements(By.cssSelector("main form[method=post]"))).isEmpty();
		screenshot("console-monitoring-compliance.png");
		// the tenant page links to this view
		browser.get(cluster.console() + "/tenants/" + tenantId);
		browser.findElement(By.linkText("Traffic")).click();
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-total='requests']")));
		assertThat(total("requests")).isEqualTo("8");
	}

	private static void predict(WardenCluster cluster, String key, int times) throws Exception {
		for (int i = 0; i < times; i++) {
			var answer = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(key), INCOME_ROW);
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		}
	}

	/** Polls the admin API until the tenant's requests of income are flushed. */
	private static void awaitFlushed(WardenCluster cluster, java.util.Map<String, String> admin, String tenantId,
			long requests) throws Exception {
		var deadline = Instant.now().plus(FLUSHED);
		long seen;
		do {
			seen = Http.get(cluster.gateway() + "/api/admin/monitoring/serving?model=income&tenant=" + tenantId, admin)
				.json()
				.path("totals")
				.path("requests")
				.asLong();
			if (seen >= requests) {
				return;
			}
			Thread.sleep(250);
		}
		while (Instant.now().isBefore(deadline));
		throw new AssertionError("serving health still counts " + seen + " requests, not " + requests);
	}

	private String total(String key) {
		return browser.findElement(By.cssSelector("[data-total='" + key + "']")).getText();
	}

	private String marker() {
		return (String) js("return document.documentElement.getAttribute('data-marker');");
	}

	private Object js(String script) {
		return ((JavascriptExecutor) browser).executeScript(script);
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

	private void screenshot(String name) throws Exception {
		HeadlessChromium.screenshot(browser, name);
	}

}
