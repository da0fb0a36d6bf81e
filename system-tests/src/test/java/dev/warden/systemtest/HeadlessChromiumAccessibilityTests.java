package dev.warden.systemtest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.openqa.selenium.WebDriver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The accessibility check of {@link HeadlessChromium#screenshot} on two small pages of
 * its own (no cluster): one it must refuse, naming the rules, the elements and the page,
 * and the same page made accessible, which it passes; both leave their axe result as
 * JSON. It needs no cluster, so it runs beside the classes that do.
 */
@Execution(ExecutionMode.CONCURRENT)
class HeadlessChromiumAccessibilityTests {

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
	void aPageWithSeriousViolationsFailsWithTheirList() throws Exception {
		browser.get(page("""
				<html><head><title>bad</title></head><body>
				<main><h1>Bad</h1><img id="chart" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
				<form><input id="name" type="text"></form>
				<p style="color:#bbbbbb;background:#ffffff">faint text</p></main></body></html>"""));

		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> HeadlessChromium.screenshot(browser, "a11y-check-bad.png"))
			.withMessageContaining("on a11y-check-bad.png")
			.withMessageContaining("image-alt [critical]")
			.withMessageContaining("#chart")
			.withMessageContaining("label [critical]")
			.withMessageContaining("#name")
			.withMessageContaining("color-contrast [serious]")
			.withMessageContaining("html-has-lang [serious]");
		assertThat(Files.readString(HeadlessChromium.logsDirectory().resolve("a11y-check-bad.axe.json")))
			.contains("\"violations\"", "image-alt");
	}

	@Test
	void theSamePageMadeAccessiblePasses() throws Exception {
		browser.get(page("""
				<html lang="en"><head><title>good</title></head><body>
				<main><h1>Good</h1><img id="chart" alt="A chart" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
				<form><label for="name">Name</label> <input id="name" type="text"></form>
				<p style="color:#333333;background:#ffffff">dark text</p></main></body></html>"""));

		HeadlessChromium.screenshot(browser, "a11y-check-good.png");
		assertThat(Files.readString(HeadlessChromium.logsDirectory().resolve("a11y-check-good.axe.json")))
			.contains("\"passes\"", "image-alt");
	}

	private static String page(String html) {
		return "data:text/html;charset=utf-8," + URLEncoder.encode(html, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
