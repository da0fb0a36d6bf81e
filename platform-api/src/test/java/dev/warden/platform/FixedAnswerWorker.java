package dev.warden.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The simplest stand-in for an inference worker in gateway tests that are about something else (keys, quotas): a real
 * HTTP server on a free loopback port that reads any request and answers {@code 200 {"predictions":[0.5]}}.
 */
public final class FixedAnswerWorker {

	private FixedAnswerWorker() {
	}

	/** Starts the server (8 handler threads); the caller stops it ({@code stop(0)}). */
	public static HttpServer start() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/", FixedAnswerWorker::answer);
		// several threads, so that concurrent load through two gateways is not serialised here
		server.setExecutor(Executors.newFixedThreadPool(8));
		server.start();
		return server;
	}

	private static void answer(HttpExchange exchange) throws IOException {
		try (InputStream body = exchange.getRequestBody()) {
			body.readAllBytes();
		}
		byte[] out = "{\"predictions\":[0.5]}".getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, out.length);
		try (OutputStream body = exchange.getResponseBody()) {
			body.write(out);
		}
	}

}
