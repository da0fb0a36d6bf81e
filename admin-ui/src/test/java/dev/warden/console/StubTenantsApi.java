package dev.warden.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tenant and API key part of the stand-in admin API, in the shapes and with the
 * refusals platform-api answers: tenants paged oldest first (tenant {@code tn-1},
 * {@code acme}, has two keys, one of them revoked; there are 30 tenants in all, so the
 * list has two pages of 25), create with 409 {@code conflict} for a duplicate name and
 * 400 {@code validation_failed} naming {@code name} or an unknown {@code plan}, plan
 * change, suspend, reactivate, delete; keys issued with 400 naming {@code name},
 * {@code operations}, {@code models}, {@code expires_at} or a {@code quota.*} field
 * looser than the plan, revoked, and their quota override changed; the tenant's usage.
 * Every write answers 403 to a token without the {@code ADMIN} role. The dashboard's
 * first-page calls (without {@code page}/{@code size}) are left to
 * {@link StubPlatformApi}.
 */
public final class StubTenantsApi {

	/** The secret of the key the stand-in issues next (its number goes up). */
	public static final String SECRET_PREFIX = "wdn_Tk";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String FORBIDDEN = """
			{"error":{"code":"forbidden","message":"your role does not allow this operation","request_id":"r-403"}}""";

	private static final List<String> PLANS = List.of("free", "standard", "enterprise");

	private static final Map<String, Long> STANDARD_PLAN = Map.of("requests_per_second", 50L, "burst", 100L,
			"requests_per_month", 1_000_000L, "max_request_bytes", 1_048_576L, "max_rows_per_request", 1000L);

	private static final Set<String> OPERATIONS = Set.of("predict", "explain", "metadata", "feedback");

	private static final Pattern TENANT = Pattern.compile("/api/admin/tenants/([^/:]+)(:suspend|:reactivate)?");

	private static final Pattern KEYS = Pattern.compile("/api/admin/tenants/([^/]+)/keys");

	private static final Pattern KEY = Pattern.compile("/api/admin/tenants/([^/]+)/keys/([^/:]+)(:revoke)?");

	private final List<ObjectNode> tenants = new CopyOnWriteArrayList<>();

	private final Map<String, List<ObjectNode>> keys = new ConcurrentHashMap<>();

	private final AtomicInteger issued = new AtomicInteger();

	public StubTenantsApi() {
		reset();
	}

	/** The plans in force, as platform-api lists them: {@link #PLANS}, sorted by name. */
	private StubExplainabilityApi.Answer quotaPlans() {
		ObjectNode answer = JSON.createObjectNode()
			.put("default_plan", "free")
			.put("version", 1733450000000000L)
			.put("sha256", "ab".repeat(32));
		ArrayNode plans = answer.putArray("plans");
		PLANS.stream().sorted().forEach((name) -> {
			ObjectNode plan = plans.addObject().put("name", name);
			long rate = name.equals("free") ? 10 : name.equals("standard") ? 50 : 500;
			plan.put("requests_per_second", rate)
				.put("burst", rate * 2)
				.put("requests_per_month", name.equals("enterprise") ? 0 : rate * 20_000)
				.put("max_request_bytes", 1_048_576)
				.put("max_rows_per_request", 1000)
				.put("explain_cost", 10)
				.put("max_rows_per_explanation", 10);
		});
		return new StubExplainabilityApi.Answer(200, answer.toString());
	}

	/** Back to the seeded tenants and keys. */
	public void reset() {
		this.tenants.clear();
		this.keys.clear();
		this.issued.set(0);
		this.tenants.add(tenant("tn-1", "acme", "standard", "active", "2025-01-02T03:04:05Z"));
		for (int i = 2; i <= 30; i++) {
			this.tenants.add(tenant("tn-" + i, String.format("tenant-%02d", i), "free", "active",
					"2025-02-" + String.format("%02d", Math.min(i, 28)) + "T00:00:00Z"));
		}
		List<ObjectNode> acmeKeys = new CopyOnWriteArrayList<>();
		ObjectNode ci = key("k-1", "wdn_abcdefghijkl", "ci-pipeline", List.of("income"), List.of("predict", "metadata"),
				"2027-01-01T00:00:00Z", "active");
		ci.put("last_used_at", "2025-03-01T10:00:00Z");
		ci.set("quota", JSON.createObjectNode().put("requests_per_second", 5).put("burst", 10));
		acmeKeys.add(ci);
		acmeKeys.add(key("k-2", "wdn_mnopqrstuvwx", "old-batch", null, List.of("predict"), null, "revoked"));
		this.keys.put("tn-1", acmeKeys);
	}

