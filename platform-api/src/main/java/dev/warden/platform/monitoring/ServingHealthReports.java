package dev.warden.platform.monitoring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;

import dev.warden.platform.model.ModelGrants;
import dev.warden.platform.monitoring.internal.LatencyHistogram;
import dev.warden.platform.monitoring.internal.ServingKey;
import dev.warden.platform.monitoring.internal.ServingMinutes;
import dev.warden.platform.monitoring.internal.ServingRow;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;

/**
 * The serving-health answer of the admin API: one model's flushed per-minute rows of
 * every replica (optionally of one version and one tenant), or those of every model
 * (optionally of one tenant) when no model is named, added up per time step, with error
 * rate and latency percentiles computed from the merged histograms.
 */
@Service
class ServingHealthReports {

	/** Longest range one answer covers. */
	static final Duration MAX_RANGE = Duration.ofDays(31);

	/**
	 * Most points one answer holds: a day of minutes (and five days of 5-minute steps)
	 * with room for the range's ends rounded out to whole steps.
	 */
	static final int MAX_POINTS = 1_500;

	/** The range when {@code from} is not given: this long before {@code to}. */
	static final Duration DEFAULT_RANGE = Duration.ofHours(24);

	/** The steps an answer may be asked in, in seconds by name. */
	static final Map<String, Long> STEPS = Map.of("1m", 60L, "5m", 300L, "1h", 3_600L);

	private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

	private final ServingMinutes minutes;

	private final ModelGrants grants;

	private final Clock clock = Clock.systemUTC();

	ServingHealthReports(ServingMinutes minutes, ModelGrants grants) {
		this.minutes = minutes;
		this.grants = grants;
	}

