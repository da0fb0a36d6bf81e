package dev.warden.platform;

import java.io.IOException;

import com.sun.net.httpserver.HttpServer;

/**
 * The simplest stand-in for an inference worker in gateway tests that are about something
 * else (keys, quotas): a real HTTP server on a free loopback port that reads any request
 * and answers {@code 200 {"predictions":[0.5]}}.
 */
public final class FixedAnswerWorker {

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
			FakeWorker.readBody(exchange);
			FakeWorker.answer(exchange, 200, "{\"predictions\":[0.5]}");
		}, 8);
	}

}
