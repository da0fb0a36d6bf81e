package dev.warden.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for platform-api's admin API (the part the console depends on, not the part
 * under test), answering with the documented JSON shapes (lists as pages: the tenants'
 * page says that more follow) and recording the Authorization headers and request URIs it
 * receives.
 */
public final class StubPlatformApi implements AutoCloseable {

	static final String TENANTS = """
			{"content":[{"id":"t-1","name":"acme","plan":"standard","status":"ACTIVE","created_at":"2025-01-02T03:04:05Z"}],
			 "page":0,"size":1,"next_page":1}""";

	static final String KEYS = """
			{"content":[{"id":"k-1","prefix":"wdn_abcdefghijkl","name":"ci-pipeline","created_at":"2025-01-02T03:04:05Z",
			  "last_used_at":null,"status":"ACTIVE"}],"page":0,"size":50,"next_page":null}""";

	static final String MODELS = """
			{"content":[{"name":"income","versions":[{"version":"1","state":"AVAILABLE","signature_defs":{"signature_def":{
			  "serving_default":{"inputs":{"age":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1","name":""}],
			  "unknown_rank":false},"name":"serving_default_age:0"}},"outputs":{"probabilities":{"dtype":"DT_FLOAT",
			  "tensor_shape":{"dim":[{"size":"-1","name":""},{"size":"2","name":""}],"unknown_rank":false},
			  "name":"StatefulPartitionedCall:0"}},"method_name":"tensorflow/serving/predict"}}}}]},
			 {"name":"spam","versions":[{"version":"1","state":"AVAILABLE","signature_defs":{"serving_default":{
			  "inputs":{"text":{"dtype":"DT_STRING","tensor_shape":{"dim":[{"size":"-1"}]}}},"outputs":{}}}}]}],
			 "page":0,"size":50,"next_page":null}""";

	static final String AUDIT_EVENTS = """
			{"content":[{"id":"e-3","seq":3,"occurred_at":"2025-01-02T03:05:00.000001Z",
			  "actor":"8f1c2a44-0d1e-4a55-9c1e-6f3b2d9a7e10","actor_name":"kc-alice",
			  "actor_issuer":"http://localhost:8180/realms/warden","roles":["ADMIN"],"action":"tenant.created",
			  "target_type":"tenant","target_id":"t-2","details":{},"client_address":"10.1.2.3","request_id":"req-43",
			  "prev_hash":"bb","hash":"cc"},
			  {"id":"e-2","seq":2,"occurred_at":"2025-01-02T03:04:06.000001Z","actor":"admin","roles":["ADMIN"],
			  "action":"api_key.created","target_type":"api_key","target_id":"k-1","details":{"name":"ci-pipeline"},
			  "client_address":"10.1.2.3","user_agent":"curl/8","request_id":"req-42","prev_hash":"aa","hash":"bb"},
			  {"id":"e-1","seq":1,"occurred_at":"2025-01-02T03:04:05.000001Z","actor":"admin","roles":["ADMIN"],
			  "action":"tenant.updated","target_type":"tenant","target_id":"t-1",
			  "details":{"before":{"plan":"free","status":"active"},"after":{"plan":"enterprise","status":"active"},
			  "quota":{"requests_per_minute":600,"models":["income","spam"]}},
			  "client_address":"10.1.2.3","request_id":"req-41","prev_hash":"00","hash":"aa"}],
			 "page":0,"size":50,"next_page":1}""";

	static final String AUDIT_EVENTS_PAGE_2 = """
			{"content":[{"id":"e-0","seq":0,"occurred_at":"2025-01-01T00:00:00Z","actor":"system","roles":[],
			  "action":"audit.genesis","target_type":"audit","target_id":"chain","details":{},"request_id":null,
			  "prev_hash":null,"hash":"00"}],
			 "page":1,"size":50,"next_page":null}""";

	static final String ALERTS = """
			{"content":[{"id":"a-1","rule":"income-error-rate","kind":"error_rate","model":"income","version":"",
			  "state":"open","comparison":"above","threshold":0.05,"window":"5m","value":0.5,"last_value":0.31,
			  "evidence":{"requests":60,"errors_by_code":{"worker_unavailable":30}},
			  "opened_at":"2025-01-02T03:04:05Z","last_seen_at":"2025-01-02T03:09:05Z","closed_at":null},
			 {"id":"a-2","rule":"income-drift","kind":"drift","model":"income","version":"3","state":"open",
			  "comparison":"verdict","threshold":null,"window":"1h","value":2.0,"last_value":2.0,
			  "evidence":{"drifted":[{"name":"age"}]},"opened_at":"2025-01-02T02:00:00Z",
			  "last_seen_at":"2025-01-02T03:09:05Z","closed_at":null}],
			 "page":0,"size":50,"next_page":null}""";