	/** The tenant as the stand-in holds it now, or null when it is deleted or unknown. */
	public JsonNode tenant(String id) {
		return find(id);
	}

	/** The tenant's keys as the stand-in holds them now. */
	public List<JsonNode> keys(String tenantId) {
		return List.copyOf(this.keys.getOrDefault(tenantId, List.of()));
	}

	/**
	 * The answer to a request, or null when it is not one for this part of the API (or
	 * one of the dashboard's first-page calls).
	 */
	StubExplainabilityApi.Answer answer(String method, String path, String query, String body, boolean admin) {
		if (method.equals("GET") && path.equals("/api/admin/quota-plans")) {
			return quotaPlans();
		}
		if (!path.startsWith("/api/admin/tenants")) {
			return null;
		}
		if (method.equals("GET") && query == null
				&& (path.equals("/api/admin/tenants") || path.equals("/api/admin/tenants/t-1/keys"))) {
			return null;
		}
		if (!method.equals("GET") && !admin) {
			return new StubExplainabilityApi.Answer(403, FORBIDDEN);
		}
		if (path.equals("/api/admin/tenants")) {
			return method.equals("POST") ? create(body) : page(this.tenants, query, 50);
		}
		Matcher key = KEY.matcher(path);
		if (key.matches()) {
			return key(method, key.group(1), key.group(2), key.group(3) != null, body);
		}
		Matcher keys = KEYS.matcher(path);
		if (keys.matches()) {
			if (find(keys.group(1)) == null) {
				return notFound("tenant " + keys.group(1));
			}
			List<ObjectNode> list = this.keys.computeIfAbsent(keys.group(1), (id) -> new CopyOnWriteArrayList<>());
			return method.equals("POST") ? issue(keys.group(1), list, body) : page(list, query, 50);
		}
		if (path.endsWith("/usage")) {
			String id = path.substring("/api/admin/tenants/".length(), path.length() - "/usage".length());
			ObjectNode tenant = find(id);
			return (tenant != null) ? usage(tenant) : notFound("tenant " + id);
		}
		Matcher tenant = TENANT.matcher(path);
		if (tenant.matches()) {
			return tenant(method, tenant.group(1), tenant.group(2), body);
		}
		return null;
	}

	private StubExplainabilityApi.Answer create(String body) {
		JsonNode request = JSON.readTree(body);
		String name = request.path("name").asString("").trim();
		String plan = request.path("plan").isString() ? request.path("plan").asString() : "free";
		if (name.isEmpty()) {
			return invalid("name: must not be blank");
		}
		if (!PLANS.contains(plan)) {
			return invalid("plan: unknown plan '" + plan + "', expected one of " + PLANS);
		}
		if (this.tenants.stream().anyMatch((t) -> t.path("name").asString().equals(name))) {
			return error(409, "conflict", "a tenant named '" + name + "' already exists");
		}
		ObjectNode tenant = tenant("tn-new-" + (this.tenants.size() + 1), name, plan, "active",
				Instant.now().toString());
		this.tenants.add(tenant);
		return new StubExplainabilityApi.Answer(201, tenant.toString());
	}

	private StubExplainabilityApi.Answer tenant(String method, String id, String action, String body) {
		ObjectNode tenant = find(id);
		if (tenant == null) {
			return notFound("tenant " + id);
		}
		if (method.equals("GET") && action == null) {
			return new StubExplainabilityApi.Answer(200, tenant.toString());
		}
		if (method.equals("DELETE") && action == null) {
			this.tenants.remove(tenant);
			this.keys.getOrDefault(id, List.of()).forEach((k) -> k.put("status", "revoked"));
			return new StubExplainabilityApi.Answer(204, "application/json", new byte[0]);
		}
		if (method.equals("PATCH") && action == null) {
			JsonNode request = JSON.readTree(body);
			String plan = request.path("plan").asString(null);
			if (plan != null && !PLANS.contains(plan)) {
				return invalid("plan: unknown plan '" + plan + "', expected one of " + PLANS);
			}
			if (plan != null) {
				tenant.put("plan", plan);
			}
			return new StubExplainabilityApi.Answer(200, tenant.toString());
		}
		if (method.equals("POST") && action != null) {
			tenant.put("status", action.equals(":suspend") ? "suspended" : "active");
			return new StubExplainabilityApi.Answer(200, tenant.toString());
		}
		return error(405, "method_not_allowed", method + " is not supported here");
	}

