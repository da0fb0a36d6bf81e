package dev.warden.console;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The serving-health part of the stand-in admin API
 * ({@code GET /api/admin/monitoring/serving}), checking its parameters the way
 * platform-api does (400 {@code invalid_parameter} naming the parameter, 404 for an
 * unknown model). The range is rounded out to whole steps; every step is answered, and
 * for model {@code income} (or every model) the third- and second-last steps hold
 * requests: {@link #BUSY} (120 requests, 5xx, errors of three codes, a quota rejection)
 * and {@link #QUIET} (60 requests, errors of three other codes). {@code spam} had no
 * requests. {@link #moreRequests(long)} adds requests to the last step, as new traffic
 * would.
 */
public final class StubMonitoringApi {

	/** The busier step's figures. */
	public static final String BUSY = """
			{"requests":120,"answers":{"1xx":0,"2xx":110,"3xx":0,"4xx":6,"5xx":4},"error_rate":0.03333333333333333,
			 "errors_by_code":{"worker_unavailable":4,"rate_limited":5,"invalid_argument":1},
			 "quota_rejections_by_limit":{"requests_per_second":5},
			 "latency_micros":{"p50":12000,"p95":48000,"p99":95000,"mean":15000,"max":120000},
			 "rows_per_request":{"requests":110,"mean":2.0,"max":4}}""";

	/** The quieter step's figures. */
	public static final String QUIET = """
			{"requests":60,"answers":{"1xx":0,"2xx":57,"3xx":0,"4xx":3,"5xx":0},"error_rate":0.0,
			 "errors_by_code":{"unknown_model":1,"payload_too_large":1,"unauthorized":1},
			 "quota_rejections_by_limit":{},
			 "latency_micros":{"p50":8000,"p95":20000,"p99":30000,"mean":9000,"max":31000},
			 "rows_per_request":{"requests":57,"mean":1.0,"max":1}}""";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Map<String, Long> STEPS = Map.of("1m", 60L, "5m", 300L, "1h", 3_600L);

	private static final Set<String> MODELS = Set.of("income", "spam");

	private final AtomicLong more = new AtomicLong();

	/** Adds this many 2xx requests (of 10 ms) to the last step of every later answer. */
	public void moreRequests(long requests) {
		this.more.addAndGet(requests);
	}

	public void reset() {
		this.more.set(0);
	}

	StubExplainabilityApi.Answer answer(String method, String path, String query) {
		if (!method.equals("GET") || !path.equals("/api/admin/monitoring/serving")) {
			return null;
		}
		Map<String, String> parameters = new LinkedHashMap<>();
		if (query != null) {
			for (String pair : query.split("&")) {
				int equals = pair.indexOf('=');
				parameters.put(URLDecoder.decode(pair.substring(0, Math.max(equals, 0)), StandardCharsets.UTF_8),
						URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
			}
		}
		String model = parameters.get("model");
		String version = parameters.get("version");
		if (model == null && version != null) {
			return invalid("version: is only taken together with model");
		}
		if (model != null && !model.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
			return invalid("model: must be a model name (letters, digits, '.', '_', '-'; at most 64 characters)");
		}
		if (version != null && !version.matches("[0-9]{1,18}")) {
			return invalid("version: must be a version number (1 to 18 digits)");
		}
		String step = parameters.get("step");
		if (step == null || !STEPS.containsKey(step)) {
			return invalid("step: must be 1m, 5m or 1h");
		}
		Instant from;
		Instant to;
		try {
			from = Instant.parse(parameters.get("from"));
			to = Instant.parse(parameters.get("to"));
		}
		catch (DateTimeParseException | NullPointerException ex) {
			return invalid("from: is not an instant like 2026-12-06T10:00:00Z");
		}
		if (model != null && !MODELS.contains(model)) {
			return error(404, "not_found", "model " + model + " not found");
		}
		long seconds = STEPS.get(step);
		long start = Math.floorDiv(from.getEpochSecond(), seconds) * seconds;
		long end = Math.floorDiv(to.getEpochSecond() + seconds - 1, seconds) * seconds;
		int count = (int) ((end - start) / seconds);
		ObjectNode report = JSON.createObjectNode();
		report.put("model", model).put("version", version).put("tenant_id", parameters.get("tenant"));
		report.put("from", Instant.ofEpochSecond(start).toString()).put("to", Instant.ofEpochSecond(end).toString());
		report.put("step", step);
		boolean busy = model == null || model.equals("income");
		long more = this.more.get();
		ArrayNode points = report.putArray("points");
		for (int i = 0; i < count; i++) {
			String time = Instant.ofEpochSecond(start + i * seconds).toString();
			ObjectNode point;
			if (busy && i == count - 3) {
				point = (ObjectNode) JSON.readTree(BUSY);
			}
			else if (busy && i == count - 2) {
				point = (ObjectNode) JSON.readTree(QUIET);
			}
			else if (busy && i == count - 1 && more > 0) {
				point = (ObjectNode) JSON.readTree(empty());
				point.put("requests", more).put("error_rate", 0.0);
				point.putObject("answers").put("1xx", 0).put("2xx", more).put("3xx", 0).put("4xx", 0).put("5xx", 0);
				point.putObject("latency_micros")
					.put("p50", 10000)
					.put("p95", 10000)
					.put("p99", 10000)
					.put("mean", 10000)
					.put("max", 10000);
			}
			else {
				point = (ObjectNode) JSON.readTree(empty());
			}
			ObjectNode timed = JSON.createObjectNode().put("time", time);
			timed.setAll(point);
			points.add(timed);
		}
		ObjectNode totals = (ObjectNode) JSON.readTree(busy ? """
				{"requests":180,"answers":{"1xx":0,"2xx":167,"3xx":0,"4xx":9,"5xx":4},"error_rate":0.022222222222222223,
				 "errors_by_code":{"worker_unavailable":4,"rate_limited":5,"invalid_argument":1,"unknown_model":1,
				 "payload_too_large":1,"unauthorized":1},"quota_rejections_by_limit":{"requests_per_second":5},
				 "latency_micros":{"p50":12000,"p95":48000,"p99":95000,"mean":13000,"max":120000},
				 "rows_per_request":{"requests":167,"mean":1.66,"max":4}}""" : empty());
		if (busy && more > 0) {
			totals.put("requests", 180 + more);
			((ObjectNode) totals.path("answers")).put("2xx", 167 + more);
		}
		ObjectNode timedTotals = JSON.createObjectNode().put("time", Instant.ofEpochSecond(start).toString());
		timedTotals.setAll(totals);
		report.set("totals", timedTotals);
		report.set("points", points);
		return new StubExplainabilityApi.Answer(200, report.toString());
	}

	private static String empty() {
		return """
				{"requests":0,"answers":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0},"error_rate":null,"errors_by_code":{},
				 "quota_rejections_by_limit":{},"latency_micros":{"p50":null,"p95":null,"p99":null,"mean":null,"max":null},
				 "rows_per_request":{"requests":0,"mean":null,"max":null}}""";
	}

	private static StubExplainabilityApi.Answer invalid(String message) {
		return error(400, "invalid_parameter", message);
	}

	private static StubExplainabilityApi.Answer error(int status, String code, String message) {
		ObjectNode error = JSON.createObjectNode();
		error.putObject("error").put("code", code).put("message", message).put("request_id", "r-" + status);
		return new StubExplainabilityApi.Answer(status, error.toString());
	}

}
