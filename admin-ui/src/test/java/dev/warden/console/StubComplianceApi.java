package dev.warden.console;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The compliance part of the stand-in admin API, in the shapes platform-api answers: the
 * request log (three records, two of tenant {@code t-1} with key {@code k-1}, one of
 * {@code t-2}; filtered by {@code tenant_id}, {@code api_key_id}, {@code model},
 * {@code version}, {@code status} and {@code from}/{@code to}, answering 400
 * {@code invalid_parameter} naming the parameter for a bad value, and paged like
 * platform-api), the break-glass payload call (the justification rule of platform-api;
 * record {@code rl-shredded} answers 410, {@code rl-refused} 403), compliance exports (a
 * CSV file whose parameters are checked like platform-api's: {@code from}/{@code to}
 * required, a date or instant, {@code from} before {@code to}), the list of earlier
 * exports (one completed, one failed), a manifest and the public signing keyset.
 */
public final class StubComplianceApi {

	/** The bytes of every stand-in audit export. */
	public static final String AUDIT_CSV = "id,occurred_at,actor,actor_name,action,target_type,target_id,details\r\n"
			+ "e-1,2026-12-01T10:00:00Z,compliance,compliance,request_log.payload_viewed,request_log,rl-1,"
			+ "\"{\"\"outcome\"\":\"\"decrypted\"\"}\"\r\n";

	/** The decrypted request payload of record rl-1. */
	public static final String REQUEST_PAYLOAD = "{\"instances\":[{\"age\":39,\"occupation\":\"Adm-clerical\"}]}";

	/** The decrypted response payload of record rl-1. */
	public static final String RESPONSE_PAYLOAD = "{\"predictions\":[{\"probabilities\":[0.83,0.17]}]}";

	public static final String MANIFEST = """
			{"audit_chain_head":{"hash":"c0ffee","sequence":12},"columns":"id,occurred_at","completed_at":"2026-12-01T10:00:01Z",\
			"export_id":"x-1","export_type":"audit","file_name":"warden-audit-x-1.csv","format":"csv","manifest_version":1,\
			"row_count":1,"sha256":"5fd0aa","signature":"c2ln","signature_algorithm":"ED25519","size_bytes":21}""";

	public static final String PUBLIC_KEY = """
			{"primaryKeyId":42,"key":[{"keyData":{"typeUrl":"type.googleapis.com/google.crypto.tink.Ed25519PublicKey"}}]}""";

	static final String EXPORTS = """
			{"content":[
			 {"id":"x-2","export_type":"request-log","format":"ndjson","tenant_id":"t-1","from":"2026-11-01T00:00:00Z",
			  "to":"2026-12-01T00:00:00Z","requested_by":"admin","requested_at":"2026-12-01T11:00:00Z","status":"failed",
			  "completed_at":null,"row_count":null,"sha256":null},
			 {"id":"x-1","export_type":"audit","format":"csv","tenant_id":null,"from":"2026-11-01T00:00:00Z",
			  "to":"2026-12-01T00:00:00Z","requested_by":"compliance","requested_at":"2026-12-01T10:00:00Z",
			  "status":"completed","completed_at":"2026-12-01T10:00:01Z","row_count":1,"sha256":"5fd0aa"}],
			 "page":0,"size":20,"next_page":null}""";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> RECORDS = List.of(
			"""
					{"id":"rl-1","request_id":"req-101","occurred_at":"2026-12-01T10:00:03Z","tenant_id":"t-1","api_key_id":"k-1",
					 "model":"income","model_version":"1","method":"POST","path":"/v1/models/income:predict","status":200,
					 "latency_micros":4321,"request_bytes":120,"response_bytes":64,"error_code":null,
					 "has_request_payload":true,"has_response_payload":true}""",
			"""
					{"id":"rl-shredded","request_id":"req-100","occurred_at":"2026-12-01T10:00:02Z","tenant_id":"t-2","api_key_id":"k-9",
					 "model":"income","model_version":"1","method":"POST","path":"/v1/models/income:predict","status":200,
					 "latency_micros":5000,"request_bytes":118,"response_bytes":64,"error_code":null,
					 "has_request_payload":true,"has_response_payload":true}""",
			"""
					{"id":"rl-refused","request_id":"req-099","occurred_at":"2026-12-01T10:00:01Z","tenant_id":"t-1","api_key_id":"k-1",
					 "model":"spam","model_version":null,"method":"POST","path":"/v1/models/spam:predict","status":429,
					 "latency_micros":250,"request_bytes":80,"response_bytes":90,"error_code":"rate_limited",
					 "has_request_payload":false,"has_response_payload":false}""");