	private StubExplainabilityApi.Answer issue(String tenantId, List<ObjectNode> list, String body) {
		JsonNode request = JSON.readTree(body);
		String name = request.path("name").asString("").trim();
		if (name.isEmpty()) {
			return invalid("name: must not be blank");
		}
		List<String> models = null;
		if (request.has("models") && !request.path("models").isNull()) {
			models = new ArrayList<>();
			for (JsonNode model : request.path("models")) {
				if (!model.asString().matches("[a-z0-9][a-z0-9_-]{0,63}")) {
					return invalid("models: '" + model.asString()
							+ "' is not a model name (lower-case letters, digits, '_' and '-', at most 64)");
				}
				models.add(model.asString());
			}
		}
		List<String> operations = new ArrayList<>();
		for (JsonNode operation : request.path("operations")) {
			if (!OPERATIONS.contains(operation.asString())) {
				return invalid("operations: unknown operation '" + operation.asString()
						+ "', expected one of [predict, explain, metadata, feedback]");
			}
			operations.add(operation.asString());
		}
		if (request.has("operations") && operations.isEmpty()) {
			return invalid("operations: must list at least one of [predict, explain, metadata, feedback], "
					+ "or be omitted for all");
		}
		String expires = request.path("expires_at").asString(null);
		if (expires != null && !Instant.parse(expires).isAfter(Instant.now())) {
			return invalid("expires_at: must be in the future");
		}
		StubExplainabilityApi.Answer refused = checkQuota(request.path("quota"));
		if (refused != null) {
			return refused;
		}
		int number = this.issued.incrementAndGet();
		String prefix = SECRET_PREFIX + String.format("%010d", number);
		ObjectNode key = key("k-new-" + number, prefix, name, models,
				operations.isEmpty() ? List.copyOf(OPERATIONS) : operations, expires, "active");
		if (request.path("quota").isObject()) {
			key.set("quota", request.path("quota"));
		}
		list.add(key);
		ObjectNode answer = key.deepCopy();
		answer.remove("last_used_at");
		answer.put("key", secret(number));
		return new StubExplainabilityApi.Answer(201, answer.toString());
	}

	/** The raw secret of the {@code number}th key the stand-in issued. */
	public static String secret(int number) {
		return SECRET_PREFIX + String.format("%010d", number) + "_s3cr3t-Secret-Part-" + number;
	}

	private StubExplainabilityApi.Answer key(String method, String tenantId, String keyId, boolean revoke,
			String body) {
		ObjectNode key = this.keys.getOrDefault(tenantId, List.of())
			.stream()
			.filter((k) -> k.path("id").asString().equals(keyId))
			.findFirst()
			.orElse(null);
		if (find(tenantId) == null || key == null) {
			return notFound("API key " + keyId);
		}
		if ((method.equals("POST") && revoke) || (method.equals("DELETE") && !revoke)) {
			key.put("status", "revoked");
			return new StubExplainabilityApi.Answer(200, key.toString());
		}
		if (method.equals("PATCH") && !revoke) {
			if (!"active".equals(key.path("status").asString())) {
				return error(409, "conflict", "API key " + keyId + " is revoked");
			}
			JsonNode quota = JSON.readTree(body).path("quota");
			StubExplainabilityApi.Answer refused = checkQuota(quota);
			if (refused != null) {
				return refused;
			}
			key.set("quota", (quota.isObject() && !quota.isEmpty()) ? quota : JSON.nullNode());
			return new StubExplainabilityApi.Answer(200, key.toString());
		}
		return error(405, "method_not_allowed", method + " is not supported here");
	}