	/**
	 * @param model the model, or {@code null} for every model (then without a version)
	 * @throws ApiException 400 {@code invalid_parameter} naming the parameter, 404 when
	 * neither the catalogue nor any row knows the model
	 */
	ServingReport report(String model, String version, UUID tenantId, String fromParameter, String toParameter,
			String stepParameter) {
		if (model == null && version != null) {
			throw ApiException.badRequest("invalid_parameter", "version: is only taken together with model");
		}
		if (model != null && !MODEL.matcher(model).matches()) {
			throw ApiException.badRequest("invalid_parameter",
					"model: must be a model name (letters, digits, '.', '_', '-'; at most 64 characters)");
		}
		if (version != null && !VERSION.matcher(version).matches()) {
			throw ApiException.badRequest("invalid_parameter", "version: must be a version number (1 to 18 digits)");
		}
		Instant to = instant("to", toParameter, this.clock.instant());
		Instant from = instant("from", fromParameter, to.minus(DEFAULT_RANGE));
		if (!from.isBefore(to)) {
			throw ApiException.badRequest("invalid_parameter", "from: " + from + " is not before to: " + to);
		}
		if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
			throw ApiException.badRequest("invalid_parameter",
					"from/to: the range is longer than " + MAX_RANGE.toDays() + " days; ask for a shorter range");
		}
		String step = step(stepParameter, from, to);
		long stepSeconds = STEPS.get(step);
		Instant start = start(from, stepSeconds);
		Instant end = end(to, stepSeconds);
		int points = (int) (Duration.between(start, end).toSeconds() / stepSeconds);
		if (points > MAX_POINTS) {
			throw ApiException.badRequest("invalid_parameter", "step: " + step + " over this range gives " + points
					+ " points, more than " + MAX_POINTS + "; ask for a larger step or a shorter range");
		}
		if (model != null && this.grants.access(model, null) == ModelGrants.Access.UNKNOWN
				&& !this.minutes.hasModel(model)) {
			throw ApiException.notFound("model " + model);
		}
		SortedMap<Integer, ServingRow> sums = this.minutes.sumBySteps(model, version, tenantId, start, end,
				stepSeconds);
		ServingRow total = new ServingRow(new ServingKey(start.getEpochSecond() / 60, tenantId, model, ""));
		List<Point> series = new ArrayList<>(points);
		for (int i = 0; i < points; i++) {
			ServingRow row = sums.get(i);
			Instant time = start.plusSeconds(i * stepSeconds);
			if (row == null) {
				row = new ServingRow(new ServingKey(time.getEpochSecond() / 60, tenantId, model, ""));
			}
			total.add(row);
			series.add(point(time, row));
		}
		return new ServingReport(model, version, tenantId, start, end, step, point(start, total), series);
	}

	private static Instant instant(String name, String value, Instant fallback) {
		if (value == null) {
			return fallback;
		}
		Instant instant;
		try {
			instant = Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw ApiException.badRequest("invalid_parameter", name + ": '" + value
					+ "' is not an instant like 2026-12-06T10:00:00Z (ISO-8601, UTC or with an " + "offset)");
		}
		String problem = InputRules.timestampProblem(instant);
		if (problem != null) {
			throw ApiException.badRequest("invalid_parameter", name + ": " + problem);
		}
		return instant;
	}

	/**
	 * The step asked for, or the smallest one that keeps the range within
	 * {@link #MAX_POINTS} points.
	 */
	private static String step(String value, Instant from, Instant to) {
		if (value != null) {
			if (!STEPS.containsKey(value)) {
				throw ApiException.badRequest("invalid_parameter", "step: must be 1m, 5m or 1h");
			}
			return value;
		}
		for (String step : List.of("1m", "5m")) {
			long seconds = STEPS.get(step);
			if (Duration.between(start(from, seconds), end(to, seconds)).toSeconds() / seconds <= MAX_POINTS) {
				return step;
			}
		}
		return "1h";
	}

	/** {@code from} rounded down to a whole step (since the epoch). */
	private static Instant start(Instant from, long stepSeconds) {
		return Instant.ofEpochSecond(Math.floorDiv(from.getEpochSecond(), stepSeconds) * stepSeconds);
	}

	/** {@code to} rounded up to a whole step (since the epoch). */
	private static Instant end(Instant to, long stepSeconds) {
		long seconds = to.getEpochSecond() + ((to.getNano() > 0) ? 1 : 0);
		return Instant.ofEpochSecond(Math.floorDiv(seconds + stepSeconds - 1, stepSeconds) * stepSeconds);
	}

	private static Point point(Instant time, ServingRow row) {
		long requests = row.requests();
		long[] classes = row.statusClasses();
		Map<String, Long> answers = new LinkedHashMap<>();
		for (int i = 0; i < classes.length; i++) {
			answers.put((i + 1) + "xx", classes[i]);
		}
		long max = row.latencyMicrosMax();
		long[] buckets = row.latencyBuckets();
		Latency latency = new Latency(LatencyHistogram.quantile(buckets, 0.50, max),
				LatencyHistogram.quantile(buckets, 0.95, max), LatencyHistogram.quantile(buckets, 0.99, max),
				(requests > 0) ? row.latencyMicrosSum() / requests : null, (requests > 0) ? max : null);
		Rows rows = new Rows(row.rowsRequests(),
				(row.rowsRequests() > 0) ? (double) row.rowsSum() / row.rowsRequests() : null,
				(row.rowsRequests() > 0) ? row.rowsMax() : null);
		return new Point(time, requests, answers, (requests > 0) ? (double) classes[4] / requests : null,
				new LinkedHashMap<>(row.errors()), new LinkedHashMap<>(row.quotaRejections()), latency, rows);
	}

	/**
	 * The answer of {@code GET /api/admin/monitoring/serving}.
	 *
	 * @param model the model asked for, {@code null} for every model
	 * @param version the version asked for, {@code null} for all
	 * @param tenantId the tenant asked for, {@code null} for all
	 * @param from the first step's start (the {@code from} asked for, rounded down to the
	 * step)
	 * @param to the end of the last step ({@code to} rounded up), exclusive
	 * @param totals the whole range as one point (its {@code time} is {@code from})
	 * @param points one per step from {@code from}, oldest first, steps without requests
	 * included
	 */
	record ServingReport(String model, String version, UUID tenantId, Instant from, Instant to, String step,
			Point totals, List<Point> points) {
	}

	/**
	 * One step.
	 *
	 * @param time the step's start
	 * @param answers answers by status class ({@code 1xx} … {@code 5xx})
	 * @param errorRate answers 500 and above / requests; {@code null} without requests
	 * @param errorsByCode answers with an error code (4xx and 5xx), by code
	 * @param quotaRejectionsByLimit calls a quota refused, by the limit that refused them
	 * @param latencyMicros latency percentiles, mean and maximum (µs)
	 * @param rowsPerRequest the rows tenants sent per request
	 */
	record Point(Instant time, long requests, Map<String, Long> answers, Double errorRate,
			Map<String, Long> errorsByCode, Map<String, Long> quotaRejectionsByLimit, Latency latencyMicros,
			Rows rowsPerRequest) {
	}

	/**
	 * Latency from arrival to the request-log row (µs): percentiles by nearest rank, each
	 * the upper bound of the histogram bucket that holds it (or the maximum when that
	 * lies in the same bucket), so at least the true value and at most 41 % above it; the
	 * mean and the maximum are exact. All {@code null} without requests.
	 */
	record Latency(Long p50, Long p95, Long p99, Long mean, Long max) {
	}

	/**
	 * Rows per request.
	 *
	 * @param requests the requests whose rows were counted (predict, classify, regress,
	 * infer, explain on a plan with a row limit, not refused for their rows)
	 * @param mean their mean rows, {@code null} when none
	 * @param max their largest, {@code null} when none
	 */
	record Rows(long requests, Double mean, Long max) {
	}

}
