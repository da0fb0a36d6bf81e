package dev.warden.platform.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.model.ModelVersionAdded;
import dev.warden.platform.model.ServingPlan;
import dev.warden.platform.worker.DesiredState;
import dev.warden.platform.worker.DesiredStateProvider;

/**
 * The one place that decides which versions of each model every worker must load (the
 * platform's desired state): the stable version, the canary, every pinned version and
 * every held version ({@link VersionHolds}); for a model with no stable version, the
 * newest {@code warden.routing.latest-versions} versions of the catalogue that did not
 * fail to load. A model with none of these (no version in the catalogue) is not named,
 * and the workers' own version policy applies to it.
 *
 * <p>
 * Derived from the database every {@code warden.routing.refresh-interval} on every
 * replica and right after a change made on this one. The document carries a generation
 * stored in {@code serving_state}: when a replica derives a document whose digest differs
 * from the stored one, it takes the row lock, derives it again and raises the generation,
 * so every replica hands out the same document under the same generation and a newer
 * change always has a higher one. Workers get it in their heartbeat answers or, when the
 * gateway polls them, by {@code PUT /internal/v1/desired-state}, and ignore a document
 * older than the one they follow. Reads are answered from memory. Thread-safe.
 */
@Service
public class AspiredVersions
		implements DesiredStateProvider, ServingPlan, SchedulingConfigurer, SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(AspiredVersions.class);

	static final String STABLE = "stable";

	static final String CANARY = "canary";

	static final String PIN = "pin";

	static final String HOLD = "hold:";

	static final String LATEST = "latest";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final int latestVersions;

	private final Duration refreshInterval;

	private volatile Snapshot snapshot;

	AspiredVersions(JdbcClient jdbc, TransactionTemplate transactions, RoutingProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.latestVersions = properties.latestVersions();
		this.refreshInterval = properties.refreshInterval();
	}

	/** Derives the desired state every {@code warden.routing.refresh-interval}. */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(this::scheduledRefresh, this.refreshInterval);
	}

	/** Derives the desired state once before the web server takes requests. */
	@Override
	public void afterSingletonsInstantiated() {
		scheduledRefresh();
	}

	void scheduledRefresh() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			log.warn("The desired state could not be derived (keeping the previous one): {}", ex.getMessage());
		}
	}

	/**
	 * An upload added a version: derive the desired state now, not at the next refresh.
	 */
	@EventListener
	void versionAdded(ModelVersionAdded added) {
		scheduledRefresh();
	}

	@Override
	public Optional<DesiredState> desiredState() {
		Snapshot current = this.snapshot;
		return (current != null) ? Optional.of(current.state()) : Optional.empty();
	}

	@Override
	public SortedMap<Long, List<String>> aspired(String model) {
		Snapshot current = this.snapshot;
		SortedMap<Long, List<String>> reasons = (current != null) ? current.reasons().get(model) : null;
		return (reasons != null) ? reasons : Collections.emptySortedMap();
	}

	/**
	 * Derives the desired state from the database and, if it changed, raises its
	 * generation.
	 * @return the desired state now in force
	 */
	public DesiredState refresh() {
		Map<String, SortedMap<Long, List<String>>> derived = derive();
		String digest = digest(derived);
		Stored stored = stored(false);
		if (!digest.equals(stored.digest())) {
			Snapshot changed = this.transactions.execute((status) -> {
				Stored locked = stored(true);
				Map<String, SortedMap<Long, List<String>>> again = derive();
				String digestAgain = digest(again);
				if (digestAgain.equals(locked.digest())) {
					return new Snapshot(locked.generation(), again);
				}
				long generation = this.jdbc
					.sql("UPDATE serving_state SET generation = GREATEST(generation + 1, "
							+ "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint), digest = :digest, "
							+ "changed_at = now() WHERE id = 1 RETURNING generation")
					.param("digest", digestAgain)
					.query(Long.class)
					.single();
				log.info("Desired state generation {}: {}", generation, versionsOf(again));
				return new Snapshot(generation, again);
			});
			this.snapshot = changed;
			return changed.state();
		}
		Snapshot unchanged = new Snapshot(stored.generation(), derived);
		this.snapshot = unchanged;
		return unchanged.state();
	}

	private Stored stored(boolean lock) {
		return this.jdbc.sql("SELECT generation, digest FROM serving_state WHERE id = 1" + (lock ? " FOR UPDATE" : ""))
			.query((rs, row) -> new Stored(rs.getLong("generation"), rs.getString("digest")))
			.single();
	}

	/** Per model, the aspired versions and why each is aspired. */
	private Map<String, SortedMap<Long, List<String>>> derive() {
		Map<String, List<long[]>> catalogue = new HashMap<>();
		this.jdbc
			.sql("SELECT m.name, v.version, (v.load_error IS NOT NULL AND v.state <> 'AVAILABLE') AS failed "
					+ "FROM models m JOIN model_versions v ON v.model_id = m.id")
			.query((rs) -> {
				catalogue.computeIfAbsent(rs.getString("name"), (n) -> new ArrayList<>())
					.add(new long[] { rs.getLong("version"), rs.getBoolean("failed") ? 1 : 0 });
			});
		Map<String, SortedMap<Long, List<String>>> reasons = new TreeMap<>();
		Map<String, Long> stable = new HashMap<>();
		this.jdbc
			.sql("SELECT m.name, r.stable_version, r.canary_version FROM model_routes r "
					+ "JOIN models m ON m.id = r.model_id")
			.query((rs) -> {
				String name = rs.getString("name");
				Long stableVersion = rs.getObject("stable_version", Long.class);
				Long canaryVersion = rs.getObject("canary_version", Long.class);
				if (stableVersion != null) {
					stable.put(name, stableVersion);
					add(reasons, name, stableVersion, STABLE);
				}
				if (canaryVersion != null) {
					add(reasons, name, canaryVersion, CANARY);
				}
			});
		this.jdbc.sql("SELECT m.name, p.version FROM model_pins p JOIN models m ON m.id = p.model_id").query((rs) -> {
			add(reasons, rs.getString("name"), rs.getLong("version"), PIN);
		});
		this.jdbc
			.sql("SELECT m.name, h.version, h.holder FROM model_version_holds h JOIN models m ON m.id = h.model_id "
					+ "ORDER BY h.holder")
			.query((rs) -> {
				add(reasons, rs.getString("name"), rs.getLong("version"), HOLD + rs.getString("holder"));
			});
		catalogue.forEach((name, versions) -> {
			if (stable.containsKey(name)) {
				return;
			}
			versions.stream()
				.filter((version) -> version[1] == 0)
				.map((version) -> version[0])
				.sorted(Collections.reverseOrder())
				.limit(this.latestVersions)
				.forEach((version) -> add(reasons, name, version, LATEST));
		});
		Map<String, SortedMap<Long, List<String>>> frozen = new TreeMap<>();
		reasons.forEach((name, versions) -> {
			SortedMap<Long, List<String>> copy = new TreeMap<>();
			versions.forEach((version, why) -> copy.put(version, List.copyOf(why)));
			frozen.put(name, Collections.unmodifiableSortedMap(copy));
		});
		return Collections.unmodifiableMap(frozen);
	}

	private static void add(Map<String, SortedMap<Long, List<String>>> reasons, String model, long version,
			String reason) {
		List<String> why = reasons.computeIfAbsent(model, (n) -> new TreeMap<>())
			.computeIfAbsent(version, (v) -> new ArrayList<>());
		if (!why.contains(reason)) {
			why.add(reason);
		}
	}

	private static SortedMap<String, SortedSet<Long>> versionsOf(Map<String, SortedMap<Long, List<String>>> reasons) {
		SortedMap<String, SortedSet<Long>> versions = new TreeMap<>();
		reasons.forEach((name, byVersion) -> versions.put(name, new TreeSet<>(byVersion.keySet())));
		return versions;
	}

	/** SHA-256 of the models and versions (not the reasons), e.g. {@code income:1,2;}. */
	private static String digest(Map<String, SortedMap<Long, List<String>>> reasons) {
		StringBuilder canonical = new StringBuilder();
		versionsOf(reasons).forEach((name, versions) -> {
			canonical.append(name).append(':');
			versions.forEach((version) -> canonical.append(version).append(','));
			canonical.append(';');
		});
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256")
					.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record Stored(long generation, String digest) {
	}

	private record Snapshot(DesiredState state, Map<String, SortedMap<Long, List<String>>> reasons) {

		Snapshot(long generation, Map<String, SortedMap<Long, List<String>>> reasons) {
			this(new DesiredState(generation, versionsOf(reasons)), reasons);
		}

	}

}
