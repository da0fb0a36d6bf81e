package dev.warden.platform.routing;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.routing.internal.RouteFallbacks;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.worker.WorkerFleet;

/**
 * Which version of a model answers a call that names no version: a pin of the caller's
 * API key, else a pin of its tenant, else the canary for {@code weight} percent of
 * request ids, else the stable version, else (nothing configured) whatever the worker
 * serves as latest.
 *
 * <p>
 * The canary share is chosen by request id:
 * {@code CRC32C(model + '/' + request id) mod 100 < weight}, so the same request id
 * always gets the same version, on every gateway replica.
 *
 * <p>
 * The data plane asks {@link #version} on every request and is answered from an in-memory
 * snapshot reloaded every {@code warden.routing.refresh-interval} (500 ms) and right
 * after every change made on this replica, the way {@code ModelGrants} does. Every change
 * is one transaction with its audit event (before and after). A direct change (the admin
 * API's canary, promote, rollback, reset and pin calls) is first shown to every
 * {@link RoutingGuard} (the promotion module refuses what needs an approved request);
 * {@link #applyApproved} applies a change another module approved, in that module's
 * transaction. Thread-safe.
 */
@Service
public class ModelRouting implements SchedulingConfigurer, SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(ModelRouting.class);

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final Duration refreshInterval;

	private final Servability servability;

	private final AspiredVersions aspired;

	private final WorkerFleet fleet;

	private final RouteFallbacks fallbacks;

	private final ObjectProvider<RoutingGuard> guards;

	private volatile Map<String, Route> snapshot = Map.of();

	ModelRouting(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, RoutingProperties properties,
			Servability servability, AspiredVersions aspired, WorkerFleet fleet, RouteFallbacks fallbacks,
			ObjectProvider<RoutingGuard> guards) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.refreshInterval = properties.refreshInterval();
		this.servability = servability;
		this.aspired = aspired;
		this.fleet = fleet;
		this.fallbacks = fallbacks;
		this.guards = guards;
	}

	/**
	 * The version that must answer a call to {@code model} naming no version, or
	 * {@code null} to let the worker answer with its latest. In-memory; never blocks on
	 * the database.
	 */
	public Long version(String model, String requestId, UUID tenantId, UUID apiKeyId) {
		Route route = this.snapshot.get(model);
		if (route == null) {
			return null;
		}
		Long pinned = pinned(route, tenantId, apiKeyId);
		return (pinned != null) ? pinned : routed(route, model, requestId);
	}

	/**
	 * How a call to {@code model} naming no version must be forwarded: the routed version
	 * ({@link #version}) when a worker can serve it; else, while it is still being loaded
	 * (a new canary, a promotion, a restart), the stable version when the routed one is
	 * the canary and the stable one is AVAILABLE, otherwise the call unchanged (the
	 * worker answers with its newest AVAILABLE version, the one the routes could serve
	 * before); and when no worker can serve it at all (it failed to load everywhere, or
	 * left the store), the same choice as a fallback that the answer announces
	 * ({@code Warning}) and {@link RouteFallbacks} records. A pinned caller always gets
	 * its pinned version (exact semantics: the worker's error if nobody serves it).
	 * In-memory; never blocks on the database.
	 */
	public Decision decide(String model, String requestId, UUID tenantId, UUID apiKeyId) {
		Route route = this.snapshot.get(model);
		if (route == null) {
			return Decision.UNROUTED;
		}
		Long pinned = pinned(route, tenantId, apiKeyId);
		if (pinned != null) {
			return new Decision(pinned, pinned, false, true);
		}
		Long chosen = routed(route, model, requestId);
		if (chosen == null) {
			return Decision.UNROUTED;
		}
		WorkerFleet.Availability availability = this.fleet.availability(model, chosen);
		if (availability == WorkerFleet.Availability.AVAILABLE || availability == WorkerFleet.Availability.UNKNOWN) {
			if (availability == WorkerFleet.Availability.AVAILABLE) {
				this.fallbacks.restored(model, chosen);
			}
			return new Decision(chosen, chosen, false, false);
		}
		boolean fallback = availability == WorkerFleet.Availability.UNAVAILABLE;
		if (fallback) {
			this.fallbacks.fellBack(model, chosen,
					this.fleet.failure(model, chosen).orElse("no worker has it loaded or is loading it"));
		}
		Long stable = route.stableVersion();
		if (stable != null && stable != chosen.longValue()
				&& this.fleet.availability(model, stable) == WorkerFleet.Availability.AVAILABLE) {
			return new Decision(stable, chosen, fallback, false);
		}
		return new Decision(null, chosen, fallback, false);
	}

	private static Long pinned(Route route, UUID tenantId, UUID apiKeyId) {
		Long pinned = (apiKeyId != null) ? route.pins().get(apiKeyId) : null;
		if (pinned == null && tenantId != null) {
			pinned = route.pins().get(tenantId);
		}
		return pinned;
	}

	private static Long routed(Route route, String model, String requestId) {
		if (route.canaryVersion() != null && requestId != null && bucket(model, requestId) < route.canaryWeight()) {
			return route.canaryVersion();
		}
		return route.stableVersion();
	}

	/** {@code 0..99}, a pure function of the model and the request id. */
	static int bucket(String model, String requestId) {
		CRC32C crc = new CRC32C();
		crc.update((model + "/" + requestId).getBytes(StandardCharsets.UTF_8));
		return (int) (crc.getValue() % 100);
	}

	/** Reloads the snapshot every {@code warden.routing.refresh-interval}. */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(this::scheduledRefresh, this.refreshInterval);
	}

	/** Loads the routes once before the web server takes requests. */
	@Override
	public void afterSingletonsInstantiated() {
		scheduledRefresh();
	}

	void scheduledRefresh() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			log.warn("Model routing could not be reloaded (keeping the previous snapshot): {}", ex.getMessage());
		}
	}

	/** Reloads the snapshot from the database. */
	public void refresh() {
		Map<String, Route> loaded = new HashMap<>();
		this.jdbc
			.sql("SELECT m.name, r.stable_version, r.canary_version, r.canary_weight FROM model_routes r "
					+ "JOIN models m ON m.id = r.model_id")
			.query((rs) -> {
				loaded.put(rs.getString("name"), new Route(rs.getObject("stable_version", Long.class),
						rs.getObject("canary_version", Long.class), rs.getInt("canary_weight"), new HashMap<>()));
			});
		this.jdbc.sql("SELECT m.name, p.subject_id, p.version FROM model_pins p JOIN models m ON m.id = p.model_id")
			.query((rs) -> {
				Route route = loaded.computeIfAbsent(rs.getString("name"),
						(n) -> new Route(null, null, 0, new HashMap<>()));
				route.pins().put(rs.getObject("subject_id", UUID.class), rs.getLong("version"));
			});
		Map<String, Route> frozen = new HashMap<>();
		Map<String, Set<Long>> routed = new HashMap<>();
		loaded.forEach((name, route) -> {
			frozen.put(name, new Route(route.stableVersion(), route.canaryVersion(), route.canaryWeight(),
					Map.copyOf(route.pins())));
			Set<Long> versions = new HashSet<>();
			if (route.stableVersion() != null) {
				versions.add(route.stableVersion());
			}
			if (route.canaryVersion() != null) {
				versions.add(route.canaryVersion());
			}
			routed.put(name, versions);
		});
		this.snapshot = Map.copyOf(frozen);
		this.fallbacks.retainRouted(routed);
	}

	/** The routing of a model as stored. @throws ApiException 404 unknown model */
	public Routing routing(String model) {
		UUID modelId = modelId(model, false);
		return read(model, modelId);
	}

	/**
	 * Starts (or changes) the canary of {@code model}: {@code weight} percent of calls
	 * naming no version go to {@code version}, the rest to the stable version. The stable
	 * version is {@code stable} when given, else the one already set, else the newest
	 * other version the workers reported available (older than the canary if there is
	 * one).
	 * @throws ApiException 404 unknown model, 400 unknown version or bad weight, 409 no
	 * stable version
	 */
	public Routing setCanary(String model, long version, int weight, Long stable, String actor) {
		if (weight < 1 || weight > 100) {
			throw ApiException.badRequest("invalid_canary",
					"\"weight\" must be between 1 and 100 (percent of calls); to stop a canary use :rollback");
		}
		return change(model, "model.canary_set", actor, (modelId, before) -> {
			requireVersion(model, modelId, version);
			Long stableVersion = (stable != null) ? stable : before.stableVersion();
			if (stableVersion == null) {
				// the newest other version a worker reported AVAILABLE, older than the
				// canary if there is one
				stableVersion = this.jdbc
					.sql("SELECT version FROM model_versions WHERE model_id = :id "
							+ "AND version <> :canary ORDER BY (state = 'AVAILABLE') DESC, (version < :canary) DESC, "
							+ "version DESC LIMIT 1")
					.param("id", modelId)
					.param("canary", version)
					.query(Long.class)
					.optional()
					.orElse(null);
			}
			if (stableVersion == null) {
				throw new ApiException(HttpStatus.CONFLICT, "no_stable_version", "model " + model
						+ " has no other available version to keep as stable; give \"stable\" explicitly");
			}
			if (stableVersion == version) {
				throw ApiException.badRequest("invalid_canary",
						"the canary version must differ from the stable version " + stableVersion);
			}
			requireVersion(model, modelId, stableVersion);
			upsertRoute(modelId, stableVersion, version, weight, actor);
		});
	}

	/**
	 * Stops the canary: every call naming no version goes to the stable version again.
	 * @throws ApiException 404 unknown model, 409 no canary
	 */
	public Routing rollback(String model, String actor) {
		return change(model, "model.canary_rolled_back", actor, (modelId, before) -> {
			if (before.canary() == null) {
				throw new ApiException(HttpStatus.CONFLICT, "no_canary", "model " + model + " has no canary");
			}
			upsertRoute(modelId, before.stableVersion(), null, 0, actor);
		});
	}

	/**
	 * Makes the canary the stable version (and stops the canary).
	 * @throws ApiException 404 unknown model, 409 no canary
	 */
	public Routing promote(String model, String actor) {
		return change(model, "model.canary_promoted", actor, (modelId, before) -> {
			if (before.canary() == null) {
				throw new ApiException(HttpStatus.CONFLICT, "no_canary", "model " + model + " has no canary");
			}
			requireVersion(model, modelId, before.canary().version());
			upsertRoute(modelId, before.canary().version(), null, 0, actor);
		});
	}

	/**
	 * Forgets the stable version and the canary of {@code model}: calls naming no version
	 * go to the worker's latest again. Pins are kept.
	 * @throws ApiException 404 unknown model
	 */
	public Routing reset(String model, String actor) {
		return change(model, "model.routing_reset", actor,
				(modelId, before) -> this.jdbc.sql("DELETE FROM model_routes WHERE model_id = :id")
					.param("id", modelId)
					.update());
	}

	/**
	 * Pins a tenant or an API key (by id) to a version of {@code model}.
	 * @throws ApiException 404 unknown model or subject, 400 unknown version
	 */
	public Routing pin(String model, UUID subject, long version, String actor) {
		return change(model, "model.pin_set", actor, (modelId, before) -> {
			requireVersion(model, modelId, version);
			String type = subjectType(subject);
			this.jdbc.sql("INSERT INTO model_pins (model_id, subject_type, subject_id, version, created_by) "
					+ "VALUES (:model, :type, :subject, :version, :actor) ON CONFLICT (model_id, subject_id) DO UPDATE "
					+ "SET version = EXCLUDED.version, created_at = now(), created_by = EXCLUDED.created_by")
				.param("model", modelId)
				.param("type", type)
				.param("subject", subject)
				.param("version", version)
				.param("actor", actor)
				.update();
		});
	}

	/**
	 * Removes a pin. @throws ApiException 404 unknown model or no such pin
	 */
	public Routing unpin(String model, UUID subject, String actor) {
		return change(model, "model.pin_removed", actor, (modelId, before) -> {
			int removed = this.jdbc.sql("DELETE FROM model_pins WHERE model_id = :model AND subject_id = :subject")
				.param("model", modelId)
				.param("subject", subject)
				.update();
			if (removed == 0) {
				throw ApiException.notFound("pin of " + subject + " on model " + model);
			}
		});
	}

	private Routing change(String model, String action, String actor, Change change) {
		return change(model, action, actor, change, true, Map.of());
	}

	/**
	 * Applies a change in one transaction with its audit event (joining the caller's
	 * transaction when there is one), after the guards allowed it when {@code guarded};
	 * then reloads the snapshot and derives the desired state, at once or, inside a
	 * caller's transaction, once it commits.
	 */
	private Routing change(String model, String action, String actor, Change change, boolean guarded,
			Map<String, Object> extraDetails) {
		Routing result = this.transactions.execute((status) -> {
			UUID modelId = modelId(model, true);
			Routing before = read(model, modelId);
			change.apply(modelId, before);
			Routing after = read(model, modelId);
			if (guarded) {
				RoutingChange proposed = new RoutingChange(action, model, before, after, actor);
				this.guards.orderedStream().forEach((guard) -> guard.check(proposed));
			}
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("model", model);
			details.put("before", before.summary());
			details.put("after", after.summary());
			details.putAll(extraDetails);
			this.audit.append(actor, action, "model", model, details);
			return after;
		});
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					scheduledRefresh();
					ModelRouting.this.aspired.scheduledRefresh();
				}
			});
		}
		else {
			refresh();
			this.aspired.refresh();
		}
		return result;
	}

	/**
	 * Applies a change of the stable version or of the canary that another module
	 * approved (a promotion request), without asking the {@link RoutingGuard}s, in the
	 * caller's transaction (one is required), audited {@code model.stable_set} or
	 * {@code model.canary_set} with before and after and the approval's reference.
	 * Stable: {@code version} answers every call naming no version that no canary takes;
	 * a canary of that same version is removed, another canary is kept. Canary:
	 * {@code version} takes {@code weight} percent of those calls from the stable
	 * version, which must exist. The snapshot and the desired state follow once the
	 * caller's transaction commits.
	 * @throws ApiException 404 unknown model, 409 {@code unknown_version},
	 * {@code version_not_loadable}, {@code no_stable_version}, 400 {@code invalid_canary}
	 */
	public Routing applyApproved(String model, ApprovedChange approved, String actor) {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("an approved routing change is applied in its approval's transaction");
		}
		Map<String, Object> reference = new LinkedHashMap<>();
		reference.put("approved_by", approved.reference());
		if (approved.canary()) {
			if (approved.weight() < 1 || approved.weight() > 100) {
				throw ApiException.badRequest("invalid_canary", "the canary weight must be between 1 and 100");
			}
			return change(model, "model.canary_set", actor, (modelId, before) -> {
				requireVersion(model, modelId, approved.version());
				if (before.stableVersion() == null) {
					throw new ApiException(HttpStatus.CONFLICT, "no_stable_version", "model " + model
							+ " has no stable version for a canary to take calls from; promote a stable version first");
				}
				if (before.stableVersion() == approved.version()) {
					throw ApiException.badRequest("invalid_canary",
							"version " + approved.version() + " is the stable version of model " + model);
				}
				requireVersion(model, modelId, before.stableVersion());
				upsertRoute(modelId, before.stableVersion(), approved.version(), approved.weight(), actor);
			}, false, reference);
		}
		return change(model, "model.stable_set", actor, (modelId, before) -> {
			requireVersion(model, modelId, approved.version());
			Canary kept = (before.canary() != null && before.canary().version() != approved.version()) ? before.canary()
					: null;
			upsertRoute(modelId, approved.version(), (kept != null) ? kept.version() : null,
					(kept != null) ? kept.weight() : 0, actor);
		}, false, reference);
	}

	/**
	 * Whether a route may point at {@code version} of {@code model}: it is in the
	 * catalogue and did not fail to load.
	 * @throws ApiException 404 unknown model, 409 {@code unknown_version} or
	 * {@code version_not_loadable}
	 */
	public void requireRoutable(String model, long version) {
		UUID modelId = modelId(model, false);
		requireVersion(model, modelId, version);
	}

	private UUID modelId(String model, boolean lock) {
		return this.servability.modelId(model, lock);
	}

	private void requireVersion(String model, UUID modelId, long version) {
		this.servability.requireServable(model, modelId, version);
	}

	private String subjectType(UUID subject) {
		boolean tenant = this.jdbc.sql("SELECT count(*) FROM tenants WHERE id = :id AND status <> 'deleted'")
			.param("id", subject)
			.query(Long.class)
			.single() > 0;
		if (tenant) {
			return "tenant";
		}
		boolean key = this.jdbc.sql("SELECT count(*) FROM api_keys WHERE id = :id")
			.param("id", subject)
			.query(Long.class)
			.single() > 0;
		if (key) {
			return "api_key";
		}
		throw ApiException.notFound("tenant or API key " + subject);
	}

	private void upsertRoute(UUID modelId, Long stable, Long canary, int weight, String actor) {
		this.jdbc.sql("INSERT INTO model_routes (model_id, stable_version, canary_version, canary_weight, updated_at, "
				+ "updated_by) VALUES (:id, :stable, :canary, :weight, :at, :actor) ON CONFLICT (model_id) DO UPDATE SET "
				+ "stable_version = EXCLUDED.stable_version, canary_version = EXCLUDED.canary_version, "
				+ "canary_weight = EXCLUDED.canary_weight, updated_at = EXCLUDED.updated_at, "
				+ "updated_by = EXCLUDED.updated_by")
			.param("id", modelId)
			.param("stable", stable, java.sql.Types.BIGINT)
			.param("canary", canary, java.sql.Types.BIGINT)
			.param("weight", weight)
			.param("at", Timestamp.from(Instant.now()))
			.param("actor", actor)
			.update();
	}

	private Routing read(String model, UUID modelId) {
		Long[] stable = { null };
		Long[] canary = { null };
		int[] weight = { 0 };
		this.jdbc.sql("SELECT stable_version, canary_version, canary_weight FROM model_routes WHERE model_id = :id")
			.param("id", modelId)
			.query((rs) -> {
				stable[0] = rs.getObject("stable_version", Long.class);
				canary[0] = rs.getObject("canary_version", Long.class);
				weight[0] = rs.getInt("canary_weight");
			});
		List<Pin> pins = new ArrayList<>();
		this.jdbc
			.sql("SELECT subject_type, subject_id, version FROM model_pins WHERE model_id = :id "
					+ "ORDER BY subject_type, subject_id")
			.param("id", modelId)
			.query((rs) -> {
				pins.add(new Pin(rs.getString("subject_type"), rs.getObject("subject_id", UUID.class),
						rs.getLong("version")));
			});
		return new Routing(model, stable[0], (canary[0] != null) ? new Canary(canary[0], weight[0]) : null,
				List.copyOf(pins));
	}

	@FunctionalInterface
	private interface Change {

		void apply(UUID modelId, Routing before);

	}

	private record Route(Long stableVersion, Long canaryVersion, int canaryWeight, Map<UUID, Long> pins) {
	}

	/**
	 * A change of the stable version or of the canary that was approved elsewhere.
	 *
	 * @param canary {@code true}: {@code version} becomes the canary at {@code weight};
	 * {@code false}: it becomes the stable version
	 * @param version the version
	 * @param weight the canary's percent of calls naming no version (ignored for stable)
	 * @param reference what approved it, recorded in the audit event (e.g. the promotion
	 * request's id)
	 */
	public record ApprovedChange(boolean canary, long version, int weight, String reference) {

		public static ApprovedChange stable(long version, String reference) {
			return new ApprovedChange(false, version, 0, reference);
		}

		public static ApprovedChange canary(long version, int weight, String reference) {
			return new ApprovedChange(true, version, weight, reference);
		}

	}

	/**
	 * The routing of a model.
	 *
	 * @param model the model
	 * @param stableVersion the version calls naming no version get ({@code null} = the
	 * worker's latest)
	 * @param canary the canary, or {@code null}
	 * @param pins tenants and API keys pinned to a version
	 */
	public record Routing(String model, Long stableVersion, Canary canary, List<Pin> pins) {

		Map<String, Object> summary() {
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("stable_version", this.stableVersion);
			out.put("canary_version", (this.canary != null) ? this.canary.version() : null);
			out.put("canary_weight", (this.canary != null) ? this.canary.weight() : 0);
			out.put("pins",
					this.pins.stream()
						.map((p) -> Map.of("subject_type", p.subjectType(), "subject_id", p.subjectId().toString(),
								"version", p.version()))
						.toList());
			return out;
		}

	}

	/**
	 * How to forward a call naming no version.
	 *
	 * @param version the version to rewrite the path to, or {@code null} to forward it
	 * unchanged (the worker answers with its newest AVAILABLE version)
	 * @param routedVersion the version the routing chose, or {@code null} (no routing)
	 * @param fallback true when the routed version can be served by no worker: the answer
	 * must say so ({@link #warning})
	 */
	public record Decision(Long version, Long routedVersion, boolean fallback, boolean pinned) {

		/**
		 * The same call answered by whatever version the workers serve now, announced as
		 * a fallback from {@code routedVersion}.
		 */
		public Decision fallenBack() {
			return new Decision(null, this.routedVersion, true, false);
		}

		static final Decision UNROUTED = new Decision(null, null, false, false);

		/**
		 * The {@code Warning} header of a fallback answer ({@code 199}, "miscellaneous
		 * warning", RFC 7234), naming the routed version and the one that answered.
		 */
		public String warning(String model, String answeredVersion) {
			String answered = (answeredVersion != null && answeredVersion.matches("[0-9]{1,19}"))
					? "version " + answeredVersion : "another version";
			return "199 warden \"version " + this.routedVersion + " of model " + printable(model)
					+ " is not available on any worker; answered by " + answered + "\"";
		}

		private static String printable(String text) {
			return text.replaceAll("[^A-Za-z0-9._-]", "?");
		}

	}

	/**
	 * A canary.
	 *
	 * @param version the canary version
	 * @param weight percent of calls naming no version that it answers
	 */
	public record Canary(long version, int weight) {
	}

	/**
	 * A pin.
	 *
	 * @param subjectType {@code tenant} or {@code api_key}
	 * @param subjectId the tenant's or the API key's id
	 * @param version the version it always gets
	 */
	public record Pin(String subjectType, UUID subjectId, long version) {
	}

}
