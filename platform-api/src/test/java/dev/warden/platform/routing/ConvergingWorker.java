package dev.warden.platform.routing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.warden.platform.FakeWorker;

/**
 * An HTTP server standing in for an inference worker that follows the platform's desired
 * state the way the real one does, for one model with a fixed set of versions in its
 * "store": without a desired state it serves the newest version (policy latest 1); a
 * {@code PUT /internal/v1/desired-state} of a generation at least the current one makes
 * the named versions (those in the store) the aspired ones, loaded at once unless
 * {@link #holdLoads()} is on (then they stay "loading"); a version marked
 * {@link #failing} fails to load; a version that is no longer aspired is unloaded once an
 * aspired one is AVAILABLE. It reports all of it in {@code /internal/v1/status} and
 * {@code /v1/models}, and answers a prediction for a version it has not loaded 404
 * {@code model_not_found}, as the real worker does. Every desired state received is kept.
 */
final class ConvergingWorker implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern PREDICT = Pattern.compile("/v1/models/([^/:]+)(?:/versions/([0-9]+))?:predict");

	private final String model;

	private final TreeSet<Long> store;

	private final HttpServer server;

	private final List<JsonNode> received = new CopyOnWriteArrayList<>();

	private final SortedMap<Long, String> failing = new TreeMap<>();

	private TreeSet<Long> available = new TreeSet<>();

	private TreeSet<Long> aspired = new TreeSet<>();

	private Long generation;

	private boolean holdLoads;

	/** What status and listing report while set: the state before a change. */
	private String[] frozenReports;

	ConvergingWorker(String model, List<Long> store) throws IOException {
		this.model = model;
		this.store = new TreeSet<>(store);
		restart();
		this.server = FakeWorker.start(this::handle, 4);
	}

	String url() {
		return FakeWorker.url(this.server);
	}

	/** As after a restart: no desired state, the newest version loaded. */
	synchronized void restart() {
		this.generation = null;
		this.aspired = new TreeSet<>(List.of(this.store.last()));
		this.available = new TreeSet<>(this.aspired);
		this.available.removeAll(this.failing.keySet());
	}

	/**
	 * From now on accepted desired states are not loaded until {@link #finishLoads()}.
	 */
	synchronized void holdLoads() {
		this.holdLoads = true;
	}

	synchronized void finishLoads() {
		this.holdLoads = false;
		converge();
	}

	/** {@code version} fails to load (and is dropped if it was loaded). */
	synchronized void failing(long version, String reason) {
		this.failing.put(version, reason);
		this.available.remove(version);
		converge();
	}

	/** {@code version} loads again. */
	synchronized void repaired(long version) {
		this.failing.remove(version);
		converge();
	}

	/**
	 * Unloads {@code version} while status and listing go on reporting the state before
	 * (as when the gateway's last poll predates the unload) until
	 * {@link #reportCurrentState()}.
	 */
	synchronized void unloadUnreported(long version) {
		this.frozenReports = new String[] { status(), listing() };
		this.available.remove(version);
	}

	synchronized void reportCurrentState() {
		this.frozenReports = null;
	}

	synchronized SortedSet<Long> available() {
		return new TreeSet<>(this.available);
	}

	synchronized Long generation() {
		return this.generation;
	}

	List<JsonNode> received() {
		return this.received;
	}

	private void converge() {
		if (this.holdLoads) {
			return;
		}
		TreeSet<Long> loaded = new TreeSet<>(this.aspired);
		loaded.removeAll(this.failing.keySet());
		if (loaded.isEmpty()) {
			// availability-preserving: keep what is loaded until an aspired version is
			return;
		}
		this.available = loaded;
	}

	private synchronized String status() {
		if (this.frozenReports != null) {
			return this.frozenReports[0];
		}
		Map<String, Object> model = new LinkedHashMap<>();
		model.put("versions", new ArrayList<>(this.available.descendingSet()));
		model.put("labels", Map.of());
		model.put("aspired", this.aspired);
		List<Long> loading = new ArrayList<>();
		Map<String, String> failed = new TreeMap<>();
		for (Long version : this.aspired) {
			if (this.failing.containsKey(version)) {
				failed.put(version.toString(), this.failing.get(version));
			}
			else if (!this.available.contains(version)) {
				loading.add(version);
			}
		}
		model.put("loading", loading);
		model.put("failed", failed);
		model.put("in_store", this.store);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", "converging");
		body.put("desired_generation", this.generation);
		body.put("models", Map.of(this.model, model));
		return JSON.writeValueAsString(body);
	}

	private synchronized String listing() {
		if (this.frozenReports != null) {
			return this.frozenReports[1];
		}
		List<Object> versions = new ArrayList<>();
		for (Long version : this.store.descendingSet()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("version", version.toString());
			if (this.available.contains(version)) {
				entry.put("state", "AVAILABLE");
			}
			else if (this.failing.containsKey(version)) {
				entry.put("state", "END");
				entry.put("error", this.failing.get(version));
			}
			else {
				continue;
			}
			versions.add(entry);
		}
		return JSON.writeValueAsString(Map.of("models", List.of(Map.of("name", this.model, "versions", versions))));
	}

	private synchronized int desired(JsonNode document) {
		long offered = document.path("generation").asLong();
		if (this.generation != null && offered < this.generation) {
			return 200;
		}
		this.generation = offered;
		TreeSet<Long> named = new TreeSet<>();
		document.path("models").path(this.model).forEach((version) -> named.add(version.asLong()));
		named.retainAll(this.store);
		if (!named.isEmpty()) {
			this.aspired = named;
		}
		converge();
		return 200;
	}

	private void handle(HttpExchange exchange) throws IOException {
		byte[] body = FakeWorker.readBody(exchange);
		String path = exchange.getRequestURI().getPath();
		Matcher predict = PREDICT.matcher(path);
		if ("PUT".equals(exchange.getRequestMethod()) && path.equals("/internal/v1/desired-state")) {
			JsonNode document = JSON.readTree(body);
			this.received.add(document);
			FakeWorker.answer(exchange, desired(document), "{\"accepted\":true}");
		}
		else if (path.equals("/internal/v1/status")) {
			FakeWorker.answer(exchange, 200, status());
		}
		else if (path.equals("/v1/models")) {
			FakeWorker.answer(exchange, 200, listing());
		}
		else if (path.endsWith("/metadata")) {
			FakeWorker.answer(exchange, 200, "{\"metadata\":{\"signature_def\":{\"signature_def\":{}}}}");
		}
		else if (predict.matches() && predict.group(1).equals(this.model)) {
			Long version;
			synchronized (this) {
				version = (predict.group(2) != null) ? Long.valueOf(predict.group(2))
						: (this.available.isEmpty() ? null : this.available.last());
				if (version != null && !this.available.contains(version)) {
					version = null;
				}
			}
			if (version == null) {
				FakeWorker.answer(exchange, 404,
						"{\"error\":{\"code\":\"model_not_found\",\"message\":\"Servable not found for request: "
								+ "Specific(" + this.model + ", " + predict.group(2) + ")\",\"request_id\":\"w\"}}");
				return;
			}
			exchange.getResponseHeaders().add("X-Model-Version", version.toString());
			FakeWorker.answer(exchange, 200, "{\"predictions\":[0.5]}");
		}
		else {
			FakeWorker.answer(exchange, 404,
					"{\"error\":{\"code\":\"not_found\",\"message\":\"no " + path + "\",\"request_id\":\"w\"}}");
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
