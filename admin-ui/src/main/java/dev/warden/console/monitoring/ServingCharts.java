package dev.warden.console.monitoring;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * platform-api's serving health laid out for the monitoring page: the series of each
 * chart (one value per step, {@code null} where a step has no value), the totals as text
 * and the steps with requests as table rows. The page, its table and the JSON the charts
 * are refreshed from are all made from one of these, so they show the same numbers.
 *
 * @param from the first step's start
 * @param to the end of the last step (exclusive)
 * @param step the step ({@code 1m}, {@code 5m}, {@code 1h})
 * @param stepSeconds the step in seconds
 * @param times each step's start, in seconds since the epoch
 * @param charts the charts, in page order
 * @param totals the whole range, as labelled text
 * @param requests the requests of the whole range
 * @param rows one per step with requests, oldest first, as the table shows them
 */
record ServingCharts(String from, String to, String step, long stepSeconds, List<Long> times, List<Chart> charts,
		List<Total> totals, long requests, List<List<String>> rows) {

	private static final MathContext SIGNIFICANT = new MathContext(3);

	/**
	 * Most error codes (and quota limits) drawn as series of their own; the rest is
	 * "other".
	 */
	static final int TOP = 5;

	/** The table's column headers, in the order of each row's cells. */
	static final List<String> COLUMNS = List.of("Time (UTC)", "Requests", "Requests/s", "p50 (ms)", "p95 (ms)",
			"p99 (ms)", "Error rate (5xx)", "Errors by code", "Quota rejections by limit");

	static ServingCharts of(JsonNode report) {
		String step = report.path("step").asString("");
		long stepSeconds = switch (step) {
			case "1m" -> 60;
			case "5m" -> 300;
			case "1h" -> 3_600;
			default -> 60;
		};
		List<JsonNode> points = new ArrayList<>();
		report.path("points").forEach(points::add);
		List<Long> times = new ArrayList<>();
		List<Double> perSecond = new ArrayList<>();
		List<Double> p50 = new ArrayList<>();
		List<Double> p95 = new ArrayList<>();
		List<Double> p99 = new ArrayList<>();
		List<Double> errorRate = new ArrayList<>();
		List<List<String>> rows = new ArrayList<>();
		for (JsonNode point : points) {
			times.add(epochSecond(point.path("time")));
			long requests = point.path("requests").asLong(0);
			perSecond.add(round((double) requests / stepSeconds));
			JsonNode latency = point.path("latency_micros");
			p50.add(millis(latency.path("p50")));
			p95.add(millis(latency.path("p95")));
			p99.add(millis(latency.path("p99")));
			errorRate.add(percent(point.path("error_rate")));
			if (requests > 0) {
				rows.add(List.of(point.path("time").asString(""), Long.toString(requests),
						number((double) requests / stepSeconds), number(millis(latency.path("p50")), 1),
						number(millis(latency.path("p95")), 1), number(millis(latency.path("p99")), 1),
						percentText(point.path("error_rate")), counts(point.path("errors_by_code")),
						counts(point.path("quota_rejections_by_limit"))));
			}
		}
		List<Chart> charts = List.of(
				new Chart("requests", "Requests per second", "requests/s",
						List.of(new Series("requests/s", perSecond))),
				new Chart("latency", "Latency", "ms",
						List.of(new Series("p50", p50), new Series("p95", p95), new Series("p99", p99))),
				new Chart("error-rate", "Error rate (answers 500 and above)", "% of requests",
						List.of(new Series("error rate", errorRate))),
				new Chart("errors", "Errors by code", "errors per step", byKey(points, "errors_by_code")),
				new Chart("quota", "Quota rejections by limit", "rejections per step",
						byKey(points, "quota_rejections_by_limit")));
		JsonNode totals = report.path("totals");
		long requests = totals.path("requests").asLong(0);
		long seconds = Math.max(1, times.size() * stepSeconds);
		JsonNode latency = totals.path("latency_micros");
		JsonNode answers = totals.path("answers");
		List<Total> texts = List.of(new Total("requests", "Requests", Long.toString(requests)),
				new Total("requests-per-second", "Mean requests/s", number((double) requests / seconds)),
				new Total("answers", "Answers by class", answers(answers)),
				new Total("error-rate", "Error rate (5xx)", percentText(totals.path("error_rate"))),
				new Total("p50", "Latency p50", ms(latency.path("p50"))),
				new Total("p95", "Latency p95", ms(latency.path("p95"))),
				new Total("p99", "Latency p99", ms(latency.path("p99"))),
				new Total("mean", "Latency mean", ms(latency.path("mean"))),
				new Total("max", "Latency max", ms(latency.path("max"))),
				new Total("errors", "Errors by code", counts(totals.path("errors_by_code"))),
				new Total("quota", "Quota rejections by limit", counts(totals.path("quota_rejections_by_limit"))));
		return new ServingCharts(report.path("from").asString(""), report.path("to").asString(""), step, stepSeconds,
				times, charts, texts, requests, rows);
	}

	/** Whether the range has no request at all. */
	public boolean empty() {
		return this.requests == 0;
	}

	/** The shape the page's script reads. */
	Map<String, Object> json() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("from", this.from);
		json.put("to", this.to);
		json.put("step", this.step);
		json.put("step_seconds", this.stepSeconds);
		json.put("requests", this.requests);
		json.put("times", this.times);
		List<Map<String, Object>> charts = new ArrayList<>();
		for (Chart chart : this.charts) {
			Map<String, Object> c = new LinkedHashMap<>();
			c.put("id", chart.id());
			c.put("title", chart.title());
			c.put("unit", chart.unit());
			List<Map<String, Object>> series = new ArrayList<>();
			for (Series s : chart.series()) {
				Map<String, Object> one = new LinkedHashMap<>();
				one.put("label", s.label());
				one.put("values", s.values());
				series.add(one);
			}
			c.put("series", series);
			charts.add(c);
		}
		json.put("charts", charts);
		Map<String, String> totals = new LinkedHashMap<>();
		this.totals.forEach((total) -> totals.put(total.key(), total.text()));
		json.put("totals", totals);
		json.put("columns", COLUMNS);
		json.put("rows", this.rows);
		return json;
	}

	/**
	 * One series per key of the given map of each point: the keys with the most in the
	 * whole range first, at most {@link #TOP} of them, the rest added up as
	 * {@code other}; a step without any counts 0.
	 */
	private static List<Series> byKey(List<JsonNode> points, String field) {
		Map<String, Long> sums = new LinkedHashMap<>();
		for (JsonNode point : points) {
			for (Map.Entry<String, JsonNode> entry : point.path(field).properties()) {
				sums.merge(entry.getKey(), entry.getValue().asLong(0), Long::sum);
			}
		}
		Set<String> top = new LinkedHashSet<>();
		sums.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
				.thenComparing(Map.Entry.comparingByKey()))
			.limit((sums.size() > TOP) ? TOP - 1 : TOP)
			.forEach((entry) -> top.add(entry.getKey()));
		boolean other = sums.size() > top.size();
		List<Series> series = new ArrayList<>();
		for (String key : top) {
			List<Double> values = new ArrayList<>();
			for (JsonNode point : points) {
				values.add((double) point.path(field).path(key).asLong(0));
			}
			series.add(new Series(key, values));
		}
		if (other) {
			List<Double> values = new ArrayList<>();
			for (JsonNode point : points) {
				long rest = 0;
				for (Map.Entry<String, JsonNode> entry : point.path(field).properties()) {
					if (!top.contains(entry.getKey())) {
						rest += entry.getValue().asLong(0);
					}
				}
				values.add((double) rest);
			}
			series.add(new Series("other", values));
		}
		return series;
	}

	private static long epochSecond(JsonNode time) {
		try {
			return Instant.parse(time.asString("")).getEpochSecond();
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	private static Double millis(JsonNode micros) {
		return (micros.isNumber()) ? round(micros.asLong() / 1000.0) : null;
	}

	private static Double percent(JsonNode share) {
		return (share.isNumber()) ? round(share.asDouble() * 100) : null;
	}

	/**
	 * Three decimals, and three significant digits below 0.001: one request in an
	 * hour-long step is 0.000278/s, not 0, so a rare call still shows on a 30-day chart.
	 */
	private static double round(double value) {
		if (Math.abs(value) >= 0.001 || value == 0 || !Double.isFinite(value)) {
			return Math.round(value * 1000) / 1000.0;
		}
		return new BigDecimal(value).round(SIGNIFICANT).doubleValue();
	}

	private static String number(Double value) {
		if (value == null || Math.abs(value) >= 0.001 || value == 0 || !Double.isFinite(value)) {
			return number(value, 3);
		}
		return new BigDecimal(value).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
	}

	/** The value with at most this many decimals (no trailing zeros), or a dash. */
	private static String number(Double value, int decimals) {
		if (value == null) {
			return "–";
		}
		String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
		return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
	}

	private static String ms(JsonNode micros) {
		Double millis = millis(micros);
		return (millis != null) ? number(millis, 1) + " ms" : "–";
	}

	private static String percentText(JsonNode share) {
		Double percent = percent(share);
		return (percent != null) ? number(percent, 2) + " %" : "–";
	}

	private static String answers(JsonNode answers) {
		List<String> parts = new ArrayList<>();
		for (Map.Entry<String, JsonNode> entry : answers.properties()) {
			if (entry.getValue().asLong(0) > 0) {
				parts.add(entry.getKey() + ": " + entry.getValue().asLong());
			}
		}
		return parts.isEmpty() ? "none" : String.join(", ", parts);
	}

	private static String counts(JsonNode counts) {
		List<String> parts = new ArrayList<>();
		for (Map.Entry<String, JsonNode> entry : counts.properties()) {
			parts.add(entry.getKey() + ": " + entry.getValue().asLong(0));
		}
		return parts.isEmpty() ? "none" : String.join(", ", parts);
	}

	/**
	 * One chart.
	 *
	 * @param id its id on the page
	 * @param title its heading
	 * @param unit the unit of its y axis
	 * @param series its lines, each one value per step
	 */
	record Chart(String id, String title, String unit, List<Series> series) {
	}

	/** One line of a chart: one value per step, {@code null} where the step has none. */
	record Series(String label, List<Double> values) {
	}

	/** A figure of the whole range. */
	record Total(String key, String label, String text) {
	}

}
