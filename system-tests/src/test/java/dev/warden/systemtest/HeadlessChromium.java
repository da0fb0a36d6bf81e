package dev.warden.systemtest;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.deque.html.axecore.args.AxeRunOnlyOptions;
import com.deque.html.axecore.args.AxeRunOptions;
import com.deque.html.axecore.results.CheckedNode;
import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through its driver, as the browser tests use it: no
 * background networking (the machine's network is closed), a fixed window size, and
 * screenshots written next to the applications' logs. Every console page a test takes a
 * screenshot of is also checked for accessibility with axe-core.
 */
final class HeadlessChromium {

	/**
	 * The axe-core rule tags checked: WCAG 2.0 and 2.1, levels A and AA. No rule is
	 * disabled.
	 */
	static final List<String> AXE_TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa");

	/** Violations of these impacts fail the test; the others are only written down. */
	static final Set<String> FAILING_IMPACTS = Set.of("serious", "critical");

	private static final ObjectMapper AXE_JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
		return open(null, switches);
	}

	/**
	 * A new browser that saves downloads into {@code downloads} (when not null), started
	 * with these further command-line switches; the caller quits it.
	 */
	static WebDriver open(Path downloads, String... switches) {
		var options = new ChromeOptions();
		options.addArguments(switches);
		options.setBinary(System.getProperty("warden.chromium", "/usr/bin/chromium"));
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1280,1000");
		if (downloads != null) {
			options.setExperimentalOption("prefs",
					Map.of("download.default_directory", downloads.toAbsolutePath().toString(),
							"download.prompt_for_download", false, "download.directory_upgrade", true,
							"safebrowsing.enabled", false));
		}
		var service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(System.getProperty("warden.chromedriver", "/usr/bin/chromedriver")))
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	/** The directory screenshots and axe results go to. */
	static Path logsDirectory() throws IOException {
		var dir = Path.of(System.getProperty("warden.logs.dir", "target"));
		Files.createDirectories(dir);
		return dir;
	}

	/**
	 * Writes a PNG of the console page to the logs directory ({@code warden.logs.dir},
	 * else {@code target}), then checks the page with axe-core (WCAG 2.0/2.1 A and AA),
	 * writes axe's result next to it as {@code <name>.axe.json} (violations and undecided
	 * checks with all their nodes; the other rules with their first node), and fails with
	 * the list of violations when any of them is serious or critical.
	 */
	static void screenshot(WebDriver browser, String name) throws IOException {
		screenshotWithoutAccessibilityCheck(browser, name);
		checkAccessibility(browser, name);
	}

	/**
	 * Writes a PNG of a page that is not the console's (an external identity provider's
	 * sign-in page), without the accessibility check.
	 */
	static void screenshotWithoutAccessibilityCheck(WebDriver browser, String name) throws IOException {
		Files.write(logsDirectory().resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
	}

	/**
	 * Runs axe-core on the page the browser shows, writes the result as
	 * {@code <name>.axe.json} and fails on serious or critical violations.
	 */
	static void checkAccessibility(WebDriver browser, String name) throws IOException {
		var only = new AxeRunOnlyOptions();
		only.setType("tag");
		only.setValues(AXE_TAGS);
		var options = new AxeRunOptions();
		options.setRunOnly(only);
		// every node of a violation or of what axe could not decide, and of the rules
		// that
		// passed or did not apply only the first: describing every passing node of a
		// large
		// page (its selector and markup) is most of axe's work there, for a list nobody
		// reads
		options.setResultTypes(List.of("violations", "incomplete"));
		Results results = new AxeBuilder().withOptions(options).analyze(browser);
		String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
		Files.write(logsDirectory().resolve(base + ".axe.json"), AXE_JSON.writeValueAsBytes(results));
		if (results.isErrored()) {
			throw new AssertionError("axe-core could not check " + name + ": " + results.getErrorMessage());
		}
		List<Rule> failing = results.getViolations()
			.stream()
			.filter((rule) -> FAILING_IMPACTS.contains(rule.getImpact()))
			.toList();
		if (!failing.isEmpty()) {
			throw new AssertionError(describe(name, results.getUrl(), failing));
		}
	}

	private static String describe(String name, String url, List<Rule> violations) {
		var text = new StringBuilder();
		text.append(violations.size())
			.append(" serious or critical accessibility violation(s) on ")
			.append(name)
			.append(" (")
			.append(url)
			.append("):");
		for (Rule rule : violations) {
			text.append("\n- ")
				.append(rule.getId())
				.append(" [")
				.append(rule.getImpact())
				.append("] ")
				.append(rule.getHelp())
				.append(" (")
				.append(rule.getHelpUrl())
				.append(')');
			for (CheckedNode node : rule.getNodes()) {
				text.append("\n    ").append(target(node.getTarget()));
				if (node.getFailureSummary() != null) {
					text.append(": ").append(node.getFailureSummary().replace('\n', ' '));
				}
			}
		}
		return text.toString();
	}

	private static String target(Object target) {
		if (target instanceof List<?> selectors) {
			return selectors.stream().map(String::valueOf).collect(Collectors.joining(" > "));
		}
		return String.valueOf(target);
	}

}
