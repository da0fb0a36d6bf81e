package dev.warden.console;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
 * The model catalogue, upload, grants and routing part of the stand-in admin API, in the
 * shapes and with the refusals platform-api answers. {@code income} has versions 1 and 2
 * (2 uploaded by {@code admin}), stable version 1, no canary, no pins and is granted to
 * all tenants; {@code spam} has version 1 and is granted to tenant {@code tn-1} only.
 * Uploads: a file that starts with {@code PK\3\4} or {@code 1f 8b} becomes the next
 * version ({@code UPLOADED} in the model until the version is read on its own, then
 * {@code AVAILABLE}, or {@code END} with a reason when the file contains {@code broken});
 * anything else is 400 {@code not_an_archive}; a bad name 400 {@code invalid_model_name}.
 * A canary above 20 % is 409 {@code approval_required}, an unknown version 409
 * {@code unknown_version}, promote or rollback without canary 409 {@code no_canary},
 * promoting the canary of {@code income} 409 {@code approval_required} (its policy),
 * removing a pin that does not exist 404, a pin of an id that is not a tenant 400
 * {@code invalid_pin}, a grant to an unknown tenant 400 {@code unknown_tenant}. Every
 * write answers 403 to a token without the {@code ADMIN} role. The dashboard's first-page
 * list (without {@code size}) is left to {@link StubPlatformApi}.
 */
public final class StubModelsApi {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String FORBIDDEN = """
			{"error":{"code":"forbidden","message":"your role does not allow this operation","request_id":"r-403"}}""";

	private static final String SIGNATURE = """
			{"serving_default":{"inputs":{"age":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1","name":""}],
			 "unknown_rank":false},"name":"serving_default_age:0"}},"outputs":{"probabilities":{"dtype":"DT_FLOAT",
			 "tensor_shape":{"dim":[{"size":"-1","name":""},{"size":"2","name":""}],"unknown_rank":false},
			 "name":"StatefulPartitionedCall:0"}},"method_name":"tensorflow/serving/predict"}}""";

	private static final Pattern MODEL = Pattern.compile("/api/admin/models/([^/:]+)");

	private static final Pattern PART = Pattern.compile(
			"/api/admin/models/([^/:]+)(/routing|/canary|:promote|:rollback|/grants|/versions|/pins/[^/]+|/versions/[^/]+)");

	private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

	private final Map<String, ObjectNode> models = new ConcurrentHashMap<>();

	private final Map<String, ObjectNode> routings = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();

	private final List<Upload> uploads = new CopyOnWriteArrayList<>();

	public StubModelsApi() {
		reset();
	}

	/** Back to the two models, their routing and grants; uploads forgotten. */
	public void reset() {
		this.models.clear();
		this.routings.clear();
		this.reads.clear();
		this.uploads.clear();
		ObjectNode income = model("income", true, List.of());
		version(income, 1, "AVAILABLE", null, false);
		version(income, 2, "AVAILABLE", null, true);
		ObjectNode spam = model("spam", false, List.of("tn-1"));
		version(spam, 1, "AVAILABLE", null, false);
		this.routings.put("income", routing("income", 1L));
		this.routings.put("spam", routing("spam", null));
	}

	/** Every upload received, oldest first. */
	public List<Upload> uploads() {
		return this.uploads;
	}

	private ObjectNode model(String name, boolean all, List<String> tenants) {
		ObjectNode model = JSON.createObjectNode().put("name", name);
		model.putArray("versions");
		ObjectNode grants = model.putObject("grants").put("all", all);
		ArrayNode ids = grants.putArray("tenants");
		tenants.forEach(ids::add);
		this.models.put(name, model);
		return model;
	}

	private static ObjectNode version(ObjectNode model, int number, String state, String error, boolean uploaded) {
		ObjectNode version = ((ArrayNode) model.get("versions")).addObject()
			.put("name", model.get("name").asString())
			.put("version", String.valueOf(number))
			.put("state", state)
			.put("error", error);
		version.putArray("warnings");
		version.set("signature_defs", JSON.readTree(SIGNATURE));
		ObjectNode serving = version.putObject("serving").put("aspired", true);
		serving.putArray("reasons").add((number == 1) ? "stable" : "latest");
		serving.putArray("workers")
			.addObject()
			.put("worker", "configured-1")
			.put("healthy", true)
			.put("state", "AVAILABLE")
			.putNull("error");
		if (uploaded) {
			version.put("sha256", "6f1c" + "0".repeat(60))
				.put("size_bytes", 41523)
				.put("uploaded_by", "admin")
				.put("uploaded_at", "2026-11-28T23:30:01.123456Z");
		}
		else {
			version.putNull("sha256").putNull("size_bytes").putNull("uploaded_by").putNull("uploaded_at");
		}
		return version;
	}

