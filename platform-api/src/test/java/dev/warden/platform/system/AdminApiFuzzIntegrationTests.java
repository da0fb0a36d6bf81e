package dev.warden.platform.system;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ValueConstants;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.warden.platform.Http;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fuzz pass over every admin endpoint (finding 6 of the penetration test, and the
 * definition of done of its fix). The endpoints are read from the started application's
 * {@link RequestMappingHandlerMapping}, so a new endpoint cannot escape; for each one,
 * every path variable, query parameter and JSON body field (also inside a nested object)
 * in turn gets hostile values: NUL and other control characters, lone UTF-16 surrogates,
 * huge strings, wrong JSON types, {@code null} and nested nulls, out-of-range numbers and
 * timestamps; the whole body gets duplicate keys, malformed and truncated JSON, malformed
 * UTF-8, deep nesting and an oversized body. Every answer must be below 500 and, when an
 * error, the documented JSON error; the application log must hold no stack trace and no
 * ERROR.
 */
class AdminApiFuzzIntegrationTests {

	// the test's own Json record (a request body) hides the shared
	// dev.warden.platform.Json
	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String PREFIX = "/api/admin";

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	static TestIssuer issuer;

	static WardenTestApp app;

	static String admin;

	static String tenantId;

	static String keyId;

	static String requestLogId;

	static ListAppender<ILoggingEvent> log;

