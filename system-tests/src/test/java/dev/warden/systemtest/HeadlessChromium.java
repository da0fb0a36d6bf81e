package dev.warden.systemtest;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through its driver, as the browser tests use it: no
 * background networking (the machine's network is closed), a fixed window size, and
 * screenshots written next to the applications' logs.
 */
final class HeadlessChromium {

	private HeadlessChromium() {
	}

	/** A new browser; the caller quits it. */
	static WebDriver open() {
		return open(new String[0]);
	}

	/**
	 * A new browser started with these further command-line switches; the caller quits
	 * it.
	 */
	static WebDriver open(String... switches) {
		var options = new ChromeOptions();
		options.addArguments(switches);
		options.setBinary(System.getProperty("warden.chromium", "/usr/bin/chromium"));
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1280,1000");
		var service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(System.getProperty("warden.chromedriver", "/usr/bin/chromedriver")))
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	/**
	 * Writes a PNG of the page to the logs directory ({@code warden.logs.dir}, else
	 * {@code target}).
	 */
	static void screenshot(WebDriver browser, String name) throws IOException {
		var dir = Path.of(System.getProperty("warden.logs.dir", "target"));
		Files.createDirectories(dir);
		Files.write(dir.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
	}

}