	private static ObjectNode routing(String model, Long stable) {
		ObjectNode routing = JSON.createObjectNode().put("model", model);
		if (stable != null) {
			routing.put("stable_version", stable);
		}
		else {
			routing.putNull("stable_version");
		}
		routing.putNull("canary");
		routing.putArray("pins");
		return routing;
	}

	/**
	 * The answer to a request, or null when it is not one of the catalogue, upload,
	 * grants or routing paths this part knows (the first-page list, the governance and
	 * explainability paths of the reference versions are left to the others).
	 */
	StubExplainabilityApi.Answer answer(String method, String path, String query, byte[] body, boolean admin) {
		if (path.equals("/api/admin/models")) {
			if (!method.equals("GET") || query == null || !query.contains("size=")) {
				return null;
			}
			return list(query);
		}
		Matcher part = PART.matcher(path);
		if (part.matches()) {
			String name = part.group(1);
			String what = part.group(2);
			if (what.startsWith("/versions/")) {
				return method.equals("GET") ? version(name, what.substring("/versions/".length())) : null;
			}
			if (!method.equals("GET") && !admin) {
				return new StubExplainabilityApi.Answer(403, FORBIDDEN);
			}
			if (what.equals("/versions")) {
				return method.equals("POST") ? upload(name, body) : null;
			}
			ObjectNode model = this.models.get(name);
			if (model == null) {
				return notFound("model '" + name + "' not found");
			}
			return routingOrGrants(method, name, what, model, new String(body, StandardCharsets.UTF_8));
		}
		Matcher one = MODEL.matcher(path);
		if (one.matches() && method.equals("GET")) {
			ObjectNode model = this.models.get(one.group(1));
			return (model != null) ? ok(shown(model)) : notFound("model '" + one.group(1) + "' not found");
		}
		return null;
	}

	private StubExplainabilityApi.Answer list(String query) {
		ObjectNode page = JSON.createObjectNode();
		ArrayNode content = page.putArray("content");
		this.models.keySet().stream().sorted().forEach((name) -> content.add(shown(this.models.get(name))));
		page.put("page", 0).put("size", 20).putNull("next_page");
		return ok(page);
	}

	/**
	 * The model as the catalogue shows it: a fresh upload is {@code UPLOADED} until its
	 * version was read on its own once (the catalogue sync has seen the worker's state).
	 */
	private ObjectNode shown(ObjectNode model) {
		ObjectNode copy = model.deepCopy();
		for (JsonNode version : copy.get("versions").values()) {
			AtomicInteger count = this.reads
				.get(model.get("name").asString() + "/" + version.get("version").asString());
			if (count != null && count.get() == 0) {
				((ObjectNode) version).put("state", "UPLOADED").putNull("error");
			}
		}
		return copy;
	}

	private StubExplainabilityApi.Answer version(String name, String number) {
		ObjectNode model = this.models.get(name);
		AtomicInteger count = this.reads.get(name + "/" + number);
		if (model == null || count == null) {
			// only versions uploaded here: the reference versions are the explainability
			// part's
			return null;
		}
		for (JsonNode version : model.get("versions").values()) {
			if (version.get("version").asString().equals(number)) {
				count.incrementAndGet();
				return ok(version);
			}
		}
		return null;
	}

	private StubExplainabilityApi.Answer upload(String name, byte[] body) {
		String text = new String(body, StandardCharsets.ISO_8859_1);
		Matcher file = Pattern.compile("name=\"file\"; filename=\"([^\"]*)\"\r\n(?:[^\r\n]+\r\n)*\r\n").matcher(text);
		if (!file.find()) {
			return new StubExplainabilityApi.Answer(400, error("missing_file", "multipart field 'file' is missing"));
		}
		int end = text.lastIndexOf("\r\n--");
		String content = text.substring(file.end(), end);
		this.uploads.add(new Upload(name, file.group(1), content.getBytes(StandardCharsets.ISO_8859_1)));
		if (!NAME.matcher(name).matches()) {
			return new StubExplainabilityApi.Answer(400,
					error("invalid_model_name", "model name '" + name + "' must match [a-z0-9][a-z0-9_-]{0,63}"));
		}
		if (content.contains("huge")) {
			return new StubExplainabilityApi.Answer(413,
					error("payload_too_large", "the file is larger than the upload limit of 268435456 bytes"));
		}
		if (!content.startsWith("PK\u0003\u0004") && !content.startsWith("\u001f\u008b")) {
			return new StubExplainabilityApi.Answer(400,
					error("not_an_archive", "the file is neither a zip nor a gzip archive"));
		}
		ObjectNode model = this.models.get(name);
		if (model == null) {
			model = model(name, true, List.of());
		}
		int number = model.get("versions").size() + 1;
		boolean broken = content.contains("broken");
		ObjectNode version = version(model, number, broken ? "END" : "AVAILABLE",
				broken ? "cannot load SavedModel: no MetaGraphDef with tag serve" : null, true);
		this.reads.put(name + "/" + number, new AtomicInteger());
		this.routings.putIfAbsent(name, routing(name, null));
		ObjectNode answer = version.deepCopy().put("state", "UPLOADED").putNull("error");
		return new StubExplainabilityApi.Answer(201, answer.toString());
	}

