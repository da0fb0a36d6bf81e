package dev.warden.console;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpExchange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for platform-api's console state API ({@code /internal/platform/console/},
 * docs: the console state contract), in memory: signing keys (one active key, more on
 * demand), sessions and authorizations, behind a fixed bearer token. Consoles that share
 * one {@link StubPlatformApi} share this store, as replicas share platform-api.
 */
public final class StubConsoleState {

	public static final String TOKEN = "console-state-test-token";

	private static final String BASE = "/internal/platform/console/";

	private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<SigningKey> keys = new CopyOnWriteArrayList<>();

	private final Map<String, JsonNode> sessions = new ConcurrentHashMap<>();

	private final Map<String, JsonNode> authorizations = new ConcurrentHashMap<>();

	private final AtomicInteger sessionWrites = new AtomicInteger();

	private volatile boolean unavailable;

	private volatile Duration refreshAfter = Duration.ofSeconds(60);

	StubConsoleState() {
		this.keys.add(new SigningKey(newKey(), Instant.now().minusSeconds(60), null));
	}

	/** Publishes another key that becomes the active one at the given time. */
	public RSAKey publishKey(Instant activatesAt) {
		RSAKey key = newKey();
		this.keys.add(new SigningKey(key, activatesAt, null));
		return key;
	}

	public void refreshAfter(Duration refreshAfter) {
		this.refreshAfter = refreshAfter;
	}

	/** Answers 503 to every call while true, as platform-api without its database. */
	public void unavailable(boolean unavailable) {
		this.unavailable = unavailable;
	}

	/** The kids of the keys it hands out, oldest first. */
	public List<String> keyIds() {
		return this.keys.stream().map((key) -> key.jwk().getKeyID()).toList();
	}

	public Map<String, JsonNode> sessions() {
		return this.sessions;
	}

	public Map<String, JsonNode> authorizations() {
		return this.authorizations;
	}

	/** How many session PUTs it received. */
	public int sessionWrites() {
		return this.sessionWrites.get();
	}

	void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			if (this.unavailable) {
				respond(exchange, 503, "{\"error\":{\"code\":\"database_unavailable\"}}");
				return;
			}
			if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
				respond(exchange, 401, "{\"error\":{\"code\":\"unauthorized\"}}");
				return;
			}
			String method = exchange.getRequestMethod();
			String path = exchange.getRequestURI().getPath().substring(BASE.length());
			String query = exchange.getRequestURI().getRawQuery();
			byte[] body = exchange.getRequestBody().readAllBytes();
			if (path.equals("signing-keys") && method.equals("GET")) {
				respond(exchange, 200, signingKeys());
			}
			else if (path.startsWith("sessions/")) {
				String sid = path.substring("sessions/".length());
				if (!HEX64.matcher(sid).matches()) {
					respond(exchange, 400, "{\"error\":{\"code\":\"invalid_parameter\"}}");
				}
				else if (method.equals("PUT")) {
					this.sessionWrites.incrementAndGet();
					this.sessions.put(sid, JSON.readTree(body));
					respond(exchange, 204, "");
				}
				else if (method.equals("DELETE")) {
					this.sessions.remove(sid);
					respond(exchange, 204, "");
				}
				else {
					found(exchange, this.sessions.get(sid));
				}
			}
			else if (path.equals("authorizations") && method.equals("GET") && query != null
					&& query.startsWith("token_hash=")) {
				String hash = URLDecoder.decode(query.substring("token_hash=".length()), StandardCharsets.UTF_8);
				found(exchange,
						this.authorizations.values()
							.stream()
							.filter((row) -> row.path("token_hashes")
								.values()
								.stream()
								.anyMatch((h) -> hash.equals(h.asString())))
							.findFirst()
							.map(StubConsoleState::authorization)
							.orElse(null));
			}
			else if (path.startsWith("authorizations/")) {
				String id = path.substring("authorizations/".length());
				if (method.equals("PUT")) {
					ObjectNode row = (ObjectNode) JSON.readTree(body);
					row.put("id", id);
					this.authorizations.put(id, row);
					respond(exchange, 204, "");
				}
				else if (method.equals("DELETE")) {
					this.authorizations.remove(id);
					respond(exchange, 204, "");
				}
				else {
					JsonNode row = this.authorizations.get(id);
					found(exchange, (row != null) ? authorization(row) : null);
				}
			}
			else {
				respond(exchange, 404, "{\"error\":{\"code\":\"not_found\"}}");
			}
		}
	}

	private String signingKeys() {
		ObjectNode body = JSON.createObjectNode();
		ArrayNode list = body.putArray("keys");
		for (SigningKey key : this.keys) {
			ObjectNode entry = list.addObject();
			entry.put("kid", key.jwk().getKeyID());
			entry.set("jwk", JSON.readTree(key.jwk().toJSONString()));
			entry.put("created_at", key.activatesAt().toString());
			entry.put("activates_at", key.activatesAt().toString());
			entry.put("retires_at", (key.retiresAt() != null) ? key.retiresAt().toString() : null);
		}
		body.put("rotation", "PT720H");
		body.put("refresh_after", this.refreshAfter.toString());
		return body.toString();
	}

	private static JsonNode authorization(JsonNode row) {
		ObjectNode answer = JSON.createObjectNode();
		answer.put("id", row.path("id").asString());
		answer.put("data", row.path("data").asString());
		return answer;
	}

	private static void found(HttpExchange exchange, JsonNode value) throws IOException {
		if (value == null) {
			respond(exchange, 404, "{\"error\":{\"code\":\"not_found\"}}");
		}
		else {
			respond(exchange, 200, value.toString());
		}
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, (bytes.length == 0) ? -1 : bytes.length);
		if (bytes.length > 0) {
			exchange.getResponseBody().write(bytes);
		}
	}

	private static RSAKey newKey() {
		try {
			return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE)
				.algorithm(JWSAlgorithm.RS256)
				.keyIDFromThumbprint(true)
				.generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record SigningKey(RSAKey jwk, Instant activatesAt, Instant retiresAt) {
	}

}
