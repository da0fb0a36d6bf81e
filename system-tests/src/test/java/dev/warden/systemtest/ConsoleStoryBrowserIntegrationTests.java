package dev.warden.systemtest;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole story of the console in one headless Chromium against the real cluster, in
 * order: an administrator signs in, creates a tenant, issues it an API key for
 * {@code predict} and copies the one-time secret from the page; the key calls
 * {@code income} through the gateway with a plain HTTP client; the call is seen on the
 * dashboard (the key's last use), on the tenant's usage, on the monitoring dashboard (one
 * request of the tenant on {@code income}, answered 2xx) and in the request log filtered
 * by the tenant (its request id, status 200). The administrator signs out; a compliance
 * officer signs in, exports the audit trail as NDJSON and downloads it, its manifest and
 * the public key through the browser, and the verifier the exports page names passes them
 * offline, and fails them after one changed byte. Every page is kept as a screenshot and
 * checked for accessibility ({@link HeadlessChromium#screenshot}).
 */
@ExtendWith(WardenClusterExtension.class)
class ConsoleStoryBrowserIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private WebDriver browser;

	@AfterEach
	void closeBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void tenantKeyCallDashboardRequestLogThenAVerifiedAuditExport(WardenCluster cluster, @TempDir Path downloads)
			throws Exception {
		String name = "story-" + UUID.randomUUID().toString().substring(0, 8);
		browser = HeadlessChromium.open(downloads);
		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));

		// 1. sign in as the administrator (the sign-in page is the console's own)
		browser.get(cluster.console() + "/tenants");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username")));
		screenshot("console-story-sign-in.png");
		signIn(wait, "admin", WardenCluster.ADMIN_PASSWORD);

		// 2. a new tenant, from the tenants page
		if (!browser.getCurrentUrl().endsWith("/tenants")) {
			browser.get(cluster.console() + "/tenants");
		}
		WebElement create = wait
			.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.create-tenant")));
		create.findElement(By.id("tenant-name")).sendKeys(name);
		new Select(create.findElement(By.id("tenant-plan"))).selectByValue("standard");
		screenshot("console-story-tenants.png");
		create.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"),
				"Tenant " + name + " created with plan standard."));
		String tenantUrl = browser.getCurrentUrl();
		String tenantId = tenantUrl.substring(tenantUrl.lastIndexOf('/') + 1);
		screenshot("console-story-tenant.png");
		// the suspend confirmation, left without confirming
		browser.get(tenantUrl + "/suspend");
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Suspend"));
		screenshot("console-story-tenant-suspend.png");
		browser.get(tenantUrl);

		// 3. an API key that may only predict; its secret is copied from the page
		WebElement issue = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.issue-key")));
		issue.findElement(By.id("key-name")).sendKeys("story-key");
		for (WebElement operation : issue.findElements(By.cssSelector("input[name=operations]"))) {
			if (operation.isSelected() != "predict".equals(operation.getAttribute("value"))) {
				operation.click();
			}
		}
		issue.findElement(By.id("key-models")).sendKeys("income");
		issue.findElement(By.cssSelector("button[type=submit]")).click();
		WebElement secretField = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-key-secret")));
		String secret = secretField.getAttribute("value");
		assertThat(secret).startsWith("wdn_");
		assertThat(browser.getCurrentUrl()).doesNotContain(secret);
		screenshot("console-story-key-issued.png");

		// 4. the key calls income through the gateway
		String row = JSON.writeValueAsString(Map.of("instances", List.of(EndToEndIntegrationTests.RECORDS.get(0))));
		var predicted = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(secret), row);
		assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
		assertThat(predicted.json().path("predictions").size()).isEqualTo(1);
		String requestId = predicted.headers().firstValue("X-Request-Id").orElseThrow();

		// 5. the dashboard shows the key's last use (reloaded until the gateway recorded
		// it)
		try {
			wait.withTimeout(Duration.ofSeconds(60)).until((driver) -> {
				driver.get(cluster.console() + "/");
				return lastUsedOnDashboard(name) != null;
			});
			assertThat(lastUsedOnDashboard(name)).isNotEqualTo("never")
				.startsWith(LocalDate.now(ZoneOffset.UTC).toString().substring(0, 4));
			WebElement card = tenantCard(name);
			((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", card);
		}
		finally {
			screenshot("console-story-dashboard.png");
		}
		// and the tenant's usage counts the call
		browser.get(tenantUrl);
		WebElement usage = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("usage")));
		assertThat(usage.findElement(By.xpath(".//dt[text()='Requests']/following-sibling::dd")).getText())
			.isNotEqualTo("0");
		WebElement keys = browser.findElement(By.xpath("//table[contains(@class,'keys')]"));
		List<String> columns = keys.findElements(By.cssSelector("thead th")).stream().map(WebElement::getText).toList();
		List<WebElement> cells = keys.findElements(By.xpath(".//tr[th='story-key']/*"));
		assertThat(cells.get(columns.indexOf("Operations")).getText()).isEqualTo("predict");
		assertThat(cells.get(columns.indexOf("Models")).getText()).isEqualTo("income");
		assertThat(cells.get(columns.indexOf("Last used")).getText()).isNotEqualTo("never")
			.startsWith(LocalDate.now(ZoneOffset.UTC).toString().substring(0, 4));

		// and the monitoring dashboard charts it: one request of the tenant on income in
		// the last hour, answered 2xx (the page refreshes itself once the gateway has
		// flushed its per-minute figures)
		browser.get(cluster.console() + "/monitoring?model=income&window=hour&tenant="
				+ URLEncoder.encode(name, StandardCharsets.UTF_8));
		try {
			wait.withTimeout(Duration.ofSeconds(90))
				.until(ExpectedConditions.textToBe(By.cssSelector("[data-total='requests']"), "1"));
			assertThat(browser.findElement(By.cssSelector("[data-total='answers']")).getText()).isEqualTo("2xx: 1");
			wait.until(ExpectedConditions
				.visibilityOfElementLocated(By.cssSelector("figure[data-chart='requests'] canvas")));
		}
		finally {
			screenshot("console-story-monitoring.png");
		}

		// 6. the request log, filtered by the tenant: the call with its request id and
		// status 200
		browser.get(cluster.console() + "/request-log");
		try {
			WebElement tenantFilter = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("filter-tenant")));
			tenantFilter.clear();
			tenantFilter.sendKeys(tenantId);
			browser.findElement(By.cssSelector("form.request-log-filter button[type=submit]")).click();
			wait.until(ExpectedConditions.urlContains("tenant=" + tenantId));
			By callRow = By.xpath("//tr[@data-record][td/code[text()='" + requestId + "']]");
			wait.withTimeout(Duration.ofSeconds(60)).until((driver) -> {
				if (!driver.findElements(callRow).isEmpty()) {
					return true;
				}
				driver.navigate().refresh();
				return false;
			});
			WebElement call = browser.findElement(callRow);
			assertThat(browser.findElements(By.cssSelector("tr[data-record]")))
				.allSatisfy((other) -> assertThat(other.getText()).contains(tenantId));
			assertThat(call.findElement(By.cssSelector("td.status")).getText()).startsWith("200");
			assertThat(call.getText()).contains(name, "income", "/v1/models/income:predict");
		}
		finally {
			screenshot("console-story-request-log.png");
		}

		// 7. sign out; the compliance officer signs in
		browser.findElement(By.cssSelector("form[action='/logout'] button")).click();
		wait.until(ExpectedConditions.urlContains("/signed-out"));
		screenshot("console-story-signed-out.png");
		browser.get(cluster.console() + "/exports");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username")));
		signIn(wait, "compliance", WardenCluster.COMPLIANCE_PASSWORD);
		assertThat(browser.findElement(By.tagName("header")).getText()).contains("compliance", "COMPLIANCE")
			.doesNotContain("ADMIN");

		// 8. the audit trail of the tenant exported as NDJSON, downloaded by the browser
		if (!browser.getCurrentUrl().endsWith("/exports")) {
			browser.get(cluster.console() + "/exports");
		}
		WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.export-form")));
		new Select(form.findElement(By.id("export-type"))).selectByValue("audit");
		setText(form.findElement(By.id("export-tenant")), tenantId);
		LocalDate today = LocalDate.now(ZoneOffset.UTC);
		setText(form.findElement(By.id("export-from")), today.minusDays(1).toString());
		setText(form.findElement(By.id("export-to")), today.plusDays(1).toString());
		new Select(form.findElement(By.id("export-format"))).selectByValue("ndjson");
		screenshot("console-story-exports-form.png");
		form.findElement(By.cssSelector("button[type=submit]")).click();
		Path export = awaitDownload(downloads, Set.of(), ".ndjson");
		assertThat(export.getFileName().toString()).startsWith("warden-audit-");
		String ndjson = Files.readString(export, StandardCharsets.UTF_8);
		List<JsonNode> events = ndjson.lines().map(JSON::readTree).toList();
		assertThat(events).extracting((event) -> event.path("action").asString())
			.contains("tenant.created", "api_key.created");
		assertThat(ndjson).contains(tenantId).doesNotContain(secret);

		// the export is listed as completed; its manifest and the public key are
		// downloaded through the browser
		browser.get(cluster.console() + "/exports");
		WebElement newest = wait.until(ExpectedConditions
			.presenceOfElementLocated(By.cssSelector("table.export-history tbody tr[data-export]")));
		assertThat(newest.getText()).contains("audit trail", "ndjson", tenantId, "completed", "compliance");
		screenshot("console-story-exports.png");
		Set<Path> before = files(downloads);
		newest.findElement(By.cssSelector("a.manifest-link")).click();
		Path manifest = awaitDownload(downloads, before, ".json");
		before = files(downloads);
		browser.findElement(By.cssSelector("a.public-key-link")).click();
		Path publicKey = awaitDownload(downloads, before, ".json");
		assertThat(publicKey.getFileName().toString()).isEqualTo("warden-public-key.json");
		assertThat(JSON.readTree(manifest.toFile()).path("export_id").asString())
			.isEqualTo(newest.getAttribute("data-export"));

		// 9. the verifier the page names, run offline on the three files: it passes,
		// and
		// one changed byte fails it
		String command = browser.findElement(By.cssSelector("#verify pre.command")).getText();
		assertThat(command).startsWith("bin/warden-verify-export ").contains("--export", "--manifest", "--public-key");
		String passed = verify(command, export, manifest, publicKey, 0);
		assertThat(passed).contains("signature: OK", "sha256: OK", "row_count: OK");
		byte[] bytes = Files.readAllBytes(export);
		bytes[bytes.length / 2] ^= 1;
		Path changed = Files.write(downloads.resolve("changed.ndjson"), bytes);
		assertThat(verify(command, changed, manifest, publicKey, 1)).contains("sha256: FAILED");
	}

	private void signIn(WebDriverWait wait, String user, String password) {
		browser.findElement(By.name("username")).sendKeys(user);
		browser.findElement(By.name("password")).sendKeys(password);
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Sign out"));
	}

	private WebElement tenantCard(String name) {
		return browser
			.findElement(By.xpath("//section[@aria-labelledby='tenants-heading']/article[h3='" + name + "']"));
	}

	/**
	 * The "Last used" of the tenant's only key on the dashboard, or null if not shown.
	 */
	private String lastUsedOnDashboard(String name) {
		var cards = browser
			.findElements(By.xpath("//section[@aria-labelledby='tenants-heading']/article[h3='" + name + "']"));
		if (cards.isEmpty()) {
			return null;
		}
		var cells = cards.get(0).findElements(By.cssSelector("tbody tr td:nth-child(4)"));
		if (cells.isEmpty() || cells.get(0).getText().equals("never")) {
			return null;
		}
		return cells.get(0).getText();
	}

	/** The files in the download directory (finished or not). */
	private static Set<Path> files(Path directory) throws IOException {
		try (Stream<Path> listed = Files.list(directory)) {
			return listed.collect(Collectors.toSet());
		}
	}

	/** Waits (up to 60 s) for a finished download with this ending that was not there. */
	private static Path awaitDownload(Path directory, Set<Path> before, String ending) throws Exception {
		var deadline = Instant.now().plus(Duration.ofSeconds(60));
		while (Instant.now().isBefore(deadline)) {
			Set<Path> now = files(directory);
			boolean partial = now.stream().anyMatch((file) -> file.toString().endsWith(".crdownload"));
			for (Path file : now) {
				if (!before.contains(file) && file.toString().endsWith(ending) && !partial) {
					return file;
				}
			}
			Thread.sleep(200);
		}
		throw new AssertionError("no " + ending + " download in " + files(directory));
	}

	/**
	 * Runs the command the exports page shows, with its file names replaced by these
	 * files, from the repository's root; checks the exit status and the last line.
	 */
	private static String verify(String command, Path export, Path manifest, Path key, int expectedExit)
			throws Exception {
		Path root = Path.of(System.getProperty("warden.launcher")).toAbsolutePath().getParent();
		List<String> words = new ArrayList<>(List.of(command.trim().split("\\s+")));
		for (int i = 0; i < words.size() - 1; i++) {
			switch (words.get(i)) {
				case "--export" -> words.set(i + 1, export.toString());
				case "--manifest" -> words.set(i + 1, manifest.toString());
				case "--public-key" -> words.set(i + 1, key.toString());
				default -> {
				}
			}
		}
		words.set(0, root.resolve(words.get(0)).toString());
		Process process = new ProcessBuilder(words).directory(root.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
		assertThat(process.exitValue()).as(output).isEqualTo(expectedExit);
		assertThat(output.substring(output.lastIndexOf('\n') + 1)).as(output)
			.startsWith((expectedExit == 0) ? "OK: " : "FAILED: ");
		return output;
	}

	private static void setText(WebElement field, String text) {
		field.clear();
		field.sendKeys(text);
	}

	private void screenshot(String name) throws Exception {
		HeadlessChromium.screenshot(browser, name);
	}

}