	/** The first of two pages of workers: a healthy one serving income. */
	static final String WORKERS = """
			{"content":[{"id":"configured-1","url":"http://127.0.0.1:8081","source":"configured","healthy":true,
			  "circuit_breaker":"CLOSED","in_flight":3,"forwarded":10421,"desired_generation":1796531649783165,
			  "models":{"income":{"versions":[1],"labels":{"stable":1},"aspired":[1],"loading":[],"failed":{},
			  "in_store":[1,2]}}}],
			 "page":0,"size":1,"next_page":1}""";

	/**
	 * The second page of workers: a registered one whose breaker is open and that failed
	 * to load a version.
	 */
	static final String WORKERS_PAGE_2 = """
			{"content":[{"id":"worker-b","url":"http://10.0.0.7:8081","source":"registered","healthy":false,
			  "circuit_breaker":"OPEN","in_flight":0,"forwarded":7,"desired_generation":null,
			  "models":{"income":{"versions":[1],"labels":{},"aspired":[1,3],"loading":[],
			  "failed":{"3":"SavedModel not found in the store"},"in_store":[1]}}}],
			 "page":1,"size":1,"next_page":null}""";

	static final String AUDIT_VERIFY = """
			{"valid":true,"events_checked":2,"digests_checked":1,"head_seq":2,"first_broken_link":null}""";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpServer server;

	private final List<String> authorizations = new CopyOnWriteArrayList<>();

	private final List<Post> posts = new CopyOnWriteArrayList<>();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private final StubExplainabilityApi explainability = new StubExplainabilityApi();

	private final StubGovernanceApi governance = new StubGovernanceApi();

	private final StubTenantsApi tenants = new StubTenantsApi();

	private final StubComplianceApi compliance = new StubComplianceApi();

	private final StubMonitoringApi monitoring = new StubMonitoringApi();

	private final StubModelsApi models = new StubModelsApi();

	private final StubConsoleState consoleState = new StubConsoleState();

	private final List<String> failingPaths = new CopyOnWriteArrayList<>();

	private volatile boolean failing;

