package dev.warden.platform.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.FakeWorker;
import dev.warden.platform.Json;

/**
 * Stands in for the inference worker's control endpoints on the platform side of the
 * contract (the real endpoint is tested with TensorFlow in the worker module):
 * {@code POST /internal/v1/validate} looks at the staged directory in the shared store
 * and accepts it only if its {@code saved_model.pb} is byte for byte the real exported
 * one; {@code POST /internal/v1/models/{m}:reload} answers 404 like a worker that does
 * not have it; {@code GET
 * /v1/models} lists what was configured with {@link #listing(String)}.
 */
final class StubValidationWorker implements AutoCloseable {

	static final String SIGNATURE_DEFS = """
			{"serving_default":{"inputs":{"age":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1","name":""}],\
			"unknown_rank":false},"name":"age:0"}},"outputs":{"class_id":{"dtype":"DT_INT64","tensor_shape":\
			{"dim":[{"size":"-1","name":""}],"unknown_rank":false},"name":"class_id:0"}},\
			"method_name":"tensorflow/serving/predict"}}""";

	/** The worker answers 500 to validations of this model. */
	static final String FAILING_MODEL = "worker-fails";

	private final HttpServer server;

	private final Path store;

	private final byte[] realSavedModelPb;

	final List<String> validatedPaths = new CopyOnWriteArrayList<>();

	final List<String> reloadRequests = new CopyOnWriteArrayList<>();

	private volatile String listing = "{\"models\":[]}";

	StubValidationWorker(Path store, byte[] realSavedModelPb) throws IOException {
		this.store = store;
		this.realSavedModelPb = realSavedModelPb;
		this.server = FakeWorker.start(this::handle, 4);
	}

	String url() {
		return FakeWorker.url(this.server);
	}

	void listing(String json) {
		this.listing = json;
	}

	private void handle(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		String body = new String(FakeWorker.readBody(exchange), StandardCharsets.UTF_8);
		if (exchange.getRequestMethod().equals("POST") && path.equals("/internal/v1/validate")) {
			validate(exchange, Json.read(body));
		}
		else if (exchange.getRequestMethod().equals("POST") && path.endsWith(":reload")) {
			this.reloadRequests.add(path);
			FakeWorker.answer(exchange, 404,
					"{\"error\":{\"code\":\"not_found\",\"message\":\"no such endpoint\",\"request_id\":\"x\"}}");
		}
		else if (exchange.getRequestMethod().equals("GET") && path.equals("/v1/models")) {
			FakeWorker.answer(exchange, 200, this.listing);
		}
		else {
			FakeWorker.answer(exchange, 404,
					"{\"error\":{\"code\":\"not_found\",\"message\":\"no such endpoint\",\"request_id\":\"x\"}}");
		}
	}

	private void validate(HttpExchange exchange, JsonNode request) throws IOException {
		String relative = request.path("path").asString();
		this.validatedPaths.add(relative);
		if (FAILING_MODEL.equals(request.path("model").asString())) {
			FakeWorker.answer(exchange, 500,
					"{\"error\":{\"code\":\"internal\",\"message\":\"internal error\",\"request_id\":\"x\"}}");
			return;
		}
		Path dir = this.store.resolve(relative).normalize();
		Path pb = dir.resolve("saved_model.pb");
		if (!dir.startsWith(this.store) || !Files.isRegularFile(pb, LinkOption.NOFOLLOW_LINKS)) {
			FakeWorker.answer(exchange, 400,
					"{\"error\":{\"code\":\"invalid_argument\",\"message\":\"bad path\",\"request_id\":\"x\"}}");
			return;
		}
		if (!Arrays.equals(Files.readAllBytes(pb), this.realSavedModelPb)) {
			FakeWorker.answer(exchange, 422,
					"{\"error\":{\"code\":\"invalid_saved_model\",\"message\":\"TensorFlow cannot load the "
							+ "SavedModel: Could not parse saved_model.pb\",\"request_id\":\"x\"}}");
			return;
		}
		FakeWorker.answer(exchange, 200, "{\"model_spec\":{\"name\":\"" + request.path("model").asString()
				+ "\",\"signature_name\":\"\",\"version\":\"\"},\"metadata\":{\"signature_def\":{\"signature_def\":"
				+ SIGNATURE_DEFS + "}}}");
	}

	@Override
	public void close() {
		FakeWorker.stop(this.server);
	}

}
