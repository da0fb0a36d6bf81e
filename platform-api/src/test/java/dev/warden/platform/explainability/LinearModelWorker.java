package dev.warden.platform.explainability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.FakeWorker;

/**
 * An inference worker standing in for the real one on the platform side of the
 * explanation contract, with models whose explanations are known in closed form. Each
 * model is additive: {@code f(x) = b + Σ_c a_c(x_c)} with, per column, {@code a_c = w_c ·
 * (x_c − μ_c)} for a number, a fixed effect per category for a string, and for a text the
 * sum of its tokens' weights (a token is a run of non-space characters). The prediction
 * is {@code P(class 1) = σ(f(x))}, class 1 when {@code f(x) ≥ 0}. An explanation names
 * the predicted class as its target and carries the attributions towards it ({@code a_c}
 * for class 1, {@code −a_c} for class 0), {@code f(x)}, {@code f(baseline) = b}, a model
 * evaluation count of 7 per row and a completeness delta of {@code 1e-3 · sin(x_first)}
 * (the first numeric column; 0 without one) — the exact numbers {@link LinearModels}
 * computes for the tests' own checks.
 * <p>
 * It also answers the TF Serving listing ({@code GET /v1/models}: what
 * {@link #listing(String, long...)} set), metadata, predictions, the digest of a version
 * (a fixed {@code model_sha256}), and serves shipped datasets given with
 * {@link #shipped}. A model named {@code slow} takes 150 ms per explanation call;
 * explanations of a model in {@link #failing} are answered 500.
 * <p>
 * A model given with {@link #converging} follows the platform's desired state as the real
 * worker does: it has a store of versions, serves the newest until a
 * {@code PUT /internal/v1/desired-state} names others, loads the named versions (at once,
 * or once {@link #finishLoads} is called after {@link #holdLoads}), fails to load a
 * version given to {@link #failToLoad} with its reason, and unloads the versions no
 * longer named. With such a model the worker answers {@code GET /internal/v1/status}
 * (every model, with the desired-state generation it follows); without one it does not,
 * and the platform reads its TF Serving listing.
 */
final class LinearModelWorker implements AutoCloseable {

	static final String MODEL_SHA256 = "5f0c6e3a9d2b47c1a8e0f4b6d3c2a1908f7e6d5c4b3a29181706f5e4d3c2b1a0";

	static final String BASELINE_SHA256 = "0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff0";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern VERSION_CALL = Pattern
		.compile("/v1/models/([^/]+)/versions/([0-9]+)(/metadata|:explain|:predict)");

	private static final Pattern LATEST_METADATA = Pattern.compile("/v1/models/([^/:]+)/metadata");

	private static final Pattern DIGEST = Pattern.compile("/internal/v1/models/([^/]+)/versions/([0-9]+)/digest");

	private final HttpServer server;

	private final Map<String, long[]> versions = new ConcurrentHashMap<>();

	private final Map<String, String> datasets = new ConcurrentHashMap<>();

	final List<String> explainBodies = new CopyOnWriteArrayList<>();

	final Map<String, Boolean> failing = new ConcurrentHashMap<>();

	/** Every desired-state document received. */
	final List<JsonNode> desiredStates = new CopyOnWriteArrayList<>();

	private final Map<String, Store> stores = new ConcurrentHashMap<>();

	private Long generation;

	LinearModelWorker() throws IOException {
		this.server = FakeWorker.start(this::handle, 4);
	}

	String url() {
		return FakeWorker.url(this.server);
	}

	/** The versions {@code GET /v1/models} lists AVAILABLE for {@code model}. */
	void listing(String model, long... versions) {
		this.versions.put(model, versions);
	}

	/**
	 * {@code model} follows the desired state, with {@code store} in its model store; the
	 * newest is loaded.
	 */
	synchronized void converging(String model, long... store) {
		Store versions = new Store();
		for (long version : store) {
			versions.inStore.add(version);
		}
		versions.aspired.add(versions.inStore.last());
		this.stores.put(model, versions);
		apply(model, versions);
	}

	/** From now on, versions {@code model} is asked to load stay loading. */
	synchronized void holdLoads(String model) {
		this.stores.get(model).holdLoads = true;
	}

