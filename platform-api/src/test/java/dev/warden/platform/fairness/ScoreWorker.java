package dev.warden.platform.fairness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
 * An inference worker standing in for the real one, whose predictions the tests control:
 * a model's probability of class 1 is read from one of its inputs ({@code score} for the
 * models {@code scored}, {@code slow}, {@code plain} and {@code classless}, clamped to
 * [0, 1]; for the Adult-like models {@code income} and {@code census} to {@code census3},
 * (age − 17) / 73 clamped), and answered as {@code {"probabilities": [1 − p, p],
 * "class_id"}} (the model {@code classless} answers only {@code class_id}). {@code slow}
 * takes 100 ms per prediction call. It answers the TF Serving listing, metadata (inputs
 * {@code region} DT_STRING and {@code score} DT_FLOAT, or the 14 Adult inputs), the
 * digest of a version ({@link #MODEL_SHA256}) and serves shipped datasets. It has no
 * {@code :explain}: the explanation jobs of these models fail, which the fairness tests
 * do not look at.
 */
final class ScoreWorker implements AutoCloseable {

	static final String MODEL_SHA256 = "9a8b7c6d5e4f30211f2e3d4c5b6a79880f1e2d3c4b5a69788796a5b4c3d2e1f0";

	static final List<String> ADULT_INPUTS = List.of("age", "capital_gain", "capital_loss", "education",
			"education_num", "fnlwgt", "hours_per_week", "marital_status", "native_country", "occupation", "race",
			"relationship", "sex", "workclass");

	private static final List<String> ADULT_MODELS = List.of("income", "census", "census2", "census3");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern VERSION_CALL = Pattern
		.compile("/v1/models/([^/]+)/versions/([0-9]+)(/metadata|:predict|:explain)");

	private static final Pattern LATEST_METADATA = Pattern.compile("/v1/models/([^/:]+)/metadata");

	private static final Pattern DIGEST = Pattern.compile("/internal/v1/models/([^/]+)/versions/([0-9]+)/digest");

	private final HttpServer server;

	private final Map<String, long[]> versions = new ConcurrentHashMap<>();

	private final Map<String, String> datasets = new ConcurrentHashMap<>();

	/** Every predict request received. */
	final List<Call> predictRequests = new CopyOnWriteArrayList<>();

	ScoreWorker() throws IOException {
		this.server = FakeWorker.start(this::handle, 4);
	}

	String url() {
		return FakeWorker.url(this.server);
	}

	/** The versions {@code GET /v1/models} lists AVAILABLE for {@code model}. */
	void listing(String model, long... versions) {
		this.versions.put(model, versions);
	}

	/** A CSV served by {@code GET /internal/v1/datasets/{name}}. */
	void shipped(String name, String csv) {
		this.datasets.put(name, csv);
	}

	/** The probability of class 1 the models give a row (an instance's values). */
	static double probability(String model, JsonNode instance) {
		double p = ADULT_MODELS.contains(model) ? (instance.path("age").asDouble() - 17) / 73.0
				: instance.path("score").asDouble();
		return Math.max(0, Math.min(1, p));
	}

	private void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		byte[] body = FakeWorker.readBody(exchange);
		try {
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
			if (!call.matches() || !serves(call.group(1), Long.parseLong(call.group(2)))) {
				notFound(exchange, path);
				return;
			}
			String model = call.group(1);
			switch (call.group(3)) {
				case "/metadata" -> FakeWorker.answer(exchange, 200, metadata(model, Long.parseLong(call.group(2))));
				case ":predict" -> {
					JsonNode request = JSON.readTree(body);
					this.predictRequests.add(new Call(model, request));
					if (model.equals("slow")) {
						Thread.sleep(100);
					}
					FakeWorker.answer(exchange, 200, predict(model, request));
				}
				default -> FakeWorker.answer(exchange, 501,
						"{\"error\":{\"code\":\"unimplemented\",\"message\":\"no explanations here\"}}");
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

	private static void notFound(HttpExchange exchange, String what) throws IOException {
		FakeWorker.answer(exchange, 404,
				"{\"error\":{\"code\":\"model_not_found\",\"message\":\"Servable not found for request: " + what
						+ "\"}}");
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
		ObjectNode body = JSON.createObjectNode();
		body.putObject("model_spec")
			.put("name", model)
			.put("signature_name", "")
			.put("version", Long.toString(version));
		ObjectNode inputs = JSON.createObjectNode();
		if (ADULT_MODELS.contains(model)) {
			for (String name : ADULT_INPUTS) {
				boolean numeric = List
					.of("age", "capital_gain", "capital_loss", "education_num", "fnlwgt", "hours_per_week")
					.contains(name);
				input(inputs, name, numeric ? "DT_FLOAT" : "DT_STRING");
			}
		}
		else {
			input(inputs, "region", "DT_STRING");
			input(inputs, "score", "DT_FLOAT");
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

	private static void input(ObjectNode inputs, String name, String dtype) {
		ObjectNode input = inputs.putObject(name);
		input.put("dtype", dtype);
		ObjectNode shape = input.putObject("tensor_shape");
		shape.putArray("dim").addObject().put("size", "-1").put("name", "");
		shape.put("unknown_rank", false);
		input.put("name", name + ":0");
	}

	private static String predict(String model, JsonNode request) {
		ObjectNode answer = JSON.createObjectNode();
		ArrayNode predictions = answer.putArray("predictions");
		for (JsonNode instance : request.path("instances")) {
			double p = probability(model, instance);
			ObjectNode prediction = predictions.addObject();
			if (!model.equals("classless")) {
				prediction.putArray("probabilities").add(1 - p).add(p);
			}
			prediction.put("class_id", (p >= 0.5) ? 1 : 0);
		}
		return JSON.writeValueAsString(answer);
	}

	/** A predict request: the model it was for and its body. */
	record Call(String model, JsonNode body) {
	}

	@Override
	public void close() {
		FakeWorker.stop(this.server);
	}

}
