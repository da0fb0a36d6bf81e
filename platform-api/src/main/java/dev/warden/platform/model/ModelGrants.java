package dev.warden.platform.model;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.system.ApiException;

/**
 * Which tenants may call which model. A model is granted to all tenants
 * ({@code granted_to_all}) or to the tenants listed in {@code model_grants}; models
 * discovered from the store or uploaded start granted to all.
 *
 * <p>
 * The data plane asks {@link #access} on every request. It answers from an in-memory
 * snapshot of the whole table, reloaded every {@code warden.grants.refresh-interval}
 * (default 500 ms) and right after every change made on this instance, so a change made
 * on another replica is seen within that interval (bounded staleness). If a reload fails
 * (database unavailable) the previous snapshot is kept and the reload retried; API keys
 * cannot be verified then either, so no call gets that far. A lookup never touches the
 * database, so a model that does not exist and a model that is not granted take the same
 * time to refuse. Thread-safe.
 */
@Service
public class ModelGrants implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(ModelGrants.class);

	/** What a tenant may do with a model name. */
	public enum Access {

		/** The model is known and granted to the tenant. */
		GRANTED,
		/**
		 * The model is known and not granted to the tenant: answer exactly as for a model
		 * that does not exist.
		 */
		DENIED,
		/**
		 * The catalogue does not know the model (it does not exist, or the worker serves
		 * it and the catalogue has not synchronised it yet).
		 */
		UNKNOWN

	}

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final Duration refreshInterval;

	private volatile Map<String, Entry> snapshot = Map.of();

	ModelGrants(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, GrantsProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.refreshInterval = properties.refreshInterval();
	}

	/** In-memory lookup; never blocks on the database. */
	public Access access(String model, UUID tenantId) {
		Entry entry = this.snapshot.get(model);
		if (entry == null) {
			return Access.UNKNOWN;
		}
		return (entry.all() || (tenantId != null && entry.tenants().contains(tenantId))) ? Access.GRANTED
				: Access.DENIED;
	}

	/** Reloads the snapshot every {@code warden.grants.refresh-interval}. */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(this::scheduledRefresh, this.refreshInterval);
	}

	void scheduledRefresh() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			log.warn("Model grants could not be reloaded (keeping the previous snapshot): {}", ex.getMessage());
		}
	}

	/** Reloads the snapshot from the database. */
	public void refresh() {
		Map<String, Boolean> flags = new HashMap<>();
		Map<String, Set<UUID>> listed = new HashMap<>();
		this.jdbc
			.sql("SELECT m.name, m.granted_to_all, g.tenant_id FROM models m "
					+ "LEFT JOIN model_grants g ON g.model_id = m.id")
			.query((rs) -> {
				String name = rs.getString("name");
				flags.put(name, rs.getBoolean("granted_to_all"));
				Set<UUID> tenants = listed.computeIfAbsent(name, (n) -> new HashSet<>());
				UUID tenant = rs.getObject("tenant_id", UUID.class);
				if (tenant != null) {
					tenants.add(tenant);
				}
			});
		Map<String, Entry> loaded = new HashMap<>();
		flags.forEach((name, all) -> loaded.put(name, new Entry(all, Set.copyOf(listed.get(name)))));
		this.snapshot = Map.copyOf(loaded);
	}

	private record Entry(boolean all, Set<UUID> tenants) {
	}

	/** The grants of one model as stored (not from the snapshot). */
	public Grant grants(String model) {
		return read(model).orElseThrow(() -> ApiException.notFound("model " + model));
	}

	/** The grants of every model, by name, as stored. */
	Map<String, Grant> all() {
		Map<String, Set<UUID>> listed = new LinkedHashMap<>();
		Map<String, Boolean> flags = new LinkedHashMap<>();
		this.jdbc
			.sql("SELECT m.name, m.granted_to_all, g.tenant_id FROM models m "
					+ "LEFT JOIN model_grants g ON g.model_id = m.id ORDER BY m.name, g.tenant_id")
			.query((rs) -> {
				String name = rs.getString("name");
				flags.put(name, rs.getBoolean("granted_to_all"));
				Set<UUID> tenants = listed.computeIfAbsent(name, (n) -> new LinkedHashSet<>());
				UUID tenant = rs.getObject("tenant_id", UUID.class);
				if (tenant != null) {
					tenants.add(tenant);
				}
			});
		Map<String, Grant> out = new LinkedHashMap<>();
		flags.forEach((name, all) -> out.put(name, Grant.of(all, listed.get(name))));
		return out;
	}

	private java.util.Optional<Grant> read(String model) {
		List<UUID> tenants = new ArrayList<>();
		Boolean[] all = { null };
		this.jdbc
			.sql("SELECT m.granted_to_all, g.tenant_id FROM models m "
					+ "LEFT JOIN model_grants g ON g.model_id = m.id WHERE m.name = :name ORDER BY g.tenant_id")
			.param("name", model)
			.query((rs) -> {
				all[0] = rs.getBoolean("granted_to_all");
				UUID tenant = rs.getObject("tenant_id", UUID.class);
				if (tenant != null) {
					tenants.add(tenant);
				}
			});
		return (all[0] == null) ? java.util.Optional.empty() : java.util.Optional.of(Grant.of(all[0], tenants));
	}

	/**
	 * Replaces the grants of {@code model}: to all tenants, or to exactly {@code tenants}
	 * (possibly none). Every listed tenant must exist and not be deleted. Audited
	 * ({@code model.grants_changed}, before/after) in the same transaction when something
	 * changes; the snapshot of this instance is reloaded before returning.
	 * @throws ApiException 404 unknown model, 400 unknown tenant
	 */
	public Grant replace(String model, boolean all, Collection<UUID> tenants, String actor) {
		Set<UUID> wanted = all ? Set.of() : new LinkedHashSet<>(tenants);
		Grant result = this.transactions.execute((status) -> {
			UUID modelId = this.jdbc.sql("SELECT id FROM models WHERE name = :name FOR UPDATE")
				.param("name", model)
				.query(UUID.class)
				.optional()
				.orElseThrow(() -> ApiException.notFound("model " + model));
			Grant before = read(model).orElseThrow();
			for (UUID tenant : wanted) {
				boolean live = this.jdbc.sql("SELECT count(*) FROM tenants WHERE id = :id AND status <> 'deleted'")
					.param("id", tenant)
					.query(Long.class)
					.single() > 0;
				if (!live) {
					throw ApiException.badRequest("unknown_tenant", "tenant " + tenant + " does not exist");
				}
			}
			Grant after = Grant.of(all, wanted);
			if (after.equals(before)) {
				return before;
			}
			Timestamp now = Timestamp.from(Instant.now());
			this.jdbc.sql("UPDATE models SET granted_to_all = :all, grants_updated_at = :at WHERE id = :id")
				.param("all", all)
				.param("at", now)
				.param("id", modelId)
				.update();
			this.jdbc.sql("DELETE FROM model_grants WHERE model_id = :id").param("id", modelId).update();
			for (UUID tenant : wanted) {
				this.jdbc
					.sql("INSERT INTO model_grants (model_id, tenant_id, granted_at) VALUES (:model, :tenant, :at)")
					.param("model", modelId)
					.param("tenant", tenant)
					.param("at", now)
					.update();
			}
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("model", model);
			details.put("before", before.summary());
			details.put("after", after.summary());
			this.audit.append(actor, "model.grants_changed", "model", model, details);
			return after;
		});
		refresh();
		return result;
	}

	/**
	 * The grants of a model.
	 *
	 * @param all granted to every tenant (then {@code tenants} is empty)
	 * @param tenants the tenants it is granted to when not to all, sorted
	 */
	public record Grant(boolean all, List<UUID> tenants) {

		static Grant of(boolean all, Collection<UUID> tenants) {
			return new Grant(all, all ? List.of() : tenants.stream().sorted().toList());
		}

		Map<String, Object> summary() {
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("all", this.all);
			out.put("tenants", this.tenants.stream().map(UUID::toString).toList());
			return out;
		}

	}

}
