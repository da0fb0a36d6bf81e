package dev.warden.console.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Client of platform-api's console state API ({@code /internal/platform/console/}): JSON,
 * binary fields as standard base64, every call with the console state token. An absent
 * entry (404) is an empty {@link Optional}; every other failure is a
 * {@link ConsoleStateUnavailableException}.
 *
 * <p>
 * Every call of the API is idempotent (a PUT replaces, a DELETE of what is gone
 * succeeds), so a call that fails with an I/O error is sent once more: the connection it
 * failed on is dropped, and the pool
 * ({@link dev.warden.console.adminapi.PlatformApiConnections}) checks a connection that
 * was idle before reusing it, so a platform-api that restarted meanwhile costs no failed
 * call.
 */
class ConsoleStateClient {

	static final String BASE = "/internal/platform/console";

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

	private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RestClient http;

	ConsoleStateClient(RestClient.Builder builder, String token) {
		this.http = builder.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token).build();
	}

	/** {@code GET signing-keys}. */
	SigningKeyList signingKeys() {
		JsonNode body = JSON
			.readTree(withOneRetry(() -> this.http.get().uri(BASE + "/signing-keys").retrieve().body(String.class)));
		List<SigningKeyList.Entry> keys = new ArrayList<>();
		for (JsonNode key : body.path("keys").values()) {
			JsonNode retires = key.path("retires_at");
			keys.add(new SigningKeyList.Entry(key.path("kid").asString(), JSON.writeValueAsString(key.path("jwk")),
					Instant.parse(key.path("activates_at").asString()),
					(retires.isString()) ? Instant.parse(retires.asString()) : null));
		}
		JsonNode refresh = body.path("refresh_after");
		return new SigningKeyList(keys,
				refresh.isString() ? Duration.parse(refresh.asString()) : Duration.ofSeconds(60));
	}

	Optional<StoredSession> session(String sid) {
		checkHash(sid);
		return get(BASE + "/sessions/" + sid).map((body) -> new StoredSession(textOrNull(body, "principal"),
				Instant.parse(body.path("created_at").asString()),
				Instant.parse(body.path("last_accessed_at").asString()), body.path("max_inactive_seconds").asLong(),
				Base64.getDecoder().decode(body.path("attributes").asString())));
	}

	void putSession(String sid, StoredSession session) {
		checkHash(sid);
		ObjectNode body = JSON.createObjectNode();
		body.put("principal", session.principal());
		body.put("created_at", session.createdAt().toString());
		body.put("last_accessed_at", session.lastAccessedAt().toString());
		body.put("max_inactive_seconds", session.maxInactiveSeconds());
		body.put("attributes", Base64.getEncoder().encodeToString(session.attributes()));
		put(BASE + "/sessions/" + sid, body);
	}

	void deleteSession(String sid) {
		checkHash(sid);
		withOneRetry(() -> this.http.delete().uri(BASE + "/sessions/" + sid).retrieve().toBodilessEntity());
	}

	void putAuthorization(String id, String registeredClientId, String principal, List<String> tokenHashes,
			Instant expiresAt, byte[] data) {
		checkId(id);
		tokenHashes.forEach(ConsoleStateClient::checkHash);
		ObjectNode body = JSON.createObjectNode();
		body.put("registered_client_id", registeredClientId);
		body.put("principal", principal);
		ArrayNode hashes = body.putArray("token_hashes");
		tokenHashes.forEach(hashes::add);
		body.put("expires_at", expiresAt.toString());
		body.put("data", Base64.getEncoder().encodeToString(data));
		put(BASE + "/authorizations/" + id, body);
	}

	Optional<byte[]> authorization(String id) {
		checkId(id);
		return get(BASE + "/authorizations/" + id).map(ConsoleStateClient::data);
	}

	Optional<byte[]> authorizationByTokenHash(String tokenHash) {
		checkHash(tokenHash);
		return get(BASE + "/authorizations?token_hash=" + tokenHash).map(ConsoleStateClient::data);
	}

	void deleteAuthorization(String id) {
		checkId(id);
		withOneRetry(() -> this.http.delete().uri(BASE + "/authorizations/" + id).retrieve().toBodilessEntity());
	}

	static boolean isValidId(String id) {
		return id != null && ID.matcher(id).matches();
	}

	private Optional<JsonNode> get(String path) {
		try {
			return Optional
				.of(JSON.readTree(withOneRetry(() -> this.http.get().uri(path).retrieve().body(String.class))));
		}
		catch (HttpClientErrorException.NotFound ex) {
			return Optional.empty();
		}
	}

	private void put(String path, ObjectNode body) {
		String json = JSON.writeValueAsString(body);
		withOneRetry(() -> this.http.put()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.body(json)
			.retrieve()
			.toBodilessEntity());
	}

	/**
	 * The call, sent a second time if the first failed with an I/O error.
	 * @throws ConsoleStateUnavailableException when it failed (a 404 is the caller's to
	 * handle)
	 */
	private static <T> T withOneRetry(Supplier<T> call) {
		try {
			try {
				return call.get();
			}
			catch (ResourceAccessException ex) {
				return call.get();
			}
		}
		catch (HttpClientErrorException.NotFound ex) {
			throw ex;
		}
		catch (RestClientException ex) {
			throw new ConsoleStateUnavailableException(
					"platform-api's console state API (" + BASE + ") could not be used: " + ex.getMessage(), ex);
		}
	}

	private static byte[] data(JsonNode body) {
		return Base64.getDecoder().decode(body.path("data").asString());
	}

	private static String textOrNull(JsonNode body, String field) {
		JsonNode value = body.path(field);
		return value.isString() ? value.asString() : null;
	}

	private static void checkId(String id) {
		if (!isValidId(id)) {
			throw new IllegalArgumentException("not a valid authorization id");
		}
	}

	private static void checkHash(String hash) {
		if (hash == null || !HASH.matcher(hash).matches()) {
			throw new IllegalArgumentException("not a lowercase hex SHA-256");
		}
	}

	/**
	 * The signing keys platform-api returned.
	 *
	 * @param keys every key, each with its private JWK as JSON
	 * @param refreshAfter when to read the list again
	 */
	record SigningKeyList(List<Entry> keys, Duration refreshAfter) {

		record Entry(String kid, String jwk, Instant activatesAt, Instant retiresAt) {
		}

	}

	/**
	 * A session as platform-api keeps it.
	 *
	 * @param principal the signed-in user's name, or {@code null}
	 * @param createdAt when the session was created
	 * @param lastAccessedAt the last request that was saved
	 * @param maxInactiveSeconds how long it lives without a request
	 * @param attributes the serialized attributes
	 */
	record StoredSession(String principal, Instant createdAt, Instant lastAccessedAt, long maxInactiveSeconds,
			byte[] attributes) {
	}

}