	/**
	 * The answer to a request, or null when the path is not one of the compliance API's.
	 */
	StubExplainabilityApi.Answer answer(String method, String path, String query, String body) {
		Map<String, List<String>> parameters = StubGovernanceApi.parameters(query);
		if (method.equals("GET") && path.equals("/api/admin/request-log")) {
			return records(parameters);
		}
		if (method.equals("POST") && path.matches("/api/admin/request-log/[^/]+/payload")) {
			return payload(path.split("/")[4], body);
		}
		if (method.equals("GET") && path.equals("/api/admin/exports")) {
			return new StubExplainabilityApi.Answer(200, EXPORTS);
		}
		if (method.equals("GET") && path.equals("/api/admin/exports/x-1/manifest")) {
			return new StubExplainabilityApi.Answer(200, MANIFEST);
		}
		if (method.equals("GET") && path.equals("/api/admin/exports/x-2/manifest")) {
			return error(409, "export_failed", "export x-2 failed: it has no manifest");
		}
		if (method.equals("GET") && path.equals("/api/admin/audit/public-key")) {
			return new StubExplainabilityApi.Answer(200, PUBLIC_KEY);
		}
		if (method.equals("GET") && path.matches("/api/admin/exports/(audit|request-log)")) {
			return export(parameters);
		}
		return null;
	}

	private static StubExplainabilityApi.Answer records(Map<String, List<String>> parameters) {
		String tenant = first(parameters, "tenant_id");
		if (tenant != null && !tenant.matches("t-\\d+")) {
			return error(400, "invalid_parameter", "tenant_id: is not a valid UUID");
		}
		String key = first(parameters, "api_key_id");
		if (key != null && !key.matches("k-\\d+")) {
			return error(400, "invalid_parameter", "api_key_id: is not a valid UUID");
		}
		String status = first(parameters, "status");
		if (status != null && !status.matches("[1-5][0-9][0-9]|[1-5][xX][xX]")) {
			return error(400, "invalid_parameter",
					"status: must be an HTTP status from 100 to 599 (e.g. 404) or a class such as 2xx, 4xx or 5xx");
		}
		Instant from;
		Instant to;
		try {
			from = instant("from", first(parameters, "from"));
			to = instant("to", first(parameters, "to"));
		}
		catch (IllegalArgumentException ex) {
			return error(400, "invalid_parameter", ex.getMessage());
		}
		if (from != null && to != null && !from.isBefore(to)) {
			return error(400, "invalid_parameter",
					"from: " + from + " is not before to: " + to + "; the range is [from, to)");
		}
		String model = first(parameters, "model");
		String version = first(parameters, "version");
		for (String name : List.of("model", "version")) {
			String value = first(parameters, name);
			if (value != null && value.length() > 1000) {
				return error(400, "invalid_parameter",
						"query parameter '" + name + "': must be at most 1000 characters long");
			}
		}
		int page = Integer.parseInt(first(parameters, "page", "0"));
		int size = Integer.parseInt(first(parameters, "size", "50"));
		List<JsonNode> matching = new ArrayList<>();
		for (String record : RECORDS) {
			JsonNode node = JSON.readTree(record);
			String code = String.valueOf(node.path("status").asInt());
			Instant at = Instant.parse(node.path("occurred_at").asString());
			if ((tenant == null || tenant.equals(node.path("tenant_id").asString()))
					&& (key == null || key.equals(node.path("api_key_id").asString()))
					&& (model == null || model.equals(node.path("model").asString()))
					&& (version == null || version.equals(node.path("model_version").asString(null)))
					&& (status == null || status.equals(code)
							|| (status.toLowerCase(Locale.ROOT).endsWith("xx") && status.charAt(0) == code.charAt(0)))
					&& (from == null || !at.isBefore(from)) && (to == null || at.isBefore(to))) {
				matching.add(node);
			}
		}
		ObjectNode answer = JSON.createObjectNode();
		ArrayNode content = answer.putArray("content");
		matching.stream().skip((long) page * size).limit(size).forEach(content::add);
		answer.put("page", page);
		answer.put("size", size);
		if ((long) (page + 1) * size < matching.size()) {
			answer.put("next_page", page + 1);
		}
		else {
			answer.putNull("next_page");
		}
		return new StubExplainabilityApi.Answer(200, answer.toString());
	}

