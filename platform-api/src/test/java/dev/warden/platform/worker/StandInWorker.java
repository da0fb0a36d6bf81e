package dev.warden.platform.worker;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.warden.platform.FakeWorker;

/**
 * A real HTTP server standing in for an inference worker in gateway tests: it serves the
 * listed versions of one model ({@code /internal/v1/status}, {@code /v1/models},
 * metadata, v1 predict and v2 infer), answers predictions with its own name and the
 * version named in the path (the newest when none), and can be switched to answering 503
 * or to holding predictions until released. Counts the predictions it received and keeps
 * the {@code Authorization} headers it was sent.
 */
public final class StandInWorker implements AutoCloseable {

	private static final Pattern PREDICT = Pattern
		.compile("/v1/models/([^/:]+)(?:/versions/([0-9]+))?:predict|/v2/models/([^/]+)(?:/versions/([0-9]+))?/infer");

	/** How predictions are answered. */
	public enum Mode {

		OK, UNAVAILABLE

	}

	private final String name;

	private final String model;

	private final List<Long> versions;

	private final HttpServer server;

	private final AtomicInteger predictions = new AtomicInteger();

	private final AtomicInteger held = new AtomicInteger();

	private final Set<String> authorizations = ConcurrentHashMap.newKeySet();

	private volatile Mode mode = Mode.OK;

	private volatile Semaphore gate;

	public StandInWorker(String name, String model, List<Long> versions) throws IOException {
		this.name = name;
		this.model = model;
		this.versions = List.copyOf(versions);
		// a thread per request: held predictions must not keep the others waiting
		this.server = FakeWorker.startUnbounded(this::handle);
	}

	public String url() {
		return FakeWorker.url(this.server);
	}

	public String name() {
		return this.name;
	}

	public void mode(Mode mode) {
		this.mode = mode;
	}

	/** From now on predictions wait until {@link #release()}. */
	public void hold() {
		this.gate = new Semaphore(0);
	}

	public void release() {
		Semaphore current = this.gate;
		this.gate = null;
		if (current != null) {
			current.release(10_000);
		}
	}

	/** Predictions waiting in {@link #hold()} now. */
	public int held() {
		return this.held.get();
	}

	public int predictions() {
		return this.predictions.get();
	}

	/**
	 * The {@code Authorization} headers of every request received so far ({@code ""} for
	 * a request without one).
	 */
	public Set<String> authorizations() {
		return Set.copyOf(this.authorizations);
	}

	private void handle(HttpExchange exchange) throws IOException {
		FakeWorker.readBody(exchange);
		String authorization = exchange.getRequestHeaders().getFirst("Authorization");
		this.authorizations.add((authorization != null) ? authorization : "");
		String path = exchange.getRequestURI().getPath();
		String newest = Long.toString(this.versions.get(this.versions.size() - 1));
		String listed = this.versions.stream().map(String::valueOf).collect(Collectors.joining(","));
		Matcher predict = PREDICT.matcher(path);
		if (path.equals("/internal/v1/status")) {
			answer(exchange, 200, "{\"id\":\"" + this.name + "\",\"models\":{\"" + this.model + "\":{\"versions\":["
					+ listed + "],\"labels\":{}}}}", null);
		}
		else if (path.equals("/v1/models")) {
			String versions = this.versions.stream()
				.map((v) -> "{\"version\":\"" + v + "\",\"state\":\"AVAILABLE\"}")
				.collect(Collectors.joining(","));
			answer(exchange, 200, "{\"models\":[{\"name\":\"" + this.model + "\",\"versions\":[" + versions + "]}]}",
					null);
		}
		else if (path.endsWith("/metadata")) {
			answer(exchange, 200, "{\"metadata\":{\"signature_def\":{\"signature_def\":{}}}}", null);
		}
		else if (predict.matches()) {
			this.predictions.incrementAndGet();
			if (this.mode == Mode.UNAVAILABLE) {
				answer(exchange, 503, "{\"error\":{\"code\":\"unavailable\",\"message\":\"busy " + this.name
						+ "\",\"request_id\":\"w\"}}", null);
				return;
			}
			Semaphore gate = this.gate;
			if (gate != null) {
				this.held.incrementAndGet();
				try {
					gate.acquire();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				finally {
					this.held.decrementAndGet();
				}
			}
			String version = (predict.group(2) != null) ? predict.group(2)
					: (predict.group(4) != null) ? predict.group(4) : newest;
			answer(exchange, 200, "{\"predictions\":[0.5],\"worker\":\"" + this.name + "\"}", version);
		}
		else {
			answer(exchange, 404,
					"{\"error\":{\"code\":\"not_found\",\"message\":\"no " + path + "\",\"request_id\":\"w\"}}", null);
		}
	}

	private static void answer(HttpExchange exchange, int status, String body, String version) throws IOException {
		if (version != null) {
			exchange.getResponseHeaders().add("X-Model-Version", version);
		}
		FakeWorker.answer(exchange, status, body);
	}

	@Override
	public void close() {
		release();
		FakeWorker.stop(this.server);
	}

}