	synchronized void finishLoads(String model) {
		Store store = this.stores.get(model);
		store.holdLoads = false;
		apply(model, store);
	}

	/** {@code version} of {@code model} fails to load with {@code reason}. */
	synchronized void failToLoad(String model, long version, String reason) {
		this.stores.get(model).failing.put(version, reason);
	}

	/** Makes the aspired versions of a converging model the served ones. */
	private void apply(String model, Store store) {
		if (store.holdLoads) {
			return;
		}
		TreeSet<Long> loaded = new TreeSet<>(store.aspired);
		loaded.removeAll(store.failing.keySet());
		if (!loaded.isEmpty()) {
			store.available = loaded;
			this.versions.put(model, loaded.stream().mapToLong(Long::longValue).toArray());
		}
	}

	private synchronized String desired(JsonNode document) {
		this.desiredStates.add(document);
		long offered = document.path("generation").asLong();
		if (this.generation != null && offered < this.generation) {
			return "{\"accepted\":false}";
		}
		this.generation = offered;
		this.stores.forEach((model, store) -> {
			TreeSet<Long> named = new TreeSet<>();
			document.path("models").path(model).forEach((version) -> named.add(version.asLong()));
			named.retainAll(store.inStore);
			if (!named.isEmpty()) {
				store.aspired = named;
				apply(model, store);
			}
		});
		return "{\"accepted\":true}";
	}

	private synchronized String status() {
		ObjectNode status = JSON.createObjectNode();
		status.put("id", "linear");
		if (this.generation != null) {
			status.put("desired_generation", this.generation);
		}
		else {
			status.putNull("desired_generation");
		}
		ObjectNode models = status.putObject("models");
		this.versions.forEach((model, served) -> {
			Store store = this.stores.get(model);
			ObjectNode item = models.putObject(model);
			ArrayNode available = item.putArray("versions");
			ArrayNode aspired = item.putArray("aspired");
			ArrayNode loading = item.putArray("loading");
			ObjectNode failed = item.putObject("failed");
			ArrayNode inStore = item.putArray("in_store");
			item.putObject("labels");
			if (store == null) {
				for (long version : served) {
					available.add(version);
					aspired.add(version);
					inStore.add(version);
				}
				return;
			}
			store.available.descendingSet().forEach(available::add);
			store.aspired.forEach(aspired::add);
			store.inStore.forEach(inStore::add);
			for (Long version : store.aspired) {
				if (store.failing.containsKey(version)) {
					failed.put(version.toString(), store.failing.get(version));
				}
				else if (!store.available.contains(version)) {
					loading.add(version);
				}
			}
		});
		return JSON.writeValueAsString(status);
	}

	/** The model store and load state of a converging model. */
	private static final class Store {

		final TreeSet<Long> inStore = new TreeSet<>();

		final Map<Long, String> failing = new TreeMap<>();

		TreeSet<Long> aspired = new TreeSet<>();

		TreeSet<Long> available = new TreeSet<>();

		boolean holdLoads;

	}

	/** A CSV served by {@code GET /internal/v1/datasets/{name}}. */
	void shipped(String name, String csv) {
		this.datasets.put(name, csv);
	}