	private static final AtomicInteger counter = new AtomicInteger();

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, Map.of(
				// the fuzz pass sends a few thousand requests as one user
				"warden.admin-api.rate-limit.burst", "1000000", "warden.admin-api.rate-limit.requests-per-minute",
				"1000000", "warden.keys.max-active-per-tenant", "1000000"));
		issuer = warden.issuer();
		app = warden.app();
		admin = Http.bearer(issuer.token("fuzzer", "ADMIN"));
		HttpResponse<String> tenant = Http.postJson(app.url(PREFIX + "/tenants"), "{\"name\":\"fuzz-tenant\"}",
				"Authorization", admin);
		assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(201);
		tenantId = JSON.readTree(tenant.body()).path("id").asString();
		HttpResponse<String> key = Http.postJson(app.url(PREFIX + "/tenants/" + tenantId + "/keys"),
				"{\"name\":\"fuzz-key\"}", "Authorization", admin);
		assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
		keyId = JSON.readTree(key.body()).path("id").asString();
		// one request-log row, so that the break-glass call reaches the audit trail
		Http.get(app.url("/v1/models"), "Authorization", Http.bearer(JSON.readTree(key.body()).path("key").asString()));
		requestLogId = app.jdbc().sql("SELECT id::text FROM request_log LIMIT 1").query(String.class).single();
		log = new ListAppender<>();
		log.start();
		((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
	}

	@AfterAll
	static void stop() throws Exception {
		((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
		warden.close();
	}

	@Test
	void theFuzzPassFindsTheAdminEndpoints() {
		List<Endpoint> endpoints = endpoints();

		assertThat(endpoints).extracting(Endpoint::toString)
			.contains("POST /api/admin/tenants", "POST /api/admin/tenants/{tenantId}/keys",
					"POST /api/admin/request-log/{id}/payload", "POST /api/admin/audit/events/login",
					"GET /api/admin/audit-events", "GET /api/admin/exports/{type}",
					"POST /api/admin/models/{name}/versions", "PUT /api/admin/models/{name}/grants");
		assertThat(endpoints).hasSizeGreaterThan(40);
	}

	@TestFactory
	Stream<DynamicTest> everyAdminEndpointAnswersHostileInputWith4xxJsonAndLogsNoStackTrace() {
		return Stream.concat(Stream.of(errorPage()), endpoints().stream()
			.map((endpoint) -> DynamicTest.dynamicTest(endpoint.toString(), () -> fuzz(endpoint))));
	}

	private static DynamicTest errorPage() {
		return DynamicTest.dynamicTest("GET /error", () -> {
			log.list.clear();
			List<String> failures = new ArrayList<>();
			for (String path : List.of("/error", "/error?x=%00")) {
				check(new Case("GET", path, null, null, "direct request"), Http.get(app.url(path)), failures);
				check(new Case("GET", path, null, null, "direct request with token"),
						Http.get(app.url(path), "Authorization", admin), failures);
			}
			assertThat(failures).isEmpty();
			assertThat(logProblems()).isEmpty();
		});
	}

	private static void fuzz(Endpoint endpoint) {
		log.list.clear();
		List<String> failures = new ArrayList<>();
		for (Case fuzzCase : cases(endpoint)) {
			check(fuzzCase, send(fuzzCase), failures);
		}
		assertThat(failures).as("answers of %s", endpoint).isEmpty();
		assertThat(logProblems()).as("log lines with a stack trace or at ERROR while fuzzing %s", endpoint).isEmpty();
	}

	private static void check(Case fuzzCase, HttpResponse<String> response, List<String> failures) {
		int status = response.statusCode();
		if (status >= 500) {
			failures.add(status + " for " + fuzzCase + ": " + abbreviate(response.body()));
			return;
		}
		if (status >= 400 && !fuzzCase.method().equals("HEAD")) {
			String problem = errorBodyProblem(response);
			if (problem != null) {
				failures.add(status + " without the JSON error (" + problem + ") for " + fuzzCase + ": "
						+ abbreviate(response.body()));
			}
		}
	}

	private static String errorBodyProblem(HttpResponse<String> response) {
		if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
			return "Content-Type " + response.headers().firstValue("Content-Type").orElse("none");
		}
		try {
			JsonNode error = JSON.readTree(response.body()).path("error");
			if (!error.path("code").isString() || !error.path("message").isString()
					|| !error.path("request_id").isString()) {
				return "not {\"error\":{\"code\",\"message\",\"request_id\"}}";
			}
			return null;
		}
		catch (RuntimeException ex) {
			return "not JSON";
		}
	}

	private static List<String> logProblems() {
		return log.list.stream()
			.filter((event) -> event.getThrowableProxy() != null || event.getLevel().isGreaterOrEqual(Level.ERROR))
			.map((event) -> event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
					+ ((event.getThrowableProxy() != null) ? " [" + event.getThrowableProxy().getClassName() + "]"
							: ""))
			.toList();
	}

	// ---- the endpoints ----

	private static List<Endpoint> endpoints() {
		RequestMappingHandlerMapping mapping = app.bean("requestMappingHandlerMapping",
				RequestMappingHandlerMapping.class);
		List<Endpoint> endpoints = new ArrayList<>();
		for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mapping.getHandlerMethods().entrySet()) {
			RequestMappingInfo info = entry.getKey();
			for (String pattern : info.getPatternValues()) {
				if (!pattern.startsWith(PREFIX)) {
					continue;
				}
				var methods = info.getMethodsCondition().getMethods();
				List<String> names = methods.isEmpty() ? List.of("GET", "POST", "PUT", "PATCH", "DELETE")
						: methods.stream().map(Enum::name).sorted().toList();
				for (String method : names) {
					endpoints.add(new Endpoint(method, pattern, entry.getValue()));
				}
			}
		}
		endpoints.sort((a, b) -> a.toString().compareTo(b.toString()));
		return endpoints;
	}

	record Endpoint(String method, String pattern, HandlerMethod handler) {

		List<MethodParameter> parameters() {
			return List.of(this.handler.getMethodParameters());
		}

		List<String> pathVariables() {
			List<String> names = new ArrayList<>();
			java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(this.pattern);
			while (matcher.find()) {
				names.add(matcher.group(1));
			}
			return names;
		}

		/**
		 * The query parameters: {@code @RequestParam}s and the components of records
		 * bound from the query.
		 */
		List<QueryParameter> queryParameters() {
			List<QueryParameter> parameters = new ArrayList<>();
			for (MethodParameter parameter : parameters()) {
				RequestParam annotation = parameter.getParameterAnnotation(RequestParam.class);
				Class<?> type = parameter.getParameterType();
				if (annotation != null) {
					String name = !annotation.name().isEmpty() ? annotation.name() : parameter.getParameterName();
					parameters
						.add(new QueryParameter(name, annotation.defaultValue().equals(ValueConstants.DEFAULT_NONE)
								? null : annotation.defaultValue()));
				}
				else if (type.isRecord() && type.getPackageName().startsWith("dev.warden")
						&& !parameter.hasParameterAnnotation(RequestBody.class)) {
					for (RecordComponent component : type.getRecordComponents()) {
						parameters.add(new QueryParameter(component.getName(), null));
					}
				}
			}
			return parameters;
		}

		Class<?> bodyType() {
			for (MethodParameter parameter : parameters()) {
				if (parameter.hasParameterAnnotation(RequestBody.class)) {
					return parameter.getParameterType();
				}
			}
			return null;
		}

		boolean multipart() {
			return parameters().stream().anyMatch((p) -> p.hasParameterAnnotation(RequestPart.class));
		}

		@Override
		public String toString() {
			return this.method + " " + this.pattern;
		}

	}

	record QueryParameter(String name, String defaultValue) {
	}

	// ---- the cases ----

	record Case(String method, String path, byte[] body, String contentType, String description) {

		@Override
		public String toString() {
			return this.method + " " + abbreviate(this.path) + " [" + this.description + "]"
					+ ((this.body != null) ? " body " + abbreviate(new String(this.body, StandardCharsets.UTF_8)) : "");
		}

	}

	/**
	 * Hostile text: a label, the value percent-encoded for a URL ({@code null}: not
	 * expressible in a URI the HTTP client accepts), and the value as a JSON string
	 * literal.
	 */
	record Text(String label, String url, String json) {
	}

	private static final List<Text> TEXTS = List.of(new Text("NUL", "%00", "\"\\u0000\""),
			new Text("NUL inside", "a%00b", "\"ab\\u0000cd\""), new Text("BEL", "%07", "\"\\u0007\""),
			new Text("escape sequence", "%1B%5B31m", "\"\\u001b[31m\""),
			new Text("line break", "a%0D%0Ab", "\"a\\r\\nb\""),
			new Text("DEL and C1", "%7F%C2%85", "\"\\u007f\\u0085\""),
			new Text("lone high surrogate", "%ED%A0%80", "\"\\ud800\""),
			new Text("lone low surrogate", "%ED%B0%80", "\"x\\udc00\""),
			new Text("reversed surrogate pair", "%ED%B0%80%ED%A0%80", "\"\\udc00\\ud800\""),
			new Text("malformed percent", null, "\"%zz\""), new Text("empty", "", "\"\""),
			new Text("blank", "%20%20", "\"   \""), new Text("SQL", "%27%20OR%201%3D1--", "\"' OR 1=1--\""),
			new Text("path traversal", "..%2F..%2Fetc", "\"../../etc/passwd\""),
			new Text("huge", "x".repeat(9_000), "\"" + "x".repeat(20_000) + "\""),
			new Text("number-like", "9223372036854775808", "\"9223372036854775808\""),
			new Text("far future", "%2B999999999-12-31T23:59:59Z", "\"+999999999-12-31T23:59:59Z\""),
			new Text("far past", "-999999999-01-01T00:00:00Z", "\"-999999999-01-01T00:00:00Z\""),
			new Text("year zero", "0000-01-01", "\"0000-01-01T00:00:00Z\""),
			new Text("beyond PostgreSQL", "294277-01-01T00:00:00Z", "\"+294277-01-01T00:00:00Z\""),
			new Text("before 1970", "1969-12-31T23:59:59Z", "\"1969-12-31T23:59:59Z\""),
			new Text("impossible date", "2026-02-30", "\"2026-02-30T00:00:00Z\""));

	/** Hostile JSON values of the wrong type or out of range. */
	private static final List<String> VALUES = List.of("null", "true", "0", "-1", "1.5", "2147483648",
			"9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "1e-400", "[]", "[null]", "[\"\\u0000\"]",
			"[[null]]", "[1]", "{}", "{\"a\":null}", "{\"\\u0000\":1}", "[" + "1,".repeat(5_000) + "1]");

	/** Hostile whole bodies. */
	private static final List<byte[]> BODIES = List.of(bytes(""), bytes("{"), bytes("{\"a\":"), bytes("]"),
			bytes("null"), bytes("[]"), bytes("[null]"), bytes("123"), bytes("\"x\""), bytes("{} {}"), bytes("{}x"),
			bytes("{\"a\":1,\"a\":2}"), bytes("{'a':1}"), bytes("{a:1}"), bytes("/* c */ {}"), bytes("{\"a\":NaN}"),
			bytes("{\"\\u0000\":\"\\ud800\"}"), bytes("[".repeat(20_000) + "]".repeat(20_000)),
			bytes("{\"a\":" + "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_001)),
			new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' },
			new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}' },
			new byte[] { (byte) 0xFE, (byte) 0xFF, 0, '{', 0, '}' },
			bytes("{\"a\":\"" + "x".repeat(100 * 1024) + "\"}"));

	private static List<Case> cases(Endpoint endpoint) {
		List<Case> cases = new ArrayList<>();
		Map<String, String> path = new LinkedHashMap<>();
		for (String variable : endpoint.pathVariables()) {
			path.put(variable, validPathValue(endpoint, variable));
		}
		Map<String, String> query = validQuery(endpoint);
		Class<?> bodyType = endpoint.bodyType();
		String contentType = endpoint.multipart() ? "multipart/form-data; boundary=fuzz" : "application/json";
		byte[] validBody = (bodyType != null) ? bytes(new Json(baseline(bodyType))) : null;
		// as it is, with a valid body when it takes one
		cases.add(request(endpoint, path, query, validBody, contentType, "valid values"));
		for (String variable : path.keySet()) {
			for (Text text : urlTexts()) {
				Map<String, String> hostile = new LinkedHashMap<>(path);
				hostile.put(variable, text.url());
				cases.add(request(endpoint, hostile, query, validBody, contentType,
						"{" + variable + "} " + text.label()));
			}
		}
		List<String> queryNames = new ArrayList<>(
				endpoint.queryParameters().stream().map(QueryParameter::name).toList());
		queryNames.add("unknown");
		for (String name : queryNames) {
			for (Text text : urlTexts()) {
				Map<String, String> hostile = new LinkedHashMap<>(query);
				hostile.put(name, text.url());
				cases.add(request(endpoint, path, hostile, validBody, contentType, name + "=" + text.label()));
			}
			for (String number : List.of("-1", "0", "2147483648", "9223372036854775808", "1e400", "NaN", "0x10")) {
				Map<String, String> hostile = new LinkedHashMap<>(query);
				hostile.put(name, number);
				cases.add(request(endpoint, path, hostile, validBody, contentType, name + "=" + number));
			}
		}
		Map<String, String> nulName = new LinkedHashMap<>(query);
		nulName.put("%00", "1");
		cases.add(request(endpoint, path, nulName, validBody, contentType, "NUL as a parameter name"));
		if (bodyType != null && !endpoint.multipart()) {
			for (List<String> field : fields(bodyType, 2)) {
				for (String value : hostileJsonValues()) {
					cases
						.add(request(endpoint, path, query, bytes(with(new LinkedHashMap<>(), field, value).toString()),
								contentType, String.join(".", field) + " alone"));
					cases.add(request(endpoint, path, query, bytes(with(baseline(bodyType), field, value).toString()),
							contentType, String.join(".", field)));
				}
				String name = field.get(field.size() - 1);
				cases.add(request(endpoint, path, query, bytes("{\"" + name + "\":\"a\",\"" + name + "\":\"b\"}"),
						contentType, "duplicate " + name));
			}
			for (byte[] body : BODIES) {
				cases.add(request(endpoint, path, query, body, contentType, "whole body"));
			}
			cases.add(request(endpoint, path, query, validBody, "text/plain", "wrong content type"));
		}
		else {
			// endpoints without a JSON body still must not choke on one
			cases.add(request(endpoint, path, query, bytes("{\"a\":\"\\u0000\"}"), "application/json",
					"unexpected body"));
			cases.add(request(endpoint, path, query, BODIES.get(BODIES.size() - 1), "application/json",
					"unexpected large body"));
		}
		return cases;
	}

	private static List<Text> urlTexts() {
		return TEXTS.stream().filter((text) -> text.url() != null).toList();
	}

	private static List<String> hostileJsonValues() {
		List<String> values = new ArrayList<>(VALUES);
		TEXTS.stream().map(Text::json).forEach(values::add);
		return values;
	}

	private static Case request(Endpoint endpoint, Map<String, String> path, Map<String, String> query, byte[] body,
			String contentType, String description) {
		String url = endpoint.pattern();
		for (Map.Entry<String, String> variable : path.entrySet()) {
			url = url.replace("{" + variable.getKey() + "}", variable.getValue());
		}
		if (!query.isEmpty()) {
			url += "?" + query.entrySet()
				.stream()
				.map((e) -> e.getKey() + "=" + e.getValue())
				.collect(Collectors.joining("&"));
		}
		return new Case(endpoint.method(), url, body, contentType, description);
	}

	private static HttpResponse<String> send(Case fuzzCase) {
		List<String> headers = new ArrayList<>(List.of("Authorization", admin));
		if (fuzzCase.body() != null) {
			headers.add("Content-Type");
			headers.add(fuzzCase.contentType());
		}
		return Http.sendBytes(fuzzCase.method(), app.url(fuzzCase.path()), fuzzCase.body(),
				headers.toArray(String[]::new));
	}

	private static String validPathValue(Endpoint endpoint, String variable) {
		String before = endpoint.pattern().substring(0, endpoint.pattern().indexOf("{" + variable + "}"));
		if (before.endsWith("/tenants/") || variable.equals("tenantId") || variable.equals("subject")) {
			return tenantId;
		}
		if (before.endsWith("/keys/")) {
			return keyId;
		}
		if (before.endsWith("/request-log/")) {
			return requestLogId;
		}
		if (before.endsWith("/models/")) {
			return variable.equals("target") ? "income:rollback" : "income";
		}
		if (before.endsWith("/exports/")) {
			return variable.equals("type") ? "audit" : UUID.randomUUID().toString();
		}
		if (before.endsWith("/versions/")) {
			return "1";
		}
		return UUID.randomUUID().toString();
	}

	private static Map<String, String> validQuery(Endpoint endpoint) {
		Map<String, String> query = new LinkedHashMap<>();
		for (QueryParameter parameter : endpoint.queryParameters()) {
			if (parameter.defaultValue() != null) {
				query.put(parameter.name(), parameter.defaultValue());
			}
			else if (parameter.name().equals("from")) {
				query.put(parameter.name(), "2026-01-01");
			}
			else if (parameter.name().equals("to")) {
				query.put(parameter.name(), "2026-02-01");
			}
		}
		return query;
	}

	/**
	 * Paths to every JSON field of the body type, down to {@code depth} levels of nested
	 * objects.
	 */
	private static List<List<String>> fields(Class<?> type, int depth) {
		List<List<String>> fields = new ArrayList<>();
		for (Map.Entry<String, Type> property : properties(type).entrySet()) {
			fields.add(List.of(property.getKey()));
			Class<?> raw = raw(property.getValue());
			if (depth > 1 && !BeanUtils.isSimpleValueType(raw) && !Collection.class.isAssignableFrom(raw)
					&& !Temporal.class.isAssignableFrom(raw) && raw.getPackageName().startsWith("dev.warden")) {
				for (List<String> nested : fields(raw, depth - 1)) {
					List<String> path = new ArrayList<>();
					path.add(property.getKey());
					path.addAll(nested);
					fields.add(path);
				}
			}
		}
		return fields;
	}

	/**
	 * The JSON properties of a request type: record components (snake_case) or
	 * {@code @JsonProperty} setters.
	 */
	private static Map<String, Type> properties(Class<?> type) {
		Map<String, Type> properties = new LinkedHashMap<>();
		if (type.isRecord()) {
			for (RecordComponent component : type.getRecordComponents()) {
				properties.put(component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT),
						component.getGenericType());
			}
		}
		for (var method : type.getDeclaredMethods()) {
			JsonProperty property = method.getAnnotation(JsonProperty.class);
			if (property != null && method.getParameterCount() == 1) {
				properties.put(property.value(), method.getGenericParameterTypes()[0]);
			}
		}
		for (Field field : type.getDeclaredFields()) {
			JsonProperty property = field.getAnnotation(JsonProperty.class);
			if (property != null) {
				properties.put(property.value(), field.getGenericType());
			}
		}
		return properties;
	}

	private static Class<?> raw(Type type) {
		return (type instanceof ParameterizedType parameterized) ? (Class<?>) parameterized.getRawType()
				: (Class<?>) type;
	}

	/**
	 * A plausible body: scalar fields with valid-looking values; lists and nested objects
	 * are left out.
	 */
	private static Map<String, Object> baseline(Class<?> type) {
		Map<String, Object> body = new LinkedHashMap<>();
		for (Map.Entry<String, Type> property : properties(type).entrySet()) {
			Class<?> raw = raw(property.getValue());
			String json = null;
			if (raw == String.class) {
				json = "\"fuzz-" + counter.incrementAndGet() + "\"";
			}
			else if (raw == Boolean.class || raw == boolean.class) {
				json = "true";
			}
			else if (Number.class.isAssignableFrom(raw) || (raw.isPrimitive() && raw != boolean.class)) {
				json = "1";
			}
			else if (Temporal.class.isAssignableFrom(raw)) {
				json = "\"2099-01-01T00:00:00Z\"";
			}
			if (json != null) {
				body.put(property.getKey(), new Raw(json));
			}
		}
		return body;
	}

	/** The body with the field at {@code path} set to the JSON value. */
	@SuppressWarnings("unchecked")
	private static Json with(Map<String, Object> body, List<String> path, String json) {
		Map<String, Object> current = body;
		for (int i = 0; i < path.size() - 1; i++) {
			Object next = current.get(path.get(i));
			if (!(next instanceof Map)) {
				next = new LinkedHashMap<String, Object>();
				current.put(path.get(i), next);
			}
			current = (Map<String, Object>) next;
		}
		current.put(path.get(path.size() - 1), new Raw(json));
		return new Json(body);
	}

	/** A JSON value written as is. */
	record Raw(String json) {

		@Override
		public String toString() {
			return this.json;
		}

	}

	/**
	 * A JSON object of {@link Raw} values and nested objects, written without re-encoding
	 * the raw values.
	 */
	record Json(Map<String, Object> members) {

		@Override
		public String toString() {
			return write(this.members);
		}

		@SuppressWarnings("unchecked")
		private static String write(Map<String, Object> members) {
			return members.entrySet()
				.stream()
				.map((e) -> "\"" + e.getKey() + "\":"
						+ ((e.getValue() instanceof Map<?, ?> nested) ? write((Map<String, Object>) nested)
								: e.getValue()))
				.collect(Collectors.joining(",", "{", "}"));
		}

	}

	private static byte[] bytes(Object text) {
		return String.valueOf(text).getBytes(StandardCharsets.UTF_8);
	}

	private static String abbreviate(String text) {
		return (text.length() > 160) ? text.substring(0, 160) + "…(" + text.length() + " chars)" : text;
	}

}
