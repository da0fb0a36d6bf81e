package dev.warden.platform.worker.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.warden.platform.system.ApiException;

import dev.warden.platform.worker.RegistrationProperties;
import dev.warden.platform.worker.WorkerInventory;
import dev.warden.platform.worker.WorkerProperties;

/**
 * Worker self-registration: heartbeats are stored in {@code worker_registrations}
 * (PostgreSQL, so every gateway replica sees them) and expire when
 * {@code warden.registration.missed-heartbeats} heartbeats in a row are missed. Expiry is
 * computed with the database's clock, so replicas agree on it. A heartbeat must carry the
 * shared registration token; without a configured token every heartbeat is refused.
 * Thread-safe.
 */
@Service
public class WorkerRegistrations {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	public static final Duration MIN_INTERVAL = Duration.ofMillis(200);

	public static final Duration MAX_INTERVAL = Duration.ofMinutes(5);

	private final JdbcClient jdbc;

	private final RegistrationProperties properties;

	private final byte[] tokenDigest;

	public WorkerRegistrations(JdbcClient jdbc, RegistrationProperties properties) {
		this.jdbc = jdbc;
		this.properties = properties;
		this.tokenDigest = properties.enabled() ? sha256(properties.token()) : null;
	}

	/**
	 * Checks the token of a heartbeat in constant time (both sides hashed first, so
	 * neither length nor content leaks through timing).
	 * @throws ApiException 403 {@code registration_disabled} when no token is configured,
	 * 401 {@code invalid_registration_token} when it does not match
	 */
	public void authenticate(String presented) {
		if (this.tokenDigest == null) {
			throw new ApiException(HttpStatus.FORBIDDEN, "registration_disabled",
					"worker registration is disabled: no registration token is configured on the platform");
		}
		if (presented == null || !MessageDigest.isEqual(this.tokenDigest, sha256(presented))) {
			throw new ApiException(HttpStatus.UNAUTHORIZED, "invalid_registration_token",
					"the registration token is missing or wrong");
		}
	}

	/**
	 * Stores one heartbeat (a new registration or a renewal), or removes the registration
	 * of a stopping worker.
	 */
	public void heartbeat(Heartbeat heartbeat) {
		if (heartbeat.stopping()) {
			this.jdbc.sql("DELETE FROM worker_registrations WHERE worker_id = :id")
				.param("id", heartbeat.id())
				.update();
			return;
		}
		Duration ttl = heartbeat.interval().multipliedBy(Math.max(1, this.properties.missedHeartbeats()));
		this.jdbc
			.sql("INSERT INTO worker_registrations (worker_id, url, models, desired_generation, heartbeat_interval, "
					+ "expires_at) VALUES (:id, :url, CAST(:models AS jsonb), :generation, "
					+ "make_interval(secs => :interval), now() + make_interval(secs => :ttl)) "
					+ "ON CONFLICT (worker_id) DO UPDATE SET url = EXCLUDED.url, models = EXCLUDED.models, "
					+ "desired_generation = EXCLUDED.desired_generation, heartbeat_interval = EXCLUDED.heartbeat_interval, "
					+ "last_heartbeat_at = now(), expires_at = EXCLUDED.expires_at, registered_at = CASE WHEN "
					+ "worker_registrations.expires_at < now() THEN now() ELSE worker_registrations.registered_at END")
			.param("id", heartbeat.id())
			.param("url", heartbeat.url())
			.param("models", JSON.writeValueAsString(heartbeat.inventory().models()))
			.param("generation", storedGeneration(heartbeat.inventory()), Types.BIGINT)
			.param("interval", heartbeat.interval().toMillis() / 1000.0)
			.param("ttl", ttl.toMillis() / 1000.0)
			.update();
		// long-expired rows are of no use to anyone
		this.jdbc.sql("DELETE FROM worker_registrations WHERE expires_at < now() - interval '1 day'").update();
	}

	/**
	 * The generation column: {@code null} for a worker that reports none, 0 for one that
	 * follows no desired state yet.
	 */
	private static Long storedGeneration(WorkerInventory inventory) {
		if (!inventory.followsDesiredState()) {
			return null;
		}
		return (inventory.desiredGeneration() != null) ? inventory.desiredGeneration() : 0L;
	}

	/** The registrations that have not expired. */
	public List<WorkerPool.Registration> live() {
		List<WorkerPool.Registration> out = new ArrayList<>();
		this.jdbc
			.sql("SELECT worker_id, url, models::text AS models, desired_generation FROM worker_registrations "
					+ "WHERE expires_at > now() ORDER BY worker_id")
			.query((rs) -> {
				long generation = rs.getLong("desired_generation");
				boolean follows = !rs.wasNull();
				out.add(new WorkerPool.Registration(rs.getString("worker_id"), rs.getString("url"), WorkerInventory
					.fromJson(JSON.readTree(rs.getString("models")), (generation > 0) ? generation : null, follows)));
			});
		return out;
	}

	/**
	 * Validates the body of a heartbeat.
	 * @throws ApiException 400 {@code invalid_registration} naming what is wrong
	 */
	public static Heartbeat parse(JsonNode body) {
		if (body == null || !body.isObject()) {
			throw invalid("the body must be a JSON object with \"id\", \"url\", \"interval_ms\" and \"models\"");
		}
		String id = body.path("id").asString("");
		if (!WORKER_ID.matcher(id).matches()) {
			throw invalid("\"id\" must match [A-Za-z0-9._-]{1,64}");
		}
		boolean stopping = body.path("stopping").asBoolean(false);
		String url = WorkerProperties.trimNoSlash(body.path("url").asString(""));
		if (!stopping) {
			try {
				URI uri = new URI(url);
				if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
						|| uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
					throw invalid("\"url\" must be an absolute http(s) URL without user, query or fragment");
				}
			}
			catch (URISyntaxException ex) {
				throw invalid("\"url\" is not a URL: " + ex.getReason());
			}
		}
		long intervalMs = body.path("interval_ms").asLong(-1);
		Duration interval = Duration.ofMillis(intervalMs);
		if (!stopping
				&& (intervalMs <= 0 || interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0)) {
			throw invalid(
					"\"interval_ms\" must be between " + MIN_INTERVAL.toMillis() + " and " + MAX_INTERVAL.toMillis());
		}
		JsonNode models = body.path("models");
		if (!stopping && !models.isObject()) {
			throw invalid("\"models\" must be an object: {\"<model>\": {\"versions\": [1], \"labels\": {}}}");
		}
		JsonNode generation = body.path("desired_generation");
		if (!stopping && body.has("desired_generation") && !generation.isNull()
				&& !(generation.isIntegralNumber() && generation.canConvertToLong() && generation.asLong() > 0)) {
			throw invalid("\"desired_generation\" must be a positive integer or null");
		}
		WorkerInventory inventory = WorkerInventory.fromJson(models,
				generation.canConvertToLong() ? generation.asLong() : null, body.has("desired_generation"));
		return new Heartbeat(id, url, interval, stopping, inventory);
	}

	private static ApiException invalid(String message) {
		return ApiException.badRequest("invalid_registration", message);
	}

	private static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * One heartbeat.
	 *
	 * @param id the worker's id
	 * @param url its advertised base URL
	 * @param interval its heartbeat interval
	 * @param stopping the worker is shutting down: remove its registration now
	 * @param inventory what it serves and the desired-state generation it follows
	 */
	public record Heartbeat(String id, String url, Duration interval, boolean stopping, WorkerInventory inventory) {
	}

}