	private StubExplainabilityApi.Answer routingOrGrants(String method, String name, String what, ObjectNode model,
			String body) {
		ObjectNode routing = this.routings.get(name);
		if (what.equals("/grants")) {
			if (method.equals("GET")) {
				return ok(model.get("grants"));
			}
			JsonNode request = JSON.readTree(body);
			ObjectNode grants = JSON.createObjectNode();
			if (request.path("all").asBoolean(false)) {
				grants.put("all", true).putArray("tenants");
			}
			else {
				ArrayNode ids = grants.put("all", false).putArray("tenants");
				for (JsonNode id : request.path("tenants").values()) {
					if (!id.asString().startsWith("tn-")) {
						return new StubExplainabilityApi.Answer(400,
								error("unknown_tenant", "tenant '" + id.asString() + "' does not exist"));
					}
					ids.add(id.asString());
				}
			}
			model.set("grants", grants);
			return ok(grants);
		}
		if (method.equals("GET") && what.equals("/routing")) {
			return ok(routing);
		}
		switch (what) {
			case "/canary" -> {
				JsonNode request = JSON.readTree(body);
				long version = request.path("version").asLong();
				int weight = request.path("weight").asInt();
				if (!hasVersion(model, version)) {
					return new StubExplainabilityApi.Answer(409, error("unknown_version",
							"version " + version + " of model " + name + " is not in the catalogue"));
				}
				if (weight > 20) {
					return new StubExplainabilityApi.Answer(409, error("approval_required", "a canary of version "
							+ version + " at " + weight + " % of model " + name
							+ " needs an approved promotion request (the policy allows 20 % without approval)"));
				}
				routing.putObject("canary").put("version", version).put("weight", weight);
			}
			case ":promote", ":rollback" -> {
				if (routing.get("canary").isNull()) {
					return new StubExplainabilityApi.Answer(409,
							error("no_canary", "model " + name + " has no canary"));
				}
				if (what.equals(":promote") && name.equals("income")) {
					return new StubExplainabilityApi.Answer(409,
							error("approval_required",
									"making version " + routing.get("canary").get("version").asLong()
											+ " the stable version of model income "
											+ "(now version 1) needs an approved promotion request"));
				}
				if (what.equals(":promote")) {
					routing.put("stable_version", routing.get("canary").get("version").asLong());
				}
				routing.putNull("canary");
			}
			case "/routing" -> routing.putNull("stable_version").putNull("canary");
			default -> {
				String subject = what.substring("/pins/".length());
				ArrayNode pins = (ArrayNode) routing.get("pins");
				if (!subject.startsWith("tn-") && !subject.matches("[0-9a-f-]{36}")) {
					return new StubExplainabilityApi.Answer(400,
							error("invalid_pin", "'" + subject + "' is not a tenant or API key id (a UUID)"));
				}
				boolean removed = false;
				for (int i = pins.size() - 1; i >= 0; i--) {
					if (pins.get(i).get("subject_id").asString().equals(subject)) {
						pins.remove(i);
						removed = true;
					}
				}
				if (method.equals("DELETE") && !removed) {
					return notFound("no pin of '" + subject + "' on model " + name);
				}
				if (method.equals("PUT")) {
					pins.addObject()
						.put("subject_type", subject.startsWith("tn-") ? "tenant" : "api_key")
						.put("subject_id", subject)
						.put("version", JSON.readTree(body).path("version").asLong());
				}
			}
		}
		return ok(routing);
	}

	private static boolean hasVersion(ObjectNode model, long number) {
		for (JsonNode version : model.get("versions").values()) {
			if (version.get("version").asString().equals(String.valueOf(number))) {
				return true;
			}
		}
		return false;
	}

	private static StubExplainabilityApi.Answer ok(JsonNode body) {
		return new StubExplainabilityApi.Answer(200, body.toString());
	}

	private static StubExplainabilityApi.Answer notFound(String message) {
		return new StubExplainabilityApi.Answer(404, error("not_found", message));
	}

	private static String error(String code, String message) {
		return JSON.createObjectNode()
			.set("error", JSON.createObjectNode().put("code", code).put("message", message).put("request_id", "r-m"))
			.toString();
	}

	/**
	 * A model archive as it arrived.
	 *
	 * @param model the model named in the path
	 * @param fileName the multipart file name
	 * @param content the file's bytes
	 */
	public record Upload(String model, String fileName, byte[] content) {
	}

}
