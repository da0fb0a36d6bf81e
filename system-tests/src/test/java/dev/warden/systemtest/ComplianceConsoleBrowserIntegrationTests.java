package dev.warden.systemtest;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
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
 * A compliance officer's path through the console in a real headless Chromium against the
 * real cluster: a tenant's prediction through the gateway is found in the request log by
 * its tenant, its payload is viewed with a justification (break-glass), the view appears
 * in the audit trail, and the tenant's audit trail is exported as CSV through the
 * console; the downloaded bytes, the manifest and the public key (both also downloaded
 * through the console) pass the offline verifier that operations.md names.
 */
@ExtendWith(WardenClusterExtension.class)
class ComplianceConsoleBrowserIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

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
	void complianceFindsACallViewsItsPayloadAndExportsTheVerifiedAuditTrail(WardenCluster cluster, @TempDir Path files)
			throws Exception {
		String tenantId = cluster.newTenant("compliance-story", "standard");
		String apiKey = cluster.newKey(tenantId, "compliance-story");
		String body = JSON.writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS));
		var predicted = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(apiKey), body);
		assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
		String recordId = awaitRecord(cluster, tenantId);
		String justification = "INC-4711: the tenant disputes this prediction";
		var wait = new WebDriverWait(browser, Duration.ofSeconds(30));

		// sign in as the compliance officer
		browser.get(cluster.console() + "/request-log");
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys("compliance");
		browser.findElement(By.name("password")).sendKeys(WardenCluster.COMPLIANCE_PASSWORD);
		browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Sign out"));

		// the request log, filtered by the tenant: the call is there with status 200
		browser.get(cluster.console() + "/request-log");
		try {
			setText(browser.findElement(By.id("filter-tenant")), tenantId);
			browser.findElement(By.cssSelector("form.request-log-filter button[type=submit]")).click();
			WebElement row = wait.until(
					ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-record='" + recordId + "']")));
			assertThat(browser.getCurrentUrl()).contains("tenant=" + tenantId);
			assertThat(row.findElement(By.cssSelector("td.status")).getText()).startsWith("200");
			assertThat(row.getText()).contains("/v1/models/income:predict", "income", "POST");
			assertThat(browser.findElements(By.cssSelector("tr[data-record]")))
				.allSatisfy((other) -> assertThat(other.getText()).contains(tenantId));
			assertThat(browser.findElement(By.tagName("body")).getText()).doesNotContain("native_country");
			screenshot("console-request-log.png");
		}
		catch (AssertionError | RuntimeException ex) {
			screenshot("console-request-log.png");
			throw ex;
		}

		// the other filters: model and a status class narrow the tenant's calls; a status
		// platform-api refuses is shown under the status field; the pager keeps them
		try {
			setText(browser.findElement(By.id("filter-model")), "income");
			setText(browser.findElement(By.id("filter-status")), "4xx");
			browser.findElement(By.cssSelector("form.request-log-filter button[type=submit]")).click();
			wait.until(ExpectedConditions.urlContains("status=4xx"));
			assertThat(browser.findElements(By.cssSelector("tr[data-record='" + recordId + "']"))).isEmpty();
			setText(browser.findElement(By.id("filter-status")), "2xx");
			setText(browser.findElement(By.id("filter-to")), "9999-01-01T00:00:00Z");
			browser.findElement(By.cssSelector("form.request-log-filter button[type=submit]")).click();
			wait.until(
					ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-record='" + recordId + "']")));
			assertThat(browser.getCurrentUrl()).contains("tenant=" + tenantId, "model=income", "status=2xx");
			setText(browser.findElement(By.id("filter-status")), "2x");
			browser.findElement(By.cssSelector("form.request-log-filter button[type=submit]")).click();
			WebElement refused = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("status-error")));
			assertThat(refused.getText()).contains("status: must be an HTTP status from 100 to 599");
			assertThat(browser.findElement(By.id("filter-status")).getAttribute("aria-invalid")).isEqualTo("true");
			assertThat(browser.findElements(By.cssSelector("tr[data-record]"))).isEmpty();
		}
		finally {
			screenshot("console-request-log-filters.png");
		}
		browser.get(cluster.console() + "/request-log?tenant=" + tenantId);
		wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-record='" + recordId + "']")))
			.findElement(By.cssSelector("a.view-payload"))
			.click();

		// break-glass: the justification, then the decrypted payload once
		try {
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("justification"))).sendKeys(justification);
			screenshot("console-request-log-justification.png");
			browser.findElement(By.cssSelector("form.payload-form button[type=submit]")).click();
			WebElement request = wait
				.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("pre.request-payload")));
			assertThat(request.getText()).contains("native_country", "instances");
			assertThat(browser.findElement(By.cssSelector("pre.response-payload")).getText()).contains("predictions");
			assertThat(browser.getCurrentUrl()).endsWith("/request-log/" + recordId + "/payload");
		}
		finally {
			screenshot("console-request-log-payload.png");
		}

		// the audit trail, filtered by the action and the record, shows the break-glass
		// view
		// with the justification
		browser.get(cluster.console() + "/audit?action=request_log.payload_viewed&target=" + recordId);
		try {
			WebElement event = wait.until(ExpectedConditions.presenceOfElementLocated(By
				.xpath("//tr[td//code[text()='request_log.payload_viewed'] and td//code[text()='" + recordId + "']]")));
			assertThat(browser.findElements(By.cssSelector("table.audit-events tbody tr"))).hasSize(1);
			assertThat(event.getText()).contains("compliance", "COMPLIANCE", justification, "decrypted", tenantId);
			// the screenshot shows the event
			((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", event);
		}
		finally {
			screenshot("console-audit-break-glass.png");
		}

		// the tenant's audit trail exported as CSV through the console
		browser.get(cluster.console() + "/exports");
		String exportId;
		byte[] csv;
		try {
			WebElement form = wait
				.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("form.export-form")));
			new Select(form.findElement(By.id("export-type"))).selectByValue("audit");
			setText(form.findElement(By.id("export-tenant")), tenantId);
			new Select(form.findElement(By.id("export-format"))).selectByValue("csv");
			LocalDate today = LocalDate.now(ZoneOffset.UTC);
			// a range platform-api refuses comes back next to the field, in its words
			setText(form.findElement(By.id("export-from")), today.plusDays(1).toString());
			setText(form.findElement(By.id("export-to")), today.toString());
			form.findElement(By.cssSelector("button[type=submit]")).click();
			WebElement refused = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("from-error")));
			assertThat(refused.getText()).contains("platform-api answered 400", "must be before to");
			screenshot("console-exports-refused.png");
			form = browser.findElement(By.cssSelector("form.export-form"));
			assertThat(form.findElement(By.id("export-tenant")).getAttribute("value")).isEqualTo(tenantId);
			setText(form.findElement(By.id("export-from")), today.minusDays(1).toString());
			setText(form.findElement(By.id("export-to")), today.plusDays(1).toString());
			screenshot("console-exports-form.png");
			// the browser's form post, sent with its session: the download is the
			// answer's bytes
			HttpResponse<byte[]> download = postForm(cluster.console() + "/exports/download", fieldsOf(form));
			assertThat(download.statusCode()).as(new String(download.body(), StandardCharsets.UTF_8)).isEqualTo(200);
			assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(
					(value) -> assertThat(value).startsWith("attachment").contains("warden-audit-").contains(".csv"));
			csv = download.body();
			String text = new String(csv, StandardCharsets.UTF_8);
			assertThat(text).startsWith("id,occurred_at,actor,actor_name,action,target_type,target_id,details")
				.contains("request_log.payload_viewed", recordId, justification)
				.contains("tenant.created");

			// the export is listed, completed, with its row count and SHA-256
			browser.get(cluster.console() + "/exports");
			WebElement newest = wait.until(ExpectedConditions
				.presenceOfElementLocated(By.cssSelector("table.export-history tbody tr[data-export]")));
			exportId = newest.getAttribute("data-export");
			assertThat(newest.getText()).contains("audit trail", "csv", tenantId, "completed", "compliance");
			assertThat(newest.getText()).contains(sha256(csv));
			assertThat(newest.findElement(By.cssSelector("a.manifest-link")).getAttribute("href"))
				.endsWith("/exports/" + exportId + "/manifest");
		}
		finally {
			screenshot("console-exports.png");
		}

		// the manifest and the public key, downloaded through the console, verify the
		// file
		byte[] manifest = get(cluster.console() + "/exports/" + exportId + "/manifest");
		byte[] publicKey = get(cluster.console() + "/exports/public-key");
		JsonNode described = JSON.readTree(manifest);
		assertThat(described.path("export_id").asString()).isEqualTo(exportId);
		assertThat(described.path("sha256").asString()).isEqualTo(sha256(csv));
		assertThat(described.path("size_bytes").asLong()).isEqualTo(csv.length);
		assertThat(described.path("tenant_id").asString()).isEqualTo(tenantId);
		Path file = Files.write(files.resolve("audit.csv"), csv);
		Path manifestFile = Files.write(files.resolve("audit.manifest.json"), manifest);
		Path keyFile = Files.write(files.resolve("warden-public-key.json"), publicKey);
		assertThat(verify(file, manifestFile, keyFile, 0)).contains("signature: OK", "sha256: OK", "row_count: OK");
		// one changed byte fails
		byte[] tampered = csv.clone();
		tampered[tampered.length - 3] ^= 1;
		Path changed = Files.write(files.resolve("audit-changed.csv"), tampered);
		assertThat(verify(changed, manifestFile, keyFile, 1)).contains("sha256: FAILED");
	}

	/** Waits (up to 30 s) for the tenant's request-log record; returns its id. */
	private static String awaitRecord(WardenCluster cluster, String tenantId) throws Exception {
		var compliance = Http.bearer(cluster.complianceToken());
		var deadline = Instant.now().plus(Duration.ofSeconds(30));
		String last = "";
		while (Instant.now().isBefore(deadline)) {
			var records = Http.get(cluster.gateway() + "/api/admin/request-log?tenant_id=" + tenantId, compliance);
			last = records.body();
			for (JsonNode record : records.json().path("content")) {
				if (record.path("status").asInt() == 200 && record.path("has_request_payload").asBoolean()) {
					return record.path("id").asString();
				}
			}
			Thread.sleep(250);
		}
		throw new AssertionError("the prediction of tenant " + tenantId + " is not in the request log: " + last);
	}

	/**
	 * Runs the offline verifier from platform-api's jar, as operations.md shows, and
	 * checks its exit code and last line ({@code OK: ...} or {@code FAILED: ...});
	 * returns its output.
	 */
	private static String verify(Path file, Path manifest, Path key, int expectedExit) throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-cp", System.getProperty("warden.gateway.jar"),
				"-Dloader.main=dev.warden.platform.export.VerifyExport",
				"org.springframework.boot.loader.launch.PropertiesLauncher", "--export", file.toString(), "--manifest",
				manifest.toString(), "--public-key", key.toString())
			.redirectErrorStream(true)
			.start();
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

	/** The values of a form's named fields as the browser would send them. */
	private static Map<String, String> fieldsOf(WebElement form) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (WebElement field : form.findElements(By.cssSelector("input[name], select[name]"))) {
			fields.put(field.getAttribute("name"), field.getAttribute("value"));
		}
		return fields;
	}

	private HttpResponse<byte[]> postForm(String url, Map<String, String> fields) throws Exception {
		String form = fields.entrySet()
			.stream()
			.map((field) -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url))
				.header("Cookie", cookies())
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.timeout(Duration.ofSeconds(60))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private byte[] get(String url) throws Exception {
		HttpResponse<byte[]> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url))
				.header("Cookie", cookies())
				.timeout(Duration.ofSeconds(30))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).as(url + ": " + new String(response.body(), StandardCharsets.UTF_8))
			.isEqualTo(200);
		return response.body();
	}

	/** The browser's cookies for the console, as a {@code Cookie} header. */
	private String cookies() {
		return browser.manage()
			.getCookies()
			.stream()
			.map((Cookie cookie) -> cookie.getName() + "=" + cookie.getValue())
			.collect(Collectors.joining("; "));
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	private void screenshot(String name) throws Exception {
		HeadlessChromium.screenshot(browser, name);
	}

}
