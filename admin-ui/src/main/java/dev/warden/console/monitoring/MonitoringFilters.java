package dev.warden.console.monitoring;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * The monitoring page's filters as the browser sent them (blank = not set), with the
 * window's range and step. The model, version and tenant are checked by platform-api (and
 * the tenant's name by the console, which looks it up); the window and step here.
 *
 * @param model a model name, or null for every model
 * @param version an answering version, or null for all
 * @param tenant a tenant's name, or null for every tenant
 * @param window {@code hour}, {@code day} or {@code 30d}
 * @param step {@code 1m}, {@code 5m}, {@code 1h}, or null for the window's default
 */
record MonitoringFilters(String model, String version, String tenant, String window, String step) {

	/**
	 * The windows offered, with their length, the steps they may be drawn in (the default
	 * first).
	 */
	static final Map<String, Window> WINDOWS;

	static {
		Map<String, Window> windows = new LinkedHashMap<>();
		windows.put("hour", new Window("hour", "Last hour", Duration.ofHours(1), List.of("1m", "5m"), 10));
		windows.put("day", new Window("day", "Last day", Duration.ofDays(1), List.of("5m", "1h"), 60));
		windows.put("30d", new Window("30d", "Last 30 days", Duration.ofDays(30), List.of("1h"), 300));
		WINDOWS = windows;
	}

	static MonitoringFilters of(String model, String version, String tenant, String window, String step) {
		return new MonitoringFilters(blankToNull(model), blankToNull(version), blankToNull(tenant),
				(blankToNull(window) != null) ? window.trim() : "hour", blankToNull(step));
	}

	/** The problems the console finds itself, by field. */
	Map<String, String> problems() {
		Map<String, String> problems = new LinkedHashMap<>();
		Window chosen = WINDOWS.get(this.window);
		if (chosen == null) {
			problems.put("window", "window: must be hour, day or 30d");
		}
		else if (this.step != null && !chosen.steps().contains(this.step)) {
			problems.put("step", "step: " + chosen.label().toLowerCase(java.util.Locale.ROOT) + " is drawn in steps of "
					+ String.join(" or ", chosen.steps()));
		}
		if (this.tenant != null && this.tenant.length() > 200) {
			problems.put("tenant", "tenant: a tenant name is at most 200 characters");
		}
		return problems;
	}

	Window chosenWindow() {
		return WINDOWS.get(this.window);
	}

	/** The step asked for, or the window's default. */
	String effectiveStep() {
		return (this.step != null) ? this.step : chosenWindow().steps().get(0);
	}

	/** The window's range ending now. */
	Instant from(Instant now) {
		return now.minus(chosenWindow().length());
	}

	/**
	 * The query string of these filters (without the defaults' blanks), for links and the
	 * script.
	 */
	String query() {
		UriComponentsBuilder builder = UriComponentsBuilder.newInstance();
		if (this.model != null) {
			builder.queryParam("model", this.model);
		}
		if (this.version != null) {
			builder.queryParam("version", this.version);
		}
		if (this.tenant != null) {
			builder.queryParam("tenant", this.tenant);
		}
		builder.queryParam("window", this.window);
		if (this.step != null) {
			builder.queryParam("step", this.step);
		}
		return builder.encode().build().getQuery();
	}

	private static String blankToNull(String value) {
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	/**
	 * A window of the page.
	 *
	 * @param name its value in the URL
	 * @param label what the page calls it
	 * @param length how far back it reaches
	 * @param steps the steps it may be drawn in, the default first
	 * @param refreshSeconds how often the page's script asks for new numbers
	 */
	record Window(String name, String label, Duration length, List<String> steps, int refreshSeconds) {
	}

}