	/** An instant as platform-api reads it, or null when absent. */
	private static Instant instant(String name, String value) {
		if (value == null || value.isEmpty()) {
			return null;
		}
		try {
			return Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(
					name + ": is not an instant like 2026-12-06T10:00:00Z (ISO-8601, UTC or with an offset)");
		}
	}

	private static StubExplainabilityApi.Answer payload(String id, String body) {
		String justification = JSON.readTree(body).path("justification").asString("").strip();
		if (justification.length() < 10) {
			return error(400, "justification_required",
					"justification: a written reason of at least 10 characters is required to view a request-log payload");
		}
		return switch (id) {
			case "rl-1" -> {
				ObjectNode answer = JSON.createObjectNode();
				answer.put("id", "rl-1");
				answer.put("request_id", "req-101");
				answer.put("tenant_id", "t-1");
				answer.putObject("request_payload").put("encoding", "utf-8").put("content", REQUEST_PAYLOAD);
				answer.putObject("response_payload").put("encoding", "utf-8").put("content", RESPONSE_PAYLOAD);
				yield new StubExplainabilityApi.Answer(200, answer.toString());
			}
			case "rl-shredded" -> error(410, "payload_shredded",
					"the payloads of record rl-shredded can no longer be decrypted: its tenant was deleted and its data key destroyed");
			case "rl-refused" -> error(403, "forbidden", "this needs the ADMIN or COMPLIANCE role");
			default -> error(404, "not_found", "no request-log record " + id);
		};
	}

	private static StubExplainabilityApi.Answer export(Map<String, List<String>> parameters) {
		String format = first(parameters, "format", "csv");
		if (!List.of("csv", "ndjson", "pdf").contains(format)) {
			return error(400, "invalid_format", "format: '" + format + "' is not csv, ndjson or pdf");
		}
		for (String name : List.of("from", "to")) {
			String value = first(parameters, name);
			if (value == null || value.isBlank()) {
				return error(400, "missing_parameter", name + " is required: an ISO-8601 instant or date");
			}
			if (!value.matches("\\d{4}-\\d{2}-\\d{2}(T.*)?")) {
				return error(400, "invalid_date", name + ": '" + value
						+ "' is not an ISO-8601 instant (2026-11-01T00:00:00Z) or date (2026-11-01, UTC)");
			}
		}
		if (first(parameters, "from").compareTo(first(parameters, "to")) >= 0) {
			return error(400, "invalid_range", "from must be before to; the range is [from, to)");
		}
		return new StubExplainabilityApi.Answer(200, "text/csv", AUDIT_CSV.getBytes(StandardCharsets.UTF_8));
	}

	private static String first(Map<String, List<String>> parameters, String name) {
		return first(parameters, name, null);
	}

	private static String first(Map<String, List<String>> parameters, String name, String fallback) {
		List<String> values = parameters.get(name);
		return (values == null || values.isEmpty()) ? fallback : values.get(0);
	}

	private static StubExplainabilityApi.Answer error(int status, String code, String message) {
		return new StubExplainabilityApi.Answer(status, JSON.writeValueAsString(
				Map.of("error", Map.of("code", code, "message", message, "request_id", "r-" + status))));
	}

}
