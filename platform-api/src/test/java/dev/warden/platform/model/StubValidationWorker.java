package dev.warden.platform.model;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.warden.platform.FakeWorker;

/**
 * Stands in for the inference worker's control endpoints on the platform side of the
 * contract (the real endpoint is tested with TensorFlow in the worker module). It has no
 * access to the gateway's model store, like a worker on another machine:
 * {@code POST /internal/v1/validate} takes only the archive form (a zip as the body,
 * {@code X-Archive-Sha256}), refuses it (400) unless the body's SHA-256 is the announced
 * one, and accepts it only if the archive's {@code saved_model.pb}, at its root, is byte
 * for byte the real exported one; {@code POST /internal/v1/models/{m}:reload} answers 404
 * like a worker that does not have it; {@code GET /v1/models} lists what was configured
 * with {@link #listing(String)}.
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

	private final byte[] realSavedModelPb;

	/** The SHA-256 of every archive received whose announced SHA-256 matched. */
	final List<String> validatedArchives = new CopyOnWriteArrayList<>();

	/** Why an archive was refused before it was looked at (wrong form or SHA-256). */
	final List<String> refusedArchives = new CopyOnWriteArrayList<>();

	final List<String> reloadRequests = new CopyOnWriteArrayList<>();

	private volatile String listing = "{\"models\":[]}";

	StubValidationWorker(byte[] realSavedModelPb) throws IOException {
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
		byte[] body = FakeWorker.readBody(exchange);
		if (exchange.getRequestMethod().equals("POST") && path.equals("/internal/v1/validate")) {
			validate(exchange, body);
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

	private void validate(HttpExchange exchange, byte[] archive) throws IOException {
		String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
		String announced = exchange.getRequestHeaders().getFirst("X-Archive-Sha256");
		String actual = sha256(archive);
		if (!type.startsWith("application/zip") || !actual.equals(announced)) {
			this.refusedArchives.add(type + ", announced " + announced + ", received " + actual);
			FakeWorker.answer(exchange, 400,
					"{\"error\":{\"code\":\"sha256_mismatch\",\"message\":\"bad archive\",\"request_id\":\"x\"}}");
			return;
		}
		this.validatedArchives.add(actual);
		String model = model(exchange.getRequestURI().getRawQuery());
		if (FAILING_MODEL.equals(model)) {
			FakeWorker.answer(exchange, 500,
					"{\"error\":{\"code\":\"internal\",\"message\":\"internal error\",\"request_id\":\"x\"}}");
			return;
		}
		if (!Arrays.equals(savedModelPb(archive), this.realSavedModelPb)) {
			FakeWorker.answer(exchange, 422,
					"{\"error\":{\"code\":\"invalid_saved_model\",\"message\":\"TensorFlow cannot load the "
							+ "SavedModel: Could not parse saved_model.pb\",\"request_id\":\"x\"}}");
			return;
		}
		FakeWorker.answer(exchange, 200, "{\"model_spec\":{\"name\":\"" + model
				+ "\",\"signature_name\":\"\",\"version\":\"\"},\"metadata\":{\"signature_def\":{\"signature_def\":"
				+ SIGNATURE_DEFS + "}}}");
	}

	/** The {@code model} query parameter, or "upload". */
	private static String model(String query) {
		if (query != null) {
			for (String pair : query.split("&")) {
				if (pair.startsWith("model=")) {
					return URLDecoder.decode(pair.substring("model=".length()), StandardCharsets.UTF_8);
				}
			}
		}
		return "upload";
	}

	/** The bytes of {@code saved_model.pb} at the archive's root, or none. */
	private static byte[] savedModelPb(byte[] archive) throws IOException {
		try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
			ZipEntry entry;
			while ((entry = zip.getNextEntry()) != null) {
				if (entry.getName().equals("saved_model.pb")) {
					return zip.readAllBytes();
				}
			}
		}
		return new byte[0];
	}

	static String sha256(byte[] bytes) {
		try {
			return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		FakeWorker.stop(this.server);
	}

}