	private void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		byte[] body = FakeWorker.readBody(exchange);
		try {
			if (!this.stores.isEmpty() && path.equals("/internal/v1/status")) {
				FakeWorker.answer(exchange, 200, status());
				return;
			}
			if (!this.stores.isEmpty() && path.equals("/internal/v1/desired-state")
					&& "PUT".equals(exchange.getRequestMethod())) {
				FakeWorker.answer(exchange, 200, desired(JSON.readTree(body)));
				return;
			}
			if (path.equals("/v1/models")) {
				FakeWorker.answer(exchange, 200, listing());
				return;
			}
			if (path.startsWith("/internal/v1/datasets/")) {
				String csv = this.datasets.get(path.substring("/internal/v1/datasets/".length()));
				if (csv == null) {
					FakeWorker.answer(exchange, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no dataset\"}}");
					return;
				}
				byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().add("Content-Type", "text/csv");
				exchange.sendResponseHeaders(200, bytes.length);
				exchange.getResponseBody().write(bytes);
				exchange.close();
				return;
			}
			Matcher digest = DIGEST.matcher(path);
			if (digest.matches()) {
				if (!serves(digest.group(1), Long.parseLong(digest.group(2)))) {
					notFound(exchange, digest.group(1));
					return;
				}
				FakeWorker.answer(exchange, 200, "{\"model\":\"" + digest.group(1) + "\",\"version\":\""
						+ digest.group(2) + "\",\"model_sha256\":\"" + MODEL_SHA256 + "\"}");
				return;
			}
			Matcher latest = LATEST_METADATA.matcher(path);
			if (latest.matches()) {
				long[] served = this.versions.get(latest.group(1));
				if (served == null || served.length == 0) {
					notFound(exchange, latest.group(1));
					return;
				}
				FakeWorker.answer(exchange, 200, metadata(latest.group(1), served[served.length - 1]));
				return;
			}
			Matcher call = VERSION_CALL.matcher(path);
			if (!call.matches()) {
				FakeWorker.answer(exchange, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no endpoint\"}}");
				return;
			}
			String model = call.group(1);
			long version = Long.parseLong(call.group(2));
			if (!serves(model, version) || LinearModels.of(model) == null) {
				notFound(exchange, model);
				return;
			}
			switch (call.group(3)) {
				case "/metadata" -> FakeWorker.answer(exchange, 200, metadata(model, version));
				case ":predict" -> FakeWorker.answer(exchange, 200, predict(model, JSON.readTree(body)));
				default -> {
					this.explainBodies.add(new String(body, StandardCharsets.UTF_8));
					if (this.failing.getOrDefault(model, false)) {
						FakeWorker.answer(exchange, 500,
								"{\"error\":{\"code\":\"internal\",\"message\":\"the explainer exploded\"}}");
						return;
					}
					if (model.equals("slow")) {
						Thread.sleep(150);
					}
					String refused = refusal(JSON.readTree(body));
					if (refused != null) {
						FakeWorker.answer(exchange, 400, "{\"error\":{\"code\":\"invalid_argument\",\"message\":"
								+ JSON.writeValueAsString(refused) + "}}");
						return;
					}
					FakeWorker.answer(exchange, 200, explain(model, JSON.readTree(body)));
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			FakeWorker.answer(exchange, 503, "{\"error\":\"interrupted\"}");
		}
		catch (RuntimeException ex) {
			FakeWorker.answer(exchange, 400, "{\"error\":" + JSON.writeValueAsString(String.valueOf(ex)) + "}");
		}
	}

	private boolean serves(String model, long version) {
		long[] served = this.versions.get(model);
		if (served == null) {
			return false;
		}
		for (long v : served) {
			if (v == version) {
				return true;
			}
		}
		return false;
	}

	private static void notFound(HttpExchange exchange, String model) throws IOException {
		FakeWorker.answer(exchange, 404, "{\"error\":{\"code\":\"model_not_found\",\"message\":\"Servable not found "
				+ "for request: " + model + "\"}}");
	}

	private String listing() {
		ObjectNode listing = JSON.createObjectNode();
		ArrayNode models = listing.putArray("models");
		this.versions.forEach((model, served) -> {
			ObjectNode item = models.addObject();
			item.put("name", model);
			ArrayNode list = item.putArray("versions");
			for (long version : served) {
				list.addObject().put("version", Long.toString(version)).put("state", "AVAILABLE");
			}
		});
		return JSON.writeValueAsString(listing);
	}

	private static String metadata(String model, long version) {
		LinearModels.Model spec = LinearModels.of(model);
		ObjectNode body = JSON.createObjectNode();
		body.putObject("model_spec")
			.put("name", model)
			.put("signature_name", "")
			.put("version", Long.toString(version));
		ObjectNode inputs = JSON.createObjectNode();
		for (LinearModels.Column column : spec.columns()) {
			ObjectNode input = inputs.putObject(column.name());
			input.put("dtype", column.dtype());
			ObjectNode shape = input.putObject("tensor_shape");
			shape.putArray("dim").addObject().put("size", "-1").put("name", "");
			shape.put("unknown_rank", false);
			input.put("name", column.name() + ":0");
		}
		ObjectNode signature = body.putObject("metadata")
			.putObject("signature_def")
			.putObject("signature_def")
			.putObject("serving_default");
		signature.set("inputs", inputs);
		signature.putObject("outputs");
		signature.put("method_name", "tensorflow/serving/predict");
		return JSON.writeValueAsString(body);
	}

	private static String predict(String model, JsonNode request) {
		LinearModels.Model spec = LinearModels.of(model);
		ObjectNode answer = JSON.createObjectNode();
		ArrayNode predictions = answer.putArray("predictions");
		for (JsonNode instance : request.path("instances")) {
			predictions.add(prediction(spec.f(values(instance))));
		}
		return JSON.writeValueAsString(answer);
	}

	private static ObjectNode prediction(double f) {
		double p = LinearModels.sigmoid(f);
		ObjectNode prediction = JSON.createObjectNode();
		prediction.putArray("probabilities").add(1 - p).add(p);
		prediction.put("class_id", (f >= 0) ? 1 : 0);
		return prediction;
	}

	/**
	 * Like the worker refusing a text longer than it explains: an instance whose text
	 * holds {@code TOO-LONG} is refused, naming its index.
	 */
	private static String refusal(JsonNode request) {
		JsonNode instances = request.path("instances");
		for (int i = 0; i < instances.size(); i++) {
			if (instances.get(i).path("text").asString("").contains("TOO-LONG")) {
				return "instances[" + i + "]: the text has too many characters; explanations take shorter texts";
			}
		}
		return null;
	}

	/**
	 * Explanations in the shape of the worker's {@code :explain} answer: the target is
	 * class 1 (the models' default class), a tabular explanation lists {@code {"feature",
	 * "value", "attribution"}}, a text explanation lists its tokens; {@code f_x},
	 * {@code f_baseline}, {@code model_evaluations}, {@code quality.completeness_delta}
	 * and a {@code baseline} with its own SHA-256.
	 */
	private static String explain(String model, JsonNode request) {
		LinearModels.Model spec = LinearModels.of(model);
		ObjectNode answer = JSON.createObjectNode();
		ArrayNode predictions = answer.putArray("predictions");
		ArrayNode explanations = answer.putArray("explanations");
		String method = request.path("parameters").path("method").asString("integrated_gradients");
		for (JsonNode instance : request.path("instances")) {
			Map<String, String> row = values(instance);
			double f = spec.f(row);
			predictions.add(prediction(f));
			ObjectNode explanation = explanations.addObject();
			explanation.put("method", method);
			explanation.put("model", model);
			explanation.putObject("target")
				.put("kind", "probability")
				.put("class", 1)
				.put("class_name", "1")
				.put("class_from", "model default");
			explanation.putObject("baseline").put("name", "training").put("sha256", BASELINE_SHA256);
			explanation.put("f_x", f);
			explanation.put("f_baseline", spec.bias());
			ArrayNode attributions = explanation.putArray("attributions");
			for (LinearModels.Column column : spec.columns()) {
				if (column.text()) {
					for (LinearModels.Token token : LinearModels.tokens(row.get(column.name()))) {
						attributions.addObject()
							.put("token", token.text())
							.put("start", token.start())
							.put("end", token.end())
							.put("bucket", Math.floorMod(token.text().hashCode(), 65536))
							.put("shared_bucket", false)
							.put("attribution", spec.tokenWeight(token.text()));
					}
				}
				else {
					attributions.addObject()
						.put("feature", column.name())
						.put("value", row.get(column.name()))
						.put("attribution", spec.attribution(column, row.get(column.name())));
				}
			}
			explanation.put("model_evaluations", 7);
			explanation.put("model_calls", 1);
			explanation.putObject("quality")
				.put("completeness_delta", spec.delta(row))
				.put("within_tolerance", true)
				.put("steps", 32);
		}
		return JSON.writeValueAsString(answer);
	}

	/** An instance's values as text, as a CSV cell would hold them. */
	static Map<String, String> values(JsonNode instance) {
		Map<String, String> row = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> entry : instance.properties()) {
			row.put(entry.getKey(),
					entry.getValue().isString() ? entry.getValue().asString() : entry.getValue().toString());
		}
		return row;
	}

	List<JsonNode> explainRequests() {
		List<JsonNode> requests = new ArrayList<>();
		this.explainBodies.forEach((body) -> requests.add(JSON.readTree(body)));
		return requests;
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