	private static StubExplainabilityApi.Answer checkQuota(JsonNode quota) {
		if (!quota.isObject()) {
			return null;
		}
		for (Map.Entry<String, JsonNode> field : quota.properties()) {
			Long plan = STANDARD_PLAN.get(field.getKey());
			if (plan == null) {
				return invalid("quota." + field.getKey() + ": unknown field");
			}
			if (!field.getValue().isIntegralNumber()) {
				return error(400, "malformed_body", "field 'quota." + field.getKey() + "': must be an integer");
			}
			if (field.getValue().asLong() > plan) {
				return invalid("quota." + field.getKey() + ": " + field.getValue().asLong()
						+ " is looser than the plan's " + plan);
			}
		}
		return null;
	}

	private StubExplainabilityApi.Answer usage(ObjectNode tenant) {
		ObjectNode usage = JSON.createObjectNode();
		usage.set("tenant", tenant);
		usage.put("from", "2026-12-01").put("to", "2026-12-06").put("as_of", "2026-12-06T12:00:00Z");
		usage.set("totals",
				JSON.createObjectNode()
					.put("requests", 7)
					.put("succeeded", 4)
					.put("errors", 1)
					.put("rejected", 2)
					.put("rows", 6));
		usage.set("usage", JSON.createArrayNode());
		ObjectNode quota = usage.putObject("quota");
		quota.put("plan", tenant.path("plan").asString());
		quota.putObject("rate").put("requests_per_second", 50).put("burst", 100);
		quota.putObject("monthly")
			.put("limit", 1000)
			.put("used", 250)
			.put("remaining", 750)
			.put("resets_at", "2027-01-01T00:00:00Z");
		quota.put("max_request_bytes", 1048576).put("max_rows_per_request", 1000);
		return new StubExplainabilityApi.Answer(200, usage.toString());
	}

	private ObjectNode find(String id) {
		return this.tenants.stream().filter((t) -> t.path("id").asString().equals(id)).findFirst().orElse(null);
	}

	private static StubExplainabilityApi.Answer page(List<ObjectNode> all, String query, int defaultSize) {
		Map<String, List<String>> parameters = StubGovernanceApi.parameters(query);
		int page = Integer.parseInt(parameters.getOrDefault("page", List.of("0")).get(0));
		int size = Integer.parseInt(parameters.getOrDefault("size", List.of(String.valueOf(defaultSize))).get(0));
		ArrayNode content = JSON.createArrayNode();
		for (int i = page * size; i < Math.min(all.size(), (page + 1) * size); i++) {
			content.add(all.get(i));
		}
		ObjectNode answer = JSON.createObjectNode();
		answer.set("content", content);
		answer.put("page", page).put("size", size);
		if ((page + 1) * size < all.size()) {
			answer.put("next_page", page + 1);
		}
		else {
			answer.putNull("next_page");
		}
		return new StubExplainabilityApi.Answer(200, answer.toString());
	}

	private static ObjectNode tenant(String id, String name, String plan, String status, String createdAt) {
		return JSON.createObjectNode()
			.put("id", id)
			.put("name", name)
			.put("plan", plan)
			.put("status", status)
			.put("created_at", createdAt);
	}

	private static ObjectNode key(String id, String prefix, String name, List<String> models, List<String> operations,
			String expiresAt, String status) {
		ObjectNode key = JSON.createObjectNode()
			.put("id", id)
			.put("prefix", prefix)
			.put("name", name)
			.put("created_at", "2025-01-02T03:04:05Z")
			.put("expires_at", expiresAt)
			.put("status", status);
		key.putNull("last_used_at");
		if (models == null) {
			key.putNull("models");
		}
		else {
			key.set("models", JSON.valueToTree(models));
		}
		key.set("operations", JSON.valueToTree(operations));
		key.putNull("quota");
		return key;
	}

	private static StubExplainabilityApi.Answer invalid(String message) {
		return error(400, "validation_failed", message);
	}

	private static StubExplainabilityApi.Answer notFound(String what) {
		return error(404, "not_found", what + " not found");
	}

	private static StubExplainabilityApi.Answer error(int status, String code, String message) {
		ObjectNode error = JSON.createObjectNode();
		error.putObject("error").put("code", code).put("message", message).put("request_id", "r-" + status);
		return new StubExplainabilityApi.Answer(status, error.toString());
	}

}
