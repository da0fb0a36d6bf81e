package dev.warden.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * The plumbing of the in-test HTTP servers that stand in for an inference worker: start
 * one on a free loopback port, read a request's body, answer JSON, stop it. What a
 * stand-in answers is the test's own business (its handler).
 */
public final class FakeWorker {

	private FakeWorker() {
	}

	/**
	 * Starts a server that hands every request to {@code handler} on one thread; the
	 * caller stops it with {@link #stop}.
	 */
	public static HttpServer start(HttpHandler handler) throws IOException {
		return start(handler, 0);
	}

	/**
	 * Starts a server that hands every request to {@code handler} on {@code threads}
	 * threads (0: one), so that concurrent calls through the gateway are not serialised
	 * here; the caller stops it with {@link #stop}.
	 */
	public static HttpServer start(HttpHandler handler, int threads) throws IOException {
		return start(handler, (threads > 0) ? Executors.newFixedThreadPool(threads) : null);
	}

	/**
	 * Starts a server that runs every request on a thread of its own, for handlers that
	 * block (hold a request until the test releases it); the caller stops it with
	 * {@link #stop}.
	 */
	public static HttpServer startUnbounded(HttpHandler handler) throws IOException {
		return start(handler, Executors.newCachedThreadPool());
	}

	private static HttpServer start(HttpHandler handler, ExecutorService executor) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/", handler);
		if (executor != null) {
			server.setExecutor(executor);
		}
		server.start();
		return server;
	}

	/** Stops the server at once, and the threads it was started with. */
	public static void stop(HttpServer server) {
		server.stop(0);
		if (server.getExecutor() instanceof ExecutorService executor) {
			executor.shutdownNow();
		}
	}

	/** The server's base URL, as {@code warden.worker.url} wants it. */
	public static String url(HttpServer server) {
		return "http://127.0.0.1:" + server.getAddress().getPort();
	}

	/** Reads the whole request body. */
	public static byte[] readBody(HttpExchange exchange) throws IOException {
		try (InputStream body = exchange.getRequestBody()) {
			return body.readAllBytes();
		}
	}

	/**
	 * Answers {@code status} with a JSON body (headers added before this call are sent
	 * too).
	 */
	public static void answer(HttpExchange exchange, int status, String json) throws IOException {
		byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream body = exchange.getResponseBody()) {
			body.write(bytes);
		}
	}

}
