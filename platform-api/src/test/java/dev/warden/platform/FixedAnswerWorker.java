package dev.warden.platform;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

/**
 * The simplest stand-in for an inference worker in gateway tests that are about something
 * else (keys, quotas): a real HTTP server on a free loopback port that reads any request
 * and answers {@code 200 {"predictions":[0.5]}}. Two things a worker does are kept, for
 * the tests that look at what the gateway records: a call naming a version
 * ({@code /v1/models/m/versions/3:predict}) is answered with {@code X-Model-Version: 3},
 * and every call to the model {@value #REFUSING} is answered 400
 * {@code invalid_argument}, as a worker refuses an input that does not fit the signature.
 * A call to the model {@value #SCORING} is answered with one row per instance
 * {@code {"p": <number>}} of the request, as a binary classifier answers:
 * {@code {"predictions": [[1 - p, p], …]}} (the probabilities of class 0 and 1), and on
 * {@code /v2/models/scoring/infer} the same probabilities as an Open Inference output
 * {@code probabilities} of shape {@code [rows, 2]}.
 */
public final class FixedAnswerWorker {

	/**
	 * The model whose every call the stand-in refuses with 400 {@code invalid_argument}.
	 */
	public static final String REFUSING = "refusing";

	/**
	 * The model whose answer has one row of class probabilities {@code [1 - p, p]} per
	 * instance {@code {"p": p}} of the request.
	 */
	public static final String SCORING = "scoring";

	private static final Pattern SCORE = Pattern.compile("\"p\"\\s*:\\s*([0-9.eE+-]+)");

	private static final Pattern VERSION = Pattern.compile("^/v[12]/models/[^/]+/versions/([0-9]{1,18})[:/].*");

	private FixedAnswerWorker() {
	}

	/**
	 * Starts the server (8 handler threads); the caller stops it
	 * ({@link FakeWorker#stop}).
	 */
	public static HttpServer start() throws IOException {
		// several threads, so that concurrent load through two gateways is not serialised
		// here
		return FakeWorker.start((exchange) -> {
			byte[] body = FakeWorker.readBody(exchange);
			String path = exchange.getRequestURI().getPath();
			Matcher version = VERSION.matcher(path);
			if (version.matches()) {
				exchange.getResponseHeaders().add("X-Model-Version", version.group(1));
			}
			if (path.startsWith("/v1/models/" + REFUSING + "/") || path.startsWith("/v1/models/" + REFUSING + ":")
					|| path.startsWith("/v2/models/" + REFUSING + "/")) {
				FakeWorker.answer(exchange, 400, "{\"error\":{\"code\":\"invalid_argument\",\"message\":"
						+ "\"input 'x' is missing\",\"request_id\":\"w\"}}");
				return;
			}
			if (path.startsWith("/v1/models/" + SCORING + "/") || path.startsWith("/v1/models/" + SCORING + ":")) {
				StringBuilder answer = new StringBuilder("{\"predictions\":[");
				Matcher score = SCORE.matcher(new String(body, StandardCharsets.UTF_8));
				for (int row = 0; score.find(); row++) {
					// exact decimals (1 - 0.9 is 0.1, not 0.09999999999999998), as a
					// float32
					// model answers: no long digit runs for the log's card-number
					// redaction
					BigDecimal p = new BigDecimal(score.group(1));
					answer.append((row > 0) ? "," : "")
						.append('[')
						.append(BigDecimal.ONE.subtract(p).toPlainString())
						.append(',')
						.append(p.toPlainString())
						.append(']');
				}
				FakeWorker.answer(exchange, 200, answer.append("]}").toString());
				return;
			}
			if (path.startsWith("/v2/models/" + SCORING + "/") && path.endsWith("/infer")) {
				// Open Inference: one output, the class probabilities as a [rows, 2]
				// tensor
				StringBuilder data = new StringBuilder();
				Matcher score = SCORE.matcher(new String(body, StandardCharsets.UTF_8));
				int rows = 0;
				for (; score.find(); rows++) {
					BigDecimal p = new BigDecimal(score.group(1));
					data.append((rows > 0) ? "," : "")
						.append(BigDecimal.ONE.subtract(p).toPlainString())
						.append(',')
						.append(p.toPlainString());
				}
				FakeWorker.answer(exchange, 200,
						"{\"model_name\":\"" + SCORING + "\",\"outputs\":[{\"name\":\"probabilities\","
								+ "\"datatype\":\"FP32\",\"shape\":[" + rows + ",2],\"data\":[" + data + "]}]}");
				return;
			}
			FakeWorker.answer(exchange, 200, "{\"predictions\":[0.5]}");
		}, 8);
	}

}