	public StubPlatformApi() {
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.createContext("/api/admin/", this::handle);
		this.server.createContext("/internal/platform/console/", this.consoleState::handle);
		this.server.start();
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	public List<String> authorizations() {
		return this.authorizations;
	}

	/** {@code "<method> <path and query>"} of every request received. */
	public List<String> requests() {
		return this.requests;
	}

	/** {@code "<path> <body>"} of every POST received. */
	public List<String> posts() {
		return this.posts.stream()
			.filter((post) -> post.method().equals("POST"))
			.map((post) -> post.path() + " " + post.body())
			.toList();
	}

	/** Every POST received on the path, oldest first. */
	public List<Post> postsTo(String path) {
		return this.posts.stream().filter((post) -> post.method().equals("POST") && post.path().equals(path)).toList();
	}

	/** Every PATCH received on the path, oldest first. */
	public List<Post> patchesTo(String path) {
		return this.posts.stream().filter((post) -> post.method().equals("PATCH") && post.path().equals(path)).toList();
	}

	/** Every PUT received on the path, oldest first. */
	public List<Post> putsTo(String path) {
		return this.posts.stream().filter((post) -> post.method().equals("PUT") && post.path().equals(path)).toList();
	}

	/** The governance part of the stand-in (fairness, model cards, promotion). */
	public StubGovernanceApi governance() {
		return this.governance;
	}

	/** The serving-health part of the stand-in. */
	public StubMonitoringApi monitoring() {
		return this.monitoring;
	}

	/** The model catalogue, upload, grants and routing part of the stand-in. */
	public StubModelsApi models() {
		return this.models;
	}

	/** The console state part of the stand-in (what console replicas share). */
	public StubConsoleState consoleState() {
		return this.consoleState;
	}

	/** The tenant and API key part of the stand-in. */
	public StubTenantsApi tenants() {
		return this.tenants;
	}

	public void failing(boolean failing) {
		this.failing = failing;
		if (!failing) {
			this.failingPaths.clear();
		}
	}

	/**
	 * Answers 503 to requests whose path starts with the prefix, until
	 * {@code failing(false)}.
	 */
	public void failing(String pathPrefix) {
		this.failingPaths.add(pathPrefix);
	}

	private void handle(HttpExchange exchange) throws IOException {
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		this.authorizations.add(String.valueOf(authorization));
		String path = exchange.getRequestURI().getPath();
		String method = exchange.getRequestMethod();
		this.requests.add(method + " " + exchange.getRequestURI());
		String body = "";
		byte[] bytes = new byte[0];
		if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
			bytes = exchange.getRequestBody().readAllBytes();
			body = new String(bytes, StandardCharsets.UTF_8);
			this.posts.add(new Post(method, path, exchange.getRequestURI().getRawQuery(), body, authorization));
		}
		StubExplainabilityApi.Answer explained = null;
		if (authorization != null && authorization.startsWith("Bearer ")) {
			String query = exchange.getRequestURI().getRawQuery();
			boolean admin = hasRole(authorization, "ADMIN");
			explained = this.models.answer(method, path, query, bytes, admin);
			if (explained == null) {
				explained = this.governance.answer(method, path, query, body,
						claims(authorization).path("sub").asString(), admin);
			}
			if (explained == null) {
				explained = this.explainability.answer(method, path, query, body, admin);
			}
			if (explained == null) {
				explained = this.tenants.answer(method, path, query, body, admin);
			}
			if (explained == null) {
				explained = this.compliance.answer(method, path, query, body);
			}
			if (explained == null) {
				explained = this.monitoring.answer(method, path, query);
			}
		}
		if (this.failing || this.failingPaths.stream().anyMatch(path::startsWith)) {
			respond(exchange, 503, """
					{"error":{"code":"unavailable","message":"database is down","request_id":"r-1"}}""");
		}
		else if (authorization == null || !authorization.startsWith("Bearer ")) {
			respond(exchange, 401, """
					{"error":{"code":"unauthorized","message":"missing token","request_id":"r-2"}}""");
		}
		else if (explained != null) {
			respond(exchange, explained.status(), explained.contentType(), explained.body());
		}
		else if (path.equals("/api/admin/tenants")) {
			respond(exchange, 200, TENANTS);
		}
		else if (path.equals("/api/admin/tenants/t-1/keys")) {
			respond(exchange, 200, KEYS);
		}
		else if (path.equals("/api/admin/audit-events")) {
			String query = String.valueOf(exchange.getRequestURI().getRawQuery());
			if (query.contains("action=bad")) {
				respond(exchange, 400, """
						{"error":{"code":"invalid_parameter","message":"action: must be an action such as \
						tenant.created, or its start followed by * (model.*)","request_id":"r-1"}}""");
			}
			else {
				respond(exchange, 200, query.contains("page=1") ? AUDIT_EVENTS_PAGE_2 : AUDIT_EVENTS);
			}
		}
		else if (path.equals("/api/admin/monitoring/alerts")) {
			respond(exchange, 200, ALERTS);
		}
		else if (path.equals("/api/admin/workers")) {
			String query = String.valueOf(exchange.getRequestURI().getRawQuery());
			respond(exchange, 200, query.contains("page=1") ? WORKERS_PAGE_2 : WORKERS);
		}
		else if (path.equals("/api/admin/audit/verify")) {
			respond(exchange, 200, AUDIT_VERIFY);
		}
		else if (path.equals("/api/admin/audit/events/login")
				|| path.equals("/api/admin/audit/events/login-failures")) {
			respond(exchange, 201, "{}");
		}
		else if (path.equals("/api/admin/models")) {
			respond(exchange, 200, MODELS);
		}
		else {
			respond(exchange, 404, """
					{"error":{"code":"not_found","message":"no such resource","request_id":"r-3"}}""");
		}
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		respond(exchange, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
	}

	private static void respond(HttpExchange exchange, int status, String contentType, byte[] bytes)
			throws IOException {
		exchange.getResponseHeaders().set("Content-Type", contentType);
		exchange.sendResponseHeaders(status, (bytes.length == 0) ? -1 : bytes.length);
		if (bytes.length > 0) {
			exchange.getResponseBody().write(bytes);
		}
		exchange.close();
	}

	/** Whether the bearer token (a JWT, read without verifying it) carries the role. */
	private static boolean hasRole(String authorization, String role) {
		return claims(authorization).path("roles").values().stream().anyMatch((value) -> role.equals(value.asString()));
	}

	/** The claims of the bearer token (a JWT, read without verifying it). */
	private static JsonNode claims(String authorization) {
		String[] parts = authorization.substring("Bearer ".length()).split("\\.");
		if (parts.length < 2) {
			return JSON.createObjectNode();
		}
		return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	/**
	 * A POST or PUT the stand-in received.
	 *
	 * @param method {@code POST} or {@code PUT}
	 * @param path the request path
	 * @param query the raw query, or null
	 * @param body the body as sent
	 * @param authorization the {@code Authorization} header, or null
	 */
	public record Post(String method, String path, String query, String body, String authorization) {
	}

}
